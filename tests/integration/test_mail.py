"""E-mail to members who are not logged in, through a real SMTP server on
loopback (smtp_sink.py: Debian's aiosmtpd with STARTTLS required and AUTH):
the address verified with a code, a mention mailed once, a weekly digest
with a controlled clock and nothing from a private community the member
left, an event reminder with its .ics, the removal notice, the mail server
down and back, hearthd killed with -9 mid-queue, the unsubscribe mail."""
import email
import email.policy
import os
import re
import subprocess
import time

from fixtures import community, ok
from fixtures import people
from harness import BUILD, Server, Tmux, free_port, tmpdir
from test_console_ops import Console

HERE = os.path.dirname(os.path.abspath(__file__))
SYS_PYTHON = '/usr/bin/python3'   # Debian's, with python3-aiosmtpd


class Sink:
    """The SMTP server, in a process of its own; stop() and start() again
    keep its port and the messages received."""

    def __init__(self):
        d = tmpdir()
        self.dir = os.path.join(d, 'mail')
        os.makedirs(self.dir, exist_ok=True)
        self.cert = os.path.join(d, 'smtp-cert.pem')
        self.key = os.path.join(d, 'smtp-key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                        '-keyout', self.key, '-out', self.cert, '-days', '2',
                        '-subj', '/CN=127.0.0.1', '-addext',
                        'subjectAltName=IP:127.0.0.1'], check=True,
                       capture_output=True)
        self.port = free_port()
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [SYS_PYTHON, os.path.join(HERE, 'smtp_sink.py'), str(self.port),
             self.dir, self.cert, self.key, 'hearth', 's3cret'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == 'ready', (line, self.proc.stderr.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def messages(self):
        out = []
        for f in sorted(os.listdir(self.dir)):
            if f.endswith('.eml'):
                with open(os.path.join(self.dir, f), 'rb') as fh:
                    out.append(email.message_from_bytes(fh.read(),
                                                        policy=email.policy.default))
        return out

    def wait(self, n, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.messages()
            if len(got) >= n:
                return got
            time.sleep(0.1)
        raise AssertionError('%d messages arrived, wanted %d' % (len(self.messages()), n))


def mail_server(sink, extra=None):
    pw = os.path.join(tmpdir(), 'smtp-password')
    with open(pw, 'w') as f:
        f.write('s3cret\n')
    os.chmod(pw, 0o600)
    cfg = {'smtp_url': 'smtp://127.0.0.1:%d' % sink.port, 'smtp_user': 'hearth',
           'smtp_password_file': pw, 'smtp_ca_file': sink.cert,
           'mail_from': 'hearth@example.org', 'public_host': 'hearth.example.org',
           'public_port': 2222, 'mail_retry_seconds': 1}
    cfg.update(extra or {})
    return Server(cfg)


def body(msg):
    part = msg.get_body(preferencelist=('plain',))
    return part.get_content()


def verify(srv, sink, s, address):
    """Set the address, read the code from the mail, type it back."""
    before = len(sink.messages())
    ok(s.call('profile.update', email=address))
    got = sink.wait(before + 1)[-1]
    assert got['To'] == address
    assert got['Subject'] == 'Your Hearth code'
    code = re.search(r'code for Hearth is (\d{6})', body(got)).group(1)
    assert 'open your Profile (p), then E-mail (E); in the line mode 5, then m' \
        in ' '.join(body(got).split()), body(got)
    assert 'Settings' not in body(got)
    wrong = '000000' if code != '000000' else '111111'
    r = ok(s.call('email.verify', code=wrong))
    assert r['verified'] is False and r['tries_left'] == 4, r
    assert r['message'].startswith('That is not the code we sent'), r
    r = ok(s.call('email.verify', code=code))
    assert r['verified'] is True and r['email'] == address, r
    return code


def run_sweeps(srv):
    con = Console(srv)
    ok(con.call('mail.run'))
    con.close()


def status(srv):
    con = Console(srv)
    r = ok(con.call('mail.status'))
    con.close()
    return r


def wait_queue_empty(srv, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = status(srv)
        if r['counts']['queued'] == 0:
            return r
        time.sleep(0.1)
    raise AssertionError('the queue did not empty: %r' % status(srv))


def test_verify_then_a_mention_arrives_once_as_proper_mime():
    sink = Sink()
    srv = mail_server(sink)
    community(srv, 'c1', policy='open')
    ann_key, bob_key = srv.new_member('ann'), srv.new_member('bob')
    ann, bob = srv.session(ann_key, 'ann'), srv.session(bob_key, 'bob')
    for s in (ann, bob):
        ok(s.call('member.accept_coc'))
        ok(s.call('community.join', slug='c1'))
    verify(srv, sink, ann, 'ann@example.org')
    prefs = ok(ann.call('email.prefs'))
    assert prefs['digest'] == 'weekly' and prefs['mentions'] is True, prefs
    ann.close()                     # not logged in: mail reaches her
    t = ok(bob.call('thread.create', slug='c1', title='Supervision in ☕ cafés',
                    body='Anyone near Leeds?'))
    ok(bob.call('post.create', thread_id=t['thread_id'], body='@ann you know Leeds?'))
    run_sweeps(srv)
    got = sink.wait(2)
    m = got[-1]
    assert 'mentioned' in m['Subject'] or '@bob' in m['Subject'], m['Subject']
    assert m['Auto-Submitted'] == 'auto-generated'
    assert m['Message-ID'].endswith('@hearth.example.org>')
    assert m['Date'] and m['From'] == 'Hearth <hearth@example.org>'
    assert m['References'] == '<thread.%d@hearth.example.org>' % t['thread_id']
    assert re.match(r'<mailto:hearth@example.org\?subject=unsubscribe%20[0-9a-f]{32}>',
                    m['List-Unsubscribe']), m['List-Unsubscribe']
    text = body(m)
    assert 'Supervision in ☕ cafés' in text
    assert 'ssh -p 2222 hearth.example.org' in text
    assert 'To stop these, connect, open your Profile (p), then E-mail (E); ' \
        'in the line mode 5, then m.' in text
    assert 'Settings' not in text
    # once: further sweeps find nothing new
    run_sweeps(srv)
    r = wait_queue_empty(srv)
    assert r['counts']['sent'] == 2 and r['counts']['dead'] == 0, r
    assert len(sink.messages()) == 2
    # the address is hers alone: bob's view of her profile has none
    assert 'ann@example.org' not in str(bob.call('profile.get', handle='ann'))


def test_weekly_digest_has_its_items_and_nothing_from_a_community_she_left():
    sink = Sink()
    srv = mail_server(sink)
    community(srv, 'open1', policy='open')
    community(srv, 'secret', policy='open', visibility='private')
    ann_key, bob_key = srv.new_member('ann'), srv.new_member('bob')
    ann, bob = srv.session(ann_key, 'ann'), srv.session(bob_key, 'bob')
    for s in (ann, bob):
        ok(s.call('member.accept_coc'))
        ok(s.call('community.join', slug='open1'))
        ok(s.call('community.join', slug='secret'))
    verify(srv, sink, ann, 'ann@example.org')
    ok(ann.call('email.prefs', mentions=False))      # the digest only
    t1 = ok(bob.call('thread.create', slug='open1', title='Rural supervision',
                     body='**Who** runs groups online?'))
    ok(bob.call('post.create', thread_id=t1['thread_id'], body='@ann any ideas?'))
    # a survey waiting for her answer (the open1 community's)
    lead_key = srv.new_member('lead')
    srv.execute("INSERT INTO community_members (community_id, member_id, role, joined_at) "
                "SELECT c.id, m.id, 'manager', 0 FROM communities c, members m "
                "WHERE c.slug = 'open1' AND m.handle = 'lead'")
    lead = srv.session(lead_key, 'lead')
    ok(lead.call('member.accept_coc'))
    sid = ok(lead.call('survey.create', title='How useful is open1?',
                       audience={'community': 'open1'}, anonymous=True,
                       questions=[{'kind': 'scale5', 'prompt': 'Useful?'}]))['survey_id']
    # a thread whose first post the manager hid: neither its title nor its
    # first line goes out by e-mail
    t3 = ok(bob.call('thread.create', slug='open1', title='Mrs Patel of room 4',
                     body='Her husband called me at home.'))
    first = srv.query('SELECT min(id) FROM posts WHERE thread_id = ?', t3['thread_id'])[0][0]
    ok(lead.call('post.hide', post_id=first, reason='it names a client'))
    t2 = ok(bob.call('thread.create', slug='secret', title='Confidential case',
                     body='not for leavers'))
    ok(bob.call('post.create', thread_id=t2['thread_id'], body='@ann secret mention'))
    ok(ann.call('community.leave', slug='secret'))
    ann.close()
    # the clock: her last digest was eight days ago
    srv.execute('UPDATE member_email SET digest_at = digest_at - 8 * 86400')
    run_sweeps(srv)
    got = sink.wait(2)
    d = got[-1]
    assert d['Subject'] == 'Your weekly Hearth digest'
    text = body(d)
    assert 'Rural supervision' in text and 'Who runs groups online?' in text
    assert 'any ideas' in text or 'mentioned' in text
    assert 'Confidential' not in text and 'secret' not in text.lower(), text
    assert 'Patel' not in text and 'husband' not in text, text
    assert 'OPEN1: 3 new threads' in text, text  # the hidden one not counted
    assert 'How useful is open1?' in text, text
    # one digest a period: another sweep sends nothing
    run_sweeps(srv)
    wait_queue_empty(srv)
    assert len(sink.messages()) == 2
    # nothing happened: no e-mail, though the period passed
    ok(lead.call('survey.close', survey_id=sid))
    srv.execute('UPDATE member_email SET digest_at = digest_at - 8 * 86400')
    srv.execute('UPDATE threads SET created_at = created_at - 30 * 86400')
    srv.execute('UPDATE notifications SET created_at = created_at - 30 * 86400')
    run_sweeps(srv)
    deadline = time.time() + 10
    while srv.query('SELECT digest_at < strftime(\'%s\', \'now\') - 86400 '
                    'FROM member_email')[0][0] and time.time() < deadline:
        time.sleep(0.1)
    wait_queue_empty(srv)
    assert len(sink.messages()) == 2


def test_unsubscribe_mail_turns_the_digest_off():
    sink = Sink()
    srv = mail_server(sink)
    s = srv.session(srv.new_member('ann'), 'ann')
    ok(s.call('member.accept_coc'))
    verify(srv, sink, s, 'ann@example.org')
    token = srv.query('SELECT unsub_token FROM member_email')[0][0]
    msg = ('From: ann@example.org\r\nTo: hearth@example.org\r\n'
           'Subject: unsubscribe %s\r\n\r\n\r\n' % token)
    out = subprocess.run([os.path.join(BUILD, 'hearthctl'), '--data', srv.data, 'mail-in'],
                         input=msg, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert 'digest is off' in out.stdout
    assert ok(s.call('email.prefs'))['digest'] == 'off'
    reply = ('From: ann@example.org\r\nSubject: Re: Your weekly Hearth digest\r\n\r\n'
             'Thanks!\r\n')
    out = subprocess.run([os.path.join(BUILD, 'hearthctl'), '--data', srv.data, 'mail-in'],
                         input=reply, capture_output=True, text=True)
    assert out.returncode == 0 and 'not posted' in out.stdout, out


def test_server_down_then_up_and_kill9_mid_queue_lose_and_repeat_nothing():
    sink = Sink()
    srv = mail_server(sink)
    sessions = []
    for i in range(5):
        s = srv.session(srv.new_member('m%d' % i), 'm%d' % i)
        ok(s.call('member.accept_coc'))
        sessions.append(s)
    sink.stop()
    for i, s in enumerate(sessions[:3]):
        ok(s.call('profile.update', email='m%d@example.org' % i))
    # the server is down: tries fail and are kept
    deadline = time.time() + 20
    while time.time() < deadline:
        rows = srv.query("SELECT count(*) FROM mail_queue WHERE tries > 0 AND state = 'queued'")
        if rows[0][0] >= 1:
            break
        time.sleep(0.1)
    assert rows[0][0] >= 1, srv.query('SELECT * FROM mail_queue')
    assert 'failed' in srv.log_tail(200)
    sink.start()
    sink.wait(3)
    # two more, then kill -9 at once, before or while they go
    for i, s in enumerate(sessions[3:], start=3):
        ok(s.call('profile.update', email='m%d@example.org' % i))
    srv.proc.kill()
    srv.proc.wait()
    srv.proc = None
    srv.start()
    deadline = time.time() + 60
    while srv.query("SELECT count(*) FROM mail_queue "
                    "WHERE state IN ('queued', 'sending')")[0][0]:
        assert time.time() < deadline, srv.query('SELECT * FROM mail_queue')
        time.sleep(0.1)
    rows = srv.query('SELECT address, state, reply FROM mail_queue')
    # A kill in the moment between the row's "handed over" and SMTP's
    # final "." reaching the server (docs/admin.md) leaves that one
    # message settled as unconfirmed: it may be missing, never repeated.
    unconfirmed = [a for a, st, r in rows if (r or '').startswith('unconfirmed')]
    assert len(unconfirmed) <= 1, rows
    assert all(st == 'sent' for a, st, r in rows), rows
    to = sorted(m['To'] for m in sink.messages())
    assert len(to) == len(set(to)), to
    want = ['m%d@example.org' % i for i in range(5)]
    assert sorted(set(to) | set(unconfirmed)) == want, (to, rows, srv.log_tail(60))


def test_removal_notice_and_event_reminder_with_ics():
    sink = Sink()
    srv = mail_server(sink)
    lead_key = srv.new_member('lead')
    community(srv, 'c1', policy='open', members=[('lead', 'leader')])
    ann = srv.session(srv.new_member('ann'), 'ann')
    ok(ann.call('member.accept_coc'))
    ok(ann.call('community.join', slug='c1'))
    verify(srv, sink, ann, 'ann@example.org')
    lead = srv.session(lead_key, 'lead')
    ok(lead.call('member.accept_coc'))
    starts = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 3 * 3600))
    ev = ok(lead.call('event.create', community='c1', title='Rural drop-in',
                      starts_at=starts))
    ok(ann.call('event.rsvp', id=ev['event']['id'], status='going'))
    ann.close()
    deadline = time.time() + 40
    while time.time() < deadline:
        n = srv.query("SELECT count(*) FROM notifications WHERE kind = 'event_reminder'")[0][0]
        if n:
            break
        time.sleep(0.2)
    assert n, 'no reminder'
    run_sweeps(srv)
    got = sink.wait(2)
    m = got[-1]
    cal = [p for p in m.iter_attachments() if p.get_content_type() == 'text/calendar']
    assert len(cal) == 1, [p.get_content_type() for p in m.walk()]
    ics = cal[0].get_content()
    if isinstance(ics, bytes):
        ics = ics.decode()
    assert 'BEGIN:VCALENDAR' in ics and 'SUMMARY:Rural drop-in' in ics, ics
    # removed: told why by e-mail
    con = Console(srv)
    ok(con.call('admin.member.remove', handle='ann', reason='left the association'))
    con.close()
    got = sink.wait(3)
    assert got[-1]['Subject'] == 'Your Hearth membership has ended'
    assert 'left the association' in body(got[-1])


def test_password_file_readable_by_others_is_refused():
    sink = Sink()
    pw = os.path.join(tmpdir(), 'pw-open')
    with open(pw, 'w') as f:
        f.write('x\n')
    os.chmod(pw, 0o644)
    try:
        Server({'smtp_url': 'smtp://127.0.0.1:%d' % sink.port, 'smtp_user': 'hearth',
                'smtp_password_file': pw})
    except AssertionError as e:
        assert 'chmod 600' in str(e), e
    else:
        raise AssertionError('hearthd started with a world-readable password file')


def code_in(sink, n):
    got = sink.wait(n)[-1]
    return re.search(r'code for Hearth is (\d{6})', body(got)).group(1)


def test_email_settings_in_the_tui():
    sink = Sink()
    srv = mail_server(sink, {'login_grace': 30})
    keys = people(srv, 'tess')
    t = Tmux(' '.join(srv.ssh_base(keys['tess'], 'tess') + ['-tt', '127.0.0.1']), 110, 34)
    try:
        t.wait_for('Welcome, Tess', timeout=15)
        t.keys('p')
        t.wait_for('E-mail (E)')
        t.keys('E')
        t.wait_for('Set your e-mail address')
        t.keys('Enter')
        t.wait_for('a code is sent to it')
        t.keys('tess@example.org', 'Enter')
        t.wait_for('Address: tess@example.org', 'not confirmed yet')
        code = code_in(sink, 1)
        t.keys('Down', 'Enter')
        t.wait_for('six-digit code')
        t.keys(code, 'Enter')
        t.wait_for('confirmed', 'Digest: weekly', 'When someone mentions you')
        # the digest: weekly -> daily; mentions off
        t.keys('g', 'Down', 'Enter')
        t.wait_for('Digest: daily')
        t.keys('Down', 'Enter')      # the next row that acts: mentions
        deadline = time.time() + 10
        while time.time() < deadline:
            prefs = srv.query('SELECT digest, mentions, verified_at IS NOT NULL '
                              'FROM member_email')
            if prefs == [('daily', 0, 1)]:
                break
            time.sleep(0.1)
        assert prefs == [('daily', 0, 1)], (prefs, t.screen())
        deadline = time.time() + 10
        while time.time() < deadline:
            s = t.screen()
            line = [x for x in s.splitlines() if 'When someone mentions you' in x]
            if line and line[0].rstrip().endswith('[ ] no'):
                break
            time.sleep(0.1)
        assert line and line[0].rstrip().endswith('[ ] no'), s
    finally:
        t.kill()


def test_email_settings_in_the_line_mode():
    sink = Sink()
    srv = mail_server(sink)
    keys = people(srv, 'tess')
    cmd = srv.ssh_base(keys['tess'], 'tess') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 50)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('5', 'Enter')
        t.wait_for('m for e-mail')
        t.keys('m', 'Enter')
        t.wait_for('You have not given an address')
        t.keys('a', 'Enter')
        t.wait_for('Your e-mail address:')
        t.keys('tess@example.org', 'Enter')
        t.wait_for('not confirmed yet')
        code = code_in(sink, 1)
        t.keys('c', 'Enter')
        t.wait_for('The code:')
        t.keys(code, 'Enter')
        t.wait_for('Confirmed: Hearth will e-mail you')
        t.keys('d', 'Enter')
        t.wait_for('weekly, daily or off?')
        t.keys('off', 'Enter')
        t.wait_for('Digest: off')
        t.keys('4', 'Enter')
        t.wait_for('4. Replies to your posts: no')
        prefs = srv.query('SELECT digest, replies FROM member_email')
        assert prefs == [('off', 0)], prefs
    finally:
        t.kill()


def test_support_escalation_reaches_staff_who_are_not_connected():
    """No host answers an "I need support": staff hear at once, and those
    not connected by e-mail (no waiting for mail_batch_minutes)."""
    from fixtures import room_circle
    sink = Sink()
    srv = mail_server(sink, {'support_escalate': 1, 'mail_batch_minutes': 60})
    keys = room_circle(srv, extra=(('sam', 'staff'), ('tia', 'staff')))
    for who in ('sam', 'tia'):
        s = srv.session(keys[who])
        verify(srv, sink, s, '%s@example.org' % who)
        if who == 'sam':
            s.close()          # sam is not connected; tia stays
        else:
            tia = s
    # sam had an e-mail a moment ago: the batch window does not hold support
    srv.execute('UPDATE member_email SET immediate_at = strftime(\'%s\', \'now\')')
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Drop-in',
                       record='off'))['room']['room_id']
    a = srv.session(keys['alice'])
    ok(a.call('room.join', room_id=rid))
    ok(a.call('room.support', room_id=rid, text='please help'))
    deadline = time.time() + 20
    while time.time() < deadline:
        n = srv.query("SELECT count(*) FROM notifications WHERE kind = 'support'")[0][0]
        if n >= 2:
            break
        time.sleep(0.1)
    assert n >= 2, n
    run_sweeps(srv)
    got = sink.wait(3)
    m = got[-1]
    assert m['To'] == 'sam@example.org', m['To']
    assert m['Subject'] == 'Hearth: someone in a room needs support'
    run_sweeps(srv)
    wait_queue_empty(srv)
    assert [x['To'] for x in sink.messages()].count('tia@example.org') == 1  # the code only
    assert tia.call('whoami')['ok']


