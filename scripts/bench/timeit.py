#!/usr/bin/env python3
"""Run a command several times; print its best wall time in seconds.

usage: timeit.py [-n RUNS] [--median] [--expect VALUE] -- COMMAND [ARGS...] [--vs COMMAND2 [ARGS...]]

Each run is timed as the wall time of the whole process (time.perf_counter
around spawn .. exit).  With --expect, the last whitespace-separated token
of the command's output must equal VALUE on every run.  Any failure (non-zero
exit, wrong or missing result) prints a diagnostic to stderr and exits 1.
On success prints one line: the best time (--median: the median), 3 decimals.

With --vs, the two commands run in turn (A, B, A, B, ...: a change of the
machine's load falls on both alike) and the line is three figures: A's
time, B's time (best, or medians) and the median of the pairs' ratios A/B.
"""
import argparse
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1])
    ap.add_argument("-n", "--runs", type=int, default=3)
    ap.add_argument("--expect")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--median", action="store_true", help="print the median, not the best")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    cmd = opts.cmd[1:] if opts.cmd[:1] == ["--"] else opts.cmd
    other = None
    if "--vs" in cmd:
        k = cmd.index("--vs")
        cmd, other = cmd[:k], cmd[k + 1:]
    if not cmd or opts.runs < 1 or other == []:
        ap.error("need a command and at least one run")
    if other is None:
        times = [run_once(cmd, opts) for _ in range(opts.runs)]
        if None in times:
            return 1
        best = sorted(times)[len(times) // 2] if opts.median else min(times)
        print("%.3f" % best)
        return 0
    ta, tb = [], []
    for _ in range(opts.runs):
        ta.append(run_once(cmd, opts))
        tb.append(run_once(other, opts))
        if None in (ta[-1], tb[-1]):
            return 1
    pick = (lambda v: sorted(v)[len(v) // 2]) if opts.median else min
    ratios = sorted(a / max(b, 1e-9) for a, b in zip(ta, tb))
    print("%.3f %.3f %.3f" % (pick(ta), pick(tb), ratios[len(ratios) // 2]))
    return 0


def run_once(cmd, opts):
    """One timed run: its wall time, or None (with a diagnostic) on failure."""
    name = " ".join(cmd)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=opts.timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("timeit: %s: %s" % (name, e), file=sys.stderr)
        return None
    dt = time.perf_counter() - t0
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        print("timeit: %s: exit status %d\n%s%s"
              % (name, p.returncode, out[-2000:], err[-2000:]),
              file=sys.stderr)
        return None
    if opts.expect is not None:
        words = out.split()
        got = words[-1] if words else "(no output)"
        if got != opts.expect:
            print("timeit: %s: printed %s, expected %s\n%s"
                  % (name, got, opts.expect, err[-2000:]),
                  file=sys.stderr)
            return None
    return dt


if __name__ == "__main__":
    sys.exit(main())
