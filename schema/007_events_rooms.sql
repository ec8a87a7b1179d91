-- 007: the programme of events (RSVPs, reminders, the pre-room surgery
-- queue), room records (transcripts, attendance) and expert speaker requests.
-- Rooms themselves live in hearthd's memory; only what a room's record mode
-- keeps is stored here.

CREATE TABLE events (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER REFERENCES communities(id) ON DELETE CASCADE,  -- NULL: the whole platform
	title         TEXT NOT NULL,
	kind          TEXT NOT NULL DEFAULT 'drop_in'
	              CHECK (kind IN ('drop_in', 'surgery', 'show_and_tell', 'summit', 'other')),
	description   TEXT NOT NULL DEFAULT '',
	starts_at     INTEGER NOT NULL,         -- the first occurrence
	duration      INTEGER NOT NULL,         -- seconds
	ends_at       INTEGER NOT NULL,         -- end of the last occurrence (recurring: 253402300799)
	recurrence    TEXT NOT NULL DEFAULT 'none'
	              CHECK (recurrence IN ('none', 'weekly', 'fortnightly', 'monthly')),
	capacity      INTEGER,                  -- NULL: no limit
	created_by    INTEGER REFERENCES members(id),
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	sequence      INTEGER NOT NULL DEFAULT 0,   -- iCalendar SEQUENCE, bumped on change
	cancelled_at  INTEGER,
	cancel_reason TEXT,
	thread_id     INTEGER REFERENCES threads(id) ON DELETE SET NULL  -- latest room record
);
CREATE INDEX events_community ON events(community_id, starts_at, id);
-- event.list and the reminder sweep: events not over yet
CREATE INDEX events_upcoming ON events(ends_at) WHERE cancelled_at IS NULL;

CREATE TABLE event_hosts (
	event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	PRIMARY KEY (event_id, member_id)
) WITHOUT ROWID;
CREATE INDEX event_hosts_member ON event_hosts(member_id, event_id);

CREATE TABLE event_rsvps (
	event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	status     TEXT NOT NULL CHECK (status IN ('going', 'maybe', 'not_going')),
	at         INTEGER NOT NULL,
	PRIMARY KEY (event_id, member_id)
) WITHOUT ROWID;
CREATE INDEX event_rsvps_member ON event_rsvps(member_id, event_id);

-- One row per reminder sent, so none is sent twice.
CREATE TABLE event_reminders (
	event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence  INTEGER NOT NULL,           -- start of the occurrence reminded of
	kind        TEXT NOT NULL CHECK (kind IN ('day', '15m')),
	member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	sent_at     INTEGER NOT NULL,
	PRIMARY KEY (event_id, occurrence, kind, member_id)
) WITHOUT ROWID;

-- Surgery queue joined before the event's room is open.
CREATE TABLE event_queue (
	event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	topic      TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (event_id, member_id)
) WITHOUT ROWID;

CREATE TABLE rooms (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	event_id      INTEGER REFERENCES events(id) ON DELETE SET NULL,
	title         TEXT NOT NULL,
	record_mode   TEXT NOT NULL CHECK (record_mode IN ('off', 'transcript', 'chatham', 'summary')),
	surgery       INTEGER NOT NULL DEFAULT 0,
	opened_by     INTEGER REFERENCES members(id),
	opened_at     INTEGER NOT NULL,
	closed_at     INTEGER,                  -- NULL: open, or lost at a restart
	closed_by     INTEGER REFERENCES members(id),
	summary       TEXT,
	thread_id     INTEGER REFERENCES threads(id) ON DELETE SET NULL
);
CREATE INDEX rooms_event ON rooms(event_id, id);
CREATE INDEX rooms_community ON rooms(community_id, id);

-- Kept only when the record mode keeps messages. member_id is NULL under
-- the Chatham House Rule. private_a/private_b: a private consult's two
-- members (such rows are never posted to the community).
CREATE TABLE room_messages (
	id          INTEGER PRIMARY KEY,
	room_id     INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	member_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	body        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	private_a   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	private_b   INTEGER REFERENCES members(id) ON DELETE SET NULL
);
CREATE INDEX room_messages_room ON room_messages(room_id, id);

CREATE TABLE room_attendance (
	room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	joined_at  INTEGER NOT NULL,
	PRIMARY KEY (room_id, member_id)
) WITHOUT ROWID;
CREATE INDEX room_attendance_member ON room_attendance(member_id, room_id);

CREATE TABLE expert_requests (
	id               INTEGER PRIMARY KEY,
	member_id        INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	community_id     INTEGER REFERENCES communities(id) ON DELETE SET NULL,
	topic            TEXT NOT NULL,
	why              TEXT NOT NULL,
	preferred_times  TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL DEFAULT 'pending'
	                 CHECK (status IN ('pending', 'more_info', 'accepted', 'declined')),
	response         TEXT,                 -- the staff's reason or question
	decided_by       INTEGER REFERENCES members(id),
	decided_at       INTEGER,
	event_id         INTEGER REFERENCES events(id) ON DELETE SET NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);
CREATE INDEX expert_requests_status ON expert_requests(status, id);
CREATE INDEX expert_requests_member ON expert_requests(member_id, id);
