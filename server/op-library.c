/*
 * op-library.c: a community's library over the protocol (library.c keeps
 * it; sftp.c serves it to sftp and scp): library.list, a folder's folders
 * and documents, and library.get, one document with its versions. Both
 * give the exact scp lines a member types on their own machine, since a
 * terminal login cannot reach the member's files.
 */
#include <string.h>

#include "server.h"

#define LIB_PATH_MAX 1024
#define LIB_VERSION_MAX 1000000000

/* "scp -P 2222 'pat@host:/students/notes.pdf' ." and the upload's. */
static char *
scp_get(const struct conn *c, const char *path)
{
	char host[256];
	int port = config_connect_host(&srv->cfg, host, sizeof host);
	const char *user = c->guest ? "guest" : c->member.id != 0 ?
	    c->member.handle : "HANDLE";

	if (port == 22)
		return xasprintf("scp '%s@%s:%s' .", user, host, path);
	return xasprintf("scp -P %d '%s@%s:%s' .", port, user, host, path);
}

static char *
scp_put(const struct conn *c, const char *dir)
{
	char host[256];
	int port = config_connect_host(&srv->cfg, host, sizeof host);
	const char *user = c->member.id != 0 ? c->member.handle : "HANDLE";

	if (port == 22)
		return xasprintf("scp FILE '%s@%s:%s/'", user, host, dir);
	return xasprintf("scp -P %d FILE '%s@%s:%s/'", port, user, host, dir);
}

/* The handle of a member id, or "". */
static json_t *
handle_of(sqlite3_stmt *st, int col)
{
	return json_string(db_col_text(st, col));
}

/* library.list: a folder of a community's library. */
static int
op_library_list(struct call *x)
{
	const char *slug = NULL, *sub = "";
	struct access a;
	struct lib_node dir;
	char path[LIB_PATH_MAX + 80], canonp[LIB_PATH_MAX + 82], msg[256];
	json_t *folders, *docs;
	sqlite3_stmt *st;
	int64_t folder;
	char *line;
	bool members;

	if (arg_str(x->args, "community", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "path", false,
	    LIB_PATH_MAX, &sub, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (library_access_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	snprintf(path, sizeof path, "/%s/%s", a.slug, sub);
	if (!sftp_canon(path, canonp, sizeof canonp) ||
	    strncmp(canonp + 1, a.slug, strlen(a.slug)) != 0 ||
	    (canonp[strlen(a.slug) + 1] != '\0' &&
	    canonp[strlen(a.slug) + 1] != '/'))
		return call_fail(x, ERR_NOT_FOUND, "No such folder.");
	if (library_resolve(x->conn, canonp, &dir, msg, sizeof msg) != LIB_OK ||
	    (dir.kind != LIB_COMMUNITY && dir.kind != LIB_FOLDER))
		return call_fail(x, ERR_NOT_FOUND, "No such folder.");
	folder = dir.kind == LIB_FOLDER ? dir.folder_id : 0;
	folders = json_array();
	st = db_stmt(srv->db, "SELECT name, created_at FROM library_folders "
	    "WHERE ifnull(community_id, 0) = ? AND ifnull(parent_id, 0) = ? "
	    "ORDER BY name");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, folder);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(folders, json_pack("{s:s, s:o}", "name",
		    db_col_text(st, 0), "created_at",
		    db_col_json_time(st, 1)));
	sqlite3_reset(st);
	docs = json_array();
	st = db_stmt(srv->db, "SELECT d.id, d.name, d.title, d.type, "
	    "v.size, (SELECT handle FROM members WHERE id = d.uploader_id), "
	    "v.created_at, v.version, d.managers_only, d.description, d.tags "
	    "FROM library_documents "
	    "d JOIN library_versions v ON v.document_id = d.id AND "
	    "v.version = (SELECT max(version) FROM library_versions WHERE "
	    "document_id = d.id) WHERE ifnull(d.community_id, 0) = ? AND "
	    "ifnull(d.folder_id, 0) = ? AND d.deleted_at IS NULL AND "
	    "(d.managers_only = 0 OR ?) ORDER BY d.name");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, folder);
	sqlite3_bind_int(st, 3, dir.power);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *full = xasprintf("%s/%s", canonp, db_col_text(st, 1));

		line = scp_get(x->conn, full);
		json_array_append_new(docs, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:I, s:o, s:o, s:I, s:b, s:s, s:s, s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "name",
		    db_col_text(st, 1), "title", db_col_text(st, 2), "type",
		    db_col_text(st, 3), "size",
		    (json_int_t)sqlite3_column_int64(st, 4), "uploader",
		    handle_of(st, 5), "updated_at", db_col_json_time(st, 6),
		    "versions", (json_int_t)sqlite3_column_int64(st, 7),
		    "managers_only", sqlite3_column_int(st, 8), "scp", line,
		    "description", db_col_text(st, 9), "tags",
		    db_col_text(st, 10)));
		free(line);
		free(full);
	}
	sqlite3_reset(st);
	members = library_members_add(a.community_id);
	x->result = json_pack("{s:s, s:s, s:o, s:o, s:b, s:s}", "community",
	    a.slug, "path", canonp, "folders", folders, "documents", docs,
	    "may_upload", !x->conn->guest && (a.admin || (a.community_id !=
	    0 && a.role >= (members ? CROLE_MEMBER : CROLE_LEADER))),
	    "upload_by", a.community_id == 0 ? "staff" : members ? "members" :
	    "leaders");
	json_object_set_new(x->result, "may_manage", json_boolean(a.admin ||
	    a.role >= CROLE_MANAGER));
	line = scp_put(x->conn, canonp);
	json_object_set_new(x->result, "upload", json_string(line));
	free(line);
	return 0;
}

