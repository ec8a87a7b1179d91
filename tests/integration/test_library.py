"""Each community's library over SFTP (issue 16), driven with OpenSSH's own
`sftp -b` and `scp` (SFTP mode) against a real hearthd: uploads and
downloads round trip byte for byte, re-uploads make versions, a private
community does not exist for a non-member, hostile paths and packets get
an error and never a crash or a partial document."""
import hashlib
import os
import signal
import socket
import struct
import subprocess
import time

from fixtures import community, people, wait_until
from harness import Server, tmpdir


def sftp_cmd(srv, key, handle):
    base = srv.ssh_base(key, handle)
    # ssh_base is ['ssh', opts..., '-p', port, ..., '-i', key, '-l', user]
    opts = []
    it = iter(base[1:])
    for a in it:
        if a == '-p':
            opts += ['-P', next(it)]
        elif a == '-l':
            next(it)
        elif a in ('-F', '-o', '-i'):
            opts += [a, next(it)]
        else:
            opts.append(a)
    return opts


def sftp(srv, key, handle, script, check=True, timeout=60):
    """Run an sftp -b batch; returns (rc, stdout + stderr)."""
    path = os.path.join(tmpdir(), 'batch')
    with open(path, 'w') as f:
        f.write(script)
    p = subprocess.run(['sftp'] + sftp_cmd(srv, key, handle) +
                       ['-b', path, '%s@127.0.0.1' % handle],
                       capture_output=True, text=True, timeout=timeout)
    out = p.stdout + p.stderr
    if check:
        assert p.returncode == 0, out
    return p.returncode, out


def scp(srv, key, handle, *args, check=True, timeout=60):
    p = subprocess.run(['scp', '-s'] + sftp_cmd(srv, key, handle) + list(args),
                       capture_output=True, text=True, timeout=timeout)
    if check:
        assert p.returncode == 0, p.stdout + p.stderr
    return p.returncode, p.stdout + p.stderr


def remote(handle, path):
    return '%s@127.0.0.1:%s' % (handle, path)


def blob(n, seed=1):
    """n bytes that are not all alike."""
    out = bytearray()
    h = hashlib.sha256(b'%d' % seed).digest()
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)
    return path


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def docs(srv, slug):
    return srv.query("SELECT d.name, count(v.id) FROM library_documents d "
                     "JOIN communities c ON c.id = d.community_id LEFT JOIN "
                     "library_versions v ON v.document_id = d.id WHERE c.slug = ? "
                     "AND d.deleted_at IS NULL GROUP BY d.id ORDER BY d.name", slug)


def setup(**cfg):
    srv = Server(cfg)
    keys = people(srv, 'pat', 'sam', 'ola')
    community(srv, 'students', visibility='platform',
              members=[('pat', 'member'), ('ola', 'manager')])
    community(srv, 'secret', visibility='private', members=[('pat', 'member')])
    return srv, keys


def test_put_get_round_trip_with_checksum():
    srv, keys = setup()
    d = tmpdir()
    data = blob(3 * 256 * 1024 + 12345)  # several chunks and a short one
    src = write(os.path.join(d, 'notes.pdf'), data)
    scp(srv, keys['pat'], 'pat', src, remote('pat', '/students/'))
    assert docs(srv, 'students') == [('notes.pdf', 1)]
    back = os.path.join(d, 'back.pdf')
    scp(srv, keys['pat'], 'pat', remote('pat', '/students/notes.pdf'), back)
    assert sha(back) == hashlib.sha256(data).hexdigest()
    # chunks of at most 256 KiB, one stored copy
    assert srv.query('SELECT max(length(data)) FROM library_chunks')[0][0] <= 256 * 1024
    assert srv.query('SELECT count(*) FROM library_blobs')[0][0] == 1
    # a member reads it with sftp too, relative to the community
    out = os.path.join(d, 'viasftp')
    sftp(srv, keys['sam'], 'sam', 'cd students\nget notes.pdf %s\n' % out)
    assert sha(out) == sha(back)


