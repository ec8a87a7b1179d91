-- Record review (issue 10): a closed transcript or Chatham room's record
-- is not posted at once. Its hosts (and the community's managers) may drop
-- or edit lines, then publish; room_review_hours after the close it is
-- published as it stands, the hosts having been told beforehand.
ALTER TABLE rooms ADD COLUMN review_until INTEGER;   -- NULL: no review
ALTER TABLE rooms ADD COLUMN review_warned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN published_at INTEGER;
ALTER TABLE room_messages ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE room_messages ADD COLUMN edited_at INTEGER;

CREATE INDEX rooms_review ON rooms(review_until)
	WHERE review_until IS NOT NULL AND published_at IS NULL;
