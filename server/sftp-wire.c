/*
 * sftp-wire.c: the SFTP version 3 wire format (draft-ietf-secsh-filexfer-02,
 * as OpenSSH speaks it): framing packets out of the channel's byte stream,
 * decoding a request into struct sftp_req, and encoding replies. Nothing
 * here touches the database or the loop, so the fuzz target
 * (tests/fuzz/fuzz_sftp.c) runs all of it on arbitrary bytes.
 */
#include <string.h>

#include "server.h"

/* A cursor over one packet's bytes. */
struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static uint32_t
rd_u32(struct rd *r)
{
	uint32_t v;

	if (r->bad || r->len - r->pos < 4) {
		r->bad = true;
		return 0;
	}
	v = (uint32_t)r->p[r->pos] << 24 | (uint32_t)r->p[r->pos + 1] << 16 |
	    (uint32_t)r->p[r->pos + 2] << 8 | r->p[r->pos + 3];
	r->pos += 4;
	return v;
}

static uint64_t
rd_u64(struct rd *r)
{
	uint64_t hi = rd_u32(r);

	return hi << 32 | rd_u32(r);
}

static uint8_t
rd_u8(struct rd *r)
{
	if (r->bad || r->pos >= r->len) {
		r->bad = true;
		return 0;
	}
	return r->p[r->pos++];
}

/* A string: a pointer into the packet and its length. */
static const uint8_t *
rd_str(struct rd *r, uint32_t *n)
{
	const uint8_t *s;

	*n = rd_u32(r);
	if (r->bad || r->len - r->pos < *n) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	s = r->p + r->pos;
	r->pos += *n;
	return s;
}

/* A path: a string without NUL, at most SFTP_MAX_PATH bytes, copied. */
static void
rd_path(struct rd *r, char *out, bool *bad_path)
{
	uint32_t n;
	const uint8_t *s = rd_str(r, &n);

	out[0] = '\0';
	if (s == NULL)
		return;
	if (n > SFTP_MAX_PATH || memchr(s, '\0', n) != NULL) {
		*bad_path = true;
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

static void
rd_attrs(struct rd *r, struct sftp_attrs *a)
{
	uint32_t n, count;

	memset(a, 0, sizeof *a);
	a->flags = rd_u32(r);
	if (a->flags & SFTP_ATTR_SIZE)
		a->size = rd_u64(r);
	if (a->flags & SFTP_ATTR_UIDGID) {
		a->uid = rd_u32(r);
		a->gid = rd_u32(r);
	}
	if (a->flags & SFTP_ATTR_PERMISSIONS)
		a->perm = rd_u32(r);
	if (a->flags & SFTP_ATTR_ACMODTIME) {
		a->atime = rd_u32(r);
		a->mtime = rd_u32(r);
	}
	if (a->flags & SFTP_ATTR_EXTENDED) {
		count = rd_u32(r);
		/* each pair takes at least 8 bytes: no loop past the packet */
		for (uint32_t i = 0; i < count && !r->bad; i++) {
			rd_str(r, &n);
			rd_str(r, &n);
		}
	}
}

int
sftp_wire_next(struct buf *in, const uint8_t **pkt, uint32_t *len)
{
	const uint8_t *p = (const uint8_t *)buf_head(in);
	uint32_t n;

	if (buf_used(in) < 4)
		return 0;
	n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (n == 0 || n > SFTP_MAX_PACKET)
		return -1;
	if (buf_used(in) - 4 < n)
		return 0;
	*pkt = p + 4;
	*len = n;
	return 1;
}

int
sftp_wire_parse(const uint8_t *p, size_t len, struct sftp_req *q)
{
	struct rd r = { .p = p, .len = len };
	uint32_t n;

	q->type = rd_u8(&r);
	q->bad_path = false;
	q->path[0] = q->path2[0] = '\0';
	q->handle = NULL;
	q->handle_len = 0;
	q->data = NULL;
	q->data_len = 0;
	q->offset = 0;
	q->len = 0;
	q->pflags = 0;
	memset(&q->attrs, 0, sizeof q->attrs);
	if (q->type == SFTP_INIT) {
		q->id = rd_u32(&r); /* the version */
		return r.bad ? -1 : 0; /* extensions after it are ignored */
	}
	q->id = rd_u32(&r);
	switch (q->type) {
	case SFTP_OPEN:
		rd_path(&r, q->path, &q->bad_path);
		q->pflags = rd_u32(&r);
		rd_attrs(&r, &q->attrs);
		break;
	case SFTP_CLOSE:
	case SFTP_FSTAT:
	case SFTP_READDIR:
		q->handle = rd_str(&r, &n);
		q->handle_len = n;
		break;
	case SFTP_READ:
		q->handle = rd_str(&r, &n);
		q->handle_len = n;
		q->offset = rd_u64(&r);
		q->len = rd_u32(&r);
		break;
	case SFTP_WRITE:
		q->handle = rd_str(&r, &n);
		q->handle_len = n;
		q->offset = rd_u64(&r);
		q->data = rd_str(&r, &n);
		q->data_len = n;
		break;
	case SFTP_FSETSTAT:
		q->handle = rd_str(&r, &n);
		q->handle_len = n;
		rd_attrs(&r, &q->attrs);
		break;
	case SFTP_SETSTAT:
	case SFTP_MKDIR:
		rd_path(&r, q->path, &q->bad_path);
		rd_attrs(&r, &q->attrs);
		break;
	case SFTP_LSTAT:
	case SFTP_STAT:
	case SFTP_OPENDIR:
	case SFTP_REMOVE:
	case SFTP_RMDIR:
	case SFTP_REALPATH:
	case SFTP_READLINK:
		rd_path(&r, q->path, &q->bad_path);
		break;
	case SFTP_RENAME:
	case SFTP_SYMLINK:
		rd_path(&r, q->path, &q->bad_path);
		rd_path(&r, q->path2, &q->bad_path);
		break;
	case SFTP_EXTENDED:
		rd_path(&r, q->path, &q->bad_path); /* the extension's name */
		break;
	default:
		break; /* unknown: answered "unsupported" by its id */
	}
	if (r.bad)
		return -1;
	return 0;
}

/* ---- paths ---- */

/*
 * The canonical form of path, taken from "/": no empty parts, no ".", and
 * ".." taking one part off (never above "/"). False if too long.
 */
bool
sftp_canon(const char *path, char *out, size_t len)
{
	size_t n = 0, plen;
	const char *p = path, *e;

	out[0] = '\0';
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		plen = (size_t)(e - p);
		if (plen == 1 && p[0] == '.') {
			/* nothing */
		} else if (plen == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			out[n] = '\0';
		} else {
			if (n + 1 + plen + 1 > len)
				return false;
			out[n++] = '/';
			memcpy(out + n, p, plen);
			n += plen;
			out[n] = '\0';
		}
		p = e;
	}
	if (n == 0)
		snprintf(out, len, "/");
	return true;
}

/* Split a canonical path into its folder's path and its last name. */
bool
sftp_split(char *path, const char **dir, const char **name)
{
	char *slash = strrchr(path, '/');

	if (slash == NULL || slash[1] == '\0')
		return false; /* "/" has no parent */
	*name = slash + 1;
	if (slash == path)
		*dir = "/";
	else {
		*slash = '\0';
		*dir = path;
	}
	return true;
}

/* ---- encoding ---- */

void
sftp_put_u8(struct buf *b, uint8_t v)
{
	buf_append(b, &v, 1);
}

void
sftp_put_u32(struct buf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v };

	buf_append(b, p, 4);
}

