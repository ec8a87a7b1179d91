/*
 * sftp.c: the "sftp" subsystem, SFTP version 3 as OpenSSH's sftp and scp
 * speak it, over the libraries (library.c). The tree is "/" (the
 * communities the member may read), "/SLUG" (a community's library), then
 * its folders and documents.
 *
 * Packets are parsed on the loop from the channel's bytes (sftp-wire.c);
 * replies go into out, which sshd.c writes with the channel's flow
 * control. While out is over SFTP_OUT_HIGH, or a write's reply waits for
 * its commit to reach the disk (dispatch_after_sync), no further request
 * is taken: the bytes wait in `in` (bounded: a client sending far past
 * what it was answered ends the session), so replies keep their order and
 * a client never hears "ok" for something a power cut could take back.
 * Every reply also waits until the commits made before it are synced
 * (settle), so none shows what a power cut could take back either.
 *
 * Identity: a conn of its own (never written to: events for the member are
 * dropped), so the member's removal or a shutdown closes the session too.
 */
#include <string.h>

#include "server.h"

#define SFTP_HANDLES 64 /* open files and folders per session */
#define SFTP_UPLOADS 8 /* of them, uploads (each holds a chunk in memory) */
#define SFTP_IN_MAX (8 * 1024 * 1024) /* requests waiting, at most */
#define SFTP_READ_MAX (64 * 1024) /* bytes one READ answers at most */
#define SFTP_DIR_BATCH 64 /* names per READDIR reply */
#define SFTP_TURN_PACKETS 256 /* then the rest waits for the next turn */
/* Request bytes taken a turn: a transfer leaves each turn short, so a
 * room's line never waits long behind it. */
#define SFTP_TURN_BYTES (128 * 1024)

enum hkind { H_FREE, H_DIR, H_READ, H_WRITE };

struct handle {
	enum hkind kind;
	uint32_t gen;
	struct lib_node node; /* the folder or document */
	struct lib_node *ents; /* H_DIR: its entries */
	size_t nents, cap, pos;
	struct lib_upload *up; /* H_WRITE */
	uint64_t written;
};

struct sftp {
	void *owner;
	void (*kick)(void *);
	void (*end)(void *);
	uint64_t id;
	struct conn *who;
	struct buf in;
	struct buf out; /* replies being made (handlers write here) */
	struct buf held; /* made while a commit was not yet on the disk */
	size_t held_mark; /* the bytes of held the pending sync covers */
	bool holding; /* a sync is awaited for held */
	struct buf ready; /* for the channel (sshd.c writes it) */
	struct buf err; /* refusals worth telling a person, for stderr */
	char last_err[256]; /* said once, not for every pipelined write */
	bool inited;
	bool ended;
	bool freed; /* the session is gone; memory waits for refs */
	int refs; /* after_sync calls outstanding */
	bool waiting; /* a write's reply waits for its sync */
	bool paused; /* an upload's chunks wait for the writer thread */
	bool paced; /* waits for the transfers' budget (pace.c) */
	uint32_t wait_id, wait_code;
	uint32_t close_id; /* the CLOSE whose upload is being finished */
	struct conn *fin_who; /* held for it: the upload names who */
	char wait_msg[256];
	int uploads;
	struct handle h[SFTP_HANDLES];
};

static uint8_t scratch[SFTP_READ_MAX];

/* ---- the identity conn: nothing is ever written to it ---- */

static void
who_kick(struct conn *c)
{
	buf_clear(&c->out); /* events for the member: not for this channel */
}

static void
who_close(struct conn *c)
{
	struct sftp *s = c->tr_data;

	if (s != NULL && !s->ended) {
		s->ended = true;
		log_info(s->id, "sftp: ending: %s", c->close_reason != NULL ?
		    c->close_reason : "closed");
		s->end(s->owner);
	}
}

static const struct conn_transport who_transport = {
	.kick = who_kick,
	.close = who_close,
};

