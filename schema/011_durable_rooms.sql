-- Open rooms survive a restart (issue 10): the room's topic and pause,
-- who is in its cast (hosts, muted, removed, attended) and its surgery
-- queue are kept as they change; kept messages already were. hearthd
-- restores every room whose closed_at is NULL when it starts.
ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;

CREATE TABLE room_people (
	room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	host       INTEGER NOT NULL DEFAULT 0,
	muted      INTEGER NOT NULL DEFAULT 0,
	removed    INTEGER NOT NULL DEFAULT 0,
	joined_at  INTEGER,                 -- NULL: never came in (a host named by the event)
	PRIMARY KEY (room_id, member_id)
) WITHOUT ROWID;

CREATE TABLE room_queue (
	room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	topic      TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (room_id, member_id)
) WITHOUT ROWID;

-- Rooms left open by an earlier hearthd were lost at its restart.
UPDATE rooms SET closed_at = opened_at WHERE closed_at IS NULL;

CREATE INDEX rooms_open ON rooms(closed_at) WHERE closed_at IS NULL;
