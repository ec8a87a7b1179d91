-- 010: what a notification is about beyond threads, posts and polls, so a
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
