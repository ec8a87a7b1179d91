/*
 * scp.c: the classic scp protocol ("scp -f PATH", "scp -t TARGET" as an
 * exec request), which OpenSSH before 9.0, Windows' built-in OpenSSH 8.x
 * and "scp -O" speak, over the libraries (library.c) with the same tree,
 * calls and permission checks as sftp.c.
 *
 * The protocol: one side sends control lines ("C0644 SIZE NAME\n", and
 * "T..." times, "D"/"E" folders), the other answers each with \0, or with
 * "\1scp: why\n" (refused: the next file) or "\2scp: why\n" (fatal).
 * -f (source: we send): wait for the client's \0, then per path a C line,
 * its \0, the bytes and our \0, and the client's \0. -t (sink: the client
 * sends): our \0, then per C line our \0, SIZE bytes, the client's \0,
 * and our \0 once the document is stored and synced.
 *
 * All on the loop: bytes from the channel wait in `in` (bounded: sshd.c
 * takes no more than scp_room says, so the client's window closes); a
 * download reads its document as `ready` drains below SFTP_OUT_HIGH; each
 * call does at most SCP_TURN_BYTES of work and asks for another turn.
 * An upload is library_upload_begin ... finish, exactly as sftp's: it is
 * visible only once committed, and dropped on any error or hang-up.
 * Replies wait for earlier commits' sync, as sftp.c's do (settle).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SCP_IN_MAX (1024 * 1024) /* bytes waiting, at most */
#define SCP_LINE_MAX 1100 /* a control line: mode, size, a 255-byte name */
#define SCP_READ (64 * 1024) /* a download's read */
#define SCP_PATHS 64 /* paths one -f may name */
#define SCP_DEPTH 64 /* folders within folders, as library.c resolves */
/* Bytes taken or made a turn, as sftp.c's: a room's line never waits long. */
#define SCP_TURN_BYTES (128 * 1024)

enum scp_state {
	/* source (-f) */
	SRC_START, /* the client's first \0 */
	SRC_T_ACK, /* ... for our T line */
	SRC_C_ACK, /* ... for our C line */
	SRC_DATA, /* sending the bytes */
	SRC_END_ACK, /* ... for our \0 after them */
	SRC_D_ACK, /* ... for our D line (-r) */
	SRC_E_ACK, /* ... for our E line (-r) */
	/* sink (-t) */
	SNK_CTRL, /* a control line */
	SNK_DATA, /* the file's bytes */
	SNK_SKIP, /* the file's bytes, to be dropped (refused on the way) */
	SNK_DATA_END, /* the client's \0 after them */
	SNK_FINISH, /* the upload being stored and synced */
	/* either */
	SCP_DONE,
};

/* -r: a folder being sent (-f), its entries in name order */
struct scp_frame {
	struct lib_node *ents;
	size_t n, cap, pos;
};

struct scp {
	void *owner;
	void (*kick)(void *);
	void (*end)(void *);
	uint64_t id;
	struct conn *who;
	bool sink, preserve, recursive, want_dir;
	char **paths;
	int npaths, next;
	enum scp_state st;
	struct buf in;
	struct buf out; /* made (handlers write here) */
	struct buf held; /* made while a commit was not yet on the disk */
	size_t held_mark;
	bool holding;
	struct buf ready; /* for the channel */
	struct buf err; /* for the channel's stderr (usage) */
	bool eof; /* the client is done sending */
	bool ended; /* finished: status says how */
	int status;
	int errs;
	bool waiting; /* an upload's finish or sync is awaited */
	bool paused; /* an upload's chunks wait for the writer thread */
	bool paced; /* waits for the transfers' budget (pace.c) */
	bool freed;
	bool starved; /* the last step waited for the client's bytes */
	int refs;
	struct conn *fin_who; /* held while an upload is being stored */
	/* the file in flight */
	struct lib_node node; /* a download's document */
	char name[256]; /* the document's name (messages) */
	uint64_t size, off;
	struct lib_upload *up;
	char why[256]; /* SNK_SKIP: what to answer */
	/* -r */
	struct scp_frame *stack; /* -f: the folders being sent */
	int depth, stack_cap;
	char **targets; /* -t: the folders entered (D), innermost last */
	int ntargets;
	char *pending; /* -t: the folder being made, until synced */
};

static uint8_t scratch[SCP_READ];

static void scp_release(struct scp *);
static void settle(struct scp *);
static void src_next(struct scp *);
static void frames_free(struct scp *);

