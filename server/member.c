/*
 * member.c: members, their keys, invites and the audit log: the rows every
 * identity decision reads. Callers own transactions; these only run
 * statements.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static const char *const role_names[] = { "member", "staff", "admin" };

const char *
role_name(enum role r)
{
	return role_names[r];
}

int
role_parse(const char *s, enum role *out)
{
	for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	}
	return -1;
}

void
member_clear(struct member *m)
{
	free(m->display_name);
	free(m->removed_reason);
	memset(m, 0, sizeof *m);
}

#define MEMBER_COLS                                                      \
	"m.id, m.handle, m.display_name, m.role, m.status, m.removed_at, " \
	"m.removed_reason, m.coc_accepted_at, m.coc_version"

/* Fill m from a row of MEMBER_COLS. */
static void
member_row(sqlite3_stmt *st, struct member *m)
{
	member_clear(m);
	m->id = sqlite3_column_int64(st, 0);
	snprintf(m->handle, sizeof m->handle, "%s", db_col_text(st, 1));
	m->display_name = xstrdup(db_col_text(st, 2));
	if (role_parse(db_col_text(st, 3), &m->role) != 0)
		m->role = ROLE_MEMBER;
	m->removed = strcmp(db_col_text(st, 4), "removed") == 0;
	m->removed_at = sqlite3_column_int64(st, 5);
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		m->removed_reason = xstrdup(db_col_text(st, 6));
	m->coc_accepted_at = sqlite3_column_int64(st, 7);
	m->coc_version = sqlite3_column_int64(st, 8);
}

/* Step a lookup statement: 1 found, 0 not, -1 error. */
static int
member_step(sqlite3_stmt *st, struct member *m)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		member_row(st, m);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
member_by_fingerprint(sqlite3 *db, const char *fp, struct member *m)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT " MEMBER_COLS " FROM keys k JOIN members m "
	    "ON m.id = k.member_id WHERE k.fingerprint = ?");

	sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
	return member_step(st, m);
}

int
member_by_handle(sqlite3 *db, const char *handle, struct member *m)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT " MEMBER_COLS " FROM members m WHERE m.handle = ?");

	sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
	return member_step(st, m);
}

int
member_by_id(sqlite3 *db, int64_t id, struct member *m)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT " MEMBER_COLS " FROM members m WHERE m.id = ?");

	sqlite3_bind_int64(st, 1, id);
	return member_step(st, m);
}

json_t *
member_json(const struct member *m)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)m->id,
	    "handle", m->handle, "display_name",
	    m->display_name != NULL ? m->display_name : "", "role",
	    role_name(m->role));
}

json_t *
member_removed_json(const struct member *m)
{
	char at[32];

	time_iso8601(m->removed_at, at);
	return json_pack("{s:s, s:s, s:s}", "handle", m->handle, "at", at,
	    "reason", m->removed_reason != NULL ? m->removed_reason : "");
}

bool
member_admin_exists(sqlite3 *db)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT 1 FROM members WHERE role = 'admin' AND status = 'active' "
	    "LIMIT 1");
	bool found = sqlite3_step(st) == SQLITE_ROW;

	sqlite3_reset(st);
	return found;
}

int
audit_add(sqlite3 *db, const struct member *actor, const char *action,
    int64_t target_id, const char *target, const char *detail)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO audit (at, actor_id, actor, action, target_id, "
	    "target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
	int rc;

	sqlite3_bind_int64(st, 1, now_unix());
	if (actor != NULL && actor->id != 0) {
		sqlite3_bind_int64(st, 2, actor->id);
		sqlite3_bind_text(st, 3, actor->handle, -1, SQLITE_STATIC);
	} else
		sqlite3_bind_text(st, 3, "console", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	if (target_id != 0)
		sqlite3_bind_int64(st, 5, target_id);
	if (target != NULL)
		sqlite3_bind_text(st, 6, target, -1, SQLITE_STATIC);
	if (detail != NULL)
		sqlite3_bind_text(st, 7, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t
invite_create(sqlite3 *db, const struct member *actor, const char *name,
    enum role role, int64_t community_id, int64_t ttl,
    char code[CODE_LEN + 1])
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO invites (code_hash, code_hint, name, role, "
	    "community_id, created_by, created_at, expires_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	char hash[65];
	int64_t now = now_unix(), id;
	int rc;

	code_generate(code);
	if (code_hash(code, hash) != 0)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, code + CODE_LEN - 4, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, role_name(role), -1, SQLITE_STATIC);
	if (community_id != 0)
		sqlite3_bind_int64(st, 5, community_id);
	if (actor != NULL && actor->id != 0)
		sqlite3_bind_int64(st, 6, actor->id);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, now + ttl);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	id = sqlite3_last_insert_rowid(db);
	if (audit_add(db, actor, "invite.create", 0, code + CODE_LEN - 4,
	    name) != 0)
		return -1;
	return id;
}
