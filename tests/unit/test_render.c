/*
 * test_render.c: the client's markdown-to-screen renderer (blocks, inline
 * styles, wrapping by display width with wide and combining characters,
 * escape sequences neutralised), the text helpers, and the composer's
 * editor buffer (insert, delete, cursor movement over wrapped lines, undo).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "client.h"

/* Render md at width and join the lines with '\n'. */
static char *
render(const char *md, int width)
{
	struct rdoc d;
	struct buf b;

	rdoc_init(&d);
	render_markdown(&d, md, strlen(md), width);
	buf_init(&b);
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(strlen(d.lines[i].text), d.lines[i].len);
		assert_int_equal(utf8_width(d.lines[i].text, d.lines[i].len),
		    d.lines[i].width);
		/* never wider than asked (2 columns at least: one wide
		 * character), however deep the nesting */
		assert_true(d.lines[i].width <= (width < 2 ? 2 : width));
		buf_append(&b, d.lines[i].text, d.lines[i].len);
		if (i + 1 < d.n)
			buf_append(&b, "\n", 1);
	}
	buf_append(&b, "", 1);
	rdoc_free(&d);
	return b.data;
}

#define RENDERS(md, w, want) do { \
	char *got_ = render((md), (w)); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

/* The style of the first byte of text in the first line holding it. */
static uint8_t
style_of(const char *md, const char *text)
{
	struct rdoc d;
	uint8_t st = 0xff;

	rdoc_init(&d);
	render_markdown(&d, md, strlen(md), 80);
	for (size_t i = 0; i < d.n && st == 0xff; i++) {
		char *p = strstr(d.lines[i].text, text);
		if (p != NULL)
			st = d.lines[i].style[p - d.lines[i].text];
	}
	rdoc_free(&d);
	return st;
}

static void
test_paragraphs(void **state)
{
	RENDERS("", 40, "");
	RENDERS("hello", 40, "hello");
	RENDERS("one\ntwo", 40, "one\ntwo");		/* a single Enter is kept */
	RENDERS("a *b\nc* d", 40, "a b\nc d");	/* inside emphasis too */
	RENDERS("one  \ntwo", 40, "one\ntwo");		/* hard break */
	RENDERS("one\n\ntwo", 40, "one\n\ntwo");
}

static void
test_wrapping(void **state)
{
	RENDERS("aaa bbb ccc ddd", 10, "aaa bbb\nccc ddd");
	RENDERS("aaaaaaaaaaaaaaa", 10, "aaaaaaaaaa\naaaaa");	/* long word */
	RENDERS("a   b", 10, "a   b");		/* spaces kept inside a line */
	RENDERS("aaaa     bbbb", 8, "aaaa\nbbbb");	/* and dropped at a wrap */
	/* wide characters take two columns: 5 per 10-column line */
	RENDERS("日本語の文章です", 10, "日本語の文\n章です");
	/* combining accents take none */
	RENDERS("cafe\xcc\x81 cafe\xcc\x81 cafe\xcc\x81", 10,
	    "cafe\xcc\x81 cafe\xcc\x81\ncafe\xcc\x81");
	/* emoji are wide */
	RENDERS("🎉🎉🎉🎉🎉🎉", 10, "🎉🎉🎉🎉🎉\n🎉");
}

static void
test_blocks(void **state)
{
	RENDERS("# Title\n\ntext", 40, "Title\n\ntext");
	RENDERS("- one\n- two", 40, "• one\n• two");
	RENDERS("1. one\n2. two", 40, "1. one\n2. two");
	RENDERS("3. three\n4. four", 40, "3. three\n4. four");
	RENDERS("0. zero\n1. one", 40, "0. zero\n1. one");
	RENDERS("> quoted", 40, "│ quoted");
	RENDERS("> a\n>\n> b", 40, "│ a\n│\n│ b");
	RENDERS("```\ncode  x\n\n  y\n```", 40, "  code  x\n  \n    y");
	RENDERS("a\n\n---\n\nb", 10, "a\n\n──────────\n\nb");
	RENDERS("para\n\n- x\n- y\n\nafter", 40,
	    "para\n\n• x\n• y\n\nafter");
	/* list items wrap under their text */
	RENDERS("- aaa bbb ccc", 10, "• aaa bbb\n  ccc");
	RENDERS("10. aaa bbb ccc", 12, "10. aaa bbb\n    ccc");
	/* nested: a quote in a list */
	RENDERS("- item\n\n  > q", 40, "• item\n\n  │ q");
}

