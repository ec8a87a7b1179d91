/*
 * library.c: each community's library of folders and documents, stored in
 * the one database (schema 019). A document's versions name contents
 * (library_blobs), one row per distinct SHA-256, whose bytes are chunks of
 * at most LIBRARY_CHUNK bytes, read with incremental blob I/O so nothing
 * holds a whole file.
 *
 * An upload arrives into a blob of its own with no hash (invisible: no
 * version names it), a chunk per transaction as its bytes fill one,
 * hashed and stored by libwrite.c's thread (at most UPLOAD_AHEAD chunks
 * waiting, then the sender waits: library_upload_busy); once every chunk
 * is stored, the hash (or, for a content already kept, the switch to that
 * blob) and the new version are one transaction on the loop, so a
 * document appears with its last byte or not at all. Uploads a crash or a
 * dropped client left are deleted (library_upload_abort, library_start).
 *
 * Who may: read as the community's threads (a community one may not read
 * is "no such file", as a missing path); upload and make folders as one
 * who may start threads there; delete, rename or remove folders as the
 * uploader or maker, a manager or an admin. Documents marked managers-only
 * exist only for managers and admins.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* the plain SHA256_* calls */
#include <string.h>

#include <openssl/sha.h>

#include "server.h"

#define BIN_DAYS 30

/* ---- names and who may ---- */

int
library_name_check(const char *name, char *msg, size_t len)
{
	size_t n = strlen(name);
	uint32_t bad;

	if (n == 0) {
		snprintf(msg, len, "a name cannot be empty");
		return -1;
	}
	if (n > 255) {
		snprintf(msg, len, "names are at most 255 bytes (this one has "
		    "%zu)", n);
		return -1;
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		snprintf(msg, len, "'.' and '..' cannot be names");
		return -1;
	}
	if (strchr(name, '/') != NULL) {
		snprintf(msg, len, "a name cannot contain '/'");
		return -1;
	}
	if (utf8_check(name, n, UTF8_LINE, &bad) != 0) {
		snprintf(msg, len, "names must be UTF-8 without control "
		    "characters; this one has %s (U+%04X)", utf8_refusal(bad),
		    (unsigned)bad);
		return -1;
	}
	return 0;
}

/* The asker's standing in a community for act; msg says why not. */
static int
lib_access(struct conn *who, int64_t community_id, enum cact act,
    struct access *a, char *msg, size_t len)
{
	struct call x;

	memset(&x, 0, sizeof x);
	x.conn = who;
	if (library_access(&x, community_id, act, a) == 0)
		return 0;
	snprintf(msg, len, "%s", x.msg);
	return -1;
}

static bool
lib_power(const struct access *a)
{
	return a->admin || a->role >= CROLE_MANAGER;
}

/* ---- finding things ---- */

/* The platform library's time: its newest change (or now, when empty). */
static int64_t
platform_mtime(void)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT max(updated_at) FROM "
	    "library_documents WHERE community_id IS NULL");
	int64_t t = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return t != 0 ? t : now_unix();
}

/* The folder or document called name in (community, folder); LIB_NOENT. */
static int
lookup_child(struct lib_node *n, int64_t community_id, int64_t folder_id,
    const char *name, bool power)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, created_by, created_at FROM library_folders WHERE "
	    "ifnull(community_id, 0) = ?1 AND ifnull(parent_id, 0) = ?2 AND "
	    "name = ?3");
	int rc;

	sqlite3_bind_int64(st, 1, community_id);
	sqlite3_bind_int64(st, 2, folder_id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n->kind = LIB_FOLDER;
		n->folder_id = sqlite3_column_int64(st, 0);
		n->owner_id = sqlite3_column_int64(st, 1);
		n->mtime = sqlite3_column_int64(st, 2);
		n->size = 0;
		n->doc_id = n->blob_id = 0;
		snprintf(n->name, sizeof n->name, "%s", name);
		sqlite3_reset(st);
		return LIB_OK;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return LIB_FAIL;
	st = db_stmt(srv->db,
	    "SELECT d.id, d.uploader_id, v.blob_id, v.size, v.created_at "
	    "FROM library_documents d JOIN library_versions v ON "
	    "v.document_id = d.id AND v.version = (SELECT max(version) FROM "
	    "library_versions WHERE document_id = d.id) WHERE "
	    "ifnull(d.community_id, 0) = ?1 AND ifnull(d.folder_id, 0) = ?2 "
	    "AND d.name = ?3 AND d.deleted_at IS NULL AND "
	    "(d.managers_only = 0 OR ?4)");
	sqlite3_bind_int64(st, 1, community_id);
	sqlite3_bind_int64(st, 2, folder_id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, power);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n->kind = LIB_DOC;
		n->doc_id = sqlite3_column_int64(st, 0);
		n->owner_id = sqlite3_column_int64(st, 1);
		n->blob_id = sqlite3_column_int64(st, 2);
		n->size = sqlite3_column_int64(st, 3);
		n->mtime = sqlite3_column_int64(st, 4);
		n->folder_id = folder_id;
		snprintf(n->name, sizeof n->name, "%s", name);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return LIB_OK;
	return rc == SQLITE_DONE ? LIB_NOENT : LIB_FAIL;
}

