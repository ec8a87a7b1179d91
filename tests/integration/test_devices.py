"""Getting in, and staying in, without an SSH lesson (issue 12): a keyless
`ssh join@host` reaches the key-making text instead of "Permission denied
(publickey)"; an unknown key as anyone else is told who to ask and that
join is the way in; keyboard-interactive never logs anyone in and the
pre-auth caps and penalties still hold. Profile → Devices lists, removes
and makes one-time device codes that add a new device's key to the same
member (TUI, line mode, protocol), and `hearthctl member device-code`
does it for a member who lost every device, audited. All through the real
OpenSSH client against a real hearthd."""
import os
import re
import socket
import subprocess
import time

from fixtures import err, ev, ok, people, until, wait_until
from harness import Key, Server, Tmux, tmpdir

CODE = re.compile(r'HRTH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}')


def ssh_cmd(srv, user, key=None, source=None, extra=()):
    """ssh as a person would run it (no BatchMode: keyboard-interactive is
    allowed), with no key at all unless key is given."""
    cmd = ['ssh', '-F', '/dev/null', '-p', str(srv.port),
           '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
           '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
           '-o', 'ConnectTimeout=10']
    if key is None:
        cmd += ['-o', 'PubkeyAuthentication=no',
                '-o', 'PreferredAuthentications=keyboard-interactive']
    else:
        cmd += ['-i', key.path]
    if source:
        cmd += ['-b', source]
    return cmd + list(extra) + ['-l', user]


def flat(screen):
    """A screen with its lines joined: a long line wraps at the width."""
    return screen.replace('\n', '')


def wait_flat(t, *texts, timeout=15):
    """Like Tmux.wait_for, on the screen with wrapped lines joined."""
    wait_until(lambda: all(x in flat(t.screen()) for x in texts), timeout,
               lambda: '%r on screen:\n%s' % (texts, t.screen()))
    return flat(t.screen())


def close_prompt(t):
    """Enter at ssh's "Press Enter to close" prompt, until ssh ends: ssh
    flushes the terminal's input as it starts reading (readpassphrase), so
    a key pressed before that, on a busy machine, is lost, as it would be
    for a person, who presses it again."""
    for _ in range(3):
        t.keys('Enter')
        try:
            return flat(t.wait_for('ssh exit', timeout=5))
        except AssertionError:
            continue
    return flat(t.wait_for('ssh exit', timeout=5))


def keyless(srv, user='join', source=None, **kw):
    """`ssh -t join@host` from a machine with no key, in tmux; the screen
    stays after ssh ends, with its exit status."""
    cmd = ' '.join(ssh_cmd(srv, user, source=source, **kw) + ['-t', '127.0.0.1'])
    return Tmux(cmd + '; echo "ssh exit $?"', 100, 40, remain=True)


def test_keyless_join_reaches_the_key_making_text():
    srv = Server({'login_grace': 30})
    t = keyless(srv)
    try:
        s = wait_flat(t, 'ssh-keygen -t ed25519', 'Press Enter to close')
        for words in ('Windows (in PowerShell)', 'macOS (in Terminal)',
                      'Linux (in a terminal)', 'Connect again',
                      'ssh -t -p %d join@127.0.0.1' % srv.port, 'invite code',
                      'device code'):
            assert words in s, (words, s)
        s = close_prompt(t)
        assert 'make your SSH key as shown, then connect again as join' in s, s
        assert 'Permission denied' not in s, s
    finally:
        t.kill()
    # quiet (-q): OpenSSH prints no instruction text, but the prompt says it
    t = keyless(srv, extra=('-q',))
    try:
        s = wait_flat(t, 'Press Enter to close')
        assert 'No SSH key yet: make one with ssh-keygen -t ed25519, then connect ' \
            'again.' in s, s
        assert 'Permission denied' not in close_prompt(t)
    finally:
        t.kill()
    # nobody logged in, nothing created
    assert srv.query('SELECT count(*) FROM members')[0][0] == 0
    log = open(srv.logpath).read()
    assert 'showing how to get in' in log
    assert 'authenticated' not in log and 'joining' not in log