/* The canonical path of a document (its folders up to the community). */
void
library_doc_path(int64_t doc, const char *slug, const char *name, char *out,
    size_t len)
{
	sqlite3_stmt *st = db_stmt(srv->db, "WITH RECURSIVE up(id, name, "
	    "depth) AS (SELECT f.id, f.name, 0 FROM library_folders f JOIN "
	    "library_documents d ON d.folder_id = f.id WHERE d.id = ?1 UNION "
	    "ALL SELECT f.parent_id, p.name, up.depth + 1 FROM up JOIN "
	    "library_folders f ON f.id = up.id JOIN library_folders p ON "
	    "p.id = f.parent_id WHERE up.depth < 64) SELECT name FROM up "
	    "ORDER BY depth DESC");
	size_t n = (size_t)snprintf(out, len, "/%s", slug);

	sqlite3_bind_int64(st, 1, doc);
	while (sqlite3_step(st) == SQLITE_ROW && n < len)
		n += (size_t)snprintf(out + n, len - n, "/%s",
		    db_col_text(st, 0));
	sqlite3_reset(st);
	if (n < len)
		snprintf(out + n, len - n, "/%s", name);
}

/* library.get: a document and its versions. */
static int
op_library_get(struct call *x)
{
	json_int_t id;
	struct access a;
	sqlite3_stmt *st;
	json_t *versions;
	char path[LIB_PATH_MAX * 2], *line;
	int64_t cid;
	bool mo;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT community_id, managers_only FROM "
	    "library_documents WHERE id = ? AND deleted_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	sqlite3_reset(st);
	if (library_access(x, cid, CA_READ, &a) != 0 ||
	    library_hidden(&a, mo))
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	versions = json_array();
	st = db_stmt(srv->db, "SELECT v.version, v.size, b.sha256, (SELECT "
	    "handle FROM members WHERE id = v.uploader_id), v.created_at FROM "
	    "library_versions v JOIN library_blobs b ON b.id = v.blob_id "
	    "WHERE v.document_id = ? ORDER BY v.version DESC");
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(versions, json_pack("{s:I, s:I, s:s, "
		    "s:o, s:o}", "version",
		    (json_int_t)sqlite3_column_int64(st, 0), "size",
		    (json_int_t)sqlite3_column_int64(st, 1), "sha256",
		    db_col_text(st, 2), "uploader", handle_of(st, 3),
		    "created_at", db_col_json_time(st, 4)));
	sqlite3_reset(st);
	st = db_stmt(srv->db, "SELECT name, title, description, tags, type, "
	    "(SELECT handle FROM members WHERE id = uploader_id), created_at, "
	    "updated_at FROM library_documents WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		json_decref(versions);
		return call_db_fail(x);
	}
	library_doc_path(id, a.slug, db_col_text(st, 0), path, sizeof path);
	line = scp_get(x->conn, path);
	x->result = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, "
	    "s:s, s:s, s:b, s:o, s:s}", "id", id, "name", db_col_text(st, 0),
	    "title", db_col_text(st, 1), "description", db_col_text(st, 2),
	    "tags", db_col_text(st, 3), "type", db_col_text(st, 4),
	    "uploader", handle_of(st, 5), "created_at",
	    db_col_json_time(st, 6), "updated_at", db_col_json_time(st, 7),
	    "community", a.slug, "path", path, "managers_only", mo,
	    "versions", versions, "scp", line);
	sqlite3_reset(st);
	free(line);
	return 0;
}

