"""Notifications: notify.list and notify.mark_read (only one's own, paged,
unread counts, all-or-nothing marking, the notify.unread event), and live
notify.new delivery through operations of other areas that notify."""
import time

from fixtures import community, member_id, people
from harness import Key, Server

T0 = 1763700000


def add_note(con, member, kind, text, actor=None, community=None, at=T0, read=None):
    cur = con.execute('INSERT INTO notifications (member_id, kind, actor_id, community_id, '
                      'text, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
                      (member, kind, actor, community, text, at, read))
    return cur.lastrowid


def wait_notify(s, timeout=5):
    """The notify.new events a session has had, waiting for the first."""
    deadline = time.time() + timeout
    while not any(m.get('event') == 'notify.new' for m in s.events):
        assert time.time() < deadline, s.events
        s.events.append(s.recv(timeout=deadline - time.time()))
    return [m for m in s.events if m.get('event') == 'notify.new']


def world():
    srv = Server({'guest': 'on'})
    keys = people(srv, 'mo', 'nel', coc=False)
    cid = community(srv, 'garden', name='Garden')
    mo, nel = member_id(srv, 'mo'), member_id(srv, 'nel')
    con = srv.db()
    mine = [add_note(con, mo, 'mention', 'Nel mentioned you in "Compost" (%d)' % i,
                     actor=nel, community=cid, at=T0 + i) for i in range(7)]
    mine.append(add_note(con, mo, 'join_decided', 'You joined Garden', at=T0 + 7, read=T0 + 8))
    theirs = [add_note(con, nel, 'thanks', 'Mo thanked you', actor=mo, at=T0)]
    con.commit()
    con.close()
    return srv, keys, mine, theirs


def test_notify_list_own_newest_first_and_paged():
    srv, keys, mine, theirs = world()
    s = srv.session(keys['mo'])
    r = s.call('notify.list')
    assert r['ok'], r
    res = r['result']
    assert res['unread'] == 7 and res['next'] is None
    assert [n['id'] for n in res['notifications']] == sorted(mine, reverse=True)
    top, first = res['notifications'][0], res['notifications'][-1]
    assert top == {'id': mine[-1], 'kind': 'join_decided', 'text': 'You joined Garden',
                   'at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(T0 + 7)),
                   'read': True, 'actor': None, 'community': None, 'thread_id': None,
                   'post_id': None, 'poll_id': None, 'event_id': None, 'room_id': None,
                   'request_id': None}, top
    assert first['actor'] == {'handle': 'nel', 'display_name': 'Nel'}
    assert first['community'] == 'garden' and first['read'] is False
    assert first['kind'] == 'mention' and first['text'].startswith('Nel mentioned you')
    # pages of 3 with before = next
    seen, before = [], None
    while True:
        args = {'limit': 3}
        if before is not None:
            args['before'] = before
        res = s.call('notify.list', **args)['result']
        assert len(res['notifications']) <= 3
        seen += [n['id'] for n in res['notifications']]
        before = res['next']
        if before is None:
            break
    assert seen == sorted(mine, reverse=True), seen
    res = s.call('notify.list', unread_only=True, limit=4)['result']
    assert [n['id'] for n in res['notifications']] == sorted(mine[:7], reverse=True)[:4]
    assert all(not n['read'] for n in res['notifications']) and res['next'] == mine[3]
    # the other member sees only theirs
    t = srv.session(keys['nel'])
    res = t.call('notify.list')['result']
    assert [n['id'] for n in res['notifications']] == theirs and res['unread'] == 1
    for bad in ({'limit': 0}, {'limit': 101}, {'before': 0}, {'before': 'x'},
                {'unread_only': 'yes'}):
        r = s.call('notify.list', **bad)
        assert not r['ok'] and r['error']['code'] == 'bad_request', (bad, r)