int
library_resolve(struct conn *who, const char *path, struct lib_node *n,
    char *msg, size_t len)
{
	char part[256];
	const char *p = path, *e;
	struct access a;
	sqlite3_stmt *st;
	int rc, depth = 0;

	memset(n, 0, sizeof *n);
	n->kind = LIB_ROOT;
	snprintf(n->name, sizeof n->name, "/");
	snprintf(msg, len, "No such file");
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			return LIB_OK;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > 255)
			return LIB_NOENT; /* no name is longer */
		memcpy(part, p, (size_t)(e - p));
		part[e - p] = '\0';
		p = e;
		if (n->kind == LIB_DOC)
			return LIB_NOENT; /* below a document */
		if (n->kind == LIB_ROOT && library_is_platform(part)) {
			if (lib_access(who, 0, CA_READ, &a, msg, len) != 0) {
				snprintf(msg, len, "No such file");
				return LIB_NOENT;
			}
			n->kind = LIB_COMMUNITY; /* community_id 0 */
			n->power = lib_power(&a);
			n->mtime = platform_mtime();
			snprintf(n->name, sizeof n->name, "%s", part);
			continue;
		}
		if (n->kind == LIB_ROOT) {
			st = db_stmt(srv->db,
			    "SELECT id, created_at FROM communities WHERE "
			    "slug = ?");
			sqlite3_bind_text(st, 1, part, -1, SQLITE_TRANSIENT);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				n->community_id = sqlite3_column_int64(st, 0);
				n->mtime = sqlite3_column_int64(st, 1);
			}
			sqlite3_reset(st);
			if (rc != SQLITE_ROW)
				return rc == SQLITE_DONE ? LIB_NOENT : LIB_FAIL;
			/* Not readable: exactly as if it did not exist. */
			if (lib_access(who, n->community_id, CA_READ, &a, msg,
			    len) != 0) {
				snprintf(msg, len, "No such file");
				return LIB_NOENT;
			}
			n->kind = LIB_COMMUNITY;
			n->power = lib_power(&a);
			snprintf(n->name, sizeof n->name, "%s", part);
			continue;
		}
		if (++depth > 64)
			return LIB_NOENT;
		rc = lookup_child(n, n->community_id,
		    n->kind == LIB_FOLDER ? n->folder_id : 0, part, n->power);
		if (rc != LIB_OK) {
			if (rc == LIB_FAIL)
				snprintf(msg, len, "database error");
			return rc;
		}
	}
}

/* ---- listing ---- */

static void
list_platform(void (*fn)(void *, const struct lib_node *), void *arg)
{
	struct lib_node e;

	memset(&e, 0, sizeof e);
	e.kind = LIB_COMMUNITY;
	e.mtime = platform_mtime();
	snprintf(e.name, sizeof e.name, "%s", LIBRARY_PLATFORM);
	fn(arg, &e);
}

int
library_list(struct conn *who, const struct lib_node *dir,
    void (*fn)(void *, const struct lib_node *), void *arg, char *msg,
    size_t len)
{
	struct lib_node e;
	struct access pa;
	sqlite3_stmt *st;
	char *sql;
	bool plat;
	int rc;

	if (dir->kind == LIB_DOC) {
		snprintf(msg, len, "Not a folder");
		return LIB_FAIL;
	}
	if (dir->kind == LIB_ROOT) {
		sql = xasprintf("SELECT id, slug, created_at FROM communities "
		    "WHERE id IN (%s) ORDER BY slug", authz_readable_sql(who));
		rc = sqlite3_prepare_v2(srv->db, sql, -1, &st, NULL);
		free(sql);
		if (rc != SQLITE_OK) {
			snprintf(msg, len, "database error");
			return LIB_FAIL;
		}
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":me"),
		    who->member.id);
		plat = lib_access(who, 0, CA_READ, &pa, msg, len) == 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (plat && strcmp(db_col_text(st, 1),
			    LIBRARY_PLATFORM) > 0) {
				plat = false; /* /platform, in name order */
				list_platform(fn, arg);
			}
			memset(&e, 0, sizeof e);
			e.kind = LIB_COMMUNITY;
			e.community_id = sqlite3_column_int64(st, 0);
			snprintf(e.name, sizeof e.name, "%s",
			    db_col_text(st, 1));
			e.mtime = sqlite3_column_int64(st, 2);
			fn(arg, &e);
		}
		sqlite3_finalize(st);
		if (plat && rc == SQLITE_DONE)
			list_platform(fn, arg);
		return rc == SQLITE_DONE ? LIB_OK : LIB_FAIL;
	}
	st = db_stmt(srv->db,
	    "SELECT 0, id, name, created_by, created_at, 0, 0 FROM "
	    "library_folders WHERE ifnull(community_id, 0) = ?1 AND "
	    "ifnull(parent_id, 0) = ?2 "
	    "UNION ALL "
	    "SELECT 1, d.id, d.name, d.uploader_id, v.created_at, v.size, "
	    "v.blob_id FROM library_documents d JOIN library_versions v ON "
	    "v.document_id = d.id AND v.version = (SELECT max(version) FROM "
	    "library_versions WHERE document_id = d.id) WHERE "
	    "ifnull(d.community_id, 0) = ?1 AND ifnull(d.folder_id, 0) = ?2 "
	    "AND d.deleted_at IS NULL AND (d.managers_only = 0 OR ?3) "
	    "ORDER BY 3");
	sqlite3_bind_int64(st, 1, dir->community_id);
	sqlite3_bind_int64(st, 2, dir->kind == LIB_FOLDER ? dir->folder_id : 0);
	sqlite3_bind_int(st, 3, dir->power);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof e);
		e.community_id = dir->community_id;
		e.power = dir->power;
		if (sqlite3_column_int(st, 0) == 0) {
			e.kind = LIB_FOLDER;
			e.folder_id = sqlite3_column_int64(st, 1);
		} else {
			e.kind = LIB_DOC;
			e.doc_id = sqlite3_column_int64(st, 1);
			e.folder_id = dir->kind == LIB_FOLDER ?
			    dir->folder_id : 0;
			e.size = sqlite3_column_int64(st, 5);
			e.blob_id = sqlite3_column_int64(st, 6);
		}
		snprintf(e.name, sizeof e.name, "%s", db_col_text(st, 2));
		e.owner_id = sqlite3_column_int64(st, 3);
		e.mtime = sqlite3_column_int64(st, 4);
		fn(arg, &e);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(msg, len, "database error");
		return LIB_FAIL;
	}
	return LIB_OK;
}

