"""A room's line that nothing records waits for nobody's disk: on a server
whose WAL syncs are slow (HEARTH_TEST_SLOW_SYNC, a slow disk), a line
said in an unrecorded room reaches the room at once while another member's
write still waits for its sync; a member's own held reply still comes
before the line; and a recorded room's line, a write, still waits."""
import json
import os
import time

from harness import Server, tmpdir
from fixtures import ok, room_circle, until

SLOW_MS = 1500


def setup(record):
    """A server whose syncs turn slow once the room is set up."""
    slow = os.path.join(tmpdir(), 'slow-sync')
    os.environ['HEARTH_TEST_SLOW_SYNC'] = slow
    try:
        srv = Server()
    finally:
        del os.environ['HEARTH_TEST_SLOW_SYNC']
    keys = room_circle(srv)
    s = {n: srv.session(keys[n]) for n in ('host', 'alice', 'bob', 'carol')}
    rid = ok(s['host'].call('room.open', community='cop', title='Drop-in',
                            record=record))['room']['room_id']
    for n in ('alice', 'bob'):
        ok(s[n].call('room.join', room_id=rid))
    with open(slow, 'w') as f:
        f.write('%d\n' % SLOW_MS)
    return srv, s, rid


def is_line(m):
    return m.get('event') == 'room.message'


def committed(srv, handle, name):
    """Wait until the member's new name is committed (its sync, and so
    its ok, still to come)."""
    deadline = time.time() + 10
    while srv.query('SELECT display_name FROM members WHERE handle = ?',
                    handle)[0][0] != name:
        assert time.time() < deadline, 'the write was not committed'
        time.sleep(0.02)


def test_an_unrecorded_line_does_not_wait_for_another_members_sync():
    srv, s, rid = setup('off')
    # carol's write is committed, its ok waits for the slow sync; then
    # alice speaks
    t0 = time.time()
    s['carol'].send({'id': 77, 'op': 'profile.update',
                     'args': {'display_name': 'Carol C'}})
    committed(srv, 'carol', 'Carol C')
    s['alice'].send({'id': 78, 'op': 'room.say',
                     'args': {'room_id': rid, 'text': 'anyone here?'}})
    line = until(s['bob'], is_line, timeout=15)
    t_line = time.time() - t0
    assert line['data']['text'] == 'anyone here?'
    r = s['carol'].reply(77, timeout=15)
    t_write = time.time() - t0
    assert r.get('ok'), r
    # the write really waited for the slow disk; the line did not
    assert t_write >= SLOW_MS / 1000.0 * 0.9, t_write
    assert t_line < t_write and t_line < SLOW_MS / 1000.0 * 0.5, (t_line, t_write)


def test_a_members_own_held_reply_still_comes_before_the_line():
    srv, s, rid = setup('off')
    bob = s['bob']
    bob.events.clear()
    bob.send({'id': 91, 'op': 'profile.update', 'args': {'display_name': 'Bob B'}})
    # bob's ok is held for the sync; then alice speaks
    committed(srv, 'bob', 'Bob B')
    s['alice'].send({'id': 92, 'op': 'room.say',
                     'args': {'room_id': rid, 'text': 'after bob'}})
    order = []
    deadline = time.time() + 15
    while len(order) < 2 and time.time() < deadline:
        m = bob.recv(timeout=15)
        if m.get('id') == 91:
            order.append('ok')
        elif is_line(m) and m['data']['text'] == 'after bob':
            order.append('line')
    assert order == ['ok', 'line'], order
    # alice, whose conn holds nothing, heard her own line at once
    assert until(s['alice'], is_line, timeout=5)['data']['text'] == 'after bob'


def test_a_recorded_line_still_waits_for_its_sync():
    srv, s, rid = setup('transcript')
    t0 = time.time()
    s['alice'].send({'id': 5, 'op': 'room.say',
                     'args': {'room_id': rid, 'text': 'kept for the record'}})
    line = until(s['bob'], is_line, timeout=15)
    waited = time.time() - t0
    assert line['data']['text'] == 'kept for the record'
    # a recorded line is a write: nobody hears it before it is on the disk
    assert waited >= SLOW_MS / 1000.0 * 0.9, waited
    assert srv.query('SELECT count(*) FROM room_messages WHERE room_id = ?',
                     rid)[0][0] == 1


