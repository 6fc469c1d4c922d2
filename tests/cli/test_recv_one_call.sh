#!/usr/bin/env bash
# A blocking socket recv waits inside the recv itself, one system call as
# CPython's (not a poll and then a recv: twice the calls per round trip);
# what else the program does with that socket stays non-blocking, and the
# wait still ends at :reset-style cancellation (test_interrupt.sh) and at
# the peer's data.
. "$(dirname "$0")/lib.sh"
[ "$(uname -m)" = x86_64 ] || { echo "recvfrom's number is x86_64's"; exit 77; }
RECVFROM=45 POLL=7

cat > "$T/wait.lua" <<'EOF'
package.path = "tests/lua/?.lua;" .. package.path
local check = require("check")
local c, s = check.connected_pair()
-- a first recv that finds its data at once does not wait: the socket is
-- made blocking at its first wait, whichever call that is
s:sendall("first")
time.sleep(0.05)
assert(c:recv(10) == "first")
local t = threading.Thread{target = function() got = c:recv(10) end}
t:start()
time.sleep(0.3)
print("waiting")
io.stdout:flush()
time.sleep(1.5)       -- (the test looks at /proc meanwhile)
s:sendall("hello")
t:join()
print(got)
-- the socket the recv waited on, used as a non-blocking one: no wait
c:setblocking(false)
print(select(2, pcall(c.recv, c, 10)))
os.set_blocking(c:fileno(), false)
print(select(2, pcall(os.read, c:fileno(), 10)))
s:sendall("again")
os.set_blocking(c:fileno(), true)
print(os.read(c:fileno(), 10))
EOF
$BIN --headless "$T/wait.lua" > "$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q waiting "$T/out" 2>/dev/null && break; sleep 0.05; done
grep -q waiting "$T/out" || fail "the program did not start: $(cat "$T/out")"
calls=$(cat /proc/$pid/task/*/syscall 2>/dev/null | awk '{print $1}' | sort | tr '\n' ' ')
wait $pid || fail "the program failed: $(cat "$T/out")"
case " $calls" in *" $RECVFROM "*) ;; *) fail "no thread waits in recvfrom (syscalls now: $calls)" ;; esac
case " $calls" in *" $POLL "*) fail "a thread waits in poll (syscalls now: $calls)" ;; esac
expect_eq "$(cat "$T/out")" "waiting
hello
BlockingIOError: [Errno 11] Resource temporarily unavailable
BlockingIOError: [Errno 11] Resource temporarily unavailable
again" "after the wait"
echo ok
