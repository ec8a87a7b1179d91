"""Small TUI repairs, end to end (tmux runs `ssh -tt` against a real
hearthd): a resumed session reopens an unsent reply, the composer's draft
reaches the server when the typing pauses briefly or a line ends, footers
list only keys the viewer may use, and the drafts list names threads."""
import json

from fixtures import community, ok, people, tui, wait_db, wait_until
from harness import Server
from test_live import forum, kill_ssh, open_forum_thread


def reply_draft(srv, tid):
    rows = srv.query("SELECT body FROM drafts WHERE key = ?", 'reply:%d' % tid)
    return rows[0][0] if rows else None


def test_resume_reopens_the_composer_with_the_unsent_reply():
    srv = Server({'resume_minutes': 10})
    keys, s, tid, ids = forum(srv, posts=3)
    t = tui(srv, keys['pat'], 'pat')
    try:
        open_forum_thread(t)
        wait_db(srv, 'SELECT screen, thread_id FROM member_where', [('thread', tid)],
                timeout=15)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('-l', 'Half a reply about the rota')
        wait_until(lambda: reply_draft(srv, tid) == 'Half a reply about the rota', 15,
                   'the reply draft on the server')
        kill_ssh(t)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        # back in the thread, the composer open with the words, not Home
        screen = t.wait_for('Ctrl-S:send', 'Half a reply about the rota', timeout=20)
        # the reply still goes to that thread
        t.keys(' and the nights.', 'C-s')
        wait_until(lambda: srv.query("SELECT count(*) FROM posts WHERE thread_id = ? AND "
                                     "body = 'Half a reply about the rota and the "
                                     "nights.'", tid)[0][0] == 1, 15, 'the reply sent')
        wait_until(lambda: reply_draft(srv, tid) in (None, ''), 10, 'the draft gone')
    finally:
        t.kill()


def test_a_line_ended_just_before_the_link_drops_is_kept():
    """Every Enter sends the draft at once (one request for a pasted block
    of lines), so lines ended before a killed link are on the server; the
    rest follows half a second after the typing pauses."""
    srv = Server({'resume_minutes': 10})
    keys, s, tid, ids = forum(srv, posts=2)
    t = tui(srv, keys['pat'], 'pat')
    try:
        open_forum_thread(t)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        # a pause: kept half a second later (the old 2 s timer was far longer)
        t.keys('-l', 'A first thought')
        t.wait_for('A first thought')
        wait_until(lambda: reply_draft(srv, tid) == 'A first thought', 10,
                   'the draft after a pause')
        # two lines ended and a third begun, in one write: the ended lines
        # are sent before the screen shows the third, so the link can drop
        # the moment it does
        t.keys('-l', ' and more.\rSecond line, ended.\rThird begun')
        t.wait_for('Third begun')
        kill_ssh(t)
    finally:
        t.kill()
    wait_until(lambda: (reply_draft(srv, tid) or '').startswith(
        'A first thought and more.\nSecond line, ended.\n'), 10,
        'the ended lines on the server')
    # a request per pause or line end, never one per key (48 keys typed)
    with open(srv.logpath, errors='replace') as f:
        saves = [l for l in f if 'draft.save ok' in l]
    assert 1 <= len(saves) <= 4, saves


def footer(t):
    """The bottom line: the keys the screen offers."""
    return t.screen().rstrip('\n').split('\n')[-1]


def wait_footer(t, want, absent=(), timeout=10):
    wait_until(lambda: all(w in footer(t) for w in want) and
               not any(a in footer(t) for a in absent), timeout,
               'footer with %s and without %s' % (want, absent))
    return footer(t)


def test_footers_list_only_the_keys_the_viewers_role_may_use():
    from test_survey_screens import QUESTIONS, town
    srv = Server()
    keys = town(srv)
    sid = ok(srv.session(keys['mgr']).call(
        'survey.create', title='After the drop-in', audience={'community': 'cop'},
        questions=QUESTIONS))['survey_id']
    manager_only = ('S:settings', 'O:open a room')
    t = tui(srv, keys['ann'], 'ann', width=200)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')                   # Home's first row: the community
        t.wait_for('Threads')
        # a plain member: posting and leaving, not joining, settings, rooms
        f = wait_footer(t, ('c:new', 'L:leave', 'Q:surveys'), manager_only + ('J:join',))
        t.keys('Q')
        t.wait_for('After the drop-in')
        wait_footer(t, ('Enter:open', 'R:reload'),
                    ('c:new survey', 'T:repeat', 'x:stop'))
        t.keys('Enter')
        t.wait_for('a answers it')
        wait_footer(t, ('a:answer',), ('C:close', 'm:remind', 'r:results'))
    finally:
        t.kill()
    # the community's manager sees theirs
    t = tui(srv, keys['mgr'], 'mgr', width=200)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        wait_footer(t, ('c:new', 'S:settings', 'O:open a room', 'L:leave'), ('J:join',))
        t.keys('Q')
        t.wait_for('After the drop-in')
        wait_footer(t, ('c:new survey', 'T:repeat the temperature check'))
        t.keys('Enter')
        t.wait_for('After the drop-in')
        wait_footer(t, ('r:results', 'C:close', 'm:remind'))
    finally:
        t.kill()
    assert f


def test_drafts_list_names_the_thread_by_its_title():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    pat = srv.session(keys['pat'])
    ok(pat.call('draft.save', key='reply:%d' % tid, body='Half a reply'))
    d = ok(pat.call('draft.list'))['drafts'][0]
    assert d['thread_title'] == 'Supervision notes', d
    # a thread the member may no longer read is not named
    ok(srv.session(keys['sam']).call('draft.save', key='reply:999999', body='x'))
    assert 'thread_title' not in ok(srv.session(keys['sam']).call('draft.list'))['drafts'][0]
    t = tui(srv, keys['pat'], 'pat', height=40)
    try:
        t.wait_for('Your unsent drafts (1)', timeout=20)
        t.keys('G', 'k', 'k', 'k', 'k', 'Enter')   # the row above the last four
        screen = t.wait_for('Your unsent drafts', 'Half a reply')
        assert 'Reply in "Supervision notes": Half a reply' in screen, screen
        assert 'Reply in thread %d' % tid not in screen
    finally:
        t.kill()


def test_drafts_list_shows_a_forms_words_not_its_json():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    pat = srv.session(keys['pat'])
    ok(pat.call('draft.save', key='profile', body=json.dumps(
        {'display_name': 'Dee Morgan', 'pronouns': 'she/her', 'job_role': '',
         'bio': 'Supervisor in the hills. ' * 12})))
    t = tui(srv, keys['pat'], 'pat', height=40, width=120)
    try:
        t.wait_for('Your unsent drafts (1)', timeout=20)
        t.keys('G', 'k', 'k', 'k', 'k', 'Enter')
        screen = t.wait_for('Your unsent drafts', 'Your profile: Dee Morgan, she/her, '
                            'Supervisor in the hills.')
        assert '{' not in screen and 'display_name' not in screen, screen
    finally:
        t.kill()
