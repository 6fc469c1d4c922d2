#!/usr/bin/env bash
# make bench: the threadlab-vs-CPython benchmarks (see scripts/bench/README.md).
# Run from the repo root.  Environment:
#   TL_BIN   the threadlab binary       (default ./threadlab)
#   PYTHON   the CPython 3 interpreter  (default python3)
#   RUNS     runs per side, best taken  (default 3)
#   BENCH    space-separated subset of bench names to run (default: all)
# Prints one line per benchmark:
#   bench <name> threadlab=<s> python3=<s> ratio=<threadlab/python3>
# and, for the timeline window (threadlab --bench-frame: one frame of a
# synthetic 1,000,000-event trace, display list and software painting, the
# mean over many frames after the layout is built; best of RUNS runs):
#   bench timeline-frame-1m ms_per_frame=<ms>   (budget: 16.7 ms, 60 fps)
# and for waking 8,000 threads waiting on one Event, timed inside each
# program from set() until the last waiter runs (budget: 0.1 s):
#   bench wake-8000 threadlab=<s> python3=<s>
# and exits non-zero if any program fails or prints a wrong result.
set -u

TL_BIN=${TL_BIN:-./threadlab}
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-3}
DIR=$(cd "$(dirname "$0")/bench" && pwd)
TIMEIT="$DIR/timeit.py"

if [ ! -x "$TL_BIN" ]; then
    echo "bench: threadlab binary '$TL_BIN' not found or not executable (set TL_BIN)" >&2
    exit 2
fi
# Time the real interpreter, not a launcher in front of it (a pyenv shim
# is a bash script that adds ~0.1 s to every run).
PY_EXE=$("$PYTHON" -c 'import sys; assert sys.version_info[0] == 3; print(sys.executable)' 2>/dev/null)
if [ -z "$PY_EXE" ] || [ ! -x "$PY_EXE" ]; then
    echo "bench: '$PYTHON' is not a working Python 3 (set PYTHON)" >&2
    exit 2
fi
echo "# threadlab: $TL_BIN; python3: $PY_EXE ($("$PY_EXE" -V 2>&1)); best of $RUNS runs" >&2

# name            program          expected last word of the output
BENCHES="
counter-2x10M     counter_2x10M    20000000
counter-1x20M     counter_1x20M    20000000
churn-20000       churn_20000      20000
gil-handoff       gil_handoff      40000
"

status=0
ran=0
while read -r name prog expect; do
    [ -n "$name" ] || continue
    if [ -n "${BENCH:-}" ]; then
        case " $BENCH " in *" $name "*) ;; *) continue ;; esac
    fi
    ran=$((ran + 1))
    tl=$("$PY_EXE" "$TIMEIT" -n "$RUNS" --expect "$expect" -- \
            "$TL_BIN" --headless "$DIR/$prog.lua") || {
        echo "bench $name FAILED (threadlab)" >&2; status=1; continue; }
    py=$("$PY_EXE" "$TIMEIT" -n "$RUNS" --expect "$expect" -- \
            "$PY_EXE" "$DIR/$prog.py") || {
        echo "bench $name FAILED (python3)" >&2; status=1; continue; }
    ratio=$("$PY_EXE" -c 'import sys; print("%.3f" % (float(sys.argv[1]) / max(float(sys.argv[2]), 1e-9)))' "$tl" "$py")
    echo "bench $name threadlab=$tl python3=$py ratio=$ratio"
done <<EOT
$BENCHES
EOT
# Pacing of the virtual clock: wall time over virtual time at --speed 1.
if [ -z "${BENCH:-}" ] || case " $BENCH " in *" pacing "*) true ;; *) false ;; esac; then
    ran=$((ran + 1))
    start=$(date +%s%N)
    virt=$("$TL_BIN" --headless --clock virtual --speed 1 "$DIR/pacing.lua") || {
        echo "bench pacing FAILED" >&2; status=1; virt=""; }
    if [ -n "$virt" ]; then
        wall=$(( ($(date +%s%N) - start) / 1000 ))
        "$PY_EXE" -c 'import sys; w = int(sys.argv[1]) / 1e6; v = float(sys.argv[2]); print("bench pacing wall=%.3f virtual=%.3f ratio=%.3f" % (w, v, w / v))' "$wall" "$virt"
    fi
fi
# Waking 8,000 Event waiters, timed inside each program from set() until
# the last waiter runs (its last word); best of RUNS. Budget: 0.1 s.
if [ -z "${BENCH:-}" ] || [[ " $BENCH " == *" wake-8000 "* ]]; then
    ran=$((ran + 1))
    tl_best="" py_best=""
    for _ in $(seq "$RUNS"); do
        tl=$(timeout 300 "$TL_BIN" --headless "$DIR/wake_8000.lua" | awk 'END{print $NF}')
        py=$(timeout 300 "$PY_EXE" "$DIR/wake_8000.py" | awk 'END{print $NF}')
        [ -n "$tl" ] && { [ -z "$tl_best" ] || awk -v a="$tl" -v b="$tl_best" 'BEGIN{exit !(a<b)}'; } && tl_best=$tl
        [ -n "$py" ] && { [ -z "$py_best" ] || awk -v a="$py" -v b="$py_best" 'BEGIN{exit !(a<b)}'; } && py_best=$py
    done
    if [ -z "$tl_best" ] || [ -z "$py_best" ]; then
        echo "bench wake-8000 FAILED" >&2; status=1
    else
        echo "bench wake-8000 threadlab=$tl_best python3=$py_best"
        if awk -v a="$tl_best" 'BEGIN{exit !(a>0.1)}'; then
            echo "bench wake-8000: over the 0.1 s budget (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
            status=1
        fi
    fi
fi
# The timeline: one frame of a synthetic 1,000,000-event trace, headless.
if [ -z "${BENCH:-}" ] || [[ " $BENCH " == *" timeline-frame-1m "* ]]; then
    ran=$((ran + 1))
    best=""
    for _ in $(seq "$RUNS"); do
        out=$("$TL_BIN" --bench-frame 1000000) || { echo "bench timeline-frame-1m FAILED" >&2; status=1; break; }
        ms=$(printf '%s\n' "$out" | sed -n 's/.*ms_per_frame=\([0-9.]*\).*/\1/p')
        echo "# $out" >&2
        if [ -n "$ms" ] && { [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN{exit !(a<b)}'; }; then best=$ms; fi
    done
    if [ -n "$best" ]; then
        echo "bench timeline-frame-1m ms_per_frame=$best"
        if awk -v a="$best" 'BEGIN{exit !(a>16.7)}'; then
            echo "bench timeline-frame-1m: over the 16.7 ms budget of a 60 fps frame" >&2
            status=1
        fi
    fi
fi
if [ "$ran" -eq 0 ]; then
    echo "bench: no benchmark matches BENCH='${BENCH:-}'" >&2
    exit 2
fi
exit $status
