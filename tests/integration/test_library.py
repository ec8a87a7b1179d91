"""Each community's library over SFTP (issue 16), driven with OpenSSH's own
`sftp -b` and `scp` (SFTP mode) against a real hearthd: uploads and
downloads round trip byte for byte, re-uploads make versions, a private
community does not exist for a non-member, hostile paths and packets get
an error and never a crash or a partial document."""
import hashlib
import json
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
    community(srv, 'secret', visibility='private', members=[('pat', 'member')],
              name='Zeta circle')
    return srv, keys


def open_library_tab(t):
    """From Home (Students first): the community's Library tab."""
    t.wait_for('STUDENTS', timeout=15)
    t.keys('Enter')
    t.wait_for('0 Library')
    t.keys('0')


def open_plain_library(t):
    """The line mode, from its main menu: Students' library."""
    t.wait_for('Main menu', timeout=15)
    t.keys('1', 'Enter')
    t.wait_for('STUDENTS')
    t.keys('1', 'Enter')
    t.wait_for('l library')
    t.keys('l', 'Enter')


def test_put_get_round_trip_with_checksum():
    srv, keys = setup()
    d = tmpdir()
    data = blob(3 * 256 * 1024 + 12345)  # several chunks and a short one
    src = write(os.path.join(d, 'notes.pdf'), data)
    rc, out = scp(srv, keys['pat'], 'pat', src, remote('pat', '/students/'))
    # scp sets the size it wrote (fsetstat) after writing: taken quietly
    assert out == '', out
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


# ---- a raw SFTP client, for what OpenSSH's would never send ----

