-- 019: roadmaps and personas (issue 15). A community's roadmap (one with
-- no community is the platform's) has the template's sections and
-- ambitions, each a Markdown text, an action grid by period, and a
-- version per change: a full snapshot (JSON) with who and when, so any two
-- can be compared. A community with no row yet reads the template.
CREATE TABLE roadmaps (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER UNIQUE REFERENCES communities(id) ON DELETE CASCADE,
	starts_on     INTEGER NOT NULL,      -- month 1 starts here (midnight UTC)
	version       INTEGER NOT NULL DEFAULT 0
);
-- at most one platform roadmap (community_id NULL)
CREATE UNIQUE INDEX roadmaps_platform ON roadmaps(coalesce(community_id, 0));

CREATE TABLE roadmap_sections (
	roadmap_id    INTEGER NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
	key           TEXT NOT NULL,         -- the template's: vision, purpose, ..., short, medium, long
	body          TEXT NOT NULL DEFAULT '',
	managers_only INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (roadmap_id, key)
) WITHOUT ROWID;

CREATE TABLE roadmap_actions (
	id            INTEGER PRIMARY KEY,
	roadmap_id    INTEGER NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
	period        INTEGER NOT NULL CHECK (period BETWEEN 1 AND 8), -- 1..6 a month, 7: months 7-9, 8: 10-12
	title         TEXT NOT NULL,
	owner_id      INTEGER REFERENCES members(id) ON DELETE SET NULL,
	resources     TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL DEFAULT 'planned'
	              CHECK (status IN ('planned', 'doing', 'done', 'dropped')),
	kr_id         INTEGER REFERENCES key_results(id) ON DELETE SET NULL,
	event_id      INTEGER REFERENCES events(id) ON DELETE SET NULL
);
CREATE INDEX roadmap_actions_roadmap ON roadmap_actions(roadmap_id, period, id);
CREATE INDEX roadmap_actions_owner ON roadmap_actions(owner_id);

CREATE TABLE roadmap_versions (
	roadmap_id    INTEGER NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
	version       INTEGER NOT NULL,
	member_id     INTEGER REFERENCES members(id) ON DELETE SET NULL,  -- NULL: the console
	created_at    INTEGER NOT NULL,
	summary       TEXT NOT NULL,
	snapshot      TEXT NOT NULL,         -- JSON: sections and actions after the change
	PRIMARY KEY (roadmap_id, version)
) WITHOUT ROWID;

-- A leader's proposed change to one section, for a manager to accept.
CREATE TABLE roadmap_proposals (
	id            INTEGER PRIMARY KEY,
	roadmap_id    INTEGER NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
	key           TEXT NOT NULL,
	body          TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	member_id     INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL,
	state         TEXT NOT NULL DEFAULT 'open'
	              CHECK (state IN ('open', 'accepted', 'declined')),
	decided_by    INTEGER REFERENCES members(id) ON DELETE SET NULL,
	decided_at    INTEGER
);
CREATE INDEX roadmap_proposals_open ON roadmap_proposals(roadmap_id, state);

-- Each action reminder once: 'start' when its period starts, 'end' when it
-- ends with the action neither done nor dropped.
CREATE TABLE roadmap_reminders (
	action_id     INTEGER NOT NULL REFERENCES roadmap_actions(id) ON DELETE CASCADE,
	kind          TEXT NOT NULL CHECK (kind IN ('start', 'end')),
	period_at     INTEGER NOT NULL,      -- when that period started or ended
	sent_at       INTEGER NOT NULL,
	PRIMARY KEY (action_id, kind, period_at)
) WITHOUT ROWID;

CREATE TABLE personas (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	name          TEXT NOT NULL,
	description   TEXT NOT NULL DEFAULT '',
	needs         TEXT NOT NULL DEFAULT '',
	pain_points   TEXT NOT NULL DEFAULT '',
	ways          TEXT NOT NULL DEFAULT '',  -- preferred ways to take part
	updated_by    INTEGER REFERENCES members(id) ON DELETE SET NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX personas_community ON personas(community_id, id);

CREATE TABLE event_personas (
	event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	persona_id    INTEGER NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
	PRIMARY KEY (event_id, persona_id)
) WITHOUT ROWID;
CREATE INDEX event_personas_persona ON event_personas(persona_id);
