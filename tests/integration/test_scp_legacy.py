"""The classic scp protocol ("scp -f" / "scp -t" over an exec channel), as
OpenSSH before 9.0, Windows' built-in OpenSSH 8.x and `scp -O` speak it,
driven with the real OpenSSH `scp -O` against a real hearthd: fetches are
byte for byte, uploads land exactly as sftp's (same folders, versions,
refusals in the same words), a private community is "No such file or
directory" for a non-member, and a hostile control line ends only its own
channel, never leaving a partial document."""
import os
import subprocess

from fixtures import wait_until
from harness import tmpdir
from test_library import blob, docs, remote, setup, sftp, sftp_cmd, sha, write


def scp_o(srv, key, handle, *args, check=True, timeout=60):
    """OpenSSH's scp in its classic (-O) mode: rc, stdout + stderr."""
    p = subprocess.run(['scp', '-O', '-q'] + sftp_cmd(srv, key, handle) +
                       list(args), capture_output=True, timeout=timeout)
    out = (p.stdout + p.stderr).decode('utf-8', 'replace')
    if check:
        assert p.returncode == 0, out
    return p.returncode, out


def raw_exec(srv, key, handle, command, data, timeout=30):
    """`ssh ... COMMAND` with data piped in: (rc, stdout bytes, stderr)."""
    p = subprocess.run(srv.ssh_base(key, handle) + ['127.0.0.1', command],
                       input=data, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def blobs(srv):
    return srv.query('SELECT count(*) FROM library_blobs')[0][0]


def test_scp_O_fetches_a_document_byte_for_byte():
    srv, keys = setup()
    d = tmpdir()
    data = blob(3 * 256 * 1024 + 4321)  # several chunks and a short one
    src = write(os.path.join(d, 'roadmap template.txt'), data)
    sftp(srv, keys['pat'], 'pat', 'put "%s" "/students/roadmap template.txt"\n'
         % src)
    # the path as typed, with its space: scp -O sends it unquoted
    back = os.path.join(d, 'back.txt')
    scp_o(srv, keys['sam'], 'sam',
          remote('sam', '/students/roadmap template.txt'), back)
    assert sha(back) == sha(src)
    # escaped as for a shell, and without the leading slash
    back2 = os.path.join(d, 'back2.txt')
    scp_o(srv, keys['sam'], 'sam',
          remote('sam', 'students/roadmap\\ template.txt'), back2)
    assert sha(back2) == sha(src)
    # quoted for the shell (OpenSSH's scp then needs -T, or it refuses
    # the name as not matching), into a folder: it keeps its name
    out = os.path.join(d, 'here')
    os.mkdir(out)
    scp_o(srv, keys['sam'], 'sam', '-T',
          remote('sam', '"/students/roadmap template.txt"'), out)
    assert sha(os.path.join(out, 'roadmap template.txt')) == sha(src)
    # -p: the times are sent as well
    back3 = os.path.join(d, 'back3.txt')
    scp_o(srv, keys['sam'], 'sam', '-p',
          remote('sam', '/students/roadmap template.txt'), back3)
    assert sha(back3) == sha(src)
    # a big one, past the channel's window many times
    big = write(os.path.join(d, 'big.bin'), blob(6 * 1024 * 1024 + 7, seed=5))
    sftp(srv, keys['pat'], 'pat', 'put %s /students/big.bin\n' % big)
    back4 = os.path.join(d, 'big-back.bin')
    scp_o(srv, keys['pat'], 'pat', remote('pat', '/students/big.bin'), back4)
    assert sha(back4) == sha(big)


def test_scp_O_fetch_refusals():
    srv, keys = setup()
    d = tmpdir()
    src = write(os.path.join(d, 'minutes.txt'), b'private minutes\n')
    sftp(srv, keys['pat'], 'pat', 'put %s /secret/minutes.txt\n' % src)
    # a private community, for a non-member: exactly as a missing path
    errs = {}
    for path in ('/secret/minutes.txt', '/nothere/minutes.txt',
                 '/students/minutes.txt'):
        rc, out = scp_o(srv, keys['sam'], 'sam', remote('sam', path),
                        os.path.join(d, 'x'), check=False)
        assert rc != 0
        assert not os.path.exists(os.path.join(d, 'x'))
        errs[path] = out.replace(path, 'PATH')
    assert len(set(errs.values())) == 1, errs
    assert 'No such file or directory' in errs['/secret/minutes.txt'], errs
    # the member fetches it
    scp_o(srv, keys['pat'], 'pat', remote('pat', '/secret/minutes.txt'),
          os.path.join(d, 'got.txt'))
    assert open(os.path.join(d, 'got.txt'), 'rb').read() == b'private minutes\n'
    # a folder is not a file
    rc, out = scp_o(srv, keys['pat'], 'pat', remote('pat', '/students'),
                    os.path.join(d, 'y'), check=False)
    assert rc != 0 and 'not a regular file' in out, out


def test_scp_O_uploads_show_in_sftp_and_make_versions():
    srv, keys = setup()
    d = tmpdir()
    data = blob(2 * 256 * 1024 + 99)
    src = write(os.path.join(d, 'notes one.pdf'), data)
    # into a folder: the file keeps its name
    scp_o(srv, keys['pat'], 'pat', src, remote('pat', '/students/'))
    assert docs(srv, 'students') == [('notes one.pdf', 1)]
    _, ls = sftp(srv, keys['sam'], 'sam', 'ls -l /students\n')
    assert 'notes one.pdf' in ls and str(len(data)) in ls, ls
    got = os.path.join(d, 'viasftp')
    sftp(srv, keys['sam'], 'sam', 'get "/students/notes one.pdf" %s\n' % got)
    assert sha(got) == sha(src)
    # the same name again: a new version, the new content
    data2 = blob(1000, seed=2)
    write(src, data2)
    scp_o(srv, keys['pat'], 'pat', src, remote('pat', 'students'))
    assert docs(srv, 'students') == [('notes one.pdf', 2)]
    sftp(srv, keys['sam'], 'sam', 'get "/students/notes one.pdf" %s\n' % got)
    assert open(got, 'rb').read() == data2
    # a full file path names the document; an empty file is one too
    empty = write(os.path.join(d, 'empty'), b'')
    scp_o(srv, keys['pat'], 'pat', src, empty,
          remote('pat', '/students/'))
    scp_o(srv, keys['pat'], 'pat', src, remote('pat', '/students/renamed.txt'))
    assert docs(srv, 'students') == [('empty', 1), ('notes one.pdf', 3),
                                     ('renamed.txt', 1)]
    # a big one, far past the channel's window: byte for byte
    big = write(os.path.join(d, 'big.bin'), blob(7 * 1024 * 1024 + 3, seed=9))
    scp_o(srv, keys['pat'], 'pat', '-p', big, remote('pat', '/students/'))
    back = os.path.join(d, 'big-back.bin')
    scp_o(srv, keys['pat'], 'pat', remote('pat', '/students/big.bin'), back)
    assert sha(back) == sha(big)


def test_scp_O_upload_refusals_keep_nothing():
    srv, keys = setup(library_max_file_mb=1)
    d = tmpdir()
    ok = write(os.path.join(d, 'ok.txt'), b'fine\n')
    # a private community, for a non-member: no such file or directory
    rc, out = scp_o(srv, keys['sam'], 'sam', ok, remote('sam', '/secret/'),
                    check=False)
    assert rc != 0 and 'No such file or directory' in out, out
    assert docs(srv, 'secret') == []
    # the top level holds communities only (sftp's words)
    rc, out = scp_o(srv, keys['pat'], 'pat', ok, remote('pat', '/'),
                    check=False)
    assert rc != 0 and 'Only community folders are at the top level' in out, out
    # name rules, in sftp's words
    bad = write(os.path.join(d, 'tab\there.txt'), b'x')
    rc, out = scp_o(srv, keys['pat'], 'pat', bad, remote('pat', '/students/'),
                    check=False)
    assert rc != 0 and 'without control characters' in out, out
    # over the size limit: said before a byte is sent, nothing kept
    big = write(os.path.join(d, 'big.bin'), blob(1024 * 1024 + 1))
    rc, out = scp_o(srv, keys['pat'], 'pat', big, remote('pat', '/students/'),
                    check=False)
    assert rc != 0, out
    assert 'file too large' in out and 'library_max_file_mb' in out, out
    # a folder without -r (a raw client: OpenSSH's scp never sends one)
    rc, out, _ = raw_exec(srv, keys['pat'], 'pat', 'scp -t /students/',
                          b'D0755 0 dir\nE\n')
    assert rc != 0 and b'without -r' in out, out
    assert docs(srv, 'students') == []
    wait_until(lambda: blobs(srv) == 0, what='refused uploads dropped')
    # one good file with a bad one: the good one lands
    rc, out = scp_o(srv, keys['pat'], 'pat', bad, ok,
                    remote('pat', '/students/'), check=False)
    assert rc != 0
    assert docs(srv, 'students') == [('ok.txt', 1)]


def test_hostile_control_lines_end_the_channel_and_keep_nothing():
    srv, keys = setup()
    k = keys['pat']
    cases = [
        b'C0644 abc x.txt\n',            # no size
        b'C06x4 3 x.txt\nabc\0',         # bad mode
        b'Q what is this\n',             # not a control line
        b'C0644 5\n',                    # no name
        b'C' + b'0' * 5000,              # no end of line
        b'\n',                           # empty
    ]
    for data in cases:
        rc, out, err = raw_exec(srv, k, 'pat', 'scp -t /students/', data)
        assert rc != 0, (data, out, err)
        assert out.startswith(b'\0'), out       # ready, then
        assert b'\2scp: protocol error' in out, (data, out)
    # the client leaves in the middle of the bytes: nothing kept
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -t /students/',
                            b'C0644 100 half.txt\n' + b'x' * 40)
    assert rc != 0
    # a declared size past what is sent, then the next line: bytes, not lines
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -t /students/',
                            b'C0644 3 a.txt\nabc\1oops\n')
    assert rc != 0 and b'nothing was kept' in out, out
    # options it does not know, and no path
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -z -t /students/', b'')
    assert rc != 0 and 'not supported' in err, err
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -t', b'')
    assert rc != 0 and 'no path' in err, err
    assert docs(srv, 'students') == []
    wait_until(lambda: blobs(srv) == 0, what='aborted uploads dropped')
    # the server still answers, and a good raw upload lands
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -t /students/',
                            b'T1 0 1 0\nC0644 3 ok.txt\nabc\0')
    assert rc == 0 and out == b'\0\0\0\0', (out, err)
    _, ls = sftp(srv, keys['sam'], 'sam', 'ls /students\n')
    assert 'ok.txt' in ls
    # two files pipelined in one write: both land, each answered in turn
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -t students',
                            b'C0644 3 a.txt\nabc\0C0600 4 b.txt\ndefg\0')
    assert rc == 0 and out == b'\0' * 5, (out, err)
    assert docs(srv, 'students') == [('a.txt', 1), ('b.txt', 1), ('ok.txt', 1)]
    # a refused file, then a good one in the same write: the good one lands
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -t /students/',
                            b'C0644 1 bad\tname\nC0644 2 c.txt\nhi\0')
    assert rc == 1, (out, err)
    assert out.startswith(b'\0\1scp: ') and out.endswith(b'\n\0\0'), out
    assert b'without control characters' in out, out
    assert [n for n, _ in docs(srv, 'students')] == ['a.txt', 'b.txt', 'c.txt',
                                                    'ok.txt']
    # a refusal is one line, whatever the path holds
    rc, out, err = raw_exec(srv, k, 'pat', "scp -f '/no\nC0644 1 x'", b'\0')
    assert rc == 1 and out == b'\1scp: /no?C0644 1 x: No such file or directory\n', out
    # a fetch over a raw channel: C line, bytes, \0
    rc, out, err = raw_exec(srv, k, 'pat', 'scp -f /students/ok.txt',
                            b'\0\0\0')
    assert rc == 0 and out == b'C0644 3 ok.txt\nabc\0', (out, err)



