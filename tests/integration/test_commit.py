"""Group commit: writes pipelined by several members share transactions,
yet each request succeeds or fails on its own, replies keep request order,
and an ok reply means the row is already committed."""
import json

from fixtures import community
from harness import Server


def setup_board(srv, handles):
    community(srv, 'c1', policy='open')
    sessions = []
    for h in handles:
        s = srv.session(srv.new_member(h), h)
        assert s.call('member.accept_coc')['ok']
        assert s.call('community.join', slug='c1')['ok']
        sessions.append(s)
    t = sessions[0].call('thread.create', slug='c1', title='Commit test', body='first')
    assert t['ok'], t
    return sessions, t['result']['thread_id']


def test_ok_means_committed():
    srv = Server()
    (s,), tid = setup_board(srv, ['ann'])
    for i in range(20):
        r = s.call('post.create', thread_id=tid, body='post %d' % i)
        assert r['ok'], r
        pid = r['result']['post_id']
        # another connection sees it at once
        assert srv.query('SELECT body FROM posts WHERE id = ?', pid) == [('post %d' % i,)]


def test_pipelined_writes_fail_alone_and_keep_order():
    srv = Server()
    sessions, tid = setup_board(srv, ['ann', 'bob', 'cat'])
    n = 150
    for s in sessions:
        lines = []
        for i in range(n):
            if i % 10 == 7:   # a bad request in the middle of the group
                args = {'thread_id': 999999, 'body': 'lost'}
            elif i % 10 == 3:
                args = {'thread_id': tid, 'body': 'x' * 60001}    # over the 60,000-byte body limit
            else:
                args = {'thread_id': tid, 'body': 'ok %d' % i}
            lines.append(json.dumps({'id': i + 1, 'op': 'post.create', 'args': args}))
        s.send_raw(('\n'.join(lines) + '\n').encode())
    good = 0
    for s in sessions:
        for i in range(n):
            r = s.recv()
            while 'event' in r:       # notifications interleave; replies keep order
                r = s.recv()
            assert r['id'] == i + 1, r
            if i % 10 == 7:
                assert r['error']['code'] == 'not_found', r
            elif i % 10 == 3:
                assert r['error']['code'] == 'bad_request', r
            else:
                assert r['ok'], r
                good += 1
    assert good == 3 * n * 8 // 10
    rows = srv.query("SELECT count(*) FROM posts WHERE body LIKE 'ok %'")
    assert rows == [(good,)], rows
    assert srv.query("SELECT count(*) FROM posts WHERE body = 'lost'") == [(0,)]
    count = srv.query('SELECT post_count FROM threads WHERE id = ?', tid)[0][0]
    assert count == good + 1
    assert 'group commit of' in srv.log_tail(2000)


def test_wal_is_checkpointed_off_the_loop():
    """The checkpoint worker really copies the WAL into the database: a
    connection that never read the file does not know it is in WAL mode and
    its checkpoint silently does nothing (the WAL then grows for ever)."""
    import os
    import re
    import time
    srv = Server()
    (s,), tid = setup_board(srv, ['ann'])
    for i in range(50):
        assert s.call('post.create', thread_id=tid, body='wal %d ' % i + 'x' * 2000)['ok']
    deadline = time.time() + 10
    done = []
    while time.time() < deadline and not done:
        time.sleep(0.3)
        done = [(int(a), int(b)) for a, b in
                re.findall(r'checkpoint: (\d+) of (\d+) WAL frames', srv.log_tail(400))]
        done = [d for d in done if d[1] > 0 and d[0] == d[1]]
    assert done, 'no complete checkpoint logged:\n' + srv.log_tail(40)
    # and the posts are in the database file itself, not only in the WAL
    assert os.path.getsize(os.path.join(srv.data, 'hearth.db')) > 50 * 2000
