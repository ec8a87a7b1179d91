/*
 * fuzz_args.c: libFuzzer target for the checks that handlers run on
 * string arguments after arg_str has taken them from a request, and for
 * the UTF-8 code under proto_parse (common/utf8.c, code.c, timeutil.c,
 * recur.c).
 *
 * The input is one argument value. Each check must agree with a plain
 * model of what it accepts:
 *  - utf8_valid with jansson's own UTF-8 check (json_stringn), utf8_decode
 *    stepping through whole code points, utf8_width with the sum of
 *    utf8_cpwidth over them;
 *  - handle_valid and slug_valid with their documented shapes;
 *  - code_normalize (invite.redeem, reached before a member is known):
 *    success only for "HRTH" and 12 code characters, idempotent, and
 *    code_hash succeeding exactly then, with 64 hex digits;
 *  - parse_duration: -1, or a number (with one unit letter) within bounds;
 *  - time_parse (event.create, thread since, expert requests): a known
 *    code; a time it accepts is in range and, taken back to the writer's
 *    zone, is exactly the date and time written; what the wire form
 *    accepts the typed form accepts as the same time;
 *  - recur.c on a series starting at that time, as event lists and
 *    reminders ask: slot 0 is the start, every next start is a start of
 *    the series (same weekday or day of the month, same time of day) at or
 *    after the time asked, and starts in a window come in order.
 * Values with a NUL byte are cut there, as arg_str refuses them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_args: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static bool
lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
model_handle(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 32 || !lower(s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower(s[i]) && !digit(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static bool
model_slug(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 40 || !lower(s[0]) || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower(s[i]) && !digit(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* The UTF-8 functions, on the raw bytes (NULs included). */
static void
check_utf8(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	bool valid = utf8_valid(s, n), decoded_all = true;
	size_t i = 0, k;
	uint32_t cp;
	int w = 0, cw;

	CHECK(valid == (j != NULL));
	json_decref(j);
	while (i < n) {
		cp = 0xffffffff;
		k = utf8_decode(s + i, n - i, &cp);
		CHECK(k <= 4 && k <= n - i);
		if (k == 0) {
			decoded_all = false;
			w++;
			i++;
			continue;
		}
		CHECK(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
		CHECK(k == (cp < 0x80 ? 1u : cp < 0x800 ? 2u :
		    cp < 0x10000 ? 3u : 4u));
		cw = utf8_cpwidth(cp);
		CHECK(cw >= 0 && cw <= 2);
		w += cw;
		i += k;
	}
	CHECK(decoded_all == valid);
	CHECK(utf8_width(s, n) == w);
}

static void
check_code(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char out[32], again[32], hash[65];
	int rc;

	memset(out, 0x55, sizeof out);
	rc = code_normalize(s, out, sizeof out);
	CHECK(rc == 0 || rc == -1);
	CHECK((code_hash(s, hash) == 0) == (rc == 0));
	if (rc != 0)
		return;
	CHECK(strlen(out) == 16);
	CHECK(memcmp(out, "HRTH", 4) == 0);
	for (size_t i = 4; i < 16; i++)
		CHECK(strchr(alphabet, out[i]) != NULL && out[i] != '\0');
	CHECK(code_normalize(out, again, sizeof again) == 0);
	CHECK(strcmp(out, again) == 0);
	CHECK(strlen(hash) == 64);
	for (size_t i = 0; i < 64; i++)
		CHECK(digit(hash[i]) || (hash[i] >= 'a' && hash[i] <= 'f'));
	/* a buffer too small for the code is refused, not overrun */
	CHECK(code_normalize(s, again, 16) == -1);
}

static void
check_duration(const char *s)
{
	int64_t d = parse_duration(s);
	size_t n = strlen(s), i = 0;

	CHECK(d >= -1);
	if (d == -1)
		return;
	CHECK(d <= 100LL * 365 * 86400 * 7 * 86400);
	while (i < n && digit(s[i]))
		i++;
	CHECK(i >= 1);
	CHECK(i == n || (i + 1 == n && strchr("smhdw", s[i]) != NULL));
}

/* A start of the series word beginning at first, or -1; checked so. */
static void
check_start(const char *word, int64_t first, int64_t t)
{
	time_t a = (time_t)first, b = (time_t)t;
	struct tm ta, tb;

	if (t == -1)
		return;
	CHECK(t >= first && t <= TIME_MAX);
	if (strcmp(word, "weekly") == 0)
		CHECK((t - first) % (7 * 86400) == 0);
	else if (strcmp(word, "fortnightly") == 0)
		CHECK((t - first) % (14 * 86400) == 0);
	else if (strcmp(word, "monthly") == 0) {
		CHECK(gmtime_r(&a, &ta) != NULL && gmtime_r(&b, &tb) != NULL);
		CHECK(ta.tm_mday == tb.tm_mday && ta.tm_hour == tb.tm_hour &&
		    ta.tm_min == tb.tm_min && ta.tm_sec == tb.tm_sec);
	} else
		CHECK(t == first); /* none, or not a rule: one start */
}

/* The series of every rule (and of a word that is none) from first. */
static void
check_recur(int64_t first, uint32_t salt)
{
	static const char *const words[] = { "none", "weekly", "fortnightly",
		"monthly", "daily" };
	const int64_t ats[] = { first - 7, first + 1, first + 86400 * 8 + 5,
		first + 86400 * 62 + (salt % 86400), first + (int64_t)salt *
		977, TIME_MAX - 1, TIME_MAX, TIME_MAX + 1 };
	int64_t out[80], t;
	size_t n;

	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		const char *word = words[w];
		CHECK(recur_valid(word) == (w < 4));
		CHECK(recur_repeats(word) == (w >= 1 && w <= 3));
		CHECK((recur_rrule(word) != NULL) == recur_repeats(word));
		CHECK(recur_nth(word, first, 0) == first);
		CHECK(recur_next(word, first, first) == first);
		for (int64_t k = 1; k < 40; k += 13)
			check_start(word, first, recur_nth(word, first, k));
		for (size_t i = 0; i < sizeof ats / sizeof ats[0]; i++) {
			t = recur_next(word, first, ats[i]);
			check_start(word, first, t);
			CHECK(t == -1 || t >= ats[i]);
			if (!recur_repeats(word) && ats[i] > first)
				CHECK(t == -1);
		}
		check_start(word, first, recur_upcoming(word, first, 90 * 60,
		    first + (int64_t)(salt % 4000000)));
		n = recur_between(word, first, first, first + 400LL * 86400,
		    out, sizeof out / sizeof out[0]);
		CHECK(n <= sizeof out / sizeof out[0]);
		CHECK(n >= 1 && out[0] == first);
		for (size_t i = 0; i < n; i++) {
			check_start(word, first, out[i]);
			CHECK(out[i] < first + 400LL * 86400);
			CHECK(i == 0 || out[i] > out[i - 1]);
			/* nothing of the series between two starts */
			CHECK(i == 0 || recur_next(word, first,
			    out[i - 1] + 1) == out[i]);
		}
		CHECK(recur_end(word, first, 3600) == (recur_repeats(word) ?
		    TIME_MAX : first + 3600));
	}
}

