-- 002: communities of practice: joining, boards (threads and posts),
-- profiles and expertise, polls, notifications, read positions, search.

ALTER TABLE communities ADD COLUMN refuse_interested_over_cap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communities ADD COLUMN privacy TEXT NOT NULL DEFAULT '';
ALTER TABLE communities ADD COLUMN welcome_thread_id INTEGER;
ALTER TABLE communities ADD COLUMN intro_thread_id INTEGER;

-- Profiles live on members.
ALTER TABLE members ADD COLUMN coc_accepted_at INTEGER;
ALTER TABLE members ADD COLUMN pronouns TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN job_role TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN mentoring INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN contact_visibility TEXT NOT NULL DEFAULT 'communities'
	CHECK (contact_visibility IN ('communities', 'platform', 'nobody'));
ALTER TABLE members ADD COLUMN last_seen_at INTEGER;

CREATE TABLE member_expertise (
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	tag        TEXT NOT NULL,
	PRIMARY KEY (member_id, tag)
) WITHOUT ROWID;
CREATE INDEX member_expertise_tag ON member_expertise(tag, member_id);

CREATE TABLE join_requests (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'interested')),
	message       TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL DEFAULT 'pending'
	              CHECK (status IN ('pending', 'approved', 'declined')),
	created_at    INTEGER NOT NULL,
	decided_by    INTEGER REFERENCES members(id),
	decided_at    INTEGER,
	response      TEXT
);
CREATE INDEX join_requests_pending ON join_requests(community_id, status, id);
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests(community_id, member_id)
	WHERE status = 'pending';

CREATE TABLE threads (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	author_id     INTEGER REFERENCES members(id),
	title         TEXT NOT NULL,
	tags          TEXT NOT NULL DEFAULT '',      -- space separated
	pinned        INTEGER NOT NULL DEFAULT 0,
	locked        INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	last_post_at  INTEGER NOT NULL,
	last_post_id  INTEGER,
	post_count    INTEGER NOT NULL DEFAULT 0
);
-- thread.list: pinned first, then newest activity; keyset on (last_post_at, id)
CREATE INDEX threads_list ON threads(community_id, pinned DESC, last_post_at DESC, id DESC);

