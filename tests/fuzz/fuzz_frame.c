/*
 * fuzz_frame.c: libFuzzer target for the line framer (common/frame.c), the
 * first code every byte from the network meets.
 *
 * The input is a header (four bytes) and a byte stream. The stream is split
 * into lines by a plain reference model, then framed three ways: fed in one
 * piece, fed in random pieces draining after each, and fed in random pieces
 * draining only now and then. Every way must return exactly the model's
 * lines, each at most max bytes with no '\n' and a NUL after it, end in the
 * same state (more wanted, or dead after an over-long line), and keep the
 * unfinished tail: no byte is lost, added or moved across split feeds.
 *
 * Header: bytes 0-1 choose max (1..512); if byte 0 has its top bit set, max
 * is the protocol's 64 KiB and each 0x01 in the stream (the first four)
 * grows into a run of almost 64 KiB, so lines near the real limit are tried.
 * Bytes 2-3 seed the piece sizes and the drain schedule.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_frame: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The lines a correct framer returns for a stream, and how it ends. */
struct model {
	size_t *start, *len; /* complete lines, in order */
	size_t n;
	bool too_large; /* an over-long line (or tail) ends the stream */
	size_t tail, tail_len; /* unfinished last line when !too_large */
};

static void
model_build(struct model *m, const char *s, size_t n, size_t max)
{
	size_t pos = 0, lines = 0;
	const char *nl;

	memset(m, 0, sizeof *m);
	/* (memchr, not a loop here: the harness is instrumented too) */
	for (nl = s; (nl = memchr(nl, '\n', n - (size_t)(nl - s))) != NULL;
	    nl++)
		lines++;
	m->start = xcalloc(lines + 1, sizeof *m->start);
	m->len = xcalloc(lines + 1, sizeof *m->len);
	while (pos < n && (nl = memchr(s + pos, '\n', n - pos)) != NULL) {
		size_t len = (size_t)(nl - (s + pos));
		if (len > max) {
			m->too_large = true;
			return;
		}
		m->start[m->n] = pos;
		m->len[m->n++] = len;
		pos += len + 1;
	}
	m->tail = pos;
	m->tail_len = n - pos;
	if (m->tail_len > max)
		m->too_large = true;
}

static void
model_free(struct model *m)
{
	free(m->start);
	free(m->len);
}

/* A small deterministic generator for piece sizes and schedules. */
static uint32_t
next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* One framing run and what it has returned so far. */
struct run {
	struct frame f;
	const struct model *m;
	const char *s;
	size_t got; /* lines returned */
	bool dead;
};

/* Take lines until the framer wants more or is dead; check each. */
static void
drain(struct run *r)
{
	enum frame_rc rc;
	char *line;
	size_t len;

	for (;;) {
		line = NULL;
		len = (size_t)-1;
		rc = frame_next(&r->f, &line, &len);
		if (rc == FRAME_MORE) {
			CHECK(!r->dead);
			return;
		}
		if (rc == FRAME_TOO_LARGE) {
			/* only where the model says, after every good line */
			CHECK(r->m->too_large);
			CHECK(r->got == r->m->n);
			r->dead = true;
			return;
		}
		CHECK(rc == FRAME_LINE);
		CHECK(!r->dead);
		CHECK(line != NULL);
		CHECK(len <= r->f.max);
		CHECK(line[len] == '\0');
		CHECK(memchr(line, '\n', len) == NULL);
		CHECK(r->got < r->m->n);
		CHECK(len == r->m->len[r->got]);
		CHECK(memcmp(line, r->s + r->m->start[r->got], len) == 0);
		r->got++;
	}
}

