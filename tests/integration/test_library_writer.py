"""The library's writer thread and the write gate (server/libwrite.c,
dispatch.c): an upload's chunks are stored on a thread of their own, and a
member's write that meets one of its transactions waits its turn, in
order, while reads and unrecorded room lines go on at once."""
import json
import os
import signal
import sqlite3
import struct
import subprocess
import time

from fixtures import community, ok, people, wait_until
from harness import Server, tmpdir
from test_library import (CLOSE, OK, WRITE, Raw, blob, docs, open_write, s,
                          scp, sftp, sftp_cmd, sha, write)


def status(srv):
    return srv.ctl('status')


def writer(srv):
    return status(srv)['library_writer']


def setup(**cfg):
    srv = Server(cfg)
    keys = people(srv, 'pat', 'host', 'amy')
    community(srv, 'students', visibility='platform',
              members=[('pat', 'member'), ('host', 'manager'), ('amy', 'member')])
    return srv, keys


class Lock:
    """Another program's write transaction on the database: while it is
    open, the writer thread's next chunk waits inside the write gate."""

    def __init__(self, srv):
        self.con = sqlite3.connect(os.path.join(srv.data, 'hearth.db'),
                                   isolation_level=None, timeout=10)
        self.con.execute('BEGIN IMMEDIATE')

    def release(self):
        self.con.execute('COMMIT')
        self.con.close()


def test_writes_meeting_a_chunk_wait_in_order_while_reads_and_rooms_go_on():
    srv, keys = setup()
    pat = srv.session(keys['pat'], 'pat')
    host = srv.session(keys['host'], 'host')
    amy = srv.session(keys['amy'], 'amy')
    t = ok(pat.call('thread.create', slug='students', title='Notes', body='first'))
    rid = ok(host.call('room.open', community='students', title='Drop-in',
                       record='off'))['room']['room_id']
    ok(amy.call('room.join', room_id=rid))
    jobs0 = writer(srv)['jobs']
    r = Raw(srv, keys['pat'], 'pat')
    h = open_write(r, '/students/big.bin')
    lock = Lock(srv)
    try:
        data = blob(32768)
        for i in range(8):  # one whole chunk: handed to the writer thread
            r.req(WRITE, h + struct.pack('>Q', i * len(data)) + s(data))
        for _ in range(8):
            assert r.status()[1] == OK
        wait_until(lambda: writer(srv)['queued'] >= 1, what='a chunk under way')
        assert writer(srv)['jobs'] == jobs0  # waiting in the gate, not done
        # the thread holds the gate, waiting for the lock: a member's writes,
        # sent at once in one write, wait for it without stopping the loop
        lines = ''.join(json.dumps({'id': 100 + i, 'op': 'post.create', 'args': {
            'thread_id': t['thread_id'], 'body': 'reply %d' % i}}) + '\n'
            for i in range(5))
        pat.send_raw(lines.encode())
        # meanwhile a read is answered, and an unrecorded room line arrives
        assert ok(amy.call('thread.get', thread_id=t['thread_id']))
        ok(host.call('room.say', room_id=rid, text='still here'))
        got = None
        deadline = time.time() + 5
        while got is None and time.time() < deadline:
            m = amy.recv(timeout=5)
            if m.get('event') == 'room.message' and m['data']['text'] == 'still here':
                got = m
        assert got is not None
        assert writer(srv)['writes_waited'] >= 1
        assert srv.query('SELECT count(*) FROM posts WHERE body LIKE ?',
                         'reply %') == [(0,)]
    finally:
        lock.release()
    # the chunk goes in, then the writes, each answered ok, in order
    assert replies(pat, 5) == [100, 101, 102, 103, 104]
    assert [b for (b,) in srv.query("SELECT body FROM posts WHERE body LIKE 'reply %' "
                                    "ORDER BY id")] == ['reply %d' % i for i in range(5)]
    # and the upload finishes whole
    r.req(CLOSE, h)
    assert r.status()[1] == OK
    r.close()
    assert docs(srv, 'students') == [('big.bin', 1)]
    w = writer(srv)
    assert w['jobs'] >= jobs0 + 1 and w['queued'] == 0, w
    assert 'library writer:' in srv.ctl('status', json_out=False).stdout
    back = os.path.join(tmpdir(), 'back')
    scp(srv, keys['pat'], 'pat', 'pat@127.0.0.1:/students/big.bin', back)
    assert sha(back) == sha(write(os.path.join(tmpdir(), 'want'), data * 8))


