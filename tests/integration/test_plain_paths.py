"""The line mode has no dead ends (issue 14): notifications and search
results open by number and can be acted on there, read and unread are
words, a thread is printed once and then only what is new ("p" prints it
again), search highlights are plain text, field labels are words and
counts agree in number. The real OpenSSH client in tmux (TERM=dumb)
against a real hearthd; other members act through protocol sessions."""
from fixtures import community, ok, people, wait_db, wait_until
from harness import Server
from test_plain import plain


def after(screen, marker):
    """What the screen shows after the last marker."""
    return screen.rsplit(marker, 1)[-1]


def setup():
    srv = Server()
    keys = people(srv, 'pat', 'sam')
    srv.execute("UPDATE members SET display_name = 'Pat Doe' WHERE handle = 'pat'")
    srv.execute("UPDATE members SET display_name = 'Sam Kaur', job_role = 'Counsellor' "
                "WHERE handle = 'sam'")
    community(srv, 'students', name='Students', members=[('pat', 'member'),
                                                          ('sam', 'member')])
    return srv, keys


def words(n, one, many):
    return '%d %s' % (n, one if n == 1 else many)


def test_plain_notifications_open_act_and_mark_read():
    srv, keys = setup()
    pat, sam = srv.session(keys['pat']), srv.session(keys['sam'])
    r = ok(pat.call('thread.create', slug='students', title='Pat asks',
                    body='Where do I find supervision?'))
    tid, first = r['thread_id'], r['post_id']
    ok(sam.call('post.create', thread_id=tid, body='Try the Supervisors community.'))
    ok(sam.call('post.thank', post_id=first))
    notes = ok(pat.call('notify.list'))['notifications']
    n = len(notes)
    assert n >= 2, notes
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('2', 'Enter')
        screen = t.wait_for('Notifications: %s, %d unread.' % (
            words(n, 'notification', 'notifications'), n), 'Number to open')
        assert '1. Unread: ' in screen and '2. Unread: ' in screen, screen
        assert 'Read: ' not in after(screen, 'Notifications:'), screen
        # mark one read by number: said in words
        t.keys('r 2', 'Enter')
        screen = t.wait_for('Number 2 marked read.', '%d unread.' % (n - 1))
        assert '2. Read: ' in after(screen, 'Notifications:'), screen
        # open the newest: its thread, printed once
        t.keys('1', 'Enter')
        screen = t.wait_for('Thread: Pat asks, 2 posts', 'p print the thread again')
        assert 'thanked by 1 member' in screen, screen
        # the post it is about (the thanked one) comes again, last
        assert '\nThe post you opened, number 1 of 2:\n1. Pat Doe (@pat)' in \
            screen.replace('\n\n', '\n'), screen
        t.keys('r', 'Enter')
        t.wait_for('full stop')
        t.keys('Thank you, I will.', 'Enter', '.', 'Enter')
        screen = t.wait_for('Posted.', '3. Pat Doe (@pat)')
        new = after(screen, 'Posted.')
        # only what is new: the reply, not the thread again
        assert 'Thread:' not in new and '1. Pat Doe' not in new, screen
        assert 'Thank you, I will.' in new, screen
        # someone else writes meanwhile: it comes with the next command
        ok(sam.call('post.create', thread_id=tid, body='Glad to help.'))
        t.keys('m', 'Enter')
        screen = t.wait_for('4. Sam Kaur (@sam)', 'Glad to help.')
        assert 'Thread:' not in after(screen, 'Posted.'), screen
        # p prints it all again
        t.keys('p', 'Enter')
        screen = t.wait_for('Thread: Pat asks, 4 posts')
        again = after(screen, 'Thread: Pat asks, 4 posts')
        assert '1. Pat Doe (@pat)' in again and '4. Sam Kaur (@sam)' in again, screen
        # back in the list: the opened one is read now, above it sam's
        # new reply, unread
        t.keys('0', 'Enter')
        t.wait_for('Notifications: %s, 1 unread.' % words(n + 1, 'notification',
                                                          'notifications'),
                   '1. Unread: @sam replied', '2. Read: ')
        t.keys('a', 'Enter')
        t.wait_for('All marked read.', 'Notifications: ', '0 unread.')
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
    finally:
        t.kill()
    wait_db(srv, "SELECT count(*) FROM notifications n JOIN members m ON m.id = n.member_id "
            "WHERE m.handle = 'pat' AND n.read_at IS NULL", [(0,)])
    assert srv.query("SELECT body FROM posts WHERE thread_id = ? ORDER BY id", tid)[2] == \
        ('Thank you, I will.\n',)


