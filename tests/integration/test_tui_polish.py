"""Small TUI repairs, end to end (tmux runs `ssh -tt` against a real
hearthd): a resumed session reopens an unsent reply, the composer's draft
reaches the server when the typing pauses briefly or a line ends, footers
list only keys the viewer may use, and the drafts list names threads."""
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
