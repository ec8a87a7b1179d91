"""Screens that tell the truth and lose nothing (issue 14): drafts for every
target (draft.list; the room line, forms, the profile, the line mode),
coming back to the same screen after a dropped link (session.where and
session.resume), live refreshes (a thread list, a role, the Requests tab,
a mute in a room), the room-open banner, and a notification landing on
its post. Real hearthd, real ssh; the TUI through ssh -tt in tmux."""
import json
import subprocess

from fixtures import (community, err, member_id, ok, people, tui, wait_db, wait_gone,
                      wait_until)
from harness import Server, Tmux


def kill_ssh(t):
    """A dropped link: the ssh client tmux runs is killed with SIGKILL."""
    out = subprocess.run(['tmux', '-S', t.sock, 'list-panes', '-t', t.name, '-F',
                          '#{pane_pid}'], capture_output=True, text=True).stdout.split()
    for pid in out:
        subprocess.run(['pkill', '-KILL', '-P', pid])
        subprocess.run(['kill', '-KILL', pid])
    t.kill()


def drafts(srv, handle):
    return dict(srv.query('SELECT d.key, d.body FROM drafts d JOIN members m ON '
                          'm.id = d.member_id WHERE m.handle = ?', handle))


def plain(srv, key, user, height=50):
    """The line mode (TERM=dumb) in tmux."""
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    return Tmux('TERM=dumb ' + ' '.join(cmd), 100, height)


# ---- the protocol ----

def test_draft_list_and_two_saves_in_one_write():
    srv = Server()
    keys = people(srv, 'pat', 'sam')
    p = srv.session(keys['pat'])
    # two saves pipelined in one write, the second a later version of the
    # first's key, a third key in the same write: all kept, in order
    p.send_raw((json.dumps({'id': 70, 'op': 'draft.save', 'args': {
        'key': 'room:5', 'body': 'first words'}}) + '\n' +
        json.dumps({'id': 71, 'op': 'draft.save', 'args': {
            'key': 'room:5', 'body': 'first words and more'}}) + '\n' +
        json.dumps({'id': 72, 'op': 'draft.save', 'args': {
            'key': 'thread:cop', 'title': 'A title', 'body': 'x' * 400}}) + '\n').encode())
    for rid in (70, 71, 72):
        assert ok(p.reply(rid))['saved'] is True
    assert drafts(srv, 'pat') == {'room:5': 'first words and more', 'thread:cop': 'x' * 400}
    got = ok(p.call('draft.list'))['drafts']
    assert {d['key'] for d in got} == {'room:5', 'thread:cop'}
    t = [d for d in got if d['key'] == 'thread:cop'][0]
    assert t['title'] == 'A title' and t['preview'] == 'x' * 160 and t['length'] == 400
    # yours alone
    assert ok(srv.session(keys['sam']).call('draft.list'))['drafts'] == []
    ok(p.call('draft.save', key='room:5'))
    assert [d['key'] for d in ok(p.call('draft.list'))['drafts']] == ['thread:cop']


def test_session_where_and_resume():
    srv = Server({'resume_minutes': 10})
    keys = people(srv, 'pat', 'sam')
    p = srv.session(keys['pat'])
    assert ok(p.call('session.resume')) == {'where': None, 'resume_minutes': 10}
    ok(p.call('session.where', screen='thread', thread_id=7, post_id=9, slug='cop',
              title='Supervision'))
    w = ok(srv.session(keys['pat']).call('session.resume'))['where']
    assert w['screen'] == 'thread' and w['thread_id'] == 7 and w['post_id'] == 9
    assert w['slug'] == 'cop' and w['title'] == 'Supervision'
    assert ok(srv.session(keys['sam']).call('session.resume'))['where'] is None
    # bad input: a clear refusal, the position kept
    err(p.call('session.where', screen='attic'), 'bad_request', 'home, community')
    err(p.call('session.where', screen='room'), 'bad_request', 'room_id')
    err(p.call('session.where', screen='community', slug='a\x1bb'), 'bad_request')
    err(p.call('session.where', screen='community', slug='cop', tab=99), 'bad_request')
    assert ok(p.call('session.resume'))['where']['thread_id'] == 7
    # older than resume_minutes: Home
    srv.execute('UPDATE member_where SET updated_at = updated_at - 601')
    assert ok(p.call('session.resume'))['where'] is None
    # a clean quit forgets it
    ok(p.call('session.where', screen='community', slug='cop', tab=2))
    assert ok(p.call('session.resume'))['where']['tab'] == 2
    ok(p.call('session.where'))
    assert ok(p.call('session.resume'))['where'] is None
    assert srv.query('SELECT count(*) FROM member_where') == [(0,)]


# ---- the TUI ----

def forum(srv, posts=12, names=True):
    """pat and sam in Students (cop), a thread of posts by sam."""
    keys = people(srv, 'pat', 'sam', 'mia')
    if names:
        srv.execute("UPDATE members SET display_name = 'Pat Doe' WHERE handle = 'pat'")
    community(srv, 'cop', name='Students', members=[('pat', 'member'), ('sam', 'member'),
                                                     ('mia', 'manager')])
    s = srv.session(keys['sam'])
    r = ok(s.call('thread.create', slug='cop', title='Supervision notes',
                  body='Post number 1 opens the thread.'))
    tid = r['thread_id']
    ids = [None, r['post_id']]     # ids[n]: post number n
    for i in range(2, posts + 1):
        ids.append(ok(s.call('post.create', thread_id=tid,
                             body='Post number %d.\n\nSome words to fill the '
                                  'screen.\n\nMore words.' % i))['post_id'])
    return keys, s, tid, ids


def open_forum_thread(t):
    """From Home: Students, then the thread (after the pinned ones)."""
    t.wait_for('Welcome, Pat Doe', timeout=20)
    t.wait_for('Students')
    t.keys('Enter')
    t.wait_for('Threads', 'posts ')     # the list (Home's roundup has titles too)
    t.keys('G', 'Enter')
    return t.wait_for('post 1 of')


def test_reconnect_resumes_thread_and_post_and_a_clean_quit_goes_home():
    srv = Server({'resume_minutes': 10})
    keys, s, tid, ids = forum(srv)
    t = tui(srv, keys['pat'], 'pat')
    try:
        open_forum_thread(t)
        t.wait_for('post 1 of 12')
        for _ in range(6):
            t.keys('Tab')
        t.wait_for('post 7 of 12', 'Post number 7.')
        wait_db(srv, 'SELECT screen, thread_id, post_id FROM member_where', [
            ('thread', tid, ids[7])], timeout=15)
        kill_ssh(t)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        screen = t.wait_for('post 7 of 12', 'Post number 7.', timeout=20)
        assert 'Supervision notes' in screen
        # below it: its community, then Home
        t.keys('q')
        t.wait_for('Threads', 'Students')
        t.keys('q')
        t.wait_for('Welcome, Pat Doe')
        wait_db(srv, 'SELECT screen FROM member_where', [('home',)], timeout=15)
        t.keys('q')             # a clean quit: forgotten
        wait_db(srv, 'SELECT count(*) FROM member_where', [(0,)], timeout=15)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        screen = t.wait_for('Welcome, Pat Doe', timeout=20)
        assert 'post 7 of' not in screen
    finally:
        t.kill()
