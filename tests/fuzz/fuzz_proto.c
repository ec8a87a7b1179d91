/*
 * fuzz_proto.c: libFuzzer target for protocol requests (common/proto.c),
 * taken the way server/dispatch.c takes a line from the framer.
 *
 * The input is one line. proto_parse must accept it exactly when an
 * independent reading says it is a good request: valid UTF-8, a JSON object
 * with no duplicate keys, "op" a string of 1 to 64 bytes, "id" absent or a
 * non-negative integer, "args" absent, null or an object. Whatever it says,
 * the replies dispatch would build from it (the parse error, "unknown
 * operation", an ok echoing the args, an event) must each be one line of
 * valid UTF-8 JSON with the id echoed when there was one. Then the argument
 * helpers (arg_str, arg_int, arg_bool) are asked for every argument under
 * several specs, as handlers ask, and must agree with a model: the value
 * they give back obeys the spec, a failure leaves the output alone and
 * names the field, and its error reply is still one good line.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_proto: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The size dispatch gives the error message buffer. */
#define ERRLEN 256

static const char *const err_codes[] = { "bad_request", "not_found",
	"forbidden", "conflict", "rate_limited", "too_large", "unavailable",
	"internal" };

/*
 * Check one reply or event line: a single '\n' at its end, valid UTF-8,
 * one JSON object. Replies echo the id when the request had one. Returns
 * the parsed object (the caller frees it).
 */
static json_t *
check_line(char *s, bool reply, bool has_id, json_int_t id)
{
	size_t n = strlen(s);
	json_error_t jerr;
	json_t *o, *v, *e;

	CHECK(n >= 2 && s[n - 1] == '\n');
	CHECK(memchr(s, '\n', n - 1) == NULL);
	CHECK(n - 1 <= PROTO_MAX_LINE * 2 + 1024);
	CHECK(utf8_valid(s, n));
	o = json_loadb(s, n - 1, JSON_REJECT_DUPLICATES, &jerr);
	CHECK(o != NULL && json_is_object(o));
	if (!reply) {
		CHECK(json_is_string(json_object_get(o, "event")));
		CHECK(json_is_object(json_object_get(o, "data")));
		free(s);
		return o;
	}
	v = json_object_get(o, "id");
	if (has_id)
		CHECK(json_is_integer(v) && json_integer_value(v) == id);
	else
		CHECK(v == NULL);
	v = json_object_get(o, "ok");
	CHECK(json_is_boolean(v));
	if (json_is_false(v)) {
		bool known = false;
		e = json_object_get(o, "error");
		CHECK(json_is_object(e));
		v = json_object_get(e, "code");
		CHECK(json_is_string(v));
		for (size_t i = 0; i < sizeof err_codes / sizeof err_codes[0];
		    i++)
			known |= strcmp(json_string_value(v), err_codes[i]) == 0;
		CHECK(known);
		CHECK(json_is_string(json_object_get(e, "message")));
		CHECK(json_string_length(json_object_get(e, "message")) > 0);
	} else
		CHECK(json_is_object(json_object_get(o, "result")));
	free(s);
	return o;
}

/* The error reply dispatch sends for a failed call with message err. */
static void
check_error_reply(const struct request *req, enum proto_err code,
    const char *err)
{
	json_t *o;

	CHECK(memchr(err, '\0', ERRLEN) != NULL);
	CHECK(err[0] != '\0');
	o = check_line(proto_error(req, code, "%s", err), true, req->has_id,
	    req->id);
	json_decref(o);
}

/* What a request must look like to be accepted; the model of proto_parse. */
static bool
model_accepts(const char *line, size_t len, bool *has_id, json_int_t *id)
{
	json_error_t jerr;
	json_t *root, *v;
	bool ok = false;

	*has_id = false;
	*id = 0;
	if (!utf8_valid(line, len))
		return false;
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return false;
	if (!json_is_object(root))
		goto out;
	v = json_object_get(root, "id");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			goto out;
		*has_id = true;
		*id = json_integer_value(v);
	}
	v = json_object_get(root, "op");
	if (!json_is_string(v) || json_string_length(v) < 1 ||
	    json_string_length(v) > 64 ||
	    memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
		goto out;
	v = json_object_get(root, "args");
	ok = v == NULL || json_is_null(v) || json_is_object(v);
out:
	json_decref(root);
	return ok;
}

/* The start of an error naming field name: "args.<name>". */
static void
check_names_field(const char *err, const char *name)
{
	size_t n = strlen(name);

	CHECK(strncmp(err, "args.", 5) == 0);
	if (5 + n < ERRLEN - 1)
		CHECK(strncmp(err + 5, name, n) == 0);
}

/* arg_str under one spec, against the model. */
static void
try_str(const struct request *req, const char *name, bool required,
    size_t maxlen)
{
	static const char sentinel[] = "unchanged";
	json_t *v = json_object_get(req->args, name);
	const char *out = sentinel;
	char err[ERRLEN];
	bool want;
	int rc;

	if (v == NULL || json_is_null(v))
		want = !required;
	else
		want = json_is_string(v) && json_string_length(v) <= maxlen &&
		    memchr(json_string_value(v), '\0',
		    json_string_length(v)) == NULL;
	err[0] = '\0';
	rc = arg_str(req->args, name, required, maxlen, &out, err, sizeof err);
	CHECK((rc == 0) == want);
	if (rc == 0) {
		if (v == NULL || json_is_null(v))
			CHECK(out == sentinel);
		else {
			CHECK(out == json_string_value(v));
			CHECK(strlen(out) <= maxlen);
			CHECK(utf8_valid(out, strlen(out)));
		}
		return;
	}
	CHECK(out == sentinel);
	check_names_field(err, name);
	check_error_reply(req, ERR_BAD_REQUEST, err);
}