class Raw:
    """SFTP packets over `ssh -s sftp`, written and read as they are."""

    def __init__(self, srv, key, handle):
        self.p = subprocess.Popen(srv.ssh_base(key, handle) +
                                  ['-s', '127.0.0.1', 'sftp'],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.next = 1
        self.write(pkt(1, struct.pack('>I', 3)))
        t, body = self.recv()
        assert t == 2 and struct.unpack('>I', body[:4])[0] == 3

    def write(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def read(self, n):
        out = b''
        while len(out) < n:
            chunk = self.p.stdout.read(n - len(out))
            if not chunk:
                return None
            out += chunk
        return out

    def recv(self):
        head = self.read(4)
        if head is None:
            return None, None
        body = self.read(struct.unpack('>I', head)[0])
        return body[0], body[1:]

    def req(self, typ, payload):
        """One request (id first); returns its id."""
        rid = self.next
        self.next += 1
        self.write(pkt(typ, struct.pack('>I', rid) + payload))
        return rid

    def status(self):
        t, body = self.recv()
        assert t == 101, (t, body)
        rid, code = struct.unpack('>II', body[:8])
        n = struct.unpack('>I', body[8:12])[0]
        return rid, code, body[12:12 + n].decode()

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait(timeout=10)


def pkt(typ, payload):
    return struct.pack('>IB', len(payload) + 1, typ) + payload


def s(text):
    text = text.encode() if isinstance(text, str) else text
    return struct.pack('>I', len(text)) + text


OPEN, CLOSE, WRITE, OPENDIR, MKDIR, STAT, SYMLINK, SETSTAT = 3, 4, 6, 11, 14, 17, 20, 9
OK, EOF, NOFILE, DENIED, FAILURE, BADMSG, UNSUPPORTED = 0, 1, 2, 3, 4, 5, 8
WRITE_CREAT_TRUNC = 0x02 | 0x08 | 0x10


def open_write(r, path):
    r.req(OPEN, s(path) + struct.pack('>II', WRITE_CREAT_TRUNC, 0))
    t, body = r.recv()
    assert t == 102, (t, body)
    return body[4:]  # the handle string, with its length


def test_hostile_paths_and_refusals():
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    cases = {
        'dotdot': '/students/../../../etc/passwd',
        'nul': b'/students/a\x00b',
        'control': '/students/a\x01b',
        'escape': '/students/\x1b[31mred',
        'long': '/students/' + 'x' * 300,
        'dot': '/students/.',
        'top': '/newthing',
        'badutf8': b'/students/\xff\xfe',
    }
    got = {}
    for name, path in cases.items():
        r.req(MKDIR, s(path) + struct.pack('>I', 0))
        got[name] = r.status()[1:]
    assert got["dotdot"][0] == NOFILE  # /etc: no such community
    assert got['nul'][0] == NOFILE
    for name in ('control', 'escape', 'badutf8'):
        assert got[name][0] == FAILURE and 'UTF-8' in got[name][1], got[name]
    assert got['long'][0] == FAILURE and '255' in got['long'][1], got['long']
    assert got['top'][0] == DENIED and 'Only community folders are at the top level' \
        in got['top'][1], got['top']
    # symlinks and permissions are refused, saying so
    r.req(SYMLINK, s('/students/a') + s('/students/b'))
    code, msg = r.status()[1:]
    assert code == UNSUPPORTED and 'symbolic links' in msg
    r.req(MKDIR, s('/students/ok') + struct.pack('>I', 0))
    assert r.status()[1] == OK
    r.req(SETSTAT, s('/students/ok') + struct.pack('>II', 4, 0o777))
    code, msg = r.status()[1:]
    assert code == UNSUPPORTED and 'permissions' in msg
    r.close()
    assert srv.query('SELECT name FROM library_folders') == [('ok',)]
    assert srv.alive()


def test_ten_thousand_opens_refused_past_the_cap():
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    n = 10000
    import threading
    # all in flight at once: written while the replies are read
    reqs = b''.join(pkt(OPENDIR, struct.pack('>I', i + 1) + s('/students'))
                    for i in range(n))
    w = threading.Thread(target=r.write, args=(reqs,))
    w.start()
    handles = refused = 0
    for _ in range(n):
        t, body = r.recv()
        if t == 102:
            handles += 1
        else:
            assert t == 101 and struct.unpack('>I', body[4:8])[0] == FAILURE
            assert b'at most 64' in body
            refused += 1
    w.join()
    assert handles == 64 and refused == n - 64
    r.close()
    assert srv.alive()


def test_malformed_packets_get_errors_not_a_crash():
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    # truncated bodies: an error status each, the session goes on
    for body in (b'', b'\x00\x00', struct.pack('>I', 7) + b'\xff\xff\xff\xff',
                 struct.pack('>I', 8) + s('x')[:3]):
        r.write(pkt(OPEN, body))
        t, reply = r.recv()
        assert t == 101 and struct.unpack('>I', reply[4:8])[0] == BADMSG
    # unknown types, and a handle never given
    r.req(99, b'')
    assert r.status()[1] == UNSUPPORTED
    r.req(CLOSE, s(b'\x00' * 8))
    assert r.status()[1] == FAILURE
    r.req(STAT, s('/students'))
    t, _ = r.recv()
    assert t == 105
    # a length past the cap ends the session
    r.write(struct.pack('>I', 1 << 30) + b'\x03')
    assert r.recv() == (None, None)
    r.p.wait(timeout=10)
    assert srv.alive()
    # and a new one works
    r = Raw(srv, keys['pat'], 'pat')
    r.req(STAT, s('/students'))
    assert r.recv()[0] == 105
    r.close()


def test_killed_mid_upload_leaves_no_document():
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    h = open_write(r, '/students/half.bin')
    data = blob(32768)
    for i in range(40):  # 1.25 MiB: chunks stored, no last byte
        r.req(WRITE, h + struct.pack('>Q', i * len(data)) + s(data))
    for _ in range(40):
        assert r.status()[1] == OK
    wait_until(lambda: srv.query('SELECT count(*) FROM library_chunks')[0][0] >= 4,
               what='chunks stored as they fill')
    assert docs(srv, 'students') == []
    r.p.send_signal(signal.SIGKILL)
    r.p.wait()
    wait_until(lambda: srv.query('SELECT count(*) FROM library_blobs')[0][0] == 0,
               what='the unfinished upload dropped')
    assert srv.query('SELECT count(*) FROM library_chunks')[0][0] == 0
    assert docs(srv, 'students') == []


def test_pipelined_mkdir_then_upload_inside_it():
    """A folder made and a document put into it in one write: the upload
    is read only after the folder's commit, so it finds the folder."""
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    r.write(pkt(MKDIR, struct.pack('>I', 1) + s('/students/new') +
                struct.pack('>I', 0)) +
            pkt(OPEN, struct.pack('>I', 2) + s('/students/new/a.txt') +
                struct.pack('>II', WRITE_CREAT_TRUNC, 0)))
    assert r.status()[:2] == (1, OK)
    t, body = r.recv()
    assert t == 102 and struct.unpack('>I', body[:4])[0] == 2
    h = body[4:]
    r.write(pkt(WRITE, struct.pack('>I', 3) + h + struct.pack('>Q', 0) + s('hello')) +
            pkt(CLOSE, struct.pack('>I', 4) + h))
    assert r.status()[:2] == (3, OK)
    assert r.status()[:2] == (4, OK)
    # the ok came after the version was committed
    assert docs(srv, 'students') == [('a.txt', 1)]
    r.close()


def test_library_ops_list_and_versions_with_scp_lines():
    from fixtures import ok, err
    srv, keys = setup()
    d = tmpdir()
    a = write(os.path.join(d, 'plan.md'), b'one\n')
    b = write(os.path.join(d, 'plan2.md'), b'two, longer\n')
    sftp(srv, keys['pat'], 'pat', 'mkdir /students/term1\n'
         'put %s /students/term1/plan.md\nput %s /students/term1/plan.md\n' % (a, b))
    s = srv.session(keys['sam'], 'sam')
    top = ok(s.call('library.list', community='students'))
    assert [f['name'] for f in top['folders']] == ['term1'] and top['documents'] == []
    assert top['upload'] == "scp -P %d FILE 'sam@127.0.0.1:/students/'" % srv.port
    sub = ok(s.call('library.list', community='students', path='term1'))
    doc = sub['documents'][0]
    assert (doc['name'], doc['size'], doc['versions'], doc['uploader']) == \
        ('plan.md', 12, 2, 'pat')
    assert doc['scp'] == "scp -P %d 'sam@127.0.0.1:/students/term1/plan.md' ." % srv.port
    got = ok(s.call('library.get', id=doc['id']))
    assert [v['version'] for v in got['versions']] == [2, 1]
    assert got['versions'][0]['sha256'] == hashlib.sha256(b'two, longer\n').hexdigest()
    assert got['path'] == '/students/term1/plan.md'
    # the line works as given (with sam's key)
    line = got['scp'].split()
    rc, out = scp(srv, keys['sam'], 'sam', line[-2].strip("'"), os.path.join(d, 'x'))
    assert open(os.path.join(d, 'x'), 'rb').read() == b'two, longer\n'
    # the console sees the same (hearthctl library)
    assert srv.ctl('library', 'students', 'term1')['documents'][0]['versions'] == 2
    text = srv.ctl('library', 'show', str(doc['id']), json_out=False).stdout
    assert '/students/term1/plan.md' in text and 'version 2' in text, text
    err(s.call('library.list', community='students', path='../secret'), 'not_found')
    err(s.call('library.list', community='secret'), 'forbidden')
    # a manager brings version 1 back as the newest; nobody else may
    err(s.call('library.restore', id=doc['id'], version=1), 'forbidden')
    m = srv.session(keys['ola'], 'ola')
    assert ok(m.call('library.list', community='students'))['may_manage']
    assert ok(m.call('library.restore', id=doc['id'], version=1))['version'] == 3
    err(m.call('library.restore', id=doc['id'], version=9), 'not_found')
    m.close()
    got = os.path.join(d, 'restored')
    sftp(srv, keys['sam'], 'sam', 'get /students/term1/plan.md %s\n' % got)
    assert open(got, 'rb').read() == b'one\n'
    assert srv.query('SELECT count(*) FROM library_blobs')[0][0] == 2  # no copy
    assert srv.query("SELECT actor, target FROM audit WHERE action = "
                     "'library.restore'") == [('ola', 'students')]
    s.close()


def test_tui_library_tab_lists_and_shows_the_scp_lines():
    from fixtures import tui, join
    srv, keys = setup()
    join(srv, 'students', 'sam')
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'mkdir /students/term1\nput %s /students/term1/plan.md\n'
         % write(os.path.join(d, 'plan.md'), b'# Plan\n\nReading list: Freire.\n'))
    t = tui(srv, keys['sam'], 'sam', width=100, height=30)
    try:
        open_library_tab(t)
        t.wait_for('term1/')
        # at the top: the line to upload here from one's own machine
        t.wait_for("scp -P %d FILE 'sam@127.0.0.1:/students/'" % srv.port)
        t.keys('Enter')
        t.wait_for('plan.md')
        t.keys('j')
        t.wait_for("scp -P %d 'sam@127.0.0.1:/students/term1/plan.md' ." % srv.port)
        # someone else's document: no form to fill in only to be refused
        t.keys('e')
        t.wait_for('Only who uploaded plan.md, or a manager, may change it.')
        assert 'About this document' not in t.screen()
        t.keys('i')
        t.wait_for('Versions')
        t.wait_for('by pat')
        # a Markdown document reads on screen
        t.keys('q')
        t.wait_for('plan.md')
        t.keys('Enter')
        t.wait_for('Reading list')
    finally:
        t.kill()
    # its uploader changes its title from the tab (e)
    t = tui(srv, keys['pat'], 'pat', width=100, height=30)
    try:
        open_library_tab(t)
        t.wait_for('term1/')
        t.keys('Enter')
        t.wait_for('plan.md')
        t.keys('j', 'e')
        t.wait_for('About this document')
        t.keys('-l', ' for spring')
        t.keys('C-s')
        t.wait_for('Saved.')
        assert srv.query('SELECT title FROM library_documents') == [('plan.md for spring',)]
    finally:
        t.kill()
    # a manager chooses who may add (W)
    t = tui(srv, keys['ola'], 'ola', width=100, height=30)
    try:
        open_library_tab(t)
        t.wait_for('term1/')
        t.keys('W')
        t.wait_for('Who may add')
        t.keys('Space')
        t.wait_for('leaders and managers')
        t.keys('C-s')
        t.wait_for('Saved.')
        assert srv.query("SELECT library_upload FROM communities WHERE slug = "
                         "'students'") == [('leaders',)]
    finally:
        t.kill()


def test_plain_library_lists_and_shows_the_scp_lines():
    from harness import Tmux
    from fixtures import join
    srv, keys = setup()
    join(srv, 'students', 'sam')
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n'
         % write(os.path.join(d, 'plan.md'), b'# Plan\n\nReading list: Freire.\n'))
    cmd = srv.ssh_base(keys['sam'], 'sam') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        open_plain_library(t)
        t.wait_for('1. plan.md')
        t.wait_for("scp -P %d FILE 'sam@127.0.0.1:/students/'" % srv.port)
        t.keys('1', 'Enter')
        t.wait_for("scp -P %d 'sam@127.0.0.1:/students/plan.md' ." % srv.port)
        t.wait_for('version 1')
        # a short one too says where it ends, for a screen reader
        t.wait_for('Reading list: Freire.\n(End of the document.)')
    finally:
        t.kill()


