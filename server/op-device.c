/*
 * op-device.c: a member's devices, that is their SSH keys: the list (name,
 * fingerprint, last use), removing one, and one-time device codes that let
 * a new device add its key to the same member (device.redeem, from a join
 * session, as invite.redeem does for a new member). An admin or the
 * console makes a code for a member who lost every device
 * (admin.member.device_code). Codes are stored hashed, last
 * DEVICE_CODE_MINUTES and are used once; a member has at most one pending
 * code (a new one replaces it). Every change writes an audit row.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define DEVICE_CODE_MINUTES 15

/* The member acting: NULL for the console. */
static const struct member *
actor(struct call *x)
{
	return x->conn->console ? NULL : &x->conn->member;
}

/* A key's name as shown: its name, else its comment, else when added. */
static json_t *
key_name(sqlite3_stmt *st, int name_col, int comment_col, int added_col)
{
	char when[32];

	if (sqlite3_column_type(st, name_col) != SQLITE_NULL &&
	    db_col_text(st, name_col)[0] != '\0')
		return json_string(db_col_text(st, name_col));
	if (sqlite3_column_type(st, comment_col) != SQLITE_NULL &&
	    db_col_text(st, comment_col)[0] != '\0')
		return json_string(db_col_text(st, comment_col));
	time_iso8601(sqlite3_column_int64(st, added_col), when);
	return json_sprintf("key added %.10s", when);
}

static int
op_device_list(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, name, comment, fingerprint, key_type, created_at, "
	    "last_used_at FROM keys WHERE member_id = ? ORDER BY id");
	const char *mine = x->conn->key.fp;
	json_t *keys = json_array(), *code = json_null();
	int rc;

	sqlite3_bind_int64(st, 1, call_actor(x));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(keys, json_pack("{s:I, s:o, s:s, s:s, "
		    "s:o, s:o, s:b}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "name",
		    key_name(st, 1, 2, 5), "fingerprint", db_col_text(st, 3),
		    "type", db_col_text(st, 4), "added_at",
		    db_col_json_time(st, 5), "last_used_at",
		    db_col_json_time(st, 6), "current",
		    strcmp(mine, db_col_text(st, 3)) == 0));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(keys);
		return call_db_fail(x);
	}
	st = db_stmt(srv->db,
	    "SELECT code_hint, expires_at, name FROM device_codes "
	    "WHERE member_id = ? AND used_at IS NULL AND revoked_at IS NULL "
	    "AND expires_at > ? ORDER BY id DESC LIMIT 1");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_int64(st, 2, now_unix());
	if (sqlite3_step(st) == SQLITE_ROW)
		code = json_pack("{s:s, s:o, s:o}", "hint", db_col_text(st, 0),
		    "expires_at", db_col_json_time(st, 1), "name",
		    db_col_json_text(st, 2));
	sqlite3_reset(st);
	x->result = json_pack("{s:o, s:o}", "keys", keys, "pending_code",
	    code);
	return 0;
}

/* After a key is removed: end the sessions that signed in with it. */
struct key_gone {
	int64_t member_id;
	char fp[SSHKEY_FP_LEN];
};

static void
key_gone_apply(void *arg, bool committed)
{
	struct key_gone *g = arg;
	struct conn *c, *next;

	for (c = committed ? conn_first() : NULL; c != NULL; c = next) {
		next = c->next;
		if (c->member.id != g->member_id || c->closing ||
		    strcmp(c->key.fp, g->fp) != 0)
			continue;
		conn_event(c, "session.ended", json_pack("{s:s}", "message",
		    "The key of this device was removed from your Hearth "
		    "membership, so this session has ended. To use this "
		    "device again, make a device code on another device "
		    "(Profile, then Devices) and connect as join."));
		conn_close(c, "device key removed");
	}
	free(g);
}