def test_unknown_key_as_a_member_name_is_told_who_to_ask():
    srv = Server({'login_grace': 30})
    people(srv, 'tess')
    stranger = Key('stranger')
    # a key Hearth does not know, as user "tess": publickey is refused, then
    # keyboard-interactive says why in plain words
    cmd = ' '.join(ssh_cmd(srv, 'tess', key=stranger) + ['-t', '127.0.0.1'])
    t = Tmux(cmd + '; echo "ssh exit $?"', 100, 40, remain=True)
    try:
        s = wait_flat(t, 'Press Enter to close')
        for words in ('does not know the key of this computer',
                      'Hearth administrator', 'connect as join',
                      'ssh -t -p %d join@127.0.0.1' % srv.port,
                      'Profile, then Devices', 'device code'):
            assert words in s, (words, s)
        s = close_prompt(t)
        assert 'connect as join to come in' in s, s
        assert 'Permission denied' not in s, s
    finally:
        t.kill()
    # keyless, as another user: the same plain words, never a session
    p = subprocess.run(ssh_cmd(srv, 'tess') + ['127.0.0.1', 'calendar'],
                       input=b'\n', capture_output=True, timeout=30,
                       env=dict(os.environ, SSH_ASKPASS='/bin/true',
                                SSH_ASKPASS_REQUIRE='force', DISPLAY=':0'))
    out = p.stderr.decode(errors='replace')
    assert p.returncode == 255, out
    assert 'connect as join to come in' in out, out
    assert 'Permission denied' not in out, out
    assert b'BEGIN:VCALENDAR' not in p.stdout


def test_members_with_keys_see_nothing_extra():
    srv = Server({'login_grace': 30})
    keys = people(srv, 'tess')
    # as a person runs ssh (keyboard-interactive allowed), a known key
    p = subprocess.run(ssh_cmd(srv, 'tess', key=keys['tess']) +
                       ['-s', '127.0.0.1', 'hearth'],
                       input=b'{"id": 1, "op": "whoami"}\n', capture_output=True,
                       timeout=30)
    assert b'"handle":"tess"' in p.stdout.replace(b' ', b''), p
    # (but for OpenSSH's own note on the throw-away known_hosts)
    said = [l for l in p.stderr.decode().splitlines() if 'Permanently added' not in l]
    assert said == [], p.stderr
    # and the login is noted on the key
    wait_until(lambda: srv.query("SELECT last_used_at FROM keys k JOIN members m ON "
                                 "m.id = k.member_id WHERE m.handle = 'tess'")[0][0])


def test_kbdint_never_logs_in_and_the_preauth_rules_hold():
    # whatever is answered, keyboard-interactive ends the connection
    srv = Server({'login_grace': 30, 'max_unauth_per_ip': 2,
                  'penalty_authfail': 40, 'penalty_min': 30})
    people(srv, 'tess')
    invite = srv.ctl('invite', 'create', '--name', 'Kim')['code']
    askpass = os.path.join(tmpdir(), 'askpass')
    with open(askpass, 'w') as f:
        f.write('#!/bin/sh\necho %s\n' % invite)
    os.chmod(askpass, 0o755)
    env = dict(os.environ, SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE='force',
               DISPLAY=':0')
    for n, user in enumerate(('join', 'tess', 'admin')):
        p = subprocess.run(ssh_cmd(srv, user, source='127.0.0.%d' % (21 + n)) +
                           ['-s', '127.0.0.1', 'hearth'],
                           input=b'{"id": 1, "op": "whoami"}\n', capture_output=True,
                           timeout=30, env=env)
        assert p.returncode == 255 and p.stdout == b'', (user, p)
        assert 'Hearth:' in p.stderr.decode(), p.stderr
    assert srv.query('SELECT count(*) FROM members')[0][0] == 1
    assert srv.query('SELECT used_at FROM invites WHERE name = ?', 'Kim')[0][0] is None
    log = open(srv.logpath).read()
    assert log.count('showing how to get in') == 3, log
    # ...and each of those was a failed login: its address is now refused
    s = socket.create_connection(('127.0.0.1', srv.port), timeout=5,
                                 source_address=('127.0.0.21', 0))
    s.settimeout(5)
    assert s.recv(100) == b''
    s.close()
    # two readers at the text hold this address's two not-logged-in slots:
    # a third connection from it is refused
    readers = [keyless(srv, source='127.0.0.50') for _ in range(2)]
    try:
        for t in readers:
            wait_flat(t, 'Press Enter to close')
        s = socket.create_connection(('127.0.0.1', srv.port), timeout=5,
                                     source_address=('127.0.0.50', 0))
        s.settimeout(5)
        assert s.recv(100) == b'', 'a third connection was let in'
        s.close()
    finally:
        for t in readers:
            t.kill()
    assert srv.alive()


def code_from(t):
    m = CODE.search(t.screen())
    assert m, t.screen()
    return m.group(0)


