#!/usr/bin/env python3
"""Terminal logins at scale (issue 11; docs/performance.md, "Terminal logins
at scale"). Starts a real hearthd (caps on handshakes and on one member's
sessions lifted, as run-loadgen.sh does), opens N real `ssh -tt` terminal
logins of one member in waves, each on its own pty read from here, and
measures:
  - from starting ssh to Home drawn (the community name on the screen):
    p50/p95/p99 while logging in waves, and one at a time with N held;
  - with all N idle on Home: PSS (/proc/PID/smaps_rollup) of hearthd and
    every process below it (TUI children, a spawner if there is one; not
    the ssh clients), per member; hearthd's descriptors per member; hearthd
    CPU and TUI-child CPU per login;
  - the same PSS per connection for OpenSSH's sshd (/usr/sbin/sshd from
    openssh-server, on a spare port with its own host key and config in a
    temporary directory, ForceCommand a shell that execs cat), with
    --sshd-conns connections (0: skip).

  python3 tests/bench/bench_tui_scale.py [--build build] [--members 1000]
      [--wave 20] [--serial 50] [--sshd-conns 200] [--tui PATH] [--json FILE]

Runs as any user; raise the open-file limit first for large N (this
process holds a pty per session; as root it raises its own to the hard
limit). Everything runs on 127.0.0.1 and is stopped at the end.
"""
import argparse
import fcntl
import json
import os
import re
import resource
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import harness  # noqa: E402

COMMUNITY = 'Benchmark Commons'     # Home shows it once community.list answers


# ---- /proc ----

def ppid_map():
    kids = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            stat = open('/proc/%s/stat' % d).read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def descendants(root):
    """root's descendants (not root)."""
    kids = ppid_map()
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def rollup(pid):
    """smaps_rollup fields in kB ({} if the process is gone)."""
    try:
        text = open('/proc/%d/smaps_rollup' % pid).read()
    except OSError:
        return {}
    return {k: int(v) for k, v in re.findall(r'^(\w+):\s+(\d+) kB', text, re.M)}


