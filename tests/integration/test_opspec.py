"""The operation table as a contract: every operation has an argument spec
and a rate class (`hearthd --list-ops`), the handlers read what their specs
allow with the same limits, dispatch refuses bad arguments naming the field
before any handler, and each rate class limits its own bucket (per member,
per connection for guests) with a message saying when to retry, while the
connection goes on."""
import glob
import json
import os
import re
import subprocess
import time

import harness
from harness import Server
from fixtures import community, err, ok, people

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, '..', '..', 'server')
INT64_MAX = 2 ** 63 - 1
ARG = re.compile(r'`(\w+)(\??)` ([^`]*?)(?:, (?=`)|$)')


def list_ops():
    """({op: (who, writes, rate, {arg: (required, type)})}, {class: limit})."""
    out = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--list-ops'],
                         capture_output=True, text=True, check=True).stdout
    ops, classes = {}, {}
    for line in out.splitlines():
        m = re.match(r'^\| `([^`]+)` \| ([^|]*) \| (yes|) \| ([a-z]+) \| (.*?) \| ', line)
        if m:
            args = {a: (req == '', desc) for a, req, desc in ARG.findall(m.group(5))}
            ops[m.group(1)] = (m.group(2), m.group(3) == 'yes', m.group(4), args,
                               m.group(5))
            continue
        m = re.match(r'^\| ([a-z]+) \| ([^|]+) \|$', line)
        if m:
            classes[m.group(1)] = m.group(2)
    return ops, classes


def test_every_operation_has_an_argument_spec_and_a_rate_class():
    ops, classes = list_ops()
    assert len(ops) > 70, ops.keys()
    assert set(classes) == {'none', 'read', 'write', 'say', 'search', 'expensive'}, classes
    for name, limit in classes.items():
        assert name == 'none' or limit.startswith('a burst of '), (name, limit)
    for name, (who, writes, rate, args, cell) in ops.items():
        assert rate in classes, (name, rate)
        # the cell lists every argument, or says there are none
        assert args or cell in ('—', 'any (ignored)'), (name, cell)
        assert not args or ', '.join('`%s%s` %s' % (a, '' if r else '?', d)
                                     for a, (r, d) in args.items()) == cell, (name, cell)
    # the classes the brief fixes
    assert ops['room.say'][2] == 'say' and ops['search.query'][2] == 'search'
    assert ops['whoami'][2] == 'none' and ops['whoami'][4] == 'any (ignored)'
    assert all(ops[n][2] == 'expensive' for n in ops if n.startswith('admin.'))
    assert all(ops[n][2] in ('write', 'say', 'expensive') for n in ops if ops[n][1])


def c_value(expr, defines):
    """The value of a C limit expression such as 7 * 24 * 60 or BODY_MAX."""
    expr = expr.strip()
    for _ in range(5):
        expr = re.sub(r'\b([A-Z][A-Z0-9_]*)\b', lambda m: '(%s)' % (
            defines.get(m.group(1)) or str(INT64_MAX) if m.group(1) == 'INT64_MAX'
            else defines[m.group(1)]), expr)
    assert re.fullmatch(r'[0-9()*+\- ]+', expr), expr
    return eval(expr)


def handler_reads(body, defines):
    """(name, type as the spec shows it or None) for each argument read."""
    body = re.sub(r'\s+', ' ', body)
    reads = []
    for m in re.finditer(r'arg_str\(x->args, "(\w+)", [^,]+, ([^,]+),', body):
        reads.append((m.group(1), 'string ≤ %d bytes' % c_value(m.group(2), defines)))
    for m in re.finditer(r'arg_text\(x, "(\w+)", ([^,]+),', body):
        reads.append((m.group(1), 'string ≤ %d bytes' % c_value(m.group(2), defines)))
    for m in re.finditer(r'arg_int\(x->args, "(\w+)", [^,]+, ([^,]+), ([^,]+),', body):
        lo, hi = c_value(m.group(2), defines), c_value(m.group(3), defines)
        reads.append((m.group(1), 'int ≥ %d' % lo if hi == INT64_MAX
                      else 'int %d–%d' % (lo, hi)))
    for m in re.finditer(r'arg_bool\(x->args, "(\w+)"', body):
        reads.append((m.group(1), 'bool'))
    for m in re.finditer(r'json_object_get\(x->args, "(\w+)"\)', body):
        reads.append((m.group(1), None))
    return reads


