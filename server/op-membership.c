/*
 * op-membership.c: who left a community. A member leaving (community.leave)
 * or removed by a manager (community.set_role to none) leaves a row here
 * with the role they had, so its managers and leaders can see who left
 * (community.departures); op-community.c writes the rows.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int
community_departure_add(struct call *x, int64_t cid, int64_t member_id,
    enum crole had, int64_t by)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO community_departures (community_id, member_id, role, "
	    "left_at, removed_by, removed) VALUES (?, ?, ?, ?, ?, ?)");

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, member_id);
	sqlite3_bind_text(st, 3, had != CROLE_NONE ? crole_name(had) : "member",
	    -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix());
	if (by > 0)
		sqlite3_bind_int64(st, 5, by);
	sqlite3_bind_int(st, 6, by != 0);
	return call_step(x, st);
}

static int
op_community_departures(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT d.id, m.handle, m.display_name, d.role, d.left_at, "
	    "d.removed, r.handle, EXISTS (SELECT 1 FROM community_members cm "
	    "WHERE cm.community_id = d.community_id AND cm.member_id = "
	    "d.member_id) FROM community_departures d JOIN members m ON "
	    "m.id = d.member_id LEFT JOIN members r ON r.id = d.removed_by "
	    "WHERE d.community_id = ? AND d.id < ? ORDER BY d.id DESC "
	    "LIMIT ?");
	const char *slug = NULL;
	json_int_t limit = 50, before = INT64_MAX, n = 0, last = 0;
	struct access a;
	json_t *list, *o;
	int rc;

	if (arg_str(x->args, "slug", true, 40, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 200, &limit, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_community_slug(x, slug, CA_MODERATE, &a) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int64(st, 3, limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		n++;
		o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:b}", "id", last,
		    "handle", db_col_text(st, 1), "display_name",
		    db_col_text(st, 2), "role", db_col_text(st, 3), "left_at",
		    db_col_json_time(st, 4), "removed",
		    sqlite3_column_int(st, 5) != 0, "back",
		    sqlite3_column_int(st, 7) != 0);
		json_object_set_new(o, "removed_by", db_col_json_text(st, 6));
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:o, s:o}", "slug", a.slug, "departures",
	    list, "next", n == limit ? json_integer(last) : json_null());
	return 0;
}

const struct op op_membership_table[] = {
	{ "community.departures", OP_MEMBER, op_community_departures,
	    "Who left a community {slug, limit?, before?}, newest first: "
	    "handle, the role they had, when, whether a manager removed them "
	    "(and who) and whether they are back (leaders and managers).",
	    RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 40),
	    ARG_INT("limit", ARG_OPT, 1, 200),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
