"""Shared set-up and checks for the integration tests: members and
communities on a running server, reply checks, waiting for events, database
rows, timer sweeps and screens. harness.py owns the processes (hearthd, ssh,
tmux), keys and clean-up; this module builds on it so that no test file
repeats them."""
import datetime
import time

from harness import Tmux


# ---- replies ----

def ok(r):
    """The result of a successful reply."""
    assert r is not None and r['ok'], r
    return r['result']


def err(r, code, text=None):
    """The message of an error reply with this code (and containing text)."""
    assert r is not None and not r['ok'], r
    assert r['error']['code'] == code, r
    if text is not None:
        assert text in r['error']['message'], r
    return r['error']['message']


def err_code(r):
    """The code of an error reply."""
    assert r is not None and not r['ok'], r
    return r['error']['code']


def iso(delta_seconds):
    """The UTC time delta_seconds from now, as the protocol writes it."""
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        seconds=delta_seconds)
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


# ---- members and communities ----

def people(srv, *specs, coc=True):
    """Invite and redeem members; specs are handles or (handle, platform
    role). Everyone has accepted the code of conduct unless coc is false.
    Returns {handle: Key}."""
    keys = {}
    for spec in specs:
        handle, role = (spec, 'member') if isinstance(spec, str) else spec
        keys[handle] = srv.new_member(handle, role=role)
    if coc:
        srv.execute('UPDATE members SET coc_accepted_at = 1')
    return keys


def member_session(srv, handle, role='member', coc=True):
    """A new member's open session, the code of conduct accepted (if coc)
    through the protocol."""
    s = srv.session(srv.new_member(handle, role=role), handle)
    if coc:
        ok(s.call('member.accept_coc'))
    return s


def member_id(srv, handle):
    return srv.query('SELECT id FROM members WHERE handle = ?', handle)[0][0]


def community_id(srv, slug):
    return srv.query('SELECT id FROM communities WHERE slug = ?', slug)[0][0]


def community(srv, slug='cop', visibility='platform', members=(), name=None,
              policy=None, manager=None, **extra):
    """Create a community with hearthctl (name: slug in capitals unless
    given; extra: more `community create` options, purpose='…' for
    --purpose) and put members [(handle, role)] in it directly in the
    database. Returns its id."""
    args = ['community', 'create', slug, '--name', name or slug.upper(),
            '--visibility', visibility]
    if policy:
        args += ['--join-policy', policy]
    if manager:
        args += ['--manager', manager]
    for k, v in extra.items():
        args += ['--' + k.replace('_', '-'), v]
    srv.ctl(*args)
    cid = community_id(srv, slug)
    for handle, role in members:
        join(srv, slug, handle, role)
    return cid


def join(srv, slug, handle, role='member'):
    """Put a member in a community directly in the database."""
    srv.execute("INSERT OR REPLACE INTO community_members (community_id, member_id, "
                "role, joined_at) SELECT c.id, m.id, ?, 1 FROM communities c, members m "
                "WHERE c.slug = ? AND m.handle = ?", role, slug, handle)


def room_circle(srv, visibility='private', extra=(), names=False):
    """Members host (a leader), alice, bob and carol of community cop, plus
    extra (handle, platform role) people outside it; returns their keys.
    names: display names for screens (Hana Host, Alice Able, ...)."""
    keys = people(srv, ('host', 'member'), ('alice', 'member'), ('bob', 'member'),
                  ('carol', 'member'), *extra)
    community(srv, 'cop', visibility, [('host', 'leader'), ('alice', 'member'),
                                       ('bob', 'member'), ('carol', 'member')])
    if names:
        for h, name in (('host', 'Hana Host'), ('alice', 'Alice Able'),
                        ('bob', 'Bob Baker'), ('carol', 'Carol Cole')):
            srv.execute('UPDATE members SET display_name = ? WHERE handle = ?', name, h)
    return keys


def record_of(srv, rid):
    """A closed room's record: its published posts, or while the hosts
    review it, the lines it keeps."""
    rows = srv.query('SELECT p.body FROM posts p JOIN rooms r ON r.thread_id = '
                     'p.thread_id WHERE r.id = ? ORDER BY p.id', rid)
    if not rows:
        rows = srv.query('SELECT body FROM room_messages WHERE room_id = ? AND '
                         'dropped = 0 AND private_a IS NULL ORDER BY id', rid)
    return '\n'.join(r[0] for r in rows)


# ---- waiting ----

