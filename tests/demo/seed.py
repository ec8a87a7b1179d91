#!/usr/bin/env python3
"""Seed a demo data directory through the real protocol: the five
communities the association launched with, sample members with profiles,
threads, replies, thanks and a poll. Used by `make demo`; it starts its own
hearthd on the demo port, seeds, stops it, and writes DATA/demo_key for the
newcomer `alex` to log in with. Never point it at a real data directory."""
import argparse
import datetime
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

COMMUNITIES = [
    ('neuro-diverse', 'Neuro Diverse', 'platform',
     'Practitioners who are neurodivergent, and those working with neurodivergent clients, '
     'sharing adaptations, research and lived experience.',
     'BACP members who identify as neurodivergent or specialise in this work.'),
    ('rural-isolation', 'Rural Isolation', 'private',
     'Counsellors practising far from colleagues: peer support, referral routes and '
     'ways of staying connected.',
     'Members practising in rural or remote areas.'),
    ('students', 'Students', 'platform',
     'Trainees on accredited courses: placements, supervision, assignments and '
     'first clients.',
     'Student members on a recognised counselling or psychotherapy course.'),
    ('eco-awareness', 'Eco Awareness', 'public',
     'Climate anxiety in the therapy room, and making our own practice greener.',
     'Any member with an interest in eco-therapy or climate distress.'),
    ('supervisors', 'Supervisors', 'private',
     'Supervisors sharing practice, ethics dilemmas and CPD for supervision.',
     'Members who currently supervise, or are training as supervisors.'),
]

MEMBERS = [
    ('priya', 'Priya Shah', 'she/her', 'Counsellor (integrative)', 'Private practice', 'Yorkshire',
     ['neurodiversity', 'adhd', 'autism'], True),
    ('tom_h', 'Tom Harris', 'he/him', 'Psychotherapist', 'NHS Talking Therapies', 'Cumbria',
     ['rural', 'cbt', 'telephone-counselling'], False),
    ('megan', 'Megan Ellis', 'she/her', 'Trainee counsellor', 'University of Leeds', 'Leeds',
     ['person-centred', 'placements'], False),
    ('sam_k', 'Sam Kaur', 'they/them', 'Clinical supervisor', 'Kaur Supervision', 'London',
     ['supervision', 'ethics', 'eco-therapy'], True),
    ('ruth', 'Ruth Okafor', 'she/her', 'Community manager', 'BACP', 'Lutterworth',
     ['community', 'events'], False),
]

THREADS = [
    ('neuro-diverse', 'priya', 'Adapting the first session for autistic clients',
     'I have started sending a **short written outline** of the first session in advance.\n\n'
     '- what the room looks like\n- how long we will talk\n- that it is fine to stim or pace\n\n'
     'What do others do?', ['adaptations'],
     [('megan', 'This is really helpful. On placement we were told to keep things *flexible*, '
       'but a written outline sounds kinder.'),
      ('sam_k', '> a short written outline\n\nI do the same and offer a phone call first. '
       'Some clients prefer email only.')]),
    ('rural-isolation', 'tom_h', 'Peer supervision when the nearest colleague is 40 miles away',
     'We set up a fortnightly video call for four of us in the Lakes. It has been a lifeline. '
     'Would anyone join a monthly **drop-in** here instead?', ['peer-support'],
     [('ruth', 'Yes! We can put a monthly drop-in on the programme. @tom_h would you host?')]),
    ('students', 'megan', 'Finding a placement: what worked for you?',
     'Second year, still no placement. I have written to six agencies.\n\n1. Any tips?\n'
     '2. Is it normal to wait this long?', ['placements'],
     [('priya', 'Very normal. Try local bereavement services, they often take trainees.'),
      ('sam_k', 'Ask your tutor about the placement list, and go to the Students drop-in on '
       'Tuesday evenings.')]),
    ('eco-awareness', 'sam_k', 'Clients bringing climate distress',
     'More clients name the climate crisis as a source of anxiety. How do you work with it '
     'without dismissing it or being swept along?', ['climate'],
     [('priya', 'I find it helps to validate that the fear is *proportionate* and then work '
       'on what is in their control.')]),
    ('supervisors', 'sam_k', 'Ethical dilemma: supervisee seeing a former colleague',
     'Anonymised, of course. How would you approach a supervisee who has taken on a client '
     'they used to work with?', ['ethics'],
     [('tom_h', 'I would start with the Ethical Framework section on dual relationships.')]),
]


