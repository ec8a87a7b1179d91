"""Bad input: each case gets a clear error and loses nothing; only an
over-long line ends the connection; silent or non-SSH peers are dropped
after the grace time while others carry on."""
import socket
import time

from fixtures import wait_until
from harness import Server


def member(srv):
    key = srv.new_member('tess')
    return key, srv.session(key, 'tess')


def still_fine(s):
    r = s.call('whoami')
    assert r['ok'] and r['result']['member']['handle'] == 'tess', r


def test_invalid_json_then_continue():
    srv = Server()
    _, s = member(srv)
    s.send_raw(b'{"id": 1, "op": \n')
    r = s.recv()
    assert r['ok'] is False and r['error']['code'] == 'bad_request', r
    assert 'JSON' in r['error']['message']
    s.send_raw(b'[1,2,3]\n')
    assert s.recv()['error']['code'] == 'bad_request'
    still_fine(s)


def test_unknown_op():
    srv = Server()
    _, s = member(srv)
    r = s.call('thread.explode')
    assert r['error']['code'] == 'bad_request' and 'thread.explode' in r['error']['message']
    s.send({'id': 5, 'args': {}})
    r = s.reply(5)
    assert r['error']['code'] == 'bad_request' and 'op' in r['error']['message'], r
    still_fine(s)


def test_missing_and_mistyped_args_name_the_field():
    srv = Server()
    key, s = member(srv)
    j = srv.session(key.__class__('newbie'), 'join')
    r = j.call('invite.redeem', handle='x1', display_name='X')
    assert r['error']['code'] == 'bad_request' and 'args.code' in r['error']['message'], r
    r = j.call('invite.redeem', code=12, handle='x1', display_name='X')
    assert r['error']['code'] == 'bad_request' and 'args.code' in r['error']['message'], r
    j.send({'id': 9, 'op': 'invite.redeem', 'args': 'nope'})
    r = j.reply(9)
    assert r['error']['code'] == 'bad_request' and 'args' in r['error']['message'], r
    j.send({'id': 'seven', 'op': 'whoami'})
    r = j.recv()
    assert r['error']['code'] == 'bad_request' and 'id' in r['error']['message'], r
    r = j.call('whoami')
    assert r['ok']
    still_fine(s)


def test_invalid_utf8():
    srv = Server()
    _, s = member(srv)
    s.send_raw(b'{"id": 3, "op": "whoami", "args": {"x": "\xff\xfe"}}\n')
    r = s.recv()
    assert r['error']['code'] == 'bad_request' and 'UTF-8' in r['error']['message'], r
    still_fine(s)


def test_line_over_64k_closes_only_that_connection():
    srv = Server()
    key, s = member(srv)
    other = srv.session(key, 'tess')
    s.send_raw(b'{"id": 1, "op": "whoami", "args": {"pad": "' + b'a' * (70 * 1024))
    r = s.recv()
    assert r['ok'] is False and r['error']['code'] == 'too_large', r
    assert s.wait_eof() == []
    r = other.call('whoami')
    assert r['ok']
    # exactly 64 KiB is still a request (answered, not too_large)
    body = b'{"id": 2, "op": "whoami", "args": {"pad": "'
    tail = b'"}}'
    line = body + b'b' * (64 * 1024 - len(body) - len(tail)) + tail
    assert len(line) == 64 * 1024
    other.send_raw(line + b'\n')
    r = other.recv()
    assert r['id'] == 2 and r['ok'], r
    assert srv.alive()


def test_silent_and_garbage_clients_dropped_others_unaffected():
    srv = Server({'login_grace': 2})
    key, s = member(srv)
    silent = socket.create_connection(('127.0.0.1', srv.port))
    garbage = socket.create_connection(('127.0.0.1', srv.port))
    garbage.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n' * 10)
    t0 = time.time()
    still_fine(s)
    for sock in (silent, garbage):
        sock.settimeout(10)
        data = b''
        try:
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        assert time.time() - t0 < 8
        sock.close()
    # a client that stops half-way through the handshake is dropped too
    half = socket.create_connection(('127.0.0.1', srv.port))
    half.sendall(b'SSH-2.0-OpenSSH_9.2\r\n')
    half.settimeout(10)
    t0 = time.time()
    while half.recv(4096):
        pass
    assert 1.5 < time.time() - t0 < 8
    still_fine(s)
    assert srv.alive()


