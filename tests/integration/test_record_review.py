"""Record review: a closed transcript or Chatham room's record is not
posted at once. Its hosts (and the community's managers) drop or edit lines
and publish; nobody else sees it before that; room_review_hours after the
close it is published as it stands, the hosts having been told; a Chatham
record never carries the name of anyone who was there."""
import time

from harness import Server
from fixtures import err, ok, room_circle, wait_until


def posts(srv, tid):
    return '\n'.join(b for (b,) in srv.query(
        'SELECT body FROM posts WHERE thread_id = ? ORDER BY id', tid))


def room_with_lines(srv, keys, mode, lines):
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Supervision',
                    record=mode))['room']['room_id']
    a = srv.session(keys['alice'])
    ok(a.call('room.join', room_id=rid))
    for who, text in lines:
        ok((h if who == 'host' else a).call('room.say', room_id=rid, text=text))
    return h, a, rid


def test_hosts_edit_and_drop_lines_then_publish():
    srv = Server()
    keys = room_circle(srv, extra=(('mgr', 'member'),))
    cid = srv.query("SELECT id FROM communities WHERE slug = 'cop'")[0][0]
    srv.execute("INSERT INTO community_members (community_id, member_id, role, joined_at) "
                "SELECT ?, id, 'manager', 1 FROM members WHERE handle = 'mgr'", cid)
    h, a, rid = room_with_lines(srv, keys, 'transcript', [
        ('alice', 'my client Jo Bloggs said something'),
        ('host', 'a line nobody should keep'),
        ('alice', 'the point about boundaries')])
    c = srv.session(keys['carol'])  # carol co-hosts
    ok(c.call('room.join', room_id=rid))
    ok(h.call('room.host', room_id=rid, handle='carol'))
    r = ok(h.call('room.close', room_id=rid))
    assert r['review'] is True and r['thread_id'] is None
    # the other hosts are told (the closer has the reply); nothing is posted
    n = [x for x in ok(c.call('notify.list'))['notifications']
         if x['kind'] == 'record_review']
    assert n and n[0]['room_id'] == rid and 'review' in n[0]['text'].lower()
    assert [x['room_id'] for x in ok(c.call('room.records'))['records']] == [rid]
    assert srv.query("SELECT count(*) FROM threads WHERE tags = 'room-record'") == [(0,)]
    assert [x['room_id'] for x in ok(h.call('room.records'))['records']] == [rid]
    # members who were there cannot read or change it; a manager can read it
    err(a.call('room.record.get', room_id=rid), 'not_found')
    assert ok(a.call('room.records'))['records'] == []
    m = srv.session(keys['mgr'])
    assert [x['room_id'] for x in ok(m.call('room.records'))['records']] == [rid]
    got = ok(m.call('room.record.get', room_id=rid))
    lines = got['lines']
    assert [x['text'] for x in lines][0] == 'my client Jo Bloggs said something'
    assert lines[0]['handle'] == 'alice' and got['record']['published'] is False
    # the host rewords one line and drops another
    ok(h.call('room.record.edit', room_id=rid, line_id=lines[0]['id'],
              body='my client said something'))
    ok(h.call('room.record.edit', room_id=rid, line_id=lines[1]['id'], drop=True))
    err(h.call('room.record.edit', room_id=rid, line_id=lines[1]['id'], body='  '),
        'bad_request')
    err(h.call('room.record.edit', room_id=rid, line_id=999999, drop=True), 'not_found')
    after = ok(h.call('room.record.get', room_id=rid))['lines']
    assert after[0]['edited'] and after[1]['dropped'] and not after[2]['dropped']
    err(a.call('room.record.publish', room_id=rid), 'not_found')
    tid = ok(h.call('room.record.publish', room_id=rid))['thread_id']
    text = posts(srv, tid)
    assert 'my client said something' in text and 'Jo Bloggs' not in text
    assert 'nobody should keep' not in text and 'boundaries' in text
    # once published: a thread like any other; no more edits
    err(h.call('room.record.edit', room_id=rid, line_id=lines[2]['id'], drop=True),
        'conflict')
    err(h.call('room.record.publish', room_id=rid), 'conflict')
    assert ok(a.call('thread.get', thread_id=tid))['thread']['id'] == tid
    assert ok(h.call('room.records'))['records'] == []


