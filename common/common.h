/*
 * common.h: code shared by hearthd, hearthctl and hearth.
 *
 * Allocation aborts (callers never check for NULL); everything that parses
 * input returns an error instead. Sections follow the files of common/.
 */
#ifndef HEARTH_COMMON_H
#define HEARTH_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define HEARTH_VERSION "0.1.0"
#define HEARTH_PROTO 1
/* Longest protocol line, not counting the newline. */
#define PROTO_MAX_LINE (64 * 1024)

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))

/* xmalloc.c */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) PRINTFLIKE(1, 2);
char *xvasprintf(const char *, va_list);

/* log.c */
enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };
void log_init(const char *prog, int level);
int log_get_level(void);
void log_msg(int level, const char *func, uint64_t conn, const char *fmt, ...)
    PRINTFLIKE(4, 5);
/* conn is a connection id, or 0 for none. */
#define log_error(conn, ...) log_msg(LOG_ERROR, __func__, conn, __VA_ARGS__)
#define log_warn(conn, ...) log_msg(LOG_WARN, __func__, conn, __VA_ARGS__)
#define log_info(conn, ...) log_msg(LOG_INFO, __func__, conn, __VA_ARGS__)
#define log_debug(conn, ...) log_msg(LOG_DEBUG, __func__, conn, __VA_ARGS__)
void fatal(const char *fmt, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));

/* buf.c: a growable byte buffer with a read offset. */
struct buf {
	char *data;
	size_t off; /* first unread byte */
	size_t len; /* end of data */
	size_t cap;
};
void buf_init(struct buf *);
void buf_free(struct buf *);
void buf_append(struct buf *, const void *, size_t);
void buf_puts(struct buf *, const char *);
void buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
/* Bytes not yet consumed. */
size_t buf_used(const struct buf *);
const char *buf_head(const struct buf *);
void buf_consume(struct buf *, size_t);
void buf_clear(struct buf *);

/*
 * frame.c: splits a byte stream into '\n'-terminated lines of at most max
 * bytes. Feed bytes, then call frame_next until it returns FRAME_MORE.
 * A returned line (without '\n', NUL-terminated) stays valid until the next
 * frame_feed or frame_next call. After FRAME_TOO_LARGE the stream is dead.
 */
enum frame_rc { FRAME_LINE, FRAME_MORE, FRAME_TOO_LARGE };
struct frame {
	struct buf in;
	size_t max;
	size_t scanned; /* bytes of in already known to hold no '\n' */
	bool dead;
};
void frame_init(struct frame *, size_t max);
void frame_free(struct frame *);
void frame_feed(struct frame *, const void *, size_t);
enum frame_rc frame_next(struct frame *, char **line, size_t *len);

/* utf8.c */
bool utf8_valid(const char *, size_t);
/* Display width in terminal columns of a UTF-8 string (invalid bytes count 1). */
int utf8_width(const char *, size_t);
/* Decode one code point at s (len bytes); returns bytes used, 0 on error. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Columns taken by one code point: 0 (combining), 1 or 2 (wide). */
int utf8_cpwidth(uint32_t cp);
/*
 * What a text may hold, by use. UTF8_LINE and UTF8_LINES refuse C0 and C1
 * controls and the bidi embeddings, overrides and isolates (which reorder
 * everything after them on a screen); UTF8_LINES lets newline and tab
 * through. UTF8_NAME (handles, display names, community names) also
 * refuses every invisible or format character: zero-width spaces and
 * joiners, marks of direction, word joiners, byte order marks, fillers
 * and tags, so that two names that look alike are alike.
 */
enum utf8_use { UTF8_LINE, UTF8_LINES, UTF8_NAME };
/* True for U+202A-U+202E and U+2066-U+2069. */
bool utf8_is_bidi_control(uint32_t cp);
/* True for a code point that shows nothing (format, zero-width, filler). */
bool utf8_is_invisible(uint32_t cp);
/*
 * 0 if the len bytes at s are valid UTF-8 fit for use, else -1 with the
 * first refused code point in *bad (U+FFFD for an invalid byte).
 */
int utf8_check(const char *s, size_t len, enum utf8_use use, uint32_t *bad);
/* Why utf8_check refused cp, for a message: "a control character". */
const char *utf8_refusal(uint32_t cp);
/*
 * utf8_check for the argument called name (NULL passes): -1 with "args.NAME
 * must not contain a control character (U+001B)" in err.
 */
int utf8_check_arg(const char *name, const char *s, enum utf8_use use,
    char *err, size_t errlen);

/*
 * proto.c: protocol v1 lines (see docs/protocol.md). The proto_* builders
 * return a malloc'd string ending in '\n'; they steal the json_t references
 * passed to them.
 */
