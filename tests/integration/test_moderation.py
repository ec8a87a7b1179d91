"""Moderation end to end: a member reports a post, a leader hides it with a
reason from the TUI's Reports tab; its author sees the reason and others a
tombstone; the thread screen's moderator keys (hide, pin, lock, rename);
the same from the line mode; mutes that block writing and end by
themselves; who may see and resolve reports, and who is never named; two
resolutions, or a hide and an edit, in one write; published room records
changed only by moderators. A real hearthd, real ssh, tmux for screens."""
import datetime
import json
import re

from fixtures import community, err, ok, people, tui, wait_db, wait_gone, wait_until
from harness import Server
from test_plain import plain


def world():
    """Community cop (private): lead (leader), mgr (manager), alice, bob and
    carol (members); alice has started a thread."""
    srv = Server()
    keys = people(srv, 'lead', 'mgr', 'alice', 'bob', 'carol')
    for h, name in (('lead', 'Lena Lead'), ('mgr', 'Mo Manager'), ('alice', 'Alice Able'),
                    ('bob', 'Bob Baker'), ('carol', 'Carol Cole')):
        srv.execute('UPDATE members SET display_name = ? WHERE handle = ?', name, h)
    community(srv, 'cop', 'private', [('lead', 'leader'), ('mgr', 'manager'),
                                      ('alice', 'member'), ('bob', 'member'),
                                      ('carol', 'member')], name='Careers')
    a = srv.session(keys['alice'])
    tid = ok(a.call('thread.create', slug='cop', title='Salary talk',
                    body='Everyone here is clueless about salaries.'))['thread_id']
    a.close()
    pid = srv.query('SELECT id FROM posts WHERE thread_id = ?', tid)[0][0]
    return srv, keys, tid, pid


def notes(srv, handle):
    return [r[0] for r in srv.query(
        'SELECT n.text FROM notifications n JOIN members m ON m.id = n.member_id '
        'WHERE m.handle = ? ORDER BY n.id', handle)]


def open_salary_thread(t, title='Salary talk'):
    """From Home: Careers, then the thread alice started (after the pinned
    Welcome and Introductions); members see no title once its first post
    is hidden."""
    t.wait_for('Careers', timeout=15)
    t.keys('Enter')
    t.wait_for('1 Threads', title)
    t.keys('G', 'Enter')
    return t.wait_for('post 1 of')


def test_tui_report_then_hide_from_reports_tab():
    srv, keys, tid, pid = world()
    # bob reports the post from the thread screen
    t = tui(srv, keys['bob'], 'bob')
    try:
        open_salary_thread(t)
        t.keys('!')
        t.wait_for('Report a post', 'What is wrong')
        t.keys('Insulting to members', 'Enter')
        t.wait_for('Reported.')
    finally:
        t.kill()
    assert srv.query('SELECT reason, outcome FROM post_reports WHERE post_id = ?',
                     pid) == [('Insulting to members', None)]
    # the leaders and managers were told, without the reporter's name
    for h in ('lead', 'mgr'):
        n = notes(srv, h)
        assert any('was reported: Insulting to members' in x for x in n), n
        assert not any('bob' in x.lower() for x in n), n
    # lead: the Reports tab with its count; hide with a reason
    t = tui(srv, keys['lead'], 'lead', width=100, height=30)
    try:
        t.wait_for('Careers', timeout=15)
        t.keys('Enter')
        t.wait_for('7 Reports (1)')
        t.keys('7')
        screen = t.wait_for('1 open report', 'Insulting to members')
        assert 'Reported by @bob' in screen and 'Salary talk' in screen
        assert 'clueless' in screen
        t.keys('H')
        t.wait_for('Hide the reported post')
        t.keys('C-u', 'Please keep it civil', 'Tab')
        t.keys('Enter')     # still "no": refused with how to confirm
        t.wait_for('Set the last field to yes')
        t.keys('Space', 'Enter')
        t.wait_for('No open reports.')
    finally:
        t.kill()
    assert srv.query('SELECT hidden_reason FROM posts WHERE id = ?', pid) == \
        [('Please keep it civil',)]
    assert srv.query('SELECT outcome FROM post_reports WHERE post_id = ?', pid) == \
        [('hidden',)]
    # the reporter hears the outcome, with no names; the author the reason,
    # never the reporter
    n = notes(srv, 'bob')
    assert any('was reviewed: the moderators hid the post' in x for x in n), n
    assert not any('lead' in x.lower() or 'lena' in x.lower() for x in n), n
    n = notes(srv, 'alice')
    assert any('hid your post' in x and 'Please keep it civil' in x for x in n), n
    assert not any('bob' in x.lower() or 'insulting' in x.lower() for x in n), n
    # the audit row names the member acted on
    rows = srv.query("SELECT actor, action, target, detail FROM audit WHERE action IN "
                     "('post.hide', 'report.resolve') ORDER BY id")
    assert [r[:3] for r in rows] == [('lead', 'post.hide', 'alice'),
                                     ('lead', 'report.resolve', 'alice')], rows
    assert all('community=cop' in r[3] for r in rows), rows
    # alice sees that it is hidden, and why; carol sees only a tombstone
    t = tui(srv, keys['alice'], 'alice')
    try:
        screen = open_salary_thread(t)
        screen = t.wait_for('hidden from others: Please keep it civil')
        assert 'clueless' in screen
    finally:
        t.kill()
    t = tui(srv, keys['carol'], 'carol')
    try:
        open_salary_thread(t, '(hidden by a moderator)')
        screen = t.wait_for('(hidden by a moderator)')
        assert 'clueless' not in screen and 'civil' not in screen
    finally:
        t.kill()


