"""Line-mode lists keep one line per item (TERM=dumb over `ssh -tt` in
tmux, a real hearthd): a preview written over several lines is one line,
its newlines collapsed, long ones cut with an ellipsis."""
from fixtures import ok
from harness import Server, Tmux
from test_messages import with_community
from test_live import forum


def plain(srv, key, user):
    """The line mode on a terminal wide enough that no line wraps."""
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 250, 60)
    t.wait_for('Main menu', timeout=15)
    return t


def lines_with(screen, text):
    return [l for l in screen.split('\n') if text in l]


def test_line_mode_list_previews_are_one_line():
    srv = Server()
    keys = with_community(srv)
    bob = srv.session(keys['bob'])
    ok(bob.call('message.send', to=['ann'],
                body='First line\nsecond line\n\n- a list item\n' + 'long words ' * 30))
    t = plain(srv, keys['ann'], 'ann')
    try:
        t.keys('13', 'Enter')
        screen = t.wait_for('Private messages: 1 unread.', '1. @bob, 1 unread.')
        row = lines_with(screen, '1. @bob, 1 unread.')
        assert len(row) == 1, screen
        # the whole preview on that one line, newlines as spaces, then "…"
        assert 'First line second line - a list item long words' in row[0], screen
        assert row[0].rstrip().endswith('…'), row
        assert 'second line' not in screen.replace(row[0], ''), screen
    finally:
        t.kill()


def test_line_mode_drafts_list_preview_is_one_line():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    ok(srv.session(keys['pat']).call('draft.save', key='reply:%d' % tid,
                                     body='Para one.\n\nPara two.\nPara three.'))
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('D', 'Enter')
        screen = t.wait_for('1. a reply in "Supervision notes": Para one. Para two. '
                            'Para three.')
        assert len(lines_with(screen, 'Para t')) == 1, screen
    finally:
        t.kill()


def test_directory_too_long_counts_characters_not_bytes():
    """The server takes at most 200 bytes of words and 80 of a region; the
    refusal says how many of the characters typed fit: 66 CJK ones (three
    bytes each) of 200 bytes, not "200 letters"."""
    from fixtures import people, tui
    srv = Server()
    keys = people(srv, 'pat')
    words = '日本語' * 30                  # 90 characters, 270 bytes
    t = tui(srv, keys['pat'], 'pat', width=200)
    try:
        t.wait_for('Welcome', timeout=15)
        t.keys('d')
        t.wait_for('Find members:')
        t.keys('-l', words)
        screen = t.wait_for('is too long')
        assert '66 characters of the 90 typed fit; please shorten it.' in screen, screen
        assert '200 letters' not in screen
    finally:
        t.kill()
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('4', 'Enter')
        t.wait_for('Number to open a profile')
        t.keys('r ' + 'ó' * 50, 'Enter')   # 50 characters, 100 bytes of 80
        screen = t.wait_for('is too long')
        assert '40 characters of the 50 typed fit; please shorten it.' in screen, screen
    finally:
        t.kill()
