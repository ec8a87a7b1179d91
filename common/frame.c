/*
 * frame.c: splits a byte stream into '\n'-terminated lines of at most max
 * bytes, scanning each byte once.
 */
#include <string.h>

#include "common.h"

void
frame_init(struct frame *f, size_t max)
{
	memset(f, 0, sizeof *f);
	buf_init(&f->in);
	f->max = max;
}

void
frame_free(struct frame *f)
{
	buf_free(&f->in);
}

void
frame_feed(struct frame *f, const void *p, size_t n)
{
	if (!f->dead)
		buf_append(&f->in, p, n);
}

enum frame_rc
frame_next(struct frame *f, char **line, size_t *len)
{
	char *start, *nl;
	size_t used;

	if (f->dead)
		return FRAME_TOO_LARGE;
	/* The line returned last time is consumed now. */
	used = buf_used(&f->in);
	start = f->in.data != NULL ? f->in.data + f->in.off : NULL;
	if (used == 0)
		return FRAME_MORE;
	nl = memchr(start + f->scanned, '\n', used - f->scanned);
	if (nl == NULL) {
		f->scanned = used;
		if (used > f->max) {
			f->dead = true;
			buf_free(&f->in);
			return FRAME_TOO_LARGE;
		}
		return FRAME_MORE;
	}
	if ((size_t)(nl - start) > f->max) {
		f->dead = true;
		buf_free(&f->in);
		return FRAME_TOO_LARGE;
	}
	*nl = '\0';
	*line = start;
	*len = (size_t)(nl - start);
	/* Consume without moving memory: the line stays valid until the
	 * next call, which may compact the buffer only on frame_feed. */
	f->in.off += *len + 1;
	if (f->in.off == f->in.len)
		f->in.off = f->in.len = 0; /* data still intact until next feed */
	f->scanned = 0;
	return FRAME_LINE;
}
