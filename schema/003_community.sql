-- 003: communities and membership: indexes for the member list (keyset on
-- joined_at, optionally by role) and the counts by role in community.get.

CREATE INDEX community_members_joined
	ON community_members(community_id, joined_at, member_id);
CREATE INDEX community_members_role
	ON community_members(community_id, role, joined_at, member_id);
