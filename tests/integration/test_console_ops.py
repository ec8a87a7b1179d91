"""Every operation run from the console (DATA/ctl.sock), with the arguments
the authorization matrix builds for an admin: none may answer `internal`.
The console is no member, so an operation that acts as the caller (thank a
post, join a room, vote) answers `forbidden`; moderation and administration
work as for a platform admin."""
import json
import os
import socket
import time

from test_authz_matrix import TABLE, VIS, World, list_ops

# Operations that act as the caller's own member identity (OP_SELF): the
# console, which has none, is refused them.
SELF = {'community.join', 'community.leave', 'member.accept_coc', 'post.thank',
        'profile.update', 'poll.vote', 'event.rsvp', 'event.queue', 'expert.request',
        'expert.reply', 'notify.mark_read', 'thread.mark_read', 'room.open', 'room.join',
        'room.leave', 'room.say', 'room.queue_join', 'room.queue_leave',
        'room.consult_end', 'room.raise_hand', 'room.support'}


class Console:
    """The control socket speaking the protocol, as hearthctl does."""

    def __init__(self, srv):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(os.path.join(srv.data, 'ctl.sock'))
        self.buf = b''
        self.next_id = 1
        self.hello = self.recv()
        assert self.hello['data']['console'] is True, self.hello

    def recv(self, timeout=10):
        deadline = time.time() + timeout
        while b'\n' not in self.buf:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def call(self, op, **args):
        rid = self.next_id
        self.next_id += 1
        self.sock.sendall(json.dumps({'id': rid, 'op': op, 'args': args}).encode() + b'\n')
        while True:
            m = self.recv()
            assert m is not None, (op, 'connection closed')
            if m.get('id') == rid:
                return m

    def close(self):
        self.sock.close()


def test_console_never_gets_internal():
    ops = list_ops()
    w = World(guest=False)
    con = Console(w.srv)
    wrong = []
    for op in ops:
        build, _ = TABLE[op]
        for vis in VIS:
            r = con.call(op, **build(w, 'admin', vis))
            got = 'ok' if r['ok'] else r['error']['code']
            if got == 'internal' or (op in SELF and got != 'forbidden'):
                wrong.append('%-22s %-8s got %-9s %s' % (
                    op, vis, got, '' if r['ok'] else r['error']['message']))
            if ops[op]:
                w.restore()
    # closing a room whatever it keeps (a record to review, a summary)
    for vis in VIS:
        for mode in ('transcript', 'chatham', 'summary'):
            rid = w.sessions['author'].call('room.open', community=vis, title='T',
                                            record=mode)['result']['room']['room_id']
            assert w.sessions['author'].call('room.say', room_id=rid, text='a line')['ok']
            for args in ({}, {'summary': 'We talked.'}):
                r = con.call('room.close', room_id=rid, **args)
                if not r['ok'] and r['error']['code'] == 'internal':
                    wrong.append('room.close (%s) %s: %s' % (mode, vis,
                                                           r['error']['message']))
    con.close()
    assert w.srv.alive()
    assert not wrong, '%d console answers wrong:\n%s' % (len(wrong), '\n'.join(wrong))
