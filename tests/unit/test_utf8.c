/*
 * test_utf8.c: strict UTF-8 validation and decoding, and display widths of
 * code points and strings (ASCII, accents composed and decomposed, CJK,
 * Hangul, fullwidth forms, emoji, joiners and controls).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

#define VALID(s) utf8_valid((s), sizeof(s) - 1)
#define WIDTH(s) utf8_width((s), sizeof(s) - 1)

static void
test_valid(void **state)
{
	assert_true(VALID(""));
	assert_true(VALID("hello, world"));
	assert_true(VALID("a\0b"));
	assert_true(VALID("\xc3\xa9"));		/* U+00E9 */
	assert_true(VALID("\xc2\x80"));		/* U+0080, smallest 2-byte */
	assert_true(VALID("\xdf\xbf"));		/* U+07FF */
	assert_true(VALID("\xe0\xa0\x80"));	/* U+0800, smallest 3-byte */
	assert_true(VALID("\xe6\x97\xa5\xe6\x9c\xac"));	/* 日本 */
	assert_true(VALID("\xed\x9f\xbf"));	/* U+D7FF, below surrogates */
	assert_true(VALID("\xee\x80\x80"));	/* U+E000, above surrogates */
	assert_true(VALID("\xef\xbf\xbd"));	/* U+FFFD */
	assert_true(VALID("\xef\xbf\xbf"));	/* U+FFFF */
	assert_true(VALID("\xf0\x90\x80\x80"));	/* U+10000, smallest 4-byte */
	assert_true(VALID("\xf0\x9f\x98\x80"));	/* U+1F600 😀 */
	assert_true(VALID("\xf4\x8f\xbf\xbf"));	/* U+10FFFF, the last */
}

static void
test_invalid(void **state)
{
	/* overlong forms */
	assert_false(VALID("\xc0\x80"));
	assert_false(VALID("\xc1\xbf"));
	assert_false(VALID("\xe0\x80\x80"));
	assert_false(VALID("\xe0\x9f\xbf"));
	assert_false(VALID("\xf0\x80\x80\x80"));
	assert_false(VALID("\xf0\x8f\xbf\xbf"));
	/* UTF-16 surrogates */
	assert_false(VALID("\xed\xa0\x80"));
	assert_false(VALID("\xed\xbf\xbf"));
	assert_false(VALID("\xed\xa0\xbd\xed\xb8\x80"));
	/* past U+10FFFF and bytes that never start a sequence */
	assert_false(VALID("\xf4\x90\x80\x80"));
	assert_false(VALID("\xf5\x80\x80\x80"));
	assert_false(VALID("\xf8\x88\x80\x80\x80"));
	assert_false(VALID("\xfe"));
	assert_false(VALID("\xff"));
	/* stray continuation bytes */
	assert_false(VALID("\x80"));
	assert_false(VALID("a\xbf"));
	/* cut short, at the end or before another character */
	assert_false(VALID("\xc3"));
	assert_false(VALID("\xe2\x82"));
	assert_false(VALID("\xf0\x9f\x98"));
	assert_false(VALID("\xe2\x82z"));
	assert_false(VALID("\xe2\x28\xa1"));
	/* a valid prefix does not save the rest */
	assert_false(VALID("ok \xff"));
	/* the length is respected: a valid sequence cut by len */
	assert_false(utf8_valid("\xc3\xa9", 1));
	assert_true(utf8_valid("ab\xff", 2));
}

static void
test_decode(void **state)
{
	uint32_t cp = 0;

	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe2\x82\xac!", 4, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(utf8_decode("", 0, &cp), 0);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 3, &cp), 0);
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 0);
	assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp), 0);
}

