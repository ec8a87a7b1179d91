"""The roadmap through real `ssh -tt` in tmux (80 columns): a manager opens
the Roadmap tab, edits a section in the composer, adds an action, scrolls
the grid sideways, compares two versions and adds a persona; a leader
proposes; a member reads; and the same paths in the line mode (TERM=dumb)."""
from fixtures import community, ok, people, tui, wait_until
from harness import Server, Tmux


def town():
    srv = Server()
    keys = people(srv, 'mgr', 'lead', 'ann')
    community(srv, 'cop', visibility='private', name='Supervisors',
              members=[('mgr', 'manager'), ('lead', 'leader'), ('ann', 'member')])
    return srv, keys


def body(srv, key):
    rows = srv.query("SELECT s.body FROM roadmap_sections s JOIN roadmaps r ON "
                     "r.id = s.roadmap_id WHERE s.key = ?", key)
    return rows[0][0] if rows else None


def roadmap_tab(t):
    """From Home into the only community, then its Roadmap (9)."""
    t.wait_for('Supervisors', timeout=15)
    t.keys('Enter')
    t.wait_for('0-9:tabs')
    t.keys('9')


def test_tui_manager_edits_the_roadmap_grid_and_personas():
    srv, keys = town()
    t = tui(srv, keys['mgr'], 'mgr', height=30)
    try:
        roadmap_tab(t)
        screen = t.wait_for('Roadmap of Supervisors', timeout=15)
        t.wait_for('Vision')
        screen = t.screen()
        assert 'Community purpose' in screen and '(empty)' in screen
        assert all(len(ln) <= 80 for ln in screen.splitlines())
        # Enter reads a section: the template's prompt
        t.keys('Enter')
        t.wait_for('long-term goal')
        t.keys('q')
        t.wait_for('Community purpose')
        # e edits it in the composer
        t.keys('e')
        t.wait_for('Ctrl-S:send')
        t.keys('We learn together.')
        t.keys('C-s')
        wait_until(lambda: body(srv, 'vision') == 'We learn together.', 10,
                   'the vision saved')
        t.wait_for('Vision: We learn together.')
        # the grid: an action with an owner
        t.keys('a')
        t.wait_for('M10-12')
        t.keys('n')
        t.wait_for('New action')
        t.keys('Down', 'Kick-off meeting', 'Down', '@lead', 'Down', 'A room')
        t.keys('C-s')
        screen = t.wait_for('M10-12', 'Kick-off meeting', timeout=10)
        row = next(ln for ln in screen.splitlines() if 'Kick-off meeting' in ln)
        assert row.split()[-1] == 'plan', row       # in the M1 column
        assert 'M1' in screen and 'M7-9' in screen
        assert all(len(ln) <= 80 for ln in t.screen().splitlines())
        assert '@lead' not in t.screen()
        # sideways: who, status, resources
        for _ in range(8):
            t.keys('Right')
        screen = t.wait_for('@lead', 'Resources', 'A room')
        t.keys('Left')
        t.wait_for('M10-12')
        # versions: Enter compares with the one before
        t.keys('v')
        t.wait_for('Added the action')
        t.keys('Down')                           # version 1, the vision
        t.keys('Enter')
        screen = t.wait_for('+ We learn together.', timeout=10)
        assert '- _Not written yet._' in screen
        t.keys('q')
        # personas
        t.keys('p')
        t.wait_for('No personas yet')
        t.keys('n')
        t.wait_for('New persona')
        t.keys('Newcomer Nia', 'Down', 'Joined this month')
        t.keys('C-s')
        t.wait_for('Newcomer Nia: Joined this month')
        # W: the whole roadmap as one document
        t.keys('W')
        t.wait_for('The whole roadmap', 'We learn together.')
        assert srv.query('SELECT name FROM personas') == [('Newcomer Nia',)]
    finally:
        t.kill()


def test_tui_leader_proposes_member_reads():
    srv, keys = town()
    t = tui(srv, keys['lead'], 'lead', height=30)
    try:
        roadmap_tab(t)
        t.wait_for('Community purpose', timeout=15)
        t.keys('Down', 'e')
        t.wait_for('Propose a new text')
        t.keys('To share practice.')
        t.keys('C-s')
        t.wait_for('o Proposals (1)')
        wait_until(lambda: srv.query('SELECT count(*) FROM roadmap_proposals')[0][0] == 1,
                   10, 'the proposal')
    finally:
        t.kill()
    # a manager accepts it on the proposals pane
    t = tui(srv, keys['mgr'], 'mgr', height=30)
    try:
        roadmap_tab(t)
        t.wait_for('o Proposals (1)', timeout=15)
        t.keys('o')
        t.wait_for('by @lead')
        t.keys('A')
        t.wait_for('Accept this proposal')
        t.keys('y')
        wait_until(lambda: body(srv, 'purpose') == 'To share practice.', 10,
                   'the proposal accepted')
    finally:
        t.kill()
    t = tui(srv, keys['ann'], 'ann', height=30)
    try:
        roadmap_tab(t)
        t.wait_for('Community purpose: To share practice.', timeout=15)
        assert 'o Proposals' not in t.screen()
        t.keys('Down', 'e')
        t.wait_for('leaders propose')
    finally:
        t.kill()


