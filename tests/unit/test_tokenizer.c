/*
 * test_tokenizer.c: the FTS5 tokenizer "hearth" (server/tokenizer.c), in
 * this process so the sanitizer build checks it: the tokens it gives for
 * plain, CJK and mixed text, and any bytes at all (cut UTF-8 sequences,
 * surrogates, stray continuation bytes) indexed and matched without a
 * failure and with a consistent index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server.h"

/* A connection with the tokenizer and a table t(x) declared with it. */
static sqlite3 *
open_table(void)
{
	sqlite3 *db = NULL;

	tokenizer_auto();
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING "
	    "fts5(x, tokenize='hearth remove_diacritics 2', prefix='2 3'); "
	    "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')", NULL,
	    NULL, NULL), SQLITE_OK);
	return db;
}

static void
insert(sqlite3 *db, const char *text, int n)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?)", -1,
	    &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, text, n, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The terms of row 1 in order, "a b c"; the caller frees. */
static char *
terms(sqlite3 *db)
{
	sqlite3_stmt *st;
	struct buf b;
	char *out;

	buf_init(&b);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT term FROM v WHERE "
	    "doc = 1 ORDER BY offset, length(term) DESC", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		buf_printf(&b, "%s%s", buf_used(&b) ? " " : "",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	out = xasprintf("%.*s", (int)buf_used(&b), buf_head(&b));
	buf_free(&b);
	return out;
}

static int
matches(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st;
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT highlight(t, 0, '[', "
	    "']') FROM t WHERE t MATCH ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	return n;
}

static void
test_tokens(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Café counselling, London", "cafe counselling london" },
		{ "在伦敦做", "在伦 伦敦 敦做 做" },
		{ "伦", "伦" },
		{ "London 伦敦 2026", "london 伦敦 敦 2026" },
		{ "東京でカウンセリング", "東京 京で でカ カウ ウン ンセ セリ リン ング グ" },
		{ "서울에서 상담", "서울 울에 에서 서 상담 담" },
		{ "ab伦敦cd", "ab 伦敦 敦 cd" },
	};
	sqlite3 *db;
	char *got;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		db = open_table();
		insert(db, cases[i].text, -1);
		got = terms(db);
		assert_string_equal(got, cases[i].want);
		free(got);
		sqlite3_close(db);
	}
}

static void
test_matches(void **state)
{
	sqlite3 *db = open_table();

	(void)state;
	insert(db, "我是一名咨询师，在伦敦做心理咨询已经十年了。", -1);
	insert(db, "Supervision in London (伦敦).", -1);
	assert_int_equal(matches(db, "\"伦敦\""), 2);
	assert_int_equal(matches(db, "\"心理咨询\""), 1);
	assert_int_equal(matches(db, "\"伦咨\""), 0);
	assert_int_equal(matches(db, "\"敦\"*"), 2);
	assert_int_equal(matches(db, "\"理\"*"), 1);
	assert_int_equal(matches(db, "\"london\" \"伦敦\""), 1);
	sqlite3_close(db);
}

static void
test_any_bytes(void **state)
{
	static const char *const parts[] = { "\xe4", "\xbd", "\xa0", "\xe5",
		"\x80", "a", " ", "\xf0", "\x9f", "\xc3", "\xa9", "伦敦", "カ",
		"서", "\xed\xa0\x80", "\xff", "\xef\xbd\xb6", "\xf4\x90\x80\x80",
		"\xe1\x84" };
	uint32_t seed = 14;
	sqlite3 *db = open_table();
	char text[256], q[64];
	size_t n, k;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		n = 0;
		for (int j = (int)((seed = seed * 1103515245 + 12345) >> 16) %
		    30; j > 0; j--) {
			k = ((seed = seed * 1103515245 + 12345) >> 16) %
			    (sizeof parts / sizeof parts[0]);
			memcpy(text + n, parts[k], strlen(parts[k]));
			n += strlen(parts[k]);
		}
		insert(db, text, (int)n);
		k = ((seed = seed * 1103515245 + 12345) >> 16) %
		    (sizeof parts / sizeof parts[0]);
		snprintf(q, sizeof q, "\"%s\"*", parts[k]);
		matches(db, q); /* any result, never a failure */
	}
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t(t) VALUES "
	    "('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
	assert_true(matches(db, "\"伦敦\"") > 100);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_any_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