def test_unauthenticated_cap_per_address():
    srv = Server({'login_grace': 2, 'max_unauth_per_ip': 3})
    key, s = member(srv)
    held = [socket.create_connection(('127.0.0.1', srv.port)) for _ in range(3)]
    wait_until(lambda: srv.ctl('status')['ssh_sessions'] == 4, 10, 'the three held')
    extra = socket.create_connection(('127.0.0.1', srv.port))
    extra.settimeout(5)
    t0 = time.time()
    assert extra.recv(100) == b''   # closed at once, before the banner
    assert time.time() - t0 < 1.5
    still_fine(s)                    # authenticated members unaffected
    for h in held:
        h.close()
    wait_until(lambda: srv.ctl('status')['ssh_sessions'] == 1, 10, 'the held ones to go')
    s2 = srv.session(key, 'tess')    # once they are gone, new logins work
    assert s2.hello['data']['member']['handle'] == 'tess'


def test_flood_of_requests_is_answered_in_order():
    srv = Server()
    _, s = member(srv)
    n = 2000
    s.send_raw(b''.join(b'{"id": %d, "op": "whoami"}\n' % i for i in range(1, n + 1)))
    for i in range(1, n + 1):
        r = s.recv()
        assert r['id'] == i and r['ok'], r
    still_fine(s)


def test_client_that_stops_reading_is_dropped():
    srv = Server({'output_cap_kb': 256})
    key, s = member(srv)
    other = srv.session(key, 'tess')
    # many requests, never read: the output queue fills past the cap
    payload = b''.join(b'{"id": %d, "op": "community.list"}\n' % i for i in range(200000))
    try:
        s.send_raw(payload)
    except BrokenPipeError:
        pass
    deadline = time.time() + 30
    while time.time() < deadline and s.proc.poll() is None:
        time.sleep(0.2)
        r = other.call('whoami')
        assert r['ok']
    assert 'client not reading' in srv.log_tail(400) or 'output queue' in srv.log_tail(400)
    assert srv.alive()


def test_client_whose_output_stalls_is_dropped_before_the_cap():
    # A cap far away: only the stall rule can end this connection.
    srv = Server({'output_cap_kb': 131072, 'stall_timeout': 2, 'member_out_cap_mb': 1024})
    key, s = member(srv)
    other = srv.session(key, 'tess')
    payload = b''.join(b'{"id": %d, "op": "whoami"}\n' % i for i in range(200000))
    try:
        s.send_raw(payload)
    except BrokenPipeError:
        pass
    t0 = time.time()
    deadline = t0 + 40
    while time.time() < deadline and 'no output accepted' not in srv.log_tail(400):
        time.sleep(0.5)
        r = other.call('whoami')
        assert r['ok']  # nobody else waits for the stuck client
        try:  # the rule is applied when the next line for it comes
            s.send_raw(b'{"id": 0, "op": "whoami"}\n')
        except (BrokenPipeError, OSError):
            pass
    log = srv.log_tail(400)
    assert 'no output accepted for 2 s' in log, log
    assert 'closing: client not reading' in log
    assert srv.alive()
    still_fine(other)


def test_batch_then_eof_is_answered_in_full():
    import subprocess
    srv = Server()
    key, s = member(srv)
    s.close()
    n = 1000
    batch = b''.join(b'{"id": %d, "op": "whoami"}\n' % i for i in range(1, n + 1))
    p = subprocess.run(srv.ssh_base(key, 'tess') + ['-s', '127.0.0.1', 'hearth'],
                       input=batch, capture_output=True, timeout=60)
    import json
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    ids = [m['id'] for m in lines if 'id' in m]
    assert ids == list(range(1, n + 1)), (len(ids), ids[-3:])


def test_request_flood_ends_only_that_connection():
    srv = Server()
    key, s = member(srv)
    other = srv.session(key, 'tess')
    # 16 MiB of requests at once, never read: the backlog cap ends it
    chunk = b'{"op": "whoami"}\n' * 65536
    try:
        for _ in range(16):
            s.send_raw(chunk)
    except BrokenPipeError:
        pass
    seen = s.wait_eof(timeout=60)
    assert any(m.get('error', {}).get('code') == 'rate_limited' for m in seen) or \
        'request flood' in srv.log_tail(500) or 'output queue' in srv.log_tail(500)
    r = other.call('whoami')
    assert r['ok']


def test_request_sent_with_the_subsystem_request_is_answered():
    """A client that writes at once (data in the same read as the subsystem
    request) and closes its input gets its answer every time."""
    import subprocess
    import json
    srv = Server()
    key, s = member(srv)
    s.close()
    for i in range(20):
        p = subprocess.run(srv.ssh_base(key, 'tess') + ['-s', '127.0.0.1', 'hearth'],
                           input=b'{"id": 1, "op": "whoami"}\n', capture_output=True,
                           timeout=30)
        msgs = [json.loads(l) for l in p.stdout.splitlines()]
        assert [m.get('id') for m in msgs] == [None, 1], (i, msgs, p.stderr)
        assert msgs[1]['ok']
