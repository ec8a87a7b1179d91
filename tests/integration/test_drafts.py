"""Drafts live on the server (issue 14): words typed in the composer are
kept as the member types, so a dropped link (the ssh client killed with
SIGKILL mid-post) loses nothing, and another connection offers them."""
import signal
import subprocess

from fixtures import community, err, ok, people, tui, wait_until
from harness import Server

WORDS = ['First paragraph about the supervision model.', '',
         'Second paragraph: what worked with the trainees.', '',
         'Third, the rural placements and the travel.', '',
         'Fourth paragraph, with the numbers from the pilot.', '',
         'Fifth: what we would change next time.', '',
         'Sixth and last: thanks to everyone who took part.']


def ssh_pids(t):
    """The ssh client tmux runs (its pane's process)."""
    out = subprocess.run(['tmux', '-S', t.sock, 'list-panes', '-t', t.name, '-F',
                          '#{pane_pid}'], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def test_six_paragraphs_survive_a_killed_ssh_client():
    srv = Server()
    keys = people(srv, 'pat')
    community(srv, 'cop', name='Students', members=[('pat', 'member')])
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('c')
        t.wait_for('Ctrl-S:send')
        t.keys('What we learnt this term', 'Enter')
        for line in WORDS:
            if line:
                t.keys('-l', line)
            t.keys('Enter')
        # kept on the server as the typing pauses
        wait_until(lambda: srv.query("SELECT count(*) FROM drafts WHERE body LIKE "
                                     "'%thanks to everyone who took part.%'")[0][0] == 1, 15,
                   'the draft on the server')
        for pid in ssh_pids(t):
            subprocess.run(['pkill', '-KILL', '-P', str(pid)])
            subprocess.run(['kill', '-KILL', str(pid)])
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat', height=40)
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('c')
        screen = t.wait_for('Your draft is back', 'thanks to everyone who took part.')
        for line in WORDS:
            assert line in screen, (line, screen)
        assert 'What we learnt this term' in screen
        t.keys('C-s')
        wait_until(lambda: srv.query("SELECT count(*) FROM threads WHERE title = "
                                     "'What we learnt this term'")[0][0] == 1, 10, 'the post')
        # sent: the draft is gone (the TUI forgets it once the post is in:
        # wait for that before the session ends)
        wait_until(lambda: srv.query('SELECT count(*) FROM drafts')[0][0] == 0, 10,
                   'no draft')
    finally:
        t.kill()
    body = srv.query("SELECT p.body FROM posts p JOIN threads t ON t.id = p.thread_id "
                     "WHERE t.title = 'What we learnt this term'")[0][0]
    assert body.rstrip('\n') == '\n'.join(WORDS), body


def test_drafts_are_the_members_own():
    srv = Server()
    keys = people(srv, 'pat', 'sam')
    p = srv.session(keys['pat'])
    ok(p.call('draft.save', key='thread:cop', title='T', body='private words'))
    got = ok(p.call('draft.get', key='thread:cop'))['draft']
    assert got['title'] == 'T' and got['body'] == 'private words'
    # another member's same key is another draft
    assert ok(srv.session(keys['sam']).call('draft.get', key='thread:cop'))['draft'] is None
    # empty forgets it; bad input is refused
    ok(p.call('draft.save', key='thread:cop'))
    assert ok(p.call('draft.get', key='thread:cop'))['draft'] is None
    err(p.call('draft.save', key='x' * 65, body='b'), 'bad_request')
    err(p.call('draft.save', key='k', body='a\x1bb'), 'bad_request')