def plain(srv, key, user):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 220, 50)
    t.wait_for('Main menu', timeout=15)
    return t


def waiting_at(t, prompt, timeout=10):
    """Wait until the line mode waits for input at prompt (its last line)."""
    def last():
        lines = [ln for ln in t.screen().splitlines() if ln.strip()]
        return lines[-1].rstrip() if lines else ''
    wait_until(lambda: last().endswith(prompt.rstrip()), timeout,
               'the prompt %r (last line: %r)' % (prompt, last()))


def say(t, *steps):
    """Each step (prompt, line): wait for the prompt, then type the line."""
    for prompt, line in steps:
        waiting_at(t, prompt)
        t.keys(line, 'Enter')


ROADMAP = "l list the sections again, 0 back:"


def open_roadmap(t):
    say(t, ('Choose a number:', '1'), ('0 back:', '1'), ('0 back:', 'r'))
    waiting_at(t, ROADMAP)


def test_plain_roadmap_sections_actions_personas_versions():
    srv, keys = town()
    t = plain(srv, keys['mgr'], 'mgr')
    try:
        open_roadmap(t)
        say(t, (ROADMAP, '1'))
        t.wait_for('What is the challenge you want to address')
        say(t, (ROADMAP, 'e 1'), ('full stop.', 'Line one of the vision.'))
        t.keys('.', 'Enter')
        t.wait_for('Saved: a new version.')
        say(t, (ROADMAP, 'm 3'))
        t.wait_for('Only managers read it now.')
        say(t, (ROADMAP, 'a'), ('0 back:', 'n'), ('Enter keeps it):', '2'),
            ('Enter keeps it):', 'Drop-in table'), ('Enter keeps it):', '@ann'),
            ('Enter keeps it):', 'A table'))
        t.wait_for('Action added.')
        say(t, ('0 back:', 's 1 doing'))
        t.wait_for('[Month 2] Drop-in table: @ann, doing; needs A table')
        say(t, ('0 back:', '0'))
        say(t, (ROADMAP, 'p'), ('0 back:', 'n'), ('Name:', 'Lurker Lu'),
            ('Description:', 'Reads, never posts'), ('Needs:', 'Safety'),
            ('Pain points:', 'Time'), ('Preferred ways to take part:', 'Threads'))
        t.wait_for('Lurker Lu: Reads, never posts')
        say(t, ('0 back:', '0'))
        say(t, (ROADMAP, 'v'), ('Enter back:', '0 1'))
        t.wait_for('+ Line one of the vision.')
        say(t, (ROADMAP, 'W'))
        t.wait_for('## Ambitions', '### Long-term actions (7-12 months)')
        assert body(srv, 'vision') == 'Line one of the vision.\n'
    finally:
        t.kill()
    t = plain(srv, keys['ann'], 'ann')
    try:
        open_roadmap(t)
        assert 'Objectives' not in t.screen()     # managers only
        say(t, (ROADMAP, 'e 1'))
        t.wait_for('Managers edit the roadmap; leaders propose changes.')
    finally:
        t.kill()
    t = plain(srv, keys['lead'], 'lead')
    try:
        open_roadmap(t)
        say(t, (ROADMAP, 'e 2'), ('full stop.', 'Why we meet.'))
        t.keys('.', 'Enter')
        say(t, ('(Enter: none):', 'please'))
        t.wait_for('Proposed: the managers are told.')
    finally:
        t.kill()
    t = plain(srv, keys['mgr'], 'mgr')
    try:
        open_roadmap(t)
        say(t, (ROADMAP, 'o'), ('Enter back:', 'a 1'))
        t.wait_for('Accepted: the section has its text.')
        say(t, (ROADMAP, 'l'))                  # the sections once more, on asking
        t.wait_for('Community purpose: Why we meet.')
        say(t, (ROADMAP, '0'), ('0 back:', '0'), ('Choose a number:', '15'))
        t.wait_for('Roadmap of the platform')
    finally:
        t.kill()
