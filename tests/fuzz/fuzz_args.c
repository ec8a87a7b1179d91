/*
 * fuzz_args.c: libFuzzer target for the checks that handlers run on
 * string arguments after arg_str has taken them from a request, and for
 * the UTF-8 code under proto_parse (common/utf8.c, code.c, timeutil.c).
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
 *  - parse_duration: -1, or a number (with one unit letter) within bounds.
 * Values with a NUL byte are cut there, as arg_str refuses them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	free(s);
	return 0;
}