/* What a client sent, fit for the log: control bytes as '?'. */
static const char *
clean_to(const char *in, size_t n, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < n && in[i] != '\0' && i < len - 1; i++)
		out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' :
		    in[i];
	out[i] = '\0';
	return out;
}

static const char *
clean(const char *in, size_t n)
{
	static char out[300];

	return clean_to(in, n, out, sizeof out);
}

/* ---- the identity conn: nothing is ever written to it ---- */

static void
who_kick(struct conn *c)
{
	buf_clear(&c->out);
}

static void
who_close(struct conn *c)
{
	struct scp *s = c->tr_data;

	if (s != NULL && !s->ended) {
		s->ended = true;
		s->status = 1;
		log_info(s->id, "scp: ending: %s", c->close_reason != NULL ?
		    c->close_reason : "closed");
		s->end(s->owner);
	}
}

static const struct conn_transport who_transport = {
	.kick = who_kick,
	.close = who_close,
};

/* ---- the command line ---- */

bool
scp_command(const char *cmd)
{
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	return strncmp(cmd, "scp", 3) == 0 &&
	    (cmd[3] == ' ' || cmd[3] == '\t');
}

/*
 * Split words as a POSIX shell would quote them: '...', "..." (\ escapes
 * $ ` " \ there) and \ outside quotes. -1 on an unfinished quote.
 */
static int
shell_split(const char *p, char ***words, int *n)
{
	struct buf w;
	bool in_word;

	*words = NULL;
	*n = 0;
	buf_init(&w);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		buf_clear(&w);
		in_word = true;
		while (in_word && *p != '\0') {
			if (*p == ' ' || *p == '\t') {
				in_word = false;
			} else if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');

				if (e == NULL)
					goto bad;
				buf_append(&w, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (*p == '"') {
				for (p++; *p != '"'; p++) {
					if (*p == '\0')
						goto bad;
					if (*p == '\\' && p[1] != '\0' &&
					    strchr("$`\"\\", p[1]) != NULL)
						p++;
					buf_append(&w, p, 1);
				}
				p++;
			} else if (*p == '\\') {
				if (p[1] == '\0')
					goto bad;
				buf_append(&w, p + 1, 1);
				p += 2;
			} else {
				buf_append(&w, p, 1);
				p++;
			}
		}
		if (*n >= SCP_PATHS)
			goto bad;
		*words = xrealloc(*words, (size_t)(*n + 1) * sizeof **words);
		(*words)[(*n)++] = xstrndup(buf_head(&w), buf_used(&w));
	}
	buf_free(&w);
	return 0;
bad:
	buf_free(&w);
	for (int i = 0; i < *n; i++)
		free((*words)[i]);
	free(*words);
	*words = NULL;
	*n = 0;
	return -1;
}

/* Parse "scp [-frtpdv] [--] PATH..."; msg says what is wrong. */
static int
parse_command(struct scp *s, const char *cmd, char *msg, size_t len)
{
	const char *p = cmd, *rest;
	bool f = false, t = false;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	p += 3; /* "scp" */
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '-')
			break;
		if (p[1] == '-' && (p[2] == ' ' || p[2] == '\t' ||
		    p[2] == '\0')) {
			p += 2;
			while (*p == ' ' || *p == '\t')
				p++;
			break;
		}
		for (p++; *p != '\0' && *p != ' ' && *p != '\t'; p++) {
			switch (*p) {
			case 'f':
				f = true;
				break;
			case 't':
				t = true;
				break;
			case 'r':
				s->recursive = true;
				break;
			case 'p':
				s->preserve = true;
				break;
			case 'd':
				s->want_dir = true;
				break;
			case 'v':
			case 'q':
				break;
			default:
				snprintf(msg, len, "option -%c is not supported "
				    "(Hearth's scp takes -f or -t, -r, -p, -d)",
				    isprint((unsigned char)*p) ? *p : '?');
				return -1;
			}
		}
	}
	if (f == t) {
		snprintf(msg, len, "give -f (to fetch) or -t (to upload)");
		return -1;
	}
	s->sink = t;
	rest = p;
	n = strlen(rest);
	while (n > 0 && (rest[n - 1] == ' ' || rest[n - 1] == '\t'))
		n--;
	if (n == 0) {
		snprintf(msg, len, "no path given");
		return -1;
	}
	if (strpbrk(rest, "'\"\\") != NULL) {
		/* quoted as for a shell: one word per path */
		if (shell_split(rest, &s->paths, &s->npaths) != 0 ||
		    s->npaths == 0) {
			snprintf(msg, len, "a quote in the path is not closed");
			return -1;
		}
	} else {
		/*
		 * Unquoted, as OpenSSH's scp sends a path with spaces: the
		 * whole rest is one path (library names may hold spaces).
		 */
		s->paths = xmalloc(sizeof *s->paths);
		s->paths[0] = xstrndup(rest, n);
		s->npaths = 1;
	}
	if (s->sink && s->npaths != 1) {
		snprintf(msg, len, "upload to one folder or document at a "
		    "time");
		return -1;
	}
	return 0;
}