FUNC = re.compile(r'^(\w+)\([^{;]*?\)\n\{\n(.*?)^\}$', re.M | re.S)


def c_defines(text):
    return dict(re.findall(r'^#define (\w+) (\d+)\b', text, re.M))


def exported_functions(header):
    """{name: (body, defines)} for the functions server files export (not
    static), so that a helper another file shares is followed too."""
    out = {}
    for path in glob.glob(os.path.join(SERVER, '*.c')):
        text = open(path).read()
        defines = {**header, **c_defines(text)}
        for m in FUNC.finditer(text):
            before = text[text.rfind('\n', 0, m.start() - 1) + 1:m.start()]
            if not before.startswith('static'):
                out[m.group(1)] = (m.group(2), defines)
    return out


def test_handler_reads_agree_with_the_specs():
    """What each operation's handler reads (arg_str, arg_int, arg_bool,
    arg_text or json_object_get on x->args, in the handler or the functions
    it calls: its file's, or those another server file exports) is in the
    operation's spec with the same type and limits, and each argument of
    the spec is named by the handler: no handler limit contradicts the
    spec, and nothing a handler reads is refused before it."""
    ops, _ = list_ops()
    wrong, seen = [], set()
    header = c_defines(open(os.path.join(SERVER, 'server.h')).read())
    exported = exported_functions(header)
    # every file with an operation table (op-*.c, including op-record.c)
    files = sorted(p for p in glob.glob(os.path.join(SERVER, '*.c'))
                   if re.search(r'^const struct op op_\w+_table\[\] = \{$',
                                open(p).read(), re.M))
    assert len(files) >= 12, files
    for path in files:
        text = open(path).read()
        base = os.path.basename(path)
        defines = {**header, **c_defines(text)}
        funcs = {**exported, **{m.group(1): (m.group(2), defines)
                                for m in FUNC.finditer(text)}}
        calls = {f: {c for c in re.findall(r'\b(\w+)\(', b) if c in funcs and c != f}
                 for f, (b, _) in funcs.items()}
        table = text[re.search(r'^const struct op op_\w+_table\[\] = \{$', text,
                               re.M).start():]
        entries = re.findall(r'^\t\{ "([a-z_.]+)", [^,]+, (\w+),', table, re.M)
        assert entries, path
        for op, fn in entries:
            seen.add(op)
            reach, todo = set(), [fn]
            while todo:
                f = todo.pop()
                if f not in reach:
                    reach.add(f)
                    todo += calls[f]
            spec = ops[op][3]
            named = set()
            for f in reach:
                for name, want in handler_reads(*funcs[f]):
                    if name not in spec:
                        wrong.append('%s %s: args.%s is read but not in the spec' % (
                            base, op, name))
                    elif want is not None and spec[name][1] != want:
                        wrong.append('%s %s: args.%s read as "%s", the spec says "%s"'
                                     % (base, op, name, want, spec[name][1]))
                named |= set(re.findall(r'"(\w+)"', funcs[f][0]))
            for name in spec:
                if name not in named:
                    wrong.append('%s %s: args.%s is in the spec but the handler never '
                                 'names it' % (base, op, name))
    assert seen == set(ops), set(ops) ^ seen
    assert not wrong, '\n'.join(wrong)


def setup_board(srv, slug='garden'):
    keys = people(srv, ('ann', 'member'), ('bob', 'member'))
    community(srv, slug, 'platform', [('ann', 'member'), ('bob', 'member')])
    return keys