struct sftp *
sftp_new(void *owner, void (*kick)(void *), void (*end)(void *),
    uint64_t log_id, const struct member *m, const char *fp, bool guest)
{
	struct sftp *s = xcalloc(1, sizeof *s);

	s->owner = owner;
	s->kick = kick;
	s->end = end;
	s->id = log_id;
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->held);
	buf_init(&s->ready);
	buf_init(&s->err);
	s->who = conn_new(CONN_SSH, &who_transport, s);
	s->who->guest = guest;
	/* so that removing this device's key ends the session (op-device.c) */
	snprintf(s->who->key.fp, sizeof s->who->key.fp, "%s", fp);
	if (m->id != 0) {
		s->who->member = *m;
		s->who->member.display_name = xstrdup(m->display_name != NULL ?
		    m->display_name : "");
		s->who->member.removed_reason = m->removed_reason != NULL ?
		    xstrdup(m->removed_reason) : NULL;
	}
	return s;
}

/* ---- handles ---- */

static void
handle_drop(struct sftp *s, struct handle *h)
{
	if (h->kind == H_WRITE) {
		library_upload_abort(h->up);
		s->uploads--;
	}
	free(h->ents);
	h->ents = NULL;
	h->nents = h->cap = h->pos = 0;
	h->up = NULL;
	h->kind = H_FREE;
	h->gen++;
}

static struct handle *
handle_new(struct sftp *s, enum hkind kind)
{
	for (int i = 0; i < SFTP_HANDLES; i++) {
		if (s->h[i].kind == H_FREE) {
			s->h[i].kind = kind;
			s->h[i].written = 0;
			return &s->h[i];
		}
	}
	return NULL;
}

static struct handle *
handle_find(struct sftp *s, const struct sftp_req *q)
{
	const uint8_t *p = q->handle;
	uint32_t slot, gen;

	if (p == NULL || q->handle_len != 8)
		return NULL;
	slot = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	gen = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	    (uint32_t)p[6] << 8 | p[7];
	if (slot >= SFTP_HANDLES || s->h[slot].kind == H_FREE ||
	    s->h[slot].gen != gen)
		return NULL;
	return &s->h[slot];
}

static void
reply_handle(struct sftp *s, uint32_t id, struct handle *h)
{
	size_t at = sftp_begin(&s->out, SFTP_HANDLE, id);

	sftp_put_u32(&s->out, 8);
	sftp_put_u32(&s->out, (uint32_t)(h - s->h));
	sftp_put_u32(&s->out, h->gen);
	sftp_end(&s->out, at);
}

/* ---- paths and attributes ---- */

static void
node_attrs(const struct lib_node *n, struct sftp_attrs *a)
{
	memset(a, 0, sizeof *a);
	a->flags = SFTP_ATTR_SIZE | SFTP_ATTR_UIDGID | SFTP_ATTR_PERMISSIONS |
	    SFTP_ATTR_ACMODTIME;
	a->size = n->kind == LIB_DOC ? (uint64_t)n->size : 0;
	a->perm = n->kind == LIB_DOC ? 0100644 : 040755;
	a->atime = a->mtime = (uint32_t)n->mtime;
}

/* "drwxr-xr-x   1 hearth   hearth          0 Dec  6 21:00 name" */
static void
put_name(struct buf *b, const struct lib_node *n)
{
	struct sftp_attrs a;
	char date[32], *longname;
	time_t t = (time_t)n->mtime;
	struct tm tm;

	node_attrs(n, &a);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%b %e %H:%M", &tm);
	longname = xasprintf("%s    1 hearth   hearth   %8lld %s %s",
	    n->kind == LIB_DOC ? "-rw-r--r--" : "drwxr-xr-x",
	    (long long)a.size, date, n->name);
	sftp_put_str(b, n->name, strlen(n->name));
	sftp_put_str(b, longname, strlen(longname));
	sftp_put_attrs(b, &a);
	free(longname);
}

static uint32_t
lib_code(int rc)
{
	switch (rc) {
	case LIB_OK:
		return SFTP_OK;
	case LIB_NOENT:
		return SFTP_NO_SUCH_FILE;
	case LIB_DENIED:
		return SFTP_PERMISSION_DENIED;
	case LIB_UNSUPPORTED:
		return SFTP_OP_UNSUPPORTED;
	default:
		return SFTP_FAILURE;
	}
}