/* ---- reading ---- */

int
library_read(int64_t blob_id, uint64_t off, void *out, size_t len,
    size_t *got)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, length(data) FROM library_chunks WHERE blob_id = ? "
	    "AND seq = ?");
	sqlite3_blob *b;
	int64_t row, clen;
	size_t n, at;
	int rc;

	*got = 0;
	while (len > 0) {
		sqlite3_bind_int64(st, 1, blob_id);
		sqlite3_bind_int64(st, 2, (int64_t)(off / LIBRARY_CHUNK));
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			return rc == SQLITE_DONE ? 0 : -1; /* the end */
		}
		row = sqlite3_column_int64(st, 0);
		clen = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		at = (size_t)(off % LIBRARY_CHUNK);
		if ((int64_t)at >= clen)
			return 0;
		n = (size_t)clen - at;
		if (n > len)
			n = len;
		if (sqlite3_blob_open(srv->db, "main", "library_chunks", "data",
		    row, 0, &b) != SQLITE_OK)
			return -1;
		rc = sqlite3_blob_read(b, (char *)out + *got, (int)n, (int)at);
		sqlite3_blob_close(b);
		if (rc != SQLITE_OK)
			return -1;
		*got += n;
		off += n;
		len -= n;
		if ((int64_t)(at + n) < LIBRARY_CHUNK)
			return 0; /* a short chunk is the last */
	}
	return 0;
}

/* ---- uploads ---- */

struct lib_upload {
	struct conn *who;
	int64_t dup_blob; /* its arriving copy, when the content was kept */
	int64_t community_id, folder_id;
	char name[256];
	int64_t blob_id;
	uint64_t size; /* bytes taken so far */
	int64_t chunks; /* chunks stored */
	int64_t queued; /* chunks handed to the writer thread */
	int inflight; /* of them, not stored yet */
	int64_t used; /* the community's library at the start, in bytes */
	uint64_t max_file, quota;
	SHA256_CTX sha; /* the writer thread's while chunks are in flight */
	uint8_t *chunk; /* LIBRARY_CHUNK bytes: the one being filled */
	size_t fill;
	bool failed;
	bool aborted; /* dropped while chunks were in flight */
	bool power; /* a manager: may add a version of anyone's document */
	char err[256];
	/* told when a chunk is stored (the sender may go on) */
	void (*ready)(void *);
	void *ready_arg;
	/* library_upload_finish's, once every chunk is stored */
	void (*finished)(void *, int rc, const char *msg);
	void *finished_arg;
	struct lib_upload *next, *prev; /* the uploads under way */
};
/* Chunks an upload may have waiting for the writer thread (1 MiB). */
#define UPLOAD_AHEAD 4
static struct lib_upload *uploads;

/* Take u into, or out of, the list of uploads under way. */
static void
upload_link(struct lib_upload *u, bool in)
{
	if (in) {
		u->prev = NULL;
		u->next = uploads;
		if (uploads != NULL)
			uploads->prev = u;
		uploads = u;
		return;
	}
	if (u->prev != NULL)
		u->prev->next = u->next;
	else if (uploads == u)
		uploads = u->next;
	if (u->next != NULL)
		u->next->prev = u->prev;
	u->next = u->prev = NULL;
}

/*
 * Copies to drop: an upload whose content was already kept leaves its own
 * copy, and an abandoned upload its bytes. Deleting tens of MiB in one
 * transaction would hold the loop (and every room) for a quarter of a
 * second: libwrite.c's thread drops them a MiB at a time. Until it is
 * done the blob is in drops (the orphan sweep leaves it alone); a crash
 * meanwhile leaves an orphan the sweep at start removes.
 */
static int64_t *drops;
static size_t ndrops;

static void
drop_done(struct lw_job *j)
{
	for (size_t i = 0; i < ndrops; i++)
		if (drops[i] == j->blob_id) {
			memmove(drops + i, drops + i + 1, (ndrops - i - 1) *
			    sizeof *drops);
			ndrops--;
			break;
		}
	free(j);
}

static void
drop_later(int64_t blob)
{
	struct lw_job *j = xcalloc(1, sizeof *j);

	drops = xrealloc(drops, (ndrops + 1) * sizeof *drops);
	drops[ndrops++] = blob;
	j->kind = LW_DROP;
	j->blob_id = blob;
	j->done = drop_done;
	libwrite_submit(j);
}

/*
 * Arriving contents no upload under way owns: left by a crash, or when an
 * upload's own clean-up could not be saved (a full disk). Deleted as the
 * next upload starts, in its transaction, and by the hourly sweep.
 */