static void
test_deep_nesting(void **state)
{
	struct buf md;
	char *got;

	/* past 32 levels the prefixes run out, but leaving the deep ones
	 * must not take the outer levels' prefixes with them */
	buf_init(&md);
	for (int i = 0; i < 34; i++) {
		for (int k = 0; k < i; k++)
			buf_puts(&md, "  ");
		buf_printf(&md, "- l%d\n", i);
	}
	buf_puts(&md, "\n  first item again\n- next");
	got = render(buf_head(&md), 200);
	assert_non_null(strstr(got, "\n\n  first item again\n\n• next"));
	free(got);
	buf_free(&md);
}

static void
test_inline(void **state)
{
	RENDERS("*em* **strong** `code`", 40, "em strong code");
	RENDERS("[text](https://example.org)", 40,
	    "text <https://example.org>");
	RENDERS("![alt](pic.png)", 40, "[image: alt] <pic.png>");
	assert_int_equal(style_of("*em* x", "em") & ST_ITALIC, ST_ITALIC);
	assert_int_equal(style_of("**st** x", "st") & ST_BOLD, ST_BOLD);
	assert_int_equal(style_of("`cd` x", "cd") & ST_CODE, ST_CODE);
	assert_int_equal(style_of("[ln](u) x", "ln") & ST_LINK, ST_LINK);
	assert_int_equal(style_of("# hd", "hd") & ST_HEAD, ST_HEAD);
	assert_int_equal(style_of("> qt", "│") & ST_QUOTE, ST_QUOTE);
	/* styles end where their span ends */
	assert_int_equal(style_of("**st** plain", "plain") & ST_BOLD, 0);
	assert_int_equal(style_of("*a **b** c* d", "c") & ST_ITALIC,
	    ST_ITALIC);
	assert_int_equal(style_of("*a **b** c* d", "c") & ST_BOLD, 0);
}

static void
test_escapes_neutralised(void **state)
{
	char *got = render("evil \x1b[2J\x07 text\x7f and \xc2\x9b"
	    "31m and \xff bytes", 80);

	assert_null(strchr(got, '\x1b'));
	assert_null(strchr(got, '\x07'));
	assert_null(strchr(got, '\x7f'));
	assert_null(strstr(got, "\xc2\x9b"));
	assert_true(utf8_valid(got, strlen(got)));
	free(got);
	got = render("```\n\x1b]0;title\x07\n```", 80);
	assert_null(strchr(got, '\x1b'));
	free(got);
	got = render("<b>\x1b[31m</b>", 80);
	assert_null(strchr(got, '\x1b'));
	free(got);
}

static void
test_tiny_width(void **state)
{
	/* never loops or overflows, whatever the width */
	char *got = render("> > > - - - 1. deep nesting with words", 1);

	assert_non_null(got);
	free(got);
	got = render("日本", 1);
	assert_non_null(got);
	free(got);
	/* prefixes take at most half the width; deeper ones are left out */
	RENDERS("> > > - - - 1. deep nesting with words", 12,
	    "│ │ │ deep\n│ │ │ nestin\n│ │ │ g\n│ │ │ with\n│ │ │ words");
	RENDERS("- 日本語", 3, "日\n本\n語");
}

static void
test_text_helpers(void **state)
{
	char *c = text_clean("a\x1b" "b\n\xffz", 6);

	assert_string_equal(c, "a?b??z");
	free(c);
	assert_int_equal(text_fit("hello", 5, 3), 3);
	assert_int_equal(text_fit("日本語", 9, 3), 3);	/* one wide char */
	assert_int_equal(text_fit("日本語", 9, 4), 6);
	assert_int_equal(text_fit("e\xcc\x81x", 4, 1), 3);	/* é then x */
	assert_int_equal(text_fit("ab", 2, 0), 0);
}

static void
test_rdoc_add_cuts(void **state)
{
	struct rdoc d;

	rdoc_init(&d);
	rdoc_add(&d, "日本語の会 🎉 long name", ST_BOLD, 9);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.lines[0].text, "日本語の");
	assert_int_equal(d.lines[0].width, 8);
	assert_int_equal(d.lines[0].style[0], ST_BOLD);
	rdoc_free(&d);
}

