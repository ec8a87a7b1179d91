"""Surveys on screen (issue 15), through the real OpenSSH client in tmux
against a real hearthd: a member answers from Home and a manager reads the
results with bars (the TUI), a manager makes a survey and members answer
and read it in the line mode, and the poll form's settings (several
choices, anonymous, a closing time) and voting for several options."""
import json
import time

from fixtures import community, ok, people, tui, wait_db, wait_until
from harness import Server, Tmux

QUESTIONS = [
    {'section': 'The drop-in', 'kind': 'single', 'prompt': 'Right length?',
     'options': ['too short', 'about right', 'too long']},
    {'kind': 'multiple', 'prompt': 'What helped?', 'options': ['hosts', 'topic', 'people']},
    {'kind': 'scale5', 'prompt': 'How useful?'},
    {'kind': 'text', 'prompt': 'What would help?', 'optional': True},
]


def town(srv):
    keys = people(srv, 'mgr', 'ann', 'bob')
    srv.execute("UPDATE members SET display_name = 'Mia Manager' WHERE handle = 'mgr'")
    srv.execute("UPDATE members SET display_name = 'Ann Able' WHERE handle = 'ann'")
    community(srv, 'cop', 'platform', [('mgr', 'manager'), ('ann', 'member'),
                                       ('bob', 'member')], name='Circle')
    return keys


def plain(srv, key, user, height=60):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, height)
    t.wait_for('Main menu', timeout=15)
    return t


def test_tui_answer_from_home_and_results_with_bars():
    srv = Server()
    keys = town(srv)
    m = srv.session(keys['mgr'])
    sid = ok(m.call('survey.create', title='After the drop-in', audience={'community': 'cop'},
                    questions=QUESTIONS))['survey_id']
    ok(srv.session(keys['bob']).call('survey.answer', survey_id=sid, answers=[
        {'question': 0, 'choice': 1}, {'question': 1, 'choices': [0]},
        {'question': 2, 'value': 5}]))
    t = tui(srv, keys['ann'], 'ann')
    try:
        t.wait_for('Surveys for you (1', timeout=15)
        t.wait_for('Answer: After the drop-in')
        # the survey row is the first selectable one after the communities
        t.keys('S')
        t.wait_for('● After the drop-in', 'to answer')
        t.keys('Enter')
        t.wait_for('a answers it', 'Right length?')
        t.keys('a')
        t.wait_for('Question 1 of 4', 'The drop-in', '( ) too short')
        t.keys('Down', 'Enter')                  # about right
        t.wait_for('Question 2 of 4', '[ ] hosts')
        t.keys('Space')                          # marks hosts
        t.keys('Down', 'Down', 'Space')          # and people
        t.wait_for('[x] hosts', '[x] people')
        t.keys('Enter')                          # on a marked one: goes on
        t.wait_for('Question 3 of 4', '( ) 5')
        t.keys('Down', 'Down', 'Down', 'Enter')  # 4
        t.wait_for('Question 4 of 4 (optional)', 'Your answer')
        t.keys('More evening sessions', 'Enter')
        t.wait_for('That is every question')
        t.keys('Enter')
        t.wait_for('your answers are in')
    finally:
        t.kill()
    wait_db(srv, 'SELECT count(*) FROM survey_respondents', [(2,)])
    rows = srv.query("SELECT question, item, value, text FROM survey_answers a JOIN "
                     "survey_respondents r ON r.response = a.response JOIN members m ON "
                     "m.id = r.member_id WHERE m.handle = 'ann' ORDER BY question, item")
    assert rows == [(0, 1, None, None), (1, 0, None, None), (1, 2, None, None),
                    (2, 0, 4, None), (3, 0, None, 'More evening sessions')], rows
    # the manager reads the results: bars, counts, the mean
    t = tui(srv, keys['mgr'], 'mgr', height=40)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('S')
        t.wait_for('After the drop-in', '2 answers')
        t.keys('Enter')
        t.wait_for('Right length?')
        t.keys('r')
        s = t.wait_for('2 answers of 3 asked', 'mean 4.5 of 2 answers')
        assert 'about right' in s and '█' in s, s
        assert 'More evening sessions (ann)' in s, s
    finally:
        t.kill()