static void
test_cpwidth(void **state)
{
	/* controls */
	assert_int_equal(utf8_cpwidth(0x00), 0);
	assert_int_equal(utf8_cpwidth(0x1b), 0);
	assert_int_equal(utf8_cpwidth(0x7f), 0);
	assert_int_equal(utf8_cpwidth(0x9f), 0);
	/* narrow */
	assert_int_equal(utf8_cpwidth(' '), 1);
	assert_int_equal(utf8_cpwidth('A'), 1);
	assert_int_equal(utf8_cpwidth(0xe9), 1);
	assert_int_equal(utf8_cpwidth(0x3b1), 1);	/* α */
	assert_int_equal(utf8_cpwidth(0x416), 1);	/* Ж */
	assert_int_equal(utf8_cpwidth(0x20ac), 1);	/* € */
	assert_int_equal(utf8_cpwidth(0xff61), 1);	/* halfwidth 。 */
	assert_int_equal(utf8_cpwidth(0xff9e), 1);	/* halfwidth ﾞ */
	assert_int_equal(utf8_cpwidth(0xfffd), 1);
	assert_int_equal(utf8_cpwidth(0xe000), 1);	/* private use */
	/* zero-width: combining marks, joiners, selectors */
	assert_int_equal(utf8_cpwidth(0x300), 0);
	assert_int_equal(utf8_cpwidth(0x301), 0);
	assert_int_equal(utf8_cpwidth(0x36f), 0);
	assert_int_equal(utf8_cpwidth(0x5b0), 0);	/* Hebrew point */
	assert_int_equal(utf8_cpwidth(0x64b), 0);	/* Arabic fathatan */
	assert_int_equal(utf8_cpwidth(0x94d), 0);	/* Devanagari virama */
	assert_int_equal(utf8_cpwidth(0x9cd), 0);	/* Bengali virama */
	assert_int_equal(utf8_cpwidth(0x1160), 0);	/* Hangul vowel */
	assert_int_equal(utf8_cpwidth(0x200b), 0);
	assert_int_equal(utf8_cpwidth(0x200c), 0);
	assert_int_equal(utf8_cpwidth(0x200d), 0);	/* ZWJ */
	assert_int_equal(utf8_cpwidth(0x200f), 0);
	assert_int_equal(utf8_cpwidth(0x2060), 0);
	assert_int_equal(utf8_cpwidth(0x20d0), 0);
	assert_int_equal(utf8_cpwidth(0x20e3), 0);	/* keycap */
	assert_int_equal(utf8_cpwidth(0x20ff), 0);
	assert_int_equal(utf8_cpwidth(0xfe00), 0);
	assert_int_equal(utf8_cpwidth(0xfe0f), 0);	/* emoji selector */
	assert_int_equal(utf8_cpwidth(0xfeff), 0);
	assert_int_equal(utf8_cpwidth(0xe0100), 0);
	/* wide: Hangul, CJK, fullwidth, emoji */
	assert_int_equal(utf8_cpwidth(0x1100), 2);
	assert_int_equal(utf8_cpwidth(0x115f), 2);
	assert_int_equal(utf8_cpwidth(0x3000), 2);	/* ideographic space */
	assert_int_equal(utf8_cpwidth(0x3042), 2);	/* あ */
	assert_int_equal(utf8_cpwidth(0x30a2), 2);	/* ア */
	assert_int_equal(utf8_cpwidth(0x3400), 2);
	assert_int_equal(utf8_cpwidth(0x4e00), 2);
	assert_int_equal(utf8_cpwidth(0x9fff), 2);
	assert_int_equal(utf8_cpwidth(0xac00), 2);
	assert_int_equal(utf8_cpwidth(0xd7a3), 2);
	assert_int_equal(utf8_cpwidth(0xf900), 2);
	assert_int_equal(utf8_cpwidth(0xff01), 2);	/* ！ */
	assert_int_equal(utf8_cpwidth(0xff21), 2);	/* Ａ */
	assert_int_equal(utf8_cpwidth(0xffe0), 2);
	assert_int_equal(utf8_cpwidth(0x231a), 2);	/* ⌚ */
	assert_int_equal(utf8_cpwidth(0x2615), 2);	/* ☕ */
	assert_int_equal(utf8_cpwidth(0x1f300), 2);
	assert_int_equal(utf8_cpwidth(0x1f389), 2);	/* 🎉 */
	assert_int_equal(utf8_cpwidth(0x1f44d), 2);	/* 👍 */
	assert_int_equal(utf8_cpwidth(0x1f3fb), 2);	/* skin tone */
	assert_int_equal(utf8_cpwidth(0x1f600), 2);
	assert_int_equal(utf8_cpwidth(0x1f64f), 2);
	assert_int_equal(utf8_cpwidth(0x1f680), 2);	/* 🚀 */
	assert_int_equal(utf8_cpwidth(0x1f914), 2);	/* 🤔 */
	assert_int_equal(utf8_cpwidth(0x1f9ff), 2);
	assert_int_equal(utf8_cpwidth(0x1fa70), 2);
	assert_int_equal(utf8_cpwidth(0x20000), 2);
	assert_int_equal(utf8_cpwidth(0x2a6df), 2);
	assert_int_equal(utf8_cpwidth(0x30000), 2);
	/* text-style symbols stay narrow */
	assert_int_equal(utf8_cpwidth(0x2764), 1);	/* ❤ */
	assert_int_equal(utf8_cpwidth(0x2603), 1);	/* ☃ */
	assert_int_equal(utf8_cpwidth(0x1f321), 1);	/* 🌡 */
	assert_int_equal(utf8_cpwidth(0x4dc0), 1);	/* ䷀ */
	/* out of range */
	assert_int_equal(utf8_cpwidth(0x110000), 1);
}

