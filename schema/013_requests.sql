-- 013: running a community: its interested cap as a percentage (10 by
-- default, as the handbook suggests) and who left it, for its managers.

ALTER TABLE communities ADD COLUMN interested_cap INTEGER NOT NULL DEFAULT 10
	CHECK (interested_cap BETWEEN 1 AND 100);

CREATE TABLE community_departures (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	role          TEXT NOT NULL,           -- the role they had
	left_at       INTEGER NOT NULL,
	removed_by    INTEGER REFERENCES members(id),  -- NULL: they left themselves
	removed       INTEGER NOT NULL DEFAULT 0       -- 1: a manager removed them
);
CREATE INDEX community_departures_list ON community_departures(community_id, id);

-- Welcome posts written before this release: no placeholder for a setting
-- not written yet, and no protocol operation's name.
UPDATE posts SET body = replace(replace(replace(replace(body,
	'## Our purpose' || char(10) || '(The community''s managers will write this soon.)' || char(10) || char(10), ''),
	'## Who this community is for' || char(10) || '(The community''s managers will write this soon.)' || char(10) || char(10), ''),
	'## Privacy' || char(10) || '(The community''s managers will write this soon.)' || char(10) || char(10), ''),
	'The full code of conduct is one command away (coc.get).',
	'Everyone accepts the platform''s full code of conduct on joining Hearth; read it again any time from Help.')
WHERE author_id IS NULL AND id IN (SELECT min(p.id) FROM posts p JOIN communities c
	ON p.thread_id = c.welcome_thread_id GROUP BY c.id);
