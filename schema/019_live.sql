-- 019: where each member was (issue 14): the TUI keeps its screen and
-- position here as it changes, so a dropped link comes back to the same
-- place on the next login within resume_minutes; a clean quit forgets it.
CREATE TABLE member_where (
	member_id   INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
	screen      TEXT NOT NULL,        -- home, community, thread, room
	slug        TEXT,                 -- the community (community, thread)
	tab         INTEGER,              -- the community's tab, from 0
	thread_id   INTEGER,
	post_id     INTEGER,              -- the post selected in the thread
	room_id     INTEGER,
	title       TEXT NOT NULL DEFAULT '',
	updated_at  INTEGER NOT NULL
);
