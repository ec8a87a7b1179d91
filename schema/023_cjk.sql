-- 019: Chinese, Japanese and Korean text is found by search (issue 14).
-- Those scripts put no spaces between words, so unicode61 made a whole
-- run ("在伦敦做心理咨询") one token and "伦敦" matched nothing. The full-text
-- tables now use the tokenizer "hearth" (server/tokenizer.c): unicode61
-- with the same arguments for all other text, overlapping bigrams for runs
-- of Han, Kana and Hangul. Each table is declared again as it was (009's
-- prefix indexes, 008's merge setting), rebuilt from the rows it indexes
-- (external content; its triggers name it and stay), and optimized as 010
-- did, so the first writes after it merge nothing large on the loop.
DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5(body, content='posts', content_rowid='id',
	tokenize='hearth remove_diacritics 2', prefix='2 3');
INSERT INTO posts_fts(posts_fts) VALUES ('rebuild');
INSERT INTO posts_fts(posts_fts, rank) VALUES ('automerge', 8);
INSERT INTO posts_fts(posts_fts) VALUES ('optimize');

DROP TABLE threads_fts;
CREATE VIRTUAL TABLE threads_fts USING fts5(title, tags, content='threads', content_rowid='id',
	tokenize='hearth remove_diacritics 2', prefix='2 3');
INSERT INTO threads_fts(threads_fts) VALUES ('rebuild');
INSERT INTO threads_fts(threads_fts, rank) VALUES ('automerge', 8);
INSERT INTO threads_fts(threads_fts) VALUES ('optimize');

DROP TABLE profiles_fts;
CREATE VIRTUAL TABLE profiles_fts USING fts5(display_name, handle, job_role, organisation,
	region, bio, content='members', content_rowid='id', tokenize='hearth remove_diacritics 2');
INSERT INTO profiles_fts(profiles_fts) VALUES ('rebuild');
INSERT INTO profiles_fts(profiles_fts) VALUES ('optimize');