struct scp *
scp_new(void *owner, void (*kick)(void *), void (*end)(void *),
    uint64_t log_id, const struct member *m, const char *fp, bool guest,
    const char *cmd)
{
	struct scp *s = xcalloc(1, sizeof *s);
	char msg[256];

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
	snprintf(s->who->key.fp, sizeof s->who->key.fp, "%s", fp);
	if (m->id != 0) {
		s->who->member = *m;
		s->who->member.display_name = xstrdup(m->display_name != NULL ?
		    m->display_name : "");
		s->who->member.removed_reason = m->removed_reason != NULL ?
		    xstrdup(m->removed_reason) : NULL;
	}
	if (parse_command(s, cmd, msg, sizeof msg) != 0) {
		log_info(s->id, "scp: refused command: %s", msg);
		buf_printf(&s->err, "hearth: scp: %s\n", msg);
		s->st = SCP_DONE;
		s->ended = true;
		s->status = 1;
		return s;
	}
	log_info(s->id, "scp: %s %s", s->sink ? "upload to" : "fetch",
	    clean(s->paths[0], SIZE_MAX));
	if (s->sink) {
		s->st = SNK_CTRL;
		buf_append(&s->out, "", 1); /* ready for the first line */
	} else {
		s->st = SRC_START;
	}
	return s;
}

/* ---- replies wait for the disk (as sftp.c's) ---- */

static void
held_synced(void *arg, bool ok)
{
	struct scp *s = arg;

	(void)ok;
	s->holding = false;
	if (!s->freed) {
		buf_append(&s->ready, buf_head(&s->held), s->held_mark);
		buf_consume(&s->held, s->held_mark);
		s->held_mark = 0;
		settle(s);
		s->kick(s->owner);
	}
	scp_release(s);
}

static void
settle(struct scp *s)
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

/* ---- answers ---- */

/* "\1scp: what: why\n": this file is refused, the next may come. */
static void
refuse(struct scp *s, const char *what, const char *why)
{
	char w[300], y[300];

	/* one line, whatever the names hold */
	clean_to(what, SIZE_MAX, w, sizeof w);
	clean_to(why, SIZE_MAX, y, sizeof y);
	s->errs++;
	buf_printf(&s->out, "\001scp: %s: %s\n", w, y);
	log_info(s->id, "scp: refused %s: %s", w, y);
}

static void
finish(struct scp *s, int status)
{
	if (s->up != NULL) {
		library_upload_abort(s->up); /* nothing partial is kept */
		s->up = NULL;
	}
	s->st = SCP_DONE;
	if (!s->ended) {
		s->ended = true;
		s->status = status;
		s->end(s->owner);
	}
}

/* "\2scp: protocol error: why\n", and the end. */
static void
proto_fatal(struct scp *s, const char *why)
{
	buf_printf(&s->out, "\002scp: protocol error: %s\n", why);
	log_info(s->id, "scp: protocol error: %s", why);
	finish(s, 1);
}

/*
 * The other side's answer: 1 (ok), 0 (more bytes needed), -1 (refused:
 * its line consumed), -2 (fatal: the end).
 */
static int
answer(struct scp *s)
{
	const uint8_t *p = (const uint8_t *)buf_head(&s->in);
	const uint8_t *nl;
	size_t n = buf_used(&s->in);
	uint8_t kind;

	if (n == 0) {
		s->starved = true;
		return 0;
	}
	if (p[0] == 0) {
		buf_consume(&s->in, 1);
		return 1;
	}
	nl = memchr(p, '\n', n);
	if (nl == NULL) {
		if (n > SCP_LINE_MAX) {
			proto_fatal(s, "an answer without an end of line");
			return -2;
		}
		s->starved = true;
		return 0;
	}
	kind = p[0];
	log_info(s->id, "scp: the client says: %s", nl > p ?
	    clean((const char *)p + 1, (size_t)(nl - p - 1)) : "");
	s->errs++;
	buf_consume(&s->in, (size_t)(nl - p) + 1);
	if (kind == 2) {
		finish(s, 1);
		return -2;
	}
	return -1;
}

/* ---- source: -f ---- */

