-- 004: boards (threads and posts): what server/op-thread.c needs beyond 002.

-- roundup.get: new threads in a community since a time, newest first.
CREATE INDEX threads_created ON threads(community_id, created_at DESC, id DESC);

-- roundup.get: "since your last visit" is one time per member (not per
-- community): set by roundup.get {mark: true}; NULL until the first roundup.
ALTER TABLE members ADD COLUMN roundup_at INTEGER;