def test_ls_mkdir_rename_rm_and_versions():
    srv, keys = setup()
    d = tmpdir()
    a = write(os.path.join(d, 'plan.md'), b'# Plan\n\nfirst\n')
    b = write(os.path.join(d, 'plan2.md'), b'# Plan\n\nsecond, longer\n')
    sftp(srv, keys['pat'], 'pat',
         'mkdir /students/term1\n'
         'put %s /students/term1/plan.md\n'
         'put %s /students/term1/plan.md\n' % (a, b))
    # uploading over a name made a second version; the newest is read
    assert docs(srv, 'students') == [('plan.md', 2)]
    out = os.path.join(d, 'got.md')
    sftp(srv, keys['pat'], 'pat', 'get /students/term1/plan.md %s\n' % out)
    assert open(out, 'rb').read() == b'# Plan\n\nsecond, longer\n'
    v = srv.query('SELECT version, size FROM library_versions ORDER BY version')
    assert v == [(1, 14), (2, 23)]
    _, ls = sftp(srv, keys['pat'], 'pat', 'ls -l /students/term1\nls /\n')
    assert 'plan.md' in ls and '23' in ls
    assert 'students' in ls and 'secret' in ls
    sftp(srv, keys['pat'], 'pat',
         'rename /students/term1/plan.md /students/term1/final.md\n'
         'rename /students/term1 /students/spring\n')
    _, ls = sftp(srv, keys['pat'], 'pat', 'ls /students/spring\n')
    assert 'final.md' in ls and 'plan.md' not in ls
    # someone else's document: only its uploader or a manager removes it
    rc, out = sftp(srv, keys['sam'], 'sam', 'rm /students/spring/final.md\n',
                   check=False)
    assert rc != 0 and 'ermission denied' in out, out
    # the uploader removes it (into the bin), then the empty folder
    sftp(srv, keys['pat'], 'pat', 'rm /students/spring/final.md\n'
         'rmdir /students/spring\n')
    assert docs(srv, 'students') == []
    assert srv.query('SELECT count(*) FROM library_documents WHERE '
                     'deleted_at IS NOT NULL')[0][0] == 1
    assert srv.query('SELECT count(*) FROM library_folders')[0][0] == 0


def test_private_community_is_no_such_file_for_a_non_member():
    srv, keys = setup()
    d = tmpdir()
    src = write(os.path.join(d, 'minutes.txt'), b'private minutes\n')
    sftp(srv, keys['pat'], 'pat', 'put %s /secret/minutes.txt\n' % src)
    assert docs(srv, 'secret') == [('minutes.txt', 1)]
    # the member sees it; sam does not even see the community
    _, ls = sftp(srv, keys['sam'], 'sam', 'ls /\n')
    assert 'students' in ls and 'secret' not in ls
    errs = {}
    for path in ('/secret/minutes.txt', '/secret', '/nothere/minutes.txt',
                 '/students/minutes.txt', '/students/../secret/minutes.txt'):
        rc, out = sftp(srv, keys['sam'], 'sam', 'get %s %s\n' %
                       (path, os.path.join(d, 'x')), check=False)
        assert rc != 0
        errs[path] = out.replace(path, 'PATH')
        assert not os.path.exists(os.path.join(d, 'x'))
    # exactly the same answer as for a path that does not exist
    assert len(set(errs.values())) == 1, errs
    assert 'not found' in errs['/secret'], errs
    rc, out = sftp(srv, keys['sam'], 'sam', 'ls /secret\n', check=False)
    assert rc != 0 and 'not found' in out, out
    rc, out = scp(srv, keys['sam'], 'sam', src, remote('sam', '/secret/'),
                  check=False)
    assert rc != 0
    assert docs(srv, 'secret') == [('minutes.txt', 1)]


def test_size_limit_said_and_nothing_kept():
    srv, keys = setup(library_max_file_mb=1)
    d = tmpdir()
    big = write(os.path.join(d, 'big.bin'), blob(1024 * 1024 + 1))
    rc, out = scp(srv, keys['pat'], 'pat', big, remote('pat', '/students/'),
                  check=False)
    assert rc != 0
    assert 'library_max_file_mb' in out or 'too large' in out, out
    assert docs(srv, 'students') == []
    wait_until(lambda: srv.query('SELECT count(*) FROM library_blobs')[0][0] == 0,
               what='the refused upload dropped')
    ok = write(os.path.join(d, 'ok.bin'), blob(1024 * 1024))
    scp(srv, keys['pat'], 'pat', ok, remote('pat', '/students/'))
    assert docs(srv, 'students') == [('ok.bin', 1)]
