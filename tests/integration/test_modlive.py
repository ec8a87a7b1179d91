"""A hidden post leaves every open screen at once: the thread screens that
already show it (TUI, line mode) and the JSON sessions watching the thread
get thread.post_changed with the post as each may see it (never the hidden
text to members who may not see it); showing it again reaches them the same
way. A thread whose first post is hidden is listed without its title to
members. A real hearthd, real ssh, tmux for screens."""
import json

from fixtures import ok, settle, tui, wait_event, wait_gone
from test_moderation import open_salary_thread, plain_thread, world
from test_plain import plain

SECRET = 'I am Jo Quill, night nurse on Ward 7 at St Bart'


def setup():
    """world(), and bob's reply naming himself and his ward."""
    srv, keys, tid, pid = world()
    b = srv.session(keys['bob'])
    secret = ok(b.call('post.create', thread_id=tid, body=SECRET))['post_id']
    b.close()
    return srv, keys, tid, pid, secret


def watcher(srv, key, tid):
    s = srv.session(key)
    ok(s.call('thread.get', thread_id=tid))
    return s


def test_hide_reaches_open_thread_screens_and_sessions():
    srv, keys, tid, pid, secret = setup()
    # watching sessions: a member, the author, a manager
    carol = watcher(srv, keys['carol'], tid)
    bob = watcher(srv, keys['bob'], tid)
    mgr = watcher(srv, keys['mgr'], tid)
    t = tui(srv, keys['alice'], 'alice', width=100, height=30)
    try:
        open_salary_thread(t)
        t.wait_for(SECRET)
        # carol reports it; the leader hides it from the reports queue
        c2 = srv.session(keys['carol'])
        ok(c2.call('post.report', post_id=secret, reason='Names a patient ward'))
        c2.close()
        lead = srv.session(keys['lead'])
        rid = ok(lead.call('report.list', slug='cop'))['reports'][0]['id']
        ok(lead.call('report.resolve', report_id=rid, action='hide',
                     message='Identifies a client'))
        # the open TUI thread changes with no key pressed
        screen = t.wait_for('(hidden by a moderator)')
        wait_gone(t, 'Jo Quill')
        assert 'Identifies a client' not in t.screen()
        # the protocol event, as each session may see it
        d = wait_event(carol, 'thread.post_changed', thread_id=tid)
        assert d['post']['id'] == secret and d['post']['hidden'] is True
        assert d['post']['body'] is None and 'hidden_reason' not in d['post']
        assert 'Jo Quill' not in json.dumps(d)
        d = wait_event(bob, 'thread.post_changed', thread_id=tid)
        assert d['post']['body'] == SECRET
        assert d['post']['hidden_reason'] == 'Identifies a client'
        d = wait_event(mgr, 'thread.post_changed', thread_id=tid)
        assert d['post']['body'] == SECRET and d['post']['hidden'] is True
        # shown again: back on the open screen, again without a key
        ok(lead.call('post.unhide', post_id=secret))
        t.wait_for(SECRET)
        wait_gone(t, '(hidden by a moderator)')
        d = wait_event(carol, 'thread.post_changed', thread_id=tid)
        assert d['post']['body'] == SECRET and d['post']['hidden'] is False
        # a session watching another thread hears nothing of it
        ok(carol.call('thread.get', thread_id=srv.query(
            "SELECT id FROM threads WHERE id != ? LIMIT 1", tid)[0][0]))
        settle(carol)
        ok(lead.call('post.hide', post_id=secret, reason='Again'))
        assert not [m for m in settle(carol) if m.get('event') == 'thread.post_changed']
        lead.close()
    finally:
        t.kill()
        for s in (carol, bob, mgr):
            s.close()


def test_plain_open_thread_says_a_post_was_hidden():
    srv, keys, tid, pid, secret = setup()
    t = plain(srv, keys['carol'], 'carol')
    try:
        plain_thread(t)
        t.wait_for(SECRET)
        lead = srv.session(keys['lead'])
        ok(lead.call('post.hide', post_id=secret, reason='Identifies a client'))
        # the next command in the open thread says so (m: more posts)
        t.keys('m', 'Enter')
        screen = t.wait_for('A moderator hid post 2 of this thread:')
        tail = screen.split('A moderator hid post 2 of this thread:')[-1]
        assert '(hidden by a moderator)' in tail
        assert 'Identifies a client' not in screen
        ok(lead.call('post.unhide', post_id=secret))
        t.keys('m', 'Enter')
        screen = t.wait_for('A moderator showed post 2 of this thread again:')
        assert SECRET in screen.split('showed post 2 of this thread again:')[-1]
        lead.close()
    finally:
        t.kill()


