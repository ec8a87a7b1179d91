"""The terminal front end, end to end: tmux runs the real OpenSSH client
(`ssh -tt`) against a real hearthd, which starts `hearth --fd N` on a pty;
we type keys and read the screen back. Also the plain line mode."""
import subprocess
import time

from fixtures import community, ok, tui, wait_gone, wait_until
from harness import Key, Server, Tmux


def seeded(name='Pat Doe', community_name='Students'):
    """A server with an open community, a member in it and a thread."""
    srv = Server()
    community(srv, 'students', name=community_name, policy='open',
              purpose='Learning **together**.')
    key = srv.new_member('pat', name=name)
    other = srv.new_member('sam', name='Sam Kaur')
    for k in (key, other):
        s = srv.session(k)
        ok(s.call('member.accept_coc'))
        ok(s.call('community.join', slug='students'))
        s.close()
    s = srv.session(other)
    tid = ok(s.call('thread.create', slug='students', title='Welcome thread',
                    body='# Hello\n\nThis is *the* first post with a [link](https://x.org).\n\n'
                         '- one\n- two\n\n> quoted words\n\n```\ncode here\n```\n'))['thread_id']
    s.close()
    return srv, key, other, tid


def open_thread(t):
    """From Home: open Students, then its first thread."""
    t.wait_for('Welcome, Pat Doe', timeout=15)
    t.wait_for('Students')
    t.keys('Enter')
    t.wait_for('1 post')            # the thread list (Home's roundup has the titles too)
    t.keys('G', 'Enter')            # the last row: after the two pinned threads
    return t.wait_for('first post')


def test_tui_home_shows_communities_and_status_line():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat')
    try:
        screen = t.wait_for('Welcome, Pat Doe', timeout=15)
        # the unread thread shows as new on Home (once the welcome threads
        # the first visit shows are marked read: a moment later when slow)
        screen = t.wait_for('Students', '1 new')
        assert '?:help' in screen and 'Enter:open' in screen
        assert '@pat' in screen.splitlines()[0]
        t.keys('?')
        screen = t.wait_for('this help', 'close help')
        assert 'Home' in screen
        bar = screen.rstrip().splitlines()[-1]
        assert 'close help' in bar and 'q:back' not in bar, bar   # once, not twice
        t.keys('q')
        t.wait_for('Welcome, Pat Doe')
    finally:
        t.kill()


def test_tui_thread_renders_markdown():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat')
    try:
        open_thread(t)
        # the whole post, in one read of the screen (it may come in parts)
        screen = t.wait_for('first post', '• one', '• two', '│ quoted words',
                            'code here')
        assert 'Sam Kaur' in screen and '@sam' in screen
        assert 'Hello' in screen
        assert '# Hello' not in screen          # headings lose their marks
        assert 'the first post' in screen       # emphasis without stars
        assert '*the*' not in screen
        assert '<https://x.org>' in screen       # links shown as text
        assert '• one' in screen and '• two' in screen
        assert '│ quoted words' in screen
        assert 'code here' in screen and '```' not in screen
    finally:
        t.kill()


def test_tui_reply_with_composer_reaches_screen_and_database():
    srv, key, _, tid = seeded()
    t = tui(srv, key, 'pat')
    try:
        open_thread(t)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('First line of my reply')
        t.keys('Enter')
        t.keys('second **line**')
        t.keys('C-s')
        screen = t.wait_for('second line', timeout=10)
        assert 'First line of my reply' in screen
        assert 'Pat Doe' in screen
    finally:
        t.kill()
    rows = srv.query('SELECT body FROM posts WHERE thread_id = ? ORDER BY id', tid)
    assert rows[-1][0] == 'First line of my reply\nsecond **line**', rows


def test_tui_home_and_end_as_any_terminal_sends_them_stay_in_the_composer():
    """Home and End arrive as whatever the member's terminal sends (ESC [ 1 ~,
    ESC [ H, ESC [ 4 ~, ESC [ F), not only as its terminfo entry names
    them: each moves the cursor; none closes the composer."""
    srv, key, _, tid = seeded()
    t = tui(srv, key, 'pat')
    try:
        open_thread(t)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('world')
        for home, end, word in (('\x1b[1~', '\x1b[4~', 'one'), ('\x1b[H', '\x1b[F', 'two'),
                                ('\x1b[7~', '\x1b[8~', 'three')):
            t.keys('-l', home)
            t.keys('-l', word + ' ')
            t.keys('-l', end)
            t.keys('-l', '!')
        t.keys('C-s')
        t.wait_for('three two one world!!!', timeout=10)
    finally:
        t.kill()
    rows = srv.query('SELECT body FROM posts WHERE thread_id = ? ORDER BY id', tid)
    assert rows[-1][0] == 'three two one world!!!', rows


