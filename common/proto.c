/*
 * proto.c: protocol v1 lines: parsing requests, building replies and
 * events, and checking arguments with messages that name the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Longest operation name. */
#define PROTO_MAX_OP 64

static const char *const err_names[] = {
	[ERR_BAD_REQUEST] = "bad_request",
	[ERR_NOT_FOUND] = "not_found",
	[ERR_FORBIDDEN] = "forbidden",
	[ERR_CONFLICT] = "conflict",
	[ERR_RATE_LIMITED] = "rate_limited",
	[ERR_TOO_LARGE] = "too_large",
	[ERR_UNAVAILABLE] = "unavailable",
	[ERR_INTERNAL] = "internal",
};

const char *
proto_err_name(enum proto_err e)
{
	if ((unsigned)e >= sizeof err_names / sizeof err_names[0])
		return "internal";
	return err_names[e];
}

/*
 * Parse and check the envelope of one request line. On failure the id, if it
 * was read, is left in req so that the error reply can echo it.
 */
int
proto_parse(const char *line, size_t len, struct request *req, char *err,
    size_t errlen)
{
	json_error_t jerr;
	json_t *root, *id, *op, *args;

	memset(req, 0, sizeof *req);
	if (!utf8_valid(line, len)) {
		snprintf(err, errlen, "request is not valid UTF-8");
		return -1;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "invalid JSON: %s at column %d",
		    jerr.text, jerr.column);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "a request must be a JSON object");
		goto fail;
	}
	id = json_object_get(root, "id");
	if (id != NULL) {
		if (!json_is_integer(id) || json_integer_value(id) < 0) {
			snprintf(err, errlen,
			    "id must be a non-negative integer");
			goto fail;
		}
		req->id = json_integer_value(id);
		req->has_id = true;
	}
	op = json_object_get(root, "op");
	if (op == NULL) {
		snprintf(err, errlen, "op is required");
		goto fail;
	}
	if (!json_is_string(op) || json_string_length(op) == 0 ||
	    strlen(json_string_value(op)) != json_string_length(op)) {
		snprintf(err, errlen, "op must be a string such as "
		    "\"community.list\"");
		goto fail;
	}
	if (json_string_length(op) > PROTO_MAX_OP) {
		snprintf(err, errlen, "op is too long (max %d bytes)",
		    PROTO_MAX_OP);
		goto fail;
	}
	args = json_object_get(root, "args");
	if (args == NULL || json_is_null(args)) {
		args = json_object();
		json_object_set_new(root, "args", args);
	} else if (!json_is_object(args)) {
		snprintf(err, errlen, "args must be an object");
		goto fail;
	}
	req->root = root;
	req->op = json_string_value(op);
	req->args = args;
	return 0;
fail:
	json_decref(root);
	req->root = NULL;
	return -1;
}

void
request_free(struct request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof *req);
}

/* Serialise v compactly with UTF-8 left as is; aborts if it cannot. */
char *
json_line(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		fatal("%s: cannot encode JSON", __func__);
	return s;
}

/*
 * A JSON string for s; bytes that are not valid UTF-8 (say, from a message
 * quoting bad input) become U+FFFD so the line can still be built.
 */
static json_t *
text(const char *s)
{
	struct buf b;
	json_t *v;
	uint32_t cp;
	size_t len = strlen(s), n;

	if ((v = json_stringn(s, len)) != NULL)
		return v;
	buf_init(&b);
	while (len > 0) {
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			n = 1;
		} else
			buf_append(&b, s, n);
		s += n;
		len -= n;
	}
	v = json_stringn(buf_head(&b), buf_used(&b));
	buf_free(&b);
	if (v == NULL)
		fatal("%s: cannot make a JSON string", __func__);
	return v;
}

/* Serialise with a trailing newline; steals o. */
static char *
line_of(json_t *o)
{
	char *s = json_line(o), *out;
	size_t n = strlen(s);

	json_decref(o);
	out = xmalloc(n + 2);
	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	free(s);
	return out;
}

/* A success reply; a NULL result becomes {}. */
char *
proto_ok(const struct request *req, json_t *result)
{
	json_t *o = json_object();

	if (req != NULL && req->has_id)
		json_object_set_new(o, "id", json_integer(req->id));
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "result", result != NULL ? result :
	    json_object());
	return line_of(o);
}

/* An error reply; the message is formatted like printf. */
char *
proto_error(const struct request *req, enum proto_err e, const char *fmt, ...)
{
	json_t *o = json_object();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (req != NULL && req->has_id)
		json_object_set_new(o, "id", json_integer(req->id));
	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error", json_pack("{s:s, s:o}", "code",
	    proto_err_name(e), "message", text(msg)));
	free(msg);
	return line_of(o);
}

/* An event line; NULL data becomes {}. */
char *
proto_event(const char *name, json_t *data)
{
	json_t *o = json_object();

	json_object_set_new(o, "event", text(name));
	json_object_set_new(o, "data", data != NULL ? data : json_object());
	return line_of(o);
}

/* A string argument of at most maxlen bytes with no NUL inside. */
int
arg_str(json_t *args, const char *name, bool required, size_t maxlen,
    const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "args.%s is required", name);
		return -1;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "args.%s must be a string", name);
		return -1;
	}
	if (json_string_length(v) > maxlen) {
		snprintf(err, errlen, "args.%s is too long (max %zu bytes)",
		    name, maxlen);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, errlen, "args.%s must not contain NUL bytes",
		    name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* An integer argument within [min, max]. */
int
arg_int(json_t *args, const char *name, bool required, json_int_t min,
    json_int_t max, json_int_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "args.%s is required", name);
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		snprintf(err, errlen,
		    "args.%s must be an integer between %lld and %lld", name,
		    (long long)min, (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* A true or false argument. */
int
arg_bool(json_t *args, const char *name, bool required, bool *out, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "args.%s is required", name);
		return -1;
	}
	if (!json_is_boolean(v)) {
		snprintf(err, errlen, "args.%s must be true or false", name);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}
