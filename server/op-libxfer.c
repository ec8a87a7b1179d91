/*
 * op-libxfer.c: the native client's direct transfers to and from a
 * community's library, over the protocol (sftp.c serves sftp and scp the
 * same library). An upload is library.upload_begin, then its bytes in
 * order in library.upload_chunk calls (base64, at most LIBXFER_CHUNK bytes
 * each, so a line stays under PROTO_MAX_LINE), then library.upload_end,
 * which stores the version and answers once it is on the disk: only then
 * does the document appear. The rules and limits are library.c's, as for
 * sftp; a connection that goes away drops its uploads (nothing is kept).
 * library.download reads a document's bytes from an offset.
 */
#include <string.h>

#include "server.h"

#define LIBXFER_CHUNK 32768 /* bytes a chunk or a download carries */
#define LIBXFER_DATA_MAX 43692 /* its base64: (32768 / 3 + 1) * 4 */
#define LIBXFER_VERSION_MAX 1000000000
#define LIBXFER_PER_CONN 4 /* uploads one connection has under way */
#define LIBXFER_PATH_MAX 1024

struct xfer {
	struct conn *c;
	json_int_t token;
	struct lib_upload *u;
	int64_t community_id, folder_id;
	char name[256];
	struct xfer *next;
};
static struct xfer *xfers;
static json_int_t last_token;

/* conn.c: the connection is going; its uploads leave nothing behind. */
void
libxfer_conn_gone(struct conn *c)
{
	struct xfer **pp = &xfers, *t;

	while ((t = *pp) != NULL) {
		if (t->c != c) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		library_upload_abort(t->u);
		free(t);
	}
}

static struct xfer *
xfer_find(struct call *x, json_int_t token)
{
	for (struct xfer *t = xfers; t != NULL; t = t->next)
		if (t->c == x->conn && t->token == token)
			return t;
	return NULL;
}

/* The upload named by args.upload on this connection; fails the call
 * (NULL) otherwise. */
static struct xfer *
xfer_arg(struct call *x, json_int_t *token)
{
	struct xfer *t;

	if (arg_int(x->args, "upload", true, 1, INT64_MAX, token, x->msg,
	    sizeof x->msg) != 0) {
		call_bad(x);
		return NULL;
	}
	if ((t = xfer_find(x, *token)) == NULL)
		call_fail(x, ERR_NOT_FOUND, "No such upload under way on this "
		    "connection.");
	return t;
}

static void
xfer_drop(struct xfer *t, bool abort)
{
	struct xfer **pp = &xfers;

	while (*pp != NULL && *pp != t)
		pp = &(*pp)->next;
	if (*pp == t)
		*pp = t->next;
	if (abort)
		library_upload_abort(t->u);
	free(t);
}

static enum proto_err
lib_err(int rc)
{
	return rc == LIB_NOENT ? ERR_NOT_FOUND : rc == LIB_DENIED ?
	    ERR_FORBIDDEN : ERR_BAD_REQUEST;
}

