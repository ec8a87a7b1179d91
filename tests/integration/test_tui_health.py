"""The health screens through real `ssh -tt` in tmux: a manager opens their
community's health (score, pyramid, sparklines) and publishes the report as
a thread; staff open the platform's; a member is refused."""
from fixtures import community, ok, people, tui, wait_until
from harness import Server


def town():
    srv = Server()
    keys = people(srv, 'mgr', 'lead', 'ann', 'bob', ('boss', 'staff'))
    community(srv, 'cop', visibility='private', name='Supervisors',
              members=[('mgr', 'manager'), ('lead', 'leader'), ('ann', 'member'),
                       ('bob', 'member')])
    srv.execute("UPDATE community_members SET joined_at = strftime('%s', 'now') - 86400 * 60")
    srv.execute("UPDATE membership_log SET at = strftime('%s', 'now') - 86400 * 60")
    a = srv.session(keys['ann'])
    tid = ok(a.call('thread.create', slug='cop', title='Case notes', body='Hello'))['thread_id']
    ok(srv.session(keys['lead']).call('post.create', thread_id=tid, body='Welcome, Ann'))
    return srv, keys


def highlighted(t):
    """The screen's highlighted list line (black on yellow, or reverse
    video without colours), read back with its attributes; '' if none."""
    import re
    import subprocess
    out = subprocess.run(['tmux', '-S', t.sock, 'capture-pane', '-e', '-p', '-t', t.name],
                         capture_output=True, text=True).stdout.splitlines()
    for ln in out[2:-2]:                      # not the title bar or the status line
        sgr = ' '.join(re.findall(r'\x1b\[([0-9;]*)m', ln))
        if re.search(r'(?<![0-9])(43|7)(?![0-9])', sgr):
            return re.sub(r'\x1b\[[0-9;]*m', '', ln)
    return ''


def move_to(t, text, limit=80):
    """Press j until the highlighted line holds text (below it)."""
    for _ in range(limit):
        if wait_until(lambda: highlighted(t), 5, 'a highlighted line') and \
                text in highlighted(t):
            return
        before = highlighted(t)
        t.keys('j')
        wait_until(lambda: highlighted(t) != before, 5, 'the highlight to move')
    raise AssertionError('%r never highlighted:\n%s' % (text, t.screen()))


def test_tui_manager_sees_health_and_publishes_the_report():
    srv, keys = town()
    t = tui(srv, keys['mgr'], 'mgr', height=60)
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        t.wait_for('Health score', timeout=15)
        screen = t.wait_for('inactive')          # the whole screen drawn
        assert 'Health of Supervisors' in screen
        assert 'The pyramid' in screen and 'catalysts' in screen
        rows = {ln.split()[0]: ln.split()[1] for ln in screen.splitlines()
                if ln.strip() and ln.split()[0] in ('managers', 'leaders', 'regulars',
                                                    'inactive')}
        assert rows == {'managers': '1', 'leaders': '1', 'regulars': '1',
                        'inactive': '1'}, screen
        assert 'Members per leader: 2.0' in screen
        t.wait_for('The last 12 weeks')
        assert '▁' in t.screen() or '█' in t.screen()
        t.keys('p')
        t.wait_for('Publish the report', timeout=15)
        t.wait_for('The pyramid')
        t.keys('Board report, December')
        t.keys('C-s')
        wait_until(lambda: srv.query("SELECT count(*) FROM threads WHERE title = "
                                     "'Board report, December'")[0][0] == 1, 10,
                   'the report thread')
        body = srv.query("SELECT p.body FROM posts p JOIN threads t ON t.id = p.thread_id "
                         "WHERE t.title = 'Board report, December'")[0][0]
        assert '# State of the community: Supervisors' in body
        assert '| Replies | 1 |' in body
    finally:
        t.kill()