#define LIB_TEXT_MAX (256 * 1024) /* the text shown of a document */

/* library.text: the start of a plain-text or Markdown document, to read. */
static int
op_library_text(struct call *x)
{
	json_int_t id;
	struct access a;
	sqlite3_stmt *st;
	int64_t cid, blob, size;
	char name[256], type[80], *text;
	size_t got;
	bool mo;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT d.community_id, d.managers_only, d.name, "
	    "d.type, v.blob_id, v.size FROM library_documents d JOIN "
	    "library_versions v ON v.document_id = d.id AND v.version = "
	    "(SELECT max(version) FROM library_versions WHERE document_id = "
	    "d.id) WHERE d.id = ? AND d.deleted_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	snprintf(name, sizeof name, "%s", db_col_text(st, 2));
	snprintf(type, sizeof type, "%s", db_col_text(st, 3));
	blob = sqlite3_column_int64(st, 4);
	size = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	if (library_access(x, cid, CA_READ, &a) != 0 ||
	    library_hidden(&a, mo))
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	if (strncmp(type, "text/", 5) != 0)
		return call_fail(x, ERR_BAD_REQUEST, "%s is not text (%s): "
		    "fetch it with scp.", name, type);
	text = xmalloc(LIB_TEXT_MAX + 1);
	if (library_read(blob, 0, text, LIB_TEXT_MAX, &got) != 0) {
		free(text);
		return call_db_fail(x);
	}
	/* cut at the last whole character, and refuse what is not UTF-8 */
	while (got > 0 && !utf8_valid(text, got) && size > (int64_t)got &&
	    got > (size_t)LIB_TEXT_MAX - 4)
		got--;
	if (!utf8_valid(text, got)) {
		free(text);
		return call_fail(x, ERR_BAD_REQUEST, "%s is not UTF-8 text: "
		    "fetch it with scp.", name);
	}
	x->result = json_pack("{s:I, s:s, s:s, s:s%, s:b}", "id", id, "name",
	    name, "type", type, "text", text, got, "truncated",
	    size > (int64_t)got);
	free(text);
	return 0;
}

/* library.settings: who may add to the library (managers). */
static int
op_library_settings(struct call *x)
{
	const char *slug = NULL, *upload = NULL;
	struct access a;
	sqlite3_stmt *st;
	char detail[200];

	if (arg_str(x->args, "community", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "upload", true, 16,
	    &upload, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(upload, "members") != 0 && strcmp(upload, "leaders") != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.upload: members or "
		    "leaders");
	if (library_access_slug(x, slug, CA_MANAGE, &a) != 0)
		return -1;
	if (a.community_id == 0)
		return call_fail(x, ERR_BAD_REQUEST, "The platform library "
		    "always takes uploads from staff only.");
	st = db_stmt(srv->db, "UPDATE communities SET library_upload = ? "
	    "WHERE id = ?");
	sqlite3_bind_text(st, 1, upload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a.community_id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s: the library takes uploads from "
	    "%s", a.slug, upload);
	if (audit_add(srv->db, &x->conn->member, "library.settings", 0,
	    a.slug, detail) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:s, s:s}", "community", a.slug, "upload",
	    upload);
	return 0;
}