def test_tui_composer_undo_and_draft_kept():
    srv, key, _, tid = seeded()
    t = tui(srv, key, 'pat')
    try:
        open_thread(t)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('kept words')
        t.keys('Left')                 # ends the typing run: next is a new change
        t.keys(' gone')
        t.wait_for('kept word gone')
        t.keys('C-z')                  # undo the last change
        wait_gone(t, 'gone')
        assert 'kept words' in t.screen()
        t.keys('Escape')               # close: the draft is kept
        t.wait_for('Draft kept')
        t.keys('r')
        t.wait_for('kept words')
    finally:
        t.kill()
    assert srv.query('SELECT count(*) FROM posts WHERE thread_id = ?', tid) == [(1,)]


def test_tui_live_post_arrives_while_typing():
    srv, key, other, tid = seeded()
    t = tui(srv, key, 'pat')
    try:
        open_thread(t)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('half typed')
        t.wait_for('half typed')               # typed before the post comes
        s = srv.session(other)
        assert s.call('post.create', thread_id=tid, body='Live from Sam')['ok']
        s.close()
        t.wait_for('New post in this thread by Sam Kaur', timeout=10)
        assert 'half typed' in t.screen()      # the input is untouched
        t.keys('Escape')
        t.wait_for('Live from Sam')
    finally:
        t.kill()


