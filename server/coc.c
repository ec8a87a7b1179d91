/*
 * coc.c: the code of conduct's versions. The association's admins set its
 * text (admin.coc.set); each change is a new row of coc_versions, and
 * version 0 is the text built into hearthd (op-community.c). A member may
 * write once they have accepted the current version (coc_accepted): the
 * checks in authz.c and the op-*.c files that write outside a community
 * all ask here.
 *
 * The current version is kept in memory. admin.coc.set changes it inside
 * the group transaction, so a write later in the same loop turn is already
 * refused, and a failed commit forgets it (it is read again).
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int64_t current = -1; /* -1: read it from the database */

int64_t
coc_version(void)
{
	sqlite3_stmt *st;

	if (current >= 0)
		return current;
	st = db_stmt(srv->db, "SELECT coalesce(max(version), 0) FROM "
	    "coc_versions");
	if (sqlite3_step(st) == SQLITE_ROW)
		current = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return current < 0 ? 0 : current;
}

bool
coc_accepted(const struct member *m)
{
	return m->coc_accepted_at != 0 && m->coc_version >= coc_version();
}

json_t *
coc_json(void)
{
	sqlite3_stmt *st;
	int64_t v = coc_version();
	json_t *o = NULL;

	if (v > 0) {
		st = db_stmt(srv->db, "SELECT c.body, c.created_at, "
		    "coalesce(m.handle, 'console') FROM coc_versions c LEFT JOIN "
		    "members m ON m.id = c.created_by WHERE c.version = ?");
		sqlite3_bind_int64(st, 1, v);
		if (sqlite3_step(st) == SQLITE_ROW)
			o = json_pack("{s:s, s:I, s:o, s:s}", "text",
			    db_col_text(st, 0), "version", (json_int_t)v,
			    "updated_at", db_col_json_time(st, 1), "updated_by",
			    db_col_text(st, 2));
		sqlite3_reset(st);
	}
	if (o == NULL)
		o = json_pack("{s:s, s:I, s:n, s:n}", "text",
		    community_coc_builtin(), "version", (json_int_t)0,
		    "updated_at", "updated_by");
	return o;
}

/* After the commit: a failed one leaves the version to be read again. */
static void
coc_set_done(void *arg, bool committed)
{
	(void)arg;
	if (!committed)
		current = -1;
}

int
coc_set(struct call *x, const struct member *actor, const char *body,
    bool *changed)
{
	json_t *cur = coc_json();
	sqlite3_stmt *st;
	int64_t v;
	char detail[64];

	*changed = strcmp(json_string_value(json_object_get(cur, "text")),
	    body) != 0;
	json_decref(cur);
	if (!*changed)
		return 0;
	v = coc_version() + 1;
	st = db_stmt(srv->db, "INSERT INTO coc_versions (version, body, "
	    "created_at, created_by) VALUES (?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, v);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_unix());
	if (actor != NULL && actor->id != 0)
		sqlite3_bind_int64(st, 4, actor->id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(detail, sizeof detail, "version=%lld", (long long)v);
	if (audit_add(srv->db, actor, "coc.set", 0, NULL, detail) != 0)
		return call_db_fail(x);
	/* later writes in this turn already need the new version */
	current = v;
	outbox_fn(&x->out, coc_set_done, NULL);
	return 0;
}
