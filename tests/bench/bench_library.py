"""Library transfer benchmark (issue 16): upload and download of one file
(50 MiB unless --mb) over loopback with OpenSSH's own sftp client, to a
real hearthd (the file into a community's library, stored in SQLite) and
to OpenSSH's sshd with its sftp-server (the file into a temporary
directory), the same client options both ways. Each direction runs --runs
times per server; the median time is reported with MB/s and hearthd's
share of OpenSSH's throughput.

  python3 tests/bench/bench_library.py [--build build] [--mb 50] [--runs 3]
      [--json FILE]

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


def sftp_batch(port, key, user, script):
    d = tempfile.mkdtemp(prefix='hearth-bench-')
    path = os.path.join(d, 'batch')
    with open(path, 'w') as f:
        f.write(script)
    t = time.monotonic()
    p = subprocess.run(['sftp'] + SSH_OPTS + ['-P', str(port), '-i', key, '-b', path,
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
    deadline = time.time() + 10
    while not os.path.exists(d + '/sshd.pid') and time.time() < deadline:
        time.sleep(0.05)
    return proc, port


SRC_SHA = None


def main():
    global SRC_SHA
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--mb', type=int, default=50)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--json')
    a = ap.parse_args()
    harness.configure(os.path.abspath(a.build), False)
    d = tempfile.mkdtemp(prefix='hearth-bench-lib-')
    src = os.path.join(d, 'big.bin')
    data = os.urandom(a.mb * 1024 * 1024 - 1)  # under library_max_file_mb
    with open(src, 'wb') as f:
        f.write(data)
    SRC_SHA = hashlib.sha256(data).digest()
    mb = len(data) / 1e6
    res = {'mb': mb, 'runs': a.runs}
    sshd = None
    try:
        srv = harness.Server()
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