/* arg_int under one spec, against the model. */
static void
try_int(const struct request *req, const char *name, bool required,
    json_int_t min, json_int_t max)
{
	json_t *v = json_object_get(req->args, name);
	json_int_t out = 12345;
	char err[ERRLEN];
	bool want;
	int rc;

	if (v == NULL || json_is_null(v))
		want = !required;
	else
		want = json_is_integer(v) && json_integer_value(v) >= min &&
		    json_integer_value(v) <= max;
	err[0] = '\0';
	rc = arg_int(req->args, name, required, min, max, &out, err,
	    sizeof err);
	CHECK((rc == 0) == want);
	if (rc == 0) {
		if (v == NULL || json_is_null(v))
			CHECK(out == 12345);
		else
			CHECK(out >= min && out <= max &&
			    out == json_integer_value(v));
		return;
	}
	CHECK(out == 12345);
	check_names_field(err, name);
	check_error_reply(req, ERR_BAD_REQUEST, err);
}

/* arg_bool, against the model. */
static void
try_bool(const struct request *req, const char *name, bool required)
{
	json_t *v = json_object_get(req->args, name);
	char err[ERRLEN];
	bool out = true, want;
	int rc;

	if (v == NULL || json_is_null(v))
		want = !required;
	else
		want = json_is_boolean(v);
	err[0] = '\0';
	rc = arg_bool(req->args, name, required, &out, err, sizeof err);
	CHECK((rc == 0) == want);
	if (rc == 0) {
		CHECK(out == (v != NULL && !json_is_null(v) ? json_is_true(v) :
		    true));
		return;
	}
	CHECK(out == true);
	check_names_field(err, name);
	check_error_reply(req, ERR_BAD_REQUEST, err);
}

/* Every helper under a few specs, as different handlers would ask. */
static void
try_args(const struct request *req, const char *name)
{
	static const size_t maxlens[] = { 0, 1, 32, 200, 20000, (size_t)-1 };
	static const json_int_t ranges[][2] = {
		{ 0, LLONG_MAX }, { 1, 100 }, { -3, 3 },
		{ LLONG_MIN, LLONG_MAX }, { 5, 1 },
	};

	for (int req_ = 0; req_ < 2; req_++) {
		for (size_t i = 0; i < sizeof maxlens / sizeof maxlens[0]; i++)
			try_str(req, name, req_, maxlens[i]);
		for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
			try_int(req, name, req_, ranges[i][0], ranges[i][1]);
		try_bool(req, name, req_);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "community", "thread_id", "body",
		"", "args" };
	struct request req;
	char err[ERRLEN], *line;
	bool want, want_has_id;
	json_int_t want_id;
	const char *key;
	json_t *v, *o;
	size_t nkeys = 0;
	int rc;

	/* the framer never hands dispatch more than this */
	if (size > PROTO_MAX_LINE)
		return 0;
	/* a line as the framer leaves it: its own buffer, NUL after it */
	line = xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';

	want = model_accepts(line, size, &want_has_id, &want_id);
	memset(err, 0, sizeof err);
	rc = proto_parse(line, size, &req, err, sizeof err);
	CHECK(rc == 0 || rc == -1);
	CHECK((rc == 0) == want);
	if (rc != 0) {
		CHECK(req.root == NULL);
		if (req.has_id)
			CHECK(want_has_id && req.id == want_id);
		check_error_reply(&req, ERR_BAD_REQUEST, err);
		free(line);
		return 0;
	}
	CHECK(utf8_valid(line, size));
	CHECK(json_is_object(req.root));
	CHECK(req.has_id == want_has_id && req.id == want_id);
	CHECK(req.op != NULL);
	CHECK(req.op == json_string_value(json_object_get(req.root, "op")));
	CHECK(strlen(req.op) >= 1 && strlen(req.op) <= 64);
	CHECK(json_is_object(req.args));
	CHECK(json_object_get(req.root, "args") == req.args);

	/* the replies dispatch can send for it */
	o = check_line(proto_error(&req, ERR_BAD_REQUEST,
	    "unknown operation '%s'", req.op), true, req.has_id, req.id);
	json_decref(o);
	o = check_line(proto_ok(&req, json_deep_copy(req.args)), true,
	    req.has_id, req.id);
	CHECK(json_equal(json_object_get(o, "result"), req.args));
	json_decref(o);
	o = check_line(proto_ok(&req, NULL), true, req.has_id, req.id);
	json_decref(o);
	o = check_line(proto_event(req.op, json_deep_copy(req.args)), false,
	    false, 0);
	CHECK(strcmp(json_string_value(json_object_get(o, "event")),
	    req.op) == 0);
	CHECK(json_equal(json_object_get(o, "data"), req.args));
	json_decref(o);

	/* the argument helpers, on the arguments sent and on some not sent */
	json_object_foreach(req.args, key, v) {
		if (nkeys++ == 16)
			break;
		try_args(&req, key);
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		try_args(&req, fixed[i]);

	request_free(&req);
	CHECK(req.root == NULL);
	free(line);
	return 0;
}
