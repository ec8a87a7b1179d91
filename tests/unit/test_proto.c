/*
 * test_proto.c: protocol lines: parsing requests and its error messages,
 * the reply and event builders, the argument helpers, and the shapes of
 * values the protocol carries (handles, slugs, durations, times).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

#define PARSE(s, req, err) proto_parse((s), strlen(s), (req), (err), \
    sizeof(err))

/* Parse s expecting failure with exactly the message want. */
static void
expect_parse_error(const char *s, const char *want)
{
	struct request req;
	char err[256];

	assert_int_equal(PARSE(s, &req, err), -1);
	assert_string_equal(err, want);
	assert_null(req.root);
}

/* Compare a builder's malloc'd line with want, then free it. */
static void
expect_line(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_parse_ok(void **state)
{
	struct request req;
	char err[256];
	const char *s = "{\"id\": 7, \"op\": \"invite.redeem\", "
	    "\"args\": {\"code\": \"HRTH-0000-1111-2222\"}}";

	assert_int_equal(PARSE(s, &req, err), 0);
	assert_non_null(req.root);
	assert_true(req.has_id);
	assert_int_equal(req.id, 7);
	assert_string_equal(req.op, "invite.redeem");
	assert_true(json_is_object(req.args));
	assert_string_equal(json_string_value(json_object_get(req.args,
	    "code")), "HRTH-0000-1111-2222");
	request_free(&req);
	assert_null(req.root);
}

static void
test_parse_defaults(void **state)
{
	struct request req;
	char err[256];

	/* no id, no args: args is an empty object owned by root */
	assert_int_equal(PARSE("{\"op\":\"whoami\"}", &req, err), 0);
	assert_false(req.has_id);
	assert_int_equal(req.id, 0);
	assert_true(json_is_object(req.args));
	assert_int_equal(json_object_size(req.args), 0);
	assert_ptr_equal(json_object_get(req.root, "args"), req.args);
	request_free(&req);

	/* id 0 is an id; null args count as absent; unknown keys pass */
	assert_int_equal(PARSE("{\"id\":0,\"op\":\"whoami\",\"args\":null,"
	    "\"x\":1}", &req, err), 0);
	assert_true(req.has_id);
	assert_int_equal(req.id, 0);
	assert_true(json_is_object(req.args));
	request_free(&req);

	/* the length is respected; the line need not end in NUL */
	assert_int_equal(proto_parse("{\"op\":\"a.b\"}garbage", 12, &req,
	    err, sizeof err), 0);
	assert_string_equal(req.op, "a.b");
	request_free(&req);
}

static void
test_parse_bad_utf8_and_json(void **state)
{
	struct request req;
	char err[256];

	expect_parse_error("{\"op\":\"whoami\",\"args\":{\"x\":\"\xff\xfe\"}}",
	    "request is not valid UTF-8");
	expect_parse_error("{\"op\":\"\xed\xa0\x80\"}",
	    "request is not valid UTF-8");

	assert_int_equal(PARSE("{\"id\": 1, \"op\": ", &req, err), -1);
	assert_null(req.root);
	assert_false(req.has_id);
	assert_memory_equal(err, "invalid JSON: ", 14);
	assert_non_null(strstr(err, " at column "));
	assert_int_equal(PARSE("", &req, err), -1);
	assert_memory_equal(err, "invalid JSON: ", 14);
	assert_int_equal(PARSE("{\"op\":\"a\"} x", &req, err), -1);
	assert_memory_equal(err, "invalid JSON: ", 14);
	assert_int_equal(PARSE("{\"op\":\"a\",\"op\":\"b\"}", &req, err), -1);
	assert_memory_equal(err, "invalid JSON: ", 14);
	/* a tiny err buffer is truncated, not overrun */
	assert_int_equal(proto_parse("nope", 4, &req, err, 8), -1);
	assert_string_equal(err, "invalid");
}

static void
test_parse_bad_envelope(void **state)
{
	struct request req;
	char err[256];

	expect_parse_error("[1,2,3]", "a request must be a JSON object");
	expect_parse_error("{\"id\":-1,\"op\":\"whoami\"}",
	    "id must be a non-negative integer");
	expect_parse_error("{\"id\":\"seven\",\"op\":\"whoami\"}",
	    "id must be a non-negative integer");
	expect_parse_error("{\"id\":1.5,\"op\":\"whoami\"}",
	    "id must be a non-negative integer");
	expect_parse_error("{\"op\":5}",
	    "op must be a string such as \"community.list\"");
	expect_parse_error("{\"op\":\"\"}",
	    "op must be a string such as \"community.list\"");
	expect_parse_error("{\"op\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaa\"}", "op is too long (max 64 bytes)");

	/* 64 bytes is still an op */
	assert_int_equal(PARSE("{\"op\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", &req, err), 0);
	assert_int_equal(strlen(req.op), 64);
	request_free(&req);

	/* errors after the id keep it, so the reply can echo it */
	assert_int_equal(PARSE("{\"id\":5,\"args\":{}}", &req, err), -1);
	assert_string_equal(err, "op is required");
	assert_null(req.root);
	assert_true(req.has_id);
	assert_int_equal(req.id, 5);
	expect_line(proto_error(&req, ERR_BAD_REQUEST, "%s", err),
	    "{\"id\":5,\"ok\":false,\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"op is required\"}}\n");

	assert_int_equal(PARSE("{\"id\":9,\"op\":\"invite.redeem\","
	    "\"args\":\"nope\"}", &req, err), -1);
	assert_string_equal(err, "args must be an object");
	assert_null(req.root);
	assert_null(req.args);
	assert_true(req.has_id);
	assert_int_equal(req.id, 9);
}

static void
test_builders(void **state)
{
	struct request req;
	char err[256];

	assert_int_equal(PARSE("{\"id\":7,\"op\":\"whoami\"}", &req, err), 0);
	expect_line(proto_ok(&req, json_pack("{s:i}", "a", 1)),
	    "{\"id\":7,\"ok\":true,\"result\":{\"a\":1}}\n");
	expect_line(proto_ok(&req, NULL),
	    "{\"id\":7,\"ok\":true,\"result\":{}}\n");
	expect_line(proto_error(&req, ERR_CONFLICT, "handle %s is taken",
	    "sam"), "{\"id\":7,\"ok\":false,\"error\":{\"code\":\"conflict\","
	    "\"message\":\"handle sam is taken\"}}\n");
	request_free(&req);

	assert_int_equal(PARSE("{\"op\":\"whoami\"}", &req, err), 0);
	expect_line(proto_ok(&req, json_object()),
	    "{\"ok\":true,\"result\":{}}\n");
	request_free(&req);
	expect_line(proto_error(NULL, ERR_TOO_LARGE, "line too long"),
	    "{\"ok\":false,\"error\":{\"code\":\"too_large\","
	    "\"message\":\"line too long\"}}\n");

	expect_line(proto_event("session.ended", json_pack("{s:s}", "reason",
	    "bye")), "{\"event\":\"session.ended\",\"data\":{\"reason\":"
	    "\"bye\"}}\n");
	expect_line(proto_event("hello", NULL),
	    "{\"event\":\"hello\",\"data\":{}}\n");
}

static void
test_builders_text(void **state)
{
	json_t *v;

	/* UTF-8 goes out as is; newlines and quotes are escaped */
	v = json_pack("{s:s}", "name", "Zo\xc3\xab \"Z\"\n\xe6\x97\xa5");
	expect_line(json_line(v),
	    "{\"name\":\"Zo\xc3\xab \\\"Z\\\"\\n\xe6\x97\xa5\"}");
	json_decref(v);
	v = json_integer(3);
	expect_line(json_line(v), "3");
	json_decref(v);
	/* a message quoting invalid input still makes a valid line */
	expect_line(proto_error(NULL, ERR_BAD_REQUEST, "bad name '%s'",
	    "a\xff" "b"), "{\"ok\":false,\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"bad name 'a\xef\xbf\xbd" "b'\"}}\n");
}

static void
test_err_names(void **state)
{
	assert_string_equal(proto_err_name(ERR_BAD_REQUEST), "bad_request");
	assert_string_equal(proto_err_name(ERR_NOT_FOUND), "not_found");
	assert_string_equal(proto_err_name(ERR_FORBIDDEN), "forbidden");
	assert_string_equal(proto_err_name(ERR_CONFLICT), "conflict");
	assert_string_equal(proto_err_name(ERR_RATE_LIMITED), "rate_limited");
	assert_string_equal(proto_err_name(ERR_TOO_LARGE), "too_large");
	assert_string_equal(proto_err_name(ERR_UNAVAILABLE), "unavailable");
	assert_string_equal(proto_err_name(ERR_INTERNAL), "internal");
}

static void
test_arg_str(void **state)
{
	json_t *args = json_pack("{s:s, s:i, s:n, s:s}", "handle", "sam_k",
	    "num", 3, "nothing", "long", "abcdefgh");
	const char *out = "unchanged";
	char err[256];

	assert_int_equal(arg_str(args, "handle", true, 32, &out, err,
	    sizeof err), 0);
	assert_string_equal(out, "sam_k");
	out = "unchanged";
	assert_int_equal(arg_str(args, "absent", false, 32, &out, err,
	    sizeof err), 0);
	assert_string_equal(out, "unchanged");
	assert_int_equal(arg_str(args, "nothing", false, 32, &out, err,
	    sizeof err), 0);
	assert_string_equal(out, "unchanged");
	assert_int_equal(arg_str(args, "absent", true, 32, &out, err,
	    sizeof err), -1);
	assert_string_equal(err, "args.absent is required");
	assert_int_equal(arg_str(args, "num", true, 32, &out, err,
	    sizeof err), -1);
	assert_string_equal(err, "args.num must be a string");
	assert_int_equal(arg_str(args, "long", true, 8, &out, err,
	    sizeof err), 0);
	assert_int_equal(arg_str(args, "long", true, 7, &out, err,
	    sizeof err), -1);
	assert_string_equal(err, "args.long is too long (max 7 bytes)");

	json_object_set_new(args, "nul", json_stringn("a\0b", 3));
	out = "unchanged";
	assert_int_equal(arg_str(args, "nul", true, 32, &out, err,
	    sizeof err), -1);
	assert_string_equal(err, "args.nul must not contain NUL bytes");
	assert_string_equal(out, "unchanged");
	json_decref(args);
}

static void
test_arg_int(void **state)
{
	json_t *args = json_pack("{s:i, s:i, s:i, s:f, s:s, s:b}", "limit",
	    50, "low", 0, "high", 101, "real", 1.5, "str", "5", "bool", 1);
	json_int_t out = -7;
	char err[256];

	assert_int_equal(arg_int(args, "limit", true, 1, 100, &out, err,
	    sizeof err), 0);
	assert_int_equal(out, 50);
	out = -7;
	assert_int_equal(arg_int(args, "absent", false, 1, 100, &out, err,
	    sizeof err), 0);
	assert_int_equal(out, -7);
	assert_int_equal(arg_int(args, "absent", true, 1, 100, &out, err,
	    sizeof err), -1);
	assert_string_equal(err, "args.absent is required");
	static const char *const bad[] = { "low", "high", "real", "str",
	    "bool" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[128];

		snprintf(want, sizeof want,
		    "args.%s must be an integer between 1 and 100", bad[i]);
		assert_int_equal(arg_int(args, bad[i], true, 1, 100, &out, err,
		    sizeof err), -1);
		assert_string_equal(err, want);
		assert_int_equal(out, -7);
	}
	assert_int_equal(arg_int(args, "high", true, 0, 101, &out, err,
	    sizeof err), 0);
	assert_int_equal(out, 101);
	json_decref(args);
}

static void
test_arg_bool(void **state)
{
	json_t *args = json_pack("{s:b, s:b, s:i}", "yes", 1, "no", 0, "num",
	    1);
	bool out = false;
	char err[256];

	assert_int_equal(arg_bool(args, "yes", true, &out, err, sizeof err),
	    0);
	assert_true(out);
	assert_int_equal(arg_bool(args, "no", true, &out, err, sizeof err), 0);
	assert_false(out);
	out = true;
	assert_int_equal(arg_bool(args, "absent", false, &out, err,
	    sizeof err), 0);
	assert_true(out);
	assert_int_equal(arg_bool(args, "absent", true, &out, err,
	    sizeof err), -1);
	assert_string_equal(err, "args.absent is required");
	assert_int_equal(arg_bool(args, "num", true, &out, err, sizeof err),
	    -1);
	assert_string_equal(err, "args.num must be true or false");
	json_decref(args);
}

/* Check the JSON text args against spec; want NULL means it passes. */
static void
check_args(const struct arg_spec *spec, bool open, const char *args,
    const char *want)
{
	json_t *v = json_loads(args, JSON_ALLOW_NUL, NULL);
	char err[512];

	assert_non_null(v);
	if (want == NULL)
		assert_int_equal(arg_check(v, spec, open, err, sizeof err), 0);
	else {
		assert_int_equal(arg_check(v, spec, open, err, sizeof err), -1);
		assert_string_equal(err, want);
	}
	json_decref(v);
}

static void
test_arg_check(void **state)
{
	static const struct arg_spec spec[] = {
		ARG_STR("slug", ARG_REQ, 8),
		ARG_INT("limit", ARG_OPT, 1, 100),
		ARG_BOOL("all", ARG_OPT),
		ARG_STRS("tags", ARG_OPT, 0, 2, 3),
		ARG_INTS("ids", ARG_OPT, 1, 3, 1, INT64_MAX),
		ARG_OBJECT("extra", ARG_OPT),
		{ NULL },
	};
	static const struct arg_spec none[] = { { NULL } };

	check_args(spec, false, "{\"slug\": \"abc\"}", NULL);
	check_args(spec, false, "{\"slug\": \"abcdefgh\", \"limit\": 100, "
	    "\"all\": false, \"tags\": [\"a\", \"bcd\"], \"ids\": [1, 2, 3], "
	    "\"extra\": {\"x\": 1}}", NULL);
	/* null is absent, like the arg_* helpers */
	check_args(spec, false, "{\"slug\": \"a\", \"limit\": null}", NULL);
	check_args(spec, false, "{}", "args.slug is required");
	check_args(spec, false, "{\"slug\": null}", "args.slug is required");
	check_args(spec, false, "{\"slug\": 5}", "args.slug must be a string");
	check_args(spec, false, "{\"slug\": \"abcdefghi\"}",
	    "args.slug is too long (max 8 bytes)");
	check_args(spec, false, "{\"slug\": \"a\\u0000b\"}",
	    "args.slug must not contain NUL bytes");
	check_args(spec, false, "{\"slug\": \"a\", \"limit\": 0}",
	    "args.limit must be an integer between 1 and 100");
	check_args(spec, false, "{\"slug\": \"a\", \"limit\": 2.0}",
	    "args.limit must be an integer between 1 and 100");
	check_args(spec, false, "{\"slug\": \"a\", \"all\": 1}",
	    "args.all must be true or false");
	check_args(spec, false, "{\"slug\": \"a\", \"tags\": \"x\"}",
	    "args.tags must be a list of at most 2 strings");
	check_args(spec, false, "{\"slug\": \"a\", \"tags\": [\"a\", \"b\", "
	    "\"c\"]}", "args.tags must be a list of at most 2 strings");
	check_args(spec, false, "{\"slug\": \"a\", \"tags\": [\"abcd\"]}",
	    "args.tags[0] is too long (max 3 bytes)");
	check_args(spec, false, "{\"slug\": \"a\", \"tags\": [\"a\", 7]}",
	    "args.tags[1] must be a string");
	check_args(spec, false, "{\"slug\": \"a\", \"ids\": []}",
	    "args.ids must be a list of 1 to 3 integers");
	check_args(spec, false, "{\"slug\": \"a\", \"ids\": [1, 0]}",
	    "args.ids[1] must be an integer between 1 and "
	    "9223372036854775807");
	check_args(spec, false, "{\"slug\": \"a\", \"extra\": [1]}",
	    "args.extra must be an object");
	/* unknown names are refused unless the spec is open */
	check_args(spec, false, "{\"slug\": \"a\", \"slgu\": 1}",
	    "args.slgu is not an argument of this operation (it takes slug, "
	    "limit, all, tags, ids, extra)");
	check_args(spec, true, "{\"slug\": \"a\", \"slgu\": 1}", NULL);
	check_args(none, false, "{}", NULL);
	check_args(none, false, "{\"pad\": \"x\"}",
	    "args.pad is not an argument of this operation (it takes none)");
	check_args(none, true, "{\"pad\": \"x\"}", NULL);
}

static void
test_arg_describe_and_invalid(void **state)
{
	static const struct arg_spec ok[] = {
		ARG_STR("slug", ARG_REQ, 40),
		ARG_INT("limit", ARG_OPT, 1, 200),
		ARG_INT("before", ARG_OPT, 1, INT64_MAX),
		ARG_BOOL("all", ARG_OPT),
		ARG_STRS("tags", ARG_OPT, 0, 8, 32),
		ARG_INTS("ids", ARG_REQ, 1, 500, 1, INT64_MAX),
		{ NULL },
	};
	static const char *const want[] = {
		"`slug` string ≤ 40 bytes",
		"`limit?` int 1–200",
		"`before?` int ≥ 1",
		"`all?` bool",
		"`tags?` list of ≤ 8 × string ≤ 32 bytes",
		"`ids` list of 1–500 × int ≥ 1",
	};
	static const struct arg_spec twice[] = {
		ARG_BOOL("a", ARG_OPT), ARG_BOOL("a", ARG_OPT), { NULL } };
	static const struct arg_spec nomax[] = {
		ARG_STR("s", ARG_OPT, 0), { NULL } };
	static const struct arg_spec empty[] = {
		ARG_INT("i", ARG_OPT, 5, 4), { NULL } };
	static const struct arg_spec list[] = {
		ARG_STRS("l", ARG_OPT, 0, 3, 0), { NULL } };
	char out[256];

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		arg_describe(&ok[i], out, sizeof out);
		assert_string_equal(out, want[i]);
	}
	assert_null(arg_spec_invalid(ok));
	assert_non_null(arg_spec_invalid(twice));
	assert_non_null(arg_spec_invalid(nomax));
	assert_non_null(arg_spec_invalid(empty));
	assert_non_null(arg_spec_invalid(list));
}

