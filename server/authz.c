/*
 * authz.c: the one authorization module. authz_op decides, before any
 * handler runs, whether this conn's identity may run this operation at all;
 * community-level decisions (membership, visibility, community roles) are
 * added here as those areas arrive, never in handlers.
 */
#include <string.h>

#include "server.h"

int
authz_op(const struct conn *c, const struct op *op, char *msg, size_t len)
{
	const struct member *m = &c->member;

	if (c->console)
		return 0; /* the server's own console: peer uid was checked */
	if (m->id != 0 && m->removed) {
		snprintf(msg, len, "Your membership was removed.");
		return -1;
	}
	if (c->join) {
		if (op->flags & (OP_JOIN | OP_ANY))
			return 0;
		snprintf(msg, len,
		    "Redeem your invite first (invite.redeem); '%s' needs "
		    "a member.", op->name);
		return -1;
	}
	if (m->id == 0) {
		snprintf(msg, len, "'%s' needs a member.", op->name);
		return -1;
	}
	if ((op->flags & OP_ADMIN) && m->role != ROLE_ADMIN) {
		snprintf(msg, len, "Only platform admins may use '%s'.",
		    op->name);
		return -1;
	}
	if ((op->flags & OP_STAFF) && m->role == ROLE_MEMBER) {
		snprintf(msg, len, "Only staff may use '%s'.", op->name);
		return -1;
	}
	if (op->flags & (OP_MEMBER | OP_ANY | OP_ADMIN | OP_STAFF))
		return 0;
	/* OP_JOIN alone: only for join sessions. */
	snprintf(msg, len, "'%s' is only for newcomers redeeming an invite.",
	    op->name);
	return -1;
}