/* Start sending n (a D line, or T and C lines); false if refused. */
static bool
src_begin(struct scp *s, const struct lib_node *n, const char *path)
{
	s->node = *n;
	snprintf(s->name, sizeof s->name, "%s", n->name);
	if (n->kind != LIB_DOC) {
		if (!s->recursive || n->kind == LIB_ROOT) {
			refuse(s, path, "not a regular file");
			return false;
		}
		if (s->depth >= SCP_DEPTH) {
			refuse(s, path, "folders nested too deep");
			return false;
		}
		buf_printf(&s->out, "D0755 0 %s\n", s->name);
		s->st = SRC_D_ACK;
		return true;
	}
	s->size = (uint64_t)n->size;
	s->off = 0;
	if (s->preserve) {
		buf_printf(&s->out, "T%lld 0 %lld 0\n", (long long)n->mtime,
		    (long long)n->mtime);
		s->st = SRC_T_ACK;
		return true;
	}
	buf_printf(&s->out, "C0644 %" PRIu64 " %s\n", s->size, s->name);
	s->st = SRC_C_ACK;
	return true;
}

static void
frame_add(void *arg, const struct lib_node *e)
{
	struct scp_frame *f = arg;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->ents = xrealloc(f->ents, f->cap * sizeof *f->ents);
	}
	f->ents[f->n++] = *e;
}

/* The client took our D line: its entries come next, then E. */
static void
src_enter(struct scp *s)
{
	struct scp_frame *f;
	char msg[256];

	if (s->depth == s->stack_cap) {
		s->stack_cap = s->stack_cap ? s->stack_cap * 2 : 8;
		s->stack = xrealloc(s->stack, (size_t)s->stack_cap *
		    sizeof *s->stack);
	}
	f = &s->stack[s->depth++];
	memset(f, 0, sizeof *f);
	if (library_list(s->who, &s->node, frame_add, f, msg, sizeof msg) !=
	    LIB_OK) {
		refuse(s, s->node.name, msg);
		f->n = 0; /* an empty folder: its E at once */
	}
}

/* The next thing to send: in the folder being sent, or the next path. */
static void
src_next(struct scp *s)
{
	char msg[256], c[SFTP_MAX_PATH + 2];
	struct lib_node n;
	struct scp_frame *f;
	const char *path;
	int rc;

	for (;;) {
		if (s->depth > 0) {
			f = &s->stack[s->depth - 1];
			if (f->pos < f->n) {
				n = f->ents[f->pos++];
				if (src_begin(s, &n, n.name))
					return;
				continue;
			}
			free(f->ents);
			s->depth--;
			buf_append(&s->out, "E\n", 2);
			s->st = SRC_E_ACK;
			return;
		}
		if (s->next >= s->npaths) {
			finish(s, s->errs != 0 ? 1 : 0);
			return;
		}
		path = s->paths[s->next++];
		if (!sftp_canon(path, c, sizeof c))
			rc = LIB_NOENT;
		else
			rc = library_resolve(s->who, c, &n, msg, sizeof msg);
		if (rc == LIB_NOENT) {
			/* a community they may not read: the same words */
			refuse(s, path, "No such file or directory");
			continue;
		}
		if (rc != LIB_OK) {
			refuse(s, path, msg);
			continue;
		}
		if (src_begin(s, &n, path))
			return;
	}
}

static void
frames_free(struct scp *s)
{
	while (s->depth > 0)
		free(s->stack[--s->depth].ents);
	free(s->stack);
	s->stack = NULL;
}

/* The transfers' budget has refilled: a paced session goes on. */
static void
pace_ready(void *arg)
{
	struct scp *s = arg;

	s->paced = false;
	if (!s->freed)
		s->kick(s->owner);
	scp_release(s);
}

/* Whether the transfers' budget is spent: then on when it refills. */
static bool
paced(struct scp *s)
{
	if (!pace_wait(pace_ready, s))
		return false;
	s->paced = true;
	s->refs++;
	return true;
}