enum proto_err {
	ERR_BAD_REQUEST,
	ERR_NOT_FOUND,
	ERR_FORBIDDEN,
	ERR_CONFLICT,
	ERR_RATE_LIMITED,
	ERR_TOO_LARGE,
	ERR_UNAVAILABLE,
	ERR_INTERNAL,
	ERR_COC_REQUIRED, /* a write before accepting the code of conduct */
};
const char *proto_err_name(enum proto_err);
struct request {
	json_t *root; /* owned */
	json_int_t id; /* 0 when the request has none */
	bool has_id;
	const char *op;
	json_t *args; /* borrowed from root; an empty object when absent */
};
/*
 * Parse one line. On error fills err (a message for the client) and returns
 * -1; the request holds nothing to free then (root is NULL), but id and
 * has_id are set if the id could be read, so the error reply echoes it. On
 * success call request_free when done.
 */
int proto_parse(const char *line, size_t len, struct request *, char *err,
    size_t errlen);
void request_free(struct request *);
char *proto_ok(const struct request *, json_t *result);
char *proto_error(const struct request *, enum proto_err, const char *fmt, ...)
    PRINTFLIKE(3, 4);
char *proto_event(const char *name, json_t *data);
/* Serialise compactly (one line, no '\n'). */
char *json_line(json_t *);

/*
 * Argument helpers: each returns 0 and sets *out, or -1 with a message
 * naming the field in err. Absent optional fields leave *out unchanged.
 */
int arg_str(json_t *args, const char *name, bool required, size_t maxlen,
    const char **out, char *err, size_t errlen);
int arg_int(json_t *args, const char *name, bool required, json_int_t min,
    json_int_t max, json_int_t *out, char *err, size_t errlen);
int arg_bool(json_t *args, const char *name, bool required, bool *out,
    char *err, size_t errlen);

/*
 * Argument specs: what an operation takes, checked as a whole by arg_check
 * with the messages of the helpers above. A spec is an array ended by an
 * entry whose name is NULL; write entries with the ARG_* macros.
 */
enum arg_type { ARG_T_STR = 1, ARG_T_INT, ARG_T_BOOL, ARG_T_ARRAY,
	ARG_T_OBJECT };
enum { ARG_OPT = 0, ARG_REQ = 1 };
struct arg_spec {
	const char *name;
	enum arg_type type;
	bool required; /* absent or null is an error */
	/* string: max bytes (min unused); integer: the range; array: items */
	json_int_t min, max;
	enum arg_type item; /* array: each item's type (string, int, bool) */
	json_int_t item_min, item_max; /* array: as min and max, per item */
};
#define ARG_STR(name, req, maxb) { (name), ARG_T_STR, (req), 0, (maxb), \
	0, 0, 0 }
#define ARG_INT(name, req, lo, hi) { (name), ARG_T_INT, (req), (lo), (hi), \
	0, 0, 0 }
#define ARG_BOOL(name, req) { (name), ARG_T_BOOL, (req), 0, 0, 0, 0, 0 }
#define ARG_OBJECT(name, req) { (name), ARG_T_OBJECT, (req), 0, 0, 0, 0, \
	0 }
/* A list of lo to hi strings of at most maxb bytes each. */
#define ARG_STRS(name, req, lo, hi, maxb) { (name), ARG_T_ARRAY, (req), \
	(lo), (hi), ARG_T_STR, 0, (maxb) }
/* A list of lo to hi objects (their fields are the handler's to check). */
#define ARG_OBJS(name, req, lo, hi) { (name), ARG_T_ARRAY, (req), (lo), \
	(hi), ARG_T_OBJECT, 0, 0 }
/* A list of lo to hi integers, each within [ilo, ihi]. */
#define ARG_INTS(name, req, lo, hi, ilo, ihi) { (name), ARG_T_ARRAY, \
	(req), (lo), (hi), ARG_T_INT, (ilo), (ihi) }
/*
 * Check args against spec: types, ranges, lengths and required fields;
 * with open false a name the spec does not have is an error too. Returns
 * 0, or -1 with a message naming the field in err.
 */
int arg_check(json_t *args, const struct arg_spec *spec, bool open,
    char *err, size_t errlen);
/* A spec entry as the protocol reference shows it: "`limit?` int 1–200". */
void arg_describe(const struct arg_spec *, char *out, size_t len);
/* An impossible spec (no max, min over max, a name twice): its message. */
const char *arg_spec_invalid(const struct arg_spec *spec);

/* sha256.c */
void sha256(const void *, size_t, uint8_t out[32]);
void hex_encode(const uint8_t *, size_t, char *out); /* out: 2n+1 bytes */
/* The same, fed in pieces (library uploads). */
struct sha256_ctx {
	uint32_t h[8];
	uint8_t block[64];
	size_t fill; /* bytes in block */
	uint64_t len; /* bytes fed */
};
void sha256_init(struct sha256_ctx *);
void sha256_update(struct sha256_ctx *, const void *, size_t);
void sha256_final(struct sha256_ctx *, uint8_t out[32]);