def test_device_code_from_the_tui_adds_a_second_key():
    srv = Server({'login_grace': 30})
    keys = people(srv, 'tess')
    old = Tmux(' '.join(srv.ssh_base(keys['tess'], 'tess') + ['-tt', '127.0.0.1']),
               100, 30)
    new = None
    try:
        old.wait_for('Welcome, Tess', timeout=15)
        old.keys('p')
        old.wait_for('Devices (D)')
        old.keys('D')
        s = old.wait_for('Your devices', '(this device)', 'last used')
        assert keys['tess'].fingerprint in s, s
        old.keys('c')
        old.wait_for('Name the new device')
        old.keys('home laptop', 'Enter')
        s = old.wait_for('A device code for your new device', 'ssh-keygen -t ed25519',
                         'join@127.0.0.1')
        assert 'It works once, for 15 minutes' in s, s
        code = code_from(old)
        old.keys('Enter')
        old.wait_for('A device code ending %s waits' % code[-4:])
        # the new laptop: a key of its own, join, the code
        laptop = Key('laptop')
        new = Tmux(' '.join(srv.ssh_base(laptop, 'join') + ['-tt', '127.0.0.1']), 100, 30,
                   remain=True)
        new.wait_for('Invite code:', 'device code from your other device', timeout=15)
        new.keys(code.lower(), 'Enter')
        # the new device says so, as the line mode does, until it is read
        new.wait_for('This device is now added', "This device's key now belongs to",
                     timeout=10)
        new.keys('Enter')
        new.wait_for('Welcome, Tess', timeout=10)
        # the old device's list shows the new one at once
        old.wait_for('home laptop')
        # removing the laptop there ends the laptop's session, saying why
        old.keys('Down', 'x')
        old.wait_for('Remove "home laptop"', 'y: remove it')
        old.keys('y')
        old.wait_for('that device can no longer sign in')
        new.wait_for('key of this device was removed', timeout=10)
        # then it adds itself again, with a new code
        old.keys('c')
        old.wait_for('Name the new device')
        old.keys('laptop again', 'Enter')
        old.wait_for('A device code for your new device')
        code = code_from(old)
        old.keys('Enter')
        new.kill()
        new = Tmux(' '.join(srv.ssh_base(laptop, 'join') + ['-tt', '127.0.0.1']), 100, 30)
        new.wait_for('Invite code:', 'device code from your other device', timeout=15)
        new.keys(code, 'Enter')
        new.wait_for('This device is now added', timeout=10)
        new.keys('Enter')
        new.wait_for('Welcome, Tess', timeout=10)
    finally:
        old.kill()
        if new is not None:
            new.kill()
    rows = srv.query("SELECT k.fingerprint, k.name FROM keys k JOIN members m ON "
                     "m.id = k.member_id WHERE m.handle = 'tess' ORDER BY k.id")
    assert [r[0] for r in rows] == [keys['tess'].fingerprint, laptop.fingerprint]
    assert rows[1][1] == 'laptop again'
    # the second key signs in as the same member, under any user name
    s = srv.session(laptop, 'anything')
    assert s.hello['data']['member']['handle'] == 'tess'
    s.close()
    acts = [r[0] for r in srv.query("SELECT action FROM audit WHERE target = 'tess' "
                                    "ORDER BY id")]
    assert 'device.code' in acts and 'device.redeem' in acts, acts


def redeem(srv, code, key=None):
    s = srv.session(key or Key('newdev'), 'join')
    return s, s.call('device.redeem', code=code)


def test_device_codes_work_once_and_expire():
    srv = Server()
    keys = people(srv, 'tess')
    tess = srv.session(keys['tess'], 'tess')
    code = ok(tess.call('device.code', name='phone'))['code']
    assert CODE.fullmatch(code)
    # stored hashed: the code itself is nowhere in the database
    dump = subprocess.run(['sqlite3', os.path.join(srv.data, 'hearth.db'), '.dump'],
                          capture_output=True, text=True).stdout
    assert code not in dump and code[5:].replace('-', '') not in dump
    s1, r = redeem(srv, code)
    assert ok(r)['member']['handle'] == 'tess'
    assert ok(s1.call('whoami'))['member']['handle'] == 'tess'
    s1.close()
    # once only
    s2, r = redeem(srv, code)
    err(r, 'conflict', 'already been used')
    # a new code replaces the pending one
    first = ok(tess.call('device.code'))['code']
    second = ok(tess.call('device.code'))['code']
    err(s2.call('device.redeem', code=first), 'conflict', 'replaced by a newer one')
    # expired after 15 minutes
    srv.execute('UPDATE device_codes SET expires_at = ? WHERE used_at IS NULL '
                'AND revoked_at IS NULL', int(time.time()) - 1)
    err(s2.call('device.redeem', code=second), 'conflict', 'expired')
    # bad input: no code, not a device code, an invite code
    err(s2.call('device.redeem', code='hello'), 'bad_request')
    err(s2.call('device.redeem', code='HRTH-0000-0000-0000'), 'not_found')
    inv = srv.ctl('invite', 'create', '--name', 'Kim')['code']
    err(s2.call('device.redeem', code=inv), 'not_found')
    # and a device code is no invite
    third = ok(tess.call('device.code'))['code']
    err(s2.call('invite.redeem', code=third, handle='kim', display_name='Kim'),
        'not_found')
    # the join session is still usable: it redeems the fresh code
    assert ok(s2.call('device.redeem', code=third))['member']['handle'] == 'tess'
    s2.close()
    assert srv.query("SELECT count(*) FROM keys k JOIN members m ON m.id = k.member_id "
                     "WHERE m.handle = 'tess'")[0][0] == 3
    assert srv.alive()