def test_an_upload_and_many_writes_at_once_all_land():
    """A whole upload over sftp while another member pipelines writes: every
    write answered ok, in order, and the document whole."""
    srv, keys = setup(rate_write='off')
    pat = srv.session(keys['pat'], 'pat')
    t = ok(pat.call('thread.create', slug='students', title='Busy', body='x'))
    d = tmpdir()
    data = blob(6 * 1024 * 1024 + 7)
    src = write(os.path.join(d, 'big.bin'), data)
    up = subprocess.Popen(['sftp'] + sftp_cmd(srv, keys['amy'], 'amy') +
                          ['-b', '-', 'amy@127.0.0.1'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    up.stdin.write(('put %s /students/big.bin\n' % src).encode())
    up.stdin.close()
    sent = 0
    while up.poll() is None and sent < 400:
        lines = ''.join(json.dumps({'id': 1000 + sent + i, 'op': 'post.create', 'args': {
            'thread_id': t['thread_id'], 'body': 'line %d' % (sent + i)}}) + '\n'
            for i in range(20))
        pat.send_raw(lines.encode())
        assert replies(pat, 20) == list(range(1000 + sent, 1020 + sent))
        sent += 20
    assert up.wait(timeout=60) == 0, up.stderr.read()
    assert docs(srv, 'students') == [('big.bin', 1)]
    assert [b for (b,) in srv.query("SELECT body FROM posts WHERE body LIKE 'line %' "
                                    "ORDER BY id")] == ['line %d' % i for i in range(sent)]
    back = os.path.join(d, 'back')
    sftp(srv, keys['pat'], 'pat', 'get /students/big.bin %s\n' % back)
    assert sha(back) == sha(src)


def replies(sess, n):
    """The ids of the next n replies (events skipped), each an ok."""
    ids = []
    while len(ids) < n:
        m = sess.recv(timeout=20)
        assert m is not None
        if 'id' in m:
            assert m.get('ok'), m
            ids.append(m['id'])
    return ids


def test_stopping_during_an_upload_keeps_nothing_partial():
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    h = open_write(r, '/students/half.bin')
    lock = Lock(srv)
    data = blob(32768)
    for i in range(16):
        r.req(WRITE, h + struct.pack('>Q', i * len(data)) + s(data))
    for _ in range(16):
        assert r.status()[1] == OK
    wait_until(lambda: writer(srv)['queued'] >= 1, what='a chunk under way')
    # a stop while the writer thread waits inside the gate
    srv.proc.send_signal(signal.SIGTERM)
    wait_until(lambda: 'shutting down' in srv.log_tail(30), what='the stop begun')
    lock.release()
    assert srv.proc.wait(timeout=20) == 0, srv.log_tail()
    r.close()
    srv.start()
    wait_until(lambda: srv.query('SELECT count(*) FROM library_blobs') == [(0,)],
               what='the unfinished upload swept at start')
    assert srv.query('SELECT count(*) FROM library_chunks') == [(0,)]
    assert docs(srv, 'students') == []


def test_a_session_gone_after_close_still_stores_its_upload():
    """sftp.c: a CLOSE's upload is finished after the client has hung up
    (its last chunk waited for the database): the upload still names its
    uploader, nothing is read from the gone session (the sanitizer run
    catches a use after free), and the server goes on."""
    srv, keys = setup()
    r = Raw(srv, keys['pat'], 'pat')
    h = open_write(r, '/students/late.bin')
    data = blob(32768, seed=7)
    lock = Lock(srv)
    try:
        for i in range(9):  # a whole chunk and a piece: the writer waits
            r.req(WRITE, h + struct.pack('>Q', i * len(data)) + s(data))
        for _ in range(9):
            assert r.status()[1] == OK
        wait_until(lambda: writer(srv)['queued'] >= 1, what='a chunk under way')
        r.req(CLOSE, h)
        # the CLOSE is in: its last piece queued behind the first chunk
        wait_until(lambda: writer(srv)['queued'] >= 2, what='the CLOSE taken')
        r.p.kill()  # hangs up before the CLOSE's answer
        r.p.wait(timeout=10)
        wait_until(lambda: 'session ended' in srv.log_tail(50), what='the session gone')
    finally:
        lock.release()
    wait_until(lambda: docs(srv, 'students') == [('late.bin', 1)], timeout=15,
               what='the upload stored')
    assert srv.query("SELECT m.handle FROM library_versions v JOIN members m "
                     "ON m.id = v.uploader_id") == [('pat',)]
    assert srv.alive()
    back = os.path.join(tmpdir(), 'back')
    scp(srv, keys['pat'], 'pat', 'pat@127.0.0.1:/students/late.bin', back)
    assert sha(back) == sha(write(os.path.join(tmpdir(), 'want'), data * 9))