def test_tui_thread_moderator_keys():
    srv, keys, tid, pid = world()
    t = tui(srv, keys['lead'], 'lead', width=100, height=30)
    try:
        open_salary_thread(t)
        # hide the selected post, with a reason and a confirmation
        t.keys('H')
        t.wait_for('Hide a post', 'Reason')
        t.keys('Off topic here', 'Tab', 'Space', 'Enter')
        t.wait_for('hidden from others: Off topic here')
        wait_db(srv, 'SELECT hidden_reason FROM posts WHERE id = ?', [('Off topic here',)],
                pid)
        # and show it again
        t.keys('H')
        t.wait_for('Show a hidden post')
        t.keys('Space', 'Enter')
        wait_gone(t, 'hidden from others')
        wait_db(srv, 'SELECT hidden_at FROM posts WHERE id = ?', [(None,)], pid)
        # pin and lock the thread
        t.keys('P')
        t.wait_for('now pinned')
        t.keys('L')
        t.wait_for('locked (no new replies)')
        assert srv.query('SELECT pinned, locked FROM threads WHERE id = ?', tid) == [(1, 1)]
        # rename and retag it
        t.keys('T')
        t.wait_for('Rename and retag')
        t.keys('C-u', 'Pay and salaries', 'Tab', 'pay, careers', 'Enter')
        t.wait_for('post 1 of', 'Pay and salaries')     # the thread again, renamed
        assert srv.query('SELECT title, tags FROM threads WHERE id = ?', tid) == \
            [('Pay and salaries', 'pay careers')]
        # the post's history: never edited
        t.keys('V')
        t.wait_for('Edit history', 'never edited')
        t.keys('Enter')
        # mute its author for a day, with a reason
        t.wait_for('Pay and salaries')
        t.keys('M')
        t.wait_for('Mute a member')
        t.keys('Tab', 'C-u', '2h', 'Tab', 'Cooling off', 'Tab', 'Space', 'Enter')
        t.wait_for('@alice is muted in cop until')
    finally:
        t.kill()
    audit = srv.query("SELECT action, target, detail FROM audit WHERE action LIKE 'post.%' "
                      "OR action LIKE 'member.%mute' ORDER BY id")
    assert [a[:2] for a in audit] == [('post.hide', 'alice'), ('post.unhide', 'alice'),
                                      ('member.mute', 'alice')], audit
    assert 'community=cop' in audit[2][2] and 'Cooling off' in audit[2][2]
    # a plain member is refused the moderator keys on the screen
    t = tui(srv, keys['carol'], 'carol', width=100, height=30)
    try:
        t.wait_for('Careers', timeout=15)
        t.keys('Enter')
        t.wait_for('1 Threads', '📌 ● Pay and salaries')      # pinned: the first row
        t.keys('Enter')
        t.wait_for('post 1 of')
        t.keys('H')
        t.wait_for('Only the community')
        t.keys('q')
        screen = t.wait_for('1 Threads')
        t.keys('7')     # no Reports tab either: a member stays on Threads
        t.keys('2')
        t.wait_for('No polls yet.')
        assert 'Reports' not in t.screen() and 'Reports' not in screen
    finally:
        t.kill()


