-- 018: drafts kept on the server (issue 14): what a member is writing, per
-- composer (a new thread in a community, a reply in a thread, ...), saved
-- as they type, so a dropped link or another device loses nothing.
CREATE TABLE drafts (
	member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	key         TEXT NOT NULL,        -- the composer's: "thread:SLUG", "reply:ID"
	title       TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL DEFAULT '',
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (member_id, key)
) WITHOUT ROWID;