def cpu_s(pid):
    """CPU time used, in seconds (schedstat: nanoseconds, not 10 ms ticks)."""
    try:
        return int(open('/proc/%d/schedstat' % pid).read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def nfds(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def comm(pid):
    try:
        return open('/proc/%d/comm' % pid).read().strip()
    except OSError:
        return '?'


def tree_memory(root, tui=None):
    """PSS and private memory of root and everything below it, in kB; the
    per-child medians are of the TUI children (named as tui) only, not of a
    spawner or other helper process, which is in the totals."""
    procs = [root] + descendants(root)
    r = {p: rollup(p) for p in procs}
    kids = [p for p in procs[1:] if r[p]]
    name = os.path.basename(tui)[:15] if tui else None
    tuis = [p for p in kids if name is None or comm(p) == name]

    def median(f):
        return statistics.median([f(r[p]) for p in tuis]) if tuis else 0
    return {
        'root_pss': r[root].get('Pss', 0),
        'children': len(kids),
        'tui_children': len(tuis),
        'children_pss': sum(r[p].get('Pss', 0) for p in kids),
        'other_pss': sum(r[p].get('Pss', 0) for p in kids if p not in tuis),
        'child_pss_median': median(lambda v: v.get('Pss', 0)),
        'child_private_median': median(
            lambda v: v.get('Private_Clean', 0) + v.get('Private_Dirty', 0)),
        'child_rss_median': median(lambda v: v.get('Rss', 0)),
        'total_pss': sum(v.get('Pss', 0) for v in r.values()),
        'kinds': sorted(set(comm(p) for p in kids)),
        'pids': tuis,
    }


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float('nan')
    i = min(len(xs) - 1, max(0, int(round(q / 100.0 * len(xs) + 0.5)) - 1))
    return xs[i]


# ---- terminals ----

class Term:
    """One `ssh -tt` with its terminal a pty whose master we read."""

    def __init__(self, cmd, mark, cols=80, rows=24):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        env = dict(os.environ, TERM='xterm-256color', LANG='C.UTF-8')
        self.mark = mark
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, env=env)
        os.close(slave)
        os.set_blocking(master, False)
        self.fd = master
        self.tail = b''
        self.head = b''     # the first bytes, to say why a login failed
        self.seen = 0
        self.drawn = None

    def pump(self):
        """Read what is there; True if ssh's side is gone."""
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return False
        except OSError:
            return True
        if not data:
            return True
        self.seen += len(data)
        if len(self.head) < 65536:
            self.head += data
        if self.drawn is None:
            self.tail = (self.tail + data)[-(len(self.mark) + 65536):]
            if self.mark in self.tail:
                self.drawn = time.perf_counter() - self.t0
            else:
                self.tail = self.tail[-len(self.mark):]
        return False

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            os.close(self.fd)
        except OSError:
            pass


class Terms:
    def __init__(self):
        self.all = []
        self.poll = select.poll()
        self.by_fd = {}

    def add(self, t):
        self.all.append(t)
        self.by_fd[t.fd] = t
        self.poll.register(t.fd, select.POLLIN)

    def pump(self, timeout_ms):
        gone = []
        for fd, _ in self.poll.poll(timeout_ms):
            t = self.by_fd.get(fd)
            if t is not None and t.pump():
                self.poll.unregister(fd)
                del self.by_fd[fd]
                gone.append(t)
        return gone

    def wait_drawn(self, ts, timeout):
        deadline = time.time() + timeout
        while any(t.drawn is None for t in ts):
            if time.time() > deadline:
                bad = [t for t in ts if t.drawn is None]
                print('bench: what one of them printed:\n%r' % bad[0].head[-3000:])
                raise SystemExit('bench: %d of %d logins not on Home after %d s '
                                 '(ssh exit codes %s)' % (
                                     len(bad), len(ts), timeout,
                                     sorted(set(str(t.proc.poll()) for t in bad))))
            for t in self.pump(100):
                if t.drawn is None and t in ts:
                    raise SystemExit('bench: a login ended before Home (ssh exit %s)'
                                     % t.proc.wait())

    def quiet(self, secs, pid, timeout=60):
        """Until, for secs, no terminal printed and pid used under 2 % of a
        CPU (its timers tick even when nothing happens)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            out, c, since = sum(t.seen for t in self.all), cpu_s(pid), time.time()
            while time.time() - since < secs:
                self.pump(100)
            if sum(t.seen for t in self.all) == out and cpu_s(pid) - c < 0.02 * secs:
                return
        print('bench: not quiet after %d s; measuring anyway' % timeout)

    def close(self):
        for t in self.all:
            t.close()
        for t in self.all:
            try:
                t.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                t.proc.kill()
                t.proc.wait()
        self.all = []


def open_waves(terms, make_cmd, n, wave, mark):
    """Open n logins, wave at a time; each wave all on Home before the next."""
    opened = []
    for start in range(0, n, wave):
        batch = [Term(make_cmd(), mark) for _ in range(min(wave, n - start))]
        for t in batch:
            terms.add(t)
        terms.wait_drawn(batch, 120)
        opened += batch
        if (start // wave) % 10 == 9:
            print('  %d open' % len(opened), flush=True)
    return [t.drawn for t in opened]


def open_serial(terms, make_cmd, n, mark):
    times = []
    for _ in range(n):
        t = Term(make_cmd(), mark)
        terms.add(t)
        terms.wait_drawn([t], 60)
        times.append(t.drawn)
    return times


def lat(xs):
    ms = [x * 1000 for x in xs]
    return {'n': len(ms), 'p50': pct(ms, 50), 'p95': pct(ms, 95), 'p99': pct(ms, 99),
            'max': max(ms)}


def fmt_lat(d):
    return 'p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms (%d logins)' % (
        d['p50'], d['p95'], d['p99'], d['max'], d['n'])


# ---- hearthd ----

def make_members(srv, n):
    """n members bench0..bench(n-1), each past the code of conduct and in
    the community; their keys. Four at a time (hearthd lets five newcomers
    in at once from one address)."""
    from concurrent.futures import ThreadPoolExecutor
    from harness import Key
    keys = [Key('bench%d' % i) for i in range(n)]

    def one(i):
        handle = 'bench%d' % i
        inv = srv.ctl('invite', 'create', '--name', handle)
        s = srv.session(keys[i], 'join')
        r = s.call('invite.redeem', code=inv['code'], handle=handle,
                   display_name='Bench %d' % i)
        assert r['ok'], r
        s.close()
        s = srv.session(keys[i], handle)
        assert s.call('member.accept_coc')['ok']
        r = s.call('community.join', slug='bench')
        assert r['ok'], r
        s.close()
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(one, range(n)))
    return keys


def bench_hearthd(a):
    build = os.path.abspath(a.build)
    harness.configure(build, False)
    binary = open(os.path.join(build, 'hearthd'), 'rb').read()
    cfg = {'max_unauth': 2000, 'max_unauth_per_ip': 2000, 'login_grace': 60}
    if b'max_startups' in binary:
        cfg.update({'max_startups': 2000, 'max_unauth_per_range': 2000})
    if b'max_sessions_per_member' in binary:
        cfg['max_sessions_per_member'] = 0
    if a.tui:
        cfg['tui'] = os.path.abspath(a.tui)
    srv = harness.Server(cfg)
    res = {'build': build}
    terms = Terms()
    try:
        srv.ctl('community', 'create', 'bench', '--name', COMMUNITY,
                '--visibility', 'platform', '--join-policy', 'open')
        # every operation has a per-member rate budget (a burst of 200):
        # spread the logins over members, per_member each
        nm = max(1, (a.members + a.serial + a.per_member - 1) // a.per_member)
        print('making %d members' % nm, flush=True)
        keys = make_members(srv, nm)
        tui = re.findall(r'terminal logins start (\S+)', open(srv.logpath).read())
        res['tui'] = tui[-1] if tui else '?'
        pid = srv.proc.pid
        cmds = [srv.ssh_base(k, 'bench%d' % i) + ['-tt', '127.0.0.1']
                for i, k in enumerate(keys)]
        nth = iter(range(10 ** 9))

        def cmd_fn():
            return cmds[next(nth) % len(cmds)]
        mark = COMMUNITY.encode()

        # one login first: the binary's pages are in the page cache, and
        # one idle child's own figures
        first = open_serial(terms, cmd_fn, 1, mark)
        terms.quiet(1.0, pid)
        one = tree_memory(pid, res['tui'])
        res['one'] = {'child_pss': one['child_pss_median'], 'child_private': one['child_private_median'],
                      'child_rss': one['child_rss_median'], 'first_login_ms': first[0] * 1000}
        if one['pids']:
            maps = open('/proc/%d/maps' % one['pids'][-1]).read()
            res['one']['maps_libssh'] = 'libssh' in maps
            res['one']['shared_objects'] = len(set(
                m for m in re.findall(r'(\S+\.so[.\d]*)\s*$', maps, re.M)))
        terms.close()
        deadline = time.time() + 30
        while descendants(pid) and time.time() < deadline:
            time.sleep(0.1)
        terms = Terms()
        time.sleep(1)

        base = tree_memory(pid, res['tui'])
        base_fds = nfds(pid)
        cpu0 = cpu_s(pid)
        t0 = time.time()
        print('hearthd %d (%s): opening %d terminal logins, %d at a time' % (
            pid, res['tui'], a.members, a.wave), flush=True)
        waves = open_waves(terms, cmd_fn, a.members, a.wave, mark)
        wall = time.time() - t0
        cpu1 = cpu_s(pid)
        terms.quiet(2.0, pid)
        m = tree_memory(pid, res['tui'])
        fds = nfds(pid)
        kid_cpu = sum(cpu_s(p) for p in m['pids'])     # the TUI children's
        n = a.members
        res.update({
            'members': n, 'wave': a.wave, 'member_accounts': nm,
            'login_waves': lat(waves),
            'open_wall_s': wall,
            'hearthd_pss_idle': base['root_pss'],
            'hearthd_pss': m['root_pss'],
            'children': m['children'], 'child_kinds': m['kinds'],
            'tui_children': m['tui_children'],
            'children_pss': m['children_pss'],
            'other_pss': m['other_pss'],
            'child_pss_median': m['child_pss_median'],
            'child_private_median': m['child_private_median'],
            'child_rss_median': m['child_rss_median'],
            'total_pss': m['total_pss'],
            'pss_per_member': m['total_pss'] / n,
            'pss_per_member_added': (m['total_pss'] - base['total_pss']) / n,
            'hearthd_pss_per_member_added': (m['root_pss'] - base['root_pss']) / n,
            'fds_per_member': (fds - base_fds) / n,
            'hearthd_cpu_ms_per_login': (cpu1 - cpu0) * 1000 / n,
            'child_cpu_ms_per_login': kid_cpu * 1000 / max(1, m['tui_children']),
        })
        if a.serial:
            print('  %d more, one at a time, with %d held' % (a.serial, n), flush=True)
            res['login_serial'] = lat(open_serial(terms, cmd_fn, a.serial, mark))
        res['load'] = os.getloadavg()
    finally:
        terms.close()
        harness.cleanup(check=False)
    return res


# ---- OpenSSH sshd ----

def bench_sshd(a):
    sshd = shutil.which('sshd') or '/usr/sbin/sshd'
    if not os.access(sshd, os.X_OK):
        return {'skipped': 'no %s (apt-get install openssh-server, or make bench-tui)' % sshd}
    d = tempfile.mkdtemp(prefix='hearth-sshd-')
    res = {'conns': a.sshd_conns}
    proc = None
    terms = Terms()
    try:
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d + '/host'], check=True)
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d + '/user'], check=True)
        shutil.copy(d + '/user.pub', d + '/authorized_keys')
        os.makedirs('/run/sshd', exist_ok=True)    # its privilege-separation directory
        port = harness.free_port()
        user = os.environ.get('USER') or subprocess.run(['id', '-un'], capture_output=True,
                                                        text=True).stdout.strip()
        with open(d + '/sshd_config', 'w') as f:
            f.write('\n'.join([
                'Port %d' % port, 'ListenAddress 127.0.0.1', 'HostKey %s/host' % d,
                'PidFile %s/sshd.pid' % d, 'AuthorizedKeysFile %s/authorized_keys' % d,
                'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
                'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password',
                'MaxStartups 2000', 'LogLevel ERROR', 'PrintMotd no', 'PrintLastLog no',
                'ForceCommand echo sshd-ready; exec cat', '']))
        proc = subprocess.Popen([sshd, '-D', '-f', d + '/sshd_config', '-E', d + '/sshd.log'])
        deadline = time.time() + 10
        while not os.path.exists(d + '/sshd.pid') and time.time() < deadline:
            time.sleep(0.05)
        cmd = ['ssh', '-F', '/dev/null', '-p', str(port), '-o', 'StrictHostKeyChecking=no',
               '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes',
               '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
               '-i', d + '/user', '-l', user, '-tt', '127.0.0.1']
        open_serial(terms, lambda: cmd, 1, b'sshd-ready')
        terms.close()
        terms = Terms()
        deadline = time.time() + 20
        while descendants(proc.pid) and time.time() < deadline:
            time.sleep(0.1)
        base = tree_memory(proc.pid)
        print('sshd %d: opening %d connections (ssh -tt, ForceCommand cat)' % (
            proc.pid, a.sshd_conns), flush=True)
        waves = open_waves(terms, lambda: cmd, a.sshd_conns, a.wave, b'sshd-ready')
        terms.quiet(2.0, proc.pid)
        m = tree_memory(proc.pid)
        res.update({
            'login_waves': lat(waves),
            'processes': m['children'], 'kinds': m['kinds'],
            'total_pss': m['total_pss'],
            'pss_per_conn': m['total_pss'] / a.sshd_conns,
            'pss_per_conn_added': (m['total_pss'] - base['total_pss']) / a.sshd_conns,
            'version': subprocess.run(['ssh', '-V'], capture_output=True,
                                      text=True).stderr.strip(),
        })
    finally:
        terms.close()
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(d, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('--members', type=int, default=1000, help='terminal logins held')
    ap.add_argument('--wave', type=int, default=20, help='logins started at once')
    ap.add_argument('--serial', type=int, default=50,
                    help='then this many more, one at a time (0: none)')
    ap.add_argument('--sshd-conns', type=int, default=200,
                    help='connections to OpenSSH sshd (0: skip it)')
    ap.add_argument('--per-member', type=int, default=10,
                    help='logins per member account (each has a request budget)')
    ap.add_argument('--tui', help='the TUI program hearthd starts (default: its own)')
    ap.add_argument('--json', help='also write the figures here')
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    need = 2 * (a.members + a.serial) + 100
    if hard < need:
        raise SystemExit('bench: open-file limit %d; %d needed (ulimit -n)' % (hard, need))

    out = {'machine': {'cpus': os.cpu_count(), 'load_before': os.getloadavg()}}
    out['hearthd'] = h = bench_hearthd(a)
    print()
    print('hearthd, %d terminal logins (%s):' % (h['members'], h['tui']))
    print('  one idle child on Home: PSS %d kB, private %d kB, RSS %d kB, libssh mapped: %s'
          % (h['one']['child_pss'], h['one']['child_private'], h['one']['child_rss'],
             h['one'].get('maps_libssh')))
    print('  Home drawn from ssh start, %d at a time: %s' % (h['wave'], fmt_lat(h['login_waves'])))
    if 'login_serial' in h:
        print('  Home drawn, one at a time with %d held: %s' % (h['members'], fmt_lat(h['login_serial'])))
    print('  PSS: hearthd %d kB (%d kB idle), %d processes below it (%s) %d kB (a TUI child:'
          ' median %d kB; %d kB in the others)'
          % (h['hearthd_pss'], h['hearthd_pss_idle'], h['children'], ' '.join(h['child_kinds']),
             h['children_pss'], h['child_pss_median'], h['other_pss']))
    print('  per member: %.1f kB PSS (hearthd plus children / N); %.1f kB added over idle'
          ' (hearthd %.1f kB of it)' % (h['pss_per_member'], h['pss_per_member_added'],
                                        h['hearthd_pss_per_member_added']))
    print('  hearthd descriptors per member %.2f; CPU per login: hearthd %.2f ms, child %.2f ms'
          % (h['fds_per_member'], h['hearthd_cpu_ms_per_login'], h['child_cpu_ms_per_login']))
    print('  opening took %.1f s; load average after %s' % (h['open_wall_s'], h['load']))
    if a.sshd_conns:
        out['sshd'] = s = bench_sshd(a)
        print()
        if 'skipped' in s:
            print('sshd: skipped: %s' % s['skipped'])
        else:
            print('OpenSSH sshd (%s), %d connections (ssh -tt, ForceCommand cat):' % (
                s['version'], s['conns']))
            print('  PSS %d kB in %d processes (%s): %.1f kB per connection (%.1f kB added)'
                  % (s['total_pss'], s['processes'], ' '.join(s['kinds']), s['pss_per_conn'],
                     s['pss_per_conn_added']))
            print('  shell prompt from ssh start: %s' % fmt_lat(s['login_waves']))
    out['machine']['load_after'] = os.getloadavg()
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
