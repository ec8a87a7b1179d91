-- E-mail: a member's address (verified by a code sent to it), what they
-- want by mail, and the outgoing queue the mail worker sends from.

CREATE TABLE member_email (
	member_id     INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
	address       TEXT NOT NULL,
	verified_at   INTEGER,             -- NULL until the code came back
	code_hash     TEXT,                -- SHA-256 of the code sent, hex
	code_expires  INTEGER,
	code_tries    INTEGER NOT NULL DEFAULT 0,
	digest        TEXT NOT NULL DEFAULT 'weekly'
	              CHECK (digest IN ('off', 'daily', 'weekly')),
	mentions      INTEGER NOT NULL DEFAULT 1,
	messages      INTEGER NOT NULL DEFAULT 1,
	messages_full INTEGER NOT NULL DEFAULT 0, -- whole message, not first line
	replies       INTEGER NOT NULL DEFAULT 1,
	reminders     INTEGER NOT NULL DEFAULT 1,
	requests      INTEGER NOT NULL DEFAULT 1,
	digest_at     INTEGER,             -- the last digest (or when set up)
	mailed_upto   INTEGER NOT NULL DEFAULT 0, -- notifications looked at
	immediate_at  INTEGER,             -- the last immediate e-mail
	unsub_token   TEXT NOT NULL UNIQUE -- in List-Unsubscribe: turns the digest off
);
-- the digests due, and the members whose notification e-mail waits
CREATE INDEX member_email_digest ON member_email(digest_at) WHERE verified_at IS NOT NULL;
CREATE INDEX member_email_waiting ON member_email(immediate_at) WHERE verified_at IS NOT NULL;

CREATE TABLE mail_queue (
	id          INTEGER PRIMARY KEY,
	member_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	address     TEXT NOT NULL,
	kind        TEXT NOT NULL,         -- verify, digest, notify, removed, support
	message     TEXT NOT NULL,         -- the whole RFC 5322 message
	created_at  INTEGER NOT NULL,
	next_at     INTEGER NOT NULL,      -- when to try (again)
	tries       INTEGER NOT NULL DEFAULT 0,
	-- sending: its end went to the mail server, whose answer is awaited;
	-- never sent again (hearthd stopping then leaves it "unconfirmed")
	state       TEXT NOT NULL DEFAULT 'queued'
	            CHECK (state IN ('queued', 'sending', 'sent', 'dead')),
	last_error  TEXT,
	reply       TEXT,                  -- the server's reply to the message
	sent_at     INTEGER
);
CREATE INDEX mail_queue_due ON mail_queue(next_at) WHERE state = 'queued';