def test_plain_search_results_open_and_act():
    srv, keys = setup()
    sam = srv.session(keys['sam'])
    tid = ok(sam.call('thread.create', slug='students', title='Soil notes',
                      body='Sieve the compost first.'))['thread_id']
    ok(sam.call('post.create', thread_id=tid, body='Add vermiculite to the seed compost.'))
    ok(sam.call('post.create', thread_id=tid, body='Water from below.'))
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('3', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('vermiculite', 'Enter')
        screen = t.wait_for('1 result for "vermiculite":',
                            '1. Post in "Soil notes", Students, by Sam Kaur')
        # the highlight is plain text, never ?word?
        assert 'Add vermiculite to the seed compost.' in screen, screen
        assert '?vermiculite?' not in screen, screen
        # open it: the thread, then the post found again, last; act on it
        # (thank), back to the results
        t.keys('1', 'Enter')
        t.wait_for('Thread: Soil notes, 3 posts', 'The post you opened, number 2 of 3:')
        t.keys('t 2', 'Enter')
        screen = t.wait_for('Thanked.')
        assert 'Thread:' not in after(screen, 'Thanked.'), screen
        t.keys('0', 'Enter')
        t.wait_for('Back at the results for "vermiculite".')
        t.keys('l', 'Enter')
        wait_until(lambda: '1. Post in "Soil notes"' in after(t.screen(), 'Back at the results'),
                   what='the results listed again')
        # a member: their profile, labelled in words
        t.keys('s', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('counsellor', 'Enter')
        t.wait_for('1 result for "counsellor":', '1. Member: Sam Kaur (@sam)')
        t.keys('1', 'Enter')
        screen = t.wait_for('Job role: Counsellor')
        assert 'job_role' not in screen, screen
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
        # nothing found is said, and a number that is not there
        t.keys('3', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('zebra', 'Enter')
        t.wait_for('0 results for "zebra":', 'Nothing found.')
        t.keys('4', 'Enter')
        t.wait_for('There is no number 4.')
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
    finally:
        t.kill()
    assert srv.query("SELECT count(*) FROM post_thanks") == [(1,)]
    assert tid


def test_plain_counts_agree_and_labels_are_words():
    srv, keys = setup()
    sam = srv.session(keys['sam'])
    ok(sam.call('thread.create', slug='students', title='One post here', body='Just me.'))
    tid = ok(sam.call('thread.create', slug='students', title='Two posts here',
                      body='First.'))['thread_id']
    ok(sam.call('post.create', thread_id=tid, body='Second.'))
    poll = ok(sam.call('poll.create', slug='students', question='Which day?',
                       options=['Monday', 'Tuesday']))['poll']
    ok(sam.call('poll.vote', poll_id=poll['id'], options=[poll['options'][0]['id']]))
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('1', 'Enter')
        t.wait_for('1. Students')
        t.keys('1', 'Enter')
        screen = t.wait_for('Two posts here (2 posts, unread)')
        assert 'One post here (1 post, unread)' in screen, screen
        assert '[new]' not in screen and '1 posts' not in screen, screen
        t.keys('p', 'Enter')
        t.wait_for('1. Which day? (open)')
        t.keys('1', 'Enter')
        t.wait_for('Number to vote for')
        t.keys('2', 'Enter')
        t.wait_for('Vote recorded.')
        t.keys('p', 'Enter')
        t.wait_for('1. Which day? (open)')
        t.keys('1', 'Enter')
        screen = t.wait_for('1. Monday: 1 vote', '2. Tuesday: 1 vote')
        assert '1 votes' not in screen, screen
        t.keys('0', 'Enter')
        t.wait_for('Number to read')
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
        t.keys('5', 'Enter')
        screen = t.wait_for('Name: Pat Doe', 'Who sees your contact details:',
                            'e to edit')
        for field in ('display_name', 'job_role', 'organisation:', 'region:'):
            assert field not in screen, (field, screen)
        t.keys('e', 'Enter')
        t.wait_for('Name [Pat Doe]:')
    finally:
        t.kill()


def test_plain_reading_a_thread_marks_it_read():
    srv = Server()
    keys = people(srv, 'pat', 'sam')
    community(srv, 'circle', 'platform', [('pat', 'member'), ('sam', 'member')])
    s = srv.session(keys['sam'])
    ok(s.call('member.accept_coc'))
    ok(s.call('thread.create', slug='circle', title='Read me', body='words'))
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Choose a number', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('1. CIRCLE')
        t.keys('1', 'Enter')
        screen = t.wait_for('Read me (1 post, unread)')
        n = [l for l in screen.splitlines() if 'Read me' in l][0].strip().split('.')[0]
        t.keys(n, 'Enter')
        t.wait_for('Thread: Read me')
        t.keys('0', 'Enter')
        # the list again, printed after the thread: read now
        wait_until(lambda: 'Read me (1 post)' in after(t.screen(), 'Thread: Read me'),
                   10, 'the thread listed as read')
    finally:
        t.kill()