static void
test_editor_basics(void **state)
{
	struct editor e;

	ed_init(&e, NULL);
	ed_insert(&e, "héllo", strlen("héllo"));
	assert_string_equal(e.text, "héllo");
	assert_int_equal(e.cur, 6);
	ed_left(&e);
	ed_left(&e);
	ed_left(&e);
	ed_left(&e);			/* before the é: whole code point */
	assert_int_equal(e.cur, 1);
	ed_delete(&e);
	assert_string_equal(e.text, "hllo");
	ed_insert(&e, "e", 1);
	ed_end(&e);
	ed_backspace(&e);
	assert_string_equal(e.text, "hell");
	ed_home(&e);
	assert_int_equal(e.cur, 0);
	/* pasted CR LF and tabs; controls dropped */
	ed_end(&e);
	ed_insert(&e, "\r\nx\ty\x1bz", 8);
	assert_string_equal(e.text, "hell\nx yz");
	ed_free(&e);
}

static void
test_editor_undo(void **state)
{
	struct editor e;

	ed_init(&e, "start");
	ed_insert(&e, " a", 2);
	ed_insert(&e, "b", 1);		/* same run of typing */
	assert_string_equal(e.text, "start ab");
	ed_undo(&e);
	assert_string_equal(e.text, "start");
	ed_undo(&e);			/* again: redo */
	assert_string_equal(e.text, "start ab");
	ed_backspace(&e);
	ed_backspace(&e);
	assert_string_equal(e.text, "start ");
	ed_undo(&e);
	assert_string_equal(e.text, "start ab");
	/* a paste of many lines is one change */
	ed_end(&e);
	ed_left(&e);
	ed_insert(&e, "1\n2\n3", 5);
	assert_string_equal(e.text, "start a1\n2\n3b");
	ed_undo(&e);
	assert_string_equal(e.text, "start ab");
	ed_free(&e);
}

static void
test_editor_layout_and_moves(void **state)
{
	struct editor e;
	size_t starts[8];
	int cy, cx;

	ed_init(&e, "aaa bbb ccc\nxy");
	/* width 8: "aaa bbb " | "ccc" | "xy" */
	assert_int_equal(ed_layout(&e, 8, starts, 8, &cy, &cx), 3);
	assert_int_equal(starts[0], 0);
	assert_int_equal(starts[1], 8);
	assert_int_equal(starts[2], 12);
	assert_int_equal(cy, 2);
	assert_int_equal(cx, 2);
	ed_up(&e, 8);
	ed_layout(&e, 8, NULL, 0, &cy, &cx);
	assert_int_equal(cy, 1);
	assert_int_equal(cx, 2);
	ed_up(&e, 8);
	ed_layout(&e, 8, NULL, 0, &cy, &cx);
	assert_int_equal(cy, 0);
	assert_int_equal(cx, 2);
	ed_down(&e, 8);
	ed_down(&e, 8);
	assert_int_equal(e.cur, e.len);
	ed_free(&e);
	/* wide characters: the cursor column counts two per character */
	ed_init(&e, "日本語");
	ed_layout(&e, 80, NULL, 0, &cy, &cx);
	assert_int_equal(cx, 6);
	ed_left(&e);
	ed_layout(&e, 80, NULL, 0, &cy, &cx);
	assert_int_equal(cx, 4);
	ed_free(&e);
	/* an empty buffer is one line */
	ed_init(&e, "");
	assert_int_equal(ed_layout(&e, 10, NULL, 0, &cy, &cx), 1);
	assert_int_equal(cy, 0);
	assert_int_equal(cx, 0);
	ed_free(&e);
}

static const char *
titles(long long id)
{
	return id == 12 ? "Spring syllabus" : NULL;
}

/* [[doc:ID]] shows as the document's title, or its number, as a link. */
static void
test_doc_links(void **state)
{
	(void)state;
	render_doc_title = NULL;
	RENDERS("See [[doc:12]].", 40, "See [document 12].");
	render_doc_title = titles;
	RENDERS("See [[doc:12]] and [[doc:7]].", 80,
	    "See [Spring syllabus] and [document 7].");
	assert_int_equal(style_of("See [[doc:12]] x", "Spring") & ST_LINK,
	    ST_LINK);
	/* not a link: left as written */
	RENDERS("[[doc:]] [[doc:x]] [[doc:12] [doc:12]]", 80,
	    "[[doc:]] [[doc:x]] [[doc:12] [doc:12]]");
	RENDERS("*a [[doc:12]] b*", 80, "a [Spring syllabus] b");
	RENDERS("`[[doc:12]]`", 80, "[[doc:12]]"); /* code is code */
	render_doc_title = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_doc_links),
		cmocka_unit_test(test_escapes_neutralised),
		cmocka_unit_test(test_tiny_width),
		cmocka_unit_test(test_text_helpers),
		cmocka_unit_test(test_rdoc_add_cuts),
		cmocka_unit_test(test_editor_basics),
		cmocka_unit_test(test_editor_undo),
		cmocka_unit_test(test_editor_layout_and_moves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
