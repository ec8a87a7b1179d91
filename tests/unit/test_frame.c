/*
 * test_frame.c: the line framer: lines split across and within feeds, the
 * length limit with and without a newline, the dead state after an over-long
 * line, and that bytes already scanned are not scanned again.
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

/* Expect the next line to be exactly want. */
static void
expect_line(struct frame *f, const char *want)
{
	char *line = NULL;
	size_t len = 0;

	assert_int_equal(frame_next(f, &line, &len), FRAME_LINE);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(line, want, len);
	assert_int_equal(line[len], '\0');
}

static void
expect_rc(struct frame *f, enum frame_rc want)
{
	char *line;
	size_t len;

	assert_int_equal(frame_next(f, &line, &len), want);
}

static void
test_empty(void **state)
{
	struct frame f;

	frame_init(&f, 100);
	expect_rc(&f, FRAME_MORE);
	frame_feed(&f, "", 0);
	expect_rc(&f, FRAME_MORE);
	frame_free(&f);
}

static void
test_lines_in_one_feed(void **state)
{
	struct frame f;
	const char *in = "one\ntwo\n\nthree\r\nfour";

	frame_init(&f, 100);
	frame_feed(&f, in, strlen(in));
	expect_line(&f, "one");
	expect_line(&f, "two");
	expect_line(&f, "");
	expect_line(&f, "three\r"); /* bytes are kept as sent */
	expect_rc(&f, FRAME_MORE);
	frame_feed(&f, "\n", 1);
	expect_line(&f, "four");
	expect_rc(&f, FRAME_MORE);
	frame_free(&f);
}

static void
test_split_across_feeds(void **state)
{
	struct frame f;
	const char *in = "{\"id\":1,\"op\":\"whoami\"}\n{\"id\":2}\n";

	frame_init(&f, 100);
	for (const char *p = in; *p != '\0'; p++) {
		frame_feed(&f, p, 1);
		if (*p != '\n')
			expect_rc(&f, FRAME_MORE);
		else if (p - in < 25)
			expect_line(&f, "{\"id\":1,\"op\":\"whoami\"}");
		else
			expect_line(&f, "{\"id\":2}");
	}
	expect_rc(&f, FRAME_MORE);
	frame_free(&f);
}

static void
test_embedded_nul(void **state)
{
	struct frame f;
	char *line;
	size_t len;

	frame_init(&f, 100);
	frame_feed(&f, "a\0b\n", 4);
	assert_int_equal(frame_next(&f, &line, &len), FRAME_LINE);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "a\0b", 4);
	frame_free(&f);
}

static void
test_exactly_max(void **state)
{
	struct frame f;
	char line[65];

	memset(line, 'x', 64);
	line[64] = '\0';
	frame_init(&f, 64);
	frame_feed(&f, line, 64);
	expect_rc(&f, FRAME_MORE);
	frame_feed(&f, "\n", 1);
	expect_line(&f, line);
	/* and again in one piece */
	frame_feed(&f, line, 64);
	frame_feed(&f, "\nok\n", 4);
	expect_line(&f, line);
	expect_line(&f, "ok");
	expect_rc(&f, FRAME_MORE);
	frame_free(&f);
}

static void
test_too_large_without_newline(void **state)
{
	struct frame f;
	char data[65];

	memset(data, 'x', sizeof data);
	frame_init(&f, 64);
	frame_feed(&f, "fine\n", 5);
	frame_feed(&f, data, 64);
	expect_line(&f, "fine");
	expect_rc(&f, FRAME_MORE);
	/* one byte past the limit, no newline yet: reported at once */
	frame_feed(&f, data, 1);
	expect_rc(&f, FRAME_TOO_LARGE);
	/* the stream is dead: more input changes nothing */
	frame_feed(&f, "\nhello\n", 7);
	expect_rc(&f, FRAME_TOO_LARGE);
	expect_rc(&f, FRAME_TOO_LARGE);
	frame_free(&f);
}

static void
test_too_large_with_newline(void **state)
{
	struct frame f;
	char data[66];

	memset(data, 'y', 65);
	data[65] = '\n';
	frame_init(&f, 64);
	frame_feed(&f, "a\n", 2);
	frame_feed(&f, data, sizeof data);
	expect_line(&f, "a");
	expect_rc(&f, FRAME_TOO_LARGE);
	expect_rc(&f, FRAME_TOO_LARGE);
	frame_free(&f);
}

/* Bytes without a newline are scanned once, however they trickle in. */
static void
test_scans_once(void **state)
{
	struct frame f;
	size_t max = PROTO_MAX_LINE;
	char *line;
	size_t len;

	frame_init(&f, max);
	for (size_t i = 0; i < max; i++) {
		frame_feed(&f, "z", 1);
		expect_rc(&f, FRAME_MORE);
		assert_int_equal(f.scanned, i + 1);
	}
	frame_feed(&f, "\nq", 2);
	assert_int_equal(frame_next(&f, &line, &len), FRAME_LINE);
	assert_int_equal(len, max);
	assert_int_equal(line[0], 'z');
	assert_int_equal(line[max - 1], 'z');
	assert_int_equal(f.scanned, 0);
	expect_rc(&f, FRAME_MORE);
	assert_int_equal(f.scanned, 1);
	frame_feed(&f, "\n", 1);
	expect_line(&f, "q");
	frame_free(&f);
}

/* Many lines fed in odd-sized chunks come out whole and in order. */
static void
test_many_lines_chunked(void **state)
{
	struct frame f;
	struct buf all;
	char want[64], *line;
	size_t len, off = 0, n, chunk = 1;
	int next = 0;

	buf_init(&all);
	for (int i = 0; i < 5000; i++)
		buf_printf(&all, "{\"id\":%d,\"op\":\"x\"}\n", i);
	frame_init(&f, 32);
	while (off < buf_used(&all)) {
		n = buf_used(&all) - off < chunk ? buf_used(&all) - off : chunk;
		frame_feed(&f, buf_head(&all) + off, n);
		off += n;
		chunk = chunk % 97 + 13;
		while (frame_next(&f, &line, &len) == FRAME_LINE) {
			snprintf(want, sizeof want, "{\"id\":%d,\"op\":\"x\"}",
			    next++);
			assert_string_equal(line, want);
			assert_int_equal(len, strlen(want));
		}
	}
	assert_int_equal(next, 5000);
	frame_free(&f);
	buf_free(&all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_lines_in_one_feed),
		cmocka_unit_test(test_split_across_feeds),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_exactly_max),
		cmocka_unit_test(test_too_large_without_newline),
		cmocka_unit_test(test_too_large_with_newline),
		cmocka_unit_test(test_scans_once),
		cmocka_unit_test(test_many_lines_chunked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