def test_private_message_mail_gives_the_first_line_or_the_whole_message():
    sink = Sink()
    srv = mail_server(sink)
    ss = {h: srv.session(srv.new_member(h), h) for h in ('ann', 'bob', 'cat')}
    for s in ss.values():
        ok(s.call('member.accept_coc'))
    verify(srv, sink, ss['ann'], 'ann@example.org')
    verify(srv, sink, ss['cat'], 'cat@example.org')
    ok(ss['cat'].call('email.prefs', messages_full=True))
    ss['ann'].close()
    ss['cat'].close()
    for to in ('ann', 'cat'):
        ok(ss['bob'].call('message.send', to=[to],
                          body='Are you free Tuesday?\nSecond line, private.'))
    run_sweeps(srv)
    got = {m['To']: body(m) for m in sink.wait(4)[2:]}
    assert set(got) == {'ann@example.org', 'cat@example.org'}, got
    a, c = got['ann@example.org'], got['cat@example.org']
    assert 'wrote to you privately' in a and 'Are you free Tuesday?' in a, a
    assert 'Second line' not in a, a
    assert 'Are you free Tuesday?' in c and 'Second line, private.' in c, c


def test_mentions_in_a_burst_come_in_one_email_and_subjects_are_rfc2047():
    sink = Sink()
    srv = mail_server(sink, {'mail_batch_minutes': 10})
    community(srv, 'c1', policy='open')
    ann, bob = srv.session(srv.new_member('ann'), 'ann'), srv.session(srv.new_member('bob'), 'bob')
    for s in (ann, bob):
        ok(s.call('member.accept_coc'))
        ok(s.call('community.join', slug='c1'))
    verify(srv, sink, ann, 'ann@example.org')
    ann.close()
    t = ok(bob.call('thread.create', slug='c1', title='Café ☕ supervision', body='x'))
    ok(bob.call('post.create', thread_id=t['thread_id'], body='@ann first'))
    run_sweeps(srv)
    first = sink.wait(2)[-1]
    # its subject is the notification, encoded as RFC 2047 words
    raw = open(os.path.join(sink.dir, sorted(f for f in os.listdir(sink.dir)
                                             if f.endswith('.eml'))[-1]), 'rb').read()
    head = raw.split(b'\r\n\r\n', 1)[0]
    assert b'Subject: =?UTF-8?B?' in head, head
    assert 'Café ☕ supervision' in first['Subject'], first['Subject']
    # two more at once: held for the batch window, then one e-mail with both
    ok(bob.call('post.create', thread_id=t['thread_id'], body='@ann second'))
    ok(bob.call('post.create', thread_id=t['thread_id'], body='@ann third'))
    run_sweeps(srv)
    wait_queue_empty(srv)
    assert len(sink.messages()) == 2
    srv.execute('UPDATE member_email SET immediate_at = immediate_at - 601')
    run_sweeps(srv)
    m = sink.wait(3)[-1]
    assert m['Subject'] == 'Hearth: 2 new things for you', m['Subject']
    wait_queue_empty(srv)
    assert len(sink.messages()) == 3


