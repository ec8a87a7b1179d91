/*
 * op-libbin.c: a community library's bin over the protocol. A deleted
 * document waits 30 days (library.c sweeps it after); library.bin lists
 * what waits (a manager sees all of it, a member what they uploaded) and
 * library.undelete puts one back where it was, under its name, if that
 * name is still free there.
 */
#include <string.h>

#include "server.h"

#define LIBBIN_DAYS 30 /* as BIN_DAYS in library.c */

/* library.bin: the deleted documents of a community still in its bin. */
static int
op_library_bin(struct call *x)
{
	const char *slug = NULL;
	struct access a;
	sqlite3_stmt *st;
	json_t *docs;
	bool power;

	if (arg_str(x->args, "community", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (library_access_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	power = a.admin || a.role >= CROLE_MANAGER;
	docs = json_array();
	st = db_stmt(srv->db, "SELECT d.id, d.name, ifnull(f.name, ''), "
	    "(SELECT handle FROM members WHERE id = d.uploader_id), "
	    "(SELECT handle FROM members WHERE id = d.deleted_by), "
	    "d.deleted_at, d.deleted_at + ?4, ifnull((SELECT size FROM "
	    "library_versions WHERE document_id = d.id ORDER BY version DESC "
	    "LIMIT 1), 0), d.title FROM library_documents d LEFT JOIN "
	    "library_folders f ON f.id = d.folder_id WHERE "
	    "ifnull(d.community_id, 0) = ?1 "
	    "AND d.deleted_at IS NOT NULL AND d.deleted_at >= ?5 AND (?2 OR "
	    "d.uploader_id = ?3) ORDER BY d.deleted_at DESC, d.id DESC "
	    "LIMIT 500");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int(st, 2, power);
	sqlite3_bind_int64(st, 3, call_actor(x));
	sqlite3_bind_int64(st, 4, (int64_t)LIBBIN_DAYS * 86400);
	sqlite3_bind_int64(st, 5, now_unix() - (int64_t)LIBBIN_DAYS * 86400);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(docs, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:o, s:o, s:I, s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "name",
		    db_col_text(st, 1), "folder", db_col_text(st, 2),
		    "uploader", db_col_text(st, 3), "deleted_by",
		    db_col_text(st, 4), "deleted_at", db_col_json_time(st, 5),
		    "gone_at", db_col_json_time(st, 6), "size",
		    (json_int_t)sqlite3_column_int64(st, 7), "title",
		    db_col_text(st, 8)));
	sqlite3_reset(st);
	x->result = json_pack("{s:s, s:s, s:o, s:b, s:i}", "community", a.slug,
	    "community_name", a.name, "documents", docs, "all", power, "days",
	    LIBBIN_DAYS);
	return 0;
}

/* library.undelete: a document out of the bin (its uploader, managers). */
static int
op_library_undelete(struct call *x)
{
	json_int_t id;
	struct access a;
	sqlite3_stmt *st;
	int64_t cid, uploader, folder, deleted;
	char name[256], detail[400], path[1200];
	bool mo, power, taken;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT community_id, managers_only, name, "
	    "ifnull(uploader_id, 0), ifnull(folder_id, 0), deleted_at FROM "
	    "library_documents WHERE id = ? AND deleted_at IS NOT NULL");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document in the "
		    "bin.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	snprintf(name, sizeof name, "%s", db_col_text(st, 2));
	uploader = sqlite3_column_int64(st, 3);
	folder = sqlite3_column_int64(st, 4);
	deleted = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	if (deleted < now_unix() - (int64_t)LIBBIN_DAYS * 86400)
		return call_fail(x, ERR_NOT_FOUND, "No such document in the "
		    "bin.");
	if (library_access(x, cid, CA_READ, &a) != 0)
		return call_fail(x, ERR_NOT_FOUND, "No such document in the "
		    "bin.");
	power = a.admin || a.role >= CROLE_MANAGER;
	if (!power && (mo || uploader == 0 || uploader != call_actor(x)))
		return call_fail(x, ERR_FORBIDDEN, "Only who uploaded %s, or a "
		    "manager of %s, may take it out of the bin.", name,
		    a.name);
	if (!power && library_access(x, cid, CA_POST, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT 1 FROM library_documents WHERE "
	    "ifnull(community_id, 0) = ? AND ifnull(folder_id, 0) = ? AND "
	    "name = ? AND deleted_at IS NULL");
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, folder);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	taken = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (taken)
		return call_fail(x, ERR_CONFLICT, "A document named %s is "
		    "already there; rename or delete it first.", name);
	st = db_stmt(srv->db, "UPDATE library_documents SET deleted_at = NULL, "
	    "deleted_by = NULL, updated_at = ? WHERE id = ? AND deleted_at IS "
	    "NOT NULL");
	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_int64(st, 2, id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s: %s out of the bin", a.slug, name);
	if (audit_add(srv->db, &x->conn->member, "library.undelete", 0,
	    a.slug, detail) != 0)
		return call_db_fail(x);
	/* where it is now: its folder, or the top if that folder went */
	library_doc_path(id, a.slug, name, path, sizeof path);
	x->result = json_pack("{s:I, s:s, s:s, s:s}", "id", id, "name", name,
	    "community", a.slug, "path", path);
	return 0;
}

const struct op op_libbin_table[] = {
	{ "library.bin", OP_MEMBER, op_library_bin,
	    "The deleted documents of a community's library still in its "
	    "30-day bin {community}: all of them for its managers, a member's "
	    "own uploads for a member.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_REQ, 64)) },
	{ "library.undelete", OP_MEMBER | OP_WRITE, op_library_undelete,
	    "Take a document out of the bin {id}, back where it was under its "
	    "name (its uploader or a manager); refused if the name is taken.",
	    RATE_WRITE, ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