/*
 * OpenSSH's clients show their own words for a status ("Failure"), not
 * ours: a refusal that says why (a limit, who may) also goes to the
 * channel's stderr, which ssh prints.
 */
static void
say(struct sftp *s, const char *msg)
{
	if (strcmp(msg, s->last_err) == 0)
		return;
	snprintf(s->last_err, sizeof s->last_err, "%s", msg);
	if (buf_used(&s->err) < 4096)
		buf_printf(&s->err, "hearth: %s\n", msg);
}

static void
status_rc(struct sftp *s, uint32_t id, int rc, const char *msg)
{
	if (rc == LIB_NOENT)
		msg = "No such file";
	else if (rc != LIB_OK)
		say(s, msg);
	sftp_status(&s->out, id, lib_code(rc), rc == LIB_OK ? "Success" : msg);
}

/* Resolve a request's path (canonical into canonp if given). */
static int
resolve(struct sftp *s, const char *path, struct lib_node *n, char *canonp,
    char *msg, size_t len)
{
	char buf[SFTP_MAX_PATH + 2];
	char *c = canonp != NULL ? canonp : buf;

	if (!sftp_canon(path, c, SFTP_MAX_PATH + 2)) {
		snprintf(msg, len, "No such file");
		return LIB_NOENT;
	}
	return library_resolve(s->who, c, n, msg, len);
}

/* ---- replies wait for the disk ---- */

static void sftp_release(struct sftp *);
static void settle(struct sftp *);

/* The sync that covers the first held_mark bytes of held is done. */
static void
held_synced(void *arg, bool ok)
{
	struct sftp *s = arg;

	(void)ok; /* what they said was read, not written: true either way */
	s->holding = false;
	if (!s->freed) {
		buf_append(&s->ready, buf_head(&s->held), s->held_mark);
		buf_consume(&s->held, s->held_mark);
		s->held_mark = 0;
		settle(s); /* the rest, made later, waits for a later sync */
		s->kick(s->owner);
	}
	sftp_release(s);
}

/*
 * Replies go to the channel only once every commit made so far is on the
 * disk, as dispatch.c holds protocol lines: what a reply shows (a listing,
 * a document's bytes) may have come from a transaction whose sync is
 * still to come, and nobody may see a write before its writer's ok could.
 * In order: once some wait, the later ones wait behind them.
 */
static void
settle(struct sftp *s)
{
	if (buf_used(&s->out) == 0 && (s->holding || buf_used(&s->held) == 0))
		return;
	if (buf_used(&s->held) == 0 && !dispatch_unsynced()) {
		buf_append(&s->ready, buf_head(&s->out), buf_used(&s->out));
		buf_clear(&s->out);
		return;
	}
	buf_append(&s->held, buf_head(&s->out), buf_used(&s->out));
	buf_clear(&s->out);
	if (s->holding || buf_used(&s->held) == 0)
		return;
	s->holding = true;
	s->held_mark = buf_used(&s->held);
	s->refs++;
	dispatch_after_sync(held_synced, s);
}

/* ---- writes whose reply waits for the disk ---- */

static void
after_sync(void *arg, bool ok)
{
	struct sftp *s = arg;

	s->waiting = false;
	if (!s->freed) {
		if (ok)
			sftp_status(&s->out, s->wait_id, s->wait_code,
			    s->wait_msg);
		else
			sftp_status(&s->out, s->wait_id, SFTP_FAILURE,
			    "could not save; nothing was changed");
		settle(s);
		s->kick(s->owner);
	}
	sftp_release(s);
}

/* Reply once the write just made is on the disk. */
static void
reply_synced(struct sftp *s, uint32_t id, int rc, const char *msg)
{
	if (rc != LIB_OK) {
		status_rc(s, id, rc, msg);
		return;
	}
	s->waiting = true;
	s->wait_id = id;
	s->wait_code = SFTP_OK;
	snprintf(s->wait_msg, sizeof s->wait_msg, "Success");
	s->refs++;
	dispatch_after_sync(after_sync, s);
}

/* ---- requests ---- */