def test_chatham_record_names_nobody_who_was_there():
    srv = Server()
    keys = room_circle(srv)
    srv.execute("UPDATE members SET display_name = 'Alice Able' WHERE handle = 'alice'")
    srv.execute("UPDATE members SET display_name = 'Hana Host' WHERE handle = 'host'")
    h, a, rid = room_with_lines(srv, keys, 'chatham', [
        ('alice', 'thanks Hana and @host for this'),
        ('host', 'Alice’s point is fair, alice—and “Able” agrees…'),
        ('alice', 'ABLE, you said it; Carol could not come')])  # carol was not there
    ok(h.call('room.close', room_id=rid))
    got = ok(h.call('room.record.get', room_id=rid))
    assert all('handle' not in x for x in got['lines'])
    # the review shows what publishing keeps
    assert got['lines'][0]['as_published'] == 'thanks [name removed] and [name removed] for this'
    tid = ok(h.call('room.record.publish', room_id=rid))['thread_id']
    text = posts(srv, tid).replace('\\', '')  # Markdown escapes
    for name in ('Hana', 'Host', 'host', 'Alice', 'alice', 'Able', 'ABLE'):
        assert name not in text, (name, text)
    assert '[name removed]’s point is fair, [name removed]—and “[name removed]” agrees…' in text
    assert 'Carol could not come' in text


def test_record_is_published_as_it_stands_when_review_time_is_over():
    srv = Server(config={'room_review_hours': '0.002'})  # 7 s; told 1 s before
    keys = room_circle(srv)
    h, a, rid = room_with_lines(srv, keys, 'transcript', [('alice', 'kept as said')])
    ok(h.call('room.close', room_id=rid))
    deadline = time.time() + 20
    while time.time() < deadline:
        row = srv.query('SELECT published_at, thread_id, review_warned FROM rooms '
                        'WHERE id = ?', rid)[0]
        if row[0] is not None:
            break
        time.sleep(0.1)
    assert row[0] is not None and row[2] == 1
    assert 'kept as said' in posts(srv, row[1])
    texts = {x['kind']: x['text'] for x in ok(h.call('notify.list'))['notifications']}
    # the host who closed it was told before it went out, and that it did
    assert 'published as it stands' in texts['record_review']
    assert texts['record_published'].startswith('Published: the record')


def test_summary_and_off_rooms_have_no_review():
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='S', record='summary'))['room']['room_id']
    r = ok(h.call('room.close', room_id=rid, summary='Three things.'))
    assert r['review'] is False and r['thread_id'] is not None
    err(h.call('room.record.get', room_id=rid), 'not_found')
    rid = ok(h.call('room.open', community='cop', title='O', record='off'))['room']['room_id']
    assert ok(h.call('room.close', room_id=rid))['review'] is False
    err(h.call('room.record.publish', room_id=rid), 'not_found')


def test_two_records_of_one_title_are_told_apart_on_screen():
    """Two closed rooms with one title wait for review: Home and the
    review list say when each was held."""
    from fixtures import tui
    srv = Server()
    keys = room_circle(srv)
    rids = []
    for _ in range(2):
        h, a, rid = room_with_lines(srv, keys, 'transcript', [('alice', 'a line')])
        ok(h.call('room.close', room_id=rid))
        rids.append(rid)
    # the first was held the day before
    srv.execute('UPDATE rooms SET opened_at = opened_at - 86400 WHERE id = ?', rids[0])
    ok(srv.session(keys['host']).call('member.accept_coc'))
    t = tui(srv, keys['host'], 'host')
    try:
        t.wait_for('Room records to review (2)', timeout=15)
        # both rows, in one read of the screen (it may be drawn in parts)
        screen = wait_until(lambda: (lambda s: s if len(
            [ln for ln in s.splitlines() if 'Review: Supervision (held' in ln]) == 2
            else None)(t.screen()), 10, 'both records listed')
        held = [ln for ln in screen.splitlines() if 'Review: Supervision (held' in ln]
        assert len(held) == 2, screen
        assert held[0].split('(held')[1] != held[1].split('(held')[1], screen
    finally:
        t.kill()


def test_review_screen_follows_a_co_host_editing_and_publishing():
    """A host has the record open in the TUI while a co-host drops a line
    and publishes from another front end: the screen follows both."""
    from fixtures import tui
    srv = Server()
    keys = room_circle(srv)
    h, a, rid = room_with_lines(srv, keys, 'transcript', [
        ('alice', 'keep this one'), ('alice', 'drop that one')])
    c = srv.session(keys['carol'])
    ok(c.call('room.join', room_id=rid))
    ok(h.call('room.host', room_id=rid, handle='carol'))
    ok(h.call('room.close', room_id=rid))
    ok(h.call('member.accept_coc'))
    t = tui(srv, keys['host'], 'host')
    try:
        t.wait_for('Review: Supervision', timeout=15)
        # the last rows of Home: the record, Programme, Experts, Consults,
        # the platform's library
        t.keys('G', 'k', 'k', 'k', 'k', 'Enter')
        t.wait_for('Review a record')
        t.wait_for('drop that one')
        lines = ok(c.call('room.record.get', room_id=rid))['lines']
        ok(c.call('room.record.edit', room_id=rid, line_id=lines[1]['id'], drop=True))
        t.wait_for('[dropped]')
        ok(c.call('room.record.publish', room_id=rid))
        t.wait_for('Published: it is a thread')
    finally:
        t.kill()
