/*
 * op-admin.c: platform administration (hearthctl over the control socket,
 * or a platform admin's session): invites, members, keys, communities and
 * the audit log. Every change writes an audit row in the same transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The member acting: NULL for the console. */
static const struct member *
actor(struct call *x)
{
	return x->conn->console ? NULL : &x->conn->member;
}


/* Look up a member by args.handle; fails the call if absent. */
static int
arg_member(struct call *x, struct member *m)
{
	const char *handle = NULL;
	int rc;

	if (arg_str(x->args, "handle", true, 40, &handle, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	rc = member_by_handle(srv->db, handle, m);
	if (rc < 0)
		return call_db_fail(x);
	if (rc == 0)
		return call_fail(x, ERR_NOT_FOUND, "No member '%s'.", handle);
	return 0;
}

static int64_t
community_id_by_slug(const char *slug)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id FROM communities WHERE slug = ?");
	int64_t id = 0;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static int
op_invite_create(struct call *x)
{
	const char *name = NULL, *rolestr = "member", *slug = NULL,
	    *expires = "7d";
	char code[CODE_LEN + 1], when[32], connect[300];
	int64_t ttl, community = 0, id;
	enum role role;

	if (arg_str(x->args, "name", true, 120, &name, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "role", false, 16, &rolestr, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "expires", false, 16, &expires, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (*name == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.name must say who the invite is for");
	if (utf8_check_arg("name", name, UTF8_NAME, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (role_parse(rolestr, &role) != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.role must be admin, staff or member");
	ttl = parse_duration(expires);
	if (ttl <= 0 || ttl > 366LL * 86400)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.expires must be a duration like 90m, 12h, 7d or 2w "
		    "(at most a year)");
	if (slug != NULL && (community = community_id_by_slug(slug)) == 0)
		return call_fail(x, ERR_NOT_FOUND, "No community '%s'.", slug);
	if (role != ROLE_MEMBER && actor(x) != NULL &&
	    actor(x)->role != ROLE_ADMIN)
		return call_fail(x, ERR_FORBIDDEN,
		    "Only admins may invite staff or admins.");
	id = invite_create(srv->db, actor(x), name, role, community, ttl, code);
	if (id < 0)
		return call_db_fail(x);
	time_iso8601(now_unix() + ttl, when);
	config_connect_line(&srv->cfg, "join", connect, sizeof connect);
	x->result = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
	    (json_int_t)id, "code", code, "name", name, "role",
	    role_name(role), "expires_at", when, "connect", connect);
	json_object_set_new(x->result, "community",
	    slug != NULL ? json_string(slug) : json_null());
	return 0;
}

static int
op_invite_list(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT i.id, i.code_hint, i.name, i.role, c.slug, i.created_at, "
	    "i.expires_at, i.used_at, i.revoked_at, m.handle, "
	    "coalesce(cb.handle, 'console') "
	    "FROM invites i LEFT JOIN communities c ON c.id = i.community_id "
	    "LEFT JOIN members m ON m.id = i.used_by "
	    "LEFT JOIN members cb ON cb.id = i.created_by "
	    "WHERE ?1 OR (i.used_at IS NULL AND i.revoked_at IS NULL "
	    "AND i.expires_at > ?2) ORDER BY i.id DESC LIMIT 1000");
	json_t *list = json_array(), *o;
	bool all = false;
	int64_t now = now_unix();
	const char *status;
	int rc;

	if (arg_bool(x->args, "all", false, &all, x->msg, sizeof x->msg) != 0) {
		json_decref(list);
		return call_bad(x);
	}
	sqlite3_bind_int(st, 1, all);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			status = "used";
		else if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			status = "revoked";
		else if (sqlite3_column_int64(st, 6) <= now)
			status = "expired";
		else
			status = "pending";
		o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, "
		    "s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "hint",
		    db_col_text(st, 1), "name", db_col_text(st, 2), "role",
		    db_col_text(st, 3), "community", db_col_json_text(st, 4),
		    "created_at", db_col_json_time(st, 5), "expires_at",
		    db_col_json_time(st, 6), "status", status, "used_by",
		    db_col_json_text(st, 9), "created_by", db_col_text(st, 10));
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o}", "invites", list);
	return 0;
}

static int
op_invite_revoke(struct call *x)
{
	const char *code = NULL;
	json_int_t id = 0;
	char hash[65], hint[8];
	sqlite3_stmt *st;
	int rc;

	if (arg_str(x->args, "code", false, 64, &code, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "id", false, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if ((code == NULL) == (id == 0))
		return call_fail(x, ERR_BAD_REQUEST,
		    "give args.code or args.id (one of them)");
	if (code != NULL && code_hash(code, hash) != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.code is not an invite code (HRTH-XXXX-XXXX-XXXX)");
	st = db_stmt(srv->db,
	    "SELECT id, code_hint, used_at, revoked_at FROM invites "
	    "WHERE (?1 IS NOT NULL AND code_hash = ?1) OR id = ?2");
	if (code != NULL)
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
		    "No such invite.") : call_db_fail(x);
	}
	id = sqlite3_column_int64(st, 0);
	snprintf(hint, sizeof hint, "%s", db_col_text(st, 1));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		sqlite3_reset(st);
		return call_fail(x, ERR_CONFLICT,
		    "That invite has already been used.");
	}
	rc = sqlite3_column_type(st, 3) != SQLITE_NULL;
	sqlite3_reset(st);
	if (rc)
		return call_fail(x, ERR_CONFLICT,
		    "That invite was already revoked.");
	st = db_stmt(srv->db, "UPDATE invites SET revoked_at = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE ||
	    audit_add(srv->db, actor(x), "invite.revoke", 0, hint, NULL) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I, s:s}", "id", id, "hint", hint);
	return 0;
}

static int
op_member_list(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT m.handle, m.display_name, m.role, m.status, m.created_at, "
	    "(SELECT count(*) FROM keys k WHERE k.member_id = m.id), m.id "
	    "FROM members m ORDER BY m.handle");
	json_t *list = json_array(), *o;
	bool online;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		online = false;
		for (struct conn *c = conn_first(); c != NULL; c = c->next)
			if (c->member.id == sqlite3_column_int64(st, 6) &&
			    !c->closing)
				online = true;
		o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:b}", "handle",
		    db_col_text(st, 0), "display_name", db_col_text(st, 1),
		    "role", db_col_text(st, 2), "status", db_col_text(st, 3),
		    "created_at", db_col_json_time(st, 4), "keys",
		    (json_int_t)sqlite3_column_int64(st, 5), "online", online);
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o}", "members", list);
	return 0;
}