/* time_parse in both forms; the series from the time when it is one. */
static void
check_time(const char *s, uint32_t salt)
{
	int64_t wire = -42, typed = -42, t;
	int rw, rt, offset = 0;
	char iso[32];
	size_t dt;

	rw = time_parse(s, TIME_WIRE, &wire);
	rt = time_parse(s, TIME_TYPED, &typed);
	CHECK(rw >= TIME_OK && rw <= TIME_E_RANGE);
	CHECK(rt >= TIME_OK && rt <= TIME_E_RANGE);
	CHECK(time_parse_error(rw)[0] != '\0');
	CHECK(time_from_iso8601(s) == (rw == TIME_OK ? wire : 0));
	if (rt == TIME_OK) {
		CHECK(typed >= 0 && typed <= TIME_MAX);
		time_iso8601(typed, iso);
		CHECK(time_parse(iso, TIME_WIRE, &t) == TIME_OK && t == typed);
	}
	if (rw != TIME_OK)
		return;
	CHECK(rt == TIME_OK && typed == wire);
	/* back in the writer's zone it is what was written */
	dt = s[16] == ':' ? 19 : 16;
	if (s[dt] != 'Z') {
		offset = ((s[dt + 1] - '0') * 10 + (s[dt + 2] - '0')) * 3600 +
		    ((s[dt + 4] - '0') * 10 + (s[dt + 5] - '0')) * 60;
		if (s[dt] == '-')
			offset = -offset;
	}
	time_iso8601(wire + offset, iso);
	CHECK(memcmp(iso, s, 16) == 0);
	CHECK(memcmp(iso + 16, dt == 19 ? s + 16 : ":00", 3) == 0);
	check_recur(wire, salt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	check_utf8((const char *)data, size);
	s = xstrndup((const char *)data, size);
	CHECK(handle_valid(s) == model_handle(s));
	CHECK(slug_valid(s) == model_slug(s));
	check_code(s);
	check_duration(s);
	check_time(s, (uint32_t)size * 2654435761u ^ (size > 0 ? data[0] : 0));
	free(s);
	return 0;
}