def test_tui_resize_redraws():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat')
    try:
        open_thread(t)
        subprocess.run(['tmux', '-S', t.sock, 'resize-window', '-t', t.name,
                        '-x', '120', '-y', '40'], check=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            lines = t.screen().splitlines()
            if len(lines) >= 39 and '?:help' in lines[-1]:
                break
            time.sleep(0.1)
        lines = t.screen().splitlines()
        assert '?:help' in lines[-1], lines
        assert any('@pat' in l and len(l.rstrip()) > 100 for l in lines[:1]), lines[:1]
        subprocess.run(['tmux', '-S', t.sock, 'resize-window', '-t', t.name,
                        '-x', '80', '-y', '24'], check=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            screen = t.screen()
            lines = screen.splitlines()
            if '?:help' in lines[-1] and len(lines) <= 24 and 'first post' in screen \
                    and '@pat' in lines[0]:
                break
            time.sleep(0.1)
        assert '?:help' in lines[-1] and 'first post' in screen, screen
        assert '@pat' in lines[0] and len(lines[0].rstrip()) <= 80, lines[0]
    finally:
        t.kill()


def test_tui_wide_characters_align():
    srv, key, other, tid = seeded(community_name='日本語の会 🎉')
    s = srv.session(other)
    assert s.call('post.create', thread_id=tid,
                  body='漢字とemoji 🎉🎉 café naïve — end|')['ok']
    s.close()
    t = tui(srv, key, 'pat')
    try:
        screen = t.wait_for('日本語の会', timeout=15)
        line = [l for l in screen.splitlines() if '日本語の会' in l][0]
        # the right-hand column (role) ends where it does for ASCII rows
        assert line.rstrip().endswith('member'), line
        t.keys('Enter')
        t.wait_for('1 post')
        t.keys('G', 'Enter')
        t.wait_for('first post')
        t.keys('G')
        screen = t.wait_for('end|')
        line = [l for l in screen.splitlines() if 'end|' in l][0]
        assert '漢字とemoji 🎉🎉 café naïve — end|' in line, line
        # tmux measures the same way we do: the line is where we put it
        assert line.startswith('  漢字'), line
    finally:
        t.kill()


def test_tui_new_thread_on_8_colour_terminal():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat', env='TERM=xterm ')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('1 post')
        t.keys('c')
        t.wait_for('Title')
        t.keys('My new topic', 'Enter')
        t.keys('Body of the topic')
        t.keys('C-s')
        # the composer shows the body too: wait for the saved thread itself
        wait_until(lambda: srv.query("SELECT title FROM threads ORDER BY id DESC "
                                     "LIMIT 1") == [('My new topic',)], 10,
                   'the new thread in the database')
        t.wait_for('My new topic', 'Body of the topic', timeout=10)
    finally:
        t.kill()


def test_tui_lost_connection_is_clear():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat', remain=True)
    try:
        t.wait_for('Students', timeout=15)
        srv.proc.send_signal(15)
        srv.proc.wait(timeout=10)
        srv.proc = None
        # the TUI puts its screen away and says why, before ssh ends
        screen = t.wait_for('shutting down', timeout=10)
        assert 'Students' not in screen, screen
    finally:
        t.kill()


def test_tui_join_flow_then_home():
    srv = Server()
    community(srv, 'students', name='Students')
    code = srv.admin_invite()
    key = Key('newbie')
    t = tui(srv, key, 'join')
    try:
        t.wait_for('Invite code:', timeout=15)
        t.keys('HRTH-0000-0000-0000', 'Enter', 'newbie', 'Enter', 'New Bie', 'Enter')
        screen = t.wait_for('not known', timeout=10)
        assert 'Welcome, New Bie' not in screen
        # back to the code, fix it, join
        t.keys('Up', 'Up', 'C-u', code, 'Enter', 'Enter', 'Enter')
        t.wait_for('Welcome, New Bie', timeout=10)
        t.wait_for('code of conduct')
        t.keys('q')
        t.wait_for('Students')
    finally:
        t.kill()
    assert srv.query("SELECT handle, display_name FROM members") == [('newbie', 'New Bie')]


def test_plain_mode_menus():
    srv, key, other, tid = seeded()
    s = srv.session(other)
    assert s.call('poll.create', slug='students', question='Which day?',
                  options=['Monday', 'Tuesday'])['ok']
    s.close()
    cmd = srv.ssh_base(key, 'pat') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 160, 50)   # the menu and the welcome
    try:
        t.wait_for('Main menu', timeout=15)
        assert 'Welcome, Pat Doe' in t.screen()
        t.keys('1', 'Enter')
        t.wait_for('1. Students')
        t.keys('1', 'Enter')
        t.wait_for('3. Welcome thread (1 post, unread)')
        t.keys('3', 'Enter')
        t.wait_for('r reply')
        t.keys('r', 'Enter')
        t.wait_for('full stop')
        t.keys('A plain reply', 'Enter', '.', 'Enter')
        t.wait_for('Posted.')
        # quote the first post, then edit that quoting reply (the last post)
        t.keys('q 1', 'Enter')
        t.wait_for('full stop')
        t.keys('Quoting you', 'Enter', '.', 'Enter')
        deadline = time.time() + 10
        while time.time() < deadline and srv.query(
                "SELECT count(*) FROM posts WHERE body LIKE '%Quoting you%'") != [(1,)]:
            time.sleep(0.1)
        n = srv.query('SELECT count(*) FROM posts WHERE thread_id = ?', tid)[0][0]
        t.wait_for('e N edit')
        t.keys('e %d' % n, 'Enter')
        t.wait_for('The post now reads')
        t.keys('Quoting you, edited', 'Enter', '.', 'Enter')
        t.wait_for('Edited.')
        t.keys('0', 'Enter')
        t.wait_for('p polls')
        t.keys('p', 'Enter')
        t.wait_for('1. Which day? (open)')
        t.keys('1', 'Enter')
        t.wait_for('Number to vote for')
        t.keys('2', 'Enter')
        t.wait_for('Vote recorded.')
    finally:
        t.kill()
    assert srv.query('SELECT o.label FROM poll_votes v JOIN poll_options o ON '
                     'o.id = v.option_id') == [('Tuesday',)]
    bodies = [r[0] for r in srv.query('SELECT body FROM posts WHERE thread_id = ? '
                                      'ORDER BY id DESC LIMIT 2', tid)]
    assert bodies[1] == 'A plain reply\n', bodies
    assert bodies[0] == 'Quoting you, edited\n', bodies
    # the quote went in with the reply, and the edit kept it in the history
    hist = srv.query('SELECT body FROM post_edits ORDER BY id DESC LIMIT 1')[0][0]
    assert hist.startswith('> ') and 'Quoting you' in hist, hist
    assert srv.query('SELECT reply_to IS NOT NULL FROM posts WHERE thread_id = ? '
                     'ORDER BY id DESC LIMIT 1', tid) == [(1,)]


def test_tui_first_run_coc_profile_introduction():
    srv = Server()
    community(srv, 'students', name='Students', policy='open')
    key = srv.new_member('pat', name='Pat Doe')      # has not accepted the code yet
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('code of conduct', timeout=15)
        t.keys('a')
        t.wait_for('Pronouns', timeout=10)             # the profile, open for editing
        # the name is already filled in: typing starts in the first empty field
        t.keys('they/them', 'Down', 'Gardener', 'C-s')
        t.wait_for('Profile saved', timeout=10)
        assert srv.query("SELECT coc_accepted_at IS NOT NULL, pronouns, job_role "
                         "FROM members WHERE handle = 'pat'") == [(1, 'they/them', 'Gardener')]
        t.keys('h')                                    # Home
        t.wait_for('Students')
        t.keys('Enter')
        t.wait_for('About')
        t.keys('J')
        t.wait_for('introduce', timeout=10)
        t.keys('i')
        t.wait_for('Introduce yourself')
        t.keys('End', 'Pat, growing tomatoes.', 'C-s')
        t.wait_for('Sent.', timeout=10)
    finally:
        t.kill()
    rows = srv.query("SELECT p.body FROM posts p JOIN threads t ON t.id = p.thread_id "
                     "WHERE t.title = 'Introductions' ORDER BY p.id DESC LIMIT 1")
    assert rows == [('Hello! I am Pat, growing tomatoes.',)], rows


def native_home(key):
    """A HOME holding the member's key as ~/.ssh/id_ed25519, no agent."""
    import os
    import shutil
    from harness import tmpdir
    home = tmpdir()
    os.makedirs(os.path.join(home, '.ssh'), mode=0o700)
    shutil.copy(key.path, os.path.join(home, '.ssh', 'id_ed25519'))
    shutil.copy(key.pub, os.path.join(home, '.ssh', 'id_ed25519.pub'))
    os.chmod(os.path.join(home, '.ssh', 'id_ed25519'), 0o600)
    return home


def native(srv, home, user='pat', env='', remain=False):
    import os
    import harness
    cmd = 'env -u SSH_AUTH_SOCK HOME=%s %s%s %s@127.0.0.1:%d' % (
        home, env, os.path.join(harness.BUILD, 'hearth'), user, srv.port)
    return Tmux(cmd, remain=remain)


def test_native_client_known_hosts_and_reconnect():
    import os
    srv, key, _, _ = seeded()
    home = native_home(key)
    t = native(srv, home)
    try:
        t.wait_for('First connection', timeout=15)
        assert 'SHA256:' in t.screen()
        t.keys('yes', 'Enter')
        t.wait_for('Welcome, Pat Doe', timeout=15)
        t.wait_for('Students')
        # the key was remembered
        kh = open(os.path.join(home, '.ssh', 'known_hosts')).read()
        assert '127.0.0.1' in kh
        t.keys('Enter')
        t.wait_for('1 post')
        # the server restarts: the client says so, reconnects, same screen
        srv.stop()
        t.wait_for('reconnecting', timeout=10)
        srv.start()
        t.wait_for('Reconnected', timeout=20)
        screen = t.wait_for('Welcome thread', timeout=10)
        assert 'Threads' in screen
    finally:
        t.kill()
    # second contact: no question asked
    t = native(srv, home)
    try:
        t.wait_for('Welcome, Pat Doe', timeout=15)
    finally:
        t.kill()


def test_native_client_refuses_changed_host_key():
    import os
    srv, key, _, _ = seeded()
    home = native_home(key)
    other = Key('impostor')
    pub = open(other.pub).read().split()
    with open(os.path.join(home, '.ssh', 'known_hosts'), 'w') as f:
        f.write('[127.0.0.1]:%d %s %s\n' % (srv.port, pub[0], pub[1]))
    t = native(srv, home, remain=True)
    try:
        t.wait_for('Refusing to connect', timeout=15)
        screen = subprocess.run(['tmux', '-S', t.sock, 'capture-pane', '-p', '-S', '-100',
                                 '-t', t.name], capture_output=True, text=True).stdout
        assert 'HAS CHANGED' in screen, screen
        assert 'Welcome' not in screen
    finally:
        t.kill()


def test_native_client_no_color_and_plain():
    srv, key, _, _ = seeded()
    home = native_home(key)
    import os
    with open(os.path.join(home, '.ssh', 'known_hosts'), 'w') as f:
        pass
    t = native(srv, home, env='NO_COLOR=1 TERM=xterm-256color ')
    try:
        t.wait_for('First connection', timeout=15)
        t.keys('yes', 'Enter')
        t.wait_for('Students', timeout=15)
        p = subprocess.run(['tmux', '-S', t.sock, 'capture-pane', '-e', '-p', '-t', t.name],
                           capture_output=True, text=True)
        # attributes (reverse, bold) but no colours at all
        assert '\x1b[7m' in p.stdout or ';7m' in p.stdout, repr(p.stdout[:400])
        for sgr in ('[3', ';3', '[4', ';4', '[9', ';9'):
            assert sgr + '0m' not in p.stdout and '38;' not in p.stdout, repr(p.stdout[:400])
    finally:
        t.kill()
    t = native(srv, home, env='TERM=dumb ')
    try:
        t.wait_for('Main menu', timeout=15)
    finally:
        t.kill()


def seed_500(srv, tid):
    """Fill a thread to 500 posts (used here and by tests/bench/bench_tui.py)."""
    sam = srv.query("SELECT id FROM members WHERE handle = 'sam'")[0][0]
    body = ('A post of *ordinary* length, with a [link](https://example.org) and '
            'a list:\n\n- one\n- two\n\n> and a quote that wraps over the line end '
            'when the terminal is narrow.\n')
    for i in range(499):
        srv.execute('INSERT INTO posts (thread_id, author_id, body, created_at) '
                    'VALUES (?, ?, ?, ?)', tid, sam, 'Post %d. ' % i + body, 1700000000 + i)
    srv.execute('UPDATE threads SET post_count = 500, last_post_id = (SELECT max(id) FROM '
                'posts WHERE thread_id = ?) WHERE id = ?', tid, tid)


def test_tui_opens_500_post_thread():
    """A long thread opens, pages through to its last post and back.
    (Its speed and the client's memory are measured in tests/bench/bench_tui.py.)"""
    srv, key, other, tid = seeded()
    seed_500(srv, tid)
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('1 post')
        t.keys('G')
        t.keys('Enter')
        t.wait_for('post 1 of 500', timeout=15)
        t.keys('G')
        t.wait_for('Post 498.', timeout=15)
        t.keys('q')
        wait_gone(t, 'post 1 of 500')
    finally:
        t.kill()


def test_native_client_composer_uses_editor():
    import os
    from harness import tmpdir
    srv, key, _, tid = seeded()
    home = native_home(key)
    open(os.path.join(home, '.ssh', 'known_hosts'), 'w').close()
    script = os.path.join(tmpdir(), 'editor.sh')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\nprintf "\\nfrom the editor\\n" >> "$1"\n')
    os.chmod(script, 0o755)
    t = native(srv, home, env='EDITOR=%s ' % script)
    try:
        t.wait_for('First connection', timeout=15)
        t.keys('yes', 'Enter')
        open_thread(t)
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('typed here')
        t.keys('C-o')
        t.wait_for('from the editor', timeout=10)
        t.keys('C-s')
        t.wait_for('Sent.', timeout=10)
    finally:
        t.kill()
    rows = srv.query('SELECT body FROM posts WHERE thread_id = ? ORDER BY id DESC LIMIT 1', tid)
    assert rows == [('typed here\nfrom the editor',)], rows


def test_tui_notifications_search_polls_profiles():
    srv, key, other, tid = seeded()
    s = srv.session(other)
    assert s.call('post.create', thread_id=tid, body='Over to you @pat')['ok']
    r = s.call('poll.create', slug='students', question='Which day suits?',
               options=['Monday', 'Tuesday'])
    assert r['ok'], r
    assert s.call('profile.update', job_role='Potter', region='Leeds')['ok']
    s.close()
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('Students', timeout=15)
        # notifications: the mention, opened into its thread
        t.keys('n')
        # Home says "mentioned you" too: wait for the loaded list's preview
        screen = t.wait_for('── in full', 'mentioned you')
        t.keys('Enter')
        t.wait_for('Over to you @pat')
        t.keys('q', 'q')
        # search with highlighted snippets
        t.keys('/')
        t.wait_for('Search:')
        t.keys('tomatoes')
        t.keys('Enter')
        t.wait_for('0 found')
        t.keys('/', 'C-u', 'first', 'Enter')
        screen = t.wait_for('«first»')
        t.keys('Enter')
        t.wait_for('Sam Kaur  @sam')
        t.keys('q', 'q')
        # the directory and a profile
        t.keys('d')
        t.wait_for('Find members')
        t.keys('sam', 'Enter')
        t.wait_for('@sam', '1 member found')   # the filtered list, not the first
        t.keys('Enter')
        t.wait_for('Potter', 'Leeds')
        t.keys('q', 'Escape')     # typed letters in the directory filter; Esc leaves
        # a poll: vote, results as bars
        t.wait_for('Students')
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('2')
        t.wait_for('Which day suits?')
        t.keys('Enter')
        t.wait_for('[ ] Tuesday')
        t.keys('Down', 'Enter')
        screen = t.wait_for('[x] Tuesday')
        assert '█' in screen and '1 vote' in screen, screen
    finally:
        t.kill()
    assert srv.query('SELECT o.label FROM poll_votes v JOIN poll_options o ON '
                     'o.id = v.option_id') == [('Tuesday',)]


def test_tui_thread_list_pages():
    srv, key, other, tid = seeded()
    cid = srv.query("SELECT id FROM communities WHERE slug = 'students'")[0][0]
    for i in range(120):
        srv.execute('INSERT INTO threads (community_id, title, created_at, last_post_at) '
                    'VALUES (?, ?, ?, ?)', cid, 'Bulk %03d' % i, 1600000000 + i,
                    1600000000 + i)
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('G')
        t.wait_for('more threads')
        assert 'Bulk 000' not in t.screen()
        t.keys('Enter')
        wait_gone(t, 'more threads')     # loaded ("Bulk 0" was on screen already)
        t.keys('G')
        t.wait_for('Bulk 000')
    finally:
        t.kill()


def test_tui_unknown_terminal_type_still_works():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat', env='TERM=no-such-terminal-x ')
    try:
        screen = t.wait_for('Students', timeout=15)
        assert '?:help' in screen
    finally:
        t.kill()


def test_tui_idle_session_says_why():
    srv = Server(config={'idle_timeout': 3})
    key = srv.new_member('pat', name='Pat Doe')
    srv.execute("UPDATE members SET coc_accepted_at = 1")
    t = tui(srv, key, 'pat', remain=True)
    try:
        t.wait_for('Welcome, Pat Doe', timeout=15)
        screen = t.wait_for('without input', timeout=15)
        assert 'Welcome, Pat Doe' not in screen
    finally:
        t.kill()


def test_tui_create_poll():
    srv, key, _, _ = seeded()
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('2')
        t.wait_for('No polls yet')
        t.keys('c')
        t.wait_for('New poll', 'Choices: < one >')   # its settings first
        t.keys('C-s')                                # as they are
        t.wait_for('Question')
        t.keys('Tea or coffee?', 'Enter')
        t.keys('Tea', 'Enter', 'Coffee', 'C-s')
        screen = t.wait_for('[ ] Coffee', timeout=10)
        assert 'Tea or coffee?' in screen
    finally:
        t.kill()
    assert srv.query('SELECT label FROM poll_options ORDER BY position') == \
        [('Tea',), ('Coffee',)]


def test_no_color_reaches_the_terminal_over_ssh():
    import subprocess as sp
    srv = Server()
    key = srv.new_member('nocol')
    base = ' '.join(srv.ssh_base(key, 'nocol'))
    coloured = Tmux(base + ' -tt 127.0.0.1')
    plain = Tmux('NO_COLOR=1 ' + base + ' -o SendEnv=NO_COLOR -tt 127.0.0.1')
    try:
        for t in (coloured, plain):     # the code of conduct, drawn to its last line
            t.wait_for('Report concerns', 'a:accept', timeout=15)

        def escapes(t):
            return sp.run(['tmux', '-S', t.sock, 'capture-pane', '-e', '-p', '-t', t.name],
                          capture_output=True, text=True).stdout
        # colours are SGR 30-37/40-47 (or 39/49 resets); NO_COLOR leaves only attributes
        import re
        col = re.findall(r'\x1b\[[0-9;]*m', escapes(coloured))
        pl = re.findall(r'\x1b\[[0-9;]*m', escapes(plain))
        has_colour = lambda seqs: any(re.search(r'(?<![0-9])(3[0-7]|4[0-7])(?![0-9])', s)
                                      for s in seqs)
        assert has_colour(col), col
        assert not has_colour(pl), pl
    finally:
        coloured.kill()
        plain.kill()


def test_home_lists_open_rooms():
    srv, key, other, tid = seeded()
    srv.ctl('community', 'role', 'students', 'sam', 'leader')
    s = srv.session(other)
    r = s.call('room.open', community='students', title='Thursday drop-in',
               record='transcript')
    assert r['ok'], r
    t = tui(srv, key, 'pat')
    try:
        screen = t.wait_for('Open rooms', timeout=15)
        assert 'Thursday drop-in' in screen and 'record: transcript' in screen, screen
    finally:
        t.kill()
        s.close()