def test_removed_member_loses_the_sftp_session_and_cannot_return():
    srv, keys = setup()
    r = Raw(srv, keys['sam'], 'sam')
    r.req(STAT, s('/students'))
    assert r.recv()[0] == 105
    srv.ctl('member', 'remove', 'sam', '--reason', 'test')
    # the open session ends (no more answers), and a new one is refused
    assert r.recv() == (None, None)
    r.p.wait(timeout=10)
    p = subprocess.run(srv.ssh_base(keys['sam'], 'sam') + ['-s', '127.0.0.1', 'sftp'],
                       input=pkt(1, struct.pack('>I', 3)), capture_output=True,
                       timeout=20)
    assert p.stdout == b'' and b'removed' in p.stderr, p


def test_disk_full_mid_upload_leaves_no_document():
    """The disk fills during an upload (a file size limit on the running
    hearthd, as test_disk_full.py does): the upload fails, no document
    appears, hearthd goes on, and once there is room the same upload
    works."""
    import resource
    srv, keys = setup()
    d = tmpdir()
    src = write(os.path.join(d, 'big.bin'), blob(4 * 1024 * 1024))
    names = [os.path.join(srv.data, n) for n in ('hearth.db', 'hearth.db-wal')]
    sizes = [os.path.getsize(p) for p in names + [srv.logpath] if os.path.exists(p)]
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                     (max(sizes) + 512 * 1024, resource.RLIM_INFINITY))
    rc, out = scp(srv, keys['pat'], 'pat', src, remote('pat', '/students/'), check=False)
    assert rc != 0, out
    assert srv.alive(), srv.log_tail()
    assert docs(srv, 'students') == []
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                     (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    scp(srv, keys['pat'], 'pat', src, remote('pat', '/students/'))
    assert docs(srv, 'students') == [('big.bin', 1)]
    # what the failed one left (its clean-up could not be saved either) went
    # as the next upload started
    assert srv.query('SELECT count(*) FROM library_blobs WHERE sha256 IS NULL') == [(0,)]
    back = os.path.join(d, 'back')
    scp(srv, keys['pat'], 'pat', remote('pat', '/students/big.bin'), back)
    assert sha(back) == sha(src)


def test_scp_recursive_and_preserve_store_the_files():
    """scp -r sets its folders' permissions and scp -p a file's, which the
    library does not keep: refused with a word why, the files stored."""
    srv, keys = setup()
    d = tmpdir()
    os.makedirs(d + '/notes/sub')
    write(d + '/notes/a.txt', b'a')
    write(d + '/notes/sub/b.txt', b'bb')
    rc, out = scp(srv, keys['pat'], 'pat', '-r', d + '/notes', remote('pat', '/students/'))
    assert 'keeps no permissions' in out, out
    scp(srv, keys['pat'], 'pat', '-r', remote('pat', '/students/notes'), d + '/back')
    assert open(d + '/back/sub/b.txt', 'rb').read() == b'bb'
    rc, out = scp(srv, keys['pat'], 'pat', '-p', d + '/notes/a.txt',
                  remote('pat', '/students/p.txt'))
    assert docs(srv, 'students') == [('a.txt', 1), ('b.txt', 1), ('p.txt', 1)]
    assert srv.query('SELECT name FROM library_folders ORDER BY name') == \
        [('notes',), ('sub',)]


def test_titles_and_managers_only_documents():
    from fixtures import ok, err
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/draft.md\n' %
         write(os.path.join(d, 'draft.md'), b'# Work in progress\n'))
    pat = srv.session(keys['pat'], 'pat')
    doc = ok(pat.call('library.list', community='students'))['documents'][0]
    # its uploader names it; a member who is not a manager cannot hide it
    ok(pat.call('library.update', id=doc['id'], title='Term plan',
                description='What we will read', tags='plan, reading'))
    err(pat.call('library.update', id=doc['id'], managers_only=True), 'forbidden')
    got = ok(pat.call('library.get', id=doc['id']))
    assert (got['title'], got['description'], got['tags']) == \
        ('Term plan', 'What we will read', 'plan, reading')
    sam = srv.session(keys['sam'], 'sam')
    err(sam.call('library.update', id=doc['id'], title='Mine'), 'forbidden')
    # a manager keeps it for managers: for everyone else it is not there
    ola = srv.session(keys['ola'], 'ola')
    ok(ola.call('library.update', id=doc['id'], managers_only=True))
    assert ok(sam.call('library.list', community='students'))['documents'] == []
    err(sam.call('library.get', id=doc['id']), 'not_found')
    rc, out = sftp(srv, keys['sam'], 'sam', 'get /students/draft.md %s\n' %
                   os.path.join(d, 'x'), check=False)
    assert rc != 0 and 'not found' in out, out
    _, ls = sftp(srv, keys['ola'], 'ola', 'ls /students\n')
    assert 'draft.md' in ls
    # an empty title stays as given; unset fields are kept
    ok(ola.call('library.update', id=doc['id'], managers_only=False))
    got = ok(sam.call('library.get', id=doc['id']))
    assert got['title'] == 'Term plan' and not got['managers_only']
    for s_ in (pat, sam, ola):
        s_.close()


