"""A single Enter between two lines is kept: posts are not run together
into one paragraph (Markdown's soft break shows as a line break), in the
TUI and in the line mode."""
from fixtures import community, ok, tui
from harness import Server, Tmux

BODY = 'Dear all,\nfirst line here\nsecond line here\n\nA new paragraph.'


def seeded():
    srv = Server()
    community(srv, 'students', name='Students', policy='open')
    key = srv.new_member('pat', name='Pat Doe')
    other = srv.new_member('sam', name='Sam Kaur')
    for k in (key, other):
        s = srv.session(k)
        ok(s.call('member.accept_coc'))
        ok(s.call('community.join', slug='students'))
        s.close()
    s = srv.session(other)
    ok(s.call('thread.create', slug='students', title='Three lines', body=BODY))
    s.close()
    return srv, key


def rows_with(screen, *texts):
    lines = screen.splitlines()
    return [next(i for i, ln in enumerate(lines) if t in ln) for t in texts]


def test_tui_keeps_single_line_breaks():
    srv, key = seeded()
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('Three lines')
        t.wait_for('1 post')         # the thread list (not Home's roundup)
        t.keys('G', 'Enter')
        screen = t.wait_for('second line here', timeout=15)
        a, b, c = rows_with(screen, 'Dear all,', 'first line here', 'second line here')
        assert a + 1 == b and b + 1 == c, screen
        assert 'Dear all, first' not in screen
    finally:
        t.kill()


def test_line_mode_keeps_single_line_breaks():
    srv, key = seeded()
    t = Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(key, 'pat') + ['-tt', '127.0.0.1']))
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('1. Students')
        t.keys('1', 'Enter')
        t.wait_for('Three lines')
        line = [ln for ln in t.screen().splitlines() if 'Three lines' in ln][0]
        t.keys(line.split('.')[0].strip(), 'Enter')
        screen = t.wait_for('second line here')
        a, b, c = rows_with(screen, 'Dear all,', 'first line here', 'second line here')
        assert a + 1 == b and b + 1 == c, screen
    finally:
        t.kill()