void
sftp_put_u64(struct buf *b, uint64_t v)
{
	sftp_put_u32(b, (uint32_t)(v >> 32));
	sftp_put_u32(b, (uint32_t)v);
}

void
sftp_put_str(struct buf *b, const void *s, size_t n)
{
	sftp_put_u32(b, (uint32_t)n);
	buf_append(b, s, n);
}

void
sftp_put_attrs(struct buf *b, const struct sftp_attrs *a)
{
	sftp_put_u32(b, a->flags & ~SFTP_ATTR_EXTENDED);
	if (a->flags & SFTP_ATTR_SIZE)
		sftp_put_u64(b, a->size);
	if (a->flags & SFTP_ATTR_UIDGID) {
		sftp_put_u32(b, a->uid);
		sftp_put_u32(b, a->gid);
	}
	if (a->flags & SFTP_ATTR_PERMISSIONS)
		sftp_put_u32(b, a->perm);
	if (a->flags & SFTP_ATTR_ACMODTIME) {
		sftp_put_u32(b, a->atime);
		sftp_put_u32(b, a->mtime);
	}
}

size_t
sftp_begin(struct buf *b, uint8_t type, uint32_t id)
{
	size_t at = buf_used(b);

	sftp_put_u32(b, 0); /* the length, filled in by sftp_end */
	sftp_put_u8(b, type);
	if (type != SFTP_VERSION)
		sftp_put_u32(b, id);
	return at;
}

void
sftp_end(struct buf *b, size_t at)
{
	uint32_t n = (uint32_t)(buf_used(b) - at - 4);
	uint8_t *p = (uint8_t *)buf_head(b) + at;

	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
}

void
sftp_status(struct buf *b, uint32_t id, uint32_t code, const char *msg)
{
	size_t at = sftp_begin(b, SFTP_STATUS, id);

	sftp_put_u32(b, code);
	sftp_put_str(b, msg, strlen(msg));
	sftp_put_str(b, "en", 2);
	sftp_end(b, at);
}
