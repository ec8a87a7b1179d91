/*
 * op-community.c: communities as members see them.
 */
#include <string.h>

#include "server.h"

/* One community row: slug, name, purpose, visibility, policy, counts. */
json_t *
community_row_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "slug",
	    db_col_text(st, 1), "name", db_col_text(st, 2), "purpose",
	    db_col_text(st, 3), "visibility", db_col_text(st, 4),
	    "join_policy", db_col_text(st, 5), "members",
	    (json_int_t)sqlite3_column_int64(st, 6));

	json_object_set_new(o, "my_role", db_col_json_text(st, 7));
	return o;
}

static int
op_community_list(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT c.id, c.slug, c.name, c.purpose, c.visibility, "
	    "c.join_policy, "
	    "(SELECT count(*) FROM community_members cm "
	    " WHERE cm.community_id = c.id), "
	    "(SELECT role FROM community_members cm WHERE cm.community_id = "
	    " c.id AND cm.member_id = ?) "
	    "FROM communities c ORDER BY c.name COLLATE NOCASE");
	json_t *list = json_array();
	int rc;

	sqlite3_bind_int64(st, 1, x->conn->member.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, community_row_json(st));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	x->result = json_pack("{s:o}", "communities", list);
	return 0;
}

const struct op op_community_table[] = {
	{ "community.list", OP_MEMBER, op_community_list,
	    "Every community: name, purpose, visibility, join policy, member "
	    "count and your role in it (null when you are not a member)." },
	{ NULL, 0, NULL, NULL },
};
