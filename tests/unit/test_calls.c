/*
 * test_calls.c: the client's table of calls awaiting replies (calls.c,
 * used by net.c). Every call is answered exactly once, by its own id, in
 * whatever order the replies come (search.query is answered after later
 * requests); an unknown or repeated id is ignored; a lost connection
 * fails every call still waiting; a view that has gone sees no reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "client.h"

/* What one call's callback saw. */
struct seen {
	int runs;
	json_int_t result; /* the reply's result "n", or -1 */
	char error[32]; /* the error's code, or "" */
};

static void
record(void *ctx, json_t *result, json_t *error)
{
	struct seen *s = ctx;

	s->runs++;
	s->result = result != NULL ? json_integer_value(json_object_get(
	    result, "n")) : -1;
	snprintf(s->error, sizeof s->error, "%s", error != NULL ?
	    json_string_value(json_object_get(error, "code")) : "");
	/* exactly one of the two */
	assert_true((result == NULL) != (error == NULL));
}

/* Feed the reply {"id": id, "ok": true, "result": {"n": n}}. */
static bool
reply_ok(json_int_t id, json_int_t n)
{
	json_t *msg = json_pack("{s:I, s:b, s:{s:I}}", "id", id, "ok", 1,
	    "result", "n", n);
	bool found = calls_answer(msg);

	json_decref(msg);
	return found;
}

static bool
reply_err(json_int_t id, const char *code)
{
	json_t *msg = json_pack("{s:I, s:b, s:{s:s, s:s}}", "id", id, "ok",
	    0, "error", "code", code, "message", "no");
	bool found = calls_answer(msg);

	json_decref(msg);
	return found;
}

static void
fail_all(const char *code)
{
	json_t *err = json_pack("{s:s, s:s}", "code", code, "message",
	    "lost");

	calls_fail(err);
	json_decref(err);
}

/*
 * What each test's calls saw. Static, not on a test's stack: a test that
 * fails leaves calls waiting, and the next setup runs their callbacks.
 */
static struct seen seen[8];

/* Each test starts with no call waiting and nothing seen. */
static int
drain(void **state)
{
	(void)state;
	fail_all("drained");
	memset(seen, 0, sizeof seen);
	return 0;
}

/* A slow search answered after a later call: both callbacks run. */
static void
test_out_of_order(void **state)
{
	struct seen *search = &seen[0], *notes = &seen[1], *third = &seen[2];
	json_int_t a, b, c;

	(void)state;
	a = calls_add(NULL, record, search);
	b = calls_add(NULL, record, notes);
	c = calls_add(NULL, record, third);
	assert_true(a < b && b < c);
	assert_int_equal(calls_waiting(), 3);

	assert_true(reply_ok(b, 20));
	assert_int_equal(notes->runs, 1);
	assert_int_equal(notes->result, 20);
	assert_int_equal(search->runs, 0);
	assert_int_equal(calls_waiting(), 2);

	assert_true(reply_ok(c, 30));
	assert_int_equal(third->runs, 1);
	assert_int_equal(third->result, 30);

	assert_true(reply_ok(a, 10)); /* the search, last */
	assert_int_equal(search->runs, 1);
	assert_int_equal(search->result, 10);
	assert_int_equal(notes->runs, 1);
	assert_int_equal(third->runs, 1);
	assert_int_equal(calls_waiting(), 0);
}

/* Replies in reverse order, errors among them. */
static void
test_reverse_with_errors(void **state)
{
	struct seen *s = seen;
	json_int_t id[5];

	(void)state;
	for (int i = 0; i < 5; i++)
		id[i] = calls_add(NULL, record, &s[i]);
	for (int i = 4; i >= 0; i--) {
		if (i % 2 == 0)
			assert_true(reply_ok(id[i], 100 + i));
		else
			assert_true(reply_err(id[i], "forbidden"));
	}
	for (int i = 0; i < 5; i++) {
		assert_int_equal(s[i].runs, 1);
		if (i % 2 == 0) {
			assert_int_equal(s[i].result, 100 + i);
			assert_string_equal(s[i].error, "");
		} else {
			assert_int_equal(s[i].result, -1);
			assert_string_equal(s[i].error, "forbidden");
		}
	}
	assert_int_equal(calls_waiting(), 0);
}