static int
op_device_remove(struct call *x)
{
	json_int_t id = 0;
	bool confirm = false;
	sqlite3_stmt *st;
	char fp[SSHKEY_FP_LEN], *detail;
	struct key_gone *g;
	int64_t count;
	int rc;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "confirm", false, &confirm, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db,
	    "SELECT fingerprint, (SELECT count(*) FROM keys k2 WHERE "
	    "k2.member_id = k.member_id) FROM keys k WHERE id = ? AND "
	    "member_id = ?");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, call_actor(x));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
		    "You have no key %lld: see your devices again.",
		    (long long)id) : call_db_fail(x);
	}
	snprintf(fp, sizeof fp, "%s", db_col_text(st, 0));
	count = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (count <= 1)
		return call_fail(x, ERR_CONFLICT,
		    "This is your only key: without it you could not sign in "
		    "at all. Add your other device first (make a device "
		    "code), then remove this one.");
	if (strcmp(fp, x->conn->key.fp) == 0 && !confirm)
		return call_fail(x, ERR_CONFLICT,
		    "This is the key of the device you are using now: once it "
		    "is removed, this device cannot sign in again and this "
		    "session ends. Confirm to remove it.");
	st = db_stmt(srv->db, "DELETE FROM keys WHERE id = ? AND member_id = ?");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, call_actor(x));
	if (call_step(x, st) != 0)
		return -1;
	detail = xasprintf("fingerprint=%s", fp);
	rc = audit_add(srv->db, actor(x), "device.remove", call_actor(x),
	    x->conn->member.handle, detail);
	free(detail);
	if (rc != 0)
		return call_db_fail(x);
	g = xcalloc(1, sizeof *g);
	g->member_id = call_actor(x);
	snprintf(g->fp, sizeof g->fp, "%s", fp);
	outbox_fn(&x->out, key_gone_apply, g);
	outbox_member_event(&x->out, call_actor(x), "device.changed",
	    json_pack("{s:s, s:s}", "removed", fp, "fingerprint", fp));
	x->result = json_pack("{s:I, s:s, s:b}", "id", id, "fingerprint", fp,
	    "current", strcmp(fp, x->conn->key.fp) == 0);
	return 0;
}

/*
 * A new code for member m (made by actor; NULL: the console): the
 * member's pending codes are withdrawn, the code is stored hashed, an
 * audit row written. Fills the call's result.
 */
static int
device_code_make(struct call *x, const struct member *m, const char *name,
    const char *action)
{
	sqlite3_stmt *st;
	char code[CODE_LEN + 1], hash[65], when[32], line[400], *detail;
	int64_t now = now_unix(),
	    expires = now + DEVICE_CODE_MINUTES * 60;
	int rc;

	if (name != NULL && utf8_check_arg("name", name, UTF8_NAME, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (m->removed)
		return call_fail(x, ERR_CONFLICT, "@%s was removed from "
		    "Hearth: a device code would not let them in.",
		    m->handle);
	st = db_stmt(srv->db,
	    "UPDATE device_codes SET revoked_at = ? WHERE member_id = ? AND "
	    "used_at IS NULL AND revoked_at IS NULL");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, m->id);
	if (call_step(x, st) != 0)
		return -1;
	code_generate(code);
	if (code_hash(code, hash) != 0)
		return call_fail(x, ERR_INTERNAL, "could not make a code");
	st = db_stmt(srv->db,
	    "INSERT INTO device_codes (member_id, code_hash, code_hint, name, "
	    "created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, code + CODE_LEN - 4, -1, SQLITE_TRANSIENT);
	if (name != NULL && *name != '\0')
		sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	if (actor(x) != NULL)
		sqlite3_bind_int64(st, 5, actor(x)->id);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, expires);
	if (call_step(x, st) != 0)
		return -1;
	detail = xasprintf("hint=%s expires_in=%dm", code + CODE_LEN - 4,
	    DEVICE_CODE_MINUTES);
	rc = audit_add(srv->db, actor(x), action, m->id, m->handle, detail);
	free(detail);
	if (rc != 0)
		return call_db_fail(x);
	time_iso8601(expires, when);
	kbdint_connect_line(line, sizeof line);
	x->result = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "code", code,
	    "hint", code + CODE_LEN - 4, "handle", m->handle, "expires_at",
	    when, "minutes", DEVICE_CODE_MINUTES, "connect", line);
	return 0;
}