/* Send the next bytes of the document; false when the turn is spent. */
static bool
src_data(struct scp *s, size_t *bytes)
{
	size_t len, got;

	while (s->off < s->size) {
		if (buf_used(&s->ready) + buf_used(&s->held) +
		    buf_used(&s->out) >= SFTP_OUT_HIGH)
			return false;
		if (*bytes >= SCP_TURN_BYTES) {
			s->kick(s->owner);
			return false;
		}
		if (paced(s))
			return false;
		len = s->size - s->off < SCP_READ ? (size_t)(s->size -
		    s->off) : SCP_READ;
		if (library_read(s->node.blob_id, s->off, scratch, len,
		    &got) != 0 || got == 0) {
			/*
			 * The size is promised: zeros for the rest, then the
			 * refusal instead of our \0, as OpenSSH's scp does.
			 */
			log_error(s->id, "scp: reading content %lld: %s",
			    (long long)s->node.blob_id, db_errmsg(srv->db));
			while (s->off < s->size) {
				len = s->size - s->off < SCP_READ ?
				    (size_t)(s->size - s->off) : SCP_READ;
				memset(scratch, 0, len);
				buf_append(&s->out, scratch, len);
				s->off += len;
			}
			refuse(s, s->name, "could not read");
			s->st = SRC_END_ACK;
			return true;
		}
		buf_append(&s->out, scratch, got);
		s->off += got;
		*bytes += got;
		pace_charge(got);
	}
	buf_append(&s->out, "", 1);
	s->st = SRC_END_ACK;
	return true;
}

/* ---- sink: -t ---- */

static void upload_ready(void *);

/* Where a file named name goes: the folder and its name there. */
static int
sink_target(struct scp *s, const char *name, struct lib_node *dir,
    char *dpath, char *dname, size_t dlen, char *msg, size_t len)
{
	char c[SFTP_MAX_PATH + 2];
	const char *dirp, *last;
	const char *target = s->ntargets > 0 ? s->targets[s->ntargets - 1] :
	    s->paths[0];
	struct lib_node n;
	int rc;

	if (!sftp_canon(target, c, sizeof c))
		return LIB_NOENT;
	/* "/students/": a folder, as scp -t takes it */
	if (target[0] != '\0' && target[strlen(target) - 1] == '/')
		s->want_dir = true;
	rc = library_resolve(s->who, c, &n, msg, len);
	if (rc == LIB_OK && n.kind != LIB_DOC) {
		*dir = n; /* a folder: the file keeps its name */
		snprintf(dpath, SFTP_MAX_PATH + 2, "%s", c);
		snprintf(dname, dlen, "%s", name);
		return LIB_OK;
	}
	if (rc != LIB_OK && rc != LIB_NOENT)
		return rc;
	if (s->want_dir || s->ntargets > 0) {
		if (rc == LIB_OK) {
			snprintf(msg, len, "Not a directory");
			return LIB_FAIL;
		}
		return LIB_NOENT;
	}
	/* a document's path, old or new: its folder, and the last name */
	if (!sftp_split(c, &dirp, &last))
		return LIB_NOENT;
	snprintf(dname, dlen, "%s", last);
	snprintf(dpath, SFTP_MAX_PATH + 2, "%s", dirp);
	rc = library_resolve(s->who, dirp, dir, msg, len);
	if (rc == LIB_OK && dir->kind == LIB_DOC) {
		snprintf(msg, len, "%.200s is a document, not a folder",
		    dir->name);
		return LIB_FAIL;
	}
	return rc;
}

/* Where name goes (sink_target), or refused saying why: false. */
static bool
sink_where(struct scp *s, const char *name, struct lib_node *dir,
    char *dpath, char *dname)
{
	char msg[256];
	int rc = sink_target(s, name, dir, dpath, dname, 256, msg,
	    sizeof msg);

	snprintf(s->name, sizeof s->name, "%s", rc == LIB_OK ? dname : name);
	if (rc == LIB_NOENT)
		refuse(s, s->ntargets > 0 ? s->targets[s->ntargets - 1] :
		    s->paths[0], "No such file or directory");
	else if (rc != LIB_OK)
		refuse(s, s->name, msg);
	return rc == LIB_OK;
}

/* "C0644 SIZE NAME" or "D0755 0 NAME": false (and the end) if bad. */
static bool
parse_ctrl(struct scp *s, const char *line, uint64_t *size,
    const char **name)
{
	const char *p = line + 1;
	char *e;

	for (int i = 0; i < 4; i++, p++)
		if (*p < '0' || *p > '7') {
			proto_fatal(s, "bad mode in a C or D line");
			return false;
		}
	if (*p++ != ' ' || !isdigit((unsigned char)*p)) {
		proto_fatal(s, "no size in a C or D line");
		return false;
	}
	errno = 0;
	*size = strtoull(p, &e, 10);
	if (errno != 0 || *e != ' ') {
		proto_fatal(s, "bad size in a C or D line");
		return false;
	}
	*name = e + 1;
	if (**name == '\0') {
		proto_fatal(s, "no name in a C or D line");
		return false;
	}
	return true;
}