/* library.upload_begin: a new document (or version) starts arriving. */
static int
op_upload_begin(struct call *x)
{
	const char *slug = NULL, *sub = "", *name = NULL;
	char path[LIBXFER_PATH_MAX + 80], canonp[LIBXFER_PATH_MAX + 82];
	char msg[256];
	struct lib_node dir;
	struct access a;
	struct xfer *t;
	int n = 0, rc;
	size_t sl;

	if (arg_str(x->args, "community", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "path", false,
	    LIBXFER_PATH_MAX, &sub, x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "name", true, 255, &name, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (library_access_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	snprintf(path, sizeof path, "/%s/%s", a.slug, sub);
	sl = strlen(a.slug);
	if (!sftp_canon(path, canonp, sizeof canonp) ||
	    strncmp(canonp + 1, a.slug, sl) != 0 ||
	    (canonp[sl + 1] != '\0' && canonp[sl + 1] != '/'))
		return call_fail(x, ERR_NOT_FOUND, "No such folder.");
	if (library_resolve(x->conn, canonp, &dir, msg, sizeof msg) != LIB_OK ||
	    (dir.kind != LIB_COMMUNITY && dir.kind != LIB_FOLDER))
		return call_fail(x, ERR_NOT_FOUND, "No such folder.");
	for (t = xfers; t != NULL; t = t->next)
		n += t->c == x->conn;
	if (n >= LIBXFER_PER_CONN)
		return call_fail(x, ERR_CONFLICT, "At most %d uploads at once "
		    "on one connection: finish one first.", LIBXFER_PER_CONN);
	t = xcalloc(1, sizeof *t);
	t->u = library_upload_begin(x->conn, &dir, name, &rc, msg,
	    sizeof msg);
	if (t->u == NULL) {
		free(t);
		return call_fail(x, lib_err(rc), "%s", msg);
	}
	t->c = x->conn;
	t->token = ++last_token;
	t->community_id = dir.community_id;
	t->folder_id = dir.kind == LIB_FOLDER ? dir.folder_id : 0;
	snprintf(t->name, sizeof t->name, "%s", name);
	t->next = xfers;
	xfers = t;
	x->result = json_pack("{s:I, s:i, s:I}", "upload", t->token,
	    "max_chunk", LIBXFER_CHUNK, "max_size",
	    (json_int_t)srv->cfg.library_max_file_mb * 1024 * 1024);
	return 0;
}

/* library.upload_chunk: the next bytes, in order. */
static int
op_upload_chunk(struct call *x)
{
	json_int_t token, off;
	const char *data = NULL;
	struct xfer *t;
	uint8_t *bytes;
	size_t n, dl;
	char msg[256];
	int rc;

	if (arg_int(x->args, "upload", true, 1, INT64_MAX, &token, x->msg,
	    sizeof x->msg) != 0 || arg_int(x->args, "offset", true, 0,
	    INT64_MAX, &off, x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "data", true, LIBXFER_DATA_MAX, &data,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if ((t = xfer_find(x, token)) == NULL)
		return call_fail(x, ERR_NOT_FOUND, "No such upload under way "
		    "on this connection.");
	dl = strlen(data);
	bytes = xmalloc(dl / 4 * 3 + 3);
	if (b64_decode(data, dl, bytes, &n) != 0) {
		free(bytes);
		return call_fail(x, ERR_BAD_REQUEST, "args.data: not base64 "
		    "(RFC 4648, padded); the upload goes on");
	}
	if (library_upload_stalled(t->u)) {
		free(bytes);
		return call_fail(x, ERR_RATE_LIMITED, "The server is still "
		    "storing the bytes before these; send this chunk again "
		    "in a moment (the upload goes on).");
	}
	rc = library_upload_write(t->u, (uint64_t)off, bytes, n, msg,
	    sizeof msg);
	free(bytes);
	if (rc == LIB_UNSUPPORTED)
		return call_fail(x, ERR_BAD_REQUEST, "%s", msg);
	if (rc != LIB_OK) {
		/* too large, the quota, or a store that failed: it is over */
		xfer_drop(t, true);
		return call_fail(x, strncmp(msg, "could not", 9) == 0 ?
		    ERR_UNAVAILABLE : ERR_TOO_LARGE, "%s; nothing was kept",
		    msg);
	}
	x->result = json_pack("{s:I, s:I}", "upload", token, "size",
	    (json_int_t)(off + (json_int_t)n));
	return 0;
}

struct ended {
	struct conn *c;
	json_int_t id;
	bool has_id;
	json_t *result;
};

static void
end_synced(void *arg, bool ok)
{
	struct ended *e = arg;

	if (ok)
		dispatch_reply_later(e->c, e->id, e->has_id, e->result, 0, NULL);
	else {
		json_decref(e->result);
		dispatch_reply_later(e->c, e->id, e->has_id, NULL,
		    ERR_UNAVAILABLE, "the upload could not be saved to the "
		    "disk; nothing was kept");
	}
	conn_release(e->c);
	free(e);
}

/* An upload_end waiting for its upload's last chunks to be stored. */
struct ending {
	struct conn *c;
	json_int_t id;
	bool has_id;
	int64_t community_id, folder_id;
	char name[256];
};

static void
end_stored(void *arg, int rc, const char *msg)
{
	struct ending *g = arg;
	struct ended *e;
	sqlite3_stmt *st;

	if (rc != LIB_OK) {
		dispatch_reply_later(g->c, g->id, g->has_id, NULL,
		    ERR_UNAVAILABLE, msg);
		conn_release(g->c);
		free(g);
		return;
	}
	e = xcalloc(1, sizeof *e);
	st = db_stmt(srv->db, "SELECT d.id, v.version, v.size, b.sha256 FROM "
	    "library_documents d JOIN library_versions v ON v.document_id = "
	    "d.id JOIN library_blobs b ON b.id = v.blob_id WHERE "
	    "ifnull(d.community_id, 0) = ? AND ifnull(d.folder_id, 0) = ? AND "
	    "d.name = ? AND d.deleted_at IS NULL ORDER BY v.version DESC "
	    "LIMIT 1");
	sqlite3_bind_int64(st, 1, g->community_id);
	sqlite3_bind_int64(st, 2, g->folder_id);
	sqlite3_bind_text(st, 3, g->name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		e->result = json_pack("{s:I, s:s, s:I, s:I, s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "name", g->name,
		    "version", (json_int_t)sqlite3_column_int64(st, 1), "size",
		    (json_int_t)sqlite3_column_int64(st, 2), "sha256",
		    db_col_text(st, 3));
	else
		e->result = json_pack("{s:s}", "name", g->name);
	sqlite3_reset(st);
	e->c = g->c; /* its hold passes to e */
	e->id = g->id;
	e->has_id = g->has_id;
	free(g);
	dispatch_after_sync(end_synced, e);
}

/* library.upload_end: the document (or its new version) is stored; the
 * answer comes once that is on the disk. */
static int
op_upload_end(struct call *x)
{
	json_int_t token;
	struct xfer *t;
	struct ending *g;
	struct lib_upload *u;

	if ((t = xfer_arg(x, &token)) == NULL)
		return -1;
	g = xcalloc(1, sizeof *g);
	g->c = x->conn;
	g->id = x->req->id;
	g->has_id = x->req->has_id;
	g->community_id = t->community_id;
	g->folder_id = t->folder_id;
	snprintf(g->name, sizeof g->name, "%s", t->name);
	conn_hold(g->c);
	u = t->u;
	t->u = NULL; /* finished or dropped either way */
	xfer_drop(t, false);
	library_upload_finish(u, end_stored, g);
	return 1;
}

/* library.upload_abort: nothing of it is kept. */
static int
op_upload_abort(struct call *x)
{
	json_int_t token;
	struct xfer *t;

	if ((t = xfer_arg(x, &token)) == NULL)
		return -1;
	xfer_drop(t, true);
	x->result = json_pack("{s:I}", "upload", token);
	return 0;
}

/* library.download: a document's bytes from offset (its newest version,
 * or version). */
static int
op_download(struct call *x)
{
	json_int_t id, off = 0, version = 0, length = LIBXFER_CHUNK;
	struct access a;
	sqlite3_stmt *st;
	int64_t cid, blob, size, ver;
	char sha[65], *b64;
	uint8_t *bytes;
	size_t got = 0;
	bool mo;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 || arg_int(x->args, "offset", false, 0,
	    INT64_MAX, &off, x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "version", false, 1, LIBXFER_VERSION_MAX,
	    &version, x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "length", false, 1, LIBXFER_CHUNK, &length,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT d.community_id, d.managers_only, "
	    "v.blob_id, v.size, v.version, b.sha256 FROM library_documents d "
	    "JOIN library_versions v ON v.document_id = d.id JOIN "
	    "library_blobs b ON b.id = v.blob_id WHERE d.id = ?1 AND "
	    "d.deleted_at IS NULL AND (?2 = 0 OR v.version = ?2) ORDER BY "
	    "v.version DESC LIMIT 1");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, version);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	}
	cid = sqlite3_column_int64(st, 0);
	mo = sqlite3_column_int(st, 1) != 0;
	blob = sqlite3_column_int64(st, 2);
	size = sqlite3_column_int64(st, 3);
	ver = sqlite3_column_int64(st, 4);
	snprintf(sha, sizeof sha, "%s", db_col_text(st, 5));
	sqlite3_reset(st);
	if (library_access(x, cid, CA_READ, &a) != 0 ||
	    library_hidden(&a, mo))
		return call_fail(x, ERR_NOT_FOUND, "No such document.");
	bytes = xmalloc((size_t)length);
	if (off < size && library_read(blob, (uint64_t)off, bytes,
	    (size_t)length, &got) != 0) {
		free(bytes);
		return call_db_fail(x);
	}
	b64 = xmalloc((got + 2) / 3 * 4 + 1);
	b64_encode(bytes, got, b64);
	free(bytes);
	x->result = json_pack("{s:I, s:I, s:I, s:s, s:I, s:s, s:b}", "id", id,
	    "version", (json_int_t)ver, "size", (json_int_t)size, "sha256",
	    sha, "offset", off, "data", b64, "eof",
	    off + (json_int_t)got >= size);
	free(b64);
	return 0;
}

const struct op op_libxfer_table[] = {
	{ "library.upload_begin", OP_MEMBER, op_upload_begin,
	    "Start uploading a document {community, path?, name} into a "
	    "folder of a community's library (the native client): the "
	    "upload's number, the largest chunk and the size limit.",
	    RATE_WRITE, ARGS(ARG_STR("community", ARG_REQ, 64),
	    ARG_STR("path", ARG_OPT, LIBXFER_PATH_MAX),
	    ARG_STR("name", ARG_REQ, 255)) },
	{ "library.upload_chunk", OP_MEMBER, op_upload_chunk,
	    "The next bytes of an upload {upload, offset, data} (base64, at "
	    "most 32 KiB decoded), in order from the start.", RATE_NONE,
	    ARGS(ARG_INT("upload", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("offset", ARG_REQ, 0, INT64_MAX),
	    ARG_STR("data", ARG_REQ, LIBXFER_DATA_MAX)) },
	{ "library.upload_end", OP_MEMBER | OP_ASYNC, op_upload_end,
	    "Finish an upload {upload}: the document (or its new version) "
	    "appears, and the answer comes once it is on the disk.",
	    RATE_WRITE, ARGS(ARG_INT("upload", ARG_REQ, 1, INT64_MAX)) },
	{ "library.upload_abort", OP_MEMBER, op_upload_abort,
	    "Give up an upload {upload}: nothing of it is kept.", RATE_WRITE,
	    ARGS(ARG_INT("upload", ARG_REQ, 1, INT64_MAX)) },
	{ "library.download", OP_MEMBER, op_download,
	    "A document's bytes {id, offset?, length?, version?} (base64, at "
	    "most 32 KiB a call), with its size and SHA-256.", RATE_NONE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("offset", ARG_OPT, 0, INT64_MAX),
	    ARG_INT("length", ARG_OPT, 1, LIBXFER_CHUNK),
	    ARG_INT("version", ARG_OPT, 1, LIBXFER_VERSION_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