def test_two_redemptions_of_one_code_one_wins():
    srv = Server()
    keys = people(srv, 'tess')
    tess = srv.session(keys['tess'], 'tess')
    for _ in range(3):
        code = ok(tess.call('device.code'))['code']
        a = srv.session(Key('a'), 'join')
        b = srv.session(Key('b'), 'join')
        # both at once, from two devices
        a.send({'id': 1, 'op': 'device.redeem', 'args': {'code': code}})
        b.send({'id': 1, 'op': 'device.redeem', 'args': {'code': code}})
        ra, rb = a.reply(1), b.reply(1)
        assert sorted([ra['ok'], rb['ok']]) == [False, True], (ra, rb)
        loser = ra if not ra['ok'] else rb
        err(loser, 'conflict', 'already been used')
        a.close()
        b.close()
    # pipelined in one write on one connection: the first wins, the second
    # finds the session a member's now, which device.redeem is not for
    code = ok(tess.call('device.code'))['code']
    c = srv.session(Key('c'), 'join')
    line = b'{"id": 1, "op": "device.redeem", "args": {"code": "%s"}}\n' % code.encode()
    c.send_raw(line + line.replace(b'"id": 1', b'"id": 2'))
    assert ok(c.reply(1))['member']['handle'] == 'tess'
    err(c.reply(2), 'forbidden')
    c.close()
    assert srv.query('SELECT count(*) FROM keys')[0][0] == 1 + 3 + 1
    assert srv.query('SELECT count(*) FROM device_codes WHERE used_at IS NOT NULL')[0][0] == 4


def test_devices_list_and_remove_only_ones_own():
    srv = Server()
    keys = people(srv, 'tess', 'sam')
    tess = srv.session(keys['tess'], 'tess')
    sam = srv.session(keys['sam'], 'sam')
    laptop = Key('laptop')
    code = ok(tess.call('device.code', name='laptop'))['code']
    s, r = redeem(srv, code, laptop)
    ok(r)
    s.close()
    lst = ok(tess.call('device.list'))['keys']
    assert [k['fingerprint'] for k in lst] == [keys['tess'].fingerprint, laptop.fingerprint]
    assert [k['current'] for k in lst] == [True, False]
    assert lst[1]['name'] == 'laptop' and lst[0]['last_used_at'] is not None
    # another member sees only their own, and cannot remove tess's keys
    assert [k['fingerprint'] for k in ok(sam.call('device.list'))['keys']] == \
        [keys['sam'].fingerprint]
    err(sam.call('device.remove', id=lst[1]['id']), 'not_found')
    err(sam.call('device.remove', id=lst[0]['id'], confirm=True), 'not_found')
    assert srv.query('SELECT count(*) FROM keys')[0][0] == 3
    # the key in use: only with confirm
    err(tess.call('device.remove', id=lst[0]['id']), 'conflict', 'using now')
    # removing a device ends the sessions signed in with it
    on_laptop = srv.session(laptop, 'tess')
    r = ok(tess.call('device.remove', id=lst[1]['id']))
    assert r['fingerprint'] == laptop.fingerprint and r['current'] is False
    ended = until(on_laptop, ev('session.ended'))
    assert 'removed' in ended['data']['message'], ended
    on_laptop.wait_eof()
    # never the only key
    err(tess.call('device.remove', id=lst[0]['id'], confirm=True), 'conflict',
        'only key')
    assert ok(tess.call('whoami'))['member']['handle'] == 'tess'
    acts = srv.query("SELECT actor, action, detail FROM audit WHERE action = "
                     "'device.remove'")
    assert acts == [('tess', 'device.remove', 'fingerprint=' + laptop.fingerprint)], acts


