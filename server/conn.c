/*
 * conn.c: protocol connections. A conn frames input into lines, hands each
 * to the dispatcher, and queues replies and events in a bounded output
 * buffer that its transport flushes. This file also owns the stream
 * transport used for hearthctl (unix socket); TUI children's conns travel
 * over the spawner's socket (shell.c).
 *
 * Lifetime: the transport creates the conn and calls conn_free when it is
 * done with it; conn_close only asks the transport to finish.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

uint64_t conn_next_id = 1;
static struct conn *conns;
static void pend_remove(struct conn *);

/*
 * A shutdown's goodbye, in slices (see conn_shutdown_all): the next conn to
 * tell (conn_free moves it on), the text, and the idle handle that runs it.
 */
#define SHUTDOWN_BUDGET_NS (5 * 1000 * 1000)
static struct conn *shut_next;
static char *shut_message;
static bool shut_busy;
static unsigned shut_waited; /* turns skipped for sshd's backlog in a row */
static uv_idle_t shut_idle;
#define SHUTDOWN_WAIT_TURNS 50

struct conn *
conn_new(enum conn_kind kind, const struct conn_transport *tr, void *data)
{
	struct conn *c = xcalloc(1, sizeof *c);

	c->id = conn_next_id++;
	c->kind = kind;
	c->tr = tr;
	c->tr_data = data;
	frame_init(&c->in, PROTO_MAX_LINE);
	buf_init(&c->out);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	return c;
}

struct conn *
conn_first(void)
{
	return conns;
}

void
conn_free(struct conn *c)
{
	if (c == shut_next)
		shut_next = c->next;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pend_remove(c);
	room_conn_gone(c); /* room.c: out of every room */
	libxfer_conn_gone(c); /* op-libxfer.c: its uploads dropped */
	if (c->on_free != NULL)
		c->on_free(c, c->on_free_arg);
	log_debug(c->id, "conn freed after %llu requests",
	    (unsigned long long)c->requests);
	if (c->refs > 0) {
		/* Work in flight holds it: conn_release finishes. */
		c->freed = true;
		c->closing = true;
		c->tr = NULL;
		c->next = c->prev = NULL;
		return;
	}
	frame_free(&c->in);
	free(c->deferred);
	buf_free(&c->out);
	member_clear(&c->member);
	sshkey_info_clear(&c->key);
	free(c->close_reason);
	free(c);
}

void
conn_hold(struct conn *c)
{
	c->refs++;
}

void
conn_release(struct conn *c)
{
	if (--c->refs > 0)
		return;
	if (!c->freed) {
		/* A closing conn waited for this: let its transport finish. */
		if (c->closing && c->tr != NULL)
			c->tr->kick(c);
		return;
	}
	frame_free(&c->in);
	free(c->deferred);
	buf_free(&c->out);
	member_clear(&c->member);
	sshkey_info_clear(&c->key);
	free(c->close_reason);
	free(c);
}

/*
 * Fairness: a conn runs at most CONN_BATCH requests per loop turn; the rest
 * wait in its frame buffer and resume from an idle handle, so one client
 * pipelining thousands of requests cannot stall everyone else. A backlog
 * over CONN_BACKLOG_MAX bytes is a flood and ends the connection.
 */
#define CONN_BATCH 64
#define CONN_BACKLOG_MAX (8 * 1024 * 1024)
/*
 * All conns together get this much handler time per loop turn: the loop
 * thread's CPU time, not the clock's, so a turn the kernel interrupts (a
 * busy machine) is not cut short, splitting a client's pipelined batch
 * over turns for no work done.
 */
#define TURN_BUDGET_US 4000
static uv_idle_t resume_idle;
static bool resume_ready;
static uint64_t turn_start; /* loop CPU µs; 0: no request handled yet */

/*
 * True once this loop turn has spent its request-handling budget. A turn
 * runs from the idle phase (resumed backlogs) through polling (new input)
 * and ends at the check phase, which starts the next budget.
 */