def test_tui_health_scrolls_with_a_visible_cursor_and_aligned_figures():
    """On a 24-line terminal the health screen scrolls with j and Space,
    the line under the cursor is highlighted, goal keys act on the
    highlighted goal, and the Figures headings sit over their numbers."""
    srv, keys = town()
    m = srv.session(keys['mgr'])
    ok(m.call('goal.create', community='cop', title='Reach the Board', ends_at='2027-06-30'))
    srv.execute("UPDATE members SET organisation = 'University of Leeds, School of "
                "Healthcare and the Long Department Name', job_role = 'Trainee counsellor "
                "on a long placement'")
    t = tui(srv, keys['mgr'], 'mgr', height=24)
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        first = t.wait_for('Health score', 'Reach the Board', timeout=15)
        assert 'Make-up' not in first
        top = highlighted(t)
        assert top.strip(), first                 # a line is highlighted at once
        t.keys('j')
        wait_until(lambda: highlighted(t) not in ('', top), 5, 'the cursor to move')
        # goal keys on a line that is not a goal say where to go
        t.keys('K')
        t.wait_for('Move to a goal')
        move_to(t, 'Reach the Board')
        t.keys('K')
        t.wait_for('New key result')
        t.keys('Escape')
        t.wait_for('Health score')
        # Space pages down until the end shows: the screen changes
        for _ in range(10):
            if 'What each figure means' in t.screen():
                break
            before = t.screen()
            t.keys('Space')
            wait_until(lambda: t.screen() != before, 5, 'the screen to scroll')
        screen = t.wait_for('What each figure means', 'Make-up')
        assert 'Health score' not in screen       # scrolled away
        # the make-up wraps: nothing cut at the edge, every group whole
        mk = screen[screen.index('Make-up'):].splitlines()
        role = [ln for ln in mk if 'Community role:' in ln][0]
        assert {'member 2', 'leader 1', 'manager 1'} <= {x.strip() for x in
                                                         role.split(':')[1].split(',')}, role
        assert 'Organisation:' in screen and 'Job role:' in screen and '_' not in screen
        joined = ' '.join(ln.strip() for ln in mk)
        assert 'Long Department Name 4' in joined and 'long placement 4' in joined, screen
        # page back to Figures and read the columns
        for _ in range(40):
            if 'Figures' in t.screen() and 'Members  ' in t.screen():
                break
            before = highlighted(t)
            t.keys('k')
            wait_until(lambda: highlighted(t) != before, 5, 'the cursor to move up')
        screen = t.wait_for('Figures', 'Replies')
        lines = screen.splitlines()
        head = [ln for ln in lines if 'Figures' in ln][0]
        rep = [ln for ln in lines if ln.strip().startswith('Replies')][0]
        assert head.split()[1:] == ['now', 'before', 'change'], head
        # the now heading ends where the now number ends; before likewise
        assert rep.split()[1:3] == ['1', '0'], rep
        now_end = rep.index(' 1 ') + 2
        assert head.index('now') + 3 == now_end, (head, rep)
        before_end = rep.index(' 0 ', now_end - 1) + 2
        assert head.index('before') + 6 == before_end, (head, rep)
    finally:
        t.kill()


def test_tui_platform_health_for_staff_only():
    srv, keys = town()
    t = tui(srv, keys['boss'], 'boss', height=50)
    try:
        t.wait_for('Welcome', timeout=15)
        t.keys('H')
        screen = t.wait_for('Health of the whole platform', timeout=15)
        t.wait_for('Health score')
    finally:
        t.kill()
    t = tui(srv, keys['ann'], 'ann')
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('H')
        t.wait_for('for staff')
        t.keys('Enter')
        screen = t.wait_for('Threads')
        assert 'Health' not in screen            # no Health tab for a member
        t.keys('8')
        assert 'Health of' not in t.screen()
    finally:
        t.kill()


def test_tui_health_without_block_characters():
    srv, keys = town()
    t = tui(srv, keys['mgr'], 'mgr', height=60, env='TERM=vt100 ')
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        screen = t.wait_for('The last 12 weeks', timeout=15)
        assert '█' not in screen and '▁' not in screen, screen
        assert '#' in screen
    finally:
        t.kill()


def test_line_mode_health_report():
    from harness import Tmux
    srv, keys = town()
    t = Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(keys['mgr'], 'mgr') + ['-tt', '127.0.0.1']),
             80, 120)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('12', 'Enter')
        t.wait_for('1. Supervisors')
        t.keys('1', 'Enter')
        t.wait_for('how many days')
        t.keys('Enter')
        screen = t.wait_for('What the figures mean', 'staff for a copy', timeout=15)
        assert 'Health score:' in screen
        row = [ln for ln in screen.splitlines() if ln.strip().startswith('Replies')][0]
        assert row.split()[1] == '1', row
        assert '█' not in screen and '▁' not in screen
        # goals from the line mode: add one, a key result, progress
        t.keys('a', 'Enter')
        t.wait_for('Goal:')
        t.keys('Grow to 30', 'Enter')
        t.wait_for('Ends (YYYY-MM-DD):')
        t.keys('2027-12-31', 'Enter')
        t.wait_for('Goal added.')
        t.keys('k', 'Enter')
        t.wait_for('Goal number:')
        t.keys('1', 'Enter', 'Members', 'Enter', 'members', 'Enter', '30', 'Enter')
        t.wait_for('Key result added.')
        t.keys('g', 'Enter')
        t.wait_for('1.1 Members: 4 of 30 by 2027-12-31')
        t.keys('o', 'Enter')
        t.wait_for('Newcomers to check in with: 2', 'vote or event): 1')
    finally:
        t.kill()
    # a member who leads nothing is told so
    t = Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(keys['ann'], 'ann') + ['-tt', '127.0.0.1']))
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('12', 'Enter')
        t.wait_for('you lead none')
    finally:
        t.kill()