static int
sweep_orphans(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db, "DELETE FROM library_blobs WHERE "
	    "sha256 IS NULL AND id NOT IN (SELECT value FROM json_each(?))");
	json_t *live = json_array();
	char *ids;
	int rc;

	for (struct lib_upload *u = uploads; u != NULL; u = u->next)
		json_array_append_new(live, json_integer(u->blob_id));
	for (size_t i = 0; i < ndrops; i++) /* going a few chunks a turn */
		json_array_append_new(live, json_integer(drops[i]));
	ids = json_dumps(live, JSON_COMPACT);
	json_decref(live);
	sqlite3_bind_text(st, 1, ids, -1, SQLITE_TRANSIENT);
	free(ids);
	rc = call_step(x, st);
	if (rc == 0 && sqlite3_changes(srv->db) > 0)
		log_info(0, "library: dropped %d unfinished uploads left "
		    "behind", sqlite3_changes(srv->db));
	return rc;
}

/* Bytes the community's library takes: each distinct content once,
 * arriving uploads included. The platform's (0) counts the arriving
 * contents of no community: its own, and for a moment a copy on its way
 * out (drop_later). */
static int64_t
community_used(int64_t community_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT ifnull((SELECT sum(size) FROM library_blobs WHERE id IN "
	    "(SELECT v.blob_id FROM library_versions v JOIN "
	    "library_documents d ON d.id = v.document_id WHERE "
	    "ifnull(d.community_id, 0) = ?1)), 0) + ifnull((SELECT sum(size) "
	    "FROM library_blobs WHERE sha256 IS NULL AND "
	    "ifnull(community_id, 0) = ?1), 0)");
	int64_t n = 0;

	sqlite3_bind_int64(st, 1, community_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static int
begin_fn(struct call *x, void *arg)
{
	struct lib_upload *u = arg;
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO library_blobs (sha256, size, community_id, "
	    "created_at) VALUES (NULL, 0, nullif(?, 0), ?)");

	if (sweep_orphans(x) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, u->community_id);
	sqlite3_bind_int64(st, 2, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	u->blob_id = sqlite3_last_insert_rowid(srv->db);
	return 0;
}

bool
library_members_add(int64_t community_id)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT library_upload = 'members' "
	    "FROM communities WHERE id = ?");
	bool yes = true;

	sqlite3_bind_int64(st, 1, community_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return yes;
}

/* May who put things (documents, folders) into dir? */
static int
may_add(struct conn *who, const struct lib_node *dir, struct access *a,
    char *msg, size_t len)
{
	if (dir->kind == LIB_ROOT) {
		snprintf(msg, len, "Only community folders are at the top "
		    "level, one for each community you can read: put "
		    "documents inside one, as /COMMUNITY/NAME");
		return LIB_DENIED;
	}
	if (dir->kind == LIB_DOC) {
		snprintf(msg, len, "%s is a document, not a folder",
		    dir->name);
		return LIB_FAIL;
	}
	if (lib_access(who, dir->community_id, CA_POST, a, msg, len) != 0)
		return LIB_DENIED;
	if (!a->admin && a->role < CROLE_LEADER &&
	    !library_members_add(dir->community_id)) {
		snprintf(msg, len, "In %s only leaders and managers add to the "
		    "library.", a->name);
		return LIB_DENIED;
	}
	return LIB_OK;
}

/*
 * May who add a version of the document old (the same name) in dir? Its
 * uploader and managers may; a managers-only one is, to everyone else, a
 * name they cannot use (they may not know it is there).
 */
static int
may_version(struct conn *who, const struct access *a,
    const struct lib_node *old, const struct lib_node *dir, char *msg,
    size_t len)
{
	struct lib_node seen;

	if (lib_power(a))
		return LIB_OK;
	memset(&seen, 0, sizeof seen);
	if (lookup_child(&seen, dir->community_id, dir->kind == LIB_FOLDER ?
	    dir->folder_id : 0, old->name, false) != LIB_OK) {
		snprintf(msg, len, "The name %s cannot be used in this folder; "
		    "choose another name.", old->name);
		return LIB_DENIED;
	}
	if (old->owner_id == 0 || old->owner_id != who->member.id) {
		snprintf(msg, len, "%s is already in the library: only who "
		    "uploaded it, or %s, may add a new version; choose "
		    "another name.", old->name, dir->community_id == 0 ?
		    "staff" : "a manager of the community");
		return LIB_DENIED;
	}
	return LIB_OK;
}

struct lib_upload *
library_upload_begin(struct conn *who, const struct lib_node *dir,
    const char *name, int *rc, char *msg, size_t len)
{
	struct lib_upload *u;
	struct lib_node old;
	struct access a;

	if ((*rc = may_add(who, dir, &a, msg, len)) != LIB_OK)
		return NULL;
	if (library_name_check(name, msg, len) != 0) {
		*rc = LIB_FAIL;
		return NULL;
	}
	memset(&old, 0, sizeof old);
	if (lookup_child(&old, dir->community_id, dir->kind == LIB_FOLDER ?
	    dir->folder_id : 0, name, true) == LIB_OK) {
		if (old.kind == LIB_FOLDER) {
			snprintf(msg, len, "%s is a folder", name);
			*rc = LIB_FAIL;
			return NULL;
		}
		if ((*rc = may_version(who, &a, &old, dir, msg, len)) !=
		    LIB_OK)
			return NULL;
	}
	u = xcalloc(1, sizeof *u);
	u->power = lib_power(&a);
	u->who = who;
	u->community_id = dir->community_id;
	u->folder_id = dir->kind == LIB_FOLDER ? dir->folder_id : 0;
	snprintf(u->name, sizeof u->name, "%s", name);
	u->max_file = (uint64_t)srv->cfg.library_max_file_mb * 1024 * 1024;
	u->quota = (uint64_t)srv->cfg.library_quota_mb * 1024 * 1024;
	u->used = community_used(dir->community_id);
	SHA256_Init(&u->sha);
	if (dispatch_server("library upload", begin_fn, u) != 0) {
		snprintf(msg, len, "could not start the upload; nothing was "
		    "saved");
		free(u);
		*rc = LIB_FAIL;
		return NULL;
	}
	upload_link(u, true);
	*rc = LIB_OK;
	return u;
}

static void finish_now(struct lib_upload *);
static void upload_free(struct lib_upload *);

/* On the loop: the writer thread stored (or failed to store) a chunk. */
static void
chunk_done(struct lw_job *j)
{
	struct lib_upload *u = j->arg;

	u->inflight--;
	if (j->rc == 0)
		u->chunks++;
	else if (!u->failed) {
		u->failed = true;
		snprintf(u->err, sizeof u->err, "could not save the upload; "
		    "nothing was kept");
	}
	free(j->data);
	free(j);
	if (u->aborted) {
		if (u->inflight == 0) {
			drop_later(u->blob_id);
			upload_free(u);
		}
		return;
	}
	if (u->finished != NULL) {
		if (u->inflight == 0)
			finish_now(u);
		return;
	}
	if (u->ready != NULL)
		u->ready(u->ready_arg);
}

/* Hand the chunk being filled to the writer thread. */
static void
chunk_store(struct lib_upload *u)
{
	struct lw_job *j;

	if (u->fill == 0)
		return;
	j = xcalloc(1, sizeof *j);
	j->kind = LW_CHUNK;
	j->blob_id = u->blob_id;
	j->seq = u->queued++;
	j->data = u->chunk;
	j->len = u->fill;
	j->sha = &u->sha;
	j->done = chunk_done;
	j->arg = u;
	u->chunk = NULL;
	u->fill = 0;
	u->inflight++;
	libwrite_submit(j);
}

bool
library_upload_busy(const struct lib_upload *u)
{
	return u->inflight >= UPLOAD_AHEAD;
}

bool
library_upload_stalled(const struct lib_upload *u)
{
	return u->inflight >= 4 * UPLOAD_AHEAD;
}

void
library_upload_on_ready(struct lib_upload *u, void (*fn)(void *), void *arg)
{
	u->ready = fn;
	u->ready_arg = arg;
}

int
library_upload_write(struct lib_upload *u, uint64_t off, const void *data,
    size_t n, char *msg, size_t len)
{
	const uint8_t *p = data;
	size_t take;

	if (u->failed) {
		snprintf(msg, len, "%s", u->err);
		return LIB_FAIL;
	}
	if (off != u->size) {
		snprintf(msg, len, "library documents are written from start "
		    "to end (expected offset %llu, got %llu)",
		    (unsigned long long)u->size, (unsigned long long)off);
		return LIB_UNSUPPORTED;
	}
	if (u->size + n > u->max_file) {
		snprintf(u->err, sizeof u->err, "file too large: documents "
		    "are at most %d MiB (library_max_file_mb)",
		    srv->cfg.library_max_file_mb);
		goto fail;
	}
	if ((uint64_t)u->used + u->size + n > u->quota) {
		snprintf(u->err, sizeof u->err, "this community's library is "
		    "full: it may take %d MiB (library_quota_mb)",
		    srv->cfg.library_quota_mb);
		goto fail;
	}
	u->size += n;
	while (n > 0) {
		if (u->chunk == NULL)
			u->chunk = xmalloc(LIBRARY_CHUNK);
		take = LIBRARY_CHUNK - u->fill;
		if (take > n)
			take = n;
		memcpy(u->chunk + u->fill, p, take);
		u->fill += take;
		p += take;
		n -= take;
		if (u->fill == LIBRARY_CHUNK)
			chunk_store(u);
	}
	return LIB_OK;
fail:
	u->failed = true;
	free(u->chunk);
	u->chunk = NULL;
	u->fill = 0;
	snprintf(msg, len, "%s", u->err);
	return LIB_FAIL;
}

/* A document's MIME type from its name. */
static const char *
type_of(const char *name)
{
	static const char *const types[][2] = {
		{ ".md", "text/markdown" }, { ".markdown", "text/markdown" },
		{ ".txt", "text/plain" }, { ".pdf", "application/pdf" },
		{ ".csv", "text/csv" }, { ".png", "image/png" },
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".odt", "application/vnd.oasis.opendocument.text" },
		{ ".docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
		{ ".html", "text/html" }, { ".zip", "application/zip" },
	};
	const char *dot = strrchr(name, '.');

	if (dot != NULL)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot, types[i][0]) == 0)
				return types[i][1];
	return "application/octet-stream";
}

struct finish {
	struct lib_upload *u;
	char *msg;
	size_t len;
};

static int
finish_fail(struct finish *f, struct call *x, const char *text)
{
	snprintf(f->msg, f->len, "%s", text);
	return call_fail(x, ERR_INTERNAL, "%s", text);
}

static int
finish_fn(struct call *x, void *arg)
{
	struct finish *f = arg;
	struct lib_upload *u = f->u;
	sqlite3_stmt *st;
	uint8_t digest[32];
	char hex[65];
	int64_t blob = u->blob_id, doc = 0, version = 1, now = now_unix();
	int rc;

	/* every chunk made it (the writer thread's transactions) */
	st = db_stmt(srv->db, "SELECT count(*), ifnull(sum(length(data)), 0) "
	    "FROM library_chunks WHERE blob_id = ?");
	sqlite3_bind_int64(st, 1, u->blob_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || sqlite3_column_int64(st, 0) != u->chunks ||
	    (uint64_t)sqlite3_column_int64(st, 1) != u->size) {
		sqlite3_reset(st);
		return finish_fail(f, x, "part of the upload was lost; "
		    "nothing was kept, please upload it again");
	}
	sqlite3_reset(st);
	if ((uint64_t)community_used(u->community_id) > u->quota)
		return finish_fail(f, x, "this community's library is full "
		    "(library_quota_mb)");
	SHA256_Final(digest, &u->sha);
	hex_encode(digest, 32, hex);
	/* one copy per content */
	st = db_stmt(srv->db, "SELECT id FROM library_blobs WHERE sha256 = ?");
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		blob = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return finish_fail(f, x, "database error");
	if (blob != u->blob_id) {
		/* dropped a few chunks a turn (drop_later) */
		st = db_stmt(srv->db, "UPDATE library_blobs SET community_id = "
		    "NULL WHERE id = ?");
		sqlite3_bind_int64(st, 1, u->blob_id);
		u->dup_blob = u->blob_id;
	} else {
		st = db_stmt(srv->db, "UPDATE library_blobs SET sha256 = ?, "
		    "community_id = NULL WHERE id = ?");
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, u->blob_id);
	}
	if (call_step(x, st) != 0)
		return finish_fail(f, x, "could not save the upload");
	/* the document: the one by that name, or a new one */
	st = db_stmt(srv->db, "SELECT id, (SELECT ifnull(max(version), 0) + 1 "
	    "FROM library_versions WHERE document_id = d.id), "
	    "ifnull(uploader_id, 0), managers_only FROM "
	    "library_documents d WHERE ifnull(community_id, 0) = ? AND "
	    "ifnull(folder_id, 0) = ? AND name = ? AND deleted_at IS NULL");
	sqlite3_bind_int64(st, 1, u->community_id);
	sqlite3_bind_int64(st, 2, u->folder_id);
	sqlite3_bind_text(st, 3, u->name, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		doc = sqlite3_column_int64(st, 0);
		version = sqlite3_column_int64(st, 1);
		/* someone else's, made while this one arrived: not ours to
		 * replace (library_upload_begin asked for the one before) */
		if (!u->power && (sqlite3_column_int(st, 3) != 0 ||
		    sqlite3_column_int64(st, 2) != u->who->member.id))
			doc = -1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return finish_fail(f, x, "database error");
	if (doc < 0)
		return finish_fail(f, x, "a document by this name was added "
		    "meanwhile by someone else; nothing was kept: upload it "
		    "under another name");
	if (doc == 0) {
		st = db_stmt(srv->db, "INSERT INTO library_documents "
		    "(community_id, folder_id, name, title, type, uploader_id, "
		    "created_at, updated_at) VALUES (nullif(?, 0), nullif(?, 0), "
		    "?, ?, ?, "
		    "nullif(?, 0), ?, ?)");
		sqlite3_bind_int64(st, 1, u->community_id);
		sqlite3_bind_int64(st, 2, u->folder_id);
		sqlite3_bind_text(st, 3, u->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, u->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, type_of(u->name), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, u->who->member.id);
		sqlite3_bind_int64(st, 7, now);
		sqlite3_bind_int64(st, 8, now);
		if (call_step(x, st) != 0)
			return finish_fail(f, x, "could not save the document");
		doc = sqlite3_last_insert_rowid(srv->db);
	} else {
		st = db_stmt(srv->db, "UPDATE library_documents SET "
		    "updated_at = ? WHERE id = ?");
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, doc);
		if (call_step(x, st) != 0)
			return finish_fail(f, x, "could not save the document");
	}
	st = db_stmt(srv->db, "INSERT INTO library_versions (document_id, "
	    "version, blob_id, size, uploader_id, created_at) VALUES (?, ?, ?, "
	    "?, nullif(?, 0), ?)");
	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int64(st, 3, blob);
	sqlite3_bind_int64(st, 4, (int64_t)u->size);
	sqlite3_bind_int64(st, 5, u->who->member.id);
	sqlite3_bind_int64(st, 6, now);
	if (call_step(x, st) != 0)
		return finish_fail(f, x, "could not save the version");
	log_info(u->who->id, "library: %s stored %s (%llu bytes, version "
	    "%lld, %s)", u->who->member.handle, u->name,
	    (unsigned long long)u->size, (long long)version,
	    blob == u->blob_id ? "new content" : "content already kept");
	return 0;
}

