"""The authorization matrix: every operation `hearthd --list-ops` prints, run
as admin, manager, leader, member, interested, non-member and guest against
a private, a platform and a public community, each answer's ok / error code
checked against the table below. The table is written from the rules (see
server/authz.c and docs/protocol.md):

- private: only its members read; platform and public: every member reads;
  guests read public communities only, and nothing else exists for them;
- only a community's members write there; interested members read and
  reply but start no threads, polls or events;
- leaders (and managers) moderate; managers manage; platform admins may do
  everything; admin.* is for admins only;
- content addressed by id (thread, post, poll, event, request) in a
  community the caller may not read is not_found; a community named by
  slug that the caller may not read is forbidden (it exists, they may ask
  to join), or not_found for a guest unless it is public.

An operation missing from the table fails the test: add it, with its rule.
Each call gets fresh objects (a new thread, post, poll, member...) so calls
do not depend on one another, and community roles are restored after every
write."""
import os
import re
import subprocess
import time

import harness
from fixtures import community, member_id, people
from harness import Key, Server

ROLES = ('admin', 'manager', 'leader', 'member', 'interested', 'nonmember', 'guest')
# one community per visibility, named after it ('platform' is reserved for
# the platform's library: that community is 'everyone')
VIS = ('private', 'everyone', 'public')
VISIBILITY = {'private': 'private', 'everyone': 'platform', 'public': 'public'}
CROLE = {'manager': 'manager', 'leader': 'leader', 'member': 'member',
         'interested': 'interested'}
T0 = 1763700000
OK, F, NF, C, BR = 'ok', 'forbidden', 'not_found', 'conflict', 'bad_request'


# ---- rules: (role, vis) -> expected outcome ----

def everyone(code):
    return lambda role, vis: code


def members_only(code=OK):
    """Any member's own business (not community-scoped); guests refused."""
    return lambda role, vis: F if role == 'guest' else code


def admin_only(role, vis):
    return OK if role == 'admin' else F


def reviewers(role, vis):
    """A room record under review (opened and hosted by another leader)."""
    if role == 'guest':
        return F
    return OK if role in ('admin', 'manager') else NF


def can_read(role, vis):
    if role == 'admin':
        return True
    if role == 'guest':
        return vis == 'public'
    return vis != 'private' or role in CROLE


def read_slug(guest_op=True):
    """Reading a community named by slug."""
    def rule(role, vis):
        if role == 'guest':
            if not guest_op:
                return F
            return OK if vis == 'public' else NF
        return OK if can_read(role, vis) else F
    return rule


def read_id(guest_op=True):
    """Reading content addressed by id."""
    def rule(role, vis):
        if role == 'guest' and not guest_op:
            return F
        return OK if can_read(role, vis) else NF
    return rule


def see_slug(role, vis):
    """Knowing a community exists (name, purpose): every member."""
    if role == 'guest':
        return OK if vis == 'public' else NF
    return OK


LEVEL = {'interested': 1, 'member': 2, 'leader': 3, 'manager': 4}


def write(level, by_id):
    """Writing: needs community role `level` or more (admin always). By id,
    content the caller may not read is not_found first."""
    need = LEVEL[level]

    def rule(role, vis):
        if role == 'guest':
            return F
        if role == 'admin':
            return OK
        if by_id and not can_read(role, vis):
            return NF
        return OK if LEVEL.get(role, 0) >= need else F
    return rule


def override(rule, **cases):
    """A rule with exceptions: cases map 'role' or 'role_vis' to a code."""
    def r(role, vis):
        if '%s_%s' % (role, vis) in cases:
            return cases['%s_%s' % (role, vis)]
        if role in cases:
            return cases[role]
        return rule(role, vis)
    return r


# ---- the world ----