def test_notify_mark_read():
    srv, keys, mine, theirs = world()
    s = srv.session(keys['mo'])
    other = srv.session(keys['mo'])
    r = s.call('notify.mark_read', ids=[mine[0], mine[1]])
    assert r['ok'] and r['result'] == {'unread': 5}, r
    ev = other.recv()
    assert ev == {'event': 'notify.unread', 'data': {'unread': 5}}, ev
    # already read: fine, nothing changes
    assert s.call('notify.mark_read', ids=[mine[0], mine[7]])['result'] == {'unread': 5}
    read_at = srv.query('SELECT read_at FROM notifications WHERE id = ?', mine[7])[0][0]
    assert read_at == T0 + 8
    # someone else's, or unknown: refused and nothing marked
    for ids in ([mine[2], theirs[0]], [mine[2], 999999]):
        r = s.call('notify.mark_read', ids=ids)
        assert not r['ok'] and r['error']['code'] == 'not_found', r
        assert srv.query('SELECT read_at FROM notifications WHERE id = ?', mine[2])[0][0] \
            is None
    assert srv.query('SELECT read_at FROM notifications WHERE id = ?', theirs[0])[0][0] is None
    for bad in ({}, {'ids': []}, {'ids': 'all'}, {'ids': [1, 'x']}, {'ids': [0]},
                {'all': False}, {'all': True, 'ids': [mine[2]]}, {'all': 'yes'},
                {'ids': list(range(1, 502))}):
        r = s.call('notify.mark_read', **bad)
        assert not r['ok'] and r['error']['code'] == 'bad_request', (bad, r)
    assert s.call('notify.list')['result']['unread'] == 5
    r = s.call('notify.mark_read', all=True)
    assert r['ok'] and r['result'] == {'unread': 0}, r
    assert s.call('notify.list', unread_only=True)['result']['notifications'] == []
    # the other member's are untouched
    t = srv.session(keys['nel'])
    assert t.call('notify.list')['result']['unread'] == 1


def test_notify_guests_refused():
    srv, keys, mine, _ = world()
    g = srv.session(Key('visitor'), 'guest')
    for op, args in (('notify.list', {}), ('notify.mark_read', {'all': True})):
        r = g.call(op, **args)
        assert not r['ok'] and r['error']['code'] == 'forbidden', r


def test_notify_needs_a_member():
    srv, keys, mine, _ = world()
    j = srv.session(Key('newcomer'), 'join')
    r = j.call('notify.list')
    assert not r['ok'] and r['error']['code'] == 'forbidden', r
    # a removed member's notifications are out of reach
    srv.ctl('member', 'remove', 'mo', '--reason', 'left')
    s = srv.session(keys['mo'])
    assert s.hello['data'].get('removed'), s.hello
    assert srv.query('SELECT count(*) FROM notifications WHERE read_at IS NULL')[0][0] == 8


def test_notify_new_live_from_replies_mentions_and_thanks():
    srv = Server()
    keys = people(srv, 'mo', 'nel')
    community(srv, 'garden', members=[('mo', 'member'), ('nel', 'member')], name='Garden')
    mo, nel = srv.session(keys['mo']), srv.session(keys['nel'])
    r = mo.call('thread.create', slug='garden', title='Compost heaps', body='How hot?')
    assert r['ok'], r
    tid = r['result'].get('thread_id') or r['result'].get('thread', {}).get('id') or \
        r['result'].get('id')
    assert tid, r
    r = nel.call('post.create', thread_id=tid, body='Around 60C, @mo, turn it weekly.')
    assert r['ok'], r
    post_id = srv.query('SELECT max(id) FROM posts')[0][0]
    r = mo.call('post.thank', post_id=post_id)
    assert r['ok'], r
    # mo hears of nel's reply/mention at once; nel of the thanks
    got = wait_notify(mo)
    assert got[0]['data']['thread_id'] == tid and got[0]['data']['kind'] in ('mention', 'reply')
    thanks = wait_notify(nel)
    assert thanks[0]['data']['kind'] == 'thanks', nel.events
    assert thanks[0]['data']['post_id'] == post_id
    # and they are stored: notify.list agrees with the events
    res = nel.call('notify.list')['result']
    assert res['unread'] == 1 and res['notifications'][0]['id'] == thanks[0]['data']['id']
    n = res['notifications'][0]
    assert n['actor'] == {'handle': 'mo', 'display_name': 'Mo'} and n['community'] == 'garden'
    assert n['kind'] == 'thanks' and n['post_id'] == post_id and n['thread_id'] == tid
    res = mo.call('notify.list')['result']
    assert res['unread'] >= 1 and all(x['actor']['handle'] == 'nel'
                                      for x in res['notifications'])
    assert nel.call('notify.mark_read', ids=[n['id']])['result'] == {'unread': 0}
    # nobody is notified of their own actions
    assert srv.query('SELECT count(*) FROM notifications WHERE member_id = actor_id')[0][0] == 0
