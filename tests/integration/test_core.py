"""The server core: requests that meet in one loop turn, effects that wait
for the commit and are authorized for each recipient when delivered, and
timers that act through the same door (issue 10, defects 1, 2, 4, 5, 6).

Requests "in one loop turn" are sent by one session in a single write: the
server reads them together and handles them one after the other before the
turn ends and its group transaction commits."""
import json

from fixtures import drain, err, ev, ok, people, record_of, room_circle, until
from harness import Server


def pipeline(s, *calls):
    """Send calls (op, args) in one write; return their replies in order."""
    ids, data = [], b''
    for op, args in calls:
        ids.append(s.next_id)
        data += json.dumps({'id': s.next_id, 'op': op, 'args': args}).encode() + b'\n'
        s.next_id += 1
    s.send_raw(data)
    return [s.reply(i) for i in ids]


def close_and_say(record):
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'])
    a = srv.session(keys['alice'])
    rid = ok(h.call('room.open', community='cop', title='Drop-in',
                    record=record))['room']['room_id']
    ok(a.call('room.join', room_id=rid))
    # the host's last line and the close, in one turn: the line is kept
    said, closed = pipeline(h, ('room.say', {'room_id': rid, 'text': 'last words'}),
                            ('room.close', {'room_id': rid}))
    ok(said)
    ok(closed)
    assert 'last words' in record_of(srv, rid)
    until(a, ev('room.state', closed=True))
    # a close and then a line, in one turn: the line is refused, not lost
    rid = ok(h.call('room.open', community='cop', title='Again',
                    record=record))['room']['room_id']
    closed, said = pipeline(h, ('room.close', {'room_id': rid}),
                            ('room.say', {'room_id': rid, 'text': 'too late'}))
    ok(closed)
    err(said, 'not_found')
    assert 'too late' not in record_of(srv, rid)
    assert srv.query('SELECT count(*) FROM rooms WHERE closed_at IS NULL')[0][0] == 0
    assert srv.alive()
    # and the server goes on serving
    ok(h.call('room.list'))


def test_close_and_say_in_one_turn_transcript():
    close_and_say('transcript')


def test_close_and_say_in_one_turn_chatham():
    close_and_say('chatham')


def test_two_opens_in_one_turn_open_two_rooms():
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'])
    r1, r2 = pipeline(h, ('room.open', {'community': 'cop', 'title': 'One',
                                        'record': 'off'}),
                      ('room.open', {'community': 'cop', 'title': 'Two',
                                     'record': 'off'}))
    id1, id2 = ok(r1)['room']['room_id'], ok(r2)['room']['room_id']
    assert id1 != id2
    # both are open, the opener is in each, and others can join each
    listed = {r['room_id']: r for r in ok(h.call('room.list'))['rooms']}
    assert id1 in listed and id2 in listed
    a = srv.session(keys['alice'])
    for rid in (id1, id2):
        j = ok(a.call('room.join', room_id=rid))
        assert 'host' in [p['handle'] for p in j['people']]
    ok(h.call('room.say', room_id=id1, text='in one'))
    m = until(a, ev('room.message', room_id=id1, text='in one'))
    assert m['data']['handle'] == 'host'


def test_every_room_operation_meets_a_close_in_one_turn():
    """Each room operation pipelined after a close in the same turn gets a
    clean error, and the server survives (ASan run included)."""
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'])
    a = srv.session(keys['alice'])
    later = [('room.say', {'text': 'x'}), ('room.topic', {'topic': 't'}),
             ('room.join', {}), ('room.leave', {}), ('room.pause', {}),
             ('room.mute', {'handle': 'alice'}), ('room.raise_hand', {}),
             ('room.support', {'text': 'help'}), ('room.close', {}),
             ('room.host', {'handle': 'alice'}),
             ('room.remove', {'handle': 'alice'})]
    for op, args in later:
        rid = ok(h.call('room.open', community='cop', title='T',
                        record='transcript'))['room']['room_id']
        ok(a.call('room.join', room_id=rid))
        closed, other = pipeline(h, ('room.close', {'room_id': rid}),
                                 (op, dict(args, room_id=rid)))
        ok(closed)
        err(other, 'not_found')
        until(a, ev('room.state', room_id=rid, closed=True))
    assert srv.alive()