class World:
    def __init__(self, guest):
        # every case at machine speed (one session sets up a room for each,
        # the admin runs every admin.* op in a few seconds): far more than a
        # member makes, so those rate classes are not limited here
        self.srv = Server({'guest': 'on', 'rate_write': 'off',
                           'rate_expensive': 'off'})
        srv = self.srv
        roles = ROLES[:-1] + ('author', 'bystander')
        handles = people(srv, *[(r[:3] + 'x' + r, 'admin' if r == 'admin' else 'member')
                                for r in roles])
        self.keys = {r: handles[r[:3] + 'x' + r] for r in roles}
        self.ids = {r: member_id(srv, r[:3] + 'x' + r) for r in self.keys}
        self.cid = {vis: community(srv, vis, VISIBILITY[vis], name=vis.title())
                    for vis in VIS}
        self.community_rows = srv.query('SELECT id, name, purpose, criteria, visibility, '
                                        'join_policy FROM communities')
        srv.execute('UPDATE members SET coc_accepted_at = ?', T0)
        self.restore()
        self.n = 0
        self.sessions = {r: srv.session(self.keys[r]) for r in ROLES[:-1] +
                         ('author', 'bystander')}
        if guest:
            self.sessions['guest'] = srv.session(Key('visitor'), 'guest')
            assert self.sessions['guest'].hello['data'].get('guest') is True

    def restore(self):
        """Put memberships, settings and the code of conduct back."""
        con = self.srv.db()
        con.execute('PRAGMA busy_timeout = 5000')
        for r in self.community_rows:
            con.execute('UPDATE communities SET name = ?, purpose = ?, criteria = ?, '
                        'visibility = ?, join_policy = ? WHERE id = ?', r[1:] + (r[0],))
        for vis, cid in self.cid.items():
            for role in ('nonmember', 'admin', 'manager', 'leader', 'member', 'interested',
                         'author', 'bystander'):
                con.execute('DELETE FROM community_members WHERE community_id = ? AND '
                            'member_id = ?', (cid, self.ids[role]))
                con.execute('DELETE FROM join_requests WHERE community_id = ? AND '
                            'member_id = ?', (cid, self.ids[role]))
                if role in CROLE or role in ('author', 'bystander'):
                    con.execute('INSERT INTO community_members (community_id, member_id, '
                                'role, joined_at) VALUES (?, ?, ?, ?)',
                                (cid, self.ids[role], CROLE.get(role, 'leader' if role ==
                                                                'author' else 'member'), T0))
        con.execute('UPDATE members SET coc_accepted_at = ? WHERE coc_accepted_at IS NULL',
                    (T0,))
        con.commit()
        con.close()

    def fresh(self, sql, *args):
        con = self.srv.db()
        con.execute('PRAGMA busy_timeout = 5000')
        cur = con.execute(sql, args)
        con.commit()
        con.close()
        return cur.lastrowid

    def uniq(self):
        self.n += 1
        return self.n

    # fresh objects in a community
    def thread(self, vis, author='author'):
        tid = self.fresh('INSERT INTO threads (community_id, author_id, title, created_at, '
                         'last_post_at) VALUES (?, ?, ?, ?, ?)', self.cid[vis],
                         self.ids[author], 'Thread %d' % self.uniq(), T0, T0)
        pid = self.post(tid, author)
        self.fresh('UPDATE threads SET post_count = 1, last_post_id = ? WHERE id = ?', pid, tid)
        return tid

    def post(self, tid, author='author', hidden=False):
        return self.fresh('INSERT INTO posts (thread_id, author_id, body, created_at, '
                          'hidden_at, hidden_by) VALUES (?, ?, ?, ?, ?, ?)', tid,
                          self.ids[author], 'Post %d' % self.uniq(), T0,
                          T0 if hidden else None, self.ids['author'] if hidden else None)

    def goal(self, vis):
        return self.fresh('INSERT INTO goals (community_id, title, starts_at, ends_at, '
                          'created_at) VALUES (?, ?, ?, ?, ?)', self.cid[vis],
                          'Goal %d' % self.uniq(), T0, T0 + 365 * 86400, T0)

    def key_result(self, vis):
        return self.fresh('INSERT INTO key_results (goal_id, title, target, due_at, '
                          'updated_at) VALUES (?, ?, 10, ?, ?)', self.goal(vis), 'KR', T0 + 86400,
                          T0)

    def roadmap_proposal(self, vis):
        self.fresh('INSERT OR IGNORE INTO roadmaps (community_id, starts_on) VALUES (?, ?)',
                   self.cid[vis], T0)
        rid = self.srv.query('SELECT id FROM roadmaps WHERE community_id = ?',
                             self.cid[vis])[0][0]
        return self.fresh("INSERT INTO roadmap_proposals (roadmap_id, key, body, member_id, "
                          "created_at) VALUES (?, 'vision', 'Proposed', ?, ?)", rid,
                          self.ids['leader'], T0)

    def roadmap_action(self, vis):
        self.roadmap_proposal(vis)
        rid = self.srv.query('SELECT id FROM roadmaps WHERE community_id = ?',
                             self.cid[vis])[0][0]
        return self.fresh("INSERT INTO roadmap_actions (roadmap_id, period, title) VALUES "
                          "(?, 2, ?)", rid, 'Action %d' % self.uniq())

    def persona(self, vis):
        return self.fresh('INSERT INTO personas (community_id, name, updated_at) VALUES '
                          '(?, ?, ?)', self.cid[vis], 'Persona %d' % self.uniq(), T0)

    def poll(self, vis):
        pid = self.fresh('INSERT INTO polls (community_id, author_id, question, created_at) '
                         'VALUES (?, ?, ?, ?)', self.cid[vis], self.ids['author'],
                         'Poll %d?' % self.uniq(), T0)
        opt = self.fresh('INSERT INTO poll_options (poll_id, position, label) VALUES '
                         '(?, 0, ?)', pid, 'yes')
        self.fresh('INSERT INTO poll_options (poll_id, position, label) VALUES (?, 1, ?)',
                   pid, 'no')
        return pid, opt

    def event(self, vis, kind='drop_in'):
        start = int(time.time()) + 7 * 86400
        eid = self.fresh('INSERT INTO events (community_id, title, kind, starts_at, duration, '
                         'ends_at, created_by, created_at, updated_at) VALUES '
                         '(?, ?, ?, ?, 3600, ?, ?, ?, ?)', self.cid[vis],
                         'Event %d' % self.uniq(), kind, start, start + 3600,
                         self.ids['author'], T0, T0)
        self.fresh('INSERT INTO event_hosts (event_id, member_id) VALUES (?, ?)', eid,
                   self.ids['author'])
        return eid

    def newcomer(self, vis=None, crole=None):
        n = self.uniq()
        mid = self.fresh("INSERT INTO members (handle, display_name, created_at) VALUES "
                         "(?, ?, ?)", 'new%d' % n, 'New %d' % n, T0)
        if crole:
            self.fresh('INSERT INTO community_members (community_id, member_id, role, '
                       'joined_at) VALUES (?, ?, ?, ?)', self.cid[vis], mid, crole, T0)
        return 'new%d' % n, mid

    def room(self, vis, surgery=False):
        """A fresh room opened by the author (a leader), who hosts it."""
        r = self.sessions['author'].call('room.open', community=vis, title='Room %d' %
                                         self.uniq(), record='off', surgery=surgery)
        assert r['ok'], r
        return r['result']['room']['room_id']

    def enter(self, role, rid):
        """The caller joins the room first where they may (refusals are the
        table's business: the operation itself is what is checked)."""
        if role != 'guest':
            self.sessions[role].call('room.join', room_id=rid)

    def room_with(self, role, vis, surgery=False, queued=False, bystander=None):
        rid = self.room(vis, surgery)
        self.enter(role, rid)
        if queued and role != 'guest':
            self.sessions[role].call('room.queue_join', room_id=rid, topic='My CV')
        if bystander:
            b = self.sessions['bystander']
            assert b.call('room.join', room_id=rid)['ok']
            if bystander == 'queued':
                assert b.call('room.queue_join', room_id=rid, topic='Hello')['ok']
            if bystander == 'support':
                r = b.call('room.support', room_id=rid, text='Help')
                assert r['ok'], r
                return rid, r['result']['support_id']
        return rid

    def record(self, vis):
        """A closed transcript room's record, waiting for review: opened,
        said in and closed by the author (a leader, its host)."""
        a = self.sessions['author']
        rid = a.call('room.open', community=vis, title='Rec %d' % self.uniq(),
                     record='transcript')['result']['room']['room_id']
        # (a line as room.say keeps it: the author's rate is not the point)
        self.fresh("INSERT INTO room_messages (room_id, member_id, body, at) "
                   "VALUES (?, ?, 'a line to review', ?)", rid, self.ids['author'], T0)
        r = a.call('room.close', room_id=rid)
        assert r['ok'] and r['result']['review'], r
        return rid

    def record_line(self, vis):
        rid = self.record(vis)
        return {'room_id': rid, 'line_id': self.srv.query(
            'SELECT id FROM room_messages WHERE room_id = ?', rid)[0][0],
            'body': 'a line, reworded'}

    def expert_request(self, role):
        """A platform-wide request by role (the author's for a guest) that
        staff asked more about."""
        who = self.ids['author' if role == 'guest' else role]
        return self.fresh("INSERT INTO expert_requests (member_id, topic, why, status, "
                          "created_at, updated_at) VALUES (?, 'Tax', 'Why', 'more_info', "
                          "?, ?)", who, T0, T0)

    def report(self, vis):
        """An open report by the bystander of a fresh post by the author."""
        pid = self.post(self.thread(vis))
        return self.fresh("INSERT INTO post_reports (post_id, community_id, reporter_id, "
                          "reason, created_at) VALUES (?, ?, ?, 'rude', ?)", pid,
                          self.cid[vis], self.ids['bystander'], T0)

    def muted(self, vis):
        """A fresh member of the community, muted there for an hour."""
        handle, mid = self.newcomer(vis, 'member')
        self.fresh("INSERT INTO community_mutes (community_id, member_id, reason, "
                   "created_at, ends_at) VALUES (?, ?, 'test', ?, ?)", self.cid[vis], mid,
                   T0, int(time.time()) + 3600)
        return handle

    def extra_key(self, role):
        """A second key of the caller's (the author's for a guest), not the
        one it signed in with: one it may remove."""
        n = self.uniq()
        return self.fresh("INSERT INTO keys (member_id, fingerprint, key_type, "
                          "public_key, created_at) VALUES (?, ?, 'ssh-ed25519', ?, ?)",
                          self.ids['author' if role == 'guest' else role],
                          'SHA256:extra%d' % n, 'AAAA%d' % n, T0)

    def private_message(self):
        """A conversation between the author and the bystander, with one
        message: (conversation id, message id). Nobody else may read it,
        whatever their role (admins included)."""
        cid = self.fresh('INSERT INTO conversations (created_by, created_at, last_at) '
                         'VALUES (?, ?, ?)', self.ids['author'], T0, T0)
        for who in ('author', 'bystander'):
            self.fresh('INSERT INTO conversation_members (conversation_id, member_id) '
                       'VALUES (?, ?)', cid, self.ids[who])
        mid = self.fresh('INSERT INTO messages (conversation_id, author_id, body, created_at) '
                         'VALUES (?, ?, ?, ?)', cid, self.ids['author'], 'Private %d' %
                         self.uniq(), T0)
        self.fresh('UPDATE conversations SET last_message_id = ? WHERE id = ?', mid, cid)
        return cid, mid

    def message_report(self):
        """A report (by the bystander) of a private message of the author's,
        fresh each time: its id."""
        _, mid = self.private_message()
        return self.fresh('INSERT INTO message_reports (message_id, reporter_id, reason, '
                          'created_at) VALUES (?, ?, ?, ?)', mid, self.ids['bystander'],
                          'Unkind', T0)

    def join_request(self, vis):
        _, mid = self.newcomer()
        return self.fresh("INSERT INTO join_requests (community_id, member_id, created_at) "
                          "VALUES (?, ?, ?)", self.cid[vis], mid, T0)


