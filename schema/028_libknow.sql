-- 019: the library's documents are found by search (issue 16): their
-- title, file name, description and tags, and the text of plain-text and
-- Markdown documents (the newest version's first MiB). A table with its
-- own content (the text lives in chunks, not in a column to point at),
-- kept by triggers; the rank query checks the document is not in the bin
-- and may be seen, so a deleted or managers-only one never reaches a page.
CREATE VIRTUAL TABLE documents_fts USING fts5(title, name, description, tags,
	body, tokenize='hearth remove_diacritics 2', prefix='2 3');
INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 8);

-- The indexed text of a blob: its first four chunks (1 MiB), as text.
CREATE TRIGGER library_documents_fts_ai AFTER INSERT ON library_documents BEGIN
	INSERT INTO documents_fts(rowid, title, name, description, tags, body)
	VALUES (new.id, new.title, new.name, new.description, new.tags, '');
END;
CREATE TRIGGER library_documents_fts_au AFTER UPDATE OF title, name,
	description, tags ON library_documents BEGIN
	UPDATE documents_fts SET title = new.title, name = new.name,
		description = new.description, tags = new.tags
	WHERE rowid = new.id;
END;
CREATE TRIGGER library_documents_fts_ad AFTER DELETE ON library_documents BEGIN
	DELETE FROM documents_fts WHERE rowid = old.id;
END;
-- A new version (an upload or a restore) is the document's content now.
CREATE TRIGGER library_versions_fts_ai AFTER INSERT ON library_versions BEGIN
	UPDATE documents_fts SET body = coalesce((
		SELECT CAST(group_concat(c.data, '') AS TEXT) FROM (
			SELECT data FROM library_chunks WHERE blob_id = new.blob_id
			AND seq < 4 ORDER BY seq) c
		WHERE (SELECT type FROM library_documents WHERE id =
			new.document_id) IN ('text/plain', 'text/markdown')), '')
	WHERE rowid = new.document_id;
END;

-- documents that existed before this migration
INSERT INTO documents_fts(rowid, title, name, description, tags, body)
	SELECT d.id, d.title, d.name, d.description, d.tags, coalesce((
		SELECT CAST(group_concat(c.data, '') AS TEXT) FROM (
			SELECT data FROM library_chunks WHERE blob_id = (
				SELECT blob_id FROM library_versions WHERE
				document_id = d.id ORDER BY version DESC LIMIT 1)
			AND seq < 4 ORDER BY seq) c
		WHERE d.type IN ('text/plain', 'text/markdown')), '')
	FROM library_documents d;

-- The knowledge bank: a thread, or one post of it, kept in its community's
-- library by a leader or manager, with a note saying why (a case study,
-- event notes, a room's record). Its community is its thread's.
CREATE TABLE library_kept (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: unkeep by id
	thread_id  INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	post_id    INTEGER REFERENCES posts(id) ON DELETE CASCADE,
	note       TEXT NOT NULL DEFAULT '',
	kept_by    INTEGER REFERENCES members(id) ON DELETE SET NULL,
	kept_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX library_kept_item ON library_kept(thread_id, ifnull(post_id, 0));
CREATE INDEX library_kept_post ON library_kept(post_id);
