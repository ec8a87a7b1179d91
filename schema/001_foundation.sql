-- 001: members, their keys, invites, communities, membership and the audit log.
-- Times are Unix seconds (UTC). Roles are checked here and in server/authz.c.

CREATE TABLE members (
	id            INTEGER PRIMARY KEY,
	handle        TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	role          TEXT NOT NULL DEFAULT 'member'
	              CHECK (role IN ('admin', 'staff', 'member')),
	status        TEXT NOT NULL DEFAULT 'active'
	              CHECK (status IN ('active', 'removed')),
	created_at    INTEGER NOT NULL,
	removed_at    INTEGER,
	removed_reason TEXT,
	invite_id     INTEGER REFERENCES invites(id)
);

CREATE TABLE keys (
	id           INTEGER PRIMARY KEY,
	member_id    INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	fingerprint  TEXT NOT NULL UNIQUE,      -- "SHA256:..." as ssh-keygen -lf prints it
	key_type     TEXT NOT NULL,
	public_key   TEXT NOT NULL,             -- base64 blob, to compare keys exactly
	comment      TEXT,
	created_at   INTEGER NOT NULL
);
CREATE INDEX keys_member ON keys(member_id);

CREATE TABLE communities (
	id            INTEGER PRIMARY KEY,
	slug          TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	purpose       TEXT NOT NULL DEFAULT '',
	criteria      TEXT NOT NULL DEFAULT '',
	visibility    TEXT NOT NULL DEFAULT 'private'
	              CHECK (visibility IN ('private', 'platform', 'public')),
	join_policy   TEXT NOT NULL DEFAULT 'request'
	              CHECK (join_policy IN ('open', 'request', 'invite')),
	created_at    INTEGER NOT NULL
);

CREATE TABLE community_members (
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	role          TEXT NOT NULL DEFAULT 'member'
	              CHECK (role IN ('manager', 'leader', 'member', 'interested')),
	joined_at     INTEGER NOT NULL,
	PRIMARY KEY (community_id, member_id)
) WITHOUT ROWID;
CREATE INDEX community_members_member ON community_members(member_id, community_id);

CREATE TABLE invites (
	id            INTEGER PRIMARY KEY,
	code_hash     TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the normalised code
	code_hint     TEXT NOT NULL,            -- last 4 characters, to tell invites apart
	name          TEXT NOT NULL,            -- who the invite is for
	role          TEXT NOT NULL DEFAULT 'member'
	              CHECK (role IN ('admin', 'staff', 'member')),
	community_id  INTEGER REFERENCES communities(id) ON DELETE SET NULL,
	created_by    INTEGER REFERENCES members(id),   -- NULL: the console
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	used_by       INTEGER REFERENCES members(id),
	used_at       INTEGER,
	revoked_at    INTEGER
);

CREATE TABLE audit (
	id            INTEGER PRIMARY KEY,
	at            INTEGER NOT NULL,
	actor_id      INTEGER REFERENCES members(id),   -- NULL: the console or the system
	actor         TEXT NOT NULL,                    -- handle, 'console' or 'system'
	action        TEXT NOT NULL,                    -- e.g. 'member.remove'
	target_id     INTEGER REFERENCES members(id),
	target        TEXT,                             -- handle, slug or invite hint
	detail        TEXT                              -- the reason, new role, ...
);
CREATE INDEX audit_target ON audit(target_id, at);
CREATE INDEX audit_actor ON audit(actor_id, at);
