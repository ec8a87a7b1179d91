/*
 * test_db.c: migrations and the store: a new database gets every migration
 * in one go, reopening applies nothing twice, a database from a newer
 * program is refused, and the pragmas are on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "server.h"

/* A fresh path in a private temporary directory. */
static char *
temp_db(void)
{
	char tmpl[] = "/tmp/hearth-test-db-XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return xasprintf("%s/hearth.db", dir);
}

static int
scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_new_database_gets_every_migration(void **state)
{
	char err[256], *path = temp_db();
	bool created = false;
	sqlite3 *db = db_open(path, true, "NORMAL", &created, err, sizeof err);
	struct stat sb;

	assert_non_null(db);
	assert_true(created);
	assert_int_equal(db_schema_version(db), db_latest_version());
	assert_true(db_latest_version() >= 2);
	assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('members','keys','invites','communities',"
	    "'community_members','audit','threads','posts')"), 8);
	assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	db_close(db);
	free(path);
}

static void
test_reopen_applies_nothing_twice(void **state)
{
	char err[256], *path = temp_db();
	bool created = true;
	sqlite3 *db = db_open(path, true, "FULL", NULL, err, sizeof err);

	assert_non_null(db);
	assert_int_equal(db_exec(db, "INSERT INTO members (handle, display_name, "
	    "created_at) VALUES ('ann', 'Ann', 1)"), 0);
	db_close(db);
	db = db_open(path, true, "FULL", &created, err, sizeof err);
	assert_non_null(db);
	assert_false(created);
	assert_int_equal(scalar(db, "SELECT count(*) FROM members"), 1);
	assert_int_equal(db_schema_version(db), db_latest_version());
	db_close(db);
	free(path);
}

static void
test_newer_schema_refused(void **state)
{
	char err[256], sql[64], *path = temp_db();
	sqlite3 *db = db_open(path, true, NULL, NULL, err, sizeof err);

	assert_non_null(db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
	    db_latest_version() + 1);
	assert_int_equal(db_exec(db, sql), 0);
	db_close(db);
	db = db_open(path, true, NULL, NULL, err, sizeof err);
	assert_null(db);
	assert_non_null(strstr(err, "newer"));
	free(path);
}

static void
test_missing_database_not_created_unless_asked(void **state)
{
	char err[256], *path = temp_db();

	assert_null(db_open(path, false, NULL, NULL, err, sizeof err));
	assert_non_null(strstr(err, "does not exist"));
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

static void
test_transactions_roll_back(void **state)
{
	char err[256], *path = temp_db();
	sqlite3 *db = db_open(path, true, NULL, NULL, err, sizeof err);

	assert_non_null(db);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_exec(db, "INSERT INTO members (handle, display_name, "
	    "created_at) VALUES ('bob', 'Bob', 1)"), 0);
	db_rollback(db);
	assert_int_equal(scalar(db, "SELECT count(*) FROM members"), 0);
	/* a foreign key violation is refused */
	assert_int_equal(db_exec(db, "INSERT INTO keys (member_id, fingerprint, "
	    "key_type, public_key, created_at) VALUES (99, 'x', 't', 'k', 1)"),
	    -1);
	db_close(db);
	free(path);
}

static void
test_invite_created_hashed(void **state)
{
	char err[256], code[CODE_LEN + 1], hash[65], *path = temp_db();
	sqlite3 *db = db_open(path, true, NULL, NULL, err, sizeof err);
	sqlite3_stmt *st;

	assert_non_null(db);
	assert_false(member_admin_exists(db));
	assert_true(invite_create(db, NULL, "first admin", ROLE_ADMIN, 0, 60,
	    code) > 0);
	assert_int_equal(code_hash(code, hash), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT code_hash, role FROM "
	    "invites", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), hash);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "admin");
	sqlite3_finalize(st);
	/* the audit log recorded it, by the console */
	assert_int_equal(scalar(db, "SELECT count(*) FROM audit WHERE action = "
	    "'invite.create' AND actor = 'console'"), 1);
	db_close(db);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_database_gets_every_migration),
		cmocka_unit_test(test_reopen_applies_nothing_twice),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_missing_database_not_created_unless_asked),
		cmocka_unit_test(test_transactions_roll_back),
		cmocka_unit_test(test_invite_created_hashed),
	};

	log_init("test_db", LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