static void
do_init(struct sftp *s, const struct sftp_req *q)
{
	size_t at = sftp_begin(&s->out, SFTP_VERSION, 0);

	sftp_put_u32(&s->out, 3);
	sftp_end(&s->out, at);
	s->inited = true;
}

static void
do_realpath(struct sftp *s, const struct sftp_req *q)
{
	char c[SFTP_MAX_PATH + 2];
	struct lib_node n;
	struct sftp_attrs a;
	size_t at;

	if (!sftp_canon(q->path, c, sizeof c)) {
		sftp_status(&s->out, q->id, SFTP_NO_SUCH_FILE, "No such file");
		return;
	}
	memset(&n, 0, sizeof n);
	memset(&a, 0, sizeof a);
	at = sftp_begin(&s->out, SFTP_NAME, q->id);
	sftp_put_u32(&s->out, 1);
	sftp_put_str(&s->out, c, strlen(c));
	sftp_put_str(&s->out, c, strlen(c));
	sftp_put_attrs(&s->out, &a);
	sftp_end(&s->out, at);
}

static void
reply_attrs(struct sftp *s, uint32_t id, const struct lib_node *n)
{
	struct sftp_attrs a;
	size_t at = sftp_begin(&s->out, SFTP_ATTRS, id);

	node_attrs(n, &a);
	sftp_put_attrs(&s->out, &a);
	sftp_end(&s->out, at);
}

static void
do_stat(struct sftp *s, const struct sftp_req *q)
{
	struct lib_node n;
	char msg[256];
	int rc = resolve(s, q->path, &n, NULL, msg, sizeof msg);

	if (rc != LIB_OK)
		status_rc(s, q->id, rc, msg);
	else
		reply_attrs(s, q->id, &n);
}

static void
do_fstat(struct sftp *s, const struct sftp_req *q)
{
	struct handle *h = handle_find(s, q);
	struct lib_node n;

	if (h == NULL) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "invalid handle");
		return;
	}
	n = h->node;
	if (h->kind == H_WRITE)
		n.size = (int64_t)h->written;
	reply_attrs(s, q->id, &n);
}

static void
dir_add(void *arg, const struct lib_node *e)
{
	struct handle *h = arg;

	if (h->nents == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->ents = xrealloc(h->ents, h->cap * sizeof *h->ents);
	}
	h->ents[h->nents++] = *e;
}

static void
do_opendir(struct sftp *s, const struct sftp_req *q)
{
	struct lib_node n;
	struct handle *h;
	char msg[256];
	int rc = resolve(s, q->path, &n, NULL, msg, sizeof msg);

	if (rc != LIB_OK) {
		status_rc(s, q->id, rc, msg);
		return;
	}
	if (n.kind == LIB_DOC) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "Not a directory");
		return;
	}
	if ((h = handle_new(s, H_DIR)) == NULL) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "too many open "
		    "files: at most 64 per session");
		return;
	}
	h->node = n;
	if ((rc = library_list(s->who, &n, dir_add, h, msg, sizeof msg)) !=
	    LIB_OK) {
		handle_drop(s, h);
		status_rc(s, q->id, rc, msg);
		return;
	}
	reply_handle(s, q->id, h);
}

static void
do_readdir(struct sftp *s, const struct sftp_req *q)
{
	struct handle *h = handle_find(s, q);
	size_t at, n;

	if (h == NULL || h->kind != H_DIR) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "invalid handle");
		return;
	}
	if (h->pos >= h->nents) {
		sftp_status(&s->out, q->id, SFTP_EOF, "End of file");
		return;
	}
	n = h->nents - h->pos;
	if (n > SFTP_DIR_BATCH)
		n = SFTP_DIR_BATCH;
	at = sftp_begin(&s->out, SFTP_NAME, q->id);
	sftp_put_u32(&s->out, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_name(&s->out, &h->ents[h->pos++]);
	sftp_end(&s->out, at);
}

