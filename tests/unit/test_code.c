/*
 * test_code.c: SHA-256 against the FIPS 180-4 examples and padding edge
 * lengths, random bytes, and invite codes: their shape, normalisation of what
 * people type, hashing, and uniqueness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Hex SHA-256 of n bytes at p. */
static void
hex_sha256(const void *p, size_t n, char out[65])
{
	uint8_t h[32];

	sha256(p, n, h);
	hex_encode(h, sizeof h, out);
}

static void
test_sha256_vectors(void **state)
{
	const char *two_blocks =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];

	hex_sha256("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	hex_sha256("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	hex_sha256(two_blocks, strlen(two_blocks), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_sha256_million_a(void **state)
{
	size_t n = 1000000;
	char *a = malloc(n), hex[65];

	assert_non_null(a);
	memset(a, 'a', n);
	hex_sha256(a, n, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Lengths around the block and padding boundaries. */
static void
test_sha256_padding(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9a"
		    "e9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f"
		    "590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98"
		    "e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209"
		    "f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a"
		    "41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cf"
		    "dfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c"
		    "020d683aa5f73aaaedfdc55af904c21c" },
	};
	char a[128], hex[65];

	memset(a, 'a', sizeof a);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		hex_sha256(a, v[i].n, hex);
		assert_string_equal(hex, v[i].hex);
	}
}

static void
test_hex_encode(void **state)
{
	const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof in + 1];

	hex_encode(in, sizeof in, out);
	assert_string_equal(out, "00017f80abff");
	hex_encode(in, 0, out);
	assert_string_equal(out, "");
}

static void
test_rand_bytes(void **state)
{
	uint8_t a[32], b[32], zero[32] = { 0 };

	rand_bytes(a, 0);
	rand_bytes(a, sizeof a);
	rand_bytes(b, sizeof b);
	assert_memory_not_equal(a, zero, sizeof a);
	assert_memory_not_equal(a, b, sizeof a);
}

static void
test_code_shape(void **state)
{
	char code[CODE_LEN + 1];

	for (int k = 0; k < 200; k++) {
		code_generate(code);
		assert_int_equal(strlen(code), CODE_LEN);
		assert_memory_equal(code, "HRTH-", 5);
		for (int i = 5; i < CODE_LEN; i++) {
			if (i == 9 || i == 14)
				assert_int_equal(code[i], '-');
			else
				assert_non_null(strchr(alphabet, code[i]));
		}
	}
}

static void
test_code_normalize(void **state)
{
	char code[CODE_LEN + 1], norm[32], want[32], typed[64];
	size_t j = 0;

	code_generate(code);
	for (const char *p = code; *p != '\0'; p++)
		if (*p != '-')
			want[j++] = *p;
	want[j] = '\0';
	assert_int_equal(strlen(want), 16);

	assert_int_equal(code_normalize(code, norm, sizeof norm), 0);
	assert_string_equal(norm, want);
	/* lowercase, without dashes, with spaces */
	for (j = 0; code[j] != '\0'; j++)
		typed[j] = (char)(code[j] >= 'A' && code[j] <= 'Z' ?
		    code[j] - 'A' + 'a' : code[j]);
	typed[j] = '\0';
	assert_int_equal(code_normalize(typed, norm, sizeof norm), 0);
	assert_string_equal(norm, want);
	assert_int_equal(code_normalize(want, norm, sizeof norm), 0);
	assert_string_equal(norm, want);
	assert_int_equal(code_normalize(" hrth 0000 - 1111-2222 ", norm,
	    sizeof norm), 0);
	assert_string_equal(norm, "HRTH000011112222");
	/* look-alikes */
	assert_int_equal(code_normalize("HRTH-OOOO-IIII-LLLL", norm,
	    sizeof norm), 0);
	assert_string_equal(norm, "HRTH000011111111");
	assert_int_equal(code_normalize("hrth-o0o0-i1l1-zzzz", norm,
	    sizeof norm), 0);
	assert_string_equal(norm, "HRTH00001111ZZZZ");
}

static void
test_code_malformed(void **state)
{
	char norm[32];

	assert_int_equal(code_normalize("", norm, sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH", norm, sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH-0000-1111-222", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH-0000-1111-22223", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("HRTX-0000-1111-2222", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("0000-1111-2222-3333", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH-000U-1111-2222", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH-0000-1111-222!", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH_0000_1111_2222", norm,
	    sizeof norm), -1);
	assert_int_equal(code_normalize("HRTH-0000-1111-222\xc3\xa9", norm,
	    sizeof norm), -1);
	/* too small an output is an error, not an overflow */
	assert_int_equal(code_normalize("HRTH-0000-1111-2222", norm, 16), -1);
	assert_int_equal(code_normalize("HRTH-0000-1111-2222", norm, 17), 0);
	assert_int_equal(code_normalize("HRTH-0000-1111-2222", norm, 0), -1);
}

static void
test_code_hash(void **state)
{
	char code[CODE_LEN + 1], lower[CODE_LEN + 1], h1[65], h2[65];

	assert_int_equal(code_hash("HRTH-OOOO-IIII-LLLL", h1), 0);
	assert_string_equal(h1, "4a7430930cc595b412b5bf0fc34e06b8"
	    "ddf4561f777e1e2725de718ccc91beee");
	assert_int_equal(code_hash("hrth000011111111", h2), 0);
	assert_string_equal(h1, h2);

	code_generate(code);
	for (int i = 0; i <= CODE_LEN; i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ?
		    code[i] - 'A' + 'a' : code[i]);
	assert_int_equal(code_hash(code, h1), 0);
	assert_int_equal(code_hash(lower, h2), 0);
	assert_string_equal(h1, h2);
	assert_int_equal(strlen(h1), 64);
	assert_string_not_equal(h1, "4a7430930cc595b412b5bf0fc34e06b8"
	    "ddf4561f777e1e2725de718ccc91beee");
	assert_int_equal(code_hash("not a code", h1), -1);
}

static int
cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_code_unique(void **state)
{
	enum { N = 1000 };
	char (*codes)[CODE_LEN + 1] = calloc(N, sizeof *codes);

	assert_non_null(codes);
	for (int i = 0; i < N; i++)
		code_generate(codes[i]);
	qsort(codes, N, sizeof *codes, cmp_code);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(codes[i - 1], codes[i]);
	free(codes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_million_a),
		cmocka_unit_test(test_sha256_padding),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_rand_bytes),
		cmocka_unit_test(test_code_shape),
		cmocka_unit_test(test_code_normalize),
		cmocka_unit_test(test_code_malformed),
		cmocka_unit_test(test_code_hash),
		cmocka_unit_test(test_code_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