static void
sink_file(struct scp *s, const char *line)
{
	const char *name;
	char dname[256], msg[256], dpath[SFTP_MAX_PATH + 2];
	struct lib_node dir;
	uint64_t size, max;
	int rc;

	if (!parse_ctrl(s, line, &size, &name))
		return;
	s->size = size;
	s->off = 0;
	if (!sink_where(s, name, &dir, dpath, dname))
		return;
	/* said before a byte is sent: the same words as library.c's */
	max = (uint64_t)srv->cfg.library_max_file_mb * 1024 * 1024;
	if (size > max) {
		snprintf(msg, sizeof msg, "file too large: documents are at "
		    "most %d MiB (library_max_file_mb)",
		    srv->cfg.library_max_file_mb);
		refuse(s, s->name, msg);
		return;
	}
	s->up = library_upload_begin(s->who, &dir, dname, &rc, msg,
	    sizeof msg);
	if (s->up == NULL) {
		refuse(s, s->name, rc == LIB_NOENT ? "No such file or "
		    "directory" : msg);
		return;
	}
	buf_append(&s->out, "", 1);
	s->st = size > 0 ? SNK_DATA : SNK_DATA_END;
}

static void
target_push(struct scp *s, char *path)
{
	s->targets = xrealloc(s->targets, (size_t)(s->ntargets + 1) *
	    sizeof *s->targets);
	s->targets[s->ntargets++] = path;
}

/* The folder a D line made is on the disk (or not). */
static void
dir_synced(void *arg, bool ok)
{
	struct scp *s = arg;

	s->waiting = false;
	if (!s->freed) {
		if (ok) {
			target_push(s, s->pending);
			buf_append(&s->out, "", 1);
		} else {
			refuse(s, s->name, "could not save; nothing was "
			    "changed");
			free(s->pending);
		}
		s->pending = NULL;
		settle(s);
		s->kick(s->owner);
	}
	scp_release(s);
}

/* "D0755 0 NAME" (-r): into that folder, made if new, until its E. */
static void
sink_dir(struct scp *s, const char *line)
{
	const char *name;
	char dname[256], msg[256], dpath[SFTP_MAX_PATH + 2];
	struct lib_node dir, n;
	uint64_t size;
	char *path;
	int rc;

	if (!parse_ctrl(s, line, &size, &name))
		return;
	if (!s->recursive) {
		refuse(s, name, "a folder, without -r");
		return;
	}
	if (s->ntargets >= SCP_DEPTH) {
		refuse(s, name, "folders nested too deep");
		return;
	}
	if (!sink_where(s, name, &dir, dpath, dname))
		return;
	if (library_name_check(dname, msg, sizeof msg) != 0) {
		refuse(s, s->name, msg);
		return;
	}
	path = xasprintf("%s/%s", strcmp(dpath, "/") == 0 ? "" : dpath,
	    dname);
	if (strlen(path) > SFTP_MAX_PATH) {
		free(path);
		refuse(s, s->name, "the path is too long");
		return;
	}
	rc = library_resolve(s->who, path, &n, msg, sizeof msg);
	if (rc == LIB_OK && n.kind != LIB_DOC) {
		target_push(s, path); /* there already */
		buf_append(&s->out, "", 1);
		return;
	}
	if (rc == LIB_OK) {
		free(path);
		refuse(s, s->name, "a document by that name is there: not a "
		    "folder");
		return;
	}
	rc = library_mkdir(s->who, &dir, dname, msg, sizeof msg);
	if (rc != LIB_OK) {
		free(path);
		refuse(s, s->name, msg);
		return;
	}
	/* the ok (and what comes inside) once the folder is on the disk */
	s->pending = path;
	s->waiting = true;
	s->refs++;
	dispatch_after_sync(dir_synced, s);
}

/* A control line from the client (without its \n). */
static void
sink_line(struct scp *s, char *line)
{
	switch (line[0]) {
	case 'C':
		sink_file(s, line);
		break;
	case 'T':
		/* times: the library keeps its own */
		buf_append(&s->out, "", 1);
		break;
	case 'D':
		sink_dir(s, line);
		break;
	case 'E':
		/* the folder is done: back to the one around it */
		if (s->ntargets > 0)
			free(s->targets[--s->ntargets]);
		buf_append(&s->out, "", 1);
		break;
	case 1:
		/* the client could not send a file: it goes on */
		s->errs++;
		log_info(s->id, "scp: the client says: %s",
		    clean(line + 1, SIZE_MAX));
		break;
	case 2:
		log_info(s->id, "scp: the client says: %s",
		    clean(line + 1, SIZE_MAX));
		finish(s, 1);
		break;
	default:
		proto_fatal(s, "expected a control line (C, T, D or E)");
		break;
	}
}

