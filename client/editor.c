/*
 * editor.c: the composer's text buffer. Plain UTF-8 with '\n' between
 * lines and a byte cursor that always sits on a code point boundary.
 * Layout wraps at word boundaries with the one width function; undo keeps
 * the text as it was before the last change (a run of typing counts as one
 * change, as does a paste).
 */
#include <string.h>

#include "common.h"
#include "client.h"

enum { K_NONE, K_TYPE, K_DELETE, K_OTHER };

void
ed_init(struct editor *e, const char *text)
{
	memset(e, 0, sizeof *e);
	e->cap = 256;
	e->text = xmalloc(e->cap);
	e->text[0] = '\0';
	if (text != NULL)
		ed_insert(e, text, strlen(text));
	free(e->undo_text);
	e->undo_text = NULL;
	e->last_kind = K_NONE;
	e->want_col = -1;
}

void
ed_free(struct editor *e)
{
	free(e->text);
	free(e->undo_text);
	memset(e, 0, sizeof *e);
}

void
ed_clear(struct editor *e)
{
	ed_free(e);
	ed_init(e, NULL);
}

/* Remember the text before a change, unless it continues the last one. */
static void
snapshot(struct editor *e, int kind)
{
	if (kind == e->last_kind && kind != K_OTHER)
		return;
	free(e->undo_text);
	e->undo_text = xstrndup(e->text, e->len);
	e->undo_cur = e->cur;
	e->last_kind = kind;
}

void
ed_insert(struct editor *e, const char *s, size_t len)
{
	size_t i, n, j = 0;
	uint32_t cp;
	bool many = len > 1 && memchr(s, '\n', len) != NULL;

	snapshot(e, many ? K_OTHER : K_TYPE);
	if (e->len + len + 1 > e->cap) {
		e->cap = (e->len + len + 1) * 2;
		e->text = xrealloc(e->text, e->cap);
	}
	memmove(e->text + e->cur + len, e->text + e->cur, e->len - e->cur + 1);
	/* copy, turning "\r\n" and '\r' into '\n', tabs into spaces, and
	 * dropping other control characters and invalid bytes */
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			n = 1;
			continue;
		}
		if (cp == '\r') {
			if (i + 1 < len && s[i + 1] == '\n')
				continue;
			cp = '\n';
		}
		if (cp == '\t')
			cp = ' ';
		if ((cp < 0x20 && cp != '\n') || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0))
			continue;
		if (cp == '\n' || cp == ' ')
			e->text[e->cur + j++] = (char)cp;
		else {
			memcpy(e->text + e->cur + j, s + i, n);
			j += n;
		}
	}
	if (j < len)
		memmove(e->text + e->cur + j, e->text + e->cur + len,
		    e->len - e->cur + 1);
	e->len += j;
	e->cur += j;
	e->want_col = -1;
}