/* Each table boundary must flip width where it claims to. */
static void
test_cpwidth_edges(void **state)
{
	assert_int_equal(utf8_cpwidth(0x2ff), 1);
	assert_int_equal(utf8_cpwidth(0x370), 1);
	assert_int_equal(utf8_cpwidth(0x10ff), 1);
	assert_int_equal(utf8_cpwidth(0x11ff), 0);
	assert_int_equal(utf8_cpwidth(0x1200), 1);
	assert_int_equal(utf8_cpwidth(0x200a), 1);
	assert_int_equal(utf8_cpwidth(0x2010), 1);
	assert_int_equal(utf8_cpwidth(0x20cf), 1);
	assert_int_equal(utf8_cpwidth(0x2100), 1);
	assert_int_equal(utf8_cpwidth(0xabff), 1);
	assert_int_equal(utf8_cpwidth(0xd7a4), 1);
	assert_int_equal(utf8_cpwidth(0xfdff), 1);
	assert_int_equal(utf8_cpwidth(0xfe10), 2);
	assert_int_equal(utf8_cpwidth(0xff60), 2);
	assert_int_equal(utf8_cpwidth(0xffe6), 2);
	assert_int_equal(utf8_cpwidth(0xffe8), 1);
	assert_int_equal(utf8_cpwidth(0x1f650), 1);
	assert_int_equal(utf8_cpwidth(0x1f90b), 1);
	assert_int_equal(utf8_cpwidth(0x1f90c), 2);
	assert_int_equal(utf8_cpwidth(0x3fffe), 1);
}