def test_support_escalation_reaches_online_staff_live():
    srv = Server(config={'support_escalate': 1})
    keys = room_circle(srv, extra=(('sam', 'staff'),))
    st = srv.session(keys['sam'])
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Drop-in',
                    record='off'))['room']['room_id']
    h.close()  # no host left to answer
    a = srv.session(keys['alice'])
    ok(a.call('room.join', room_id=rid))
    ok(a.call('room.support', room_id=rid, text='please'))
    n = until(st, ev('notify.new', kind='support'), timeout=10)
    assert n['data']['room_id'] == rid and 'no host answered' in n['data']['text']
    stored = ok(st.call('notify.list'))['notifications']
    assert [x['id'] for x in stored if x['kind'] == 'support'] == [n['data']['id']]
    assert ok(st.call('notify.list'))['unread'] >= 1


def test_role_change_reaches_live_sessions_only_at_commit():
    """A request handled in the same turn as a role change, before its
    commit, still runs with the role as committed."""
    srv = Server()
    keys = people(srv, ('root', 'admin'), ('other', 'admin'))
    s = srv.session(keys['root'])
    changed, status = pipeline(s, ('admin.member.role', {'handle': 'root',
                                                         'role': 'member'}),
                               ('admin.status', {}))
    assert ok(changed)['role'] == 'member'
    ok(status)  # handled before the demotion committed
    # once committed, the live session has the new role
    err(s.call('admin.status'), 'forbidden')
    assert ok(s.call('whoami'))['member']['role'] == 'member'


def test_removed_member_stops_receiving_private_content():
    srv = Server()
    keys = room_circle(srv, extra=(('mgr', 'member'),))
    cid = srv.query("SELECT id FROM communities WHERE slug = 'cop'")[0][0]
    srv.execute("INSERT OR REPLACE INTO community_members (community_id, member_id, "
                "role, joined_at) SELECT ?, id, 'manager', 1 FROM members WHERE "
                "handle = 'mgr'", cid)
    h = srv.session(keys['host'])
    b = srv.session(keys['bob'])
    m = srv.session(keys['mgr'])
    t = ok(h.call('thread.create', slug='cop', title='Private', body='x'))['thread_id']
    rid = ok(h.call('room.open', community='cop', title='Drop-in',
                    record='off'))['room']['room_id']
    ok(b.call('thread.get', thread_id=t))
    ok(b.call('room.join', room_id=rid))
    ok(h.call('post.create', thread_id=t, body='before'))
    until(b, ev('thread.new_post', thread_id=t))
    ok(m.call('community.set_role', slug='cop', handle='bob', role='none'))
    gone = until(b, ev('room.state', room_id=rid, removed=True))
    assert 'no longer' in gone['data']['reason']
    until(h, lambda e: e.get('event') == 'room.presence' and
          e['data'].get('left') == 'bob')
    ok(h.call('post.create', thread_id=t, body='secret after'))
    ok(h.call('room.say', room_id=rid, text='secret in the room'))
    ok(b.call('whoami'))
    seen = json.dumps(drain(b, 0.5))
    assert 'secret' not in seen, seen
    err(b.call('thread.get', thread_id=t), 'not_found')


def test_platform_community_made_private_stops_outsiders_watching():
    srv = Server()
    keys = room_circle(srv, visibility='platform', extra=(('dave', 'member'),
                                                    ('root', 'admin')))
    h = srv.session(keys['host'])
    d = srv.session(keys['dave'])  # not a member: reads a platform community
    t = ok(h.call('thread.create', slug='cop', title='Open', body='x'))['thread_id']
    rid = ok(h.call('room.open', community='cop', title='Drop-in',
                    record='off'))['room']['room_id']
    ok(d.call('thread.get', thread_id=t))
    ok(d.call('room.join', room_id=rid))
    root = srv.session(keys['root'])
    ok(root.call('community.update', slug='cop', visibility='private'))
    until(d, ev('room.state', room_id=rid, removed=True))
    ok(h.call('post.create', thread_id=t, body='members only now'))
    ok(h.call('room.say', room_id=rid, text='members only in the room'))
    ok(d.call('whoami'))
    seen = json.dumps(drain(d, 0.5))
    assert 'members only' not in seen, seen


def test_community_left_member_keeps_nothing_live():
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'])
    c = srv.session(keys['carol'])
    t = ok(h.call('thread.create', slug='cop', title='Private', body='x'))['thread_id']
    ok(c.call('thread.get', thread_id=t))
    ok(c.call('community.leave', slug='cop'))
    ok(h.call('post.create', thread_id=t, body='secret after leaving'))
    ok(c.call('whoami'))
    assert 'secret' not in json.dumps(drain(c, 0.5))
