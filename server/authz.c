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

	if (c->console) {
		/* the server's own console: peer uid was checked */
		if (!(op->flags & OP_SELF))
			return 0;
		snprintf(msg, len, "'%s' acts as a member; the console is "
		    "not one.", op->name);
		return -1;
	}
	if (m->id != 0 && m->removed) {
		snprintf(msg, len, "Your membership was removed.");
		return -1;
	}
	if (c->guest) {
		if (op->flags & (OP_GUEST | OP_ANY))
			return 0;
		snprintf(msg, len, "Guests may only read public communities; "
		    "'%s' needs a member.", op->name);
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

bool
authz_is_staff(const struct conn *c)
{
	return c->console || (c->member.id != 0 && c->member.role != ROLE_MEMBER);
}

static const char *const crole_names[] = { NULL, "interested", "member",
	"leader", "manager" };

const char *
crole_name(enum crole r)
{
	return crole_names[r];
}

int
crole_parse(const char *s, enum crole *out)
{
	for (int i = 1; i <= CROLE_MANAGER; i++) {
		if (strcmp(s, crole_names[i]) == 0) {
			*out = (enum crole)i;
			return 0;
		}
	}
	return -1;
}

/* Fill a from the community row and the caller's membership. */
static int
access_load(struct call *x, sqlite3_stmt *st, struct access *a)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_fail(x, ERR_INTERNAL, "database error");
		return call_fail(x, ERR_NOT_FOUND, "No such community.");
	}
	a->community_id = sqlite3_column_int64(st, 0);
	snprintf(a->slug, sizeof a->slug, "%s", db_col_text(st, 1));
	snprintf(a->name, sizeof a->name, "%s", db_col_text(st, 2));
	snprintf(a->visibility, sizeof a->visibility, "%s",
	    db_col_text(st, 3));
	snprintf(a->join_policy, sizeof a->join_policy, "%s",
	    db_col_text(st, 4));
	if (sqlite3_column_type(st, 5) == SQLITE_NULL ||
	    crole_parse(db_col_text(st, 5), &a->role) != 0)
		a->role = CROLE_NONE;
	sqlite3_reset(st);
	return 0;
}

/*
 * A mute in force for the caller here: fail the call telling them why and
 * until when, and return -1; 0 when there is none. Mutes end by
 * themselves: the times decide, nothing sweeps.
 */
static int
mute_check(struct call *x, const struct access *a)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT reason, ends_at FROM community_mutes WHERE "
	    "community_id = ? AND member_id = ? AND ended_at IS NULL AND "
	    "ends_at > ? ORDER BY ends_at DESC LIMIT 1");
	char until[48], reason[512];
	int rc;

	sqlite3_bind_int64(st, 1, a->community_id);
	sqlite3_bind_int64(st, 2, call_actor(x));
	sqlite3_bind_int64(st, 3, now_unix());
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(reason, sizeof reason, "%s", db_col_text(st, 0));
		zone_human(call_actor(x), sqlite3_column_int64(st, 1),
		    until);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return call_fail(x, ERR_INTERNAL, "database error");
	return call_fail(x, ERR_FORBIDDEN,
	    "A moderator muted you in %s until %s: %s. You can still read "
	    "it.", a->name, until, reason);
}

/* The decision itself, once the facts are known. */
static int
access_decide(struct call *x, enum cact act, struct access *a)
{
	const struct conn *c = x->conn;
	bool public = strcmp(a->visibility, "public") == 0;
	bool platform = public || strcmp(a->visibility, "platform") == 0;

	/* No conn: the server itself (a timer), which may do anything. */
	a->admin = c == NULL || c->console ||
	    (c->member.id != 0 && c->member.role == ROLE_ADMIN);
	if (a->admin) {
		/* admins too write only under the current code of conduct */
		if ((act == CA_REPLY || act == CA_POST) && c != NULL &&
		    !c->console && !coc_accepted(&c->member))
			return call_fail(x, ERR_COC_REQUIRED,
			    "Please read and accept the code of conduct "
			    "(member.accept_coc) before writing.");
		return 0;
	}
	if (c->guest) {
		if (public && (act == CA_SEE || act == CA_READ))
			return 0;
		if (!public)
			return call_fail(x, ERR_NOT_FOUND,
			    "No such community.");
		return call_fail(x, ERR_FORBIDDEN,
		    "Guests may read, not write. Ask for an invite to join.");
	}
	switch (act) {
	case CA_SEE:
		return 0;
	case CA_READ:
		if (platform || a->role != CROLE_NONE)
			return 0;
		return call_fail(x, ERR_FORBIDDEN,
		    "%s is private to its members. You can ask to join.",
		    a->name);
	case CA_REPLY:
	case CA_POST:
		if (a->role == CROLE_NONE)
			return call_fail(x, ERR_FORBIDDEN,
			    "Only members of %s may write there. You can ask "
			    "to join.", a->name);
		if (act == CA_POST && a->role < CROLE_MEMBER)
			return call_fail(x, ERR_FORBIDDEN,
			    "Interested members may read and reply in %s, but "
			    "not start threads or polls.", a->name);
		if (!coc_accepted(&c->member))
			return call_fail(x, ERR_COC_REQUIRED,
			    "Please read and accept the code of conduct "
			    "(member.accept_coc) before writing.");
		return mute_check(x, a);
	case CA_MODERATE:
		if (a->role >= CROLE_LEADER)
			return 0;
		return call_fail(x, ERR_FORBIDDEN,
		    "Only leaders and managers of %s may moderate.", a->name);
	case CA_MANAGE:
		if (a->role >= CROLE_MANAGER)
			return 0;
		return call_fail(x, ERR_FORBIDDEN,
		    "Only managers of %s may do that.", a->name);
	}
	return call_fail(x, ERR_FORBIDDEN, "Not allowed.");
}

int
authz_community(struct call *x, int64_t id, enum cact act, struct access *a)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT c.id, c.slug, c.name, c.visibility, c.join_policy, "
	    "(SELECT role FROM community_members WHERE community_id = c.id "
	    " AND member_id = ?2) FROM communities c WHERE c.id = ?1");

	memset(a, 0, sizeof *a);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, call_actor(x));
	if (access_load(x, st, a) != 0)
		return -1;
	return access_decide(x, act, a);
}

int
authz_community_slug(struct call *x, const char *slug, enum cact act,
    struct access *a)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT c.id, c.slug, c.name, c.visibility, c.join_policy, "
	    "(SELECT role FROM community_members WHERE community_id = c.id "
	    " AND member_id = ?2) FROM communities c WHERE c.slug = ?1");

	memset(a, 0, sizeof *a);
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, call_actor(x));
	if (access_load(x, st, a) != 0)
		return -1;
	return access_decide(x, act, a);
}

bool
authz_conn_reads(struct conn *c, int64_t community_id)
{
	struct call x;
	struct access a;

	memset(&x, 0, sizeof x);
	x.conn = c;
	return authz_community(&x, community_id, CA_READ, &a) == 0;
}

const char *
authz_readable_sql(const struct conn *c)
{
	if (c->console || (c->member.id != 0 && c->member.role == ROLE_ADMIN))
		return "SELECT id FROM communities WHERE :me IS NOT NULL";
	if (c->guest)
		return "SELECT id FROM communities WHERE visibility = 'public' "
		    "AND :me IS NOT NULL";
	return "SELECT id FROM communities WHERE visibility IN ('platform', "
	    "'public') UNION SELECT community_id FROM community_members "
	    "WHERE member_id = :me";
}
