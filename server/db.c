/*
 * db.c: the SQLite store. Opens the database with the house pragmas, applies
 * the embedded migrations (schema/NNN_*.sql) in one transaction recorded in
 * PRAGMA user_version, and caches prepared statements by SQL text pointer.
 * Only hearthd migrates, and only after copying the old file to
 * DATA/backups/pre-NNN.db; hearthctl opens an existing database as it is
 * (db_open_existing), read-only unless it must write.
 * Used by hearthd (loop thread only) and hearthctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

struct stmt_cache {
	sqlite3 *db;
	const char *sql;
	sqlite3_stmt *stmt;
};
#define STMT_CACHE_MAX 512
static struct stmt_cache stmt_cache[STMT_CACHE_MAX];
static size_t stmt_cache_len;

int
db_latest_version(void)
{
	int v = 0;

	for (const struct migration *m = db_migrations; m->sql != NULL; m++)
		v = m->version;
	return v;
}

int
db_schema_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Before migrating, copy the database as it is to backups/pre-NNN.db beside
 * it (NNN: its schema version; the directory 0700, the copy 0600). An
 * earlier copy of the same version is kept: the new one gets -2, -3, ...
 */
static int
db_keep_old(sqlite3 *db, const char *path, int version, char *err,
    size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *dir, *out;
	int n, rc;

	if (slash == NULL)
		dir = xstrdup("backups");
	else
		dir = xasprintf("%.*s/backups", (int)(slash - path), path);
	if (backup_dir_ensure(dir, err, errlen) != 0) {
		free(dir);
		return -1;
	}
	out = xasprintf("%s/pre-%03d.db", dir, version);
	for (n = 2; access(out, F_OK) == 0; n++) {
		free(out);
		out = xasprintf("%s/pre-%03d-%d.db", dir, version, n);
	}
	rc = db_backup(db, out, NULL, NULL, err, errlen);
	if (rc == 0)
		log_info(0, "kept the schema %d database as %s", version, out);
	free(out);
	free(dir);
	return rc;
}

/*
 * Apply every migration newer than user_version in one transaction, after
 * keeping a copy of an existing database (path) as it was.
 */
static int
db_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int cur = db_schema_version(db), latest = db_latest_version();
	char *emsg = NULL, pragma[64];

	if (cur < 0) {
		snprintf(err, errlen, "cannot read schema version: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (cur > latest) {
		snprintf(err, errlen,
		    "database schema %d is newer than this program (%d)", cur,
		    latest);
		return -1;
	}
	if (cur == latest)
		return 0;
	if (cur > 0 && db_keep_old(db, path, cur, err, errlen) != 0)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &emsg) != SQLITE_OK)
		goto fail;
	for (const struct migration *m = db_migrations; m->sql != NULL; m++) {
		if (m->version <= cur)
			continue;
		if (sqlite3_exec(db, m->sql, NULL, NULL, &emsg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %03d_%s: %s",
			    m->version, m->name, emsg);
			sqlite3_free(emsg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info(0, "applied migration %03d_%s", m->version, m->name);
	}
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", latest);
	if (sqlite3_exec(db, pragma, NULL, NULL, &emsg) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, &emsg) != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "migrations: %s",
	    emsg != NULL ? emsg : sqlite3_errmsg(db));
	sqlite3_free(emsg);
	return -1;
}

/*
 * The loop's busy handler: SQLite's own waits (1 ms growing to 100 ms,
 * 5 s in all), and a line in the log as the loop's wait for a lock
 * another connection holds passes 20, 200 and 1000 ms: every member
 * waits with it.
 */
static int
db_loop_busy(void *arg, int count)
{
	static const int delay_ms[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50,
		50, 100 };
	static const int marks[] = { 20, 200, 1000 };
	static int waited_ms;
	int n = (int)(sizeof delay_ms / sizeof delay_ms[0]), d;

	(void)arg;
	if (count == 0)
		waited_ms = 0;
	if (waited_ms >= 5000)
		return 0;
	d = delay_ms[count < n ? count : n - 1];
	usleep((useconds_t)d * 1000);
	for (int i = 0; i < 3; i++)
		if (waited_ms < marks[i] && waited_ms + d >= marks[i])
			log_info(0, "the loop has waited %d ms for a database "
			    "lock another connection holds", waited_ms + d);
	waited_ms += d;
	return 1;
}