def titles(srv, key):
    s = srv.session(key)
    r = ok(s.call('thread.list', slug='cop'))['threads']
    s.close()
    return {x['id']: (x['title'], x.get('title_hidden', False)) for x in r}


def test_hidden_first_post_hides_the_title_from_members():
    srv, keys, tid, pid, secret = setup()
    t = tui(srv, keys['carol'], 'carol', width=100, height=30)
    try:
        t.wait_for('Careers', timeout=15)
        t.keys('Enter')
        t.wait_for('1 Threads', 'Salary talk')
        # the leader hides it from the thread; the form says what members
        # will see of the thread
        m = tui(srv, keys['lead'], 'lead', width=100, height=30)
        try:
            open_salary_thread(m)
            m.keys('H')
            m.wait_for('Hide a post', "the thread's first post: members see "
                       'the thread as "(hidden by a moderator)"')
            m.keys('Advertising', 'Tab', 'Space', 'Enter')
            m.wait_for('hidden from others: Advertising')
        finally:
            m.kill()
        lead = srv.session(keys['lead'])
        # carol's open thread list changes by itself
        t.wait_for('(hidden by a moderator)')
        wait_gone(t, 'Salary talk')
        # members see no title, in the list and the thread's header
        assert titles(srv, keys['carol'])[tid] == ('(hidden by a moderator)', True)
        c = srv.session(keys['carol'])
        th = ok(c.call('thread.get', thread_id=tid))['thread']
        assert th['title'] == '(hidden by a moderator)' and th['title_hidden']
        c.close()
        # its author and the moderators still do
        for h in ('alice', 'mgr', 'lead'):
            assert titles(srv, keys[h])[tid] == ('Salary talk', False), h
        # a reply hidden changes no title
        ok(lead.call('post.unhide', post_id=pid))
        t.wait_for('Salary talk')
        ok(lead.call('post.hide', post_id=secret, reason='Identifies a client'))
        assert titles(srv, keys['carol'])[tid] == ('Salary talk', False)
        lead.close()
    finally:
        t.kill()
    # the line mode says the same before asking
    t = plain(srv, keys['lead'], 'lead')
    try:
        plain_thread(t)
        t.keys('h 1', 'Enter')
        t.wait_for('Why hide it')
        t.keys('Advertising', 'Enter')
        t.wait_for("It is the thread's first post: members will see the thread "
                   'listed as "(hidden by a moderator)", not by its title.')
        t.keys('n', 'Enter')
    finally:
        t.kill()
    assert titles(srv, keys['carol'])[tid] == ('Salary talk', False)


def test_hide_show_hide_in_one_write_ends_hidden_everywhere():
    """Pipelined: each event carries the post as it is when it is sent, so
    the last one a member gets is the hidden post, without its text."""
    srv, keys, tid, pid, secret = setup()
    carol = watcher(srv, keys['carol'], tid)
    lead = srv.session(keys['lead'])
    lines = [{'id': 301, 'op': 'post.hide', 'args': {'post_id': secret, 'reason': 'One'}},
             {'id': 302, 'op': 'post.unhide', 'args': {'post_id': secret}},
             {'id': 303, 'op': 'post.hide', 'args': {'post_id': secret, 'reason': 'Two'}}]
    lead.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    for rid in (301, 302, 303):
        ok(lead.reply(rid))
    got = [m['data']['post'] for m in settle(carol)
           if m.get('event') == 'thread.post_changed']
    assert len(got) == 3, got
    assert got[-1]['hidden'] is True and got[-1]['body'] is None, got
    assert 'hidden_reason' not in got[-1]
    assert srv.query('SELECT hidden_reason FROM posts WHERE id = ?', secret) == [('Two',)]
    lead.close()
    carol.close()