static void
open_write(struct sftp *s, const struct sftp_req *q)
{
	char c[SFTP_MAX_PATH + 2], msg[256];
	const char *dirp, *name;
	struct lib_node dir, old;
	struct handle *h;
	int rc;

	if (!sftp_canon(q->path, c, sizeof c) || !sftp_split(c, &dirp, &name)) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "cannot write there");
		return;
	}
	if ((rc = library_resolve(s->who, dirp, &dir, msg, sizeof msg)) !=
	    LIB_OK) {
		status_rc(s, q->id, rc, msg);
		return;
	}
	if (dir.kind != LIB_ROOT && dir.kind != LIB_DOC) {
		char full[SFTP_MAX_PATH + 2];

		if (snprintf(full, sizeof full, "%s/%s", strcmp(dirp, "/") ==
		    0 ? "" : dirp, name) < (int)sizeof full &&
		    library_resolve(s->who, full, &old, msg, sizeof msg) ==
		    LIB_OK) {
			if (q->pflags & SFTP_EXCL) {
				sftp_status(&s->out, q->id, SFTP_FAILURE,
				    "the file already exists");
				return;
			}
			/*
			 * OpenSSH's scp opens an existing name without
			 * TRUNC (it sets the size at the end): a whole new
			 * version either way, and a write that does not
			 * start at 0 is refused then. Appending is not.
			 */
			if (q->pflags & SFTP_APPEND) {
				sftp_status(&s->out, q->id,
				    SFTP_OP_UNSUPPORTED, "library documents "
				    "are replaced whole (a new version): "
				    "resuming or appending is not supported");
				return;
			}
		}
	}
	if (s->uploads >= SFTP_UPLOADS) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "too many uploads at "
		    "once in this session (at most 8)");
		return;
	}
	if ((h = handle_new(s, H_WRITE)) == NULL) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "too many open "
		    "files: at most 64 per session");
		return;
	}
	h->up = library_upload_begin(s->who, &dir, name, &rc, msg,
	    sizeof msg);
	if (h->up == NULL) {
		h->kind = H_FREE;
		h->gen++;
		status_rc(s, q->id, rc, msg);
		return;
	}
	s->uploads++;
	memset(&h->node, 0, sizeof h->node);
	h->node.kind = LIB_DOC;
	h->node.community_id = dir.community_id;
	h->node.mtime = now_unix();
	snprintf(h->node.name, sizeof h->node.name, "%s", name);
	reply_handle(s, q->id, h);
}

static void
do_open(struct sftp *s, const struct sftp_req *q)
{
	struct lib_node n;
	struct handle *h;
	char msg[256];
	int rc;

	if (q->pflags & SFTP_APPEND) {
		sftp_status(&s->out, q->id, SFTP_OP_UNSUPPORTED, "library "
		    "documents are replaced whole: appending is not supported");
		return;
	}
	if ((q->pflags & (SFTP_READ_FLAG | SFTP_WRITE_FLAG)) ==
	    (SFTP_READ_FLAG | SFTP_WRITE_FLAG)) {
		sftp_status(&s->out, q->id, SFTP_OP_UNSUPPORTED, "open for "
		    "reading or for writing, not both");
		return;
	}
	if (q->pflags & SFTP_WRITE_FLAG) {
		open_write(s, q);
		return;
	}
	if ((rc = resolve(s, q->path, &n, NULL, msg, sizeof msg)) != LIB_OK) {
		status_rc(s, q->id, rc, msg);
		return;
	}
	if (n.kind != LIB_DOC) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "is a directory");
		return;
	}
	if ((h = handle_new(s, H_READ)) == NULL) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "too many open "
		    "files: at most 64 per session");
		return;
	}
	h->node = n;
	reply_handle(s, q->id, h);
}

static void
do_read(struct sftp *s, const struct sftp_req *q)
{
	struct handle *h = handle_find(s, q);
	size_t len = q->len, got, at;

	if (h == NULL || h->kind != H_READ) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "invalid handle");
		return;
	}
	if (q->offset >= (uint64_t)h->node.size) {
		sftp_status(&s->out, q->id, SFTP_EOF, "End of file");
		return;
	}
	if (len > SFTP_READ_MAX)
		len = SFTP_READ_MAX;
	if (library_read(h->node.blob_id, q->offset, scratch, len, &got) != 0) {
		log_error(s->id, "sftp: reading content %lld: %s",
		    (long long)h->node.blob_id, db_errmsg(srv->db));
		sftp_status(&s->out, q->id, SFTP_FAILURE, "could not read");
		return;
	}
	if (got == 0) {
		sftp_status(&s->out, q->id, SFTP_EOF, "End of file");
		return;
	}
	at = sftp_begin(&s->out, SFTP_DATA, q->id);
	sftp_put_str(&s->out, scratch, got);
	sftp_end(&s->out, at);
	pace_charge(got);
}