static void
upload_free(struct lib_upload *u)
{
	upload_link(u, false);
	free(u->chunk);
	free(u);
}

/* Every chunk is stored: the version, then tell the caller; frees u. */
static void
finish_now(struct lib_upload *u)
{
	void (*fn)(void *, int, const char *) = u->finished;
	void *arg = u->finished_arg;
	char msg[256];
	struct finish f = { u, msg, sizeof msg };

	u->finished = NULL;
	if (u->failed) {
		snprintf(msg, sizeof msg, "%s", u->err);
		library_upload_abort(u);
		fn(arg, LIB_FAIL, msg);
		return;
	}
	snprintf(msg, sizeof msg, "could not save the upload; nothing was "
	    "kept");
	if (dispatch_server("library upload", finish_fn, &f) != 0) {
		library_upload_abort(u);
		fn(arg, LIB_FAIL, msg);
		return;
	}
	if (u->dup_blob != 0)
		drop_later(u->dup_blob);
	upload_free(u);
	fn(arg, LIB_OK, "Success");
}

void
library_upload_finish(struct lib_upload *u, void (*fn)(void *, int,
    const char *), void *arg)
{
	u->ready = NULL;
	u->finished = fn;
	u->finished_arg = arg;
	if (!u->failed)
		chunk_store(u); /* the last bytes */
	if (u->inflight == 0)
		finish_now(u);
}