/* After all input: every line out, and the tail kept (or the stream dead). */
static void
finish(struct run *r)
{
	char *line;
	size_t len;

	drain(r);
	CHECK(r->got == r->m->n);
	CHECK(r->dead == r->m->too_large);
	if (r->dead) {
		/* dead stays dead, whatever comes next */
		frame_feed(&r->f, "x\n", 2);
		CHECK(frame_next(&r->f, &line, &len) == FRAME_TOO_LARGE);
		CHECK(frame_next(&r->f, &line, &len) == FRAME_TOO_LARGE);
	} else {
		CHECK(buf_used(&r->f.in) == r->m->tail_len);
		CHECK(r->m->tail_len == 0 || memcmp(buf_head(&r->f.in),
		    r->s + r->m->tail, r->m->tail_len) == 0);
		/* the tail becomes a line once its newline comes */
		frame_feed(&r->f, "\n", 1);
		line = NULL;
		CHECK(frame_next(&r->f, &line, &len) == FRAME_LINE);
		CHECK(len == r->m->tail_len);
		CHECK(len == 0 || memcmp(line, r->s + r->m->tail, len) == 0);
		CHECK(frame_next(&r->f, &line, &len) == FRAME_MORE);
	}
	frame_free(&r->f);
}

/* A piece size: mostly small, sometimes about a line, rarely large. */
static size_t
piece(uint32_t *x, size_t max)
{
	uint32_t v = next_rand(x);

	switch (v & 3) {
	case 0:
		return 1;
	case 1:
		return 1 + (v >> 8) % 16;
	case 2:
		return 1 + (v >> 8) % (max + 2);
	default:
		return 1 + (v >> 8) % (4 * max + 8);
	}
}

/* Build the stream, growing 0x01 bytes into long runs in 64 KiB mode. */
static char *
stream_of(const uint8_t *p, size_t n, bool big, size_t *outlen)
{
	size_t run = PROTO_MAX_LINE - 4, len = 0, k;
	const uint8_t *at, *end = p + n;
	char *s;

	s = xmalloc(n + (big ? 4 * run : 0) + 1);
	for (int runs = 0; p < end; runs++) {
		at = big && runs < 4 ? memchr(p, 0x01, (size_t)(end - p)) :
		    NULL;
		k = at != NULL ? (size_t)(at - p) : (size_t)(end - p);
		memcpy(s + len, p, k);
		len += k;
		p += k;
		if (at != NULL) {
			memset(s + len, 'x', run);
			len += run;
			p++;
		}
	}
	*outlen = len;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	struct run r;
	size_t max, n, pos;
	uint32_t x0, x;
	bool big;
	char *s;

	if (size < 4)
		return 0;
	big = (data[0] & 0x80) != 0;
	max = big ? PROTO_MAX_LINE :
	    1 + ((((size_t)data[0] << 8) | data[1]) % 512);
	x0 = ((uint32_t)data[2] << 8 | data[3]) * 2654435761u | 1;
	s = stream_of(data + 4, size - 4, big, &n);
	model_build(&m, s, n, max);

	/* one piece */
	memset(&r, 0, sizeof r);
	r.m = &m;
	r.s = s;
	frame_init(&r.f, max);
	frame_feed(&r.f, s, n);
	finish(&r);

	/* random pieces, drained after each like a connection does */
	memset(&r, 0, sizeof r);
	r.m = &m;
	r.s = s;
	frame_init(&r.f, max);
	x = x0;
	for (pos = 0; pos < n && !r.dead;) {
		size_t k = piece(&x, max);
		if (k > n - pos)
			k = n - pos;
		frame_feed(&r.f, s + pos, k);
		pos += k;
		drain(&r);
	}
	finish(&r);

	/* random pieces, drained only now and then */
	memset(&r, 0, sizeof r);
	r.m = &m;
	r.s = s;
	frame_init(&r.f, max);
	x = x0 ^ 0x5bd1e995u;
	for (pos = 0; pos < n && !r.dead;) {
		size_t k = piece(&x, max);
		if (k > n - pos)
			k = n - pos;
		frame_feed(&r.f, s + pos, k);
		pos += k;
		if ((next_rand(&x) & 7) == 0)
			drain(&r);
	}
	finish(&r);

	model_free(&m);
	free(s);
	return 0;
}