def pubkey():
    k = Key('extra')
    return open(k.pub).read().strip()


# ---- the table: op -> (args(world, role, vis), rule(role, vis)) ----

def slug(w, role, vis):
    return {'slug': vis}


def own_post(w, role, vis):
    return w.post(w.thread(vis), author='author' if role == 'guest' else role)


TABLE = {
    'whoami': (lambda w, r, v: {}, everyone(OK)),
    'coc.get': (lambda w, r, v: {}, everyone(OK)),
    'invite.redeem': (lambda w, r, v: {'code': 'HRTH-0000-0000-0000', 'handle': 'zed',
                                       'display_name': 'Zed'}, everyone(F)),
    # only a join session checks an invite code
    'invite.check': (lambda w, r, v: {'code': 'HRTH-0000-0000-0000'}, everyone(F)),
    'member.accept_coc': (lambda w, r, v: {}, members_only()),
    # communities
    'community.list': (lambda w, r, v: {}, everyone(OK)),
    'community.get': (slug, see_slug),
    # joining: members already in conflict; others ask (join_policy request)
    'community.join': (slug, lambda r, v: F if r == 'guest' else
                       OK if r in ('admin', 'nonmember') else C),
    # the last manager may not leave; nor may someone who is not in it
    'community.leave': (slug, lambda r, v: F if r == 'guest' else
                        OK if r in CROLE and r != 'manager' else C),
    'community.requests': (slug, write('leader', False)),
    'community.decide': (lambda w, r, v: {'request_id': w.join_request(v), 'approve': True},
                         write('leader', False)),
    'community.members': (slug, read_slug(guest_op=False)),
    # who left: leaders and managers, like the requests
    'community.departures': (slug, write('leader', False)),
    'community.update': (lambda w, r, v: {'slug': v, 'purpose': 'Changed'},
                         write('manager', False)),
    'community.set_role': (lambda w, r, v: {'slug': v, 'handle': w.newcomer(v, 'member')[0],
                                            'role': 'leader'}, write('manager', False)),
    # boards
    'thread.list': (slug, read_slug()),
    'thread.get': (lambda w, r, v: {'thread_id': w.thread(v)}, read_id()),
    'thread.create': (lambda w, r, v: {'slug': v, 'title': 'New', 'body': 'Hello'},
                      write('member', False)),
    'post.create': (lambda w, r, v: {'thread_id': w.thread(v), 'body': 'Reply'},
                    write('interested', True)),
    'thread.update': (lambda w, r, v: {'thread_id': w.thread(v), 'pinned': True},
                      write('leader', True)),
    'thread.mark_read': (lambda w, r, v: {'thread_id': w.thread(v)}, read_id(False)),
    'post.edit': (lambda w, r, v: {'post_id': own_post(w, r, v), 'body': 'Edited'},
                  write('interested', True)),
    'post.history': (lambda w, r, v: {'post_id': w.post(w.thread(v))}, read_id()),
    'post.hide': (lambda w, r, v: {'post_id': w.post(w.thread(v)), 'reason': 'off topic'},
                  write('leader', True)),
    'post.unhide': (lambda w, r, v: {'post_id': w.post(w.thread(v), hidden=True)},
                    write('leader', True)),
    # authors may delete their own posts wherever they can still read them
    'post.delete': (lambda w, r, v: {'post_id': own_post(w, r, v)},
                    override(write('interested', True), nonmember_everyone=OK,
                             nonmember_public=OK)),
    'post.thank': (lambda w, r, v: {'post_id': w.post(w.thread(v))},
                   write('interested', True)),
    # moderation: anyone who reads a post may report it; leaders and
    # managers see the queue, resolve reports and mute members below them
    'post.report': (lambda w, r, v: {'post_id': w.post(w.thread(v)), 'reason': 'rude'},
                    read_id(False)),
    'report.list': (slug, write('leader', False)),
    'report.resolve': (lambda w, r, v: {'report_id': w.report(v), 'action': 'dismiss'},
                       write('leader', True)),
    'member.mute': (lambda w, r, v: {'slug': v, 'handle': w.newcomer(v, 'member')[0],
                                     'seconds': 600, 'reason': 'cool off'},
                    write('leader', False)),
    'member.unmute': (lambda w, r, v: {'slug': v, 'handle': w.muted(v)},
                      write('leader', False)),
    'community.mutes': (slug, write('leader', False)),
    'roundup.get': (lambda w, r, v: {}, members_only()),
    # profiles
    'profile.get': (lambda w, r, v: {'handle': 'autxauthor'}, members_only()),
    'profile.update': (lambda w, r, v: {'bio': 'Gardener'}, members_only()),
    'member.search': (lambda w, r, v: {'community': v}, read_slug(guest_op=False)),
    'member.online': (lambda w, r, v: {'community': v}, read_slug(guest_op=False)),
    'profile.tags': (lambda w, r, v: {'prefix': 'gr'}, members_only()),
    'member.suggestions': (lambda w, r, v: {}, members_only()),
    # polls
    'poll.create': (lambda w, r, v: {'slug': v, 'question': 'Tea?', 'options': ['yes', 'no']},
                    write('member', False)),
    'poll.get': (lambda w, r, v: {'poll_id': w.poll(v)[0]}, read_id()),
    'poll.vote': (lambda w, r, v: dict(zip(('poll_id', 'options'),
                                           (lambda p: (p[0], [p[1]]))(w.poll(v)))),
                  write('interested', True)),
    'poll.close': (lambda w, r, v: {'poll_id': w.poll(v)[0]}, write('leader', True)),
    'poll.list': (slug, read_slug()),
    # search and notifications
    'search.query': (lambda w, r, v: {'q': 'thread', 'community': v}, read_slug()),
    'notify.list': (lambda w, r, v: {}, members_only()),
    'notify.mark_read': (lambda w, r, v: {'all': True}, members_only()),
    # the programme
    'event.list': (lambda w, r, v: {'community': v}, read_slug(guest_op=False)),
    'event.get': (lambda w, r, v: {'id': w.event(v)}, read_id(False)),
    'event.create': (lambda w, r, v: {'community': v, 'title': 'Drop-in',
                                      'starts_at': '2031-01-01T10:00:00Z'},
                     write('leader', False)),
    'event.update': (lambda w, r, v: {'id': w.event(v), 'title': 'Renamed'},
                     write('leader', True)),
    'event.cancel': (lambda w, r, v: {'id': w.event(v)}, write('leader', True)),
    'event.rsvp': (lambda w, r, v: {'id': w.event(v), 'status': 'going'},
                   read_id(False)),
    # queueing for a surgery is taking part: members (interested too) only
    'event.queue': (lambda w, r, v: {'id': w.event(v, 'surgery'), 'topic': 'My CV'},
                    write('interested', True)),
    # rooms (live, in memory): each call gets a fresh room opened by the
    # author (a leader, who hosts it); the caller joins it first where they
    # may. Opening needs CA_MODERATE; taking part (saying, queueing) needs
    # CA_REPLY; being present (leave, hand, support) needs CA_READ; host
    # operations need a host or a leader, manager or admin.
    'room.open': (lambda w, r, v: {'community': v, 'title': 'Drop-in', 'record': 'off'},
                  write('leader', False)),
    'room.join': (lambda w, r, v: {'room_id': w.room(v)}, read_id(False)),
    'room.leave': (lambda w, r, v: {'room_id': w.room_with(r, v)}, read_id(False)),
    'room.say': (lambda w, r, v: {'room_id': w.room_with(r, v), 'text': 'Hello'},
                 write('interested', True)),
    'room.topic': (lambda w, r, v: {'room_id': w.room_with(r, v), 'topic': 'CVs'},
                   write('leader', True)),
    'room.mute': (lambda w, r, v: {'room_id': w.room_with(r, v, bystander='in'),
                                   'handle': 'bysxbystander'}, write('leader', True)),
    'room.remove': (lambda w, r, v: {'room_id': w.room_with(r, v, bystander='in'),
                                     'handle': 'bysxbystander', 'reason': 'test'},
                    write('leader', True)),
    'room.pause': (lambda w, r, v: {'room_id': w.room_with(r, v), 'paused': True},
                   write('leader', True)),
    'room.host': (lambda w, r, v: {'room_id': w.room_with(r, v, bystander='in'),
                                   'handle': 'bysxbystander'}, write('leader', True)),
    'room.queue_join': (lambda w, r, v: {'room_id': w.room_with(r, v, surgery=True),
                                         'topic': 'My CV'}, write('interested', True)),
    'room.queue_leave': (lambda w, r, v: {'room_id': w.room_with(r, v, surgery=True,
                                                                 queued=True)},
                         override(write('interested', True), nonmember_everyone=C,
                                  nonmember_public=C)),
    'room.queue_take': (lambda w, r, v: {'room_id': w.room_with(r, v, surgery=True,
                                                                bystander='queued')},
                        write('leader', True)),
    'room.consult_end': (lambda w, r, v: {'room_id': consult(w, r, v)},
                         override(write('interested', True), nonmember_everyone=C,
                                  nonmember_public=C)),
    'room.raise_hand': (lambda w, r, v: {'room_id': w.room_with(r, v)}, read_id(False)),
    'room.support': (lambda w, r, v: {'room_id': w.room_with(r, v), 'text': 'Help'},
                     read_id(False)),
    'room.support_answer': (lambda w, r, v: dict(zip(('room_id', 'support_id'), w.room_with(
        r, v, bystander='support'))), write('leader', True)),
    'room.close': (lambda w, r, v: {'room_id': w.room_with(r, v)}, write('leader', True)),
    'room.list': (lambda w, r, v: {'community': v}, read_slug(guest_op=False)),
    'room.consults': (lambda w, r, v: {}, members_only()),  # only one's own
    # a closed room's record under review: its hosts, the community's
    # managers and admins; nobody else may know it exists
    'room.records': (lambda w, r, v: {}, members_only()),  # only one's own
    # a community's health: its leaders and managers (staff and admins too)
    'health.get': (lambda w, r, v: {'community': v}, write('leader', False)),
    'health.series': (lambda w, r, v: {'community': v, 'weeks': 2}, write('leader', False)),
    'report.get': (lambda w, r, v: {'community': v, 'format': 'csv'}, write('leader', False)),
    # goals: the community's managers keep them; leaders read them
    'goal.list': (lambda w, r, v: {'community': v}, write('leader', False)),
    'goal.create': (lambda w, r, v: {'community': v, 'title': 'G', 'ends_at': '2099-01-01'},
                    write('manager', False)),
    'goal.update': (lambda w, r, v: {'goal_id': w.goal(v), 'title': 'H'}, write('manager', True)),
    'goal.kr_add': (lambda w, r, v: {'goal_id': w.goal(v), 'title': 'K', 'target': 5},
                    write('manager', True)),
    'goal.kr_update': (lambda w, r, v: {'kr_id': w.key_result(v), 'progress': 2},
                       write('manager', True)),
    'post.impact': (lambda w, r, v: {'post_id': w.post(w.thread(v))}, write('manager', True)),
    'outreach.list': (lambda w, r, v: {'community': v}, write('manager', False)),
    # roadmaps: members read (managers-only sections aside), leaders
    # propose, managers edit and accept; staff and admins keep them all
    'roadmap.get': (lambda w, r, v: {'slug': v}, read_slug(guest_op=False)),
    'roadmap.versions': (lambda w, r, v: {'slug': v}, read_slug(guest_op=False)),
    'roadmap.compare': (lambda w, r, v: {'slug': v, 'from': 0, 'to': 0},
                        read_slug(guest_op=False)),
    'roadmap.export': (lambda w, r, v: {'slug': v, 'format': 'csv'},
                       read_slug(guest_op=False)),
    'roadmap.update': (lambda w, r, v: {'slug': v, 'key': 'vision', 'body': 'V'},
                       write('manager', False)),
    'roadmap.action': (lambda w, r, v: {'slug': v, 'period': 1, 'title': 'A'},
                       write('manager', False)),
    'roadmap.copy': (lambda w, r, v: {'slug': v}, write('manager', False)),
    'roadmap.propose': (lambda w, r, v: {'slug': v, 'key': 'vision', 'body': 'P'},
                        write('leader', False)),
    'roadmap.proposals': (lambda w, r, v: {'slug': v}, write('leader', False)),
    'roadmap.accept': (lambda w, r, v: {'proposal_id': w.roadmap_proposal(v)},
                       write('manager', True)),
    # personas: members read; managers keep; leaders tag events with them
    'persona.list': (lambda w, r, v: {'slug': v}, read_slug(guest_op=False)),
    'persona.save': (lambda w, r, v: {'slug': v, 'name': 'P'}, write('manager', False)),
    'persona.delete': (lambda w, r, v: {'persona_id': w.persona(v)}, write('manager', True)),
    'persona.tag': (lambda w, r, v: {'event_id': w.event(v), 'persona_ids': [w.persona(v)]},
                    write('leader', True)),
    # drafts: each member's own, whatever their role
    'draft.save': (lambda w, r, v: {'key': 'thread:' + v, 'body': 'words'}, members_only()),
    'draft.get': (lambda w, r, v: {'key': 'thread:' + v}, members_only()),
    'draft.list': (lambda w, r, v: {}, members_only()),
    # where a member was (the TUI's resume): their own, whatever their role
    'session.where': (lambda w, r, v: {'screen': 'community', 'slug': v, 'tab': 0},
                      members_only()),
    'session.resume': (lambda w, r, v: {}, members_only()),
    # private messages: anyone writes to a member; a conversation is read
    # only by those in it: not_found for everyone else, admins included
    'message.send': (lambda w, r, v: {'to': ['autxauthor'], 'body': 'Hello ' + v},
                     members_only()),
    'message.conversations': (lambda w, r, v: {}, members_only()),  # only one's own
    'message.get': (lambda w, r, v: {'conversation_id': w.private_message()[0]},
                    members_only(NF)),
    'message.report': (lambda w, r, v: {'message_id': w.private_message()[1],
                                        'reason': 'Unkind'}, members_only(NF)),
    'message.search': (lambda w, r, v: {'q': 'Private'}, members_only()),  # only one's own
    # the queue of reported messages: staff (and admins) only
    'message.reports': (lambda w, r, v: {}, admin_only),
    'message.report_resolve': (lambda w, r, v: {'report_id': w.message_report(),
                                                'action': 'dismiss'}, admin_only),
    'member.block': (lambda w, r, v: {'handle': 'bysxbystander', 'blocked': v != 'public'},
                     members_only()),
    'room.record.get': (lambda w, r, v: {'room_id': w.record(v)}, reviewers),
    'room.record.edit': (lambda w, r, v: w.record_line(v), reviewers),
    'room.record.publish': (lambda w, r, v: {'room_id': w.record(v)}, reviewers),
    # expert speaker requests: anyone may ask (for a community they may
    # read); only the asker adds to their own; staff (and admins) decide
    'expert.request': (lambda w, r, v: {'topic': 'Pensions', 'why': 'Many ask',
                                        'community': v}, read_slug(guest_op=False)),
    'expert.reply': (lambda w, r, v: {'id': w.expert_request(r), 'text': 'Tuesdays'},
                     members_only()),
    'expert.list': (lambda w, r, v: {}, members_only()),
    'expert.decide': (lambda w, r, v: {'id': w.expert_request('author'),
                                       'decision': 'decline', 'reason': 'No speaker'},
                      admin_only),
    # administration
    'admin.status': (lambda w, r, v: {}, admin_only),
    'admin.invite.create': (lambda w, r, v: {'name': 'Someone'}, admin_only),
    'admin.invite.list': (lambda w, r, v: {}, admin_only),
    'admin.invite.revoke': (lambda w, r, v: {'id': w.fresh(
        'INSERT INTO invites (code_hash, code_hint, name, created_at, expires_at) '
        'VALUES (?, ?, ?, ?, ?)', 'h%d' % w.uniq(), 'ABCD', 'x', T0, T0 + 10 ** 9)},
        admin_only),
    'admin.member.list': (lambda w, r, v: {}, admin_only),
    'admin.member.show': (lambda w, r, v: {'handle': 'autxauthor'}, admin_only),
    'admin.member.remove': (lambda w, r, v: {'handle': w.newcomer()[0], 'reason': 'test'},
                            admin_only),
    'admin.member.role': (lambda w, r, v: {'handle': w.newcomer()[0], 'role': 'staff'},
                          admin_only),
    'admin.member.key_add': (lambda w, r, v: {'handle': w.newcomer()[0], 'key': pubkey()}
                             if r == 'admin' else {'handle': 'autxauthor',
                                                   'key': 'ssh-ed25519 AAAA'}, admin_only),
    'admin.community.create': (lambda w, r, v: {'slug': 'c%d' % w.uniq(), 'name': 'C'},
                               admin_only),
    'admin.audit': (lambda w, r, v: {}, admin_only),
    # devices: a member's own keys only (test_devices.py: never another's)
    'device.list': (lambda w, r, v: {}, members_only()),
    'device.remove': (lambda w, r, v: {'id': w.extra_key(r)}, members_only()),
    'device.code': (lambda w, r, v: {}, members_only()),
    'device.redeem': (lambda w, r, v: {'code': 'HRTH-0000-0000-0000'}, everyone(F)),
    'admin.member.device_code': (lambda w, r, v: {'handle': w.newcomer()[0]}, admin_only),
    'admin.member.reinstate': (lambda w, r, v: {'handle': removed_member(w)}, admin_only),
    'admin.community.list': (lambda w, r, v: {}, admin_only),
    # e-mail: a member's own settings (no address set: not_found); the
    # queue and the MTA's messages are the admin's
    'email.verify': (lambda w, r, v: {'code': '123456'}, members_only(NF)),
    'email.prefs': (lambda w, r, v: {}, members_only()),
    'mail.status': (lambda w, r, v: {}, admin_only),
    'mail.run': (lambda w, r, v: {}, admin_only),
    'mail.inbound': (lambda w, r, v: {'message': 'Subject: hello\r\n\r\nhi'},
                     admin_only),
    # the current text again: authorized, and nobody must accept anew
    'admin.coc.set': (lambda w, r, v: {'body': w.sessions['admin'].call('coc.get')[
        'result']['text']}, admin_only),
    # surveys: made by a community's managers (staff for the platform);
    # seen and answered by their audience (here: the community's members),
    # managed (results while open, close, remind) by managers and staff;
    # exported by staff only
    'survey.create': (lambda w, r, v: {'title': 'S', 'audience': {'community': v},
                                       'questions': [{'kind': 'scale5', 'prompt': 'How?'}]},
                      write('manager', False)),
    'survey.list': (slug, read_slug(guest_op=False)),
    'survey.get': (lambda w, r, v: {'survey_id': survey(w, v)}, lambda r, v: survey_rule(r)),
    'survey.answer': (lambda w, r, v: {'survey_id': survey(w, v),
                                       'answers': [{'question': 0, 'value': 3}]},
                      lambda r, v: F if r == 'admin' else survey_rule(r)),
    'survey.results': (lambda w, r, v: {'survey_id': survey(w, v)},
                       lambda r, v: survey_rule(r, manage=True)),
    'survey.close': (lambda w, r, v: {'survey_id': survey(w, v)},
                     lambda r, v: survey_rule(r, manage=True)),
    'survey.remind': (lambda w, r, v: {'survey_id': survey(w, v)},
                      lambda r, v: survey_rule(r, manage=True)),
    'survey.export': (lambda w, r, v: {'survey_id': survey(w, v)}, admin_only),
    'survey.schedule': (lambda w, r, v: {'audience': {'community': v}},
                        write('manager', False)),
    'survey.schedules': (lambda w, r, v: {}, members_only()),
    'survey.unschedule': (lambda w, r, v: {'schedule_id': survey_schedule(w, v)},
                          write('manager', False)),
    # the library: as the community's threads (sftp: test_library.py)
    'library.list': (lambda w, r, v: {'community': v}, read_slug()),
    'library.get': (lambda w, r, v: {'id': library_doc(w, v)}, read_id()),
    'library.text': (lambda w, r, v: {'id': library_doc(w, v)}, read_id()),
    'library.update': (lambda w, r, v: {'id': library_doc(w, v), 'title': 'T'},
                       write('manager', True)),
    'library.settings': (lambda w, r, v: {'community': v, 'upload': 'members'},
                         write('manager', False)),
    'library.restore': (lambda w, r, v: {'id': library_doc(w, v), 'version': 1},
                        write('manager', True)),
    # the knowledge bank: leaders and managers keep; readers see what is kept
    'library.keep': (lambda w, r, v: {'post_id': w.post(w.thread(v)), 'note': 'N'},
                     write('leader', True)),
    'library.unkeep': (lambda w, r, v: {'id': library_kept(w, v)}, write('leader', True)),
    'library.kept': (lambda w, r, v: {'community': v}, read_slug()),
    # links: where a document is linked from; titles leave unseen ones out
    'library.links': (lambda w, r, v: {'id': library_doc(w, v)}, read_id()),
    'library.titles': (lambda w, r, v: {'ids': [library_doc(w, v)]}, everyone(OK)),
    # the bin: a reader sees their own deleted uploads (managers: all)
    'library.bin': (lambda w, r, v: {'community': v}, read_slug(guest_op=False)),
    'library.undelete': (lambda w, r, v: {'id': library_binned(w, v)},
                         write('manager', True)),
    # the native client's transfers: uploads as sftp's (members and up);
    # an upload's number is its connection's alone (not_found elsewhere)
    'library.upload_begin': (lambda w, r, v: {'community': v, 'name': 'up%d.txt' % w.uniq()},
                             write('member', False)),
    'library.upload_chunk': (lambda w, r, v: {'upload': 999999, 'offset': 0, 'data': ''},
                             lambda r, v: F if r == 'guest' else NF),
    'library.upload_end': (lambda w, r, v: {'upload': 999999},
                           lambda r, v: F if r == 'guest' else NF),
    'library.upload_abort': (lambda w, r, v: {'upload': 999999},
                             lambda r, v: F if r == 'guest' else NF),
    'library.download': (lambda w, r, v: {'id': library_doc(w, v)}, read_id(guest_op=False)),
}


