"""Connections before login: idle sockets from many addresses do not lock
members out, a slow client is cut at the preauth deadline, a source that
keeps failing is refused for a while and then forgiven, and newcomers
(`join`) beyond their cap are told why. Other loopback addresses
(127.0.x.y) stand for other sources."""
import socket
import subprocess
import time

from fixtures import ok, wait_until
from harness import Key, Server


def connect(srv, src):
    return socket.create_connection(('127.0.0.1', srv.port), timeout=5,
                                    source_address=(src, 0))


def banner_or_closed(sock, timeout=5):
    """The server's first bytes, or b'' if it closed without a word."""
    sock.settimeout(timeout)
    try:
        return sock.recv(100)
    except (ConnectionResetError, socket.timeout):
        return b''


def login(srv, key, handle):
    """One real OpenSSH login and request; the seconds it took, or None."""
    t0 = time.time()
    p = subprocess.run(srv.ssh_base(key, handle) + ['-s', '127.0.0.1', 'hearth'],
                       input=b'{"id": 1, "op": "whoami"}\n', capture_output=True,
                       timeout=30)
    if b'"ok": true' not in p.stdout and b'"ok":true' not in p.stdout:
        return None
    return time.time() - t0


def test_member_gets_in_while_idle_sockets_hold_slots():
    srv = Server({'login_grace': 30})
    key = srv.new_member('tess')
    # 30 addresses in three other /24 ranges, 10 idle sockets each; a socket
    # refused (closed at once) is opened again, a few times.
    sources = ['127.0.%d.%d' % (r, h) for r in (1, 2, 3) for h in range(1, 11)]
    held = []
    for src in sources:
        for _ in range(10):
            for _ in range(3):
                s = connect(srv, src)
                if banner_or_closed(s, 2):
                    held.append(s)
                    break
                s.close()
    times = [login(srv, key, 'tess') for _ in range(5)]
    assert all(t is not None and t < 2 for t in times), (len(held), times)
    assert len(held) >= 250, len(held)
    for s in held:
        s.close()


def test_slowloris_cut_at_the_preauth_deadline():
    # the default deadline (10 s), well inside the login grace
    srv = Server({'login_grace': 30})
    key = srv.new_member('tess')
    slow = connect(srv, '127.0.0.9')
    assert banner_or_closed(slow).startswith(b'SSH-2.0-')
    t0 = time.time()
    closed = None
    for ch in b'SSH-2.0-OpenSSH_9.2 slowly, one byte a second\r\n':
        try:
            slow.sendall(bytes([ch]))
        except (BrokenPipeError, ConnectionResetError):
            closed = time.time() - t0
            break
        slow.settimeout(1)
        try:
            if slow.recv(100) == b'':
                closed = time.time() - t0
                break
        except socket.timeout:
            pass
        except ConnectionResetError:   # closed with a reset: closed too
            closed = time.time() - t0
            break
    assert closed is not None and 8 < closed < 14, closed
    assert 'no key exchange within 10s' in srv.log_tail(200)
    assert login(srv, key, 'tess') is not None


def test_failing_source_is_penalised_then_forgiven():
    srv = Server({'preauth_timeout': 1, 'penalty_timeout': 2,
                  'penalty_min': 4, 'penalty_max': 5})
    key = srv.new_member('tess')
    bad = '127.0.4.7'
    # three silent sockets miss the deadline: 6 s of penalty, capped at 5
    socks = [connect(srv, bad) for _ in range(3)]
    for s in socks:
        assert banner_or_closed(s).startswith(b'SSH-2.0-')
    for s in socks:
        s.settimeout(5)
        while s.recv(100):
            pass
        s.close()
    refused_at = time.time()
    # now refused at once, without a banner, a few times: one log line
    for _ in range(5):
        s = connect(srv, bad)
        assert banner_or_closed(s, 2) == b''
        s.close()
    log = srv.log_tail(400)
    assert 'refusing 127.0.4.7 for' in log, log
    assert log.count('refusing connections from 127.0.4.7') == 1, log
    # others are not affected
    assert login(srv, key, 'tess') is not None
    # forgiven when the penalty has run out (at most 5 s)
    def accepted():
        s = connect(srv, bad)
        got = banner_or_closed(s, 2)
        s.close()
        return got.startswith(b'SSH-2.0-')
    wait_until(accepted, 10, 'the source to be forgiven')
    assert time.time() - refused_at > 2


def test_failed_logins_from_one_address_are_penalised():
    # defaults: 5 s a failed connection, refused from 30 s on
    srv = Server()
    key = srv.new_member('tess')
    stranger = Key('stranger')
    base = srv.ssh_base(stranger, 'tess')
    tries = 0
    while True:
        tries += 1
        p = subprocess.run(base + ['-b', '127.0.5.5', '-s', '127.0.0.1', 'hearth'],
                           capture_output=True, timeout=30)
        assert p.returncode == 255
        if b'Permission denied' not in p.stderr:
            break       # refused before the key exchange
        assert tries < 9, 'still let in after %d failures' % tries
    assert tries >= 6, tries
    assert 'refusing 127.0.5.5 for' in srv.log_tail(200)
    assert login(srv, key, 'tess') is not None


def test_join_sessions_beyond_the_cap_are_refused():
    # defaults: 5 newcomers from one address
    srv = Server()
    held = [srv.session(Key('k%d' % i), 'join') for i in range(5)]
    first = held[0]
    extra = subprocess.run(srv.ssh_base(Key('c'), 'join') + ['-s', '127.0.0.1', 'hearth'],
                           input=b'', capture_output=True, timeout=30)
    assert extra.returncode != 0
    assert b'too many newcomers' in extra.stderr, extra.stderr
    assert b'"event"' not in extra.stdout
    # redeeming an invite frees the newcomer's place
    inv = srv.ctl('invite', 'create', '--name', 'Ann', '--role', 'member')
    ok(first.call('invite.redeem', code=inv['code'], handle='ann',
                  display_name='Ann'))
    def admitted():
        try:
            s = srv.session(Key('d'), 'join')
        except AssertionError:
            return False
        s.close()
        return True
    wait_until(admitted, 10, 'a newcomer to be let in again')
    for s in held:
        s.close()


def test_member_gets_in_when_the_full_count_is_reached():
    # a small full count that idle sockets from ten addresses can reach:
    # room is made by dropping one from an address holding more
    srv = Server({'login_grace': 30, 'max_startups': '5:30:20'})
    key = srv.new_member('tess')
    held = []
    for src in ['127.0.6.%d' % h for h in range(1, 11)]:
        for _ in range(6):
            s = connect(srv, src)
            if banner_or_closed(s, 2):
                held.append(s)
            else:
                s.close()
    assert len(held) >= 20, len(held)
    assert login(srv, key, 'tess') is not None
    assert 'dropped to make room for 127.0.0.1' in srv.log_tail(400)
    for s in held:
        s.close()
