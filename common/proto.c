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
	[ERR_COC_REQUIRED] = "coc_required",
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

/* An argument that is absent (or null): an error only when required. */
static int
absent(const char *name, bool required, char *err, size_t errlen)
{
	if (!required)
		return 0;
	snprintf(err, errlen, "args.%s is required", name);
	return -1;
}

/* A string value of at most maxlen bytes with no NUL inside. */
static int
check_str(json_t *v, const char *name, size_t maxlen, char *err,
    size_t errlen)
{
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
	return 0;
}

/* An integer value within [min, max]. */
static int
check_int(json_t *v, const char *name, json_int_t min, json_int_t max,
    char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		snprintf(err, errlen,
		    "args.%s must be an integer between %lld and %lld", name,
		    (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

static int
check_bool(json_t *v, const char *name, char *err, size_t errlen)
{
	if (!json_is_boolean(v)) {
		snprintf(err, errlen, "args.%s must be true or false", name);
		return -1;
	}
	return 0;
}

/* A string argument of at most maxlen bytes with no NUL inside. */
int
arg_str(json_t *args, const char *name, bool required, size_t maxlen,
    const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v))
		return absent(name, required, err, errlen);
	if (check_str(v, name, maxlen, err, errlen) != 0)
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* An integer argument within [min, max]. */
int
arg_int(json_t *args, const char *name, bool required, json_int_t min,
    json_int_t max, json_int_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v))
		return absent(name, required, err, errlen);
	if (check_int(v, name, min, max, err, errlen) != 0)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* A true or false argument. */
int
arg_bool(json_t *args, const char *name, bool required, bool *out, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v))
		return absent(name, required, err, errlen);
	if (check_bool(v, name, err, errlen) != 0)
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* One value of a scalar type (an argument or a list item). */
static int
check_scalar(json_t *v, const char *name, enum arg_type type, json_int_t min,
    json_int_t max, char *err, size_t errlen)
{
	switch (type) {
	case ARG_T_STR:
		return check_str(v, name, (size_t)max, err, errlen);
	case ARG_T_INT:
		return check_int(v, name, min, max, err, errlen);
	case ARG_T_BOOL:
		return check_bool(v, name, err, errlen);
	case ARG_T_OBJECT:
		if (json_is_object(v))
			return 0;
		snprintf(err, errlen, "args.%s must be an object", name);
		return -1;
	case ARG_T_ARRAY:
		break;
	}
	snprintf(err, errlen, "args.%s cannot be checked", name);
	return -1;
}

/* "at most 8", "1 to 500": how many items a list takes, for messages. */
static void
count_words(json_int_t min, json_int_t max, char *out, size_t len)
{
	if (min <= 0)
		snprintf(out, len, "at most %lld", (long long)max);
	else if (min == max)
		snprintf(out, len, "exactly %lld", (long long)max);
	else
		snprintf(out, len, "%lld to %lld", (long long)min,
		    (long long)max);
}

/* A list argument: its length, then each item as args.name[i]. */
static int
check_array(json_t *v, const struct arg_spec *a, char *err, size_t errlen)
{
	char count[64], item[80];
	const char *what;
	size_t i;
	json_t *e;

	if (!json_is_array(v) || (json_int_t)json_array_size(v) < a->min ||
	    (json_int_t)json_array_size(v) > a->max) {
		count_words(a->min, a->max, count, sizeof count);
		what = a->item == ARG_T_STR ? "strings" :
		    a->item == ARG_T_INT ? "integers" :
		    a->item == ARG_T_OBJECT ? "objects" :
		    "true or false values";
		snprintf(err, errlen, "args.%s must be a list of %s %s",
		    a->name, count, what);
		return -1;
	}
	json_array_foreach(v, i, e) {
		snprintf(item, sizeof item, "%.40s[%zu]", a->name, i);
		if (check_scalar(e, item, a->item, a->item_min, a->item_max,
		    err, errlen) != 0)
			return -1;
	}
	return 0;
}

static const struct arg_spec *
spec_find(const struct arg_spec *spec, const char *name)
{
	for (; spec->name != NULL; spec++) {
		if (strcmp(spec->name, name) == 0)
			return spec;
	}
	return NULL;
}