/* The upload is stored and synced (or not): answer, take the next. */
static void
sink_synced(void *arg, bool ok)
{
	struct scp *s = arg;

	s->waiting = false;
	if (!s->freed) {
		if (ok)
			buf_append(&s->out, "", 1);
		else
			refuse(s, s->name, "could not save; nothing was "
			    "changed");
		s->st = SNK_CTRL;
		settle(s);
		s->kick(s->owner);
	}
	scp_release(s);
}

static void
sink_stored(void *arg, int rc, const char *msg)
{
	struct scp *s = arg;

	conn_release(s->fin_who);
	s->fin_who = NULL;
	if (s->freed || rc != LIB_OK) {
		s->waiting = false;
		if (!s->freed) {
			refuse(s, s->name, msg);
			s->st = SNK_CTRL;
			settle(s);
			s->kick(s->owner);
		}
		scp_release(s);
		return;
	}
	/* still waiting: the ok waits for the commit's sync */
	dispatch_after_sync(sink_synced, s);
}

static void
upload_ready(void *arg)
{
	struct scp *s = arg;

	if (s->paused) {
		s->paused = false;
		s->kick(s->owner);
	}
}

/* Take the file's bytes; false when the turn is spent or they wait. */
static bool
sink_data(struct scp *s, size_t *bytes)
{
	size_t n;
	char msg[256];
	int rc;

	while (s->off < s->size) {
		n = buf_used(&s->in);
		if (n == 0) {
			s->starved = true;
			return false;
		}
		if (*bytes >= SCP_TURN_BYTES) {
			s->kick(s->owner);
			return false;
		}
		if (paced(s))
			return false;
		if ((uint64_t)n > s->size - s->off)
			n = (size_t)(s->size - s->off);
		if (n > SCP_TURN_BYTES)
			n = SCP_TURN_BYTES;
		if (s->st == SNK_DATA) {
			if (library_upload_busy(s->up)) {
				s->paused = true;
				library_upload_on_ready(s->up, upload_ready,
				    s);
				return false;
			}
			rc = library_upload_write(s->up, s->off,
			    buf_head(&s->in), n, msg, sizeof msg);
			if (rc != LIB_OK) {
				/* the rest is read and dropped, then why */
				library_upload_abort(s->up);
				s->up = NULL;
				snprintf(s->why, sizeof s->why, "%s", msg);
				s->st = SNK_SKIP;
			}
		}
		buf_consume(&s->in, n);
		s->off += n;
		*bytes += n;
		pace_charge(n);
	}
	s->st = s->st == SNK_SKIP ? SNK_SKIP : SNK_DATA_END;
	return true;
}

/* After the bytes: the client's \0 (or its refusal), then ours. */
static void
sink_data_end(struct scp *s, bool skipped)
{
	int a = answer(s);
	struct lib_upload *up;

	if (a == 0 || a == -2)
		return;
	if (skipped) {
		refuse(s, s->name, s->why);
		s->st = SNK_CTRL;
		return;
	}
	if (a < 0) {
		/* the client could not read its file: nothing is kept */
		library_upload_abort(s->up);
		s->up = NULL;
		refuse(s, s->name, "the sender reported an error; nothing "
		    "was kept");
		s->st = SNK_CTRL;
		return;
	}
	up = s->up;
	s->up = NULL;
	s->st = SNK_FINISH;
	s->waiting = true;
	s->refs++;
	/* the upload names who (library.c) until it is stored */
	s->fin_who = s->who;
	conn_hold(s->fin_who);
	library_upload_finish(up, sink_stored, s);
}

/* ---- the stream ---- */

