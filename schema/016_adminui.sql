-- The association's own code of conduct (issue 12): every change an admin
-- makes is a new version, kept; members accept the current version before
-- they write again. Version 0 is the text built into hearthd (no row).
CREATE TABLE coc_versions (
	version       INTEGER PRIMARY KEY,
	body          TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	created_by    INTEGER REFERENCES members(id)    -- NULL: the console
);
-- The version a member last accepted (with coc_accepted_at, when).
ALTER TABLE members ADD COLUMN coc_version INTEGER NOT NULL DEFAULT 0;