def test_tui_goals_and_outreach():
    """A manager adds a goal and a manual key result owned by a leader, the
    leader enters progress, and the manager opens who to reach."""
    srv, keys = town()
    t = tui(srv, keys['mgr'], 'mgr', height=60)
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        t.wait_for('No goals yet', timeout=15)
        t.keys('N')
        t.wait_for('New goal')
        t.keys('Case studies for the Board', 'Enter', '2027-06-30', 'C-s')
        t.wait_for('Case studies for the Board', 'to 2027-06-30', timeout=15)
        t.wait_for('Saved.')
        assert 'Case studies for the Board' in highlighted(t)   # the new goal
        t.keys('K')
        t.wait_for('New key result')
        t.keys('Case studies written', 'Enter', 'Enter', '4', 'Enter', 'Enter', '@lead', 'C-s')
        t.wait_for('Case studies written', '0/4', timeout=15)
        kr = srv.query("SELECT id, metric FROM key_results")
        assert kr[0][1] is None, kr
        t.keys('o')
        screen = t.wait_for('Who to reach in Supervisors', 'Newcomers to check in with',
                            timeout=15)
        assert 'Never contributed (' in screen
    finally:
        t.kill()
    # the owner enters progress from their own health screen
    t = tui(srv, keys['lead'], 'lead', height=60)
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        t.wait_for('Case studies written', timeout=15)
        move_to(t, 'Case studies written')
        t.keys('U')
        t.wait_for('Value now')
        t.keys('2', 'Enter', 'Two drafted', 'Enter')
        t.wait_for('2/4', timeout=15)
    finally:
        t.kill()
    assert srv.query('SELECT progress, note FROM key_results') == [(2.0, 'Two drafted')]
    # a goal archived from the screen is no longer shown
    t = tui(srv, keys['mgr'], 'mgr', height=60)
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        t.wait_for('Case studies for the Board', timeout=15)
        move_to(t, 'Case studies for the Board')
        t.keys('E')
        t.wait_for('Change the goal')
        t.keys('Tab', 'Tab', 'Space', 'C-s')
        t.wait_for('No goals yet', timeout=15)
    finally:
        t.kill()
    assert srv.query('SELECT archived_at IS NOT NULL FROM goals') == [(1,)]


def test_impact_story_from_the_thread_tui_and_line_mode():
    from harness import Tmux
    srv, keys = town()
    t = tui(srv, keys['mgr'], 'mgr')
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('Case notes', '2 posts')   # the thread list (not Home's)
        t.keys('G', 'Enter')
        t.wait_for('Welcome, Ann', timeout=15)
        t.keys('I')
        t.wait_for('Impact story', 'Why it matters')
        t.keys('Our first real exchange', 'Enter')
        t.wait_for('Marked as an impact story')
    finally:
        t.kill()
    rows = srv.query('SELECT note FROM impact_stories')
    assert rows == [('Our first real exchange',)], rows
    # a leader may not; the line mode says why
    t = Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(keys['lead'], 'lead') + ['-tt', '127.0.0.1']),
             80, 60)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('1. Supervisors')
        t.keys('1', 'Enter')
        t.wait_for('Case notes')
        line = [ln for ln in t.screen().splitlines() if 'Case notes' in ln][0]
        t.keys(line.split('.')[0].strip(), 'Enter')
        t.wait_for('i N marks post N')
        t.keys('i 1', 'Enter')
        t.wait_for('Why it matters')
        t.keys('Enter')
        t.wait_for('Only managers of Supervisors may do that.')
    finally:
        t.kill()
    assert srv.query('SELECT count(*) FROM impact_stories') == [(1,)]


def test_members_tab_says_who_is_online():
    srv, keys = town()
    ann = srv.session(keys['ann'])             # Ann is connected; Bob is not
    t = tui(srv, keys['mgr'], 'mgr')
    try:
        t.wait_for('Supervisors', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('3')
        screen = t.wait_for('manager  online', 'member  online')
        rows = {ln.split('@')[1].split()[0]: ln for ln in screen.splitlines() if '@' in ln
                and ('member' in ln or 'manager' in ln or 'leader' in ln)}
        assert 'online' in rows['ann'] and 'online' not in rows['bob'], rows
    finally:
        t.kill()
        ann.close()