static bool
turn_over(void)
{
	if (turn_start == 0) {
		turn_start = thread_cpu_us() + 1;
		return false;
	}
	return thread_cpu_us() + 1 - turn_start > TURN_BUDGET_US;
}

/* Called by dispatch_turn_end: the next request starts a new budget. */
void
conn_turn_reset(void)
{
	turn_start = 0;
}

/*
 * Conns with requests left over wait in arrival order; each turn resumes
 * them from the front and one that runs out of budget again goes to the
 * back, so none waits behind a busy one for ever.
 */
static struct conn *pend_head, **pend_tail = &pend_head;
static size_t pend_len;

static void resume_cb(uv_idle_t *);

static void
pend_add(struct conn *c)
{
	if (c->input_pending)
		return;
	c->input_pending = true;
	c->pend_next = NULL;
	*pend_tail = c;
	pend_tail = &c->pend_next;
	pend_len++;
	uv_idle_start(&resume_idle, resume_cb);
}

static void
pend_remove(struct conn *c)
{
	struct conn **pp;

	if (!c->input_pending)
		return;
	for (pp = &pend_head; *pp != NULL; pp = &(*pp)->pend_next) {
		if (*pp == c) {
			*pp = c->pend_next;
			if (pend_tail == &c->pend_next)
				pend_tail = pp;
			pend_len--;
			break;
		}
	}
	c->input_pending = false;
}

static void
resume_cb(uv_idle_t *h)
{
	struct conn *c;
	size_t n = pend_len;

	while (n-- > 0 && pend_head != NULL) {
		c = pend_head;
		pend_remove(c);
		if (!c->closing)
			conn_input(c, NULL, 0); /* may queue it again */
	}
	if (pend_head == NULL)
		uv_idle_stop(h);
}

void
conn_init(uv_loop_t *loop)
{
	uv_idle_init(loop, &resume_idle);
	uv_idle_init(loop, &shut_idle);
	resume_ready = true;
}

int
conn_input(struct conn *c, const void *data, size_t len)
{
	char *line;
	size_t n;
	enum frame_rc rc;
	int done = 0;

	if (c->closing)
		return -1;
	if (len > 0)
		frame_feed(&c->in, data, len);
	if (buf_used(&c->in.in) > CONN_BACKLOG_MAX) {
		conn_send(c, proto_error(NULL, ERR_RATE_LIMITED,
		    "more than %d MiB of requests waiting; closing",
		    CONN_BACKLOG_MAX / (1024 * 1024)));
		conn_close(c, "request flood");
		return -1;
	}
	/* behind a read off the loop (readpool.c) the rest waits, in order */
	while (!c->closing && c->deferred == NULL && !read_waits(c)) {
		/*
		 * Over the budget even a conn's first request waits: with
		 * many clients each sending one slow request, "one each"
		 * would make a turn as long as all of them.
		 */
		if (resume_ready && (done == CONN_BATCH || turn_over())) {
			pend_add(c);
			break;
		}
		rc = frame_next(&c->in, &line, &n);
		if (rc == FRAME_MORE)
			break;
		done++;
		if (rc == FRAME_TOO_LARGE) {
			conn_send(c, proto_error(NULL, ERR_TOO_LARGE,
			    "request line longer than %d bytes; closing",
			    PROTO_MAX_LINE));
			conn_close(c, "request line too large");
			break;
		}
		c->requests++;
		c->line_len = n;
		if (dispatch_line(c, line, n)) {
			/* a write waiting for the gate: the rest waits too */
			c->deferred = xmalloc(n + 1);
			memcpy(c->deferred, line, n + 1);
			c->deferred_len = n;
			c->requests--;
			dispatch_defer(c);
		}
		c->line_len = 0;
	}
	if (!c->input_pending && c->deferred == NULL && c->eof_seen &&
	    !c->closing && !read_waits(c))
		conn_close(c, "client sent EOF");
	return c->closing ? -1 : 0;
}