/* code.c: invite codes ("HRTH-XXXX-XXXX-XXXX", Crockford base32). */
#define CODE_LEN 19
void rand_bytes(void *, size_t);
void code_generate(char out[CODE_LEN + 1]);
/* Uppercase, drop spaces and dashes, map O->0 and I/L->1; -1 if malformed. */
int code_normalize(const char *in, char *out, size_t outlen);
/* Hex SHA-256 of the normalised code (65 bytes with NUL). */
int code_hash(const char *code, char out[65]);

/* timeutil.c */
int64_t now_unix(void);
uint64_t now_ms(void);
void time_iso8601(int64_t t, char out[32]);
/* The same as a JSON string; null for t <= 0 (no time). */
json_t *time_json(int64_t t);
/* "Sun 6 Dec 14:00 UTC": a time for people to read. */
void time_human(int64_t t, char out[32]);
/* The last second time_parse and recur.c know: 9999-12-31T23:59:59Z. */
#define TIME_MAX 253402300799LL
/* What time_parse takes: the protocol's form, or what people type. */
enum time_form {
	TIME_WIRE,	/* 2026-12-01T15:00[:00] then Z, +01:00 or -05:30 */
	TIME_TYPED,	/* also "2026-12-1 9:00", no zone (UTC), " UTC" */
};
/* Why time_parse refused (TIME_OK: it did not). */
enum time_error {
	TIME_OK,
	TIME_E_SHAPE,	 /* not YYYY-MM-DDTHH:MM, or fractions */
	TIME_E_YEAR,	 /* outside 1970-9999 */
	TIME_E_MONTH,	 /* not 01-12 */
	TIME_E_DAY,	 /* the month has no such day (30 February) */
	TIME_E_HOUR,	 /* 24 or more */
	TIME_E_MINUTE,
	TIME_E_SECOND,	 /* 60 or more: no leap seconds in Unix time */
	TIME_E_ZONE,	 /* missing (wire) or malformed */
	TIME_E_OFFSET,	 /* past +-23:59 */
	TIME_E_TRAILING, /* something after the time */
	TIME_E_RANGE,	 /* before 1970 or after TIME_MAX in UTC */
};
/* ISO 8601 text as Unix time into *out; TIME_OK or a TIME_E_ code. */
int time_parse(const char *s, enum time_form form, int64_t *out);
/* A time_parse code in words, for error messages. */
const char *time_parse_error(int err);
/* A TIME_WIRE time as Unix time; 0 if it is not one. */
int64_t time_from_iso8601(const char *);
/* Days in month mo (1-12) of year y, leap years counted. */
int time_month_days(int y, int mo);
/* Unix time of a UTC date and time given in range (not checked). */
int64_t time_from_utc(int y, int mo, int d, int h, int mi, int s);
/* "90s", "15m", "12h", "7d", "2w" or plain seconds; -1 if malformed. */
int64_t parse_duration(const char *);
/* True if s is a valid handle: 2-32 of [a-z0-9_-], starting with a letter. */
bool handle_valid(const char *s);
bool slug_valid(const char *s);

/* recur.c: when events repeat. A rule is a word of recur_rules; times
 * are Unix seconds, and -1 means there is no such occurrence. */
extern const char *const recur_rules[]; /* none weekly fortnightly monthly */
/* Keep series at fixed wall-clock times of the zone off describes (its
 * seconds east of UTC at t); NULL (the start): UTC. */
void recur_zone(int32_t (*off)(int64_t t));
/* True if word is one of recur_rules. */
bool recur_valid(const char *word);
/* True if word is a rule that repeats (not none, not unknown). */
bool recur_repeats(const char *word);
/* The RFC 5545 RRULE value ("FREQ=WEEKLY;INTERVAL=2"), NULL for none. */
const char *recur_rrule(const char *word);
/* Start of slot k (0: first); -1 past TIME_MAX or a month without the day. */
int64_t recur_nth(const char *word, int64_t first, int64_t k);
/* The first start at or after at. */
int64_t recur_next(const char *word, int64_t first, int64_t at);
/* The first start of an occurrence not over at now (start + duration). */
int64_t recur_upcoming(const char *word, int64_t first, int64_t duration,
    int64_t now);
/* Up to max starts in [from, to) into out, in order; how many. */
size_t recur_between(const char *word, int64_t first, int64_t from,
    int64_t to, int64_t *out, size_t max);
/* When the series is over: the one-off's end, else TIME_MAX. */
int64_t recur_end(const char *word, int64_t first, int64_t duration);

/* b64.c: base64 (RFC 4648). out holds 4 * ((n + 2) / 3) + 1 bytes; the
 * decoder's out at least 3 * (n / 4); -1 on anything not base64. */
size_t b64_encode(const void *in, size_t n, char *out);
int b64_decode(const char *in, size_t n, void *out, size_t *outlen);

#endif
