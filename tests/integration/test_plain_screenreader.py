"""The line mode as a screen-reader user meets it, through the real
OpenSSH client against a real hearthd: `ssh -T` (no pty asked for) echoes
each line once, the main menu says what is wrong and what is new, a saved
draft and a long library document are said plainly, and a community's
menu says where you stand and offers only what you can do."""
import os
import select
import subprocess
import time

from fixtures import community, ok, people
from harness import Server, Tmux


def plain(srv, key, user, height=60):
    """The line mode over `TERM=dumb ssh -tt` in tmux."""
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 160, height)
    t.wait_for('Choose a number', timeout=15)
    return t


class Pipe:
    """`ssh -T` with its input and output pipes: what a no-pty client
    sends and gets, byte for byte."""

    def __init__(self, srv, key, user):
        cmd = srv.ssh_base(key, user) + ['-T', '127.0.0.1']
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.out = b''

    def send(self, line):
        self.proc.stdin.write(line.encode() + b'\n')
        self.proc.stdin.flush()

    def wait_for(self, text, timeout=15):
        """All output so far, once it holds text (after what was read)."""
        deadline = time.time() + timeout
        start = len(self.out)
        fd = self.proc.stdout.fileno()
        while text.encode() not in self.out[start:]:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError('%r not in output:\n%s' % (
                    text, self.out.decode(errors='replace')))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError('ended before %r:\n%s' % (
                        text, self.out.decode(errors='replace')))
                self.out += chunk
        return self.out.decode()

    def close(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


def test_no_pty_line_mode_does_not_echo_or_add_carriage_returns():
    """Without a pty request the client's own terminal echoes: the server
    adds no second echo and sends "\\n" as it is (no "\\r\\n")."""
    srv = Server()
    keys = people(srv, 'pat')
    p = Pipe(srv, keys['pat'], 'pat')
    try:
        p.wait_for('Choose a number')
        p.send('zq7')
        p.send('6')                       # the code of conduct
        out = p.wait_for('You accepted it on')
        assert '\r' not in out, repr(out[-400:])
        lines = [l.strip() for l in out.split('\n')]
        assert 'zq7' not in lines and '6' not in lines, out
        assert not any(l.endswith(': zq7') or l.endswith(': 6') for l in lines), out
    finally:
        p.close()
    # in a terminal: ssh -T leaves echo to the local terminal (once) ...
    cmd = srv.ssh_base(keys['pat'], 'pat') + ['-T', '127.0.0.1']
    t = Tmux(' '.join(cmd), 160, 40)
    try:
        t.wait_for('Choose a number', timeout=15)
        t.keys('zq7', 'Enter')
        t.keys('6', 'Enter')
        screen = t.wait_for('You accepted it on')
        assert [l.strip() for l in screen.split('\n')].count('zq7') == 0, screen
    finally:
        t.kill()
    # ... and TERM=dumb ssh -tt has the server's pty echo it (once)
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('zq7', 'Enter')
        t.wait_for(': zq7')
        t.keys('6', 'Enter')
        screen = t.wait_for('You accepted it on')
        assert [l.strip() for l in screen.split('\n')].count('zq7') == 0, screen
    finally:
        t.kill()


def test_main_menu_says_what_is_wrong_and_keeps_to_a_short_prompt():
    """A choice not on the menu is said so and only the short prompt
    follows; back from a sub-menu only the short prompt (and what is new
    if that changed); `?` prints the menu. Numbers have no gap for a
    member, and the admin's entry comes last. The menu says what is
    unread and which rooms are open."""
    from fixtures import room_circle
    srv = Server()
    keys = room_circle(srv, extra=[('ada', 'admin')])
    bob = srv.session(keys['bob'])
    ok(bob.call('message.send', to=['alice'], body='Are you free on Friday?'))
    t = plain(srv, keys['alice'], 'alice')
    try:
        screen = t.wait_for('0. Leave', 'Choose a number:')
        menu = screen[screen.index('Main menu:'):]
        labels = [l.strip() for l in menu.split('\n') if l.startswith('  ')
                  and l.strip()[:1].isdigit()]
        nums = [int(l.split('.')[0]) for l in labels if l.split('.')[0].isdigit()]
        assert nums[:-1] == list(range(1, 17)), screen     # then 0. Leave
        assert 'Admin' not in screen, screen
        assert '13. Private messages' in screen, screen
        assert 'Unread: ' in screen and '1 private message (13).' in screen, screen
        t.keys('99', 'Enter')
        screen = t.wait_for('99 is not on the menu.',
                            'Main menu (? lists it). Choose a number:')
        t.keys('l', 'Enter')
        screen = t.wait_for('l is not on the menu.')
        assert screen.count('Main menu:') == 1, screen
        # a room opens meanwhile: back from a sub-menu, it is said
        h = srv.session(keys['host'])
        ok(h.call('room.open', community='cop', title='Thursday drop-in', record='off'))
        t.keys('6', 'Enter')
        t.wait_for('You accepted it on')
        screen = t.wait_for('Open now: 1 room (7).',
                            'Main menu (? lists it). Choose a number:')
        assert screen.count('Main menu:') == 1, screen
        assert screen.count('14. Surveys') == 1, screen
        t.keys('?', 'Enter')
        screen = t.wait_for('Open now: 1 room (7).\n  1. Communities')
        assert 'Main menu:' in screen.split('number: ?')[-1], screen
    finally:
        t.kill()
    t = plain(srv, keys['ada'], 'ada')
    try:
        screen = t.wait_for('0. Leave')
        assert '16. The platform\'s library\n  17. Admin: invites' in screen, screen
    finally:
        t.kill()


def test_offered_draft_says_its_time_in_words_without_bars():
    """Composing where a draft is kept: when it was saved is said as every
    time in the line mode is (no ISO timestamp), and its lines are read as
    plain indented text, not after a "|" read out as "vertical bar"."""
    import re
    srv = Server()
    keys = people(srv, 'pat')
    community(srv, 'circle', 'platform', [('pat', 'member')], name='Circle')
    p = srv.session(keys['pat'])
    tid = ok(p.call('thread.create', slug='circle', title='Winter plans',
                    body='first'))['thread_id']
    ok(p.call('draft.save', key='reply:%d' % tid,
              body='Para one of the draft.\n\nPara two of it.'))
    p.close()
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('1', 'Enter')
        t.wait_for('1. Circle')
        t.keys('1', 'Enter')
        t.wait_for('. Winter plans')
        t.keys('3', 'Enter')
        t.wait_for('Thread: Winter plans')
        t.keys('r', 'Enter')
        screen = t.wait_for('You have an unsent draft here', 'c to continue it')
        offer = screen[screen.index('You have an unsent draft here'):]
        assert not re.search(r'\d{4}-\d\d-\d\dT\d\d:\d\d', offer), offer
        assert 'kept on the server, saved ' in offer, offer
        assert '|' not in offer, offer
        assert '\n  Para one of the draft.\n' in offer, offer
        assert '\n  Para two of it.\n(End of the draft.)' in offer, offer
    finally:
        t.kill()


def test_long_library_document_is_paged_and_the_prompt_reads_right():
    """A long document says how long it is and is read a page at a time
    (Enter on, s stops); the uploader's prompt after it is whole words."""
    from test_library import setup, sftp, write
    from harness import tmpdir
    srv, keys = setup()
    d = tmpdir()
    body = '\n\n'.join('Paragraph %d of the guide.' % i for i in range(1, 56))
    sftp(srv, keys['pat'], 'pat', 'put %s /students/guide.md\n'
         % write(os.path.join(d, 'guide.md'), body.encode()))
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('1', 'Enter')
        t.wait_for('STUDENTS')
        t.keys('1', 'Enter')
        t.wait_for('l library')
        t.keys('l', 'Enter')
        t.wait_for('1. guide.md')
        t.keys('1', 'Enter')
        screen = t.wait_for('It is 109 lines long. Enter reads it, 30 lines at a '
                            'time (a: all of it); s skips it:')
        assert 'Paragraph 1 of' not in screen, screen
        t.keys('Enter')
        screen = t.wait_for('30 of 109 lines read. Enter reads on, a reads the rest, '
                            's stops:')
        assert 'Paragraph 15 of the guide.' in screen, screen
        assert 'Paragraph 16 of' not in screen, screen
        t.keys('Enter')
        t.wait_for('60 of 109 lines read.')
        t.keys('s', 'Enter')
        screen = t.wait_for('Stopped at line 60 of 109.',
                            'e to change its title, description or tags, '
                            'Enter: back:')
        assert 'on: ' not in screen and 'Paragraph 31 of' not in screen, screen
        t.keys('Enter')
        t.wait_for('Number to open, u up')
        t.keys('1', 'Enter')
        t.wait_for('It is 109 lines long.')
        t.keys('Enter')
        t.wait_for('30 of 109 lines read.')
        t.keys('a', 'Enter')
        screen = t.wait_for('Paragraph 55 of the guide.\n(End of the document.)')
    finally:
        t.kill()


def community_prompt(screen):
    """The community menu's last prompt on the screen."""
    return [l for l in screen.split('\n') if 'p polls' in l and '0 back:' in l][-1]


def test_community_menu_says_where_you_stand_and_offers_what_you_may():
    """The header says member, not a member or request sent; j is offered
    only to someone who may join and asks nothing once a request is sent;
    R only to leaders and managers; n only to members."""
    srv = Server()
    keys = people(srv, 'pat', 'lee')
    community(srv, 'nd', name='Neuro Diverse', policy='request',
              members=[('lee', 'leader')])
    community(srv, 'circle', name='Circle', members=[('pat', 'member')])
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('1', 'Enter')
        t.wait_for('1. Circle (member')
        t.keys('1', 'Enter')
        screen = t.wait_for('Circle (you are a member)', 'personas, ', '0 back:')
        menu = community_prompt(screen)
        assert 'n new thread' in menu and 'm membership' in menu, menu
        assert 'j ' not in menu and 'R reports' not in menu, menu
        t.keys('0', 'Enter')
        t.keys('1', 'Enter')
        t.wait_for('2. Neuro Diverse (not a member)')
        t.keys('2', 'Enter')
        screen = t.wait_for('Neuro Diverse (not a member)\n', 'personas, ', '0 back:')
        menu = community_prompt(screen)
        assert 'j ask to join' in menu, menu
        assert 'n new thread' not in menu and 'R reports' not in menu, menu
        assert 'm membership' not in menu, menu
        t.keys('j', 'Enter')
        t.wait_for('Join as a member (m) or as interested (i)?')
        t.keys('m', 'Enter')
        t.wait_for('full stop')
        t.keys('I would like to join.', 'Enter', '.', 'Enter')
        screen = t.wait_for('Request sent.',
                            'Neuro Diverse (not a member; you asked to join ')
        assert 'waiting for an answer)' in screen, screen
        menu = community_prompt(screen)
        assert 'j ' not in menu, menu
        assert 'm membership (withdraw your request)' in menu, menu
        # j typed anyway: said at once, before any question
        t.keys('j', 'Enter')
        screen = t.wait_for('You have already asked to join Neuro Diverse')
        tail = screen[screen.rindex('Request sent.'):]
        assert tail.count('Join as a member (m)') == 0, tail
    finally:
        t.kill()
    t = plain(srv, keys['lee'], 'lee')
    try:
        t.keys('1', 'Enter')
        t.wait_for('Neuro Diverse (leader')
        t.keys('2', 'Enter')
        screen = t.wait_for('Neuro Diverse (you are a leader)', 'personas, ', '0 back:')
        menu = community_prompt(screen)
        assert 'R reports' in menu and 'n new thread' in menu, menu
        assert 'j ' not in menu, menu
    finally:
        t.kill()


def test_no_pty_room_line_is_said_once():
    """In a room over `ssh -T` what is typed comes back once, as the room's
    line ("Alice: ..."), not echoed by the server first."""
    from fixtures import room_circle
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Thursday drop-in',
                    record='off'))['room']['room_id']
    p = Pipe(srv, keys['alice'], 'alice')
    try:
        p.wait_for('Choose a number')
        p.send('room %d' % rid)
        p.wait_for('/leave leaves.')
        p.send('Thanks Ruth for the notes')
        p.wait_for('Thanks Ruth for the notes')
        p.send('/help')
        out = p.wait_for('/leave goes back to the menu')
        assert out.count('Thanks Ruth for the notes') == 1, out
        assert '\r' not in out, repr(out[-300:])
    finally:
        p.close()
