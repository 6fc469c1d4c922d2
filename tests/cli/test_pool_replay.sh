# Issue 14's acceptance line: the Pool lesson, played twice on the virtual
# clock with one seed, leaves byte-identical traces (one scheduler runs the
# parent, its handler threads and the worker processes).
. tests/cli/lib.sh
for i in 1 2; do
  $BIN --headless --auto --clock virtual --speed 0 --seed 3 --trace "$T/$i.trace" \
    lessons/52-pool-apply-async.lua > "$T/$i.out" 2>&1 || fail "run $i: $(tail -3 "$T/$i.out")"
  $BIN --dump-trace "$T/$i.trace" > "$T/$i.dump" || fail "dump $i"
done
cmp -s "$T/1.dump" "$T/2.dump" || fail "the Pool lesson's traces differ: $(diff "$T/1.dump" "$T/2.dump" | head -4)"
grep -q "ForkPoolWorker-3" "$T/1.dump" || fail "no worker in the trace"
echo ok