static bool
step(struct scp *s, size_t *bytes)
{
	const uint8_t *p, *nl;
	char line[SCP_LINE_MAX + 1];
	size_t n;
	int a;

	switch (s->st) {
	case SRC_START:
	case SRC_END_ACK:
	case SRC_E_ACK:
		if ((a = answer(s)) == 0 || a == -2)
			return false;
		src_next(s);
		return true;
	case SRC_D_ACK:
		if ((a = answer(s)) == 0 || a == -2)
			return false;
		if (a > 0)
			src_enter(s);
		src_next(s);
		return true;
	case SRC_T_ACK:
		if ((a = answer(s)) == 0 || a == -2)
			return false;
		if (a < 0) {
			src_next(s);
			return true;
		}
		buf_printf(&s->out, "C0644 %" PRIu64 " %s\n", s->size,
		    s->name);
		s->st = SRC_C_ACK;
		return true;
	case SRC_C_ACK:
		if ((a = answer(s)) == 0 || a == -2)
			return false;
		if (a < 0) {
			src_next(s);
			return true;
		}
		s->st = SRC_DATA;
		return true;
	case SRC_DATA:
		return src_data(s, bytes);
	case SNK_CTRL:
		p = (const uint8_t *)buf_head(&s->in);
		n = buf_used(&s->in);
		nl = n > 0 ? memchr(p, '\n', n) : NULL;
		if (nl == NULL) {
			if (n > SCP_LINE_MAX)
				proto_fatal(s, "a control line longer than 1100 "
				    "bytes");
			s->starved = true;
			return false;
		}
		n = (size_t)(nl - p);
		if (n > SCP_LINE_MAX) {
			proto_fatal(s, "a control line longer than 1100 bytes");
			return false;
		}
		if (n == 0) {
			proto_fatal(s, "an empty control line");
			return false;
		}
		if (memchr(p, '\0', n) != NULL) {
			proto_fatal(s, "a NUL byte in a control line");
			return false;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		buf_consume(&s->in, n + 1);
		*bytes += n + 1;
		sink_line(s, line);
		return s->st != SCP_DONE;
	case SNK_DATA:
	case SNK_SKIP:
		return sink_data(s, bytes);
	case SNK_DATA_END:
		sink_data_end(s, false);
		return s->st != SNK_DATA_END && s->st != SCP_DONE &&
		    !s->waiting;
	case SNK_FINISH:
	case SCP_DONE:
		return false;
	}
	return false;
}

int
scp_resume(struct scp *s)
{
	size_t bytes = 0;

	s->starved = false;
	while (!s->ended && !s->waiting && !s->paused && !s->paced &&
	    buf_used(&s->ready) + buf_used(&s->held) < SFTP_OUT_HIGH) {
		if (sshd_fanout_waiting() || bytes >= SCP_TURN_BYTES) {
			s->kick(s->owner); /* the rest in the next turn */
			break;
		}
		/* SNK_SKIP's end: the client's \0, then why */
		if (s->st == SNK_SKIP && s->off >= s->size) {
			if (answer(s) == 0)
				break; /* starved (set by answer) */
			if (s->st == SCP_DONE)
				break;
			refuse(s, s->name, s->why);
			s->st = SNK_CTRL;
			continue;
		}
		s->starved = false;
		if (!step(s, &bytes))
			break;
	}
	if (!s->ended && s->eof && s->starved) {
		/* nothing more will come */
		if (s->sink && s->st == SNK_CTRL && buf_used(&s->in) == 0) {
			finish(s, s->errs != 0 ? 1 : 0); /* all sent */
		} else {
			/* the client left in the middle: nothing kept */
			log_info(s->id, "scp: the client stopped mid-transfer");
			finish(s, 1);
		}
	}
	settle(s);
	return s->ended ? -1 : 0;
}

int
scp_input(struct scp *s, const void *data, size_t len)
{
	if (s->ended)
		return -1;
	buf_append(&s->in, data, len);
	return scp_resume(s);
}

size_t
scp_room(const struct scp *s)
{
	if (s->ended)
		return SIZE_MAX; /* taken and dropped */
	return buf_used(&s->in) < SCP_IN_MAX ? SCP_IN_MAX -
	    buf_used(&s->in) : 0;
}

void
scp_eof(struct scp *s)
{
	s->eof = true;
}

bool
scp_done(const struct scp *s, int *status)
{
	if (!s->ended || s->holding || buf_used(&s->held) > 0 ||
	    buf_used(&s->out) > 0)
		return false;
	*status = s->status;
	return true;
}

struct buf *
scp_out(struct scp *s)
{
	return &s->ready;
}

struct buf *
scp_err(struct scp *s)
{
	return &s->err;
}

static void
scp_release(struct scp *s)
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
scp_free(struct scp *s)
{
	if (s == NULL)
		return;
	if (s->up != NULL) {
		library_upload_abort(s->up); /* never a partial document */
		s->up = NULL;
	}
	for (int i = 0; i < s->npaths; i++)
		free(s->paths[i]);
	free(s->paths);
	frames_free(s);
	for (int i = 0; i < s->ntargets; i++)
		free(s->targets[i]);
	free(s->targets);
	free(s->pending);
	s->who->tr_data = NULL;
	conn_free(s->who);
	s->who = NULL;
	s->freed = true;
	s->refs++;
	scp_release(s);
}