def test_given_up_after_the_tries_listed_by_hearthctl_and_sendmail_instead():
    sink = Sink()
    sink.stop()                                   # never up: every try fails
    srv = mail_server(sink, {'mail_max_tries': 2})
    s = srv.session(srv.new_member('ann'), 'ann')
    ok(s.call('member.accept_coc'))
    ok(s.call('profile.update', email='ann@example.org'))
    deadline = time.time() + 30
    while time.time() < deadline and status(srv)['counts']['dead'] == 0:
        time.sleep(0.2)
    out = srv.ctl('mail', 'status', json_out=False).stdout
    assert 'Given up: 1' in out and '#1 verify to ann@example.org' in out, out
    assert '2 tries' in out, out
    # a local sendmail program instead: it gets the message on its input
    d = tmpdir()
    prog = os.path.join(d, 'sendmail')
    with open(prog, 'w') as f:
        f.write('#!/bin/sh\ncat > "%s/sent-$$.eml"\necho "$@" > "%s/args-$$"\n' % (d, d))
    os.chmod(prog, 0o755)
    srv2 = Server({'sendmail': prog, 'mail_from': 'hearth@example.org'})
    s2 = srv2.session(srv2.new_member('bob'), 'bob')
    ok(s2.call('member.accept_coc'))
    ok(s2.call('profile.update', email='bob@example.org'))
    deadline = time.time() + 20
    while time.time() < deadline and not [f for f in os.listdir(d) if f.startswith('args-')]:
        time.sleep(0.1)
    sent = [f for f in os.listdir(d) if f.startswith('sent-')]
    assert len(sent) == 1, os.listdir(d)
    msg = email.message_from_bytes(open(os.path.join(d, sent[0]), 'rb').read(),
                                   policy=email.policy.default)
    assert msg['Subject'] == 'Your Hearth code' and msg['To'] == 'bob@example.org'
    args = open(os.path.join(d, [f for f in os.listdir(d) if f.startswith('args-')][0])).read()
    assert args.split() == ['-i', '--', 'bob@example.org'], args