/* The transfers' budget has refilled: a paced session goes on. */
static void
pace_ready(void *arg)
{
	struct sftp *s = arg;

	s->paced = false;
	if (!s->freed)
		s->kick(s->owner);
	sftp_release(s);
}

/* A chunk of an upload of s was stored: a paused session goes on. */
static void
upload_ready(void *arg)
{
	struct sftp *s = arg;

	if (s->paused) {
		s->paused = false;
		s->kick(s->owner);
	}
}

/* Returns true when the write must wait (the packet is taken again). */
static bool
do_write(struct sftp *s, const struct sftp_req *q)
{
	struct handle *h = handle_find(s, q);
	char msg[256];
	int rc;

	if (h == NULL || h->kind != H_WRITE) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "invalid handle");
		return false;
	}
	if (library_upload_busy(h->up)) {
		s->paused = true;
		library_upload_on_ready(h->up, upload_ready, s);
		return true;
	}
	rc = library_upload_write(h->up, q->offset, q->data, q->data_len, msg,
	    sizeof msg);
	if (rc == LIB_OK)
		h->written += q->data_len;
	status_rc(s, q->id, rc, msg);
	return false;
}

/* The upload a CLOSE finished is stored (or not): reply once synced. */
static void
close_done(void *arg, int rc, const char *msg)
{
	struct sftp *s = arg;

	s->waiting = false;
	conn_release(s->fin_who);
	s->fin_who = NULL;
	if (!s->freed) {
		reply_synced(s, s->close_id, rc, msg);
		settle(s);
		s->kick(s->owner);
	}
	sftp_release(s);
}

static void
do_close(struct sftp *s, const struct sftp_req *q)
{
	struct handle *h = handle_find(s, q);
	struct lib_upload *up;

	if (h == NULL) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "invalid handle");
		return;
	}
	if (h->kind != H_WRITE) {
		handle_drop(s, h);
		sftp_status(&s->out, q->id, SFTP_OK, "Success");
		return;
	}
	up = h->up;
	h->up = NULL; /* finished or dropped either way */
	s->uploads--;
	h->kind = H_FREE;
	h->gen++;
	/* nothing more is taken until its last chunk is stored */
	s->waiting = true;
	s->close_id = q->id;
	s->refs++;
	/* library.c reads who until the upload is stored, which may be
	 * after the session is gone (a client that hangs up after CLOSE) */
	s->fin_who = s->who;
	conn_hold(s->fin_who);
	library_upload_finish(up, close_done, s);
}

static void
do_remove(struct sftp *s, const struct sftp_req *q)
{
	struct lib_node n;
	char msg[256];
	int rc = resolve(s, q->path, &n, NULL, msg, sizeof msg);

	if (rc == LIB_OK)
		rc = library_remove(s->who, &n, msg, sizeof msg);
	reply_synced(s, q->id, rc, msg);
}

static void
do_rmdir(struct sftp *s, const struct sftp_req *q)
{
	struct lib_node n;
	char msg[256];
	int rc = resolve(s, q->path, &n, NULL, msg, sizeof msg);

	if (rc == LIB_OK)
		rc = library_rmdir(s->who, &n, msg, sizeof msg);
	reply_synced(s, q->id, rc, msg);
}

/* The folder to hold path's last name, and the name. */
static int
resolve_parent(struct sftp *s, const char *path, char *c, size_t clen,
    struct lib_node *dir, const char **name, char *msg, size_t len)
{
	const char *dirp;

	if (!sftp_canon(path, c, clen) || !sftp_split(c, &dirp, name)) {
		snprintf(msg, len, "cannot make that");
		return LIB_FAIL;
	}
	return library_resolve(s->who, dirp, dir, msg, len);
}