def test_tui_author_deletes_with_confirmation_and_closes_poll():
    srv, keys, tid, pid = world()
    a = srv.session(keys['alice'])
    ok(a.call('post.edit', post_id=pid, body='Salaries differ a lot.'))
    poll = ok(a.call('poll.create', slug='cop', question='Talk pay monthly?',
                     options=['yes', 'no']))['poll']['id']
    a.close()
    t = tui(srv, keys['alice'], 'alice', width=100, height=30)
    try:
        open_salary_thread(t)
        t.keys('V')
        t.wait_for('Edit history', 'clueless', 'Salaries differ')
        t.keys('Enter')
        t.wait_for('post 1 of')
        t.keys('D')
        t.wait_for('Delete your post')
        t.keys('Enter')
        t.wait_for('Set the last field to yes')
        assert srv.query('SELECT deleted_at FROM posts WHERE id = ?', pid) == [(None,)]
        t.keys('Space', 'Enter')
        t.wait_for('(deleted by its author)')
        # the poll: its author closes it from the poll screen
        t.keys('q')
        t.wait_for('Salary talk')
        t.keys('2')
        t.wait_for('Talk pay monthly?')
        t.keys('Enter')
        t.wait_for('C:close the poll')
        t.keys('C')
        t.wait_for('Close the poll')
        t.keys('Space', 'Enter')
        t.wait_for('This poll is closed.')
    finally:
        t.kill()
    assert srv.query('SELECT closed_at IS NOT NULL FROM polls WHERE id = ?', poll) == [(1,)]


def pick(t, title):
    """Type the number the newest screen gives a title ("  N. title")."""
    screen = t.wait_for(title)
    n = re.findall(r'(\d+)\. (?:\[new\] )?' + re.escape(title), screen)[-1]
    t.keys(n, 'Enter')


def plain_thread(t, title='Salary talk'):
    """From the main menu: Careers, then alice's thread."""
    t.keys('1', 'Enter')
    t.wait_for('1. Careers')
    t.keys('1', 'Enter')
    pick(t, title)
    return t.wait_for('! N report')