void
library_upload_abort(struct lib_upload *u)
{
	if (u == NULL)
		return;
	u->ready = NULL;
	u->finished = NULL;
	if (u->inflight > 0) {
		u->aborted = true; /* dropped when its last chunk is back */
		return;
	}
	if (u->blob_id != 0)
		drop_later(u->blob_id);
	upload_free(u);
}

/* ---- folders, removal, renames ---- */

struct change {
	struct conn *who;
	const struct lib_node *node, *dir;
	const char *name;
	char *msg;
	size_t len;
};

static int
change_fail(struct change *c, struct call *x, const char *text)
{
	snprintf(c->msg, c->len, "%s", text);
	return call_fail(x, ERR_INTERNAL, "%s", text);
}

static int
mkdir_fn(struct call *x, void *arg)
{
	struct change *c = arg;
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO library_folders "
	    "(community_id, parent_id, name, created_by, created_at) VALUES "
	    "(nullif(?, 0), nullif(?, 0), ?, nullif(?, 0), ?)");

	sqlite3_bind_int64(st, 1, c->dir->community_id);
	sqlite3_bind_int64(st, 2, c->dir->kind == LIB_FOLDER ?
	    c->dir->folder_id : 0);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, c->who->member.id);
	sqlite3_bind_int64(st, 5, now_unix());
	if (call_step(x, st) != 0)
		return change_fail(c, x, "could not make the folder");
	return 0;
}

