#!/usr/bin/env python3
"""Keypress to drawn screen for opening a 500-post thread in the TUI, through
real ssh on loopback inside tmux, and the TUI process's memory afterwards.
  python3 tests/bench/bench_tui.py [--build build] [--runs 11]
tmux polling adds a few ms to each figure (it is an upper bound)."""
import argparse
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import harness  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--runs', type=int, default=11)
    a = ap.parse_args()
    harness.configure(os.path.abspath(a.build), False)
    import test_tui
    srv, key, _, tid = test_tui.seeded()
    test_tui.seed_500(srv, tid)
    t = test_tui.tui(srv, key, 'pat')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('1 post')
        t.keys('G')
        times = []
        for _ in range(a.runs):
            time.sleep(0.3)
            t0 = time.perf_counter()
            t.keys('Enter')
            while 'post 1 of 500' not in t.screen():
                time.sleep(0.002)
            times.append(time.perf_counter() - t0)
            t.keys('q')
            test_tui.wait_gone(t, 'post 1 of 500')
        pid = int(re.findall(r'TUI pid (\d+)', open(srv.logpath).read())[-1])
        rss = int(re.search(r'VmRSS:\s+(\d+)', open('/proc/%d/status' % pid).read()).group(1))
        pss = int(re.search(r'Pss:\s+(\d+)', open('/proc/%d/smaps_rollup' % pid).read()).group(1))
        times.sort()
        print('open a 500-post thread (keypress -> screen), %d runs: median %.1f ms, '
              'best %.1f ms, worst %.1f ms' % (len(times), statistics.median(times) * 1000,
                                             times[0] * 1000, times[-1] * 1000))
        print('TUI memory after it: RSS %d kB, PSS %d kB' % (rss, pss))
    finally:
        t.kill()
        harness.cleanup(check=False)


if __name__ == '__main__':
    main()