CREATE TABLE posts (
	id            INTEGER PRIMARY KEY,
	thread_id     INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	author_id     INTEGER REFERENCES members(id),
	reply_to      INTEGER REFERENCES posts(id),
	body          TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	edited_at     INTEGER,
	hidden_at     INTEGER,
	hidden_by     INTEGER REFERENCES members(id),
	hidden_reason TEXT,
	deleted_at    INTEGER,
	thanks        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX posts_thread ON posts(thread_id, id);
CREATE INDEX posts_author ON posts(author_id, id);

CREATE TABLE post_edits (
	id         INTEGER PRIMARY KEY,
	post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	body       TEXT NOT NULL,          -- the text before this edit
	edited_at  INTEGER NOT NULL,
	edited_by  INTEGER REFERENCES members(id)
);
CREATE INDEX post_edits_post ON post_edits(post_id, id);

CREATE TABLE post_thanks (
	post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	at         INTEGER NOT NULL,
	PRIMARY KEY (post_id, member_id)
) WITHOUT ROWID;

CREATE TABLE read_positions (
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	thread_id     INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	last_post_id  INTEGER NOT NULL,
	at            INTEGER NOT NULL,
	PRIMARY KEY (member_id, thread_id)
) WITHOUT ROWID;

CREATE TABLE community_visits (
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	visited_at    INTEGER NOT NULL,
	PRIMARY KEY (member_id, community_id)
) WITHOUT ROWID;

CREATE TABLE polls (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	author_id     INTEGER REFERENCES members(id),
	question      TEXT NOT NULL,
	multiple      INTEGER NOT NULL DEFAULT 0,
	anonymous     INTEGER NOT NULL DEFAULT 0,
	results       TEXT NOT NULL DEFAULT 'after_vote' CHECK (results IN ('after_vote', 'after_close')),
	closes_at     INTEGER,
	closed_at     INTEGER,
	created_at    INTEGER NOT NULL
);
CREATE INDEX polls_community ON polls(community_id, id DESC);
CREATE INDEX polls_closing ON polls(closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;

CREATE TABLE poll_options (
	id        INTEGER PRIMARY KEY,
	poll_id   INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	label     TEXT NOT NULL
);
CREATE INDEX poll_options_poll ON poll_options(poll_id, position);

CREATE TABLE poll_votes (
	poll_id    INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	option_id  INTEGER NOT NULL REFERENCES poll_options(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	at         INTEGER NOT NULL,
	PRIMARY KEY (poll_id, member_id, option_id)
) WITHOUT ROWID;
CREATE INDEX poll_votes_option ON poll_votes(option_id);

CREATE TABLE notifications (
	id            INTEGER PRIMARY KEY,
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	kind          TEXT NOT NULL,      -- mention, reply, thanks, join_decided, poll_closed, ...
	actor_id      INTEGER REFERENCES members(id),
	community_id  INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	thread_id     INTEGER REFERENCES threads(id) ON DELETE CASCADE,
	post_id       INTEGER REFERENCES posts(id) ON DELETE CASCADE,
	poll_id       INTEGER REFERENCES polls(id) ON DELETE CASCADE,
	text          TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	read_at       INTEGER
);
CREATE INDEX notifications_member ON notifications(member_id, id DESC);
CREATE INDEX notifications_unread ON notifications(member_id) WHERE read_at IS NULL;

-- Full-text search (external content: the tables above hold the text).
CREATE VIRTUAL TABLE threads_fts USING fts5(title, tags, content='threads', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE posts_fts USING fts5(body, content='posts', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE profiles_fts USING fts5(display_name, handle, job_role, organisation,
	region, bio, content='members', content_rowid='id', tokenize='unicode61 remove_diacritics 2');

CREATE TRIGGER threads_ai AFTER INSERT ON threads BEGIN
	INSERT INTO threads_fts(rowid, title, tags) VALUES (new.id, new.title, new.tags);
END;
CREATE TRIGGER threads_ad AFTER DELETE ON threads BEGIN
	INSERT INTO threads_fts(threads_fts, rowid, title, tags) VALUES ('delete', old.id, old.title, old.tags);
END;
CREATE TRIGGER threads_au AFTER UPDATE OF title, tags ON threads BEGIN
	INSERT INTO threads_fts(threads_fts, rowid, title, tags) VALUES ('delete', old.id, old.title, old.tags);
	INSERT INTO threads_fts(rowid, title, tags) VALUES (new.id, new.title, new.tags);
END;
CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN
	INSERT INTO posts_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER posts_ad AFTER DELETE ON posts BEGIN
	INSERT INTO posts_fts(posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER posts_au AFTER UPDATE OF body ON posts BEGIN
	INSERT INTO posts_fts(posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
	INSERT INTO posts_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER members_fts_ai AFTER INSERT ON members BEGIN
	INSERT INTO profiles_fts(rowid, display_name, handle, job_role, organisation, region, bio)
	VALUES (new.id, new.display_name, new.handle, new.job_role, new.organisation, new.region, new.bio);
END;
CREATE TRIGGER members_fts_au AFTER UPDATE OF display_name, handle, job_role, organisation, region, bio ON members BEGIN
	INSERT INTO profiles_fts(profiles_fts, rowid, display_name, handle, job_role, organisation, region, bio)
	VALUES ('delete', old.id, old.display_name, old.handle, old.job_role, old.organisation, old.region, old.bio);
	INSERT INTO profiles_fts(rowid, display_name, handle, job_role, organisation, region, bio)
	VALUES (new.id, new.display_name, new.handle, new.job_role, new.organisation, new.region, new.bio);
END;
-- members that existed before this migration
INSERT INTO profiles_fts(rowid, display_name, handle, job_role, organisation, region, bio)
	SELECT id, display_name, handle, job_role, organisation, region, bio FROM members;
