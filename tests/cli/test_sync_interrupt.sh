# Ctrl-C reaches MainThread in every blocking wait of the primitives: it
# stops promptly after SIGINT (5 s allowed: a loaded machine under a
# sanitizer is slow) with KeyboardInterrupt and exit status 130, and
# the threads blocked in other primitives do not keep the process alive.
. tests/cli/lib.sh
declare -A body=(
  [cond]='local c = threading.Condition(); c:acquire(); print("holding"); c:wait()'
  [event]='local e = threading.Event(); print("holding"); e:wait()'
  [queue]='local q = queue.Queue(); print("holding"); q:get()'
  [qput]='local q = queue.Queue(1); q:put(1); print("holding"); q:put(2)'
  [qjoin]='local q = queue.Queue(); q:put(1); print("holding"); q:join()'
  [sem]='local s = threading.Semaphore(0); print("holding"); s:acquire()'
  [barrier]='local b = threading.Barrier(2); print("holding"); b:wait()'
  [rlock]='local r = threading.RLock(); local e = threading.Event()
threading.Thread{daemon = true, target = function() r:acquire(); e:set(); threading.Event():wait() end}:start()
e:wait(); print("holding"); r:acquire()'
  [waitfor]='local c = threading.Condition(); c:acquire(); print("holding"); c:wait_for(function() return false end)'
)
for name in "${!body[@]}"; do
  {
    # a few threads stuck elsewhere, that must not keep the process alive
    echo 'local stuck = threading.Event()'
    echo 'for i = 1, 3 do threading.Thread{target = function() stuck:wait() end}:start() end'
    printf '%s\n' "${body[$name]}"
  } > "$T/$name.lua"
  # (the last run's "holding" must not be read before this run's
  # redirection empties the file: SIGINT would land in its start-up)
  rm -f "$T/out"
  "$BIN" --headless "$T/$name.lua" > "$T/out" 2> "$T/err" &
  pid=$!
  for _ in $(seq 100); do grep -q holding "$T/out" && break; sleep 0.05; done
  sleep 0.05
  kill -INT $pid
  for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  if kill -0 $pid 2>/dev/null; then kill -9 $pid; fail "$name: still running 5 s after SIGINT"; fi
  wait $pid; rc=$?
  expect_eq "$rc" "130" "$name: exit status after SIGINT"
  expect_has "$(cat "$T/err")" "KeyboardInterrupt" "$name: KeyboardInterrupt printed"
done
echo ok