static int
op_device_code(struct call *x)
{
	const char *name = NULL;

	if (arg_str(x->args, "name", false, 60, &name, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	return device_code_make(x, &x->conn->member, name, "device.code");
}

static int
op_admin_code(struct call *x)
{
	const char *handle = NULL, *name = NULL;
	struct member m = { 0 };
	int rc;

	if (arg_str(x->args, "handle", true, 40, &handle, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "name", false, 60, &name, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	rc = member_by_handle(srv->db, handle, &m);
	if (rc != 1)
		return rc < 0 ? call_db_fail(x) : call_fail(x, ERR_NOT_FOUND,
		    "No member '%s'.", handle);
	rc = device_code_make(x, &m, name, "member.device_code");
	member_clear(&m);
	return rc;
}

/* Find a usable device code; fails the call with a clear reason. */
static int
device_code_find(struct call *x, const char *code, int64_t *id,
    int64_t *member_id, char **name)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, member_id, name, expires_at, used_at, revoked_at "
	    "FROM device_codes WHERE code_hash = ?");
	char hash[65], when[48];
	int64_t expires;
	int rc;

	if (code_hash(code, hash) != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "That is not a code: codes look like HRTH-XXXX-XXXX-XXXX.");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
		    "That is not a device code Hearth knows. Check it on "
		    "your other device.") : call_db_fail(x);
	}
	*id = sqlite3_column_int64(st, 0);
	*member_id = sqlite3_column_int64(st, 1);
	*name = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
	    xstrdup(db_col_text(st, 2));
	expires = sqlite3_column_int64(st, 3);
	rc = 0;
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		rc = call_fail(x, ERR_CONFLICT, "That device code has already "
		    "been used. Make a new one on your other device "
		    "(Profile, then Devices).");
	else if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		rc = call_fail(x, ERR_CONFLICT, "That device code was "
		    "replaced by a newer one. Use the newest code.");
	else if (expires <= now_unix()) {
		/* in its owner's time zone: they made it */
		zone_human(sqlite3_column_int64(st, 1), expires, when);
		rc = call_fail(x, ERR_CONFLICT, "That device code expired at "
		    "%s (codes last %d minutes). Make a new one on your "
		    "other device.", when, DEVICE_CODE_MINUTES);
	}
	sqlite3_reset(st);
	if (rc != 0) {
		free(*name);
		*name = NULL;
	}
	return rc;
}

static int
op_device_redeem(struct call *x)
{
	struct conn *c = x->conn;
	const char *code = NULL;
	struct member m = { 0 };
	sqlite3_stmt *st;
	int64_t id = 0, member_id = 0, now = now_unix();
	char *name = NULL, *detail;
	int rc;

	if (arg_str(x->args, "code", true, 64, &code, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!c->join || c->key.fp[0] == '\0')
		return call_fail(x, ERR_CONFLICT,
		    "This device is already signed in. Connect as join from "
		    "the new device to use a device code.");
	if (device_code_find(x, code, &id, &member_id, &name) != 0)
		return -1;
	rc = member_by_id(srv->db, member_id, &m);
	if (rc != 1 || m.removed) {
		free(name);
		member_clear(&m);
		return rc < 0 ? call_db_fail(x) : call_fail(x, ERR_CONFLICT,
		    "That membership was removed; the code cannot be used.");
	}
	/* One wins: a second redemption in the same turn finds it used. */
	st = db_stmt(srv->db,
	    "UPDATE device_codes SET used_at = ?, used_key = ? WHERE id = ? "
	    "AND used_at IS NULL AND revoked_at IS NULL");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, c->key.fp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	if (call_step(x, st) != 0) {
		free(name);
		member_clear(&m);
		return -1;
	}
	if (sqlite3_changes(srv->db) != 1) {
		free(name);
		member_clear(&m);
		return call_fail(x, ERR_CONFLICT,
		    "That device code has already been used.");
	}
	st = db_stmt(srv->db,
	    "INSERT INTO keys (member_id, fingerprint, key_type, public_key, "
	    "name, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, m.id);
	sqlite3_bind_text(st, 2, c->key.fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->key.type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->key.b64, -1, SQLITE_STATIC);
	if (name != NULL)
		sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(name);
	if (rc != SQLITE_DONE) {
		member_clear(&m);
		return rc == SQLITE_CONSTRAINT ? call_fail(x, ERR_CONFLICT,
		    "This key already belongs to a member.") :
		    call_db_fail(x);
	}
	detail = xasprintf("fingerprint=%s", c->key.fp);
	rc = audit_add(srv->db, &m, "device.redeem", m.id, m.handle, detail);
	free(detail);
	if (rc != 0) {
		member_clear(&m);
		return call_db_fail(x);
	}
	outbox_member_event(&x->out, m.id, "device.changed",
	    json_pack("{s:s, s:s}", "added", c->key.fp, "fingerprint",
	    c->key.fp));
	/* The session continues as the member. */
	member_clear(&c->member);
	c->member = m;
	c->join = false;
	log_info(c->id, "device code redeemed: a new key for '%s'", m.handle);
	x->result = json_pack("{s:o, s:s}", "member", member_json(&c->member),
	    "fingerprint", c->key.fp);
	zone_add(json_object_get(x->result, "member"), c->member.id);
	return 0;
}

/*
 * Note when a member's key was last used (at most once a minute). Logins
 * happen inside libssh's callbacks (perhaps during a write batch), where
 * no database work may run: the fingerprints wait here and a timer on the
 * loop writes them, as the server, in the group commit.
 */
#define KEYS_PENDING_MAX 1024
static char (*keys_pending)[SSHKEY_FP_LEN];
static size_t keys_npending;
static uv_timer_t keys_timer;
static bool keys_timer_started;

static int
key_used(struct call *x, void *arg)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "UPDATE keys SET last_used_at = ?1 WHERE fingerprint = ?2 AND "
	    "coalesce(last_used_at, 0) < ?1 - 60");
	size_t n = *(size_t *)arg;

	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, now_unix());
		sqlite3_bind_text(st, 2, keys_pending[i], -1, SQLITE_STATIC);
		if (call_step(x, st) != 0)
			return -1;
	}
	return 0;
}