def wait_until(pred, timeout=10, what='condition'):
    """pred()'s first true value, asked often at first, then every 0.1 s."""
    deadline = time.time() + timeout
    pause = 0.01
    while True:
        v = pred()
        if v:
            return v
        if time.time() >= deadline:
            raise AssertionError('timed out waiting for ' +
                                 (what() if callable(what) else what))
        time.sleep(pause)
        pause = min(0.1, pause * 1.5)


def until(s, pred, timeout=10):
    """The first message of a session (already seen or arriving) for which
    pred is true; the others stay in s.events."""
    for i, m in enumerate(s.events):
        if pred(m):
            del s.events[i]
            return m
    deadline = time.time() + timeout
    while True:
        m = s.recv(max(0.05, deadline - time.time()))
        assert m is not None, 'connection closed; seen: %r' % s.events
        if pred(m):
            return m
        s.events.append(m)


def ev(name, **match):
    """A predicate for until: the event called name whose data has these values."""
    def pred(m):
        if m.get('event') != name:
            return False
        return all(m['data'].get(k) == v for k, v in match.items())
    return pred


def wait_event(s, name, timeout=10, **match):
    """The data of the first event called name whose data has these values."""
    return until(s, ev(name, **match), timeout)['data']


def drain(s, wait=0.3):
    """Everything a session has seen plus what arrives within wait seconds
    (for checking that something does not come)."""
    out = list(s.events)
    s.events.clear()
    deadline = time.time() + wait
    while True:
        left = deadline - time.time()
        if left <= 0:
            break
        try:
            m = s.recv(left)
        except AssertionError:
            break
        if m is None:
            break
        out.append(m)
    return out


def settle(s):
    """Everything a session has received so far, s.events included: a
    whoami round trip, whose reply comes after every message the server
    queued for the session before it (for checking that something did not
    come)."""
    ok(s.call('whoami'))
    out = list(s.events)
    s.events.clear()
    return out


def next_second():
    """Wait until the clock has moved on to the next whole second: hearthd
    keeps times in whole seconds, so what happens after this is later than
    everything before it."""
    now = int(time.time())
    # (its time(2) is the kernel's coarse clock, a tick behind at most)
    wait_until(lambda: time.time() >= now + 1.05, 2, 'the next second')


def said(s, wait=0.5):
    """The texts of the room messages (not the room's own notices) a session
    has seen and receives within wait seconds."""
    return [m['data']['text'] for m in drain(s, wait) if m.get('event') == 'room.message'
            and not m['data'].get('system')]


def wait_db(srv, sql, want, *args, timeout=10):
    """Wait until a query returns want."""
    wait_until(lambda: srv.query(sql, *args) == want, timeout,
               lambda: '%s: %r, not %r' % (sql, srv.query(sql, *args), want))


def sweeps(srv, kind):
    """How many timer sweeps of a kind ('polls', 'reminders') hearthd has
    finished (admin.status)."""
    return srv.ctl('status')['sweeps'][kind]


def wait_sweep(srv, kind, past, timeout=40):
    """Wait until a sweep that started after sweep number past has finished:
    what it would have done twice is then done (or not) for certain."""
    wait_until(lambda: sweeps(srv, kind) > past, timeout,
               'a %s sweep after number %d' % (kind, past))


# ---- screens ----

def tui(srv, key, user, width=80, height=24, env='', remain=False):
    """A member's terminal login (`ssh -tt`) in tmux (remain: the screen
    stays after ssh ends)."""
    cmd = ' '.join(srv.ssh_base(key, user) + ['-tt', '127.0.0.1'])
    return Tmux(env + cmd, width, height, remain)


def join_from_home(t, title):
    """From Home: the room is in "Open rooms"; open it."""
    t.wait_for('Open rooms', timeout=15)
    t.wait_for(title)
    t.keys('g', 'Enter')     # Open rooms sit at the top of Home
    return t.wait_for('Say:', timeout=10)


def wait_gone(t, text, timeout=10):
    """Wait until a screen no longer shows text."""
    wait_until(lambda: text not in t.screen(), timeout,
               lambda: '%r to go:\n%s' % (text, t.screen()))


def replies_in_order(s, n):
    """The next n replies of a session (events set aside), in arrival order."""
    got = []
    while len(got) < n:
        m = s.recv()
        assert m is not None, 'connection closed'
        if 'id' in m:
            got.append(m)
        else:
            s.events.append(m)
    return got