static void
test_names(void **state)
{
	assert_true(handle_valid("sam_k"));
	assert_true(handle_valid("ab"));
	assert_true(handle_valid("a-1_b"));
	assert_true(handle_valid("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(handle_valid("abcdefghijklmnopqrstuvwxyz0123456"));
	assert_false(handle_valid("a"));
	assert_false(handle_valid(""));
	assert_false(handle_valid("1abc"));
	assert_false(handle_valid("_abc"));
	assert_false(handle_valid("Sam"));
	assert_false(handle_valid("sam k"));
	assert_false(handle_valid("sam.k"));
	assert_false(handle_valid("s\xc3\xa9"));
	assert_false(handle_valid(NULL));

	assert_true(slug_valid("gardening"));
	assert_true(slug_valid("rust-users-2"));
	assert_true(slug_valid("ab"));
	assert_true(slug_valid("abcdefghijklmnopqrstuvwxyz0123456789abcd"));
	assert_false(slug_valid("abcdefghijklmnopqrstuvwxyz0123456789abcde"));
	assert_false(slug_valid("a"));
	assert_false(slug_valid("ab-"));
	assert_false(slug_valid("-ab"));
	assert_false(slug_valid("2ab"));
	assert_false(slug_valid("a_b"));
	assert_false(slug_valid("Ab"));
	assert_false(slug_valid(NULL));
}

static void
test_durations_and_times(void **state)
{
	char t[32];

	assert_int_equal(parse_duration("90s"), 90);
	assert_int_equal(parse_duration("15m"), 900);
	assert_int_equal(parse_duration("12h"), 43200);
	assert_int_equal(parse_duration("7d"), 604800);
	assert_int_equal(parse_duration("2w"), 1209600);
	assert_int_equal(parse_duration("3600"), 3600);
	assert_int_equal(parse_duration("0"), 0);
	assert_int_equal(parse_duration(""), -1);
	assert_int_equal(parse_duration("d"), -1);
	assert_int_equal(parse_duration("-5"), -1);
	assert_int_equal(parse_duration(" 5"), -1);
	assert_int_equal(parse_duration("5x"), -1);
	assert_int_equal(parse_duration("5dd"), -1);
	assert_int_equal(parse_duration("99999999999999999999"), -1);
	assert_int_equal(parse_duration(NULL), -1);

	time_iso8601(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00Z");
	time_iso8601(1795301401, t);
	assert_string_equal(t, "2026-11-21T22:50:01Z");
	assert_true(now_unix() > 1700000000);
	assert_true(now_ms() > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_bad_utf8_and_json),
		cmocka_unit_test(test_parse_bad_envelope),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_builders_text),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_arg_str),
		cmocka_unit_test(test_arg_int),
		cmocka_unit_test(test_arg_bool),
		cmocka_unit_test(test_arg_check),
		cmocka_unit_test(test_arg_describe_and_invalid),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_durations_and_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