def test_killed_mid_upload_leaves_no_document_and_others_go_on():
    srv, keys = setup()
    p = subprocess.Popen(srv.ssh_base(keys['pat'], 'pat') +
                         ['127.0.0.1', 'scp -t /students/'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    assert p.stdout.read(1) == b'\0'
    p.stdin.write(b'C0644 4000000 half.bin\n')
    p.stdin.flush()
    assert p.stdout.read(1) == b'\0'
    p.stdin.write(blob(1536 * 1024))  # chunks stored, no last byte
    p.stdin.flush()
    wait_until(lambda: srv.query('SELECT count(*) FROM library_chunks')[0][0] >= 4,
               what='chunks stored as they fill')
    # meanwhile another member fetches and uploads
    d = tmpdir()
    src = write(os.path.join(d, 'other.txt'), b'other\n')
    scp_o(srv, keys['ola'], 'ola', src, remote('ola', '/students/'))
    scp_o(srv, keys['sam'], 'sam', remote('sam', '/students/other.txt'),
          os.path.join(d, 'back'))
    assert open(os.path.join(d, 'back'), 'rb').read() == b'other\n'
    assert docs(srv, 'students') == [('other.txt', 1)]
    p.kill()
    p.wait()
    wait_until(lambda: blobs(srv) == 1, what='the unfinished upload dropped')
    assert docs(srv, 'students') == [('other.txt', 1)]


def tree(root):
    """{relative path: bytes} of the files below root."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = open(p, 'rb').read()
    return out


def test_scp_O_r_copies_folders_both_ways():
    srv, keys = setup()
    d = tmpdir()
    top = os.path.join(d, 'term one')
    os.makedirs(os.path.join(top, 'sub', 'deeper'))
    os.makedirs(os.path.join(top, 'empty'))
    write(os.path.join(top, 'a.txt'), b'a\n')
    write(os.path.join(top, 'sub', 'b.bin'), blob(300 * 1024, seed=3))
    write(os.path.join(top, 'sub', 'deeper', 'c.md'), b'# c\n')
    scp_o(srv, keys['pat'], 'pat', '-r', '-p', top, remote('pat', '/students/'))
    _, ls = sftp(srv, keys['sam'], 'sam',
                 'ls "/students/term one"\nls "/students/term one/sub/deeper"\n')
    assert 'a.txt' in ls and 'sub' in ls and 'empty' in ls and 'c.md' in ls, ls
    # back, as a tree, byte for byte
    back = os.path.join(d, 'back')
    scp_o(srv, keys['sam'], 'sam', '-r',
          remote('sam', '/students/term\\ one'), back)
    assert tree(back) == tree(top)
    assert os.path.isdir(os.path.join(back, 'empty'))
    # again into the folders that are there now: new versions, no new folders
    write(os.path.join(top, 'a.txt'), b'a, again\n')
    scp_o(srv, keys['pat'], 'pat', '-r', top, remote('pat', '/students/'))
    assert ('a.txt', 2) in docs(srv, 'students'), docs(srv, 'students')
    assert srv.query("SELECT count(*) FROM library_folders WHERE name = 'term one'"
                     )[0][0] == 1
    # a whole community's library, with -r; without it, not a regular file
    back2 = os.path.join(d, 'back2')
    scp_o(srv, keys['sam'], 'sam', '-r', remote('sam', '/students'), back2)
    assert tree(os.path.join(back2, 'term one'))['a.txt'] == b'a, again\n'
    # a member who may not add gets sftp's words and no folder
    rc, out = scp_o(srv, keys['sam'], 'sam', '-r', top,
                    remote('sam', '/students/'), check=False)
    assert rc != 0, out
    assert srv.query("SELECT count(*) FROM library_folders")[0][0] == 4
