/*
 * buf.c: a growable byte buffer read from the front. Consumed space is
 * reclaimed when the buffer empties or when appending would grow it. A NUL
 * always follows the data, so buf_head is also a C string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof *b);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

/* Make room for n more bytes at the end. */
static void
buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;

	if (n > SIZE_MAX - b->len - 1)
		fatal("%s: buffer too large", __func__);

	if (b->off > 0 && b->len + n > b->cap) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	need = b->len + n + 1; /* room for a terminating NUL */
	if (need <= b->cap)
		return;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap < need)
		cap = cap <= SIZE_MAX / 2 ? cap * 2 : need;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

/* Append n bytes, keeping a NUL after the data. */
void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

size_t
buf_used(const struct buf *b)
{
	return b->len - b->off;
}

const char *
buf_head(const struct buf *b)
{
	return b->data != NULL ? b->data + b->off : "";
}

/* Drop n bytes from the front; the space is reused once all is read. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= buf_used(b)) {
		buf_clear(b);
		return;
	}
	b->off += n;
}

void
buf_clear(struct buf *b)
{
	b->off = b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}
