-- 019: time zones and recurring answers (issue 14). A member's time zone
-- is an IANA name ("Europe/London"); '' means the server's `timezone`
-- setting. An answer to a recurring event is for every occurrence
-- (occurrence 0) or for the one starting at `occurrence` (unix time).
ALTER TABLE members ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE event_rsvps ADD COLUMN occurrence INTEGER NOT NULL DEFAULT 0;