def test_a_community_can_take_uploads_from_leaders_only():
    from fixtures import ok, err, join
    srv, keys = setup()
    join(srv, 'students', 'sam', 'leader')
    d = tmpdir()
    src = write(os.path.join(d, 'a.txt'), b'a\n')
    pat = srv.session(keys['pat'], 'pat')
    err(pat.call('library.settings', community='students', upload='leaders'), 'forbidden')
    ola = srv.session(keys['ola'], 'ola')
    ok(ola.call('library.settings', community='students', upload='leaders'))
    err(ola.call('library.settings', community='students', upload='anyone'), 'bad_request')
    r = ok(pat.call('library.list', community='students'))
    assert r['upload_by'] == 'leaders' and not r['may_upload']
    # a member is refused, saying why; a leader may
    rc, out = scp(srv, keys['pat'], 'pat', src, remote('pat', '/students/'), check=False)
    assert rc != 0 and 'only leaders and managers' in out, out
    rc, out = sftp(srv, keys['pat'], 'pat', 'mkdir /students/x\n', check=False)
    assert rc != 0
    scp(srv, keys['sam'], 'sam', src, remote('sam', '/students/'))
    assert docs(srv, 'students') == [('a.txt', 1)]
    ok(ola.call('library.settings', community='students', upload='members'))
    scp(srv, keys['pat'], 'pat', src, remote('pat', '/students/b.txt'))
    assert docs(srv, 'students') == [('a.txt', 1), ('b.txt', 1)]
    for s_ in (pat, ola):
        s_.close()


def test_the_bin_empties_after_30_days_and_a_crash_leaves_no_upload():
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/old.txt\nput %s /students/new.txt\n'
         'rm /students/old.txt\nrm /students/new.txt\n' % (
             write(os.path.join(d, 'old.txt'), b'old\n'),
             write(os.path.join(d, 'new.txt'), b'new\n')))
    # one was deleted 31 days ago, the other just now; and an upload was
    # arriving when hearthd was killed
    srv.execute("UPDATE library_documents SET deleted_at = deleted_at - 31 * 86400 "
                "WHERE name = 'old.txt'")
    r = Raw(srv, keys['pat'], 'pat')
    h = open_write(r, '/students/half.bin')
    for i in range(10):
        r.req(WRITE, h + struct.pack('>Q', i * 32768) + s(blob(32768)))
    for _ in range(10):
        assert r.status()[1] == OK
    wait_until(lambda: srv.query('SELECT count(*) FROM library_chunks WHERE blob_id IN '
                                 '(SELECT id FROM library_blobs WHERE sha256 IS NULL)')[0][0] >= 1,
               what='a chunk of the upload stored')
    srv.proc.kill()
    srv.proc.wait()
    srv.proc = None
    srv.log.close()
    r.p.kill()
    srv.start()
    # the sweep at start commits in hearthd's first loop turn
    wait_until(lambda: srv.query('SELECT name FROM library_documents') == [('new.txt',)],
               what='the old document out of the bin')
    assert srv.query('SELECT count(*) FROM library_blobs WHERE sha256 IS NULL') == [(0,)]
    assert srv.query('SELECT count(*) FROM library_blobs') == [(1,)]
    assert srv.query('SELECT count(*) FROM library_chunks') == [(1,)]