static void
do_mkdir(struct sftp *s, const struct sftp_req *q)
{
	char c[SFTP_MAX_PATH + 2], msg[256];
	struct lib_node dir;
	const char *name;
	int rc = resolve_parent(s, q->path, c, sizeof c, &dir, &name, msg,
	    sizeof msg);

	if (rc == LIB_OK)
		rc = library_mkdir(s->who, &dir, name, msg, sizeof msg);
	reply_synced(s, q->id, rc, msg);
}

static void
do_rename(struct sftp *s, const struct sftp_req *q)
{
	char c[SFTP_MAX_PATH + 2], msg[256];
	struct lib_node from, dir;
	const char *name;
	int rc = resolve(s, q->path, &from, NULL, msg, sizeof msg);

	if (rc == LIB_OK)
		rc = resolve_parent(s, q->path2, c, sizeof c, &dir, &name, msg,
		    sizeof msg);
	if (rc == LIB_OK)
		rc = library_rename(s->who, &from, &dir, name, msg,
		    sizeof msg);
	reply_synced(s, q->id, rc, msg);
}

/*
 * setstat: times are taken as said (and ignored), and so is a size the
 * file already has (OpenSSH's scp sets the size it wrote, after writing);
 * permissions, owners and other sizes are refused, saying why.
 */
static void
do_setstat(struct sftp *s, const struct sftp_req *q)
{
	struct handle *h = NULL;
	struct lib_node n;
	uint64_t size;
	char msg[256];
	int rc;

	if (q->type == SFTP_SETSTAT &&
	    (rc = resolve(s, q->path, &n, NULL, msg, sizeof msg)) != LIB_OK) {
		status_rc(s, q->id, rc, msg);
		return;
	}
	if (q->type == SFTP_FSETSTAT && (h = handle_find(s, q)) == NULL) {
		sftp_status(&s->out, q->id, SFTP_FAILURE, "invalid handle");
		return;
	}
	if (h != NULL)
		n = h->node;
	size = h != NULL && h->kind == H_WRITE ? h->written :
	    (uint64_t)n.size;
	log_debug(s->id, "sftp: setstat flags %#x size %llu (has %llu)",
	    q->attrs.flags, (unsigned long long)q->attrs.size,
	    (unsigned long long)size);
	if ((q->attrs.flags & (SFTP_ATTR_PERMISSIONS | SFTP_ATTR_UIDGID)) ||
	    ((q->attrs.flags & SFTP_ATTR_SIZE) && q->attrs.size != size)) {
		say(s, "the library keeps no permissions or owners, and a "
		    "document's size is what was uploaded: nothing changed");
		sftp_status(&s->out, q->id, SFTP_OP_UNSUPPORTED, "the library "
		    "keeps no permissions, owners or sizes to set: who may "
		    "read follows the community");
		return;
	}
	sftp_status(&s->out, q->id, SFTP_OK, "Success");
}

