-- 010: notifications name what they are about; kept consults by person;
-- the full-text indexes optimized.
--
-- What a notification is about beyond threads, posts and polls, so a
-- screen can open it: an event (reminders, changes, cancellations, "the
-- room is open"), a room (support calls, a room's opening) and an expert
-- request (decisions, "you are the speaker"). Older rows keep NULL.
ALTER TABLE notifications ADD COLUMN event_id INTEGER REFERENCES events(id) ON DELETE CASCADE;
ALTER TABLE notifications ADD COLUMN room_id INTEGER REFERENCES rooms(id) ON DELETE SET NULL;
ALTER TABLE notifications ADD COLUMN request_id INTEGER REFERENCES expert_requests(id) ON DELETE CASCADE;

-- room.consults: a member's kept private consults, found by either party.
CREATE INDEX room_messages_private_a ON room_messages(private_a, id)
	WHERE private_a IS NOT NULL;
CREATE INDEX room_messages_private_b ON room_messages(private_b, id)
	WHERE private_b IS NOT NULL;

-- The full-text indexes as one segment each. An index just rebuilt (009)
-- is left in many segments, and the first posts written after it then
-- merged them in one go on the loop thread (0.3-0.7 s at a time on a
-- million posts); after 'optimize' later merges stay small. It takes a
-- few seconds per million posts, once.
INSERT INTO posts_fts(posts_fts) VALUES ('optimize');
INSERT INTO threads_fts(threads_fts) VALUES ('optimize');
INSERT INTO profiles_fts(profiles_fts) VALUES ('optimize');