def test_psftp_from_putty_tools():
    """PuTTY's psftp (Debian's putty-tools, which make test installs) with
    the member's key converted by puttygen: put, ls, get, mkdir, mv, rm,
    rmdir in one batch."""
    import shutil
    assert shutil.which('psftp') and shutil.which('puttygen'), \
        'psftp is missing: make test installs it (Makefile DEBS: putty-tools)'
    srv, keys = setup()
    d = tmpdir()
    src = write(os.path.join(d, 'a.bin'), blob(700000))
    ppk = os.path.join(d, 'pat.ppk')
    subprocess.run(['puttygen', keys['pat'].path, '-O', 'private', '-o', ppk], check=True,
                   capture_output=True)
    pub = subprocess.run(['ssh-keygen', '-y', '-f', os.path.join(srv.data, 'host_ed25519')],
                         capture_output=True, text=True, check=True).stdout
    write(os.path.join(d, 'host.pub'), pub.encode())
    fp = subprocess.run(['ssh-keygen', '-l', '-f', os.path.join(d, 'host.pub')],
                        capture_output=True, text=True, check=True).stdout.split()[1]
    write(os.path.join(d, 'batch'), (
        'put %s /students/a.bin\nls /students\nget /students/a.bin %s/back.bin\n'
        'mkdir /students/f\nmv /students/a.bin /students/f/a.bin\n'
        'rm /students/f/a.bin\nrmdir /students/f\n' % (src, d)).encode())
    p = subprocess.run(['psftp', '-batch', '-b', os.path.join(d, 'batch'), '-P',
                        str(srv.port), '-i', ppk, '-hostkey', fp, '-l', 'pat', '127.0.0.1'],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'a.bin' in p.stdout and 'rmdir /students/f: OK' in p.stdout, p.stdout
    assert sha(os.path.join(d, 'back.bin')) == sha(src)
    assert srv.query('SELECT name, deleted_at IS NOT NULL FROM library_documents') == \
        [('a.bin', 1)]


def test_the_bin_lists_and_undeletes_for_uploader_and_manager():
    from fixtures import ok, err
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'mkdir /students/term1\n'
         'put %s /students/term1/a.txt\nput %s /students/b.txt\n'
         'rm /students/term1/a.txt\nrm /students/b.txt\n' % (
             write(os.path.join(d, 'a.txt'), b'alpha\n'),
             write(os.path.join(d, 'b.txt'), b'beta\n')))
    assert docs(srv, 'students') == []
    p = srv.session(keys['pat'], 'pat')
    got = ok(p.call('library.bin', community='students'))
    assert sorted((e['folder'], e['name'], e['uploader'], e['deleted_by'])
                  for e in got['documents']) == [
        ('', 'b.txt', 'pat', 'pat'), ('term1', 'a.txt', 'pat', 'pat')]
    a = [e['id'] for e in got['documents'] if e['name'] == 'a.txt'][0]
    b = [e['id'] for e in got['documents'] if e['name'] == 'b.txt'][0]
    # sam (a reader, not the uploader) sees an empty bin and may not undelete
    s = srv.session(keys['sam'], 'sam')
    assert ok(s.call('library.bin', community='students'))['documents'] == []
    err(s.call('library.undelete', id=a), 'forbidden')
    err(s.call('library.bin', community='secret'), 'forbidden')
    # the uploader puts a.txt back into its folder; the bytes are intact
    r = ok(p.call('library.undelete', id=a))
    assert (r['name'], r['path']) == ('a.txt', '/students/term1/a.txt'), r
    err(p.call('library.undelete', id=a), 'not_found')  # no longer in the bin
    back = os.path.join(d, 'back')
    sftp(srv, keys['sam'], 'sam', 'get /students/term1/a.txt %s\n' % back)
    assert open(back, 'rb').read() == b'alpha\n'
    # a name taken meanwhile: refused, said, nothing lost
    sftp(srv, keys['pat'], 'pat', 'put %s /students/b.txt\n'
         % write(os.path.join(d, 'b2.txt'), b'another\n'))
    e = err(p.call('library.undelete', id=b), 'conflict')
    assert 'b.txt' in str(e), e
    sftp(srv, keys['pat'], 'pat', 'rm /students/b.txt\n')
    # the console (a manager's view through hearthctl) lists and undeletes
    text = srv.ctl('library', 'bin', 'students', json_out=False).stdout
    assert 'b.txt' in text and 'by pat' in text, text
    new_b = srv.query("SELECT id FROM library_documents WHERE name = 'b.txt' AND "
                      "deleted_at IS NOT NULL AND id != ?", b)[0][0]
    out = srv.ctl('library', 'undelete', str(b), json_out=False).stdout
    assert 'b.txt is out of the bin, at /students/b.txt.' in out, out
    assert docs(srv, 'students') == [('a.txt', 1), ('b.txt', 1)]
    assert srv.query("SELECT 1 FROM library_documents WHERE id = ? AND "
                     "deleted_at IS NULL", b) == [(1,)]
    err(p.call('library.undelete', id=new_b), 'conflict')
    assert srv.query("SELECT count(*) FROM audit WHERE action = 'library.undelete'") == [(2,)]
    # out of the bin after 30 days: gone from the list, cannot come back
    srv.execute("UPDATE library_documents SET deleted_at = deleted_at - 31 * 86400 "
                "WHERE id = ?", new_b)
    assert ok(p.call('library.bin', community='students'))['documents'] == []
    err(p.call('library.undelete', id=new_b), 'not_found')
    p.close()
    s.close()


def test_undelete_after_its_folder_went_says_where_it_is():
    """A document whose folder was removed while it waited in the bin comes
    back at the top of the library, and the reply's path says so."""
    from fixtures import ok
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'mkdir /students/old\nput %s /students/old/n.txt\n'
         'rm /students/old/n.txt\nrmdir /students/old\n'
         % write(os.path.join(d, 'n.txt'), b'notes\n'))
    p = srv.session(keys['pat'], 'pat')
    got = ok(p.call('library.bin', community='students'))['documents']
    assert [(e['folder'], e['name']) for e in got] == [('', 'n.txt')]
    r = ok(p.call('library.undelete', id=got[0]['id']))
    assert r['path'] == '/students/n.txt', r
    back = os.path.join(d, 'back')
    sftp(srv, keys['sam'], 'sam', 'get /students/n.txt %s\n' % back)
    assert open(back, 'rb').read() == b'notes\n'
    p.close()


def test_undelete_pipelined_twice_puts_back_once():
    from fixtures import ok
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/a.txt\nrm /students/a.txt\n'
         % write(os.path.join(d, 'a.txt'), b'alpha\n'))
    did = srv.query("SELECT id FROM library_documents")[0][0]
    m = srv.session(keys['ola'], 'ola')
    # both in one write: one puts it back, the other finds it gone from the bin
    m.send_raw(b''.join(json.dumps({'id': i, 'op': 'library.undelete',
                                    'args': {'id': did}}).encode() + b'\n'
                        for i in (901, 902)))
    got = [m.reply(901), m.reply(902)]
    codes = sorted('ok' if r.get('ok') else r['error']['code'] for r in got)
    assert codes == ['not_found', 'ok'], got
    assert docs(srv, 'students') == [('a.txt', 1)]
    m.close()


def test_tui_and_plain_bin_put_a_document_back():
    from harness import Tmux
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/gone.md\nput %s /students/lost.md\n'
         'rm /students/gone.md\nrm /students/lost.md\n' % (
             write(os.path.join(d, 'gone.md'), b'# Gone\n'),
             write(os.path.join(d, 'lost.md'), b'# Lost\n')))
    t = tui(srv, keys['ola'], 'ola', width=100, height=30)
    try:
        open_library_tab(t)
        t.wait_for('Nothing here yet')
        t.keys('B')
        t.wait_for('the bin')
        screen = t.wait_for('gone.md')
        # who removed it, and the day it goes for good, within 100 columns
        import datetime
        goes = datetime.datetime.utcnow() + datetime.timedelta(days=30)
        row = [ln for ln in screen.splitlines() if 'gone.md' in ln][0]
        assert 'by pat' in row and row.rstrip().endswith(
            'gone %d %s' % (goes.day, goes.strftime('%b'))), screen
        t.keys('Enter')
        t.wait_for('lost.md is back, at /students/lost.md.')  # the newest first
        wait_until(lambda: len(docs(srv, 'students')) == 1, what='one document back')
    finally:
        t.kill()
    cmd = srv.ssh_base(keys['pat'], 'pat') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        open_plain_library(t)
        t.wait_for('b bin')
        t.keys('b', 'Enter')
        t.wait_for('The bin of the library of STUDENTS (deleted documents wait 30 days)')
        t.wait_for('1. lost.md')
        t.keys('1', 'Enter')
        t.wait_for('gone.md is back, at /students/gone.md.')
        wait_until(lambda: len(docs(srv, 'students')) == 2, what='both documents back')
    finally:
        t.kill()