static void
test_width(void **state)
{
	assert_int_equal(WIDTH(""), 0);
	assert_int_equal(WIDTH("hello"), 5);
	assert_int_equal(WIDTH("caf\xc3\xa9"), 4);		/* composed é */
	assert_int_equal(WIDTH("cafe\xcc\x81"), 4);		/* e + U+0301 */
	assert_int_equal(WIDTH("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 6);
	assert_int_equal(WIDTH("\xed\x95\x9c\xea\xb5\xad"), 4);	/* 한국 */
	/* 한 as conjoining jamo: leading consonant, vowel, final */
	assert_int_equal(WIDTH("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"), 2);
	assert_int_equal(WIDTH("\xef\xbc\xa1\xef\xbc\xa2"), 4);	/* ＡＢ */
	assert_int_equal(WIDTH("a\xf0\x9f\x98\x80" "b"), 4);	/* a😀b */
	/* ❤️: a text symbol plus the emoji selector */
	assert_int_equal(WIDTH("\xe2\x9d\xa4\xef\xb8\x8f"), 1);
	/* 👨‍👩‍👧: three wide emoji and two zero-width joiners */
	assert_int_equal(WIDTH("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
	    "\xe2\x80\x8d\xf0\x9f\x91\xa7"), 6);
	assert_int_equal(WIDTH("a\tb\x1b"), 2);
	assert_int_equal(WIDTH("a\xe2\x80\x8b" "b"), 2);	/* ZWSP */
}

static void
test_width_invalid(void **state)
{
	assert_int_equal(WIDTH("\xff"), 1);
	assert_int_equal(WIDTH("\xff\xfe"), 2);
	assert_int_equal(WIDTH("a\xe2\x82"), 3);
	assert_int_equal(WIDTH("\xc0\xaf" "x"), 3);
	assert_int_equal(WIDTH("\xed\xa0\x80"), 3);
	assert_int_equal(WIDTH("\xe6\x97\xa5\xff\xe6\x97\xa5"), 5);
	assert_int_equal(utf8_width("\xe6\x97\xa5", 2), 2);
}

#define CHECK(s, use, bad) utf8_check((s), sizeof(s) - 1, (use), (bad))

/* Names refuse controls, direction changes and everything invisible. */
static void
test_check_name(void **state)
{
	static const char *const refused[] = {
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
		"\xe2\x80\xad", "\xe2\x80\xae",	/* U+202A-U+202E */
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",
		"\xe2\x81\xa9",			/* U+2066-U+2069 */
		"\xe2\x80\x8b", "\xe2\x80\x8c", "\xe2\x80\x8d",
		"\xe2\x81\xa0", "\xef\xbb\xbf",	/* ZWSP ZWNJ ZWJ WJ BOM */
		"\xe2\x80\x8e", "\xe2\x80\x8f",	/* LRM RLM */
		"\xc2\xad", "\xe3\x85\xa4",	/* soft hyphen, U+3164 */
		"\xe2\xa0\x80", "\xf3\xa0\x80\x81", /* U+2800, U+E0001 */
		"\xe2\x80\xa8",			/* line separator */
		"\t", "\n", "\x1b", "\x7f", "\xc2\x85", "\xc2\x9b",
	};
	uint32_t bad = 0;
	char buf[32];

	assert_int_equal(CHECK("Ada Lovelace", UTF8_NAME, &bad), 0);
	assert_int_equal(CHECK("Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac",
	    UTF8_NAME, &bad), 0);
	assert_int_equal(CHECK("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf",
	    UTF8_NAME, &bad), 0);			/* Arabic: no marks */
	assert_int_equal(CHECK("\xe2\x9d\xa4\xef\xb8\x8f", UTF8_NAME,
	    &bad), 0);					/* VS16 kept */
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(buf, sizeof buf, "Ann%se", refused[i]);
		bad = 0;
		assert_int_equal(utf8_check(buf, strlen(buf), UTF8_NAME,
		    &bad), -1);
		assert_int_not_equal(bad, 0);
	}
	assert_int_equal(CHECK("Bob\xe2\x80\xae" "evil", UTF8_NAME, &bad), -1);
	assert_int_equal(bad, 0x202e);
	assert_string_equal(utf8_refusal(bad),
	    "a character that changes the direction of text");
	assert_int_equal(CHECK("a\xe2\x80\x8b" "b", UTF8_NAME, &bad), -1);
	assert_int_equal(bad, 0x200b);
	assert_string_equal(utf8_refusal(bad), "an invisible character");
	assert_int_equal(CHECK("a\xff" "b", UTF8_NAME, &bad), -1);
	assert_int_equal(bad, 0xfffd);
	assert_int_equal(CHECK("a\0b", UTF8_NAME, &bad), -1);
	assert_int_equal(bad, 0);
	assert_string_equal(utf8_refusal(0), "a control character");
	assert_int_equal(utf8_check_arg("display_name", NULL, UTF8_NAME, buf,
	    sizeof buf), 0);
	{
		char msg[128];

		assert_int_equal(utf8_check_arg("display_name",
		    "Bob\xe2\x80\xae", UTF8_NAME, msg, sizeof msg), -1);
		assert_string_equal(msg, "args.display_name must not contain "
		    "a character that changes the direction of text "
		    "(U+202E)");
	}
}

/* Texts: one line or several; joiners stay (emoji, Persian). */
static void
test_check_text(void **state)
{
	uint32_t bad = 0;

	assert_int_equal(CHECK("one line", UTF8_LINE, &bad), 0);
	assert_int_equal(CHECK("a\nb", UTF8_LINE, &bad), -1);
	assert_int_equal(bad, '\n');
	assert_int_equal(CHECK("a\tb", UTF8_LINE, &bad), -1);
	assert_int_equal(CHECK("a\nb\tc\n", UTF8_LINES, &bad), 0);
	assert_int_equal(CHECK("a\rb", UTF8_LINES, &bad), -1);
	assert_int_equal(bad, '\r');
	assert_int_equal(CHECK("\x1b[2J", UTF8_LINES, &bad), -1);
	assert_int_equal(bad, 0x1b);
	assert_int_equal(CHECK("x\xc2\x9b", UTF8_LINES, &bad), -1);
	assert_int_equal(bad, 0x9b);
	assert_int_equal(CHECK("x\xe2\x81\xa7y", UTF8_LINES, &bad), -1);
	assert_int_equal(bad, 0x2067);
	/* a family emoji (ZWJ) and a zero-width non-joiner are text */
	assert_int_equal(CHECK("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f"
	    "\x91\xa9", UTF8_LINES, &bad), 0);
	assert_int_equal(CHECK("\xd9\x85\xe2\x80\x8c\xd9\x87", UTF8_LINE,
	    &bad), 0);
	assert_false(utf8_is_bidi_control(0x2029));
	assert_true(utf8_is_bidi_control(0x2069));
	assert_false(utf8_is_invisible('a'));
	assert_true(utf8_is_invisible(0xfeff));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_cpwidth),
		cmocka_unit_test(test_cpwidth_edges),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_width_invalid),
		cmocka_unit_test(test_check_name),
		cmocka_unit_test(test_check_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
