"""What the moderation and survey screens say, in English and with the
right counts: the flash after writing to a reported post's author, the
Reports tab's keys (M mutes too), a scale's mean "of 1 answer", and the
survey composer whose examples sit above the cursor, as it says. A real
hearthd, real ssh, tmux for screens."""
import json

from fixtures import ok, tui, wait_db
from harness import Server
from test_moderation import world
from test_survey_screens import town


def test_tui_reports_tab_keys_and_contact_flash():
    srv, keys, tid, pid = world()
    b = srv.session(keys['bob'])
    ok(b.call('post.report', post_id=pid, reason='Rude about colleagues'))
    b.close()
    t = tui(srv, keys['lead'], 'lead')          # 80 columns: the keys fit
    try:
        t.wait_for('Careers', timeout=15)
        t.keys('Enter')
        t.wait_for('7 Reports (1)')
        t.keys('7')
        s = t.wait_for('1 open report.', 'Rude about colleagues')
        assert 'H:hide  x:dismiss  c:write to author  M:mute author  Enter:open the thread' \
            in s, s
        t.keys('c')
        t.wait_for("Write to the post's author", 'Message')
        t.keys('Please keep it kind', 'Tab', 'Space', 'Enter')
        s = t.wait_for("Message sent to the post's author; the reporter is told, "
                       'without names.')
        assert 'Report contacted' not in s
    finally:
        t.kill()
    assert srv.query('SELECT outcome FROM post_reports WHERE post_id = ?', pid) == \
        [('contacted',)]


def test_tui_survey_mean_of_one_answer_and_composer_cursor():
    srv = Server()
    keys = town(srv)
    m = srv.session(keys['mgr'])
    sid = ok(m.call('survey.create', title='Quick check', audience={'community': 'cop'},
                    questions=[{'kind': 'scale5', 'prompt': 'How useful?'}]))['survey_id']
    # its maker is one of the 3 asked because they may answer it too
    assert ok(m.call('survey.get', survey_id=sid))['survey']['can_answer'] is True
    m.close()
    a = srv.session(keys['ann'])
    ok(a.call('survey.answer', survey_id=sid, answers=[{'question': 0, 'value': 4}]))
    a.close()
    t = tui(srv, keys['mgr'], 'mgr', height=40)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('S')
        t.wait_for('Quick check', '1 answer')
        t.keys('Enter')
        t.wait_for('How useful?')
        t.keys('r')
        # mgr made it for cop, mgr included, and may answer: said so
        s = t.wait_for('1 answer of 3 asked, you were asked too', 'mean 4.0 of 1 answer')
        assert 'of 1 answers' not in s, s
    finally:
        t.kill()
    # a new survey: the composer's examples, then the cursor below them
    t = tui(srv, keys['mgr'], 'mgr', height=40)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')                         # the community
        t.wait_for('1 Threads')
        t.keys('Q')
        t.wait_for('Surveys in Circle')
        t.keys('c')
        t.wait_for('New survey', 'Send to')
        t.keys('C-s')                           # as it is: own questions
        t.wait_for('One question a line')
        t.keys('Cursor check', 'Tab')
        t.keys('-l', 'scale5: Typed where the cursor was?')
        s = t.wait_for('Typed where the cursor was?')
        lines = s.splitlines()
        said = [i for i, ln in enumerate(lines) if 'Write your questions below' in ln]
        typed = [i for i, ln in enumerate(lines) if 'Typed where the cursor was?' in ln]
        examples = [i for i, ln in enumerate(lines) if 'text optional: What would help?' in ln]
        assert said and typed and examples, s
        assert examples[0] < said[0] < typed[0], s
        assert 'above' not in s, s
        t.keys('C-s')
        t.wait_for('Cursor check')
    finally:
        t.kill()
    rows = srv.query("SELECT questions FROM surveys WHERE title = 'Cursor check'")
    assert [q['prompt'] for q in json.loads(rows[0][0])] == ['Typed where the cursor was?']