void
db_loop_busy_handler(sqlite3 *db)
{
	sqlite3_busy_handler(db, db_loop_busy, NULL);
}

sqlite3 *
db_open(const char *path, bool create, const char *synchronous,
    bool *created, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	char pragmas[256];
	char *emsg = NULL;
	bool isnew = access(path, F_OK) != 0;
	mode_t old;

	if (isnew && !create) {
		snprintf(err, errlen, "%s does not exist", path);
		return NULL;
	}
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	tokenizer_auto(); /* the FTS tables' tokenizer, on every connection */
	old = umask(077); /* the database and its -wal/-shm files */
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		umask(old);
		snprintf(err, errlen, "%s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	umask(old);
	if (synchronous == NULL ||
	    (strcasecmp(synchronous, "FULL") != 0 &&
		strcasecmp(synchronous, "NORMAL") != 0 &&
		strcasecmp(synchronous, "OFF") != 0))
		synchronous = "NORMAL";
	snprintf(pragmas, sizeof pragmas,
	    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
	    "PRAGMA synchronous = %s; PRAGMA busy_timeout = 5000; "
	    "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; "
	    "PRAGMA wal_autocheckpoint = 4000;",
	    synchronous);
	if (sqlite3_exec(db, pragmas, NULL, NULL, &emsg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, emsg);
		sqlite3_free(emsg);
		sqlite3_close(db);
		return NULL;
	}
	if (db_migrate(db, path, err, errlen) != 0) {
		sqlite3_close(db);
		return NULL;
	}
	if (isnew)
		chmod(path, 0600);
	if (created != NULL)
		*created = isnew;
	return db;
}

sqlite3 *
db_open_existing(const char *path, bool readonly, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_NOMUTEX;
	char *emsg = NULL;

	flags |= readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	tokenizer_auto(); /* the FTS tables' tokenizer, on every connection */
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "%s does not exist", path);
		return NULL;
	}
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON; "
	    "PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY;",
	    NULL, NULL, &emsg) != SQLITE_OK ||
	    (readonly && sqlite3_exec(db, "PRAGMA query_only = ON", NULL, NULL,
	    &emsg) != SQLITE_OK)) {
		snprintf(err, errlen, "%s: %s", path, emsg);
		sqlite3_free(emsg);
		sqlite3_close(db);
		return NULL;
	}
	if (db_schema_version(db) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void
db_close(sqlite3 *db)
{
	size_t i, j = 0;

	if (db == NULL)
		return;
	for (i = 0; i < stmt_cache_len; i++) {
		if (stmt_cache[i].db == db)
			sqlite3_finalize(stmt_cache[i].stmt);
		else
			stmt_cache[j++] = stmt_cache[i];
	}
	stmt_cache_len = j;
	sqlite3_close(db);
}

sqlite3_stmt *
db_stmt(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < stmt_cache_len; i++) {
		if (stmt_cache[i].sql == sql && stmt_cache[i].db == db) {
			st = stmt_cache[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		fatal("%s: cannot prepare \"%s\": %s", __func__, sql,
		    sqlite3_errmsg(db));
	if (stmt_cache_len == STMT_CACHE_MAX)
		fatal("%s: statement cache full", __func__);
	stmt_cache[stmt_cache_len].db = db;
	stmt_cache[stmt_cache_len].sql = sql;
	stmt_cache[stmt_cache_len].stmt = st;
	stmt_cache_len++;
	return st;
}

bool
db_exists(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	bool yes;

	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return yes;
}

int
db_exec(sqlite3 *db, const char *sql)
{
	char *emsg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
		log_error(0, "%s: %s", sql, emsg);
		sqlite3_free(emsg);
		return -1;
	}
	return 0;
}

int
db_begin(sqlite3 *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(sqlite3 *db)
{
	if (db_exec(db, "COMMIT") != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void
db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

const char *
db_errmsg(sqlite3 *db)
{
	return sqlite3_errmsg(db);
}

/* Flush a file (or directory) to disk; 0 or -1 with errno. */
static int
db_sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* PRAGMA integrity_check on the file at path: 0 if "ok". */
static int
db_check_file(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: integrity_check: %s", path,
		    sqlite3_errmsg(db));
		goto out;
	}
	if (strcmp(db_col_text(st, 0), "ok") != 0) {
		snprintf(err, errlen, "%s: integrity_check: %s", path,
		    db_col_text(st, 0));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

#define BACKUP_STEP 256 /* pages a step: 1 MiB of 4 KiB pages */
#define BACKUP_MB_S 100 /* the copy's pace: room on the disk for the WAL */

int
db_backup(sqlite3 *db, const char *path, db_progress_fn progress, void *arg,
    char *err, size_t errlen)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *bk = NULL;
	int rc, fd, total;
	off_t flushed = 0, written;
	uint64_t t0;
	int64_t ahead;
	bool began = false;
	char *tmp = xasprintf("%s.tmp", path), *dir, *slash;

	unlink(tmp);
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	/* Kept open (no locks: the copy is unjournalled) for the write-behind. */
	/*
	 * One read transaction on the source for the whole copy: one snapshot,
	 * never restarted by the writer's commits (WAL readers do not block
	 * the writer). The copy itself is unjournalled and synced once at the
	 * end: it is a temporary file until the rename.
	 */
	if (sqlite3_get_autocommit(db)) {
		if (sqlite3_exec(db, "BEGIN; SELECT count(*) FROM sqlite_master",
		    NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "backup: %s", sqlite3_errmsg(db));
			goto fail;
		}
		began = true;
	}
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = OFF; "
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", tmp, sqlite3_errmsg(dst));
		goto fail;
	}
	bk = sqlite3_backup_init(dst, "main", db, "main");
	if (bk == NULL) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto fail;
	}
	/*
	 * Write-behind, BACKUP_STEP pages at a time: start writing out what
	 * the step copied and wait for the step before it. Left to the kernel
	 * and synced at the end, the whole copy went to the disk at once and
	 * every sync of hearthd's WAL waited behind it (up to 200 ms). And
	 * at most BACKUP_MB_S: a disk kept busy by the copy made those syncs
	 * wait tens of ms still (docs/performance.md).
	 */
	t0 = now_ms();
	do {
		rc = sqlite3_backup_step(bk, BACKUP_STEP);
		total = sqlite3_backup_pagecount(bk);
		if (progress != NULL && rc == SQLITE_OK)
			progress(arg, total - sqlite3_backup_remaining(bk),
			    total);
		written = lseek(fd, 0, SEEK_END);
		if (written > flushed) {
			sync_file_range(fd, flushed, written - flushed,
			    SYNC_FILE_RANGE_WRITE);
			if (flushed > 0)
				sync_file_range(fd, 0, flushed,
				    SYNC_FILE_RANGE_WAIT_BEFORE);
			flushed = written;
			ahead = (int64_t)(flushed / (BACKUP_MB_S * 1000)) -
			    (int64_t)(now_ms() - t0);
			if (ahead > 0)
				sqlite3_sleep((int)ahead);
		}
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (progress != NULL && rc == SQLITE_DONE)
		progress(arg, total, total);
	sqlite3_backup_finish(bk);
	if (began)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	began = false;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup: %s", sqlite3_errstr(rc));
		goto fail;
	}
	/* A backup file stands alone: no WAL beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto fail;
	}
	sqlite3_close(dst);
	dst = NULL;
	close(fd);
	fd = -1;
	if (db_sync_path(tmp, false) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (progress != NULL)
		progress(arg, -1, total);
	if (db_check_file(tmp, err, errlen) != 0)
		goto fail;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		db_sync_path(dir, true);
	} else
		db_sync_path(".", true);
	free(dir);
	free(tmp);
	return 0;
fail:
	if (began)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(dst);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

const char *
db_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

json_t *
db_col_json_text(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(st, i));
}

json_t *
db_col_json_time(sqlite3_stmt *st, int i)
{
	char buf[32];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	time_iso8601(sqlite3_column_int64(st, i), buf);
	return json_string(buf);
}

void
db_bind_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

void
db_bind_text(sqlite3_stmt *st, const char *name, const char *s)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}
