"""Chinese, Japanese and Korean text is found by search (issue 14): the
tokenizer "hearth" indexes runs of Han, Kana and Hangul as overlapping
bigrams, so a two-character word inside a longer run is found, through
search.query, the line mode and the TUI's search, with snippets that are
FTS5's own and results ranked as any other. The tokenizer's own tokens
and bad bytes: tests/unit/test_tokenizer.c."""
import test_search as ts
from fixtures import community_id, member_id, tui
from harness import Tmux

ZH = '我是一名咨询师，在伦敦做心理咨询已经十年了。'
JA = '東京でカウンセリングをしています。'
KO = '서울에서 상담사로 일하고 있습니다.'
MIXED = 'Supervision groups in London (伦敦) and Leeds, 每月一次。'


def cjk_world():
    """test_search's world, and posts, a thread and a profile in CJK."""
    srv, keys, ids = ts.world()
    cid = community_id(srv, 'public')
    mo = member_id(srv, 'mo')
    con = srv.db()
    tid, pids = ts.add_thread(con, cid, mo, '心理咨询师的交流', [ZH, JA, KO, MIXED,
                                                          'Nothing in those scripts here.'])
    con.execute("UPDATE members SET region = '伦敦', organisation = '東京大学' "
                "WHERE handle = 'mo'")
    con.commit()
    con.close()
    return srv, keys, tid, pids


def post_ids(res):
    return sorted(r['post_id'] for r in res if r['kind'] == 'post')


def test_cjk_words_are_found_by_search_query():
    srv, keys, tid, pids = cjk_world()
    s = srv.session(keys['nel'])
    zh, ja, ko, mixed, plain = pids
    # a two-character word inside a run, the example
    assert post_ids(ts.search(s, q='伦敦', kind='posts')['results']) == [zh, mixed]
    # longer words: consecutive bigrams, a phrase
    assert post_ids(ts.search(s, q='心理咨询', kind='posts')['results']) == [zh]
    assert post_ids(ts.search(s, q='咨询', kind='posts')['results']) == [zh]
    # not a word of the text: its characters are there, not next to each other
    assert ts.search(s, q='伦咨', kind='posts')['results'] == []
    # Japanese (Han and Kana) and Korean (Hangul)
    assert post_ids(ts.search(s, q='東京', kind='posts')['results']) == [ja]
    assert post_ids(ts.search(s, q='カウンセリング', kind='posts')['results']) == [ja]
    assert post_ids(ts.search(s, q='서울', kind='posts')['results']) == [ko]
    assert post_ids(ts.search(s, q='상담', kind='posts')['results']) == [ko]
    # one character, typed last (a prefix): runs holding it, even at their end
    assert post_ids(ts.search(s, q='敦', kind='posts')['results']) == [zh, mixed]
    assert post_ids(ts.search(s, q='理', kind='posts')['results']) == [zh]
    # two words, one in each script
    assert post_ids(ts.search(s, q='london 伦敦', kind='posts')['results']) == [mixed]
    # other text is split as before
    assert post_ids(ts.search(s, q='scripts', kind='posts')['results']) == [plain]
    assert post_ids(ts.search(s, q='supervis', kind='posts')['results']) == [mixed]
    # thread titles and profiles are indexed the same way
    res = ts.search(s, q='交流')['results']
    assert [(r['kind'], r.get('thread_id')) for r in res] == [('thread', tid)], res
    res = ts.search(s, q='伦敦', kind='profiles')['results']
    assert [r['handle'] for r in res] == ['mo'], res
    assert [r['handle'] for r in ts.search(s, q='東京', kind='profiles')['results']] == ['mo']
    # the directory (member.search) reads the same index
    for args in ({'q': '伦敦'}, {'region': '伦敦'}, {'organisation': '東京'}):
        r = s.call('member.search', **args)
        assert r['ok'] and [m['handle'] for m in r['result']['members']] == ['mo'], (args, r)
    s.close()
    # the index is consistent after the inserts and updates above
    for table in ('posts_fts', 'threads_fts', 'profiles_fts'):
        srv.execute("INSERT INTO %s(%s) VALUES ('integrity-check')" % (table, table))


def test_cjk_snippets_are_fts5_snippets_and_ranked():
    srv, keys, tid, pids = cjk_world()
    s = srv.session(keys['nel'])
    check = srv.db()
    seen = 0
    for q in ('伦敦', '心理咨询', '咨询', '敦', '東京', 'カウンセリング', '서울', 'london 伦敦',
              '伦敦 london', '咨询 伦敦', '一次'):
        for kind in ('all', 'posts', 'threads', 'profiles'):
            for r in ts.search(s, q=q, kind=kind, limit=50)['results']:
                rowid = r['post_id'] if r['kind'] == 'post' else r['thread_id'] \
                    if r['kind'] == 'thread' else member_id(srv, r['handle'])
                [(want,)] = check.execute(ts.SNIPPET_SQL[r['kind']],
                                          (ts.fts_match(q), rowid)).fetchall()
                assert r['snippet'] == want, (q, kind, r, want)
                seen += 1
    # ranked as any word: bm25 (below the window every match is counted)
    res = ts.search(s, q='伦敦', kind='posts')['results']
    want = check.execute('SELECT rowid, bm25(posts_fts) FROM posts_fts WHERE posts_fts '
                         'MATCH ? ORDER BY bm25(posts_fts), rowid', (ts.fts_match('伦敦'),)
                         ).fetchall()
    assert [r['post_id'] for r in res] == [w[0] for w in want], (res, want)
    for r, w in zip(res, want):
        assert abs(r['rank'] - w[1]) < 1e-9, (r, w)
    check.close()
    assert seen > 15, seen
    assert '\x02伦敦\x03' in ts.search(s, q='伦敦', kind='posts')['results'][0]['snippet']
    s.close()


def test_cjk_search_in_line_mode_and_tui():
    srv, keys, tid, pids = cjk_world()
    s = srv.session(keys['nel'])
    assert s.call('member.accept_coc')['ok']
    s.close()
    cmd = srv.ssh_base(keys['nel'], 'nel') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('3', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('伦敦', 'Enter')
        screen = t.wait_for('3 results for "伦敦"', 'Number to open')
        assert 'Member: ' in screen, screen
        # the snippet as plain text: no marks around the word
        assert '在伦敦做心理咨询' in screen and '?伦敦?' not in screen, screen
        t.keys('s', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('東京', 'Enter')
        t.wait_for('results for "東京"', 'カウンセリング')
    finally:
        t.kill()
    t = tui(srv, keys['nel'], 'nel', width=100, height=30)
    try:
        t.wait_for('Public Circle', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('心理咨询', 'Enter')
        t.wait_for('2 found')
        t.wait_for('«心理咨询»')
    finally:
        t.kill()

