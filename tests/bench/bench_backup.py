#!/usr/bin/env python3
"""bench_backup.py: `hearthctl backup` on a busy server (docs/performance.md,
"The database: ... backups").

Starts hearthd on a directory made by gen_data.py (rate classes off), opens
--writers ssh sessions as the bench members and has them post replies at
--rate posts a second in all (each waits for its reply; the time from send
to reply is a "write wait"). First --quiet seconds of writes alone, then
`hearthctl backup OUT --force` runs (at most --timeout seconds) while the
writes go on. For each phase: the loop lag from admin.status (reset before,
read after), the write waits, and for the backup its wall time.

    tests/bench/bench_backup.py --dir /tmp/hearth-bench [--build build]
        [--rate 100] [--writers 4] [--quiet 10] [--timeout 120]
        [--out /tmp/hearth-backup.db] [--hearthctl PATH | --scheduled]
        [--synchronous FULL|NORMAL]
"""
import argparse
import json
import os
import random
import select
import sqlite3
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_board import Session, free_port, lag, pct  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', required=True, help='the --out of gen_data.py')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--rate', type=float, default=100.0, help='posts a second, in all')
    ap.add_argument('--writers', type=int, default=4)
    ap.add_argument('--quiet', type=float, default=10.0)
    ap.add_argument('--timeout', type=float, default=120.0)
    ap.add_argument('--out', default='/tmp/hearth-backup.db')
    ap.add_argument('--synchronous', default=None,
                    help='FULL or NORMAL (default: the build\'s default)')
    ap.add_argument('--scheduled', action='store_true',
                    help="time hearthd's own scheduled backup (backup_every) "
                    'instead of hearthctl backup')
    ap.add_argument('--hearthctl', default=None,
                    help='the hearthctl to run (default: the one in --build)')
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dir, 'bench.json')))
    data = meta['data']
    dbpath = os.path.join(data, 'hearth.db')
    db = sqlite3.connect('file:%s?mode=ro' % dbpath, uri=True)
    threads = [r[0] for r in db.execute('SELECT id FROM threads WHERE NOT locked')]
    db.close()
    print('database %.0f MB, %d open threads' % (os.path.getsize(dbpath) / 1e6, len(threads)))

    conf = os.path.join(a.dir, 'bench-backup.conf')
    with open(conf, 'w') as f:
        f.write('max_unauth = 1000\nmax_unauth_per_ip = 1000\nlogin_grace = 30\n'
                'rate_read = off\nrate_write = off\n')
        if a.synchronous:
            f.write('synchronous = %s\n' % a.synchronous)
        if a.scheduled:
            # no earlier scheduled copy: the first one comes this long after start: after the quiet phase
            f.write('backup_every = %f\nbackup_keep = 1\n' % ((a.quiet + 8) / 3600.0))
    if a.scheduled:
        bdir = os.path.join(data, 'backups')
        for f in os.listdir(bdir) if os.path.isdir(bdir) else []:
            if f.startswith('hearth-'):
                os.unlink(os.path.join(bdir, f))
    port = free_port()
    logf = open(os.path.join(a.dir, 'bench-backup-hearthd.log'), 'w')
    hd = subprocess.Popen([os.path.join(a.build, 'hearthd')] +
                          (['--allow-root'] if os.geteuid() == 0 else []) +
                          ['--data', data, '--listen',
                           '127.0.0.1:%d' % port, '--config', conf],
                          stdout=subprocess.PIPE, stderr=logf)
    out = b''
    while b'Stop:' not in out:
        r, _, _ = select.select([hd.stdout], [], [], 60)
        chunk = os.read(hd.stdout.fileno(), 65536) if r else b''
        if not chunk:
            raise SystemExit('hearthd did not start; see bench-backup-hearthd.log')
        out += chunk

    keys = [b['key'] for b in meta['bench']]
    sessions = [Session(port, keys[i % len(keys)]) for i in range(a.writers)]
    waits = []          # (time sent, seconds to reply)
    stop = threading.Event()
    errors = []

    def writer(i, s):
        rnd = random.Random(i)
        period = a.writers / a.rate
        nxt = time.time() + rnd.random() * period
        while not stop.is_set():
            time.sleep(max(0, nxt - time.time()))
            nxt += period
            t0 = time.time()
            m, secs = s.call('post.create', thread_id=rnd.choice(threads),
                             body='backup bench %d' % rnd.randrange(10**9))
            if not m.get('ok'):
                errors.append(m)
            waits.append((t0, secs))

    def summary(title, t0, t1, lg):
        w = sorted(s for t, s in waits if t0 <= t < t1)
        print('%s: %.1f s, %d posts (%.0f/s); write waits p50 %.1f ms, p99 %.1f ms, '
              'max %.1f ms, %d over 10 ms; loop lag max %.1f ms, %d ticks over 10 ms'
              % (title, t1 - t0, len(w), len(w) / max(t1 - t0, 1e-9),
                 1000 * pct(w, 50), 1000 * pct(w, 99), 1000 * (w[-1] if w else 0),
                 sum(1 for s in w if s > 0.010), lg['max_ms'], lg['over_10ms']), flush=True)

    ths = [threading.Thread(target=writer, args=(i, s)) for i, s in enumerate(sessions)]
    try:
        for t in ths:
            t.start()
        time.sleep(1)
        lag(data, reset=True)
        t0 = time.time()
        time.sleep(a.quiet)
        t1 = time.time()
        summary('writes alone', t0, t1, lag(data))

        lag(data, reset=True)
        t0 = time.time()
        if a.scheduled:
            logpath = os.path.join(a.dir, 'bench-backup-hearthd.log')
            line = None
            while line is None and time.time() < t0 + a.timeout:
                time.sleep(0.1)
                line = next((ln for ln in open(logpath) if 'scheduled backup ' in ln), None)
            t1 = time.time()
            summary('window with the scheduled backup', t0, t1, lag(data))
            print('  ' + (line or 'no scheduled backup in %.0f s' % a.timeout).strip())
            return
        try:
            p = subprocess.run([a.hearthctl or os.path.join(a.build, 'hearthctl'), '--data', data,
                                'backup', a.out, '--force'], capture_output=True,
                               text=True, timeout=a.timeout)
            res = 'exit %d' % p.returncode
            detail = (p.stdout + p.stderr).strip().splitlines()
        except subprocess.TimeoutExpired:
            res = 'did not finish in %.0f s (stopped)' % a.timeout
            detail = []
        t1 = time.time()
        summary('backup (%s)' % res, t0, t1, lag(data))
        for line in detail[-3:]:
            print('  ' + line)
        wal = dbpath + '-wal'
        print('WAL after the backup: %.1f MB' % (os.path.getsize(wal) / 1e6
                                                if os.path.exists(wal) else 0))
        if errors:
            print('write errors: %d, first %r' % (len(errors), errors[0]))
    finally:
        stop.set()
        for t in ths:
            t.join()
        for s in sessions:
            s.close()
        hd.terminate()
        hd.wait()


if __name__ == '__main__':
    main()
