-- Getting in without an SSH lesson (issue 12): each key (a member's device)
-- gets a name and the time it was last used to sign in, and a member can
-- make a one-time device code that lets a new device add its key.
ALTER TABLE keys ADD COLUMN name TEXT;                -- NULL: show comment or date
ALTER TABLE keys ADD COLUMN last_used_at INTEGER;     -- NULL: not since 013

CREATE TABLE device_codes (
	id          INTEGER PRIMARY KEY,
	member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	code_hash   TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the normalised code
	code_hint   TEXT NOT NULL,            -- last 4 characters
	name        TEXT,                     -- the name the new device's key gets
	created_by  INTEGER REFERENCES members(id),   -- NULL: the console
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER,
	used_key    TEXT,                     -- fingerprint of the key it added
	revoked_at  INTEGER                   -- replaced by a newer code
);
CREATE INDEX device_codes_member ON device_codes(member_id);
