-- 013: what community health is measured from (docs/health.md).
-- membership_log: every change of membership, kept by triggers whatever
-- the code path (join, approval, role change, leave, removal from the
-- community, removal from the platform), so "members at a date", joined
-- and left can be counted for any window. visit_log: one row a member, a
-- community and a day they opened it (server/visits.c).

CREATE TABLE membership_log (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	at            INTEGER NOT NULL,
	what          TEXT NOT NULL CHECK (what IN ('joined', 'role', 'left', 'removed')),
	role          TEXT           -- the role from then on (NULL once gone)
);
CREATE INDEX membership_log_community ON membership_log(community_id, at);
CREATE INDEX membership_log_member ON membership_log(member_id, community_id, at);

-- What is there today: each membership as joined at its joined_at.
INSERT INTO membership_log (community_id, member_id, at, what, role)
	SELECT community_id, member_id, joined_at, 'joined', role
	FROM community_members;
-- Members already removed from the platform: gone from every community.
INSERT INTO membership_log (community_id, member_id, at, what, role)
	SELECT cm.community_id, cm.member_id, m.removed_at, 'removed', NULL
	FROM community_members cm JOIN members m ON m.id = cm.member_id
	WHERE m.status = 'removed' AND m.removed_at IS NOT NULL;

CREATE TRIGGER membership_joined AFTER INSERT ON community_members
BEGIN
	INSERT INTO membership_log (community_id, member_id, at, what, role)
	VALUES (NEW.community_id, NEW.member_id, NEW.joined_at, 'joined',
		NEW.role);
END;

CREATE TRIGGER membership_role AFTER UPDATE OF role ON community_members
WHEN OLD.role IS NOT NEW.role
BEGIN
	INSERT INTO membership_log (community_id, member_id, at, what, role)
	VALUES (NEW.community_id, NEW.member_id,
		CAST(strftime('%s', 'now') AS INTEGER), 'role', NEW.role);
END;

CREATE TRIGGER membership_left AFTER DELETE ON community_members
BEGIN
	INSERT INTO membership_log (community_id, member_id, at, what, role)
	VALUES (OLD.community_id, OLD.member_id,
		CAST(strftime('%s', 'now') AS INTEGER), 'left', NULL);
END;

CREATE TRIGGER membership_removed AFTER UPDATE OF status ON members
WHEN NEW.status = 'removed' AND OLD.status IS NOT 'removed'
BEGIN
	INSERT INTO membership_log (community_id, member_id, at, what, role)
	SELECT community_id, NEW.id,
		coalesce(NEW.removed_at, CAST(strftime('%s', 'now') AS INTEGER)),
		'removed', NULL
	FROM community_members WHERE member_id = NEW.id;
END;

CREATE TRIGGER membership_reinstated AFTER UPDATE OF status ON members
WHEN NEW.status = 'active' AND OLD.status = 'removed'
BEGIN
	INSERT INTO membership_log (community_id, member_id, at, what, role)
	SELECT community_id, NEW.id, CAST(strftime('%s', 'now') AS INTEGER),
		'joined', role
	FROM community_members WHERE member_id = NEW.id;
END;

CREATE TABLE visit_log (
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	day           INTEGER NOT NULL,   -- Unix seconds / 86400 (UTC days)
	PRIMARY KEY (community_id, day, member_id)
) WITHOUT ROWID;
CREATE INDEX visit_log_member ON visit_log(member_id, community_id, day);
-- whether a member visited anywhere in a window (the platform's pyramid)
CREATE INDEX visit_log_day ON visit_log(member_id, day);

-- Windows of time over posts (health, reports).
CREATE INDEX posts_created ON posts(created_at);

-- Goals with key results (docs/health.md "Goals"): a community's, kept by
-- its managers, or the platform's (community_id NULL), kept by staff. A key
-- result is bound to a metric (measured) or manual (progress entered by its
-- owner).
CREATE TABLE goals (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	title         TEXT NOT NULL,
	description   TEXT NOT NULL DEFAULT '',
	starts_at     INTEGER NOT NULL,
	ends_at       INTEGER NOT NULL,
	created_by    INTEGER REFERENCES members(id),
	created_at    INTEGER NOT NULL,
	archived_at   INTEGER
);
CREATE INDEX goals_community ON goals(community_id, id);

CREATE TABLE key_results (
	id            INTEGER PRIMARY KEY,
	goal_id       INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
	title         TEXT NOT NULL,
	metric        TEXT,                -- NULL: manual
	start_value   REAL NOT NULL DEFAULT 0,
	target        REAL NOT NULL,
	due_at        INTEGER NOT NULL,
	owner_id      INTEGER REFERENCES members(id) ON DELETE SET NULL,
	progress      REAL,                -- manual: the value now
	note          TEXT NOT NULL DEFAULT '',
	updated_at    INTEGER NOT NULL
);
CREATE INDEX key_results_goal ON key_results(goal_id, id);

-- Posts a manager marked as impact stories (reports quote them).
CREATE TABLE impact_stories (
	post_id       INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	marked_by     INTEGER REFERENCES members(id),
	marked_at     INTEGER NOT NULL,
	note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX impact_stories_community ON impact_stories(community_id, marked_at);

-- Outreach check-ins: a newcomer's managers are reminded once at each of
-- 1 week, 1 month and 2 months after they joined.
CREATE TABLE outreach_reminders (
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	milestone     INTEGER NOT NULL,       -- days after joining: 7, 30 or 60
	sent_at       INTEGER NOT NULL,
	PRIMARY KEY (community_id, member_id, milestone)
) WITHOUT ROWID;