/* A second reply with the same id, or one nobody asked for, is ignored. */
static void
test_once_and_unknown(void **state)
{
	struct seen *one = &seen[0], *two = &seen[1];
	json_int_t a, b;
	json_t *noid;

	(void)state;
	a = calls_add(NULL, record, one);
	b = calls_add(NULL, record, two);

	assert_false(reply_ok(b + 1000, 1)); /* never sent */
	assert_false(reply_ok(-1, 1));
	noid = json_pack("{s:s, s:b}", "id", "7", "ok", 1);
	assert_false(calls_answer(noid)); /* not an integer id */
	json_decref(noid);
	assert_int_equal(one->runs + two->runs, 0);
	assert_int_equal(calls_waiting(), 2);

	assert_true(reply_ok(a, 1));
	assert_false(reply_ok(a, 2)); /* answered already */
	assert_int_equal(one->runs, 1);
	assert_int_equal(one->result, 1);
	assert_int_equal(two->runs, 0);
	assert_int_equal(calls_waiting(), 1);

	assert_true(reply_ok(b, 3));
	assert_int_equal(two->runs, 1);
	assert_int_equal(calls_waiting(), 0);
}

/* The connection closes: every call still waiting gets an error, once. */
static void
test_close_fails_the_rest(void **state)
{
	struct seen *s = seen;
	json_int_t id[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		id[i] = calls_add(NULL, record, &s[i]);
	assert_true(reply_ok(id[2], 2)); /* answered before the loss */

	fail_all("unavailable");
	for (int i = 0; i < 4; i++)
		assert_int_equal(s[i].runs, 1);
	assert_int_equal(s[2].result, 2);
	assert_string_equal(s[2].error, "");
	assert_string_equal(s[0].error, "unavailable");
	assert_string_equal(s[1].error, "unavailable");
	assert_string_equal(s[3].error, "unavailable");
	assert_int_equal(calls_waiting(), 0);

	/* late replies for the failed calls find nothing */
	assert_false(reply_ok(id[0], 9));
	assert_false(reply_ok(id[3], 9));
	for (int i = 0; i < 4; i++)
		assert_int_equal(s[i].runs, 1);
}

/* A view that went away never sees its replies; others still do. */
static void
test_forgotten_view(void **state)
{
	struct view gone, stays;
	struct seen *g1 = &seen[0], *g2 = &seen[1], *k = &seen[2];
	json_int_t a, b, c;

	(void)state;
	a = calls_add(&gone, record, g1);
	b = calls_add(&stays, record, k);
	c = calls_add(&gone, record, g2);
	calls_forget(&gone);

	assert_true(reply_ok(c, 1)); /* consumed, not run */
	assert_int_equal(g2->runs, 0);
	assert_true(reply_ok(b, 2));
	assert_int_equal(k->runs, 1);
	fail_all("unavailable");
	assert_int_equal(g1->runs, 0);
	assert_int_equal(calls_waiting(), 0);
	(void)a;
}

/* Callbacks that call again, or close a view, while replies arrive. */
static json_int_t chained_id;
static struct view closing;

static void
call_again(void *ctx, json_t *result, json_t *error)
{
	record(ctx, result, error);
	chained_id = calls_add(NULL, record, &seen[7]);
}

static void
close_view(void *ctx, json_t *result, json_t *error)
{
	record(ctx, result, error);
	calls_forget(&closing);
}

static void
test_reentrant(void **state)
{
	struct seen *first = &seen[0], *closer = &seen[1], *victim = &seen[2];
	json_int_t a, b;

	(void)state;
	a = calls_add(NULL, call_again, first);
	assert_true(reply_ok(a, 1));
	assert_int_equal(first->runs, 1);
	assert_int_equal(calls_waiting(), 1);
	assert_true(reply_ok(chained_id, 5));
	assert_int_equal(seen[7].runs, 1);
	assert_int_equal(seen[7].result, 5);

	/* a failure that closes a view: its later calls are not run */
	b = calls_add(NULL, close_view, closer);
	calls_add(&closing, record, victim);
	fail_all("unavailable");
	assert_int_equal(closer->runs, 1);
	assert_int_equal(victim->runs, 0);
	assert_int_equal(calls_waiting(), 0);
	(void)b;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_out_of_order, drain),
		cmocka_unit_test_setup(test_reverse_with_errors, drain),
		cmocka_unit_test_setup(test_once_and_unknown, drain),
		cmocka_unit_test_setup(test_close_fails_the_rest, drain),
		cmocka_unit_test_setup(test_forgotten_view, drain),
		cmocka_unit_test_setup(test_reentrant, drain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
