/*
 * test_buf.c: the growable buffer: appending, consuming from the front,
 * reuse of consumed space and the NUL kept after the data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

static void
test_empty(void **state)
{
	struct buf b;

	buf_init(&b);
	assert_int_equal(buf_used(&b), 0);
	assert_string_equal(buf_head(&b), "");
	buf_consume(&b, 10);
	assert_int_equal(buf_used(&b), 0);
	buf_append(&b, "", 0);
	assert_int_equal(buf_used(&b), 0);
	buf_free(&b);
	buf_free(&b); /* freeing twice is harmless */
}

static void
test_append_consume(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_append(&b, "hello", 5);
	buf_puts(&b, ", world");
	assert_int_equal(buf_used(&b), 12);
	assert_string_equal(buf_head(&b), "hello, world");
	buf_consume(&b, 7);
	assert_int_equal(buf_used(&b), 5);
	assert_string_equal(buf_head(&b), "world");
	buf_consume(&b, 5);
	assert_int_equal(buf_used(&b), 0);
	assert_int_equal(b.off, 0); /* an empty buffer starts again */
	buf_puts(&b, "again");
	assert_string_equal(buf_head(&b), "again");
	buf_consume(&b, 100);
	assert_int_equal(buf_used(&b), 0);
	buf_free(&b);
}

static void
test_binary_and_nul(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_append(&b, "a\0b", 3);
	assert_int_equal(buf_used(&b), 3);
	assert_memory_equal(buf_head(&b), "a\0b", 3);
	assert_int_equal(buf_head(&b)[3], '\0');
	buf_free(&b);
}

static void
test_printf(void **state)
{
	struct buf b;
	char big[1000];

	buf_init(&b);
	buf_printf(&b, "%d-%s", 42, "x");
	assert_string_equal(buf_head(&b), "42-x");
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "[%s]", big);
	assert_int_equal(buf_used(&b), 4 + 2 + sizeof big - 1);
	assert_int_equal(buf_head(&b)[5], 'z');
	assert_int_equal(buf_head(&b)[buf_used(&b) - 1], ']');
	assert_true(b.cap > buf_used(&b));
	buf_free(&b);
}

static void
test_clear(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "abc");
	buf_consume(&b, 1);
	buf_clear(&b);
	assert_int_equal(buf_used(&b), 0);
	buf_puts(&b, "xy");
	assert_string_equal(buf_head(&b), "xy");
	buf_free(&b);
}

/* A queue of appends and partial consumes must match a plain model. */
static void
test_queue_model(void **state)
{
	struct buf b;
	char *model = malloc(1 << 20);
	size_t mlen = 0, moff = 0, n;
	char chunk[300];
	unsigned seed = 1;

	assert_non_null(model);
	buf_init(&b);
	for (int i = 0; i < 2000; i++) {
		seed = seed * 1103515245 + 12345;
		n = (seed >> 8) % sizeof chunk;
		for (size_t j = 0; j < n; j++)
			chunk[j] = (char)('a' + (i + j) % 26);
		buf_append(&b, chunk, n);
		memcpy(model + mlen, chunk, n);
		mlen += n;
		seed = seed * 1103515245 + 12345;
		n = (seed >> 8) % (sizeof chunk + 20);
		if (n > mlen - moff)
			n = mlen - moff;
		buf_consume(&b, n);
		moff += n;
		assert_int_equal(buf_used(&b), mlen - moff);
		assert_memory_equal(buf_head(&b), model + moff, mlen - moff);
		assert_int_equal(buf_head(&b)[buf_used(&b)], '\0');
	}
	/* consumed space was reused rather than growing without bound */
	assert_true(b.cap < mlen);
	buf_free(&b);
	free(model);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_consume),
		cmocka_unit_test(test_binary_and_nul),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_queue_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
