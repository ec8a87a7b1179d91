"""Server lifecycle: shutting down with terminal and subsystem sessions open
ends every child and frees everything (checked under the sanitizers), and
every connection is told before it closes."""
import os
import socket

from fixtures import community, ok, people, tui
from harness import Server


def test_shutdown_with_terminal_and_subsystem_sessions_open():
    srv = Server()
    key = srv.new_member('ola')
    t = tui(srv, key, 'ola')
    try:
        t.wait_for('code of conduct', timeout=15)   # the TUI is up and talking
        assert 'terminal session: TUI pid' in srv.log_tail(200)
        s = srv.session(key)
        assert s.call('whoami')['ok']
        srv.stop()        # SIGTERM: exit 0, no sanitizer report
        seen = s.wait_eof()
        assert seen and seen[-1].get('event') == 'server.shutdown', seen
    finally:
        t.kill()


def test_ctl_connection_left_open_at_shutdown():
    srv = Server()
    c = socket.socket(socket.AF_UNIX)
    c.connect(os.path.join(srv.data, 'ctl.sock'))
    c.settimeout(10)
    data = b''
    while b'\n' not in data:
        chunk = c.recv(4096)
        assert chunk, data
        data += chunk
    assert b'"console":true' in data.split(b'\n')[0], data
    srv.stop()
    while True:             # the goodbye, then the end
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    assert data.endswith(b'\n') and b'"server.shutdown"' in data.split(b'\n')[-2], data
    c.close()


def test_writes_pipelined_into_a_shutdown_are_kept_when_acknowledged():
    # The goodbye goes out in slices over several loop turns, so a session
    # not yet told may still run requests: whatever was acknowledged must be
    # on disk after the exit, and the goodbye is each session's last word.
    srv = Server()
    keys = people(srv, 'ola')
    community(srv, 'cop', members=[('ola', 'member')])
    sessions = [srv.session(keys['ola']) for _ in range(6)]
    tid = ok(sessions[0].call('thread.create', slug='cop', title='Late',
                              body='start'))['thread_id']
    req = b'{"id": %d, "op": "post.create", "args": {"thread_id": %d, "body": "p%d"}}\n'
    for k, s in enumerate(sessions):
        s.send_raw(b''.join(req % (1000 + i, tid, k * 1000 + i) for i in range(40)))
    srv.stop()        # SIGTERM right behind them: exit 0
    acked = set()
    for s in sessions:
        seen = s.wait_eof()
        assert seen and seen[-1].get('event') == 'server.shutdown', seen[-3:]
        for m in seen:
            if m.get('id', 0) >= 1000 and m.get('ok'):
                acked.add(m['result']['post_id'])
    kept = {r[0] for r in srv.query('SELECT id FROM posts WHERE thread_id = ?', tid)}
    assert acked <= kept, sorted(acked - kept)