def test_plain_report_hide_resolve_pin_lock():
    srv, keys, tid, pid = world()
    b = srv.session(keys['bob'])
    second = ok(b.call('post.create', thread_id=tid, body='Agreed, totally clueless.'))
    second = second['post']['id'] if 'post' in second else second['post_id']
    b.close()
    # carol reports alice's post from the line mode
    t = plain(srv, keys['carol'], 'carol')
    try:
        plain_thread(t)
        t.keys('! 1', 'Enter')
        t.wait_for('What is wrong')
        t.keys('Mocks members', 'Enter')
        t.wait_for('Reported. You will be told the outcome.')
    finally:
        t.kill()
    rid = srv.query('SELECT id FROM post_reports WHERE post_id = ?', pid)[0][0]
    # lead: the reports queue, then hide with a reason; in the thread hide
    # bob's reply, pin and lock
    t = plain(srv, keys['lead'], 'lead')
    try:
        t.keys('1', 'Enter')
        t.wait_for('1. Careers')
        t.keys('1', 'Enter')
        t.wait_for('R reports')
        t.keys('R', 'Enter')
        t.wait_for('1 open', 'reported by @carol: Mocks members')
        t.keys('h 1', 'Enter')
        t.wait_for('Why hide it')
        t.keys('Be kind to colleagues', 'Enter')
        t.wait_for('Hide the post? y/n')
        t.keys('y', 'Enter')
        t.wait_for('the reporter is told the outcome')
        t.wait_for('0 open')
        t.keys('0', 'Enter')
        pick(t, 'Salary talk')
        t.wait_for('h N hide or show')
        t.keys('h 2', 'Enter')
        t.wait_for('Why hide it')
        t.keys('Piling on', 'Enter')
        # the question is the last line now (an earlier one may still show)
        wait_until(lambda: [ln for ln in t.screen().splitlines() if ln.strip()][-1]
                   .rstrip().endswith('y/n:'), 10, 'the hide question')
        t.keys('y', 'Enter')
        t.wait_for('Hidden; its author is told why.')
        t.keys('P', 'Enter')
        t.wait_for('Pinned.')
        t.keys('L', 'Enter')
        t.wait_for('Locked.')
    finally:
        t.kill()
    assert srv.query('SELECT id, hidden_reason FROM posts WHERE thread_id = ? ORDER BY id',
                     tid) == [(pid, 'Be kind to colleagues'), (second, 'Piling on')]
    assert srv.query('SELECT outcome FROM post_reports WHERE id = ?', rid) == [('hidden',)]
    assert srv.query('SELECT pinned, locked FROM threads WHERE id = ?', tid) == [(1, 1)]
    assert any('the moderators hid the post' in n for n in notes(srv, 'carol'))
    # bob, in the line mode, sees his post hidden and why; carol a tombstone
    t = plain(srv, keys['bob'], 'bob')
    try:
        screen = plain_thread(t, '(hidden by a moderator)')
        assert 'hidden from others by a moderator: Piling on' in screen, screen
        assert '(hidden by a moderator)' in screen     # alice's, to him
        assert 'Everyone here is clueless' not in screen
    finally:
        t.kill()


def test_mute_blocks_writing_and_ends_by_itself():
    srv, keys, tid, pid = world()
    lead = srv.session(keys['lead'])
    alice = srv.session(keys['alice'])
    carol = srv.session(keys['carol'])
    # members may not mute; leaders may not mute a manager
    err(carol.call('member.mute', slug='cop', handle='alice', seconds=60, reason='x'),
        'forbidden')
    err(lead.call('member.mute', slug='cop', handle='mgr', seconds=60, reason='x'),
        'forbidden', 'below yours')
    err(lead.call('member.mute', slug='cop', handle='alice', seconds=60, reason='  '),
        'bad_request')
    # a short mute: every way of writing there is refused, with why and until when
    r = ok(lead.call('member.mute', slug='cop', handle='alice', seconds=3,
                     reason='Heated thread'))
    assert r['handle'] == 'alice' and r['until'].endswith('Z')
    msg = err(alice.call('post.create', thread_id=tid, body='One more thing'), 'forbidden')
    assert 'Heated thread' in msg and 'until' in msg and 'UTC' in msg, msg
    err(alice.call('thread.create', slug='cop', title='New', body='Hi'), 'forbidden',
        'Heated thread')
    rid = ok(lead.call('room.open', community='cop', title='Chat', record='off'))['room']['room_id']
    ok(alice.call('room.join', room_id=rid))
    r = alice.call('room.say', room_id=rid, text='Hello')
    assert not r['ok'] and 'Heated thread' in r['error']['message'], r
    # she may still read, and knows from a notification
    ok(alice.call('thread.get', thread_id=tid))
    assert any('muted you in Careers until' in n and 'Heated thread' in n
               for n in notes(srv, 'alice'))
    assert [m['handle'] for m in ok(lead.call('community.mutes', slug='cop'))['mutes']] == \
        ['alice']
    # it ends by itself
    wait_until(lambda: alice.call('post.create', thread_id=tid, body='Back again')['ok'],
               timeout=15, what='the mute to end')
    assert ok(lead.call('community.mutes', slug='cop'))['mutes'] == []
    # a long one, lifted early by a manager
    ok(lead.call('member.mute', slug='cop', handle='alice', seconds=3600, reason='Again'))
    err(alice.call('post.create', thread_id=tid, body='x'), 'forbidden', 'Again')
    err(carol.call('member.unmute', slug='cop', handle='alice'), 'forbidden')
    mgr = srv.session(keys['mgr'])
    ok(mgr.call('member.unmute', slug='cop', handle='alice'))
    err(mgr.call('member.unmute', slug='cop', handle='alice'), 'conflict')
    ok(alice.call('post.create', thread_id=tid, body='Thanks'))
    assert [r[0] for r in srv.query("SELECT target FROM audit WHERE action IN "
                                    "('member.mute', 'member.unmute') ORDER BY id")] == \
        ['alice', 'alice', 'alice']


