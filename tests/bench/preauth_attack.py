#!/usr/bin/env python3
"""Real logins while idle or slowloris connections keep reopening.

Starts a hearthd (from each --build given, one after the other, same
settings), makes one member, then runs an attacker process that keeps
--conns connections open from --sources loopback addresses (127.0.S.1, one
/24 each, so the per-range cap does not help), reopening each one --reopen
seconds after the server closes it; in slowloris mode each connection sends
one byte of an SSH banner a second. Meanwhile real OpenSSH logins
(`ssh -s hearth` + one whoami) run one after another from 127.0.0.1 and the
tool reports how many succeeded within 2 s. Loopback only; bounded in
connections and time. Never part of the test suite.

    python3 tests/bench/preauth_attack.py --build /tmp/main/build \\
        --build build --conns 2000 --sources 200 --mode mixed --seconds 40
"""
import argparse
import multiprocessing
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import harness  # noqa: E402


def attacker(port, conns, sources, mode, reopen, seconds, stats):
    """Hold conns connections, evenly over sources, until seconds pass."""
    sel = selectors.DefaultSelector()
    addrs = ['127.0.%d.1' % (10 + i) for i in range(sources)]
    pending = []          # (time to (re)open, slot)
    opened = refused = 0
    socks = {}            # slot -> (socket, bytes sent)
    for i in range(conns):
        pending.append((0, i))
    banner = b'SSH-2.0-slowloris_0.1 one byte a second\r\n'
    end = time.time() + seconds
    last_drip = 0
    while time.time() < end:
        now = time.time()
        due = [p for p in pending if p[0] <= now]
        pending = [p for p in pending if p[0] > now]
        for _, i in due:
            s = socket.socket()
            s.setblocking(False)
            try:
                s.bind((addrs[i % sources], 0))
                s.connect_ex(('127.0.0.1', port))
            except OSError:
                s.close()
                pending.append((now + reopen, i))
                continue
            opened += 1
            socks[i] = [s, 0, now]
            sel.register(s, selectors.EVENT_READ, i)
        for key, _ in sel.select(0.05):
            i = key.data
            s = socks[i][0]
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b''
            if data:
                continue
            # closed by the server: count it, open again later
            if time.time() - socks[i][2] < 1:
                refused += 1
            sel.unregister(s)
            s.close()
            del socks[i]
            pending.append((time.time() + reopen, i))
        if time.time() - last_drip >= 1:
            last_drip = time.time()
            for i, v in list(socks.items()):
                slow = mode == 'slowloris' or (mode == 'mixed' and i % 2)
                if slow and v[1] < len(banner):
                    try:
                        v[0].send(banner[v[1]:v[1] + 1])
                        v[1] += 1
                    except OSError:
                        pass
        stats['held'] = len(socks)
        stats['opened'] = opened
        stats['refused'] = refused
    for v in socks.values():
        v[0].close()


def login(srv, key):
    t0 = time.time()
    try:
        p = subprocess.run(srv.ssh_base(key, 'tess') + ['-s', '127.0.0.1', 'hearth'],
                           input=b'{"id": 1, "op": "whoami"}\n',
                           capture_output=True, timeout=10)
        good = b'"ok": true' in p.stdout or b'"ok":true' in p.stdout
    except subprocess.TimeoutExpired:
        good = False
    return good, time.time() - t0


def run(build, args):
    harness.configure(build, False)
    cfg = {'login_grace': 30}
    cfg.update(kv.split('=', 1) for kv in args.set)
    srv = harness.Server(cfg)
    key = srv.new_member('tess')
    stats = multiprocessing.Manager().dict()
    att = multiprocessing.Process(target=attacker, args=(
        srv.port, args.conns, args.sources, args.mode, args.reopen,
        args.seconds + args.warmup, stats))
    att.start()
    time.sleep(args.warmup)
    held_at_start = stats.get('held', 0)
    results = []
    end = time.time() + args.seconds
    while time.time() < end:
        results.append(login(srv, key))
        time.sleep(args.pause)
    held_at_end = stats.get('held', 0)
    att.join()
    with open(srv.logpath, errors='replace') as f:
        log = f.read()
    srv.stop()
    n = len(results)
    fast = sum(1 for good, t in results if good and t <= 2)
    good_times = sorted(t for good, t in results if good)
    print('%s: %d/%d logins within 2 s (%.1f %%), %d failed; '
          'median %.3f s, p95 %.3f s; attacker held %d then %d, opened %d, '
          'closed within 1 s %d; log lines %d' % (
              build, fast, n, 100.0 * fast / max(n, 1),
              n - len(good_times),
              statistics.median(good_times) if good_times else float('nan'),
              good_times[int(0.95 * (len(good_times) - 1))] if good_times else float('nan'),
              held_at_start, held_at_end, stats.get('opened', 0),
              stats.get('refused', 0), log.count('\n')), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', action='append', required=True)
    ap.add_argument('--conns', type=int, default=2000)
    ap.add_argument('--sources', type=int, default=200)
    ap.add_argument('--mode', choices=('idle', 'slowloris', 'mixed'), default='mixed')
    ap.add_argument('--reopen', type=float, default=0.1,
                    help='seconds before a closed connection is opened again')
    ap.add_argument('--seconds', type=float, default=40)
    ap.add_argument('--warmup', type=float, default=5)
    ap.add_argument('--pause', type=float, default=0.2,
                    help='seconds between real logins')
    ap.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                    help='a hearthd setting for every run (repeatable)')
    args = ap.parse_args()
    if args.conns > 5000 or args.sources > 250 or args.seconds > 600:
        sys.exit('bounded: at most 5000 connections, 250 sources, 600 s')
    try:
        for b in args.build:
            run(os.path.abspath(b), args)
    finally:
        harness.cleanup(check=False)


if __name__ == '__main__':
    main()
