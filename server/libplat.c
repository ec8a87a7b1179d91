/*
 * libplat.c: the platform's own library (issue 16), beside each
 * community's: folders and documents of no community (community_id NULL
 * in the tables; 0 in a lib_node and in struct access), reached as the
 * community "platform" (/platform over SFTP, args.community "platform").
 * Every member reads it; staff (the console, admins, staff) publish,
 * change and delete in it, and they are its managers: a document marked
 * managers-only is staff-only there, and restoring a version or a deleted
 * document is theirs (and a deleted one its uploader's). Guests do not see
 * it. The knowledge bank stays per community.
 */
#include <string.h>

#include "server.h"

bool
library_is_platform(const char *slug)
{
	return slug != NULL && strcmp(slug, LIBRARY_PLATFORM) == 0;
}

/* The caller's standing in the platform's library, as access_decide
 * says it for a community. */
static int
platform_access(struct call *x, enum cact act, struct access *a)
{
	const struct conn *c = x->conn;
	bool staff = c == NULL || authz_is_staff(c);

	memset(a, 0, sizeof *a);
	snprintf(a->slug, sizeof a->slug, "%s", LIBRARY_PLATFORM);
	snprintf(a->name, sizeof a->name, "the platform library");
	snprintf(a->visibility, sizeof a->visibility, "platform");
	snprintf(a->join_policy, sizeof a->join_policy, "invite");
	a->admin = staff;
	a->role = staff ? CROLE_MANAGER : CROLE_MEMBER;
	if (c != NULL && !c->console && (c->guest || c->member.id == 0))
		return call_fail(x, ERR_NOT_FOUND, "No such community.");
	if (act == CA_SEE || act == CA_READ || staff) {
		if ((act == CA_REPLY || act == CA_POST) && c != NULL &&
		    !c->console && !coc_accepted(&c->member))
			return call_fail(x, ERR_COC_REQUIRED,
			    "Please read and accept the code of conduct "
			    "(member.accept_coc) before writing.");
		return 0;
	}
	return call_fail(x, ERR_FORBIDDEN, "Only staff publish and change "
	    "things in the platform library; every member reads it.");
}

int
library_access(struct call *x, int64_t community_id, enum cact act,
    struct access *a)
{
	if (community_id == 0)
		return platform_access(x, act, a);
	return authz_community(x, community_id, act, a);
}

int
library_access_slug(struct call *x, const char *slug, enum cact act,
    struct access *a)
{
	if (library_is_platform(slug))
		return platform_access(x, act, a);
	return authz_community_slug(x, slug, act, a);
}
