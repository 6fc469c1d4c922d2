# Ctrl-C: a script stuck on a lock it already holds stops within 2 s of
# SIGINT, prints KeyboardInterrupt, exits 130 and leaves nothing behind.
. tests/cli/lib.sh
cat > "$T/twice.lua" <<'LUA'
local l = threading.Lock()
l:acquire()
print("holding")
l:acquire()
LUA
cat > "$T/spin.lua" <<'LUA'
local t = threading.Thread{target = function() while true do end end}
t:start()
print("holding")
while true do end
LUA
cat > "$T/joinall.lua" <<'LUA'
local t = threading.Thread{target = function() while true do time.sleep(0.01) end end}
t:start()
print("holding")
LUA
for script in twice spin joinall; do
  "$BIN" --headless "$T/$script.lua" > "$T/out" 2> "$T/err" &
  pid=$!
  for _ in $(seq 100); do grep -q holding "$T/out" && break; sleep 0.05; done
  kill -INT $pid
  start=$(date +%s%N)
  for _ in $(seq 40); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  if kill -0 $pid 2>/dev/null; then kill -9 $pid; fail "$script: still running 2 s after SIGINT"; fi
  wait $pid; rc=$?
  expect_eq "$rc" "130" "$script: exit status after SIGINT"
  expect_has "$(cat "$T/err")" "KeyboardInterrupt" "$script: KeyboardInterrupt printed"
  [ -d /proc/$pid ] && fail "$script: process $pid left behind"
done
echo ok