class Session:
    def __init__(self, port, key, user='member'):
        self.p = subprocess.Popen(
            ['ssh', '-F', '/dev/null', '-p', str(port), '-o', 'StrictHostKeyChecking=no',
             '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes',
             '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
             '-i', key, '-l', user, '-s', '127.0.0.1', 'hearth'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buf = b''
        self.n = 0
        self.recv()

    def recv(self):
        while b'\n' not in self.buf:
            r, _, _ = select.select([self.p.stdout], [], [], 15)
            if not r:
                raise RuntimeError('timeout')
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError('server closed')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def call(self, op, **args):
        self.n += 1
        self.p.stdin.write(json.dumps({'id': self.n, 'op': op, 'args': args}).encode() + b'\n')
        self.p.stdin.flush()
        while True:
            m = self.recv()
            if m.get('id') == self.n:
                if not m['ok']:
                    print('  (demo) %s: %s' % (op, m['error']['message']), file=sys.stderr)
                return m.get('result')

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--data', default='var-demo')
    ap.add_argument('--port', type=int, default=2223)
    a = ap.parse_args()
    if os.path.exists(os.path.join(a.data, 'hearth.db')) and \
            not os.path.exists(os.path.join(a.data, 'DEMO')):
        sys.exit('%s holds data that is not demo data; refusing to touch it' % a.data)
    shutil.rmtree(a.data, ignore_errors=True)
    os.makedirs(a.data, mode=0o700)
    open(os.path.join(a.data, 'DEMO'), 'w').write('generated by tests/demo/seed.py\n')
    ctl = [os.path.join(a.build, 'hearthctl'), '--data', a.data, '--json']
    d = subprocess.Popen([os.path.join(a.build, 'hearthd'), '--data', a.data, '--listen',
                          '127.0.0.1:%d' % a.port] +
                         (['--allow-root'] if os.geteuid() == 0 else []),
                         stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        out = b''
        while b'Stop:' not in out:
            chunk = os.read(d.stdout.fileno(), 4096)
            if not chunk:
                sys.exit('hearthd did not start on port %d' % a.port)
            out += chunk
        keys = {}
        for handle, name, *_ in MEMBERS + [('alex', 'Alex Newcomer', '', '', '', '', [], False)]:
            key = os.path.join(a.data, 'demo_key' if handle == 'alex' else 'key_' + handle)
            subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', handle,
                            '-f', key], check=True)
            keys[handle] = key
            role = 'admin' if handle == 'ruth' else 'member'
            inv = json.loads(subprocess.run(ctl + ['invite', 'create', '--name', name,
                                                   '--role', role], check=True,
                                            capture_output=True).stdout)
            s = Session(a.port, key, 'join')
            s.call('invite.redeem', code=inv['code'], handle=handle, display_name=name)
            s.close()
        for slug, name, vis, purpose, criteria in COMMUNITIES:
            subprocess.run(ctl + ['community', 'create', slug, '--name', name, '--visibility',
                                  vis, '--join-policy', 'request', '--purpose', purpose,
                                  '--criteria', criteria, '--manager', 'ruth'],
                           check=True, capture_output=True)
        sessions = {}
        for handle, name, pronouns, job, org, region, tags, mentoring in MEMBERS:
            s = Session(a.port, keys[handle])
            s.call('member.accept_coc')
            s.call('profile.update', pronouns=pronouns, job_role=job, organisation=org,
                   region=region, expertise=tags, mentoring=mentoring,
                   bio='%s, %s. Happy to talk about %s.' % (job, org, ', '.join(tags)))
            sessions[handle] = s
        ruth = sessions['ruth']
        for slug, *_ in COMMUNITIES:
            for handle in ('priya', 'tom_h', 'megan', 'sam_k'):
                ruth.call('community.set_role', slug=slug, handle=handle, role='member')
        ruth.call('community.set_role', slug='supervisors', handle='sam_k', role='leader')
        for slug, author, title, body, tags, replies in THREADS:
            t = sessions[author].call('thread.create', slug=slug, title=title, body=body,
                                      tags=tags)
            if not t:
                continue
            first = None
            for who, text in replies:
                p = sessions[who].call('post.create', thread_id=t['thread_id'], body=text)
                first = first or (p and p.get('post_id'))
            if first:
                sessions[author].call('post.thank', post_id=first)
        poll = sessions['ruth'].call(
            'poll.create', slug='students', question='When should the Students drop-in run?',
            options=['Tuesday 6pm', 'Thursday 12:30', 'Saturday 10am'])
        if poll:
            poll = poll['poll']
            ids = [o['id'] for o in poll['options']]
            for i, who in enumerate(('priya', 'megan', 'sam_k')):
                sessions[who].call('poll.vote', poll_id=poll['id'],
                                   options=[ids[(i + 1) % len(ids)]])
        # the programme: a weekly drop-in and a fortnightly surgery with a queue
        now = datetime.datetime.now(datetime.timezone.utc)

        def next_day(weekday, hour, minute):
            t = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            t += datetime.timedelta(days=(weekday - now.weekday()) % 7 or 7)
            return t.strftime('%Y-%m-%dT%H:%M:%SZ')
        ruth.call('event.create', community='students', title='Students drop-in',
                  kind='drop_in', starts_at=next_day(1, 18, 0), duration=60,
                  recurrence='weekly', description='Bring a question, a worry or a '
                  'win from placement. Cameras off, kettles on.')
        surgery = sessions['sam_k'].call(
            'event.create', community='supervisors', title='Supervision surgery',
            kind='surgery', starts_at=next_day(3, 12, 30), duration=45,
            recurrence='fortnightly', capacity=12,
            description='One-to-one help with supervision dilemmas: join the '
            'queue with a short topic and Sam takes you in turn, publicly or '
            'in a private consult.')
        if surgery:
            eid = surgery['event']['id']
            sessions['megan'].call('event.rsvp', id=eid, status='going')
            sessions['megan'].call('event.queue', id=eid, topic='Contracting with a new supervisee')
        for s in sessions.values():
            s.close()
        # the newcomer can see the open platform communities but has joined none yet
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=15)
    print('Demo data ready in %s.' % a.data)


if __name__ == '__main__':
    main()