/* Start of the code point before byte offset at. */
static size_t
prev_cp(const char *t, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)t[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t
next_cp(const char *t, size_t len, size_t at)
{
	if (at >= len)
		return len;
	at++;
	while (at < len && ((unsigned char)t[at] & 0xc0) == 0x80)
		at++;
	return at;
}

void
ed_backspace(struct editor *e)
{
	size_t p;

	if (e->cur == 0)
		return;
	snapshot(e, K_DELETE);
	p = prev_cp(e->text, e->cur);
	/* take combining marks with their base character */
	memmove(e->text + p, e->text + e->cur, e->len - e->cur + 1);
	e->len -= e->cur - p;
	e->cur = p;
	e->want_col = -1;
}

void
ed_delete(struct editor *e)
{
	size_t n;

	if (e->cur >= e->len)
		return;
	snapshot(e, K_DELETE);
	n = next_cp(e->text, e->len, e->cur);
	memmove(e->text + e->cur, e->text + n, e->len - n + 1);
	e->len -= n - e->cur;
	e->want_col = -1;
}

void
ed_left(struct editor *e)
{
	e->cur = prev_cp(e->text, e->cur);
	e->last_kind = K_NONE;
	e->want_col = -1;
}

void
ed_right(struct editor *e)
{
	e->cur = next_cp(e->text, e->len, e->cur);
	e->last_kind = K_NONE;
	e->want_col = -1;
}

void
ed_home(struct editor *e)
{
	while (e->cur > 0 && e->text[e->cur - 1] != '\n')
		e->cur--;
	e->last_kind = K_NONE;
	e->want_col = -1;
}

void
ed_end(struct editor *e)
{
	while (e->cur < e->len && e->text[e->cur] != '\n')
		e->cur++;
	e->last_kind = K_NONE;
	e->want_col = -1;
}

void
ed_undo(struct editor *e)
{
	char *t;
	size_t c;

	if (e->undo_text == NULL)
		return;
	/* undo twice is redo: swap the two versions */
	t = xstrndup(e->text, e->len);
	c = e->cur;
	free(e->text);
	e->text = e->undo_text;
	e->len = strlen(e->text);
	e->cap = e->len + 1;
	e->cur = e->undo_cur > e->len ? e->len : e->undo_cur;
	e->undo_text = t;
	e->undo_cur = c;
	e->last_kind = K_NONE;
	e->want_col = -1;
}

/* End of the visual line starting at s (before any '\n'). */
static size_t
wrap_end(const char *t, size_t len, size_t s, int width)
{
	size_t i = s, brk = 0, n;
	int used = 0, w;
	uint32_t cp;

	while (i < len && t[i] != '\n') {
		n = utf8_decode(t + i, len - i, &cp);
		if (n == 0) {
			n = 1;
			cp = '?';
		}
		w = utf8_cpwidth(cp);
		if (used + w > width) {
			if (brk > s)
				return brk;
			return i > s ? i : i + n;
		}
		used += w;
		i += n;
		if (cp == ' ')
			brk = i;
	}
	return i;
}

size_t
ed_layout(const struct editor *e, int width, size_t *starts, size_t max,
    int *cy, int *cx)
{
	size_t s = 0, end, count = 0;
	bool found = false;

	if (width < 2)
		width = 2;
	for (;;) {
		end = wrap_end(e->text, e->len, s, width);
		if (count < max && starts != NULL)
			starts[count] = s;
		if (!found && e->cur >= s && (e->cur < end || (e->cur == end &&
		    (end >= e->len || e->text[end] == '\n')))) {
			found = true;
			if (cy != NULL)
				*cy = (int)count;
			if (cx != NULL)
				*cx = utf8_width(e->text + s, e->cur - s);
		}
		count++;
		if (end >= e->len)
			break;
		s = e->text[end] == '\n' ? end + 1 : end;
	}
	return count;
}

/* Move to visual line row at column col (or the nearest before it). */
static void
goto_row(struct editor *e, int width, int row, int col)
{
	size_t n = ed_layout(e, width, NULL, 0, NULL, NULL), s, end, i, k;
	size_t *starts;
	int used = 0, w;
	uint32_t cp;

	if (row < 0 || (size_t)row >= n)
		return;
	starts = xcalloc(n, sizeof *starts);
	ed_layout(e, width, starts, n, NULL, NULL);
	s = starts[row];
	end = (size_t)row + 1 < n ? starts[row + 1] : e->len;
	if (end > s && e->text[end - 1] == '\n')
		end--;
	for (i = s; i < end; i += k) {
		k = utf8_decode(e->text + i, e->len - i, &cp);
		if (k == 0) {
			k = 1;
			cp = '?';
		}
		w = utf8_cpwidth(cp);
		if (used + w > col)
			break;
		used += w;
	}
	/* a wrapped line's end belongs to the next row */
	if (i == end && (size_t)row + 1 < n && end == starts[row + 1] &&
	    end > s)
		i = prev_cp(e->text, end);
	e->cur = i;
	free(starts);
}

void
ed_up(struct editor *e, int width)
{
	int cy = 0, cx = 0, want;

	ed_layout(e, width, NULL, 0, &cy, &cx);
	want = e->want_col >= 0 ? e->want_col : cx;
	if (cy == 0) {
		e->cur = 0;
		return;
	}
	goto_row(e, width, cy - 1, want);
	e->want_col = want;
	e->last_kind = K_NONE;
}

void
ed_down(struct editor *e, int width)
{
	int cy = 0, cx = 0, want;
	size_t n = ed_layout(e, width, NULL, 0, &cy, &cx);

	want = e->want_col >= 0 ? e->want_col : cx;
	if ((size_t)cy + 1 >= n) {
		e->cur = e->len;
		return;
	}
	goto_row(e, width, cy + 1, want);
	e->want_col = want;
	e->last_kind = K_NONE;
}
