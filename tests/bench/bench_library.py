"""Library transfer benchmark (issue 16): upload and download of one file
(50 MiB unless --mb) over loopback with OpenSSH's own sftp client, to a
real hearthd (the file into a community's library, stored in SQLite) and
to OpenSSH's sshd with its sftp-server (the file into a temporary
directory), the same client options both ways. Each direction runs --runs
times per server; the median time is reported with MB/s and hearthd's
share of OpenSSH's throughput.

  python3 tests/bench/bench_library.py [--build build] [--mb 50] [--runs 3]
      [--json FILE] [--fanout [--fanout-duration 20] [--rounds 3] [--control]
      [--client-cpus 0] [--client-nice 19] [--setting KEY=VALUE] [--rt]]

--fanout measures instead the room fan-out condition: a room of 100
members (hearth-roombench, as tests/bench/run-roombench.sh, 10 messages a
second from 10 senders) on one hearthd, its fan-out p99 first alone (the
baseline) and then while one member moves the file back and forth over
sftp (put, then get, again and again) through the whole measured time;
the second p99 should be within 20% of the first. --control adds a third
condition: the same file moved the same way through OpenSSH's sshd on this
machine (at hearthd's library_rate_mb, sftp -l), which hearthd never sees:
what the machine alone does to the room's fan-out. --rt (root) runs
hearthd's loop thread and write helpers as SCHED_FIFO, an experiment.

sshd is /usr/sbin/sshd (openssh-server) on a spare port with its own host
key and config in a temporary directory; everything runs on 127.0.0.1 and
is stopped at the end.
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import harness  # noqa: E402
from fixtures import community, people  # noqa: E402

SSH_OPTS = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o',
            'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o',
            'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR']


CPUS = {'server': None, 'client': None, 'nice': None}
SFTP_LIMIT = [0]  # --sftp-limit: sftp -l, Kbit/s


def client_pre():
    """The prefix that keeps a client program on --client-cpus, and at
    --clients-nice."""
    pre = ['taskset', '-c', CPUS['client']] if CPUS['client'] else []
    if CPUS['nice'] is not None:
        # nice -n is relative to the bench's own (often -15)
        pre += ['nice', '-n', str(CPUS['nice'] - os.nice(0))]
    return pre


def pin_server(pid):
    """Keep a server (every thread, and children it starts later) on
    --server-cpus."""
    if CPUS['server']:
        subprocess.run(['taskset', '-a', '-c', '-p', CPUS['server'], str(pid)],
                       check=True, capture_output=True)


def sftp_batch(port, key, user, script, nice=0, limit=None):
    d = tempfile.mkdtemp(prefix='hearth-bench-')
    path = os.path.join(d, 'batch')
    with open(path, 'w') as f:
        f.write(script)
    t = time.monotonic()
    # nice: the client below the servers (it would be on the member's own
    # computer; here it shares the servers' cores)
    pre = ['nice', '-n', str(nice)] if nice else []
    pre = client_pre() + pre
    pre += ['sftp']
    limit = SFTP_LIMIT[0] if limit is None else limit
    if limit:
        pre += ['-l', str(limit)]
    p = subprocess.run(pre + SSH_OPTS + ['-P', str(port), '-i', key, '-b', path,
                                                  '%s@127.0.0.1' % user],
                       capture_output=True, text=True, timeout=600)
    t = time.monotonic() - t
    shutil.rmtree(d, True)
    if p.returncode != 0:
        raise SystemExit('sftp failed: %s%s' % (p.stdout, p.stderr))
    return t


def measure(name, port, key, user, remote_dir, src, runs, mb):
    up, down = [], []
    back = src + '.back'
    for i in range(runs):
        up.append(sftp_batch(port, key, user, 'put %s %s/big.bin\n' % (src, remote_dir)))
        down.append(sftp_batch(port, key, user, 'get %s/big.bin %s\n' % (remote_dir, back)))
        with open(back, 'rb') as f:
            assert hashlib.sha256(f.read()).digest() == SRC_SHA, 'corrupt download'
        os.unlink(back)
    r = {'upload_s': statistics.median(up), 'download_s': statistics.median(down)}
    r['upload_mb_s'] = mb / r['upload_s']
    r['download_mb_s'] = mb / r['download_s']
    print('%-8s upload %6.2f s (%6.1f MB/s)   download %6.2f s (%6.1f MB/s)' % (
        name, r['upload_s'], r['upload_mb_s'], r['download_s'], r['download_mb_s']),
        flush=True)
    return r


def run_sshd(d):
    sshd = shutil.which('sshd') or '/usr/sbin/sshd'
    if not os.access(sshd, os.X_OK):
        return None, None
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d + '/host'],
                   check=True)
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d + '/user'],
                   check=True)
    shutil.copy(d + '/user.pub', d + '/authorized_keys')
    os.makedirs('/run/sshd', exist_ok=True)
    port = harness.free_port()
    server = '/usr/lib/openssh/sftp-server'
    with open(d + '/sshd_config', 'w') as f:
        f.write('\n'.join([
            'Port %d' % port, 'ListenAddress 127.0.0.1', 'HostKey %s/host' % d,
            'PidFile %s/sshd.pid' % d, 'AuthorizedKeysFile %s/authorized_keys' % d,
            'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
            'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password',
            'LogLevel ERROR', 'Subsystem sftp %s' % server, '']))
    proc = subprocess.Popen([sshd, '-D', '-f', d + '/sshd_config', '-E', d + '/sshd.log'])
    pin_server(proc.pid)
    deadline = time.time() + 10
    while not os.path.exists(d + '/sshd.pid') and time.time() < deadline:
        time.sleep(0.05)
    return proc, port


SRC_SHA = None

BENCH_CONF = """max_unauth = 2000
max_unauth_per_ip = 2000
login_grace = 60
stall_timeout = 5
"""


def start_hearthd(build, d):
    """A hearthd on d/data with the room bench's config: (proc, port)."""
    port = harness.free_port()
    cmd = [os.path.join(build, 'hearthd'), '--data', d + '/data', '--listen',
           '127.0.0.1:%d' % port, '--config', d + '/bench.conf']
    if os.getuid() == 0:
        cmd.append('--allow-root')
    out = open(d + '/hearthd.out', 'w')
    proc = subprocess.Popen(cmd, stdout=out, stderr=open(d + '/hearthd.log', 'w'))
    pin_server(proc.pid)
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit('hearthd did not start: %s' % open(d + '/hearthd.log').read())
        if '  Stop:' in open(d + '/hearthd.out').read():
            return proc, port
        time.sleep(0.1)
    raise SystemExit('hearthd did not become ready in 20 s')