def test_reports_queue_privacy():
    srv, keys, tid, pid = world()
    lead, mgr, bob, carol = (srv.session(keys[h]) for h in ('lead', 'mgr', 'bob', 'carol'))
    # a post by lead (a leader) reported by bob
    lp = ok(lead.call('post.create', thread_id=tid, body='Leaders know best.'))
    lp = lp['post']['id'] if 'post' in lp else lp['post_id']
    rid = ok(bob.call('post.report', post_id=lp, reason='Condescending'))['report_id']
    err(bob.call('post.report', post_id=lp, reason='Again'), 'conflict')
    err(lead.call('post.report', post_id=lp, reason='Mine'), 'conflict')
    err(bob.call('post.report', post_id=lp, reason=' '), 'bad_request')
    # a plain member sees no queue and resolves nothing
    err(carol.call('report.list', slug='cop'), 'forbidden')
    err(carol.call('report.resolve', report_id=rid, action='dismiss'), 'forbidden')
    err(carol.call('community.mutes', slug='cop'), 'forbidden')
    # the reported leader does not see the report, nor may resolve it
    assert ok(lead.call('report.list', slug='cop'))['reports'] == []
    err(lead.call('report.resolve', report_id=rid, action='dismiss'), 'forbidden')
    got = ok(mgr.call('report.list', slug='cop'))
    assert got['open'] == 1 and got['reports'][0]['reporter'] == 'bob'
    err(mgr.call('report.resolve', report_id=rid, action='contact'), 'bad_request')
    err(mgr.call('report.resolve', report_id=rid, action='ban', message='x'), 'bad_request')
    ok(mgr.call('report.resolve', report_id=rid, action='contact',
                message='Please be gentler with newcomers.'))
    # the author hears from "the leaders and managers", never who reported
    n = notes(srv, 'lead')
    assert any('write about your post' in x and 'gentler' in x for x in n), n
    assert not any('bob' in x.lower() or 'condescending' in x.lower() for x in n), n
    n = notes(srv, 'bob')
    assert any('the moderators wrote to its author' in x for x in n), n
    assert not any('mgr' in x.lower() or 'mo manager' in x.lower() for x in n), n
    # a private community's posts cannot be reported from outside
    outsider = srv.session(srv.new_member('zed'))
    ok(outsider.call('member.accept_coc'))
    err(outsider.call('post.report', post_id=pid, reason='x'), 'not_found')


def test_two_resolutions_and_hide_with_edit_in_one_write():
    srv, keys, tid, pid = world()
    lead, bob = srv.session(keys['lead']), srv.session(keys['bob'])
    rid = ok(bob.call('post.report', post_id=pid, reason='Rude'))['report_id']
    # two resolutions of the same report, pipelined in one write
    lines = [{'id': 101, 'op': 'report.resolve',
              'args': {'report_id': rid, 'action': 'hide', 'message': 'Rude'}},
             {'id': 102, 'op': 'report.resolve',
              'args': {'report_id': rid, 'action': 'dismiss'}}]
    lead.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    first, second = lead.reply(101), lead.reply(102)
    assert ok(first)['outcome'] == 'hidden'
    err(second, 'conflict', 'already resolved (hidden)')
    assert srv.query('SELECT outcome FROM post_reports WHERE id = ?', rid) == [('hidden',)]
    assert sum('was reviewed' in n for n in notes(srv, 'bob')) == 1
    # a leader's own post: hidden and edited in one write; the edit loses
    lp = ok(lead.call('post.create', thread_id=tid, body='Original words'))
    lp = lp['post']['id'] if 'post' in lp else lp['post_id']
    lines = [{'id': 201, 'op': 'post.hide', 'args': {'post_id': lp, 'reason': 'Test'}},
             {'id': 202, 'op': 'post.edit', 'args': {'post_id': lp, 'body': 'Changed'}}]
    lead.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    ok(lead.reply(201))
    err(lead.reply(202), 'conflict', 'hid this post')
    assert srv.query('SELECT body, hidden_reason FROM posts WHERE id = ?', lp) == \
        [('Original words', 'Test')]