/* "args.x is not an argument ... (it takes a, b, c)". */
static void
unknown(const struct arg_spec *spec, const char *name, char *err,
    size_t errlen)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "args.%.40s is not an argument of this operation "
	    "(it takes ", name);
	if (spec->name == NULL)
		buf_puts(&b, "none");
	for (const struct arg_spec *a = spec; a->name != NULL; a++)
		buf_printf(&b, "%s%s", a == spec ? "" : ", ", a->name);
	buf_puts(&b, ")");
	snprintf(err, errlen, "%.*s", (int)buf_used(&b), buf_head(&b));
	buf_free(&b);
}

int
arg_check(json_t *args, const struct arg_spec *spec, bool open, char *err,
    size_t errlen)
{
	const struct arg_spec *a;
	const char *key;
	json_t *v;

	if (!open) {
		json_object_foreach(args, key, v) {
			if (spec_find(spec, key) == NULL) {
				unknown(spec, key, err, errlen);
				return -1;
			}
		}
	}
	for (a = spec; a->name != NULL; a++) {
		v = json_object_get(args, a->name);
		if (v == NULL || json_is_null(v)) {
			if (absent(a->name, a->required, err, errlen) != 0)
				return -1;
			continue;
		}
		if (a->type == ARG_T_ARRAY) {
			if (check_array(v, a, err, errlen) != 0)
				return -1;
		} else if (check_scalar(v, a->name, a->type, a->min, a->max,
		    err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* A type with its limits as the reference shows it: "int 1–200". */
static void
type_words(enum arg_type type, json_int_t min, json_int_t max, char *out,
    size_t len)
{
	switch (type) {
	case ARG_T_STR:
		snprintf(out, len, "string ≤ %lld bytes", (long long)max);
		break;
	case ARG_T_INT:
		if (max == INT64_MAX)
			snprintf(out, len, "int ≥ %lld", (long long)min);
		else
			snprintf(out, len, "int %lld–%lld", (long long)min,
			    (long long)max);
		break;
	case ARG_T_BOOL:
		snprintf(out, len, "bool");
		break;
	case ARG_T_OBJECT:
		snprintf(out, len, "object");
		break;
	case ARG_T_ARRAY:
		snprintf(out, len, "list");
		break;
	}
}

void
arg_describe(const struct arg_spec *a, char *out, size_t len)
{
	char type[160], item[64];

	if (a->type == ARG_T_ARRAY) {
		type_words(a->item, a->item_min, a->item_max, item,
		    sizeof item);
		if (a->min <= 0)
			snprintf(type, sizeof type, "list of ≤ %lld × %s",
			    (long long)a->max, item);
		else
			snprintf(type, sizeof type, "list of %lld–%lld × %s",
			    (long long)a->min, (long long)a->max, item);
	} else
		type_words(a->type, a->min, a->max, type, sizeof type);
	snprintf(out, len, "`%s%s` %s", a->name, a->required ? "" : "?",
	    type);
}

const char *
arg_spec_invalid(const struct arg_spec *spec)
{
	for (const struct arg_spec *a = spec; a->name != NULL; a++) {
		if (a->name[0] == '\0')
			return "an argument without a name";
		if (spec_find(spec, a->name) != a)
			return "an argument named twice";
		switch (a->type) {
		case ARG_T_STR:
			if (a->max <= 0)
				return "a string without a maximum length";
			break;
		case ARG_T_INT:
			if (a->min > a->max)
				return "an integer range that is empty";
			break;
		case ARG_T_BOOL:
		case ARG_T_OBJECT:
			break;
		case ARG_T_ARRAY:
			if (a->max <= 0 || a->min > a->max || a->min < 0)
				return "a list without a sensible length";
			if (a->item == ARG_T_STR && a->item_max <= 0)
				return "list items without a maximum length";
			if (a->item == ARG_T_INT && a->item_min > a->item_max)
				return "list items with an empty range";
			if (a->item != ARG_T_STR && a->item != ARG_T_INT &&
			    a->item != ARG_T_BOOL && a->item != ARG_T_OBJECT)
				return "list items of an unknown type";
			break;
		default:
			return "an argument of an unknown type";
		}
	}
	return NULL;
}
