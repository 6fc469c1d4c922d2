#!/usr/bin/env python3
"""Run a command several times; print its best wall time in seconds.

usage: timeit.py [-n RUNS] [--expect VALUE] -- COMMAND [ARGS...]

Each run is timed as the wall time of the whole process (time.perf_counter
around spawn .. exit).  With --expect, the last whitespace-separated token
of the command's output must equal VALUE on every run.  Any failure (non-zero
exit, wrong or missing result) prints a diagnostic to stderr and exits 1.
On success prints one line: the best time, 3 decimals.
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
    ap.add_argument("--median", action="store_true",
                    help="print the median of the runs instead of the best")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    cmd = opts.cmd[1:] if opts.cmd[:1] == ["--"] else opts.cmd
    if not cmd or opts.runs < 1:
        ap.error("need a command and at least one run")
    name = " ".join(cmd)
    best = None
    times = []
    for _ in range(opts.runs):
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=opts.timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            print("timeit: %s: %s" % (name, e), file=sys.stderr)
            return 1
        dt = time.perf_counter() - t0
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != 0:
            print("timeit: %s: exit status %d\n%s%s"
                  % (name, p.returncode, out[-2000:], err[-2000:]),
                  file=sys.stderr)
            return 1
        if opts.expect is not None:
            words = out.split()
            got = words[-1] if words else "(no output)"
            if got != opts.expect:
                print("timeit: %s: printed %s, expected %s\n%s"
                      % (name, got, opts.expect, err[-2000:]),
                      file=sys.stderr)
                return 1
        times.append(dt)
        if best is None or dt < best:
            best = dt
    if opts.median:
        best = sorted(times)[len(times) // 2]
    print("%.3f" % best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
