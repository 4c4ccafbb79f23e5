#!/usr/bin/env python3
"""Run a command several times; print the median wall time and the peak resident memory.

Usage: measure.py RUNS -- COMMAND [ARGS...]   (prints one JSON line)
The peak memory is the child's ru_maxrss from wait4, so it covers the whole process.
Shared by the bench/*.sh scripts so every figure is measured the same way.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"command failed: {' '.join(argv)}\n{err}")
    return wall, usage.ru_maxrss * 1024


def main():
    runs = int(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1:]
    walls, peaks = [], []
    for _ in range(runs):
        w, p = run_once(argv)
        walls.append(w)
        peaks.append(p)
    print(json.dumps({"median_s": statistics.median(walls), "min_s": min(walls),
                      "max_s": max(walls), "peak_rss_bytes": max(peaks), "runs": runs}))


if __name__ == "__main__":
    main()
