"""Server lifecycle: shutting down with terminal and subsystem sessions open
ends every child and frees everything (checked under the sanitizers)."""
import time

from harness import Server, Tmux


def test_shutdown_with_terminal_and_subsystem_sessions_open():
    srv = Server()
    key = srv.new_member('ola')
    t = Tmux(' '.join(srv.ssh_base(key, 'ola') + ['-tt', '127.0.0.1']))
    try:
        deadline = time.time() + 15
        while time.time() < deadline and 'terminal session: TUI pid' not in srv.log_tail(200):
            time.sleep(0.1)
        assert 'terminal session: TUI pid' in srv.log_tail(200)
        s = srv.session(key)
        assert s.call('whoami')['ok']
        time.sleep(0.5)
        srv.stop()        # SIGTERM: exit 0, no sanitizer report
        assert s.wait_eof() is not None
    finally:
        t.kill()


def test_ctl_connection_left_open_at_shutdown():
    import socket
    import os
    srv = Server()
    c = socket.socket(socket.AF_UNIX)
    c.connect(os.path.join(srv.data, 'ctl.sock'))
    assert b'"console":true' in c.recv(4096)
    srv.stop()
    c.close()
