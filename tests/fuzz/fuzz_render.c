/*
 * fuzz_render.c: libFuzzer target for the client's markdown renderer
 * (client/render.c: cmark to screen lines) and the composer's editor
 * (client/editor.c). Post bodies come from other members through the
 * server, so any input must render without crashing, and:
 *  - every line is valid UTF-8 with no control characters (nothing may
 *    reach a member's terminal as an escape sequence);
 *  - a line's recorded width is what the one width function (utf8_width)
 *    says, and never more than the width asked for (render_markdown
 *    treats widths below 2 as 2: a wide character needs two columns);
 *  - every line has a style byte per text byte and a NUL after its text;
 *  - rdoc_add, text_clean and text_fit keep to the same rules.
 * Widths tried: a few fixed ones and one chosen by the input's first byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_render: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Valid UTF-8 with no C0, DEL or C1 control characters. */
static void
check_safe(const char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	CHECK(utf8_valid(s, len));
	for (size_t i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		CHECK(n > 0);
		CHECK(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0));
	}
}

/* Every line of d is safe, measured by utf8_width and within cols. */
static void
check_doc(const struct rdoc *d, size_t from, int cols)
{
	for (size_t i = from; i < d->n; i++) {
		const struct rline *l = &d->lines[i];
		CHECK(l->text != NULL && l->style != NULL);
		CHECK(l->text[l->len] == '\0');
		CHECK(strlen(l->text) == l->len);
		check_safe(l->text, l->len);
		CHECK(l->width == utf8_width(l->text, l->len));
		if (l->width > cols) {
			fprintf(stderr, "fuzz_render: line %zu is %d columns "
			    "wide, asked for %d: \"%s\"\n", i, l->width, cols,
			    l->text);
			abort();
		}
	}
}

static void
check_render(const char *md, size_t size, int width)
{
	struct rdoc d;

	rdoc_init(&d);
	render_markdown(&d, md, size, width);
	check_doc(&d, 0, width < 2 ? 2 : width);
	rdoc_free(&d);
}

/* text_clean, text_fit and rdoc_add on the input as one line of text. */
static void
check_text(const char *s, int width)
{
	struct rdoc d;
	char *c = text_clean(s, strlen(s));
	size_t n;

	check_safe(c, strlen(c));
	n = text_fit(c, strlen(c), width);
	CHECK(n <= strlen(c));
	CHECK(utf8_valid(c, n)); /* whole code points only */
	CHECK(utf8_width(c, n) <= (width < 0 ? 0 : width));
	free(c);
	rdoc_init(&d);
	rdoc_add(&d, s, ST_BOLD, width);
	CHECK(d.n == 1);
	check_doc(&d, 0, width < 0 ? 0 : width);
	rdoc_free(&d);
}

static void
check_editor(const uint8_t *data, size_t size)
{
	const char *md = (const char *)data;
	struct editor e;
	int cy = -1, cx = -1;

	ed_init(&e, NULL);
	ed_insert(&e, md, size);
	CHECK(utf8_valid(e.text, e.len));
	for (size_t i = 0; i < size && i < 64; i++) {
		switch (data[i] & 7) {
		case 0: ed_left(&e); break;
		case 1: ed_right(&e); break;
		case 2: ed_up(&e, 17); break;
		case 3: ed_down(&e, 17); break;
		case 4: ed_backspace(&e); break;
		case 5: ed_delete(&e); break;
		case 6: ed_undo(&e); break;
		default: ed_insert(&e, "x\n", 2); break;
		}
		CHECK(e.cur <= e.len);
		CHECK(utf8_valid(e.text, e.len));
	}
	ed_layout(&e, 17, NULL, 0, &cy, &cx);
	/* the cursor is always on some row, at most a full row in */
	CHECK(cy >= 0 && cx >= 0 && cx <= 17);
	ed_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = { 1, 10, 23, 80 };
	const char *md = (const char *)data;
	char *s;

	/* posts are capped well below this by the server */
	if (size > 64 * 1024)
		return 0;
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
		check_render(md, size, widths[w]);
	if (size > 0)
		check_render(md, size, (int)data[0] % 140 - 4);

	s = xstrndup(md, size);
	check_text(s, size > 0 ? (int)data[size - 1] % 90 - 2 : 0);
	free(s);

	check_editor(data, size);
	return 0;
}
