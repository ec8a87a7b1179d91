-- 009: prefix indexes for search. search.query matches the last word as a
-- prefix ("counsel" finds "counselling"); without an index FTS5 merges the
-- lists of every word with that prefix, which for a short prefix on a big
-- board costs more than the rest of the search. Two- and three-letter
-- prefix indexes make those lookups direct; longer prefixes match few
-- words and stay cheap. The tables are rebuilt from the posts and threads
-- they index (external content), and keep 008's merge setting.
DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5(body, content='posts', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3');
INSERT INTO posts_fts(posts_fts) VALUES ('rebuild');
INSERT INTO posts_fts(posts_fts, rank) VALUES ('automerge', 8);

DROP TABLE threads_fts;
CREATE VIRTUAL TABLE threads_fts USING fts5(title, tags, content='threads', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3');
INSERT INTO threads_fts(threads_fts) VALUES ('rebuild');
INSERT INTO threads_fts(threads_fts, rank) VALUES ('automerge', 8);