def upload_ops(s, community, name, data, path='', chunk=32 * 1024):
    """Upload data with library.upload_begin/chunk/end; the end's reply."""
    import base64
    from fixtures import ok
    b = ok(s.call('library.upload_begin', community=community, path=path, name=name))
    assert b['max_chunk'] == chunk
    for off in range(0, len(data), chunk):
        r = ok(s.call('library.upload_chunk', upload=b['upload'], offset=off,
                      data=base64.b64encode(data[off:off + chunk]).decode()))
        assert r['size'] == min(off + chunk, len(data))
    return s.call('library.upload_end', upload=b['upload'], timeout=30)


def download_ops(s, did, **kw):
    import base64
    from fixtures import ok
    out, off = b'', 0
    while True:
        r = ok(s.call('library.download', id=did, offset=off, **kw))
        out += base64.b64decode(r['data'])
        off = len(out)
        if r['eof']:
            return out, r


def test_native_upload_and_download_ops_round_trip():
    import base64
    from fixtures import ok, err
    srv, keys = setup()
    data = blob(300 * 1024 + 7)  # ten chunks and a short one
    s = srv.session(keys['pat'], 'pat')
    sftp(srv, keys['pat'], 'pat', 'mkdir /students/term1\n')
    b = ok(s.call('library.upload_begin', community='students', path='term1',
                  name='data.bin'))
    first = base64.b64encode(data[:32768]).decode()
    ok(s.call('library.upload_chunk', upload=b['upload'], offset=0, data=first))
    # not visible until the end; out of order and bad base64 said, upload goes on
    assert docs(srv, 'students') == []
    err(s.call('library.upload_chunk', upload=b['upload'], offset=5, data=first),
        'bad_request', 'expected offset 32768')
    err(s.call('library.upload_chunk', upload=b['upload'], offset=32768, data='%%%='),
        'bad_request', 'base64')
    for off in range(32768, len(data), 32768):
        ok(s.call('library.upload_chunk', upload=b['upload'], offset=off,
                  data=base64.b64encode(data[off:off + 32768]).decode()))
    assert docs(srv, 'students') == []
    end = ok(s.call('library.upload_end', upload=b['upload']))
    assert end['size'] == len(data) and end['version'] == 1
    assert end['sha256'] == hashlib.sha256(data).hexdigest()
    assert docs(srv, 'students') == [('data.bin', 1)]
    err(s.call('library.upload_end', upload=b['upload']), 'not_found')
    # it reads back byte for byte, through the ops and through scp
    sam = srv.session(keys['sam'], 'sam')
    got, last = download_ops(sam, end['id'])
    assert got == data and last['size'] == len(data)
    # the console saves it too (hearthctl library get)
    out = srv.ctl('library', 'get', str(end['id']), os.path.join(tmpdir(), 'c.bin'),
                  json_out=False).stdout
    assert 'bytes' in out, out
    assert open(out.split()[1], 'rb').read() == data
    d = tmpdir()
    scp(srv, keys['sam'], 'sam', remote('sam', '/students/term1/data.bin'),
        os.path.join(d, 'x'))
    assert open(os.path.join(d, 'x'), 'rb').read() == data
    # a second upload is version 2; version 1 still downloads
    assert ok(upload_ops(s, 'students', 'data.bin', b'short\n', path='term1'))['version'] == 2
    assert download_ops(sam, end['id'])[0] == b'short\n'
    assert download_ops(sam, end['id'], version=1)[0] == data
    # the same rules as sftp: a guest-less private community, names, reading
    err(sam.call('library.upload_begin', community='secret', name='x.txt'), 'forbidden')
    err(s.call('library.upload_begin', community='students', name='..'), 'bad_request')
    err(s.call('library.upload_begin', community='students', path='nowhere',
               name='x.txt'), 'not_found')
    err(sam.call('library.download', id=end['id'], length=10 ** 6), 'bad_request')
    # an upload given up, and one whose connection goes: nothing is kept
    b = ok(s.call('library.upload_begin', community='students', name='gone.bin'))
    ok(s.call('library.upload_chunk', upload=b['upload'], offset=0, data=first))
    ok(s.call('library.upload_abort', upload=b['upload']))
    err(sam.call('library.upload_begin', community='students', name='x.txt'),
        'forbidden')  # sam reads, is no member
    sam.close()
    m = srv.session(keys['ola'], 'ola')
    b = ok(m.call('library.upload_begin', community='students', name='cut.bin'))
    ok(m.call('library.upload_chunk', upload=b['upload'], offset=0, data=first))
    m.close()
    wait_until(lambda: srv.query('SELECT count(*) FROM library_blobs WHERE sha256 IS '
                                 'NULL') == [(0,)], what='the cut upload dropped')
    assert srv.query("SELECT name FROM library_documents ORDER BY name") == [('data.bin',)]
    s.close()


def test_native_upload_past_the_size_limit_keeps_nothing():
    import base64
    from fixtures import ok, err
    srv, keys = setup(library_max_file_mb=1)
    s = srv.session(keys['pat'], 'pat')
    b = ok(s.call('library.upload_begin', community='students', name='big.bin'))
    chunk = base64.b64encode(blob(32768)).decode()
    off, e = 0, None
    while off <= 1024 * 1024:
        r = s.call('library.upload_chunk', upload=b['upload'], offset=off, data=chunk)
        if not r['ok']:
            e = r
            break
        off += 32768
    assert e is not None and e['error']['code'] == 'too_large', e
    assert '1 MiB' in e['error']['message'], e
    err(s.call('library.upload_end', upload=b['upload']), 'not_found')
    assert srv.query('SELECT count(*) FROM library_documents') == [(0,)]
    wait_until(lambda: srv.query('SELECT count(*) FROM library_blobs') == [(0,)],
               what='nothing kept')
    s.close()


def test_native_uploads_pipelined_in_one_write_both_land():
    import base64
    from fixtures import ok
    srv, keys = setup()
    s = srv.session(keys['pat'], 'pat')
    b1 = ok(s.call('library.upload_begin', community='students', name='a.txt'))
    b2 = ok(s.call('library.upload_begin', community='students', name='a.txt'))
    lines = []
    for i, (b, text) in enumerate(((b1, b'one\n'), (b2, b'two!\n'))):
        lines.append({'id': 700 + i, 'op': 'library.upload_chunk',
                      'args': {'upload': b['upload'], 'offset': 0,
                               'data': base64.b64encode(text).decode()}})
    for i, b in enumerate((b1, b2)):
        lines.append({'id': 710 + i, 'op': 'library.upload_end',
                      'args': {'upload': b['upload']}})
    s.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    got = [s.reply(i) for i in (700, 701, 710, 711)]
    assert all(r['ok'] for r in got), got
    assert sorted(r['result']['version'] for r in got[2:]) == [1, 2]
    assert docs(srv, 'students') == [('a.txt', 2)]
    s.close()


