-- 022: finding people (issue 14). Contact details are never shown to all
-- members unasked: the default is "members of shared communities", and
-- members whose details were open to every member move to that default
-- (a member who chose "nobody" keeps it). Indexes for the directory's
-- region and organisation filters and for suggested connections.
UPDATE members SET contact_visibility = 'communities'
	WHERE contact_visibility = 'platform';
CREATE INDEX IF NOT EXISTS members_region ON members(region)
	WHERE region != '';
CREATE INDEX IF NOT EXISTS members_organisation ON members(organisation)
	WHERE organisation != '';
