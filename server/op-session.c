/*
 * op-session.c: who am I, and becoming a member: whoami and invite.redeem.
 */
#include <string.h>

#include "server.h"

static int
op_whoami(struct call *x)
{
	struct conn *c = x->conn;

	x->result = json_pack("{s:o, s:b, s:b, s:b}", "member",
	    c->member.id != 0 ? member_json(&c->member) : json_null(), "join",
	    c->join, "console", c->console, "guest", c->guest);
	zone_add(json_object_get(x->result, "member"), c->member.id);
	if (c->key.fp[0] != '\0')
		json_object_set_new(x->result, "key", json_string(c->key.fp));
	return 0;
}

/* Find a usable invite by code; fails the call with a clear reason. */
static int
invite_find(struct call *x, const char *code, int64_t *id, enum role *role,
    int64_t *community)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, role, community_id, expires_at, used_at, revoked_at "
	    "FROM invites WHERE code_hash = ?");
	char hash[65], when[32];
	int64_t expires;
	int rc;

	if (code_hash(code, hash) != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "That is not an invite code: codes look like "
		    "HRTH-XXXX-XXXX-XXXX.");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_fail(x, ERR_INTERNAL, "database error");
		return call_fail(x, ERR_NOT_FOUND,
		    "That invite code is not known. Check it with the person "
		    "who sent it.");
	}
	*id = sqlite3_column_int64(st, 0);
	if (role_parse(db_col_text(st, 1), role) != 0)
		*role = ROLE_MEMBER;
	*community = sqlite3_column_int64(st, 2);
	expires = sqlite3_column_int64(st, 3);
	rc = 0;
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		rc = call_fail(x, ERR_CONFLICT,
		    "That invite code has already been used. Ask for a new "
		    "one.");
	else if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		rc = call_fail(x, ERR_CONFLICT,
		    "That invite code was withdrawn. Ask for a new one.");
	else if (expires <= now_unix()) {
		time_iso8601(expires, when);
		rc = call_fail(x, ERR_CONFLICT,
		    "That invite code expired on %s. Ask for a new one.",
		    when);
	}
	sqlite3_reset(st);
	return rc;
}

/* Run a write statement that must succeed; fails the call otherwise. */
static int
step_done(struct call *x, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return call_fail(x, ERR_CONFLICT, "%s",
		    db_errmsg(srv->db));
	return call_fail(x, ERR_INTERNAL, "database error");
}

