-- 019: surveys (issue 15): questions of several kinds in sections, sent to
-- an audience (communities, the platform, a pyramid band, the attendees of
-- a room or event), answered once, reminded once, closed on a date; and
-- the temperature check staff schedule to repeat.
--
-- Anonymous surveys are anonymous in the database: survey_answers holds no
-- member id and no time at all (not even the day: with the day, the
-- reminder sent to those who had not answered yet would tell whose answers
-- came before it), and is keyed by a random response token (WITHOUT
-- ROWID: no insertion order either);
-- survey_respondents records only that a member answered (its response
-- column stays NULL for anonymous surveys, and it has no time at all).
CREATE TABLE surveys (
	id             INTEGER PRIMARY KEY,
	title          TEXT NOT NULL,
	intro          TEXT NOT NULL DEFAULT '',
	kind           TEXT NOT NULL DEFAULT 'survey' CHECK (kind IN ('survey', 'temperature')),
	community_id   INTEGER REFERENCES communities(id) ON DELETE CASCADE,  -- NULL: platform
	audience       TEXT NOT NULL,          -- the audience as given (JSON)
	anonymous      INTEGER NOT NULL DEFAULT 0,
	questions      TEXT NOT NULL,          -- JSON list, checked by op-survey.c
	personas       TEXT NOT NULL DEFAULT '[]',  -- persona names it serves (JSON)
	status         TEXT NOT NULL CHECK (status IN ('pending', 'open', 'closed')),
	room_id        INTEGER REFERENCES rooms(id) ON DELETE SET NULL,   -- post-experience
	event_id       INTEGER REFERENCES events(id) ON DELETE SET NULL,  -- post-experience
	send_at        INTEGER,                -- pending event survey: when the event ends
	schedule_id    INTEGER REFERENCES survey_schedules(id) ON DELETE SET NULL,
	open_days      INTEGER NOT NULL DEFAULT 14,  -- a pending one closes this long after opening
	created_by     INTEGER REFERENCES members(id),
	created_at     INTEGER NOT NULL,
	opened_at      INTEGER,
	closes_at      INTEGER,
	closed_at      INTEGER,
	reminded_at    INTEGER
);
CREATE INDEX surveys_community ON surveys(community_id, id);
CREATE INDEX surveys_open ON surveys(closes_at) WHERE status = 'open';
CREATE INDEX surveys_pending ON surveys(send_at) WHERE status = 'pending';
CREATE INDEX surveys_room ON surveys(room_id) WHERE status = 'pending';

-- Who a survey was sent to (fixed when it opens).
CREATE TABLE survey_audience (
	survey_id  INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	PRIMARY KEY (survey_id, member_id)
) WITHOUT ROWID;
CREATE INDEX survey_audience_member ON survey_audience(member_id, survey_id);

-- That a member answered (no time). response: the token of their answers
-- for a named survey; NULL for an anonymous one.
CREATE TABLE survey_respondents (
	survey_id  INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	response   TEXT,
	PRIMARY KEY (survey_id, member_id)
) WITHOUT ROWID;

-- The answers: one row per question answered (per choice for multiple
-- choice). response: a random token shared by one member's answers.
CREATE TABLE survey_answers (
	survey_id  INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
	response   TEXT NOT NULL,
	question   INTEGER NOT NULL,           -- its index in surveys.questions
	item       INTEGER NOT NULL DEFAULT 0, -- the choice's index (choices), else 0
	value      INTEGER,                    -- a scale's value
	text       TEXT,                       -- free text
	PRIMARY KEY (survey_id, question, response, item)
) WITHOUT ROWID;

-- Repeating surveys (the temperature check): the next one opens at next_at,
-- then every every_days (0: once).
CREATE TABLE survey_schedules (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL DEFAULT 'temperature' CHECK (kind IN ('temperature')),
	title         TEXT NOT NULL,
	community_id  INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	audience      TEXT NOT NULL,
	anonymous     INTEGER NOT NULL DEFAULT 1,
	next_at       INTEGER NOT NULL,
	every_days    INTEGER NOT NULL DEFAULT 0,
	open_days     INTEGER NOT NULL DEFAULT 14,
	runs          INTEGER NOT NULL DEFAULT 0,
	created_by    INTEGER REFERENCES members(id),
	created_at    INTEGER NOT NULL
);
CREATE INDEX survey_schedules_next ON survey_schedules(next_at);
