#!/usr/bin/env python3
"""bench_health.py: community health and the state-of-the-community report
on the benchmark data (docs/performance.md, "Community health").

On a directory made by gen_data.py (100,000 threads, 1,000,000 posts; make
it with --members 12000 for 10,000 more members), this adds a year of
visits (each member visits a random subset of their communities on a
random 30 % of days) and staggers the joins over the last year in
membership_log, starts hearthd, and times through the console socket:
health.get for the platform and for the largest community, health.series,
goal.list and report.get (html) for the platform, each several times. The
loop's lag is read around each phase, and whoami round trips through ssh
run all the while, so their latency can be set beside a baseline phase with
no health request (the same run).

    tests/bench/bench_health.py --dir /tmp/hbench [--build build] [--runs 5]
"""
import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from bench_board import Session, ctl, free_port, lag  # noqa: E402


def add_history(data, now, seed=3):
    """A year of visits and joins spread over it (idempotent: once)."""
    db = sqlite3.connect(os.path.join(data, 'hearth.db'))
    if db.execute('SELECT count(*) FROM visit_log').fetchone()[0] > 0:
        db.close()
        return
    rnd = random.Random(seed)
    t0 = time.time()
    rows = db.execute('SELECT member_id, community_id FROM community_members').fetchall()
    today = now // 86400
    batch = []
    for m, c in rows:
        for d in range(365):
            if rnd.random() < 0.3:
                batch.append((m, c, today - d))
        if len(batch) > 200000:
            db.executemany('INSERT OR IGNORE INTO visit_log VALUES (?, ?, ?)', batch)
            batch = []
    db.executemany('INSERT OR IGNORE INTO visit_log VALUES (?, ?, ?)', batch)
    # joins spread over the last year, as a community grows
    db.execute('UPDATE membership_log SET at = ? - abs(random() % (365 * 86400))', (now,))
    db.execute('UPDATE community_members SET joined_at = (SELECT max(at) FROM membership_log '
               'l WHERE l.community_id = community_members.community_id AND l.member_id = '
               'community_members.member_id)')
    db.commit()
    n = db.execute('SELECT count(*) FROM visit_log').fetchone()[0]
    db.close()
    print('added %d visits (%d memberships) in %.1f s' % (n, len(rows), time.time() - t0))


def timed(data, op, args, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        r = ctl(data, op, args)
        out.append(time.perf_counter() - t)
        assert r is not None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--dir', required=True)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=5)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dir, 'bench.json')))
    data, now = meta['data'], meta['now']
    add_history(data, now)
    db = sqlite3.connect('file:%s?mode=ro' % os.path.join(data, 'hearth.db'), uri=True)
    counts = db.execute('SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM threads), '
                        '(SELECT count(*) FROM posts), (SELECT count(*) FROM visit_log)').fetchone()
    big = db.execute('SELECT c.slug, count(*) FROM community_members m JOIN communities c ON '
                     'c.id = m.community_id GROUP BY c.id ORDER BY count(*) DESC LIMIT 1').fetchone()
    db.close()
    print('data: %d members, %d threads, %d posts, %d visit rows; largest community %s '
          '(%d members)' % (counts + big))
    conf = os.path.join(a.dir, 'bench-hearthd.conf')
    with open(conf, 'w') as f:
        f.write('max_unauth = 1000\nmax_unauth_per_ip = 1000\nrate_read = off\n'
                'rate_expensive = off\n')
    port = free_port()
    logf = open(os.path.join(a.dir, 'bench-hearthd.log'), 'w')
    hd = subprocess.Popen([os.path.join(a.build, 'hearthd'), '--data', data, '--listen',
                           '127.0.0.1:%d' % port, '--config', conf] +
                          (['--allow-root'] if os.geteuid() == 0 else []),
                          stdout=subprocess.PIPE, stderr=logf)
    out = b''
    while b'Stop:' not in out:
        chunk = os.read(hd.stdout.fileno(), 65536)
        if not chunk:
            raise SystemExit('hearthd did not start; see bench-hearthd.log')
        out += chunk
    print('hearthd pid %d; %s' % (hd.pid, subprocess.run(['uptime'], capture_output=True,
                                                          text=True).stdout.strip()))
    # whoami through ssh all the while: the loop's responsiveness
    sess = Session(port, meta['bench'][0]['key'])
    lat, stop, mark = [], threading.Event(), []

    def pinger():
        while not stop.is_set():
            t = time.perf_counter()
            sess.call('whoami')
            lat.append((t, time.perf_counter() - t))
            time.sleep(0.02)
    th = threading.Thread(target=pinger, daemon=True)
    th.start()

    def phase(title, fn):
        lag(data, reset=True)
        t0 = time.perf_counter()
        res = fn()
        t1 = time.perf_counter()
        lg = lag(data)
        w = [d for t, d in lat if t0 <= t <= t1]
        print('%-44s %s | whoami p50 %.1f ms p99 %.1f ms (%d) | loop lag max %.1f ms, '
              '%d ticks over 10 ms' % (
                  title, res, 1000 * statistics.median(w) if w else 0,
                  1000 * sorted(w)[int(0.99 * (len(w) - 1))] if w else 0, len(w),
                  lg['max_ms'], lg['over_10ms']), flush=True)

    def fig(xs):
        return 'p50 %.0f ms, max %.0f ms' % (1000 * statistics.median(xs), 1000 * max(xs))
    try:
        phase('baseline (no health request), 3 s', lambda: time.sleep(3) or '-')
        phase('health.get platform (90 days)',
              lambda: fig(timed(data, 'health.get', {}, a.runs)))
        phase('health.get %s (90 days)' % big[0],
              lambda: fig(timed(data, 'health.get', {'community': big[0]}, a.runs)))
        phase('health.get platform (365 days)',
              lambda: fig(timed(data, 'health.get', {'days': 365}, a.runs)))
        phase('health.series platform (12 weeks)',
              lambda: fig(timed(data, 'health.series', {}, a.runs)))
        phase('report.get platform html',
              lambda: fig(timed(data, 'report.get', {'format': 'html'}, a.runs)))
        phase('report.get %s md' % big[0],
              lambda: fig(timed(data, 'report.get', {'community': big[0], 'format': 'md'},
                                a.runs)))
        phase('baseline again, 3 s', lambda: time.sleep(3) or '-')
    finally:
        stop.set()
        th.join(5)
        sess.close()
        hd.terminate()
        hd.wait(30)


if __name__ == '__main__':
    main()
