-- 008: full-text index tuning. Merge FTS5 segments in smaller steps as posts
-- arrive (merge once 8 segments share a level, not 4), measured in
-- docs/performance.md to roughly double post inserts on a large board.
INSERT INTO posts_fts(posts_fts, rank) VALUES ('automerge', 8);
INSERT INTO threads_fts(threads_fts, rank) VALUES ('automerge', 8);