def test_native_client_uploads_and_saves_a_local_file():
    from test_tui import native, native_home
    srv, keys = setup()
    d = tmpdir()
    data = blob(100 * 1024 + 3)
    src = write(os.path.join(d, 'report.pdf'), data)
    home = native_home(keys['pat'])
    t = native(srv, home, user='pat')
    try:
        t.wait_for('First connection', timeout=15)
        t.keys('yes', 'Enter')
        open_library_tab(t)
        t.wait_for('Nothing here yet')
        t.keys('U')
        t.wait_for('Upload a file')
        t.keys('-l', src)
        t.keys('C-s')
        t.wait_for('Uploaded report.pdf', timeout=20)
        assert docs(srv, 'students') == [('report.pdf', 1)]
        back = os.path.join(d, 'saved.pdf')
        t.wait_for('report.pdf')
        t.keys('j', 'D')
        t.wait_for('Save a document')
        t.keys(*(['BSpace'] * 12))
        t.keys('-l', back)
        t.keys('C-s')
        t.wait_for('Saved %s' % back, timeout=20)
        assert open(back, 'rb').read() == data
        assert not os.path.exists(back + '.part')
    finally:
        t.kill()


def test_a_second_copy_of_kept_content_is_dropped_in_steps():
    srv, keys = setup()
    d = tmpdir()
    data = blob(9 * 256 * 1024 + 5)  # ten chunks: three turns of four
    src = write(os.path.join(d, 'a.bin'), data)
    sftp(srv, keys['pat'], 'pat', 'put %s /students/a.bin\nput %s /students/b.bin\n'
         % (src, src))
    assert docs(srv, 'students') == [('a.bin', 1), ('b.bin', 1)]
    wait_until(lambda: srv.query('SELECT count(*) FROM library_blobs') == [(1,)] and
               srv.query('SELECT count(*) FROM library_chunks') == [(10,)],
               what='the second copy dropped')
    back = os.path.join(d, 'back')
    scp(srv, keys['pat'], 'pat', remote('pat', '/students/b.bin'), back)
    assert sha(back) == hashlib.sha256(data).hexdigest()


def test_scp_over_an_existing_name_makes_a_new_version():
    """OpenSSH's scp opens an existing name without TRUNC and sets the
    size at the end: a new version, not "Operation unsupported"."""
    srv, keys = setup()
    d = tmpdir()
    one = write(os.path.join(d, 'notes.md'), b'# One\n')
    scp(srv, keys['pat'], 'pat', one, remote('pat', '/students/'))
    two = write(os.path.join(d, 'two.md'), b'# Two, longer than one\n')
    rc, out = scp(srv, keys['pat'], 'pat', two, remote('pat', '/students/notes.md'))
    assert out == '', out
    assert docs(srv, 'students') == [('notes.md', 2)]
    back = os.path.join(d, 'back')
    scp(srv, keys['pat'], 'pat', remote('pat', '/students/notes.md'), back)
    assert open(back, 'rb').read() == b'# Two, longer than one\n'
    # shorter than the last: whole, nothing of the old one left over
    three = write(os.path.join(d, 'three.md'), b'3\n')
    scp(srv, keys['pat'], 'pat', three, remote('pat', '/students/notes.md'))
    scp(srv, keys['pat'], 'pat', remote('pat', '/students/notes.md'), back)
    assert open(back, 'rb').read() == b'3\n'
    assert docs(srv, 'students') == [('notes.md', 3)]