#define LIB_TITLE_MAX 200
#define LIB_DESC_MAX 2000

/* library.update: a document's title, description, tags, and whether only
 * managers see it (that last: managers only). */
static int
op_library_update(struct call *x)
{
	json_int_t id;
	const char *title = NULL, *desc = NULL, *tags = NULL;
	bool mo_new = false, mo, power;
	struct access a;
	sqlite3_stmt *st;
	int64_t cid, uploader;
	char name[256], detail[400];

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "title", false,
	    LIB_TITLE_MAX, &title, x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "description", false, LIB_DESC_MAX, &desc,
	    x->msg, sizeof x->msg) != 0 || arg_str(x->args, "tags", false,
	    LIB_TITLE_MAX, &tags, x->msg, sizeof x->msg) != 0 ||
	    arg_bool(x->args, "managers_only", false, &mo_new, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 || utf8_check_arg("description", desc,
	    UTF8_LINES, x->msg, sizeof x->msg) != 0 ||
	    utf8_check_arg("tags", tags, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT community_id, managers_only, name, "
	    "ifnull(uploader_id, 0) FROM library_documents WHERE id = ? AND "
	    "deleted_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	snprintf(name, sizeof name, "%s", db_col_text(st, 2));
	uploader = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	if (library_access(x, cid, CA_READ, &a) != 0 ||
	    library_hidden(&a, mo))
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	power = a.admin || a.role >= CROLE_MANAGER;
	if (!power && (uploader == 0 || uploader != call_actor(x)))
		return call_fail(x, ERR_FORBIDDEN, "Only who uploaded %s, or a "
		    "manager of %s, may change it.", name, a.name);
	if (!power && json_object_get(x->args, "managers_only") != NULL)
		return call_fail(x, ERR_FORBIDDEN, "Only managers of %s mark "
		    "documents for managers only.", a.name);
	if (!power && library_access(x, cid, CA_POST, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "UPDATE library_documents SET title = "
	    "coalesce(?, title), description = coalesce(?, description), "
	    "tags = coalesce(?, tags), managers_only = coalesce(?, "
	    "managers_only), updated_at = ? WHERE id = ?");
	sqlite3_clear_bindings(st); /* unbound: NULL, kept as it is */
	if (title != NULL)
		sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	if (desc != NULL)
		sqlite3_bind_text(st, 2, desc, -1, SQLITE_STATIC);
	if (tags != NULL)
		sqlite3_bind_text(st, 3, tags, -1, SQLITE_STATIC);
	if (json_object_get(x->args, "managers_only") != NULL)
		sqlite3_bind_int(st, 4, mo_new);
	sqlite3_bind_int64(st, 5, now_unix());
	sqlite3_bind_int64(st, 6, id);
	if (call_step(x, st) != 0)
		return -1;
	if (json_object_get(x->args, "managers_only") != NULL &&
	    mo_new != mo) {
		snprintf(detail, sizeof detail, "%s: %s %s", a.slug, name,
		    mo_new ? "for managers only" : "for every reader");
		if (audit_add(srv->db, &x->conn->member, "library.update", 0,
		    a.slug, detail) != 0)
			return call_db_fail(x);
	}
	x->result = json_pack("{s:I}", "id", id);
	return 0;
}

/*
 * Whether the caller may see document id (as the library shows it), its
 * community in a; fails the call with not_found when not, exactly as for
 * a document that does not exist.
 */
int
library_doc_visible(struct call *x, json_int_t id, struct access *a)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT community_id, "
	    "managers_only FROM library_documents WHERE id = ? AND "
	    "deleted_at IS NULL");
	int64_t cid;
	bool mo;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	sqlite3_reset(st);
	if (library_access(x, cid, CA_READ, a) != 0 || library_hidden(a, mo))
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	return 0;
}