def test_tui_manager_makes_a_survey_in_the_composer():
    srv = Server()
    keys = town(srv)
    t = tui(srv, keys['mgr'], 'mgr', height=40)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')                         # the community
        t.wait_for('1 Threads')
        t.keys('Q')
        t.wait_for('Surveys in Circle', 'No surveys for you here')
        t.keys('c')
        t.wait_for('New survey', 'Send to')
        t.keys('Down', 'Down', 'Space')         # anonymous: yes
        t.keys('Enter', 'Enter', 'Enter')      # to the title
        t.keys('Enter', 'Rural counsellors')    # the personas it serves: the last field
        t.keys('Enter')                         # send the form: the composer next
        t.wait_for('One question a line')
        # the composer starts on the title; the examples are comments:
        # only the questions typed above them are asked
        t.keys('Autumn check', 'Enter')
        t.keys('-l', 'scale5: How useful was it?')
        t.keys('Enter')
        t.keys('-l', '## Anything else')
        t.keys('Enter')
        t.keys('-l', 'scale10: Would you recommend it?')
        t.keys('C-s')
        t.wait_for('● Autumn check', 'to answer', timeout=10)
    finally:
        t.kill()
    rows = srv.query('SELECT title, anonymous, status, questions FROM surveys')
    assert len(rows) == 1 and rows[0][:3] == ('Autumn check', 1, 'open'), rows
    qs = json.loads(rows[0][3])
    assert [(q['kind'], q['prompt'], q.get('section')) for q in qs] == [
        ('scale5', 'How useful was it?', None),
        ('scale10', 'Would you recommend it?', 'Anything else')], qs
    assert srv.query('SELECT count(*) FROM survey_audience') == [(3,)]


def test_plain_make_answer_and_read_a_survey():
    srv = Server()
    keys = town(srv)
    t = plain(srv, keys['mgr'], 'mgr')
    try:
        t.keys('1', 'Enter')
        t.wait_for('1. Circle')
        t.keys('1', 'Enter')
        t.wait_for('S surveys')
        t.keys('S', 'Enter')
        t.wait_for('No surveys for you')
        t.keys('n', 'Enter')
        t.wait_for('Title:')
        t.keys('Quick check', 'Enter')
        t.wait_for('c. this community')
        t.keys('c', 'Enter')
        t.wait_for('Anonymous')
        t.keys('n', 'Enter')
        t.wait_for('temperature check? y/n')
        t.keys('n', 'Enter')
        t.wait_for('Next question')
        t.keys('1', 'Enter')
        t.wait_for('Question:')
        t.keys('Tea or coffee?', 'Enter')
        t.wait_for('choice:')
        t.keys('tea', 'Enter', 'coffee', 'Enter', 'Enter')
        t.wait_for('Optional? y/n')
        t.keys('n', 'Enter')
        t.wait_for('Starts a section?')
        t.keys('Enter')
        t.wait_for('Next question')
        t.keys('3', 'Enter')
        t.wait_for('Question:')
        t.keys('How awake?', 'Enter')
        t.wait_for('Optional? y/n')
        t.keys('n', 'Enter')
        t.wait_for('Starts a section?')
        t.keys('Enter')
        t.wait_for('Next question')
        t.keys('Enter')
        t.wait_for('Days it stays open')
        t.keys('7', 'Enter')
        t.wait_for('The personas it serves')
        t.keys('Newcomers, Rural counsellors', 'Enter')
        t.wait_for('Survey made')
        t.wait_for('1. Quick check (open')
    finally:
        t.kill()
    sid = srv.query('SELECT id FROM surveys')[0][0]
    got = [json.loads(p) for (p,) in srv.query('SELECT personas FROM surveys')]
    assert got == [['Newcomers', 'Rural counsellors']], got
    t = plain(srv, keys['ann'], 'ann')
    try:
        t.keys('14', 'Enter')
        t.wait_for('1. Quick check (open, waiting for your answer')
        t.keys('1', 'Enter')
        t.wait_for('a answer')
        t.keys('a', 'Enter')
        t.wait_for('Tea or coffee?', '2. coffee', 'Choose a number')
        t.keys('2', 'Enter')
        t.wait_for('From 1 to 5')
        t.keys('9', 'Enter')
        t.wait_for('Please answer with the numbers shown')
        t.keys('4', 'Enter')
        t.wait_for('Send your answers? y/n')
        t.keys('y', 'Enter')
        t.wait_for('your answers are in')
    finally:
        t.kill()
    wait_db(srv, 'SELECT question, item, value FROM survey_answers ORDER BY question',
            [(0, 1, None), (1, 0, 4)])
    t = plain(srv, keys['mgr'], 'mgr')
    try:
        t.keys('14', 'Enter')
        t.wait_for('1. Quick check (open, waiting for your answer, 1 answer)')
        t.keys('1', 'Enter')
        t.wait_for('r results, c close')
        t.keys('r', 'Enter')
        s = t.wait_for('mean 4.0')
        assert 'coffee' in s and '#' in s, s
        t.keys('1', 'Enter')
        t.wait_for('x export as CSV')
        t.keys('x', 'Enter')                  # mgr is a community manager, not staff
        t.wait_for('Only staff may use')
        t.keys('1', 'Enter')
        t.wait_for('r results, c close')
        t.keys('c', 'Enter')
        t.wait_for('Close it for good? y/n')
        t.keys('y', 'Enter')
        t.wait_for('Closed.')
    finally:
        t.kill()
    assert srv.query('SELECT status FROM surveys WHERE id = ?', sid) == [('closed',)]