def pipelined(sess, *reqs):
    """Requests in one write, so the server reads them in one loop turn."""
    sess.send_raw(b''.join(json.dumps(r).encode() + b'\n' for r in reqs))


def room_events(sess, want, names=None, timeout=15):
    """The next `want` room events (name, data) of these names, in the
    order they came (fewer if the time runs out)."""
    got = []
    deadline = time.time() + timeout
    while len(got) < want and time.time() < deadline:
        try:
            m = sess.recv(timeout=max(0.1, deadline - time.time()))
        except AssertionError:
            break  # timed out
        name = (m or {}).get('event', '')
        if name.startswith('room.') and (names is None or name in names):
            got.append((name, m['data']))
    return got


def test_a_line_said_after_a_writes_message_does_not_overtake_it():
    # the host leaves ("No host is in the room"), then comes back and
    # speaks in one breath: the join is a write whose "A host is here
    # again" (numbered first) waits for the slow sync; the line, said
    # after it in the same loop turn, must not reach the room before it
    # (a client drops a message numbered below one it has shown)
    srv, s, rid = setup('off')
    ok(s['host'].call('room.leave', room_id=rid, timeout=15))
    assert 'No host' in until(s['bob'], is_line, timeout=15)['data']['text']
    pipelined(s['host'],
              {'id': 1, 'op': 'room.join', 'args': {'room_id': rid}},
              {'id': 2, 'op': 'room.say', 'args': {'room_id': rid,
                                                   'text': 'back now'}})
    lines = [d for name, d in room_events(s['bob'], 2, ('room.message',))]
    texts = [d['text'] for d in lines]
    assert texts[:2] == ['A host is here again.', 'back now'], texts
    seqs = [d['seq'] for d in lines]
    assert seqs == sorted(seqs), seqs


def test_a_rooms_change_reaches_the_room_before_a_line_said_after_it():
    srv, s, rid = setup('off')
    s['bob'].events.clear()
    pipelined(s['host'],
              {'id': 1, 'op': 'room.topic', 'args': {'room_id': rid,
                                                     'topic': 'Supervision'}},
              {'id': 2, 'op': 'room.say', 'args': {'room_id': rid,
                                                   'text': 'topic set'}})
    got = room_events(s['bob'], 2, ('room.state', 'room.message'))
    names = [name for name, d in got]
    assert names == ['room.state', 'room.message'], got
    assert got[0][1].get('topic') == 'Supervision', got


def test_the_room_hears_a_host_leave_before_no_host_and_join_before_back():
    srv, s, rid = setup('off')
    bob = s['bob']
    bob.events.clear()
    ok(s['host'].call('room.leave', room_id=rid, timeout=15))
    got = room_events(bob, 2, ('room.presence', 'room.message'))
    assert got[0][0] == 'room.presence' and got[0][1].get('left') == 'host', got
    assert got[1][0] == 'room.message' and 'No host' in got[1][1]['text'], got
    # a room that records nothing keeps no record when it closes by itself
    assert 'it closes by itself.' in got[1][1]['text'], got
    assert 'record' not in got[1][1]['text'], got
    ok(s['host'].call('room.join', room_id=rid, timeout=15))
    got = room_events(bob, 2, ('room.presence', 'room.message'))
    assert got[0][0] == 'room.presence' and got[0][1].get('joined') == 'host', got
    assert got[1][0] == 'room.message' and got[1][1]['text'] == 'A host is here again.', got


def test_a_write_in_another_room_does_not_hold_a_live_line():
    srv, s, rid = setup('off')
    other = ok(s['host'].call('room.open', community='cop', title='Second',
                              record='off', timeout=15))['room']['room_id']
    s['bob'].events.clear()
    # one turn: the host leaves the second room (a write, its "No host"
    # waits for the slow sync) and speaks in the first
    t0 = time.time()
    pipelined(s['host'],
              {'id': 1, 'op': 'room.leave', 'args': {'room_id': other}},
              {'id': 2, 'op': 'room.say', 'args': {'room_id': rid,
                                                   'text': 'over here'}})
    line = until(s['bob'], is_line, timeout=15)
    t_line = time.time() - t0
    assert line['data']['text'] == 'over here', line
    r = s['host'].reply(1, timeout=15)
    t_write = time.time() - t0
    assert r.get('ok'), r
    assert t_write >= SLOW_MS / 1000.0 * 0.9, t_write
    assert t_line < SLOW_MS / 1000.0 * 0.5, (t_line, t_write)
