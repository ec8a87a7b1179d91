-- Moderation (issue 12): members muted in a community for a time, and
-- posts reported by members for its leaders and managers to resolve.

-- A mute: until ends_at (or ended_at, when a moderator lifts it early) the
-- member may read the community but not write in its threads, polls and
-- rooms. It ends by itself: nothing sweeps, every check compares times.
CREATE TABLE community_mutes (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	member_id    INTEGER NOT NULL REFERENCES members(id),
	muted_by     INTEGER REFERENCES members(id),   -- NULL: the console
	reason       TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	ends_at      INTEGER NOT NULL,
	ended_at     INTEGER,                          -- lifted early
	ended_by     INTEGER REFERENCES members(id)
);
CREATE INDEX community_mutes_member
	ON community_mutes(community_id, member_id, ends_at);

-- A report: a member flags a post with a reason. Leaders and managers
-- resolve it (hide the post, dismiss, or contact its author); the reporter
-- is told the outcome, never who decided, and the author never who
-- reported.
CREATE TABLE post_reports (
	id           INTEGER PRIMARY KEY,
	post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	reporter_id  INTEGER NOT NULL REFERENCES members(id),
	reason       TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	outcome      TEXT CHECK (outcome IN ('hidden', 'dismissed', 'contacted')),
	resolved_by  INTEGER REFERENCES members(id),
	resolved_at  INTEGER,
	note         TEXT
);
-- one open report per member and post
CREATE UNIQUE INDEX post_reports_open ON post_reports(post_id, reporter_id)
	WHERE resolved_at IS NULL;
CREATE INDEX post_reports_queue ON post_reports(community_id, resolved_at);

-- A published room record's own posts (those up to this id in its thread)
-- change only through its review or by the community's moderators; replies
-- after it stay their authors' to edit.
ALTER TABLE rooms ADD COLUMN record_last_post INTEGER;
UPDATE rooms SET record_last_post = (
	SELECT max(p.id) FROM posts p JOIN threads t ON t.id = p.thread_id
	WHERE p.thread_id = rooms.thread_id AND p.created_at <= t.created_at
	AND p.author_id IS t.author_id)
WHERE published_at IS NOT NULL AND thread_id IS NOT NULL;
CREATE INDEX rooms_record_thread ON rooms(thread_id) WHERE thread_id IS NOT NULL;