def realtime(pid):
    """--rt: hearthd's loop thread and write helpers as SCHED_FIFO (an
    experiment: what the fan-out does when nothing else on the machine may
    run before them)."""
    for tid in os.listdir('/proc/%d/task' % pid):
        name = open('/proc/%d/task/%s/comm' % (pid, tid)).read().strip()
        if tid == str(pid) or name == 'hearthd-write':
            subprocess.run(['chrt', '-f', '-p', '10', tid], check=True)
            print('SCHED_FIFO: thread %s (%s)' % (tid, name), flush=True)


def roombench(build, d, port, pid, members, duration, label):
    p = subprocess.run(client_pre() + [os.path.join(build, 'tests', 'bench', 'hearth-roombench'), 'run',
                        '--port', str(port), '--keys', d + '/keys.pem', '--data',
                        d + '/data', '--pid', str(pid), '--members', str(members),
                        '--rooms', '1', '--rate', '10', '--senders', '10',
                        '--duration', str(duration), '--label', label],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise SystemExit('hearth-roombench failed (%d): %s%s' % (p.returncode, p.stdout,
                                                               p.stderr))
    res = json.loads([ln for ln in p.stdout.splitlines() if ln.startswith('{')][-1])
    fan = res.get('room_fanout') or {}
    lag = res.get('loop_lag') or {}
    print('%-9s fan-out p50 %.2f ms, p99 %.2f ms; last member p50 %.2f, p99 %.2f ms; '
          'client p99 %.2f ms over %d deliveries, %d lost; loop lag max %s ms'
          % (label, fan.get('p50_ms', -1), fan.get('p99_ms', -1),
             res.get('last_member_p50_ms', -1), res.get('last_member_p99_ms', -1),
             res['client_p99_ms'], res['received'], res['lost'],
             lag.get('max_ms', '?')), flush=True)
    return res


def hist_pct(h, p):
    """The p-th percentile (ms) of a {upper_us: count} histogram."""
    total = sum(h.values())
    if total == 0:
        return 0.0
    want, seen = max(1, int(p / 100.0 * total + 0.999999)), 0
    for up in sorted(h):
        seen += h[up]
        if seen >= want:
            return up / 1000.0
    return max(h) / 1000.0


def fanout(a, src, mb):
    """The room fan-out p99 alone and while the file moves over sftp, the two
    alternating --rounds times."""
    import sqlite3
    import threading
    build = os.path.abspath(a.build)
    d = tempfile.mkdtemp(prefix='hearth-bench-fan-')
    members = 100
    try:
        # members rb0001..rb0101 in community roombench; the last moves files
        subprocess.run([os.path.join(build, 'tests', 'bench', 'hearth-roombench'), 'keys',
                        '--count', str(members + 1), '--out', d], check=True, timeout=120,
                       capture_output=True)
        subprocess.run([os.path.join(build, 'hearthctl'), '--data', d + '/data', 'init'],
                       check=True, timeout=60, capture_output=True)
        con = sqlite3.connect(d + '/data/hearth.db')
        con.executescript(open(d + '/members.sql').read())
        con.close()
        pem = open(d + '/keys.pem').read()
        keys = ['-----BEGIN' + k for k in pem.split('-----BEGIN')[1:]]
        mover = d + '/mover'
        with open(mover, 'w') as f:
            f.write(keys[members])
        os.chmod(mover, 0o600)
        with open(d + '/bench.conf', 'w') as f:
            f.write(BENCH_CONF)
            for kv in a.setting:
                f.write(kv + '\n')
            # builds with max_startups (early drop, per-range caps): raised
            if b'max_startups' in open(os.path.join(build, 'hearthd'), 'rb').read():
                f.write('max_startups = 2000\nmax_unauth_per_range = 2000\n')
        proc, port = start_hearthd(build, d)
        if a.rt:
            realtime(proc.pid)
        try:
            res = {'members': members, 'mb': mb, 'rounds': a.rounds, 'phases': []}
            labels = ('baseline', 'transfer') + (('openssh',) if a.control else ())
            hist = dict((lb, {}) for lb in labels)
            sshd = None

            # where each condition's file goes: hearthd's library, or (the
            # control) OpenSSH's sshd on the same machine, which shares the
            # cores but not hearthd
            dest = {'transfer': (port, mover, 'rb%04d' % (members + 1), '/roombench', None)}
            moved = {'transfer': []}
            if a.control:
                sshd, sport = run_sshd(d)
                if sshd is None:
                    raise SystemExit('--control needs /usr/sbin/sshd (openssh-server)')
                user = os.environ.get('USER') or subprocess.run(
                    ['id', '-un'], capture_output=True, text=True).stdout.strip()
                os.makedirs(d + '/files')
                # at hearthd's library_rate_mb (sftp -l is in 1024 bit/s)
                rate = 120
                for kv in a.setting:
                    if kv.replace(' ', '').startswith('library_rate_mb='):
                        rate = int(kv.split('=', 1)[1])
                limit = SFTP_LIMIT[0] or int(rate * 1e6 * 8 / 1024)
                dest['openssh'] = (sport, d + '/user', user, d + '/files', limit)
                moved['openssh'] = []

            def move(stop, label):
                back = src + '.fanback'
                tport, tkey, tuser, tdir, limit = dest[label]
                while not stop.is_set():
                    t = sftp_batch(tport, tkey, tuser,
                                   'put %s %s/big.bin\nget %s/big.bin %s\n'
                                   % (src, tdir, tdir, back), nice=a.client_nice,
                                   limit=limit)
                    moved[label].append(t)
                os.path.exists(back) and os.unlink(back)

            # the two conditions alternate, so a slow minute of the machine
            # falls on both; the server's histograms are pooled per condition
            for rnd in range(a.rounds):
                for label in labels:
                    stop = threading.Event()
                    th = None
                    if label != 'baseline':
                        th = threading.Thread(target=move, args=(stop, label))
                        th.start()
                        time.sleep(1)  # the first upload under way before measuring
                    try:
                        r = roombench(build, d, port, proc.pid, members,
                                      a.fanout_duration, '%s %d' % (label, rnd + 1))
                    finally:
                        if th is not None:
                            stop.set()
                            th.join()
                    r['label'] = label
                    res['phases'].append(r)
                    for up, n in (r.get('room_fanout') or {}).get('histogram', []):
                        hist[label][up] = hist[label].get(up, 0) + n
            res['round_trips'] = len(moved['transfer'])
            for label in labels:
                ph = [r for r in res['phases'] if r['label'] == label]
                res[label] = {'room_fanout': {'count': sum(hist[label].values()),
                                              'p50_ms': hist_pct(hist[label], 50),
                                              'p99_ms': hist_pct(hist[label], 99)},
                              'last_member_p99_ms': max(r.get('last_member_p99_ms', 0)
                                                        for r in ph),
                              'client_p99_ms': max(r['client_p99_ms'] for r in ph),
                              'loop_lag_max_ms': max((r.get('loop_lag') or {}).get('max_ms', 0)
                                                     for r in ph)}
            base = res['baseline']['room_fanout']['p99_ms']
            with_t = res['transfer']['room_fanout']['p99_ms']
            res['fanout_p99_ratio'] = with_t / base if base > 0 else None
            cb, ct = res['baseline']['client_p99_ms'], res['transfer']['client_p99_ms']
            print('pooled over %d rounds (%d and %d lines): fan-out p50 %.2f / %.2f ms'
                  % (a.rounds, res['baseline']['room_fanout']['count'],
                     res['transfer']['room_fanout']['count'],
                     res['baseline']['room_fanout']['p50_ms'],
                     res['transfer']['room_fanout']['p50_ms']), flush=True)
            print('fan-out p99: %.2f ms alone, %.2f ms with the transfer (%.2fx); '
                  'worst phase\'s client p99 %.2f -> %.2f ms; loop lag max %.1f / %.1f ms; '
                  '%d sftp round trips of %.1f MB, each %.1f s'
                  % (base, with_t, res['fanout_p99_ratio'] or 0, cb, ct,
                     res['baseline']['loop_lag_max_ms'], res['transfer']['loop_lag_max_ms'],
                     len(moved['transfer']), mb, statistics.median(moved['transfer'])
                     if moved['transfer'] else 0), flush=True)
            if a.control:
                oc = res['openssh']['room_fanout']['p99_ms']
                res['control_p99_ratio'] = oc / base if base > 0 else None
                res['control_round_trips'] = len(moved['openssh'])
                print('control: the same file through OpenSSH\'s sshd instead: fan-out p99 '
                      '%.2f ms (%.2fx alone); %d round trips, each %.1f s'
                      % (oc, res['control_p99_ratio'] or 0, len(moved['openssh']),
                         statistics.median(moved['openssh']) if moved['openssh'] else 0),
                      flush=True)
            print('within 20%%: %s' % ('yes' if (res['fanout_p99_ratio'] or 9) <= 1.2
                                       else 'NO'), flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if sshd is not None:
                sshd.terminate()
                sshd.wait()
        return res
    finally:
        if a.keep:
            print('kept %s (hearthd.log there)' % d, flush=True)
        else:
            shutil.rmtree(d, True)


def main():
    global SRC_SHA
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--mb', type=int, default=50)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--json')
    ap.add_argument('--fanout', action='store_true')
    ap.add_argument('--fanout-duration', type=int, default=20)
    ap.add_argument('--client-nice', type=int, default=0,
                    help='--fanout: run the sftp client at this nice (it would be on '
                    'the member\'s own computer; here it takes the servers\' cores)')
    ap.add_argument('--clients-nice', type=int,
                    help='--fanout: run every client (the sftp client and the 100 '
                    'members\' client) at this nice value, absolute: they would be on '
                    'other computers; here they take the servers\' cores')
    ap.add_argument('--sftp-limit', type=int, default=0, metavar='KBIT',
                    help='--fanout: the moving sftp client\'s own limit (sftp -l, '
                    'Kbit/s; 800000 is 100 MB/s)')
    ap.add_argument('--setting', action='append', default=[], metavar='KEY=VALUE',
                    help='a line added to hearthd\'s configuration '
                    '(thread_hints=off, library_rate_mb=0 to compare)')
    ap.add_argument('--rounds', type=int, default=3,
                    help='--fanout: alternate the two conditions this many times, '
                    '--fanout-duration seconds each, and pool them')
    ap.add_argument('--server-cpus', help='taskset list for hearthd (and OpenSSH\'s sshd)')
    ap.add_argument('--client-cpus', help='taskset list for the sftp client and the '
                    '100 members\' client (they would be on other computers)')
    ap.add_argument('--control', action='store_true',
                    help='--fanout: a third condition, the same file moved through '
                    'OpenSSH\'s sshd on this machine instead of hearthd (what the '
                    'machine alone does to the fan-out)')
    ap.add_argument('--rt', action='store_true',
                    help='--fanout: hearthd\'s loop thread and write helpers '
                    'SCHED_FIFO (needs root; an experiment)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the fan-out run\'s directory (its hearthd.log)')
    a = ap.parse_args()
    CPUS['server'], CPUS['client'] = a.server_cpus, a.client_cpus
    CPUS['nice'] = a.clients_nice
    SFTP_LIMIT[0] = a.sftp_limit
    if a.clients_nice is not None and a.client_nice:
        ap.error('--client-nice (the sftp client, relative) or --clients-nice, not both')
    harness.configure(os.path.abspath(a.build), False)
    d = tempfile.mkdtemp(prefix='hearth-bench-lib-')
    src = os.path.join(d, 'big.bin')
    data = os.urandom(a.mb * 1024 * 1024 - 1)  # under library_max_file_mb
    with open(src, 'wb') as f:
        f.write(data)
    SRC_SHA = hashlib.sha256(data).digest()
    mb = len(data) / 1e6
    res = {'mb': mb, 'runs': a.runs}
    if a.fanout:
        try:
            res = fanout(a, src, mb)
        finally:
            shutil.rmtree(d, True)
        if a.json:
            with open(a.json, 'w') as f:
                json.dump(res, f, indent=2)
        return
    sshd = None
    try:
        srv = harness.Server(dict(kv.split('=', 1) for kv in a.setting))
        pin_server(srv.proc.pid)
        keys = people(srv, 'pat')
        community(srv, 'students', members=[('pat', 'member')])
        print('hearthd %d, sftp to /students (SQLite, synchronous FULL)' %
              srv.proc.pid, flush=True)
        res['hearthd'] = measure('hearthd', srv.port, keys['pat'].path, 'pat',
                                 '/students', src, a.runs, mb)
        sshd, port = run_sshd(d)
        if sshd is None:
            res['openssh'] = {'skipped': 'no sshd (apt-get install openssh-server)'}
        else:
            user = os.environ.get('USER') or subprocess.run(
                ['id', '-un'], capture_output=True, text=True).stdout.strip()
            os.makedirs(d + '/files')
            res['openssh'] = measure('openssh', port, d + '/user', user, d + '/files',
                                     src, a.runs, mb)
            for k in ('upload_mb_s', 'download_mb_s'):
                res['ratio_' + k.split('_')[0]] = res['hearthd'][k] / res['openssh'][k]
            print('hearthd / openssh: upload %.2f, download %.2f' % (
                res['ratio_upload'], res['ratio_download']), flush=True)
    finally:
        if sshd is not None:
            sshd.terminate()
            sshd.wait()
        harness.cleanup()
        shutil.rmtree(d, True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(res, f, indent=2)


if __name__ == '__main__':
    main()