void
conn_eof(struct conn *c)
{
	c->eof_seen = true;
	if (!c->input_pending && c->deferred == NULL && !c->closing &&
	    !read_waits(c))
		conn_close(c, "client sent EOF");
}

static const char NOT_READING[] = "client not reading";

/* A member's output is summed each time one conn's queue crosses a step. */
#define MEMBER_OUT_STEP (64 * 1024)

/*
 * Is the output queued across c's member's sessions (with add more for c)
 * over member_out_cap_mb? Then close the one with the most queued (the
 * slowest reader) as not reading; returns true if that was c.
 */
static bool
member_out_over(struct conn *c, size_t add)
{
	struct conn *o, *slowest = c;
	size_t total = 0, cap, most = 0, q, mine = buf_used(&c->out) + add;

	if (srv->cfg.member_out_cap_mb == 0 || c->member.id == 0 ||
	    c->console || c->join || c->guest ||
	    buf_used(&c->out) / MEMBER_OUT_STEP == mine / MEMBER_OUT_STEP)
		return false;
	cap = (size_t)srv->cfg.member_out_cap_mb * 1024 * 1024;
	for (o = conns; o != NULL; o = o->next) {
		if (o->member.id != c->member.id || o->console || o->join ||
		    o->guest || o->closing)
			continue;
		q = o == c ? mine : buf_used(&o->out);
		total += q;
		if (q > most) {
			most = q;
			slowest = o;
		}
	}
	if (total <= cap)
		return false;
	log_warn(slowest->id, "output queued across member %lld's sessions "
	    "over %d MB: the slowest (%zu bytes queued) is not reading",
	    (long long)c->member.id, srv->cfg.member_out_cap_mb, most);
	buf_clear(&slowest->out);
	conn_close(slowest, NOT_READING);
	return slowest == c;
}

void
conn_send(struct conn *c, char *line)
{
	if (dispatch_hold(c, line))
		return;
	if (c->closing && c->close_reason != NULL &&
	    strcmp(c->close_reason, NOT_READING) == 0) {
		free(line);
		return;
	}
	if (c->stalled_since != 0 && srv->cfg.stall_timeout > 0 &&
	    now_ms() - c->stalled_since > (uint64_t)srv->cfg.stall_timeout *
	    1000) {
		free(line);
		log_warn(c->id, "no output accepted for %d s: client not "
		    "reading", srv->cfg.stall_timeout);
		buf_clear(&c->out);
		conn_close(c, NOT_READING);
		return;
	}
	if (buf_used(&c->out) + strlen(line) > srv->cfg.out_cap) {
		free(line);
		log_warn(c->id, "output queue over %zu bytes: client not "
		    "reading", srv->cfg.out_cap);
		buf_clear(&c->out);
		conn_close(c, NOT_READING);
		return;
	}
	if (member_out_over(c, strlen(line))) {
		free(line);
		return;
	}
	buf_puts(&c->out, line);
	free(line);
	c->tr->kick(c);
}

void
conn_event(struct conn *c, const char *name, json_t *data)
{
	conn_send(c, proto_event(name, data));
}

void
conn_hello(struct conn *c)
{
	json_t *d = json_pack("{s:s, s:s, s:i}", "server", "hearth", "version",
	    HEARTH_VERSION, "proto", HEARTH_PROTO);

	if (c->member.id != 0 && !c->member.removed) {
		json_object_set_new(d, "member", member_json(&c->member));
		zone_add(json_object_get(d, "member"), c->member.id);
	} else
		json_object_set_new(d, "member", json_null());
	if (c->member.removed)
		json_object_set_new(d, "removed",
		    member_removed_json(&c->member));
	if (c->join)
		json_object_set_new(d, "join", json_true());
	if (c->guest)
		json_object_set_new(d, "guest", json_true());
	if (c->console)
		json_object_set_new(d, "console", json_true());
	conn_event(c, "hello", d);
}