def library_kept(w, vis):
    """A fresh thread kept in the community's library."""
    return w.fresh("INSERT INTO library_kept (thread_id, note, kept_at) VALUES "
                   "(?, 'N', ?)", w.thread(vis), T0)


def survey(w, vis):
    """A fresh open survey by the author (a leader) sent to the community's
    members."""
    sid = w.fresh("INSERT INTO surveys (title, community_id, audience, questions, status, "
                  "created_by, created_at, opened_at, closes_at) VALUES (?, ?, '{}', "
                  "'[{\"kind\":\"scale5\",\"prompt\":\"How?\",\"optional\":false}]', "
                  "'open', ?, ?, ?, ?)", 'Survey %d' % w.uniq(), w.cid[vis],
                  w.ids['author'], T0, T0, int(time.time()) + 86400)
    w.fresh('INSERT INTO survey_audience SELECT ?, member_id FROM community_members '
            'WHERE community_id = ?', sid, w.cid[vis])
    return sid


def survey_rule(role, manage=False):
    """A survey of a community: its audience (every role in it) may see it,
    only managers and admins manage it; others do not know it exists."""
    if role == 'guest':
        return F
    if role in ('admin', 'manager'):
        return OK
    if role in CROLE:
        return F if manage else OK
    return NF


def survey_schedule(w, vis):
    return w.fresh("INSERT INTO survey_schedules (title, community_id, audience, next_at, "
                   "created_by, created_at) VALUES ('T', ?, '{}', ?, ?, ?)", w.cid[vis],
                   int(time.time()) + 86400 * 90, w.ids['author'], T0)