def test_only_its_uploader_or_a_manager_adds_a_version():
    from fixtures import ok, join
    srv, keys = setup()
    join(srv, 'students', 'sam')
    d = tmpdir()
    mine = write(os.path.join(d, 'plan.md'), b'# Plan by pat\n')
    other = write(os.path.join(d, 'other.md'), b'# vandalised\n')
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' % mine)
    # another member: refused over sftp, scp and classic scp, and says why
    rc, out = sftp(srv, keys['sam'], 'sam', 'put %s /students/plan.md\n' % other,
                   check=False)
    assert rc != 0 and 'ermission denied' in out, out
    rc, out = scp(srv, keys['sam'], 'sam', other, remote('sam', '/students/plan.md'),
                  check=False)
    assert rc != 0, out
    p = subprocess.run(['scp', '-O'] + sftp_cmd(srv, keys['sam'], 'sam') +
                       [other, remote('sam', '/students/plan.md')],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and 'only who uploaded it' in p.stderr, p.stderr
    assert docs(srv, 'students') == [('plan.md', 1)]
    back = os.path.join(d, 'back')
    sftp(srv, keys['sam'], 'sam', 'get /students/plan.md %s\n' % back)
    assert open(back, 'rb').read() == b'# Plan by pat\n'
    # its uploader and a manager may
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' % other)
    sftp(srv, keys['ola'], 'ola', 'put %s /students/plan.md\n' % mine)
    assert docs(srv, 'students') == [('plan.md', 3)]
    # a managers-only document is a name others cannot use, not a door
    sftp(srv, keys['ola'], 'ola', 'put %s /students/budget.md\n' % mine)
    ola = srv.session(keys['ola'], 'ola')
    bid = [x for x in ok(ola.call('library.list', community='students'))['documents']
           if x['name'] == 'budget.md'][0]['id']
    ok(ola.call('library.update', id=bid, managers_only=True))
    for who in ('sam', 'pat'):
        rc, out = sftp(srv, keys[who], who, 'put %s /students/budget.md\n' % other,
                       check=False)
        assert rc != 0 and 'ermission denied' in out, out
    assert srv.query('SELECT count(*) FROM library_versions WHERE document_id = ?',
                     bid)[0][0] == 1
    # a rename or a folder onto it: the same words, not "already exists"
    sftp(srv, keys['sam'], 'sam', 'put %s /students/mine.md\n' % other)
    for cmd in ('rename /students/mine.md /students/budget.md\n',
                'mkdir /students/budget.md\n'):
        rc, out = sftp(srv, keys['sam'], 'sam', cmd, check=False)
        assert rc != 0 and 'cannot be used in this folder' in out, out
        assert 'already exists' not in out, out
    # where they can see what has the name, they are told plainly
    rc, out = sftp(srv, keys['sam'], 'sam',
                   'rename /students/mine.md /students/plan.md\n', check=False)
    assert rc != 0 and 'plan.md already exists' in out, out
    ola.close()


def test_two_members_uploading_one_new_name_at_once_make_one_document():
    from fixtures import join
    srv, keys = setup()
    join(srv, 'students', 'sam')
    d = tmpdir()
    srcs = {}
    for who in ('pat', 'sam'):
        srcs[who] = write(os.path.join(d, who + '.bin'), blob(3 * 1024 * 1024, seed=len(who)
                                                              + ord(who[0])))
    procs = {}
    for who in ('pat', 'sam'):
        path = os.path.join(tmpdir(), 'batch-' + who)
        with open(path, 'w') as f:
            f.write('put %s /students/same.bin\n' % srcs[who])
        procs[who] = subprocess.Popen(['sftp'] + sftp_cmd(srv, keys[who], who) +
                                      ['-b', path, '%s@127.0.0.1' % who],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
    rcs = {who: p.wait(timeout=60) for who, p in procs.items()}
    # one document with one version, its uploader's bytes; the other
    # upload refused (at its start, or at its end if they overlapped)
    assert docs(srv, 'students') == [('same.bin', 1)], rcs
    winner = srv.query("SELECT m.handle FROM library_documents d JOIN members m ON "
                       "m.id = d.uploader_id WHERE d.name = 'same.bin'")[0][0]
    assert rcs[winner] == 0 and sorted(rcs.values()) == [0, 1], rcs
    back = os.path.join(d, 'back')
    sftp(srv, keys['pat'], 'pat', 'get /students/same.bin %s\n' % back)
    assert sha(back) == sha(srcs[winner])
    assert srv.query('SELECT v.uploader_id FROM library_versions v JOIN library_documents d '
                     "ON d.id = v.document_id WHERE d.name = 'same.bin'") == \
        srv.query("SELECT id FROM members WHERE handle = ?", winner)


def test_a_renamed_document_takes_its_new_name_as_title_unless_given_one():
    from fixtures import ok
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat',
         'put %s /students/draft.txt\nput %s /students/named.txt\n' %
         (write(os.path.join(d, 'a'), b'quincunx draft\n'),
          write(os.path.join(d, 'b'), b'named one\n')))
    pat = srv.session(keys['pat'], 'pat')
    ids = {x['name']: x['id'] for x in
           ok(pat.call('library.list', community='students'))['documents']}
    ok(pat.call('library.update', id=ids['named.txt'], title='Term plan'))
    sftp(srv, keys['pat'], 'pat', 'rename /students/draft.txt /students/notes.md\n'
         'rename /students/named.txt /students/plan.md\n')
    got = ok(pat.call('library.get', id=ids['draft.txt']))
    assert (got['name'], got['title'], got['type']) == \
        ('notes.md', 'notes.md', 'text/markdown'), got
    got = ok(pat.call('library.get', id=ids['named.txt']))
    assert (got['name'], got['title']) == ('plan.md', 'Term plan'), got
    # search finds it by its new title
    hits = ok(pat.call('search.query', q='notes', kind='documents'))
    assert any(h.get('title') == 'notes.md' for h in hits.get('results', [])), hits
    pat.close()


def test_plain_restore_asks_before_it_changes_anything():
    from harness import Tmux
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\nput %s /students/plan.md\n'
         % (write(os.path.join(d, 'a'), b'first\n'), write(os.path.join(d, 'b'), b'second\n')))
    cmd = srv.ssh_base(keys['ola'], 'ola') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)

    def versions():
        return srv.query("SELECT count(*) FROM library_versions")[0][0]
    try:
        open_plain_library(t)
        t.wait_for('1. plan.md')
        # n changes nothing, y restores
        for answer, said, after in (('n', 'Nothing changed.', 2),
                                    ('y', 'Restored as the newest version.', 3)):
            t.keys('1', 'Enter')
            t.wait_for('version 2')
            t.wait_for('e to change')
            t.keys('Enter')
            t.wait_for('To make an older version the newest again')
            t.keys('1', 'Enter')
            t.wait_for('Make version 1 of plan.md the newest')
            t.keys(answer, 'Enter')
            t.wait_for(said)
            assert versions() == after
    finally:
        t.kill()


def test_managers_see_which_documents_are_theirs_only_and_titles():
    from harness import Tmux
    from fixtures import ok, tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['ola'], 'ola', 'put %s /students/budget.md\n'
         % write(os.path.join(d, 'b'), b'# Budget\n'))
    ola = srv.session(keys['ola'], 'ola')
    bid = ok(ola.call('library.list', community='students'))['documents'][0]['id']
    ok(ola.call('library.update', id=bid, managers_only=True, title='Next year'))
    ola.close()
    t = tui(srv, keys['ola'], 'ola', width=110, height=30)
    try:
        open_library_tab(t)
        t.wait_for('budget.md  (Next year)', 'managers only')
    finally:
        t.kill()
    cmd = srv.ssh_base(keys['ola'], 'ola') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 110, 40)
    try:
        open_plain_library(t)
        t.wait_for('1. budget.md, “Next year”  (managers only, ')
        t.keys('1', 'Enter')
        t.wait_for('/students/budget.md (text/markdown, uploaded by ola; managers only)')
    finally:
        t.kill()
    # and the console says so too
    assert 'managers only' in srv.ctl('library', 'students', json_out=False).stdout
    assert '; managers only' in srv.ctl('library', 'show', str(bid), json_out=False).stdout


def test_tui_restore_names_the_document_and_its_versions():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\nput %s /students/plan.md\n'
         'put %s /students/one.md\n' % (write(os.path.join(d, 'a'), b'first\n'),
                                        write(os.path.join(d, 'b'), b'second\n'),
                                        write(os.path.join(d, 'c'), b'only\n')))
    t = tui(srv, keys['ola'], 'ola', width=110, height=30)
    try:
        open_library_tab(t)
        t.wait_for('one.md', 'plan.md')
        t.keys('g')
        t.wait_for("/students/one.md' .")
        t.keys('V')
        t.wait_for('one.md has one version: there is none older to bring back.')
        t.keys('j')
        t.wait_for("/students/plan.md' .")
        t.keys('V')
        t.wait_for('Restore a version of plan.md', 'It has 2 versions, 1 to 2')
        t.keys('1', 'C-s')
        wait_until(lambda: srv.query("SELECT count(*) FROM library_versions v JOIN "
                                     "library_documents d ON d.id = v.document_id "
                                     "WHERE d.name = 'plan.md'")[0][0] == 3,
                   what='a third version')
    finally:
        t.kill()
