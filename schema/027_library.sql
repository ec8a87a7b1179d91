-- 019: each community's library (issue 16): folders and documents with
-- versions, their contents in chunks of at most 256 KiB, one stored copy
-- per distinct content (SHA-256).

-- A content. sha256 is NULL while an upload is still arriving: such a blob
-- belongs to that upload only, no version names it, and hearthd deletes
-- those left by a crash when it starts.
CREATE TABLE library_blobs (
	id          INTEGER PRIMARY KEY,
	sha256      TEXT UNIQUE,            -- lowercase hex; NULL: arriving
	size        INTEGER NOT NULL DEFAULT 0,
	community_id INTEGER REFERENCES communities(id) ON DELETE CASCADE,
	                                    -- set while arriving (quota)
	created_at  INTEGER NOT NULL
);
CREATE INDEX library_blobs_arriving ON library_blobs(community_id)
	WHERE sha256 IS NULL;

-- Its bytes, in order (a rowid table: read with incremental blob I/O).
CREATE TABLE library_chunks (
	id          INTEGER PRIMARY KEY,
	blob_id     INTEGER NOT NULL REFERENCES library_blobs(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,       -- 0, 1, ...: byte seq * 262144 on
	data        BLOB NOT NULL,
	UNIQUE (blob_id, seq)
);

-- Folders; parent_id NULL: at the top of the community's library.
CREATE TABLE library_folders (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	parent_id    INTEGER REFERENCES library_folders(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	created_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX library_folders_name
	ON library_folders(community_id, ifnull(parent_id, 0), name);

-- Documents; folder_id NULL: at the top. A deleted one waits in the bin
-- (deleted_at) for 30 days; its name is free meanwhile.
CREATE TABLE library_documents (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
	folder_id     INTEGER REFERENCES library_folders(id) ON DELETE SET NULL,
	name          TEXT NOT NULL,
	title         TEXT NOT NULL DEFAULT '',
	description   TEXT NOT NULL DEFAULT '',
	tags          TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL DEFAULT '',  -- a MIME type, from the name
	managers_only INTEGER NOT NULL DEFAULT 0,
	uploader_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	deleted_at    INTEGER,
	deleted_by    INTEGER REFERENCES members(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX library_documents_name
	ON library_documents(community_id, ifnull(folder_id, 0), name)
	WHERE deleted_at IS NULL;
CREATE INDEX library_documents_folder ON library_documents(folder_id);

-- Versions, 1 up; the newest is the document's content.
CREATE TABLE library_versions (
	id           INTEGER PRIMARY KEY,
	document_id  INTEGER NOT NULL REFERENCES library_documents(id) ON DELETE CASCADE,
	version      INTEGER NOT NULL,
	blob_id      INTEGER NOT NULL REFERENCES library_blobs(id),
	size         INTEGER NOT NULL,
	uploader_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	UNIQUE (document_id, version)
);
CREATE INDEX library_versions_blob ON library_versions(blob_id);

-- Who may add documents and folders to a community's library: its members
-- (and up), or only its leaders and managers.
ALTER TABLE communities ADD COLUMN library_upload TEXT NOT NULL DEFAULT 'members'
	CHECK (library_upload IN ('members', 'leaders'));