def test_bad_arguments_name_the_field_before_any_handler():
    srv = Server()
    keys = setup_board(srv)
    s = srv.session(keys['ann'])
    tid = ok(s.call('thread.create', slug='garden', title='T', body='first'))['thread_id']
    posts = srv.query('SELECT count(*) FROM posts')
    cases = [
        ('thread.list', {'slug': 'garden', 'limit': '10'},
         'args.limit must be an integer between 1 and 100'),
        ('thread.list', {'slug': 'garden', 'limit': 101},
         'args.limit must be an integer between 1 and 100'),
        ('post.create', {'thread_id': str(tid), 'body': 'x'},
         'args.thread_id must be an integer between 1 and 9223372036854775807'),
        ('post.create', {'thread_id': tid}, 'args.body is required'),
        ('post.create', {'thread_id': tid, 'body': None}, 'args.body is required'),
        ('post.create', {'thread_id': tid, 'body': 'y' * 60001},
         'args.body is too long (max 60000 bytes)'),
        ('post.create', {'thread_id': tid, 'body': 'x', 'reply': 3},
         'args.reply is not an argument of this operation (it takes thread_id, '
         'body, reply_to)'),
        ('community.join', {'slug': 'g' * 41}, 'args.slug is too long (max 40 bytes)'),
        ('community.join', {'slgu': 'garden'},
         'args.slgu is not an argument of this operation (it takes slug, message, as)'),
        ('community.decide', {'request_id': 1, 'approve': 'yes'},
         'args.approve must be true or false'),
        ('thread.create', {'slug': 'garden', 'title': 'T', 'body': 'b', 'tags': ['ok', 5]},
         'args.tags[1] must be a string'),
        ('thread.create', {'slug': 'garden', 'title': 'T', 'body': 'b', 'tags': 'soil'},
         'args.tags must be a list of at most 8 strings'),
        ('thread.create', {'slug': 'garden', 'title': 'T', 'body': 'b',
                           'tags': ['x' * 33]}, 'args.tags[0] is too long (max 32 bytes)'),
        ('notify.mark_read', {'ids': []}, 'args.ids must be a list of 1 to 500 integers'),
        ('notify.mark_read', {'ids': [1, 0]},
         'args.ids[1] must be an integer between 1 and 9223372036854775807'),
        ('poll.vote', {'options': [1]}, 'args.poll_id is required'),
        ('room.say', {'room_id': 1, 'text': 'x' * 16001},
         'args.text is too long (max 16000 bytes)'),
        ('event.create', {'title': 'T', 'starts_at': '2030-01-01T10:00:00Z',
                          'duration': 4}, 'args.duration must be an integer between '
         '5 and 10080'),
        ('member.accept_coc', {'now': True},
         'args.now is not an argument of this operation (it takes none)'),
    ]
    for op, args, want in cases:
        r = s.call(op, **args)
        assert r is not None and not r['ok'], (op, args, r)
        assert r['error'] == {'code': 'bad_request', 'message': want}, (op, args, r)
    # nothing was done, and the connection goes on
    assert srv.query('SELECT count(*) FROM posts') == posts
    assert ok(s.call('whoami', pad='anything'))['member']['handle'] == 'ann'
    # a join session is checked the same way
    j = srv.session(harness.Key('newbie'), 'join')
    r = j.call('invite.redeem', code='HRTH-0000-0000-0000', handle='nb',
               display_name='N', role='admin')
    assert r['error']['code'] == 'bad_request' and r['error']['message'].startswith(
        'args.role is not an argument'), r
    # every operation without arguments refuses one
    ops, _ = list_ops()
    for name, (who, _, _, args, cell) in ops.items():
        if cell == '—' and who in ('member', 'member, guest', 'anyone connected'):
            r = s.call(name, bogus=1)
            assert r['error'] == {'code': 'bad_request', 'message': 'args.bogus is not '
                                  'an argument of this operation (it takes none)'}, (name, r)


def retry_after(r):
    assert r is not None and r['error']['code'] == 'rate_limited', r
    m = re.search(r'Nothing was done; try again in (\d+\.\d) seconds\.$',
                  r['error']['message'])
    assert m, r
    return float(m.group(1))


def pipeline(s, op, n, first_id, **args):
    """Send n requests at once; their replies in order."""
    s.send_raw(b''.join(json.dumps({'id': first_id + i, 'op': op, 'args': args}).encode()
                        + b'\n' for i in range(n)))
    return [s.reply(first_id + i) for i in range(n)]