void
conn_close(struct conn *c, const char *reason)
{
	if (c->closing)
		return;
	c->closing = true;
	c->close_reason = xstrdup(reason);
	log_info(c->id, "closing: %s", reason);
	if (dispatch_hold_close(c)) /* after the lines it waits for */
		return;
	c->tr->close(c);
}

void
conn_member_event(int64_t member_id, const char *name, json_t *data)
{
	for (struct conn *c = conns; c != NULL; c = c->next) {
		if (c->member.id == member_id && !c->closing)
			conn_event(c, name, json_incref(data));
	}
	json_decref(data);
}

void
conn_member_end(int64_t member_id, json_t *ended)
{
	struct conn *c, *next;

	for (c = conns; c != NULL; c = next) {
		next = c->next;
		if (c->member.id != member_id || c->closing)
			continue;
		c->member.removed = true;
		conn_event(c, "session.ended", json_incref(ended));
		conn_close(c, "member removed");
	}
	json_decref(ended);
}

/* Tell one conn the server is going and close it. */
static void
shutdown_one(struct conn *c)
{
	conn_event(c, "server.shutdown",
	    json_pack("{s:s}", "message", shut_message));
	conn_close(c, "server shutting down");
}

/*
 * One slice of the goodbye: conns from shut_next on, until the list ends or
 * SHUTDOWN_BUDGET_NS is spent (each goodbye kicks a transport, whose own
 * work runs in bounded slices too). A turn in which sessions still wait for
 * the pumps and teardowns of the last slice (up to SHUTDOWN_WAIT_TURNS in a
 * row) skips it, so the two do not share one turn. At the end of the list,
 * conns made since the pass began (new ones go to the front) get theirs in
 * one more.
 */
static void
shutdown_cb(uv_idle_t *h)
{
	uint64_t start = uv_hrtime();
	unsigned n = 0;
	struct conn *c;

	if (sshd_backlog() && shut_waited < SHUTDOWN_WAIT_TURNS) {
		shut_waited++;
		return;
	}
	shut_waited = 0;
	for (;;) {
		while ((c = shut_next) != NULL) {
			shut_next = c->next;
			if (c->closing)
				continue;
			shutdown_one(c);
			if (++n % 8 == 0 &&
			    uv_hrtime() - start > SHUTDOWN_BUDGET_NS)
				return;
		}
		for (c = conns; c != NULL && c->closing; c = c->next)
			;
		if (c == NULL)
			break;
		shut_next = c;
	}
	uv_idle_stop(h);
	shut_busy = false;
	free(shut_message);
	shut_message = NULL;
}

/*
 * Shutting down: every conn gets a server.shutdown event and is closed, a
 * slice per loop turn from the next turn on, so thousands of conns do not
 * stall the loop; conn_shutdown_busy says whether some are still to go.
 */
void
conn_shutdown_all(const char *message)
{
	if (shut_busy)
		return;
	shut_busy = true;
	shut_message = xstrdup(message);
	shut_next = conns;
	uv_idle_start(&shut_idle, shutdown_cb);
}

bool
conn_shutdown_busy(void)
{
	return shut_busy;
}

/*
 * The stream transport: a uv_pipe_t over a connected unix socket. One write
 * is in flight at a time; it carries everything queued when it started.
 */
struct stream {
	uv_pipe_t pipe;
	struct conn *c;
	uv_write_t wr;
	char *wbuf;
	bool writing;
	bool shut;
	bool reading;
};

static void stream_flush(struct stream *);

static void
stream_closed(uv_handle_t *h)
{
	struct stream *s = h->data;

	conn_free(s->c);
	free(s->wbuf);
	free(s);
}

static void
stream_end(struct stream *s)
{
	if (s->shut)
		return;
	s->shut = true;
	uv_close((uv_handle_t *)&s->pipe, stream_closed);
}

