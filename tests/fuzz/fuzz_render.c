/*
 * fuzz_render.c: libFuzzer target for the client's markdown renderer and
 * the composer's editor. Any input must render without crashing, every
 * line must be valid UTF-8 with no control characters (nothing may reach
 * the terminal as an escape sequence), and line widths must match the one
 * width function. See README.md for how to build it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = { 10, 23, 80 };
	const char *md = (const char *)data;
	struct editor e;
	int cy, cx;

	if (size > 64 * 1024)
		return 0;
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct rdoc d;
		rdoc_init(&d);
		render_markdown(&d, md, size, widths[w]);
		for (size_t i = 0; i < d.n; i++) {
			const struct rline *l = &d.lines[i];
			if (!utf8_valid(l->text, l->len) ||
			    utf8_width(l->text, l->len) != l->width)
				abort();
			for (size_t k = 0; k < l->len; k++) {
				unsigned char c = (unsigned char)l->text[k];
				if (c < 0x20 || c == 0x7f)
					abort();
				/* C1 controls are U+0080..U+009F: C2 80..9F */
				if (c == 0xc2 && k + 1 < l->len &&
				    (unsigned char)l->text[k + 1] < 0xa0)
					abort();
			}
		}
		rdoc_free(&d);
	}
	/* the editor: insert the input, move about, lay out, undo */
	ed_init(&e, NULL);
	ed_insert(&e, md, size);
	if (!utf8_valid(e.text, e.len))
		abort();
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
		if (e.cur > e.len || !utf8_valid(e.text, e.len))
			abort();
	}
	ed_layout(&e, 17, NULL, 0, &cy, &cx);
	ed_free(&e);
	return 0;
}