def test_admin_screen_shows_the_mail_queue_and_sends_due_mail():
    from test_adminui_tui import open_admin
    sink = Sink()
    sink.stop()                                  # down: the code waits in the queue
    srv = mail_server(sink, {'login_grace': 30})
    keys = people(srv, ('ada', 'admin'))
    srv.execute("UPDATE members SET display_name = 'Ada Admin' WHERE handle = 'ada'")
    s = srv.session(keys['ada'], 'ada')
    ok(s.call('member.accept_coc'))
    ok(s.call('profile.update', email='ada@example.org'))
    t = Tmux(' '.join(srv.ssh_base(keys['ada'], 'ada') + ['-tt', '127.0.0.1']), 120, 30)
    try:
        open_admin(t)
        t.keys('5')
        t.wait_for('E-mail: smtp://127.0.0.1:%d; 1 queued, 0 sent' % sink.port,
                   'm:send due e-mail now')
        sink.start()
        srv.execute("UPDATE mail_queue SET next_at = 0")   # due again now
        t.keys('m')
        t.wait_for('Looking for due notifications')
        deadline = time.time() + 20
        while time.time() < deadline and srv.query(
                "SELECT state FROM mail_queue") != [('sent',)]:
            time.sleep(0.1)
        t.keys('R')                                  # the counts, read again
        t.wait_for('0 queued, 1 sent')
    finally:
        t.kill()