static void
keys_flush(uv_timer_t *t)
{
	size_t n = keys_npending;

	(void)t;
	if (n == 0)
		return;
	dispatch_server("key last used", key_used, &n);
	keys_npending = 0;
}

void
device_key_used(const char *fp)
{
	if (srv->loop == NULL || keys_npending >= KEYS_PENDING_MAX)
		return; /* a later login notes it */
	if (keys_pending == NULL)
		keys_pending = xcalloc(KEYS_PENDING_MAX,
		    sizeof *keys_pending);
	snprintf(keys_pending[keys_npending++], SSHKEY_FP_LEN, "%s", fp);
	if (!keys_timer_started) {
		uv_timer_init(srv->loop, &keys_timer);
		uv_unref((uv_handle_t *)&keys_timer);
		keys_timer_started = true;
	}
	if (!uv_is_active((uv_handle_t *)&keys_timer))
		uv_timer_start(&keys_timer, keys_flush, 0, 0); /* next turn */
}

const struct op op_device_table[] = {
	{ "device.list", OP_MEMBER | OP_SELF, op_device_list,
	    "Your devices: each key with its name, fingerprint, when it was "
	    "added and last used, and whether it is this session's "
	    "(current); and the pending device code's hint, if any.",
	    RATE_READ, NO_ARGS },
	{ "device.remove", OP_MEMBER | OP_SELF | OP_WRITE, op_device_remove,
	    "Remove one of your keys {id, confirm?}: never the only one; the "
	    "key of this session only with confirm: true. Sessions signed in "
	    "with it end.", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("confirm", ARG_OPT)) },
	{ "device.code", OP_MEMBER | OP_SELF | OP_WRITE, op_device_code,
	    "A one-time device code for a new device {name?} (the name its "
	    "key gets), valid 15 minutes; returned once, stored hashed, and "
	    "it replaces your pending one.", RATE_WRITE,
	    ARGS(ARG_STR("name", ARG_OPT, 60)) },
	{ "device.redeem", OP_JOIN | OP_WRITE, op_device_redeem,
	    "From a join session: redeem a device code {code}, adding this "
	    "session's key to the member who made it; the session continues "
	    "as that member. not_found if it is no device code.", RATE_WRITE,
	    ARGS(ARG_STR("code", ARG_REQ, 64)) },
	{ "admin.member.device_code", OP_ADMIN | OP_WRITE, op_admin_code,
	    "A one-time device code for a member who lost every device "
	    "{handle, name?}: 15 minutes, replaces their pending one, "
	    "audited.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("handle", ARG_REQ, 40), ARG_STR("name", ARG_OPT, 60)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
