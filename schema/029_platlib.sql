-- 029: the platform's own library (issue 16), published by staff and read
-- by every member: folders and documents that belong to no community
-- (community_id NULL). The library's tables are rebuilt to let
-- community_id be NULL (SQLite cannot drop a NOT NULL): the documented
-- table rebuild, keeping every row id, index, trigger and foreign key.
--
-- Migrations run in one transaction with foreign keys on, so a DROP TABLE
-- would run its ON DELETE actions: the new tables point at each other
-- (the *_new names, which RENAME TO rewrites), and the old ones go
-- children first, so nothing but the old rows is deleted. The old tables'
-- triggers go with them before their rows (no FTS row is touched).

-- The slug "platform" names the platform's library (/platform over SFTP);
-- a community that had it is renamed.
INSERT INTO audit (at, actor_id, actor, action, target, detail)
	SELECT CAST(strftime('%s', 'now') AS INTEGER), NULL, 'system',
		'community.rename', 'platform-community',
		'platform: the slug names the platform library now; the '
		|| 'community is platform-community'
	FROM communities WHERE slug = 'platform';
UPDATE communities SET slug = 'platform-community' WHERE slug = 'platform';

CREATE TABLE library_folders_new (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	                                     -- NULL: the platform's library
	parent_id    INTEGER REFERENCES library_folders_new(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	created_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL
);
INSERT INTO library_folders_new (id, community_id, parent_id, name,
	created_by, created_at)
	SELECT id, community_id, parent_id, name, created_by, created_at
	FROM library_folders;

CREATE TABLE library_documents_new (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	                                     -- NULL: the platform's library
	folder_id     INTEGER REFERENCES library_folders_new(id) ON DELETE SET NULL,
	name          TEXT NOT NULL,
	title         TEXT NOT NULL DEFAULT '',
	description   TEXT NOT NULL DEFAULT '',
	tags          TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL DEFAULT '',  -- a MIME type, from the name
	managers_only INTEGER NOT NULL DEFAULT 0, -- platform: staff only
	uploader_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	deleted_at    INTEGER,
	deleted_by    INTEGER REFERENCES members(id) ON DELETE SET NULL
);
INSERT INTO library_documents_new (id, community_id, folder_id, name, title,
	description, tags, type, managers_only, uploader_id, created_at,
	updated_at, deleted_at, deleted_by)
	SELECT id, community_id, folder_id, name, title, description, tags,
		type, managers_only, uploader_id, created_at, updated_at,
		deleted_at, deleted_by
	FROM library_documents;

CREATE TABLE library_versions_new (
	id           INTEGER PRIMARY KEY,
	document_id  INTEGER NOT NULL REFERENCES library_documents_new(id) ON DELETE CASCADE,
	version      INTEGER NOT NULL,
	blob_id      INTEGER NOT NULL REFERENCES library_blobs(id),
	size         INTEGER NOT NULL,
	uploader_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	UNIQUE (document_id, version)
);
INSERT INTO library_versions_new (id, document_id, version, blob_id, size,
	uploader_id, created_at)
	SELECT id, document_id, version, blob_id, size, uploader_id, created_at
	FROM library_versions;

-- children first: nothing still points at a table as it goes
DROP TABLE library_versions;
DROP TABLE library_documents;
DROP TABLE library_folders;
ALTER TABLE library_folders_new RENAME TO library_folders;
ALTER TABLE library_documents_new RENAME TO library_documents;
ALTER TABLE library_versions_new RENAME TO library_versions;

CREATE UNIQUE INDEX library_folders_name
	ON library_folders(ifnull(community_id, 0), ifnull(parent_id, 0), name);
CREATE UNIQUE INDEX library_documents_name
	ON library_documents(ifnull(community_id, 0), ifnull(folder_id, 0), name)
	WHERE deleted_at IS NULL;
CREATE INDEX library_documents_folder ON library_documents(folder_id);
CREATE INDEX library_versions_blob ON library_versions(blob_id);

-- 028's triggers, as they were
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
CREATE TRIGGER library_versions_fts_ai AFTER INSERT ON library_versions BEGIN
	UPDATE documents_fts SET body = coalesce((
		SELECT CAST(group_concat(c.data, '') AS TEXT) FROM (
			SELECT data FROM library_chunks WHERE blob_id = new.blob_id
			AND seq < 4 ORDER BY seq) c
		WHERE (SELECT type FROM library_documents WHERE id =
			new.document_id) IN ('text/plain', 'text/markdown')), '')
	WHERE rowid = new.document_id;
END;