def test_rate_classes_per_member_and_per_guest_connection():
    srv = Server({'guest': 'on', 'rate_read': '5/1', 'rate_write': '3/0.001',
                  'rate_search': '2/0.001'})
    keys = setup_board(srv)
    community(srv, 'open', 'public')
    a1, a2 = srv.session(keys['ann']), srv.session(keys['ann'])
    rs = pipeline(a1, 'community.list', 7, 100)
    assert [r['ok'] for r in rs] == [True] * 5 + [False] * 2, rs
    wait = retry_after(rs[5])
    assert 0.5 < wait <= 1.1, rs[5]
    assert 'sending requests too fast (a burst of 5, then 1 a second)' in \
        rs[5]['error']['message']
    # the connection goes on: other classes have their own buckets
    assert ok(a1.call('whoami'))['member']['handle'] == 'ann'
    assert ok(a1.call('thread.create', slug='garden', title='T', body='b'))
    # the member's other session shares the bucket; another member does not
    retry_after(a2.call('thread.list', slug='garden'))
    assert ok(srv.session(keys['bob']).call('community.list'))
    # after the time the message gave, a request goes through
    time.sleep(wait + 0.05)
    assert ok(a1.call('community.list'))
    # a refused request costs nothing: bad arguments and refusals take no token
    for _ in range(5):
        err(a1.call('post.create', thread_id=1), 'bad_request')
    for i in range(2):
        assert ok(a1.call('post.create', thread_id=1, body='reply %d' % i))
    r = a1.call('post.create', thread_id=1, body='one too many')
    assert r['error']['code'] == 'rate_limited' and retry_after(r) > 100, r
    retry_after(a1.call('post.create', thread_id=1, body='still'))
    assert srv.query("SELECT count(*) FROM posts WHERE body LIKE 'reply %' OR "
                     "body IN ('one too many', 'still')") == [(2,)]
    # searches: member.search and search.query share the class
    assert ok(a1.call('member.search', q='bob'))
    assert ok(a1.call('search.query', q='garden'))
    r = a1.call('member.search', q='ann')
    assert r['error']['code'] == 'rate_limited' and 'searching too fast' in \
        r['error']['message'], r
    # guests: a bucket per connection
    g1, g2 = srv.session(harness.Key('g1'), 'guest'), srv.session(harness.Key('g2'), 'guest')
    rs = pipeline(g1, 'thread.list', 6, 200, slug='open')
    assert [r['ok'] for r in rs] == [True] * 5 + [False], rs
    retry_after(rs[5])
    assert ok(g2.call('thread.list', slug='open'))
    assert srv.alive()


def test_default_classes_and_the_room_message():
    srv = Server()
    keys = people(srv, ('host', 'member'), ('alice', 'member'))
    community(srv, 'cop', 'platform', [('host', 'leader'), ('alice', 'member')])
    a = srv.session(keys['alice'])
    # read: a burst of 200 (and 50 a second)
    rs = pipeline(a, 'notify.list', 320, 1000)
    good = sum(1 for r in rs if r['ok'])
    assert 200 <= good < 320, good
    assert [r['ok'] for r in rs[:200]] == [True] * 200
    retry_after(next(r for r in rs if not r['ok']))
    # room.say: a burst of 10, then 5 a second, with the room's own message
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Fast',
                    record='off'))['room']['room_id']
    ok(a.call('room.join', room_id=rid))
    # messages the room refuses (muted) do not count
    ok(h.call('room.mute', room_id=rid, handle='alice'))
    for r in pipeline(a, 'room.say', 12, 1500, room_id=rid, text='muted'):
        err(r, 'forbidden')
    ok(h.call('room.mute', room_id=rid, handle='alice', muted=False))
    rs = pipeline(a, 'room.say', 14, 2000, room_id=rid, text='hello')
    said = [r['ok'] for r in rs]
    assert said[:10] == [True] * 10 and False in said, said
    refused = next(r for r in rs if not r['ok'])
    assert refused['error'] == {'code': 'rate_limited', 'message':
                                'You are sending messages too fast (a burst of 10, then 5 '
                                'a second). This message was not sent: send it again in a '
                                'moment.'}, refused
    assert ok(a.call('whoami'))
    assert srv.alive()
