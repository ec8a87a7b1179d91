/*
 * fuzz_sftp.c: libFuzzer target for the SFTP wire format
 * (server/sftp-wire.c), which every byte of an "sftp" channel meets before
 * anything else.
 *
 * The input is a header (two bytes seeding the piece sizes) and a byte
 * stream, fed into a buffer in pieces. Packets are framed with
 * sftp_wire_next and decoded with sftp_wire_parse, and must hold:
 *  - framing: a packet is reported only once all of it has arrived, never
 *    longer than SFTP_MAX_PACKET, and a length of 0 or over the cap is an
 *    error (the session ends); no byte is skipped or read twice;
 *  - decoding: handles and data point inside the packet; paths are
 *    NUL-terminated, at most SFTP_MAX_PATH bytes, without an inner NUL;
 *  - every path canonicalises (sftp_canon) to "/" or "/a/b" with no empty,
 *    "." or ".." part, canonicalising again changes nothing, and
 *    sftp_split gives a folder that is itself canonical;
 *  - a status reply built for the request frames back to one packet of
 *    the length written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_sftp: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static struct sftp_req q;
static char c1[SFTP_MAX_PATH + 2], c2[SFTP_MAX_PATH + 2];

static void
check_canonical(const char *c)
{
	const char *p = c;

	CHECK(c[0] == '/');
	if (c[1] == '\0')
		return;
	while (*p == '/') {
		const char *e = strchr(p + 1, '/');
		size_t n = e != NULL ? (size_t)(e - p - 1) : strlen(p + 1);

		CHECK(n > 0);
		CHECK(!(n == 1 && p[1] == '.'));
		CHECK(!(n == 2 && p[1] == '.' && p[2] == '.'));
		if (e == NULL)
			break;
		p = e;
	}
}

static void
check_path(const char *path)
{
	const char *dir, *name;

	CHECK(strlen(path) <= SFTP_MAX_PATH);
	if (!sftp_canon(path, c1, sizeof c1))
		return;
	check_canonical(c1);
	CHECK(sftp_canon(c1, c2, sizeof c2));
	CHECK(strcmp(c1, c2) == 0);
	if (sftp_split(c2, &dir, &name)) {
		CHECK(strchr(name, '/') == NULL && name[0] != '\0');
		check_canonical(dir);
	} else
		CHECK(strcmp(c1, "/") == 0);
}

static void
check_packet(const uint8_t *p, uint32_t len)
{
	struct buf out;
	const uint8_t *rp;
	uint32_t rlen;

	if (sftp_wire_parse(p, len, &q) == 0) {
		if (q.handle != NULL)
			CHECK(q.handle >= p && q.handle + q.handle_len <= p + len);
		if (q.data != NULL)
			CHECK(q.data >= p && q.data + q.data_len <= p + len);
		if (!q.bad_path) {
			check_path(q.path);
			check_path(q.path2);
		}
	}
	buf_init(&out);
	sftp_status(&out, q.id, SFTP_FAILURE, q.bad_path ? "" : q.path);
	CHECK(sftp_wire_next(&out, &rp, &rlen) == 1);
	CHECK(rlen + 4 == buf_used(&out));
	CHECK(rp[0] == SFTP_STATUS);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in;
	const uint8_t *pkt;
	uint32_t len;
	size_t pos, piece, fed = 0, taken = 0;
	unsigned seed;
	int rc = 0;

	if (size < 2)
		return 0;
	seed = (unsigned)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	buf_init(&in);
	for (pos = 0; pos < size && rc >= 0; pos += piece) {
		seed = seed * 1103515245u + 12345u;
		piece = 1 + (seed >> 16) % 4096;
		if (piece > size - pos)
			piece = size - pos;
		buf_append(&in, data + pos, piece);
		fed += piece;
		while ((rc = sftp_wire_next(&in, &pkt, &len)) == 1) {
			CHECK(len > 0 && len <= SFTP_MAX_PACKET);
			CHECK((size_t)len + 4 <= buf_used(&in));
			/* the packet is the next bytes of the stream */
			CHECK(memcmp(pkt, data + taken + 4, len) == 0);
			check_packet(pkt, len);
			buf_consume(&in, (size_t)len + 4);
			taken += (size_t)len + 4;
		}
	}
	CHECK(taken + buf_used(&in) == fed);
	buf_free(&in);
	return 0;
}