/* library.restore: an older version becomes the newest (managers). */
static int
op_library_restore(struct call *x)
{
	json_int_t id, version;
	struct access a;
	sqlite3_stmt *st;
	int64_t cid, blob = 0, size = 0, next = 0;
	char name[256], detail[400];
	bool mo;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 || arg_int(x->args, "version", true, 1,
	    LIB_VERSION_MAX, &version, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT community_id, managers_only, name FROM "
	    "library_documents WHERE id = ? AND deleted_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	snprintf(name, sizeof name, "%s", db_col_text(st, 2));
	sqlite3_reset(st);
	if (library_access(x, cid, CA_READ, &a) != 0 ||
	    library_hidden(&a, mo))
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	if (library_access(x, cid, CA_MANAGE, &a) != 0)
		return call_fail(x, ERR_FORBIDDEN, "Only %s%s may restore an "
		    "older version.", cid == 0 ? "staff in " : "managers of ",
		    a.name);
	st = db_stmt(srv->db, "SELECT blob_id, size, (SELECT max(version) + 1 "
	    "FROM library_versions WHERE document_id = ?1) FROM "
	    "library_versions WHERE document_id = ?1 AND version = ?2");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, version);
	if (sqlite3_step(st) == SQLITE_ROW) {
		blob = sqlite3_column_int64(st, 0);
		size = sqlite3_column_int64(st, 1);
		next = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (blob == 0)
		return call_fail(x, ERR_NOT_FOUND, "%s has no version %lld.",
		    name, (long long)version);
	st = db_stmt(srv->db, "INSERT INTO library_versions (document_id, "
	    "version, blob_id, size, uploader_id, created_at) VALUES (?, ?, "
	    "?, ?, nullif(?, 0), ?)");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next);
	sqlite3_bind_int64(st, 3, blob);
	sqlite3_bind_int64(st, 4, size);
	sqlite3_bind_int64(st, 5, call_actor(x));
	sqlite3_bind_int64(st, 6, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "UPDATE library_documents SET updated_at = ? "
	    "WHERE id = ?");
	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_int64(st, 2, id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s: %s version %lld restored as %lld",
	    a.slug, name, (long long)version, (long long)next);
	if (audit_add(srv->db, &x->conn->member, "library.restore", 0, a.slug,
	    detail) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I, s:I}", "id", id, "version",
	    (json_int_t)next);
	return 0;
}

const struct op op_library_table[] = {
	{ "library.list", OP_MEMBER | OP_GUEST, op_library_list,
	    "A folder of a community's library {community, path?} "
	    "(community \"platform\": the platform's library): its "
	    "folders, its documents (size, uploader, versions) and the scp "
	    "lines to fetch each and to upload there.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_REQ, 64),
	    ARG_STR("path", ARG_OPT, LIB_PATH_MAX)) },
	{ "library.get", OP_MEMBER | OP_GUEST, op_library_get,
	    "A document {id}: its title, type, where it is, every version "
	    "(size, SHA-256, uploader, date) and the scp line to fetch it.",
	    RATE_READ, ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX)) },
	{ "library.text", OP_MEMBER | OP_GUEST, op_library_text,
	    "The text of a plain-text or Markdown document {id} (its first "
	    "256 KiB), to read on screen.", RATE_READ,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX)) },
	{ "library.update", OP_MEMBER | OP_WRITE, op_library_update,
	    "A document's title, description and tags {id, title?, "
	    "description?, tags?} (its uploader or a manager), and "
	    "managers_only? (managers: only they see it).", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, LIB_TITLE_MAX),
	    ARG_STR("description", ARG_OPT, LIB_DESC_MAX),
	    ARG_STR("tags", ARG_OPT, LIB_TITLE_MAX),
	    ARG_BOOL("managers_only", ARG_OPT)) },
	{ "library.settings", OP_MEMBER | OP_WRITE, op_library_settings,
	    "Who may add documents and folders to a community's library "
	    "{community, upload: members|leaders} (its managers).",
	    RATE_WRITE, ARGS(ARG_STR("community", ARG_REQ, 64),
	    ARG_STR("upload", ARG_REQ, 16)) },
	{ "library.restore", OP_MEMBER | OP_WRITE, op_library_restore,
	    "Make an older version of a document {id, version} its newest "
	    "(the community's managers); every version is kept.", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("version", ARG_REQ, 1, LIB_VERSION_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
