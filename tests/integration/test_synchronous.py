"""An ok survives power loss: the writer connection syncs every (group)
commit, synchronous = FULL, unless the administrator chose NORMAL;
admin.status says which the connection really uses."""
from fixtures import ok
from harness import Server
from test_console_ops import Console


def test_synchronous_full_by_default():
    for config, want in (({}, 'FULL'), ({'synchronous': 'NORMAL'}, 'NORMAL')):
        srv = Server(config)
        con = Console(srv)
        assert ok(con.call('admin.status'))['synchronous'] == want
        con.close()
        srv.stop()


def test_full_syncs_off_the_loop_and_replies_wait_for_the_sync():
    """With FULL the WAL is synced by a thread of its own (walsync.c), not
    inside COMMIT on the loop; a write's reply, and every line after it,
    goes out once that sync is done: pipelined writes and reads keep their
    order and the reads see the writes; what was acknowledged is in the
    file after kill -9."""
    import json
    from test_commit import setup_board
    for config, synced in (({}, True), ({'synchronous': 'NORMAL'}, False)):
        srv = Server(config)
        (ann, bob), tid = setup_board(srv, ['ann', 'bob'])
        n = 40
        lines = [json.dumps({'id': i + 1, 'op': 'post.create',
                             'args': {'thread_id': tid, 'body': 'p%d' % i}})
                 for i in range(n)]
        lines.append(json.dumps({'id': n + 1, 'op': 'thread.get',
                                 'args': {'thread_id': tid, 'limit': 100}}))
        read = json.dumps({'id': 1, 'op': 'thread.get',
                           'args': {'thread_id': tid, 'limit': 100}}) + '\n'
        ann.send_raw(('\n'.join(lines) + '\n').encode())
        bob.send_raw(read.encode())
        acked = []
        for i in range(n + 1):
            r = ann.recv()
            while 'event' in r:
                r = ann.recv()
            assert r['id'] == i + 1 and r['ok'], r
            if i < n:
                acked.append(r['result']['post_id'])
        bodies = [p['body'] for p in r['result']['posts']]
        assert bodies[-n:] == ['p%d' % i for i in range(n)], bodies
        r = bob.recv()
        while 'event' in r:
            r = bob.recv()
        assert r['ok'], r
        con = Console(srv)
        status = ok(con.call('admin.status'))
        con.close()
        assert status['synchronous'] == ('FULL' if synced else 'NORMAL')
        if synced:
            assert status['wal_sync']['count'] >= 1, status
        else:
            assert 'wal_sync' not in status, status
        srv.proc.kill()
        srv.proc.wait()
        srv.proc = None
        got = srv.query('SELECT count(*) FROM posts WHERE id IN (%s)' %
                        ','.join(str(p) for p in acked))
        assert got == [(n,)], got