static void
stream_written(uv_write_t *wr, int status)
{
	struct stream *s = wr->data;

	s->writing = false;
	s->c->stalled_since = 0;
	free(s->wbuf);
	s->wbuf = NULL;
	if (s->shut)
		return;
	if (status != 0) {
		log_debug(s->c->id, "write: %s", uv_strerror(status));
		s->c->closing = true;
		stream_end(s);
		return;
	}
	stream_flush(s);
}

/* Start a write of everything queued, or finish a close once drained. */
static void
stream_flush(struct stream *s)
{
	struct conn *c = s->c;
	uv_buf_t b;
	size_t n = buf_used(&c->out);
	int rc;

	if (s->writing || s->shut)
		return;
	if (n == 0) {
		/* Held replies or work in flight (refs) still to come. */
		if (c->closing && c->refs == 0)
			stream_end(s);
		return;
	}
	if (c->stalled_since == 0)
		c->stalled_since = now_ms(); /* until the write completes */
	s->wbuf = xmalloc(n);
	memcpy(s->wbuf, buf_head(&c->out), n);
	buf_consume(&c->out, n);
	b = uv_buf_init(s->wbuf, (unsigned int)n);
	s->wr.data = s;
	rc = uv_write(&s->wr, (uv_stream_t *)&s->pipe, &b, 1, stream_written);
	if (rc != 0) {
		free(s->wbuf);
		s->wbuf = NULL;
		c->closing = true;
		stream_end(s);
		return;
	}
	s->writing = true;
}

static void
stream_kick(struct conn *c)
{
	stream_flush(c->tr_data);
}

static void
stream_close(struct conn *c)
{
	struct stream *s = c->tr_data;

	if (s->reading) {
		uv_read_stop((uv_stream_t *)&s->pipe);
		s->reading = false;
	}
	stream_flush(s);
}

static const struct conn_transport stream_transport = {
	.kick = stream_kick,
	.close = stream_close,
};

static void
stream_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char rbuf[64 * 1024];

	b->base = rbuf;
	b->len = sizeof rbuf;
}

static void
stream_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct stream *s = st->data;

	if (n < 0) {
		if (n != UV_EOF)
			log_debug(s->c->id, "read: %s", uv_strerror((int)n));
		uv_read_stop(st);
		s->reading = false;
		if (!s->c->closing) {
			s->c->closing = true;
			s->c->close_reason = xstrdup("peer closed");
		}
		stream_flush(s);
		return;
	}
	if (n > 0)
		conn_input(s->c, b->base, (size_t)n);
}

void
conn_stream_close_all(void)
{
	struct conn *c, *next;

	for (c = conns; c != NULL; c = next) {
		next = c->next;
		if (c->tr == &stream_transport) {
			c->closing = true;
			stream_end(c->tr_data);
		}
	}
}

struct conn *
conn_stream_open(int fd, enum conn_kind kind, char *err, size_t errlen)
{
	struct stream *s = xcalloc(1, sizeof *s);
	int rc;

	if ((rc = uv_pipe_init(srv->loop, &s->pipe, 0)) != 0) {
		snprintf(err, errlen, "pipe: %s", uv_strerror(rc));
		free(s);
		return NULL;
	}
	s->pipe.data = s;
	s->c = conn_new(kind, &stream_transport, s);
	if ((rc = uv_pipe_open(&s->pipe, fd)) != 0) {
		snprintf(err, errlen, "pipe: %s", uv_strerror(rc));
		s->c->closing = true;
		stream_end(s);
		return NULL;
	}
	if ((rc = uv_read_start((uv_stream_t *)&s->pipe, stream_alloc,
	    stream_read)) != 0) {
		snprintf(err, errlen, "read: %s", uv_strerror(rc));
		s->c->closing = true;
		stream_end(s);
		return NULL;
	}
	s->reading = true;
	return s->c;
}