/*
 * Is name taken in dir? Then msg says so: plainly when the asker can see
 * what has it, and for a managers-only document they cannot, only that
 * the name cannot be used (as library_upload_begin says).
 */
static bool
name_taken(const struct lib_node *dir, const char *name, bool power,
    char *msg, size_t len)
{
	struct lib_node n;
	int64_t folder = dir->kind == LIB_FOLDER ? dir->folder_id : 0;

	if (lookup_child(&n, dir->community_id, folder, name, true) != LIB_OK)
		return false;
	if (power || lookup_child(&n, dir->community_id, folder, name,
	    false) == LIB_OK)
		snprintf(msg, len, "%s already exists", name);
	else
		snprintf(msg, len, "The name %s cannot be used in this "
		    "folder; choose another name.", name);
	return true;
}

int
library_mkdir(struct conn *who, const struct lib_node *dir, const char *name,
    char *msg, size_t len)
{
	struct change c = { who, NULL, dir, name, msg, len };
	struct access a;
	int rc;

	if ((rc = may_add(who, dir, &a, msg, len)) != LIB_OK)
		return rc;
	if (library_name_check(name, msg, len) != 0)
		return LIB_FAIL;
	if (name_taken(dir, name, lib_power(&a), msg, len))
		return LIB_EXISTS;
	return dispatch_server("library mkdir", mkdir_fn, &c) == 0 ? LIB_OK :
	    LIB_FAIL;
}

/* May who change or remove n (the uploader or maker, or a manager)? */
static int
may_change(struct conn *who, const struct lib_node *n, char *msg, size_t len)
{
	struct access a;

	if (n->kind == LIB_ROOT || n->kind == LIB_COMMUNITY) {
		snprintf(msg, len, "a community's library itself cannot be "
		    "changed over SFTP");
		return LIB_DENIED;
	}
	if (lib_access(who, n->community_id, CA_READ, &a, msg, len) != 0)
		return LIB_NOENT;
	if (lib_power(&a))
		return LIB_OK;
	if (n->owner_id != 0 && n->owner_id == who->member.id &&
	    lib_access(who, n->community_id, CA_POST, &a, msg, len) == 0)
		return LIB_OK;
	if (n->owner_id != who->member.id || msg[0] == '\0')
		snprintf(msg, len, "only who %s %s, or %s, may change it",
		    n->kind == LIB_DOC ? "uploaded" : "made", n->name,
		    n->community_id == 0 ? "staff" : "a manager of the "
		    "community");
	return LIB_DENIED;
}

static int
rmdir_fn(struct call *x, void *arg)
{
	struct change *c = arg;
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT (SELECT count(*) FROM "
	    "library_folders WHERE parent_id = ?1) + (SELECT count(*) FROM "
	    "library_documents WHERE folder_id = ?1 AND deleted_at IS NULL)");
	int64_t n;

	sqlite3_bind_int64(st, 1, c->node->folder_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return change_fail(c, x, "database error");
	}
	n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (n > 0)
		return change_fail(c, x, "the folder is not empty");
	st = db_stmt(srv->db, "DELETE FROM library_folders WHERE id = ?");
	sqlite3_bind_int64(st, 1, c->node->folder_id);
	if (call_step(x, st) != 0)
		return change_fail(c, x, "could not remove the folder");
	return 0;
}

int
library_rmdir(struct conn *who, const struct lib_node *n, char *msg,
    size_t len)
{
	struct change c = { who, n, NULL, NULL, msg, len };
	int rc;

	if (n->kind == LIB_DOC) {
		snprintf(msg, len, "%s is a document (use rm)", n->name);
		return LIB_FAIL;
	}
	if ((rc = may_change(who, n, msg, len)) != LIB_OK)
		return rc;
	return dispatch_server("library rmdir", rmdir_fn, &c) == 0 ? LIB_OK :
	    LIB_FAIL;
}

static int
remove_fn(struct call *x, void *arg)
{
	struct change *c = arg;
	sqlite3_stmt *st = db_stmt(srv->db, "UPDATE library_documents SET "
	    "deleted_at = ?, deleted_by = nullif(?, 0) WHERE id = ? AND "
	    "deleted_at IS NULL");

	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_int64(st, 2, c->who->member.id);
	sqlite3_bind_int64(st, 3, c->node->doc_id);
	if (call_step(x, st) != 0)
		return change_fail(c, x, "could not remove the document");
	return 0;
}