def test_tui_poll_form_settings_and_several_choices():
    srv = Server()
    keys = town(srv)
    t = tui(srv, keys['ann'], 'ann', height=40)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')
        t.wait_for('1 Threads')
        t.keys('2')
        t.wait_for('No polls yet')
        t.keys('c')
        t.wait_for('New poll', 'Choices')
        t.keys('Space')                         # several
        t.keys('Down', 'Space')                 # anonymous
        t.keys('Down', 'Down', '3d', 'Enter')   # closes in 3 days: sends the form
        t.wait_for('Question')
        t.keys('Which days?', 'Tab', 'Mon', 'Enter', 'Wed', 'Enter', 'Fri', 'C-s')
        t.wait_for('several choices (Enter marks or unmarks each), anonymous, closes')
        t.keys('Enter')                         # mark Mon
        t.wait_for('Vote recorded')
        t.keys('Down', 'Down', 'Enter')         # and Fri (past the votes line)
        wait_until(lambda: srv.query('SELECT count(*) FROM poll_votes') == [(2,)], 10,
                   lambda: 'two marked:\n' + t.screen())
    finally:
        t.kill()
    rows = srv.query('SELECT multiple, anonymous, closes_at - created_at FROM polls')
    assert rows == [(1, 1, 3 * 86400)], rows
    labels = srv.query('SELECT o.label FROM poll_votes v JOIN poll_options o ON '
                       'o.id = v.option_id ORDER BY o.position')
    assert labels == [('Mon',), ('Fri',)], labels


def test_plain_host_attaches_a_survey_to_an_open_room():
    srv = Server()
    keys = town(srv)
    srv.execute("UPDATE community_members SET role = 'leader' WHERE member_id = "
                "(SELECT id FROM members WHERE handle = 'ann')")
    a = srv.session(keys['ann'])
    rid = ok(a.call('room.open', community='cop', title='Drop-in', record='off'))['room'][
        'room_id']
    t = plain(srv, keys['ann'], 'ann')
    try:
        t.keys('14', 'Enter')
        t.wait_for('n new survey')
        t.keys('n', 'Enter')
        t.wait_for('Title:')
        t.keys('How was the drop-in?', 'Enter')
        t.wait_for('r. the attendees of a room')
        t.keys('r', 'Enter')
        t.wait_for('Room number:')
        t.keys(str(rid), 'Enter')
        t.wait_for('Anonymous')
        t.keys('y', 'Enter')
        t.wait_for('temperature check? y/n')
        t.keys('y', 'Enter')
        t.wait_for('Days it stays open')
        t.keys('Enter')
        t.wait_for('The personas it serves')
        t.keys('Enter')
        t.wait_for('Survey made')
    finally:
        t.kill()
    assert srv.query('SELECT status, room_id, anonymous, kind FROM surveys') == [
        ('pending', rid, 1, 'temperature')]
    ok(srv.session(keys['bob']).call('room.join', room_id=rid))
    ok(a.call('room.close', room_id=rid))
    wait_db(srv, "SELECT m.handle FROM survey_audience s JOIN members m ON m.id = s.member_id "
            "ORDER BY m.handle", [('ann',), ('bob',)])