static int
op_member_show(struct call *x)
{
	struct member m = { 0 };
	sqlite3_stmt *st;
	json_t *keys, *comms, *o;

	if (arg_member(x, &m) != 0)
		return -1;
	o = member_json(&m);
	json_object_set_new(o, "status",
	    json_string(m.removed ? "removed" : "active"));
	if (m.removed)
		json_object_set_new(o, "removed", member_removed_json(&m));
	keys = json_array();
	st = db_stmt(srv->db,
	    "SELECT fingerprint, key_type, comment, created_at FROM keys "
	    "WHERE member_id = ? ORDER BY id");
	sqlite3_bind_int64(st, 1, m.id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(keys, json_pack("{s:s, s:s, s:o, s:o}",
		    "fingerprint", db_col_text(st, 0), "type",
		    db_col_text(st, 1), "comment", db_col_json_text(st, 2),
		    "added_at", db_col_json_time(st, 3)));
	sqlite3_reset(st);
	comms = json_array();
	st = db_stmt(srv->db,
	    "SELECT c.slug, c.name, cm.role, cm.joined_at FROM "
	    "community_members cm JOIN communities c ON c.id = "
	    "cm.community_id WHERE cm.member_id = ? ORDER BY c.slug");
	sqlite3_bind_int64(st, 1, m.id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(comms, json_pack("{s:s, s:s, s:s, s:o}",
		    "slug", db_col_text(st, 0), "name", db_col_text(st, 1),
		    "role", db_col_text(st, 2), "joined_at",
		    db_col_json_time(st, 3)));
	sqlite3_reset(st);
	json_object_set_new(o, "keys", keys);
	json_object_set_new(o, "communities", comms);
	x->result = json_pack("{s:o}", "member", o);
	member_clear(&m);
	return 0;
}

static int
op_member_remove(struct call *x)
{
	struct member m = { 0 };
	const char *reason = NULL;
	sqlite3_stmt *st;
	int rc;

	if (arg_str(x->args, "reason", true, 1000, &reason, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (*reason == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.reason is required: the member is told it");
	if (arg_member(x, &m) != 0)
		return -1;
	if (m.removed) {
		member_clear(&m);
		return call_fail(x, ERR_CONFLICT, "'%s' was already removed.",
		    x->args ? json_string_value(json_object_get(x->args,
		    "handle")) : "");
	}
	st = db_stmt(srv->db,
	    "UPDATE members SET status = 'removed', removed_at = ?, "
	    "removed_reason = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, m.id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE ||
	    audit_add(srv->db, actor(x), "member.remove", m.id, m.handle,
	    reason) != 0) {
		member_clear(&m);
		return call_db_fail(x);
	}
	m.removed = true;
	m.removed_at = now_unix();
	m.removed_reason = xstrdup(reason);
	/* Told by e-mail too, if they gave an address (op-email.c). */
	if (email_removed(x, m.id, reason) != 0) {
		member_clear(&m);
		return -1;
	}
	/* Live sessions end with the reason, once the removal is committed. */
	outbox_end_sessions(&x->out, m.id, member_removed_json(&m));
	x->result = json_pack("{s:o}", "removed", member_removed_json(&m));
	member_clear(&m);
	return 0;
}

static int
op_member_role(struct call *x)
{
	struct member m = { 0 };
	const char *rolestr = NULL;
	sqlite3_stmt *st;
	enum role role;
	int rc;

	if (arg_str(x->args, "role", true, 16, &rolestr, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (role_parse(rolestr, &role) != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.role must be admin, staff or member");
	if (arg_member(x, &m) != 0)
		return -1;
	st = db_stmt(srv->db, "UPDATE members SET role = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m.id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE ||
	    audit_add(srv->db, actor(x), "member.role", m.id, m.handle,
	    role_name(role)) != 0) {
		member_clear(&m);
		return call_db_fail(x);
	}
	/* Live sessions take the new role once it is committed; one that
	 * lost staff rights leaves the rooms it was only let into. */
	outbox_identity(&x->out, m.id);
	outbox_access(&x->out, 0, m.id);
	x->result = json_pack("{s:s, s:s, s:s}", "handle", m.handle, "role",
	    role_name(role), "was", role_name(m.role));
	member_clear(&m);
	return 0;
}

static int
op_member_key_add(struct call *x)
{
	struct member m = { 0 };
	struct sshkey_info ki;
	const char *line = NULL;
	char err[200];
	sqlite3_stmt *st;
	int rc;

	if (arg_str(x->args, "key", true, 16384, &line, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (sshkey_parse_line(line, &ki, err, sizeof err) != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.key: %s", err);
	if (arg_member(x, &m) != 0) {
		sshkey_info_clear(&ki);
		return -1;
	}
	st = db_stmt(srv->db,
	    "INSERT INTO keys (member_id, fingerprint, key_type, public_key, "
	    "comment, created_at) VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, m.id);
	sqlite3_bind_text(st, 2, ki.fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ki.type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ki.b64, -1, SQLITE_STATIC);
	if (ki.comment != NULL)
		sqlite3_bind_text(st, 5, ki.comment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now_unix());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		rc = call_fail(x, ERR_CONFLICT,
		    "That key (%s) already belongs to a member.", ki.fp);
	else if (rc != SQLITE_DONE ||
	    audit_add(srv->db, actor(x), "member.key_add", m.id, m.handle,
	    ki.fp) != 0)
		rc = call_db_fail(x);
	else {
		rc = 0;
		x->result = json_pack("{s:s, s:s, s:s}", "handle", m.handle,
		    "fingerprint", ki.fp, "type", ki.type);
	}
	sshkey_info_clear(&ki);
	member_clear(&m);
	return rc;
}

static int
op_community_create(struct call *x)
{
	const char *slug = NULL, *name = NULL, *vis = "private",
	    *policy = "request", *purpose = "", *criteria = "", *privacy = "",
	    *manager = NULL;
	struct member m = { 0 };
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if (arg_str(x->args, "slug", true, 40, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "name", true, 80, &name, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "visibility", false, 16, &vis, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "join_policy", false, 16, &policy, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "purpose", false, 4000, &purpose, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "criteria", false, 4000, &criteria, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "privacy", false, 4000, &privacy, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "manager", false, 40, &manager, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!slug_valid(slug))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.slug must be 2-40 characters: lowercase letters, "
		    "digits and '-', starting with a letter");
	if (library_is_platform(slug))
		return call_fail(x, ERR_CONFLICT, "The slug '%s' is reserved: "
		    "/%s is the platform library (over sftp and scp). Please "
		    "choose another.", slug, slug);
	if (*name == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.name must not be empty");
	if (utf8_check_arg("name", name, UTF8_NAME, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("purpose", purpose, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("criteria", criteria, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("privacy", privacy, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(vis, "private") != 0 && strcmp(vis, "platform") != 0 &&
	    strcmp(vis, "public") != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.visibility must be private, platform or public");
	if (strcmp(policy, "open") != 0 && strcmp(policy, "request") != 0 &&
	    strcmp(policy, "invite") != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.join_policy must be open, request or invite");
	if (manager != NULL) {
		rc = member_by_handle(srv->db, manager, &m);
		if (rc != 1 || m.removed) {
			member_clear(&m);
			return rc < 0 ? call_db_fail(x) : call_fail(x, ERR_NOT_FOUND,
			    "No member '%s' to make manager.", manager);
		}
	}
	st = db_stmt(srv->db,
	    "INSERT INTO communities (slug, name, purpose, criteria, "
	    "privacy, visibility, join_policy, created_at) "
	    "VALUES (?,?,?,?,?,?,?,?)");
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, criteria, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, privacy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, vis, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, policy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now_unix());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT) {
		member_clear(&m);
		return call_fail(x, ERR_CONFLICT,
		    "A community with slug '%s' already exists.", slug);
	}
	id = sqlite3_last_insert_rowid(srv->db);
	if (rc != SQLITE_DONE ||
	    audit_add(srv->db, actor(x), "community.create", 0, slug,
	    name) != 0) {
		member_clear(&m);
		return call_db_fail(x);
	}
	/* The pinned welcome and introductions threads, and the manager. */
	if (community_seed_threads(x, id) != 0 ||
	    (m.id != 0 && community_member_add(x, id, m.id,
	    CROLE_MANAGER) != 0)) {
		member_clear(&m);
		return -1;
	}
	if (m.id != 0) {
		char *detail = xasprintf("community=%s role=manager", slug);

		rc = audit_add(srv->db, actor(x), "community.set_role", m.id,
		    m.handle, detail);
		free(detail);
		if (rc != 0) {
			member_clear(&m);
			return call_db_fail(x);
		}
	}
	x->result = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id",
	    (json_int_t)id, "slug", slug, "name", name, "visibility", vis,
	    "join_policy", policy, "manager", m.id != 0 ?
	    json_string(m.handle) : json_null());
	member_clear(&m);
	return 0;
}

static int
op_audit(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT a.at, a.actor, a.action, a.target, a.detail, a.id, "
	    "t.handle FROM audit a LEFT JOIN members t ON t.id = a.target_id "
	    "WHERE (?1 IS NULL OR a.target_id = ?1 OR a.actor_id = ?1) "
	    "AND a.id < ?3 ORDER BY a.id DESC LIMIT ?2");
	struct member m = { 0 };
	json_int_t limit = 100, before = INT64_MAX, last = 0;
	json_t *list, *o;
	int rc;

	if (arg_int(x->args, "limit", false, 1, 10000, &limit, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (json_object_get(x->args, "handle") != NULL &&
	    arg_member(x, &m) != 0)
		return -1;
	if (m.id != 0)
		sqlite3_bind_int64(st, 1, m.id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, before);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* member: the member acted on, whatever else target names */
		o = json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 5), "at",
		    db_col_json_time(st, 0), "actor", db_col_text(st, 1),
		    "action", db_col_text(st, 2), "target",
		    db_col_json_text(st, 3), "detail", db_col_json_text(st, 4),
		    "member", db_col_json_text(st, 6));
		json_array_append_new(list, o);
		last = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	member_clear(&m);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	/* next: the cursor for the older page, while a full page came */
	x->result = json_pack("{s:o, s:o}", "audit", list, "next",
	    (json_int_t)json_array_size(list) == limit && last > 1 ?
	    json_integer(last) : json_null());
	return 0;
}

/*
 * Bring a removed member back: their status is active again and nothing
 * of theirs was lost (posts, keys, communities were kept by the removal).
 */
static int
op_member_reinstate(struct call *x)
{
	struct member m = { 0 };
	const char *reason = "";
	sqlite3_stmt *st;

	if (arg_str(x->args, "reason", false, 1000, &reason, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("reason", reason, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (arg_member(x, &m) != 0)
		return -1;
	if (!m.removed) {
		call_fail(x, ERR_CONFLICT, "'%s' is not removed.", m.handle);
		member_clear(&m);
		return -1;
	}
	st = db_stmt(srv->db,
	    "UPDATE members SET status = 'active', removed_at = NULL, "
	    "removed_reason = NULL WHERE id = ?");
	sqlite3_bind_int64(st, 1, m.id);
	if (call_step(x, st) != 0) {
		member_clear(&m);
		return -1;
	}
	if (audit_add(srv->db, actor(x), "member.reinstate", m.id, m.handle,
	    *reason != '\0' ? reason : NULL) != 0) {
		member_clear(&m);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:s, s:o}", "handle", m.handle, "status",
	    "active", "was_removed", member_removed_json(&m));
	member_clear(&m);
	return 0;
}

/*
 * Every community as the platform's admins see them: its member count, the
 * managers by handle (none: the community is flagged), pending requests.
 */
static int
op_community_list(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT c.slug, c.name, c.visibility, c.join_policy, c.created_at, "
	    "(SELECT count(*) FROM community_members cm JOIN members m ON "
	    " m.id = cm.member_id WHERE cm.community_id = c.id AND m.status = "
	    " 'active'), "
	    "(SELECT group_concat(m.handle, ' ') FROM community_members cm "
	    " JOIN members m ON m.id = cm.member_id WHERE cm.community_id = "
	    " c.id AND cm.role = 'manager' AND m.status = 'active'), "
	    "(SELECT count(*) FROM join_requests r WHERE r.community_id = c.id "
	    " AND r.status = 'pending') "
	    "FROM communities c ORDER BY c.slug");
	json_t *list = json_array(), *managers;
	const char *mg;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		managers = json_array();
		mg = db_col_text(st, 6);
		while (*mg != '\0') {
			size_t n = strcspn(mg, " ");
			json_array_append_new(managers, json_stringn(mg, n));
			mg += n + (mg[n] == ' ');
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:o, s:I, s:o, s:b, s:I}", "slug", db_col_text(st, 0),
		    "name", db_col_text(st, 1), "visibility",
		    db_col_text(st, 2), "join_policy", db_col_text(st, 3),
		    "created_at", db_col_json_time(st, 4), "members",
		    (json_int_t)sqlite3_column_int64(st, 5), "managers",
		    managers, "no_manager", json_array_size(managers) == 0,
		    "pending_requests",
		    (json_int_t)sqlite3_column_int64(st, 7)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o}", "communities", list);
	return 0;
}

/* A new version of the code of conduct; members accept it to write. */
static int
op_coc_set(struct call *x)
{
	const char *body = NULL;
	bool changed;

	if (arg_str(x->args, "body", true, 32000, &body, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("body", body, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (body[strspn(body, " \t\r\n")] == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.body must hold the code of conduct's text");
	if (coc_set(x, actor(x), body, &changed) != 0)
		return -1;
	x->result = json_pack("{s:I, s:b}", "version",
	    (json_int_t)coc_version(), "changed", changed);
	return 0;
}

struct sweep_counts sweep_counts;

static int
op_status(struct call *x)
{
	bool reset = false, histogram = false;
	struct fanout_stats *fo;
	sqlite3_stmt *st;
	size_t n = 0;

	for (struct conn *c = conn_first(); c != NULL; c = c->next)
		n++;
	x->result = json_pack("{s:s, s:i, s:I, s:I, s:s, s:{s:f, s:I, s:I}}",
	    "version", HEARTH_VERSION, "schema", db_schema_version(srv->db),
	    "conns", (json_int_t)n, "ssh_sessions", (json_int_t)sshd_count(),
	    "data", srv->cfg.data_dir, "loop_lag", "max_ms",
	    lag_stats.max_us / 1000.0, "over_10ms",
	    (json_int_t)lag_stats.over_10ms, "ticks",
	    (json_int_t)lag_stats.ticks);
	if (arg_bool(x->args, "reset_lag", false, &reset, x->msg,
	    sizeof x->msg) != 0 || arg_bool(x->args, "histogram", false,
	    &histogram, x->msg, sizeof x->msg) != 0) {
		json_decref(x->result);
		x->result = NULL;
		return call_bad(x);
	}
	fo = room_fanout_stats();
	json_object_set_new(x->result, "room_fanout", json_pack("{s:I, s:f, "
	    "s:f, s:f, s:f}", "count", (json_int_t)fo->count, "p50_ms",
	    fanout_pct(fo, 50), "p99_ms", fanout_pct(fo, 99), "p999_ms",
	    fanout_pct(fo, 99.9), "max_ms", fo->max_us / 1000.0));
	if (histogram) {
		/* [upper bound in µs, count] of each 10 µs bucket used, so a
		 * benchmark can pool phases measured one after another */
		json_t *h = json_array();

		for (size_t i = 0; i <= FANOUT_BUCKETS; i++)
			if (fo->bucket[i] > 0)
				json_array_append_new(h, json_pack("[I, I]",
				    (json_int_t)(i == FANOUT_BUCKETS ?
				    fo->max_us : (i + 1) * 10),
				    (json_int_t)fo->bucket[i]));
		json_object_set_new(json_object_get(x->result,
		    "room_fanout"), "histogram", h);
	}
	json_object_set_new(x->result, "sweeps", json_pack("{s:I, s:I, s:I}",
	    "polls", (json_int_t)sweep_counts.polls, "reminders",
	    (json_int_t)sweep_counts.reminders, "outreach",
	    (json_int_t)outreach_sweeps));
	json_object_set_new(json_object_get(x->result, "sweeps"), "surveys",
	    json_integer((json_int_t)survey_sweeps));
	json_object_set_new(json_object_get(x->result, "sweeps"), "roadmap",
	    json_integer((json_int_t)sweep_counts.roadmap));
	/* What the writer connection really does (config: synchronous). */
	st = db_stmt(srv->db, "PRAGMA synchronous");
	json_object_set_new(x->result, "synchronous", json_string(
	    walsync_active() ? "FULL" : /* synced off the loop */
	    sqlite3_step(st) != SQLITE_ROW ? "unknown" :
	    sqlite3_column_int(st, 0) == 0 ? "OFF" :
	    sqlite3_column_int(st, 0) == 1 ? "NORMAL" :
	    sqlite3_column_int(st, 0) == 2 ? "FULL" : "EXTRA"));
	sqlite3_reset(st);
	if (walsync_active()) {
		uint64_t syncs, max_us, total_us;

		walsync_stats(&syncs, &max_us, &total_us, reset);
		json_object_set_new(x->result, "wal_sync", json_pack(
		    "{s:I, s:f, s:f}", "count", (json_int_t)syncs, "mean_ms",
		    syncs ? total_us / 1000.0 / syncs : 0.0, "max_ms",
		    max_us / 1000.0));
	}
	{
		uint64_t jobs, busy_us, queued;

		libwrite_stats(&jobs, &busy_us, &queued);
		json_object_set_new(x->result, "library_writer", json_pack(
		    "{s:I, s:f, s:I, s:I}", "jobs", (json_int_t)jobs,
		    "busy_ms", busy_us / 1000.0, "queued", (json_int_t)queued,
		    "writes_waited", (json_int_t)dispatch_gate_deferrals()));
	}
	if (reset) {
		memset(&lag_stats, 0, sizeof lag_stats);
		memset(fo, 0, sizeof *fo);
	}
	return 0;
}

const struct op op_admin_table[] = {
	{ "admin.status", OP_ADMIN, op_status,
	    "Server version, schema version, connection counts, loop lag "
	    "(worst lateness of a 10 ms tick) and room fan-out time "
	    "({reset_lag: true} restarts both; {histogram: true} adds the "
	    "fan-out's 10 µs buckets).", RATE_EXPENSIVE,
	    ARGS(ARG_BOOL("reset_lag", ARG_OPT), ARG_BOOL("histogram",
	    ARG_OPT)) },
	{ "admin.invite.create", OP_ADMIN | OP_WRITE, op_invite_create,
	    "Create an invite {name, role?, community?, expires?}; the code is "
	    "returned once and stored only hashed.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("name", ARG_REQ, 120), ARG_STR("role", ARG_OPT, 16),
	    ARG_STR("community", ARG_OPT, 64),
	    ARG_STR("expires", ARG_OPT, 16)) },
	{ "admin.invite.list", OP_ADMIN, op_invite_list,
	    "Pending invites, or all of them with {all: true}.",
	    RATE_EXPENSIVE, ARGS(ARG_BOOL("all", ARG_OPT)) },
	{ "admin.invite.revoke", OP_ADMIN | OP_WRITE, op_invite_revoke,
	    "Withdraw an unused invite by {code} or {id}.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("code", ARG_OPT, 64),
	    ARG_INT("id", ARG_OPT, 1, INT64_MAX)) },
	{ "admin.member.list", OP_ADMIN, op_member_list,
	    "Every member with role, status and whether they are online.",
	    RATE_EXPENSIVE, NO_ARGS },
	{ "admin.member.show", OP_ADMIN, op_member_show,
	    "One member {handle}: keys, communities, removal.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("handle", ARG_REQ, 40)) },
	{ "admin.member.remove", OP_ADMIN | OP_WRITE, op_member_remove,
	    "Remove a member {handle, reason}; their sessions end and they are "
	    "told the reason whenever they connect.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("handle", ARG_REQ, 40),
	    ARG_STR("reason", ARG_REQ, 1000)) },
	{ "admin.member.role", OP_ADMIN | OP_WRITE, op_member_role,
	    "Set a member's platform role {handle, role}.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("handle", ARG_REQ, 40),
	    ARG_STR("role", ARG_REQ, 16)) },
	{ "admin.member.key_add", OP_ADMIN | OP_WRITE, op_member_key_add,
	    "Add an SSH public key {handle, key: \"ssh-ed25519 AAAA...\"}.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("handle", ARG_REQ, 40),
	    ARG_STR("key", ARG_REQ, 16384)) },
	{ "admin.community.create", OP_ADMIN | OP_WRITE, op_community_create,
	    "Create a community {slug, name, visibility?, join_policy?, "
	    "purpose?, criteria?, privacy?, manager?} with its pinned Welcome "
	    "and Introductions threads.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("slug", ARG_REQ, 40), ARG_STR("name", ARG_REQ, 80),
	    ARG_STR("visibility", ARG_OPT, 16),
	    ARG_STR("join_policy", ARG_OPT, 16),
	    ARG_STR("purpose", ARG_OPT, 4000),
	    ARG_STR("criteria", ARG_OPT, 4000),
	    ARG_STR("privacy", ARG_OPT, 4000),
	    ARG_STR("manager", ARG_OPT, 40)) },
	{ "admin.audit", OP_ADMIN, op_audit,
	    "The audit log, newest first {handle?, limit?, before?}: each row "
	    "with its id, and member (the member acted on); next is the "
	    "before of the older page.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("handle", ARG_OPT, 40),
	    ARG_INT("limit", ARG_OPT, 1, 10000),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ "admin.member.reinstate", OP_ADMIN | OP_WRITE, op_member_reinstate,
	    "Bring a removed member back {handle, reason?}, with everything "
	    "they had: posts, keys, communities.", RATE_EXPENSIVE,
	    ARGS(ARG_STR("handle", ARG_REQ, 40),
	    ARG_STR("reason", ARG_OPT, 1000)) },
	{ "admin.community.list", OP_ADMIN, op_community_list,
	    "Every community with its member count, managers (no_manager: "
	    "none) and pending join requests.", RATE_EXPENSIVE, NO_ARGS },
	{ "admin.coc.set", OP_ADMIN | OP_WRITE, op_coc_set,
	    "A new version of the code of conduct {body} (Markdown); every "
	    "member accepts it before writing again. The same text changes "
	    "nothing.", RATE_EXPENSIVE, ARGS(ARG_STR("body", ARG_REQ, 32000)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