static int
op_invite_redeem(struct call *x)
{
	struct conn *c = x->conn;
	const char *code = NULL, *handle = NULL, *name = NULL;
	struct member m = { 0 };
	sqlite3_stmt *st;
	int64_t invite_id = 0, community = 0, member_id, now = now_unix();
	enum role role = ROLE_MEMBER;

	if (arg_str(x->args, "code", true, 64, &code, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "handle", true, 32, &handle, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "display_name", true, 80, &name, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!c->join || c->key.fp[0] == '\0')
		return call_fail(x, ERR_CONFLICT,
		    "You are already a member; connect as join with a new "
		    "key to redeem an invite.");
	if (!handle_valid(handle))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.handle must be 2-32 characters: lowercase letters "
		    "a-z, digits 0-9, '-' or '_', starting with a letter "
		    "(no spaces, capitals, accents, or Chinese, Japanese or "
		    "Korean characters; your name may use any)");
	if (*name == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.display_name must not be empty");
	if (utf8_check_arg("display_name", name, UTF8_NAME, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (invite_find(x, code, &invite_id, &role, &community) != 0)
		return -1;
	if (member_by_handle(srv->db, handle, &m) != 0) {
		member_clear(&m);
		return call_fail(x, ERR_CONFLICT,
		    "The handle '%s' is taken; choose another.", handle);
	}
	st = db_stmt(srv->db,
	    "INSERT INTO members (handle, display_name, role, created_at, "
	    "invite_id) VALUES (?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, invite_id);
	if (step_done(x, st) != 0)
		return -1;
	member_id = sqlite3_last_insert_rowid(srv->db);
	st = db_stmt(srv->db,
	    "INSERT INTO keys (member_id, fingerprint, key_type, public_key, "
	    "created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_text(st, 2, c->key.fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->key.type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->key.b64, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, now); /* in use now, as a device code's */
	if (step_done(x, st) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE invites SET used_by = ?, used_at = ? WHERE id = ? AND "
	    "used_at IS NULL");
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, invite_id);
	if (step_done(x, st) != 0)
		return -1;
	if (role == ROLE_ADMIN) {
		/* there is an admin now: the console's other first-admin
		 * invites (one a start of hearthd without an admin) go */
		st = db_stmt(srv->db, "UPDATE invites SET revoked_at = ? WHERE "
		    "role = 'admin' AND name = 'first admin' AND created_by "
		    "IS NULL AND used_at IS NULL AND revoked_at IS NULL");
		sqlite3_bind_int64(st, 1, now);
		if (step_done(x, st) != 0)
			return -1;
	}
	if (community != 0 &&
	    community_member_add(x, community, member_id, CROLE_MEMBER) != 0)
		return -1;
	if (member_by_id(srv->db, member_id, &m) != 1) {
		member_clear(&m);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	if (audit_add(srv->db, &m, "invite.redeem", m.id, m.handle,
	    c->key.fp) != 0) {
		member_clear(&m);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	/* The session continues as the new member. */
	member_clear(&c->member);
	c->member = m;
	c->join = false;
	log_info(c->id, "invite redeemed: new %s '%s'", role_name(role),
	    handle);
	x->result = json_pack("{s:o}", "member", member_json(&c->member));
	zone_add(json_object_get(x->result, "member"), c->member.id);
	return 0;
}

/*
 * invite.check: whether a code is a usable invite and whom it is for, so
 * the join form can fill in the name the inviter gave (the newcomer may
 * change it). Only a join session asks; the code stays unused.
 */
static int
op_invite_check(struct call *x)
{
	const char *code = NULL;
	int64_t invite_id = 0, community = 0;
	enum role role = ROLE_MEMBER;
	sqlite3_stmt *st;
	json_t *cname = json_null();

	if (arg_str(x->args, "code", true, 64, &code, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!x->conn->join)
		return call_fail(x, ERR_CONFLICT, "You are already a member.");
	if (invite_find(x, code, &invite_id, &role, &community) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT i.name, c.name FROM invites i LEFT "
	    "JOIN communities c ON c.id = i.community_id WHERE i.id = ?");
	sqlite3_bind_int64(st, 1, invite_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		cname = json_string(db_col_text(st, 1));
	x->result = json_pack("{s:s, s:s, s:o}", "name", db_col_text(st, 0),
	    "role", role_name(role), "community", cname);
	sqlite3_reset(st);
	return 0;
}

const struct op op_session_table[] = {
	{ "whoami", OP_ANY | OP_OPEN_ARGS, op_whoami,
	    "Who this session is: member (or null), join, console. Takes no "
	    "arguments and ignores any (a ping).", RATE_NONE, NO_ARGS },
	{ "invite.redeem", OP_JOIN | OP_WRITE, op_invite_redeem,
	    "Redeem an invite code: binds this session's key to a new "
	    "member with the invite's role.", RATE_WRITE,
	    ARGS(ARG_STR("code", ARG_REQ, 64), ARG_STR("handle", ARG_REQ, 32),
	    ARG_STR("display_name", ARG_REQ, 80)) },
	{ "invite.check", OP_JOIN, op_invite_check,
	    "Whether an invite {code} can be redeemed, and the name, role and "
	    "community it was made for (the join form fills the name in).",
	    RATE_WRITE, ARGS(ARG_STR("code", ARG_REQ, 64)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