def library_doc(w, vis):
    """A fresh document in the community's library, one version."""
    n = w.uniq()
    bid = w.fresh("INSERT INTO library_blobs (sha256, size, created_at) VALUES "
                  "(?, 0, ?)", '%064x' % n, T0)
    did = w.fresh("INSERT INTO library_documents (community_id, name, type, uploader_id, "
                  "created_at, updated_at) VALUES (?, ?, 'text/plain', ?, ?, ?)", w.cid[vis],
                  'doc%d.txt' % n, w.ids['author'], T0, T0)
    w.fresh("INSERT INTO library_versions (document_id, version, blob_id, size, "
            "created_at) VALUES (?, 1, ?, 0, ?)", did, bid, T0)
    return did


def library_binned(w, vis):
    """A fresh document of the author's, deleted an hour ago (in the bin)."""
    did = library_doc(w, vis)
    w.fresh("UPDATE library_documents SET deleted_at = ? WHERE id = ?",
            int(time.time()) - 3600, did)
    return did


def removed_member(w):
    """A fresh member who was removed (for reinstating)."""
    handle, mid = w.newcomer()
    w.fresh("UPDATE members SET status = 'removed', removed_at = ?, removed_reason = "
            "'test' WHERE id = ?", T0, mid)
    return handle


def consult(w, role, vis):
    """A surgery room where the host has taken the caller into a private
    consult (when the caller could queue at all)."""
    rid = w.room_with(role, vis, surgery=True, queued=True)
    if role != 'guest':
        w.sessions['author'].call('room.queue_take', room_id=rid,
                                  handle=role[:3] + 'x' + role, private=True)
    return rid


