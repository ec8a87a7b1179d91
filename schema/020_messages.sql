-- 019: private messages (issue 14): conversations between a member and one
-- other member or a small group, their messages, read positions, blocks
-- and reports to staff. Nobody outside a conversation reads it, admins
-- included; a reported message is what its reporter chose to show staff.

-- A conversation. pair_key ("LOW:HIGH" member ids) marks a one-to-one
-- conversation, so writing to the same person again continues it; groups
-- have none (each new group is its own conversation).
CREATE TABLE conversations (
	id              INTEGER PRIMARY KEY,
	pair_key        TEXT UNIQUE,
	created_by      INTEGER NOT NULL REFERENCES members(id),
	created_at      INTEGER NOT NULL,
	last_message_id INTEGER NOT NULL DEFAULT 0,
	last_at         INTEGER NOT NULL
);

-- Who is in it, and how far each has read (a message id).
CREATE TABLE conversation_members (
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	member_id       INTEGER NOT NULL REFERENCES members(id),
	last_read_id    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (conversation_id, member_id)
) WITHOUT ROWID;
CREATE INDEX conversation_members_member
	ON conversation_members(member_id, conversation_id);

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	author_id       INTEGER NOT NULL REFERENCES members(id),
	body            TEXT NOT NULL,
	created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

-- A block: member_id does not hear from blocked_id. Messages the blocked
-- member sends meanwhile are withheld from the blocker for good (a row
-- each), so unblocking delivers nothing late and the sender is never told.
CREATE TABLE member_blocks (
	member_id   INTEGER NOT NULL REFERENCES members(id),
	blocked_id  INTEGER NOT NULL REFERENCES members(id),
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (member_id, blocked_id)
) WITHOUT ROWID;
CREATE TABLE message_withheld (
	member_id   INTEGER NOT NULL REFERENCES members(id),
	message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	PRIMARY KEY (member_id, message_id)
) WITHOUT ROWID;

-- A message a participant showed staff, with why.
CREATE TABLE message_reports (
	id          INTEGER PRIMARY KEY,
	message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	reporter_id INTEGER NOT NULL REFERENCES members(id),
	reason      TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	UNIQUE (message_id, reporter_id)
);

-- Search over one's own conversations (filtered by conversation_members).
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