def test_published_record_changes_only_by_moderators():
    srv, keys, tid, pid = world()
    lead, mgr = srv.session(keys['lead']), srv.session(keys['mgr'])
    rid = ok(lead.call('room.open', community='cop', title='Pay clinic',
                       record='summary'))['room']['room_id']
    ok(lead.call('room.close', room_id=rid, summary='We compared pay bands.'))
    thread = srv.query('SELECT thread_id FROM rooms WHERE id = ? AND published_at IS NOT '
                       'NULL', rid)[0][0]
    post = srv.query('SELECT id FROM posts WHERE thread_id = ? ORDER BY id', thread)[0][0]
    # the host, no longer a leader, may not rewrite the published record
    srv.execute("UPDATE community_members SET role = 'member' WHERE member_id = "
                "(SELECT id FROM members WHERE handle = 'lead')")
    err(lead.call('post.edit', post_id=post, body='Rewritten'), 'forbidden',
        'published room record')
    # a manager (not its author) may
    ok(mgr.call('post.edit', post_id=post, body='We compared pay bands (corrected).'))
    assert srv.query('SELECT body FROM posts WHERE id = ?', post) == \
        [('We compared pay bands (corrected).',)]
    # an ordinary reply in that thread is still its author's to edit
    r = ok(lead.call('post.create', thread_id=thread, body='Slides to follow'))
    rp = r['post']['id'] if 'post' in r else r['post_id']
    ok(lead.call('post.edit', post_id=rp, body='Slides attached'))


def test_tui_leader_edits_event():
    srv, keys, tid, pid = world()
    now = datetime.datetime.now(datetime.timezone.utc)
    first = (now + datetime.timedelta(days=4)).replace(hour=15, minute=0, second=0,
                                                       microsecond=0)
    moved = first + datetime.timedelta(days=1, hours=2)
    lead = srv.session(keys['lead'])
    eid = ok(lead.call('event.create', community='cop', title='Pay clinic', kind='drop_in',
                       starts_at=first.strftime('%Y-%m-%dT%H:%M:%SZ'), duration=60,
                       capacity=10, description='Bring payslips.'))['event']['id']
    lead.close()
    t = tui(srv, keys['lead'], 'lead', width=100, height=30)
    try:
        t.wait_for('Welcome, Lena Lead', timeout=15)
        t.keys('E')
        t.wait_for('Upcoming events  (times UTC)', 'Pay clinic')
        t.keys('Enter')
        t.wait_for('Coming:', 'e:edit')
        t.keys('e')
        screen = t.wait_for('Edit the event', 'Bring payslips.')
        assert first.strftime('%Y-%m-%d %H:%M') in screen, screen
        t.keys('C-u', 'Pay clinic, moved', 'Tab', 'Tab')
        t.keys('C-u', moved.strftime('%Y-%m-%d %H:%M'), 'Tab', 'C-u', '90', 'C-s')
        t.wait_for('Pay clinic, moved', 'Coming:')
    finally:
        t.kill()
    assert srv.query('SELECT title, starts_at, duration, capacity, description FROM events '
                     'WHERE id = ?', eid) == [('Pay clinic, moved', int(moved.timestamp()),
                                               5400, 10, 'Bring payslips.')]