def test_hearthctl_member_device_code_is_audited():
    srv = Server()
    people(srv, 'tess')
    r = srv.ctl('member', 'device-code', 'tess', '--name', 'new phone')
    assert r['handle'] == 'tess' and r['minutes'] == 15 and CODE.fullmatch(r['code'])
    assert r['connect'] == 'ssh -t -p %d join@127.0.0.1' % srv.port
    phone = Key('phone')
    s, rr = redeem(srv, r['code'], phone)
    assert ok(rr)['member']['handle'] == 'tess'
    s.close()
    assert srv.query("SELECT name FROM keys WHERE fingerprint = ?",
                     phone.fingerprint)[0][0] == 'new phone'
    audit = srv.ctl('audit', '--member', 'tess')['audit']
    made = [a for a in audit if a['action'] == 'member.device_code']
    assert made and made[0]['actor'] == 'console' and made[0]['target'] == 'tess', audit
    assert r['code'] not in str(audit)
    # as text: the code on stdout, what to do on stderr
    p = srv.ctl('member', 'device-code', 'tess', json_out=False)
    assert CODE.fullmatch(p.stdout.strip()), p.stdout
    assert 'join@127.0.0.1' in p.stderr and 'valid 15 minutes' in p.stderr, p.stderr
    text = srv.ctl('audit', json_out=False).stdout
    assert 'member.device_code' in text and 'tess' in text, text
    # bad input: no such member, a removed member, no handle
    p = srv.ctl('member', 'device-code', 'nobody', check=False, json_out=False)
    assert p.returncode != 0 and 'nobody' in p.stderr, p
    srv.ctl('member', 'remove', 'tess', '--reason', 'left')
    p = srv.ctl('member', 'device-code', 'tess', check=False, json_out=False)
    assert p.returncode != 0 and 'removed' in p.stderr, p
    p = srv.ctl('member', 'device-code', check=False, json_out=False)
    assert p.returncode == 2, p


def test_line_mode_devices():
    srv = Server()
    keys = people(srv, 'tess')
    cmd = srv.ssh_base(keys['tess'], 'tess') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 50)
    new = None
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('5', 'Enter')
        t.wait_for('d for your devices')
        t.keys('d', 'Enter')
        s = t.wait_for('Your devices', '(this device)', 'c: make a device code')
        assert keys['tess'].fingerprint in s
        t.keys('c', 'Enter')
        t.wait_for('Name of the new device')
        t.keys('tablet', 'Enter')
        t.wait_for('Device code: HRTH-', 'Connect as join')
        code = code_from(t)
        # the new device in line mode: the code where the invite code goes
        tablet = Key('tablet')
        new = Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(tablet, 'join') +
                                           ['-tt', '127.0.0.1']), 100, 30, remain=True)
        new.wait_for('Invite or device code:', timeout=15)
        new.keys(code, 'Enter')
        new.wait_for('now belongs to Tess', 'Main menu')
        # back on the first device: both keys; remove the tablet
        t.keys('Enter')
        t.wait_for('Choose a number')
        t.keys('5', 'Enter')
        t.wait_for('d for your devices')
        t.keys('d', 'Enter')
        t.wait_for('2. tablet')
        t.keys('r', 'Enter')
        t.wait_for('Number of the device to remove')
        t.keys('2', 'Enter')
        t.wait_for('Remove "tablet"')
        t.keys('y', 'Enter')
        t.wait_for('that device can no longer sign in')
        # the line mode reads the server when it asks it something: the
        # tablet's next request finds its session ended, and why
        new.keys('2', 'Enter')
        new.wait_for('key of this device was removed')
    finally:
        t.kill()
        if new is not None:
            new.kill()
    assert srv.query('SELECT count(*) FROM keys')[0][0] == 1


def test_first_admins_empty_home_says_how_to_make_a_community():
    srv = Server()
    keys = people(srv, ('ada', 'admin'), 'tess')
    t = Tmux(' '.join(srv.ssh_base(keys['ada'], 'ada') + ['-tt', '127.0.0.1']), 100, 30)
    try:
        s = t.wait_for('There are no communities yet', 'To create the first community',
                       timeout=15)
        assert 'A (Admin), 3 Communities, c' in s, s
        assert 'hearthctl community create students --name "Students" --manager ada' in s
    finally:
        t.kill()
    t = Tmux(' '.join(srv.ssh_base(keys['tess'], 'tess') + ['-tt', '127.0.0.1']), 100, 30)
    try:
        s = t.wait_for('There are no communities yet', timeout=15)
        assert 'hearthctl' not in s, s
    finally:
        t.kill()
