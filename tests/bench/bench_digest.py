#!/usr/bin/env python3
"""bench_digest.py: weekly digests for 10,000 members on the benchmark data
(docs/performance.md, "E-mail digests").

On a directory made by gen_data.py (--members 12000), this gives the first
--members members a verified address whose last digest was eight days
before the newest post (so the week before holds real activity), starts
hearthd with no mail server (messages are queued, not sent), and measures:
a baseline of 10 s with nothing due (the notification sweep still looks at
every address every 5 s), then `mail.run` until every digest is built and
queued: the wall time, the messages queued, and the loop's lag in each
phase (admin.status, reset at the start of each).

    tests/bench/bench_digest.py --dir /tmp/hb-mail [--build build] [--members 10000]
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from bench_board import ctl, free_port, lag  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', required=True)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--members', type=int, default=10000)
    a = ap.parse_args()
    src = os.path.join(a.dir, 'data')
    data = os.path.join(a.dir, 'digest-data')
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(src, data)
    db = sqlite3.connect(os.path.join(data, 'hearth.db'))
    newest = db.execute('SELECT max(created_at) FROM threads').fetchone()[0]
    shift = int(time.time()) - newest      # the data's last week becomes this week
    for t, c in (('threads', 'created_at'), ('posts', 'created_at'),
                 ('notifications', 'created_at')):
        db.execute('UPDATE %s SET %s = %s + ?' % (t, c, c), (shift,))
    db.execute('DELETE FROM member_email')
    ids = [r[0] for r in db.execute("SELECT id FROM members WHERE status = 'active' "
                                    "ORDER BY id LIMIT ?", (a.members,))]
    now = int(time.time())
    db.executemany('INSERT INTO member_email (member_id, address, verified_at, digest, '
                   'digest_at, mailed_upto, unsub_token) VALUES (?, ?, ?, ?, ?, '
                   '(SELECT coalesce(max(id), 0) FROM notifications), ?)',
                   [(i, 'm%d@example.org' % i, now - 30 * 86400, 'weekly',
                     now, '%032x' % i) for i in ids])      # not due yet
    db.commit()
    week = db.execute('SELECT count(*) FROM threads WHERE created_at > ?',
                      (now - 8 * 86400,)).fetchone()[0]
    db.close()
    print('%d members with an address; %d threads in the last eight days' % (len(ids), week))
    conf = os.path.join(a.dir, 'bench-digest.conf')
    with open(conf, 'w') as f:
        f.write('rate_read = off\nrate_expensive = off\nrate_write = off\n')
    port = free_port()
    logf = open(os.path.join(a.dir, 'bench-digest.log'), 'w')
    hd = subprocess.Popen([os.path.join(a.build, 'hearthd'), '--data', data, '--listen',
                           '127.0.0.1:%d' % port, '--config', conf] +
                          (['--allow-root'] if os.geteuid() == 0 else []),
                          stdout=subprocess.PIPE, stderr=logf)
    out = b''
    while b'Stop:' not in out:
        chunk = os.read(hd.stdout.fileno(), 65536)
        if not chunk:
            raise SystemExit('hearthd did not start; see bench-digest.log')
        out += chunk
    try:
        print('hearthd pid %d; %s' % (hd.pid, subprocess.run(
            ['uptime'], capture_output=True, text=True).stdout.strip()))
        # the baseline: no digest due yet
        ro = sqlite3.connect('file:%s?mode=ro' % os.path.join(data, 'hearth.db'), uri=True)
        lag(data, reset=True)
        time.sleep(10)
        base = lag(data)
        print('baseline 10 s (notification sweeps over %d addresses every 5 s): loop lag '
              'max %.1f ms, %d ticks over 10 ms' % (len(ids), base['max_ms'],
                                                    base['over_10ms']))
        # a week later: every digest is due
        rw = sqlite3.connect(os.path.join(data, 'hearth.db'), timeout=10)
        rw.execute('UPDATE member_email SET digest_at = ?', (now - 8 * 86400,))
        rw.commit()
        rw.close()
        lag(data, reset=True)
        t0 = time.time()
        ctl(data, 'mail.run')
        while True:
            left = ro.execute('SELECT count(*) FROM member_email WHERE digest_at < ?',
                              (now - 86400,)).fetchone()[0]
            if left == 0:
                break
            time.sleep(0.2)
        took = time.time() - t0
        during = lag(data)
        queued = ro.execute("SELECT count(*) FROM mail_queue WHERE kind = 'digest'").fetchone()[0]
        size = ro.execute("SELECT avg(length(message)) FROM mail_queue WHERE kind = 'digest'"
                          ).fetchone()[0] or 0
        print('digests: %d members in %.1f s (%.0f a second), %d e-mails queued (%.1f KB '
              'each on average), the rest had nothing new; loop lag max %.1f ms, %d ticks '
              'over 10 ms' % (len(ids), took, len(ids) / took, queued, size / 1024,
                              during['max_ms'], during['over_10ms']))
    finally:
        hd.terminate()
        hd.wait()


if __name__ == '__main__':
    main()