# Answers known to differ from the rules above, each with its reason. A
# fixed one must be taken out of here (the test fails when the answer
# changes either way), so this list only shrinks.
KNOWN = {}
for _vis in ('everyone', 'public'):
    # room.queue_join lets any reader queue (a topic is text written in the
    # community), where event.queue for the same surgery needs CA_REPLY;
    # queue_leave and consult_end follow from it.
    KNOWN[('room.queue_join', 'nonmember', _vis)] = OK
    KNOWN[('room.queue_leave', 'nonmember', _vis)] = OK
    KNOWN[('room.consult_end', 'nonmember', _vis)] = OK


def list_ops():
    out = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--list-ops'],
                         capture_output=True, text=True, check=True).stdout
    ops = {}
    for line in out.splitlines():
        m = re.match(r'^\| `([^`]+)` \| ([^|]*) \| (yes|) \|', line)
        if m:
            ops[m.group(1)] = m.group(3) == 'yes'
    assert len(ops) > 10, out
    return ops


def run_matrix(roles):
    ops = list_ops()
    missing = sorted(set(ops) - set(TABLE))
    assert not missing, 'operations missing from the authz table: %s' % missing
    w = World(guest='guest' in roles)
    wrong = []
    for op in ops:
        build, rule = TABLE[op]
        for vis in VIS:
            for role in roles:
                args = build(w, role, vis)
                r = w.sessions[role].call(op, **args)
                assert r is not None, (op, role, vis, 'connection closed')
                got = OK if r['ok'] else r['error']['code']
                want = KNOWN.get((op, role, vis), rule(role, vis))
                if got != want:
                    wrong.append('%-22s %-10s %-8s want %-9s got %-9s %s' % (
                        op, role, vis, want, got,
                        '' if r['ok'] else r['error']['message']))
                if ops[op]:
                    w.restore()
    assert w.srv.alive()
    assert not wrong, '%d answers differ from the table:\n%s' % (len(wrong), '\n'.join(wrong))


def test_authz_table_covers_every_operation():
    ops = list_ops()
    missing = sorted(set(ops) - set(TABLE))
    assert not missing, 'add these operations to TABLE with their rule: %s' % missing


def test_authz_matrix_members_and_admin():
    run_matrix(ROLES[:-1])


def test_authz_matrix_guest():
    run_matrix(('guest',))