int
library_remove(struct conn *who, const struct lib_node *n, char *msg,
    size_t len)
{
	struct change c = { who, n, NULL, NULL, msg, len };
	int rc;

	if (n->kind != LIB_DOC) {
		snprintf(msg, len, "%s is a folder (use rmdir)", n->name);
		return LIB_FAIL;
	}
	if ((rc = may_change(who, n, msg, len)) != LIB_OK)
		return rc;
	return dispatch_server("library remove", remove_fn, &c) == 0 ? LIB_OK :
	    LIB_FAIL;
}

static int
rename_fn(struct call *x, void *arg)
{
	struct change *c = arg;
	int64_t to = c->dir->kind == LIB_FOLDER ? c->dir->folder_id : 0;
	sqlite3_stmt *st;

	if (c->node->kind == LIB_DOC) {
		/* a title or type that came from the old name follows it */
		st = db_stmt(srv->db, "UPDATE library_documents SET "
		    "folder_id = nullif(?1, 0), name = ?2, updated_at = ?3, "
		    "title = CASE WHEN title = name THEN ?2 ELSE title END, "
		    "type = CASE WHEN type = ?5 THEN ?6 ELSE type END "
		    "WHERE id = ?4");
		sqlite3_bind_int64(st, 1, to);
		sqlite3_bind_text(st, 2, c->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, now_unix());
		sqlite3_bind_int64(st, 4, c->node->doc_id);
		sqlite3_bind_text(st, 5, type_of(c->node->name), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 6, type_of(c->name), -1, SQLITE_STATIC);
	} else {
		/* not into itself or below it */
		st = db_stmt(srv->db, "WITH RECURSIVE up(id) AS (SELECT ?1 "
		    "UNION SELECT f.parent_id FROM library_folders f JOIN up "
		    "ON f.id = up.id WHERE f.parent_id IS NOT NULL) SELECT "
		    "count(*) FROM up WHERE id = ?2");
		sqlite3_bind_int64(st, 1, to);
		sqlite3_bind_int64(st, 2, c->node->folder_id);
		if (sqlite3_step(st) != SQLITE_ROW ||
		    sqlite3_column_int64(st, 0) > 0) {
			sqlite3_reset(st);
			return change_fail(c, x, "a folder cannot move into "
			    "itself");
		}
		sqlite3_reset(st);
		st = db_stmt(srv->db, "UPDATE library_folders SET "
		    "parent_id = nullif(?, 0), name = ? WHERE id = ?");
		sqlite3_bind_int64(st, 1, to);
		sqlite3_bind_text(st, 2, c->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, c->node->folder_id);
	}
	if (call_step(x, st) != 0)
		return change_fail(c, x, "could not rename");
	return 0;
}

int
library_rename(struct conn *who, const struct lib_node *from,
    const struct lib_node *to_dir, const char *to_name, char *msg,
    size_t len)
{
	struct change c = { who, from, to_dir, to_name, msg, len };
	int rc;

	if ((rc = may_change(who, from, msg, len)) != LIB_OK)
		return rc;
	if (to_dir->kind == LIB_ROOT || to_dir->kind == LIB_DOC) {
		snprintf(msg, len, "documents and folders live inside a "
		    "community's folder");
		return LIB_FAIL;
	}
	if (to_dir->community_id != from->community_id) {
		snprintf(msg, len, "moving between communities is not "
		    "supported: download it and upload it there");
		return LIB_UNSUPPORTED;
	}
	if (library_name_check(to_name, msg, len) != 0)
		return LIB_FAIL;
	if (name_taken(to_dir, to_name, from->power, msg, len))
		return LIB_EXISTS;
	return dispatch_server("library rename", rename_fn, &c) == 0 ? LIB_OK :
	    LIB_FAIL;
}

/* ---- at start, and every hour ---- */

#define SWEEP_EVERY_MS (3600 * 1000)
static uv_timer_t sweep_timer;

static int
sweep_fn(struct call *x, void *arg)
{
	sqlite3_stmt *st;
	int n;

	(void)arg;
	if (sweep_orphans(x) != 0)
		return -1;
	/* the bin: documents deleted more than BIN_DAYS ago go for good */
	st = db_stmt(srv->db, "DELETE FROM library_documents WHERE "
	    "deleted_at IS NOT NULL AND deleted_at < ?");
	sqlite3_bind_int64(st, 1, now_unix() - BIN_DAYS * 86400);
	if (call_step(x, st) != 0)
		return -1;
	if ((n = sqlite3_changes(srv->db)) > 0)
		log_info(0, "library: %d documents out of the bin for good", n);
	/* and contents no version names any more */
	st = db_stmt(srv->db, "DELETE FROM library_blobs WHERE sha256 IS NOT "
	    "NULL AND NOT EXISTS (SELECT 1 FROM library_versions WHERE "
	    "blob_id = library_blobs.id)");
	return call_step(x, st);
}

static void
sweep_tick(uv_timer_t *t)
{
	(void)t;
	dispatch_server("library sweep", sweep_fn, NULL);
}

void
library_start(void)
{
	dispatch_server("library start", sweep_fn, NULL);
	uv_timer_init(srv->loop, &sweep_timer);
	uv_unref((uv_handle_t *)&sweep_timer); /* never keeps the loop up */
	uv_timer_start(&sweep_timer, sweep_tick, SWEEP_EVERY_MS,
	    SWEEP_EVERY_MS);
}