/* Returns true when the packet must wait: it is taken again later. */
static bool
handle_packet(struct sftp *s, const uint8_t *p, uint32_t len)
{
	static struct sftp_req q; /* big (paths); the loop thread only */

	if (sftp_wire_parse(p, len, &q) != 0) {
		log_debug(s->id, "sftp: malformed packet (type %u)", q.type);
		sftp_status(&s->out, q.id, SFTP_BAD_MESSAGE, "malformed "
		    "request");
		return false;
	}
	if (q.type == SFTP_INIT) {
		do_init(s, &q);
		return false;
	}
	if (!s->inited) {
		sftp_status(&s->out, q.id, SFTP_BAD_MESSAGE, "INIT first");
		return false;
	}
	if (q.bad_path) {
		sftp_status(&s->out, q.id, SFTP_NO_SUCH_FILE, "No such file");
		return false;
	}
	switch (q.type) {
	case SFTP_REALPATH:
		do_realpath(s, &q);
		break;
	case SFTP_STAT:
	case SFTP_LSTAT:
		do_stat(s, &q);
		break;
	case SFTP_FSTAT:
		do_fstat(s, &q);
		break;
	case SFTP_OPENDIR:
		do_opendir(s, &q);
		break;
	case SFTP_READDIR:
		do_readdir(s, &q);
		break;
	case SFTP_OPEN:
		do_open(s, &q);
		break;
	case SFTP_READ:
		do_read(s, &q);
		break;
	case SFTP_WRITE:
		return do_write(s, &q);
	case SFTP_CLOSE:
		do_close(s, &q);
		break;
	case SFTP_REMOVE:
		do_remove(s, &q);
		break;
	case SFTP_MKDIR:
		do_mkdir(s, &q);
		break;
	case SFTP_RMDIR:
		do_rmdir(s, &q);
		break;
	case SFTP_RENAME:
		do_rename(s, &q);
		break;
	case SFTP_SETSTAT:
	case SFTP_FSETSTAT:
		do_setstat(s, &q);
		break;
	case SFTP_READLINK:
	case SFTP_SYMLINK:
		sftp_status(&s->out, q.id, SFTP_OP_UNSUPPORTED, "the library "
		    "has no symbolic links");
		break;
	default:
		log_debug(s->id, "sftp: request type %u not supported",
		    q.type);
		sftp_status(&s->out, q.id, SFTP_OP_UNSUPPORTED, "not "
		    "supported by Hearth's library");
		break;
	}
	return false;
}

/* ---- the stream ---- */

static void
sftp_stop(struct sftp *s, const char *why)
{
	if (s->ended)
		return;
	s->ended = true;
	log_info(s->id, "sftp: ending: %s", why);
	s->end(s->owner);
}

int
sftp_resume(struct sftp *s)
{
	const uint8_t *pkt;
	uint32_t len;
	size_t bytes = 0;
	int n = 0, rc;

	while (!s->ended && !s->waiting && !s->paused && !s->paced &&
	    buf_used(&s->ready) + buf_used(&s->held) < SFTP_OUT_HIGH) {
		if (++n > SFTP_TURN_PACKETS || bytes >= SFTP_TURN_BYTES ||
		    sshd_fanout_waiting()) {
			s->kick(s->owner); /* the rest in the next turn */
			break;
		}
		rc = sftp_wire_next(&s->in, &pkt, &len);
		if (rc == 0)
			break;
		if (rc < 0) {
			sftp_stop(s, "a packet of length 0 or over 256 KiB");
			break;
		}
		if (pace_wait(pace_ready, s)) {
			/* the transfers' budget is spent: on when it refills */
			s->paced = true;
			s->refs++;
			break;
		}
		if (handle_packet(s, pkt, len))
			break; /* taken again once the upload is ready */
		buf_consume(&s->in, (size_t)len + 4);
		bytes += len;
		pace_charge(len);
	}
	settle(s);
	return s->ended ? -1 : 0;
}

int
sftp_input(struct sftp *s, const void *data, size_t len)
{
	if (s->ended)
		return -1;
	buf_append(&s->in, data, len);
	if (buf_used(&s->in) > SFTP_IN_MAX) {
		sftp_stop(s, "more than 8 MiB of requests waiting");
		return -1;
	}
	return sftp_resume(s);
}

bool
sftp_idle(const struct sftp *s)
{
	return !s->waiting && !s->paused && !s->paced && !s->holding &&
	    buf_used(&s->in) == 0 &&
	    buf_used(&s->held) == 0 && buf_used(&s->out) == 0;
}

struct buf *
sftp_out(struct sftp *s)
{
	return &s->ready;
}

struct buf *
sftp_err(struct sftp *s)
{
	return &s->err;
}

static void
sftp_release(struct sftp *s)
{
	if (--s->refs > 0 || !s->freed)
		return;
	buf_free(&s->in);
	buf_free(&s->out);
	buf_free(&s->held);
	buf_free(&s->ready);
	buf_free(&s->err);
	free(s);
}

void
sftp_free(struct sftp *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < SFTP_HANDLES; i++)
		if (s->h[i].kind != H_FREE)
			handle_drop(s, &s->h[i]);
	s->who->tr_data = NULL;
	conn_free(s->who);
	s->who = NULL;
	s->freed = true;
	s->refs++;
	sftp_release(s);
}
