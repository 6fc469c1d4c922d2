# The Manager's server is a process of its own on the timeline, and shows
# the requests it serves: each request a put -> get from the caller's lane
# to a serve_client thread of the server, marked with the method it runs,
# and the reply a put -> get back. A Manager never shut down is shut down at
# exit, leaving no process behind.
. tests/cli/lib.sh
cat > "$T/m.lua" <<'LUA'
lab.clock{ clock = "real" }
m = mp.Manager()
q = m:Queue()
function writer(q1) for c in ("dongGe"):gmatch(".") do q1:put(c) end end
pool = mp.Pool(2)
pool:apply(writer, { q })
pool:close(); pool:join()
print("qsize", q:qsize())
LUA
out=$(timeout 60 $BIN --headless --trace "$T/m.tlt" --record "$T/m.svg" "$T/m.lua" 2>&1) || fail "run: $out"
expect_has "$out" "qsize 6" "the worker's puts reached the server"
dump=$($BIN --dump-trace "$T/m.tlt")
srv=$(printf '%s\n' "$dump" | awk '/proc-name/ && /"SyncManager-1"/ {print $3; exit}')
[ -n "$srv" ] || fail "no process named SyncManager-1 in the trace"
puts=$(printf '%s\n' "$dump" | awk -v p="$srv" '$3 == p && $5 == "mark" && /"Queue.put"/' | wc -l)
expect_eq "$puts" 6 "the server marks each put it serves"
gets=$(printf '%s\n' "$dump" | awk -v p="$srv" '$3 == p && $5 == "queue-get"' | wc -l)
[ "$gets" -ge 8 ] || fail "the server received $gets requests, want >= 8 (create, 6 puts, qsize)"
grep -q "SyncManager-1" "$T/m.svg" || fail "the server's lane is not in the picture"
grep -q "serve_client" "$T/m.svg" || fail "the server's threads are not in the picture"
# nothing of the run is left (a forked child keeps its parent's command line)
sleep 0.2
pids=$(pgrep -f "$T/m.lua" || true)
[ -z "$pids" ] || fail "processes left after exit: $pids"
echo ok
