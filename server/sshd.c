/*
 * sshd.c: SSH sessions on the one libuv loop (see shared/notes/
 * libssh-libuv.md). We own the listening socket (sshd-listen.c); each
 * accepted socket gets a non-blocking libssh session driven by a
 * uv_poll_t, its own ssh_event,
 * a timer for the login grace period and then idleness, and a "kick" idle
 * handle used to flush output produced outside its own pump. The kick is
 * an idle handle, not a zero-delay timer: libuv 1.44 runs a zero-delay
 * timer started inside the timer phase in that same phase, so busy clients
 * answering at once kept the loop in one phase for hundreds of
 * milliseconds; an idle handle restarted from its own callback runs in the
 * next loop turn, after polling.
 *
 * A session opens one channel; sshd-chan.c answers its requests and
 * starts what it asked for (sshd-int.h holds what the two files share).
 *
 * Sessions are never freed inside libssh callbacks: callbacks set flags,
 * and sess_pump acts on them after ssh_event_dopoll returns.
 *
 * Before login: preauth.c decides whether to accept a connection and keeps
 * the counts per address and range (each session holds its ticket); here
 * are the deadlines: preauth_timeout for the banner and key exchange, then
 * login_grace for the login, a missed one penalising the address.
 *
 * The write batch: a subsystem session whose kick only has conn output to
 * move joins one list instead of starting its own idle handle, and one idle
 * callback writes the whole list, every write before any other work. A big
 * batch (a room line to a thousand members; write_batch_min sessions or
 * more) is split between the loop thread and the helper threads of
 * writers.c, each encrypting and sending for its own sessions. While a
 * batch writes, the libssh callbacks it can raise (input read while libssh
 * waits to flush) only keep what came in; the loop thread hands that to the
 * conns after the writes, so no request runs in the middle of a batch.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sshd-int.h"

static bool listening; /* sshd_listen has set the loop's handles up */
static struct sess *sessions;
static size_t nsessions;

static void sess_pump(struct sess *);
static void sess_pump_io(struct sess *, bool readable);
static void sess_rearm(struct sess *);
static void sess_teardown(struct sess *);
static void sshd_start_writers(void);

static size_t kicks_pending; /* sessions with a kick not yet run */

/* The write batch (see the top of the file); loop thread only. */
static struct sess *batch_head, *batch_tail;
static size_t batch_len;
static uv_idle_t batch_idle;
static struct sess **batch_vec;
static size_t batch_cap;
/* A batch's writes run: callbacks defer (set and cleared around
 * writers_run, whose mutex orders it for the helpers). */
bool sess_batch_writing;
/* When conn output last went onto a channel (uv_hrtime; atomic in a
 * threaded batch). */
static uint64_t last_write_ns;
static uint64_t batches_started;

/*
 * Bounded turns: when many sessions wake at once (a mass disconnect, a
 * shutdown), socket callbacks past IO_BUDGET_NS in one loop turn leave their
 * pump for later (poll stopped, queued), and dead sessions are torn down
 * later too; one idle callback works through that queue in slices of
 * LATER_BUDGET_NS, so no loop turn runs much past those budgets however
 * many sessions end. The check handle marks a turn's end.
 */
#define IO_BUDGET_NS (5 * 1000 * 1000)
#define LATER_BUDGET_NS (5 * 1000 * 1000)
static struct sess *later_head, *later_tail;
static uv_idle_t later_idle;
static uv_check_t turn_check;
static uint64_t io_turn_start; /* first socket callback this turn; 0: none */

size_t
sshd_kicks_pending(void)
{
	return kicks_pending;
}

uint64_t
sshd_last_write_ns(void)
{
	return last_write_ns;
}

uint64_t
sshd_write_batches(void)
{
	return batches_started;
}

bool
sshd_fanout_waiting(void)
{
	return batch_len > 0;
}

bool
sshd_backlog(void)
{
	return kicks_pending > 0 || later_head != NULL;
}

size_t
sshd_count(void)
{
	return nsessions;
}

size_t
sshd_started_count(void)
{
	size_t n = 0;

	for (struct sess *s = sessions; s != NULL; s = s->next)
		if (s->started)
			n++;
	return n;
}

/* preauth.c's hook: a session not logged in nor ending may be dropped for
 * fairness; early: before its key exchange. */
static bool
sess_droppable(void *owner, bool *early)
{
	struct sess *s = owner;

	*early = !s->kex_done;
	return !s->authed && !s->dead;
}

static void
sess_drop(void *owner)
{
	sess_teardown(owner);
}

static const struct preauth_hooks preauth_hooks = {
	.droppable = sess_droppable,
	.drop = sess_drop,
};

/* Send exit status, EOF and close on the channel; the client then leaves. */
void
sess_finish(struct sess *s, int status)
{
	if (s->finishing)
		return;
	s->finishing = true;
	if (s->chan != NULL && !s->chan_gone) {
		ssh_channel_request_send_exit_status(s->chan, status);
		ssh_channel_send_eof(s->chan);
		ssh_channel_close(s->chan);
	}
	/* Give the client a few seconds to close its end, then drop it. */
	uv_timer_start(&s->timer, sess_timer_cb, 5000, 0);
}

/* Write as much of b as the channel window allows, at most max bytes;
 * -1 if the channel died. */
int
chan_write_max(struct sess *s, struct buf *b, size_t max)
{
	uint32_t win;
	size_t n, done = 0;
	int w;

	while (buf_used(b) > 0 && done < max) {
		win = ssh_channel_window_size(s->chan);
		if (win == 0)
			break;
		n = buf_used(b);
		if (n > win)
			n = win;
		if (n > 32768)
			n = 32768;
		w = ssh_channel_write(s->chan, buf_head(b), (uint32_t)n);
		if (w == SSH_ERROR)
			return -1;
		if (w == 0)
			break; /* rekey in progress: retry after the next pump */
		buf_consume(b, (size_t)w);
		done += (size_t)w;
	}
	return 0;
}

static int
chan_write_buf(struct sess *s, struct buf *b)
{
	return chan_write_max(s, b, SIZE_MAX);
}

/* ---- the terminal session (shell.c) ---- */

int
sshd_shell_write(void *owner, struct buf *b)
{
	struct sess *s = owner;

	if (s->chan == NULL || s->chan_gone)
		return -1;
	return chan_write_buf(s, b);
}

void
sshd_shell_kick(void *owner)
{
	sess_kick(owner);
}

/* The protocol conn: the subsystem's, or the TUI child's. */
static struct conn *
sess_conn(struct sess *s)
{
	return s->shell != NULL ? shell_conn(s->shell) : s->conn;
}

/* Has the member max_sessions_per_member sessions logged in already? */
bool
sess_member_full(int64_t member_id)
{
	int n = 0;

	if (srv->cfg.max_sessions_per_member == 0)
		return false;
	for (struct sess *o = sessions; o != NULL; o = o->next)
		if (o->authed && !o->dead && !o->member_refused && !o->join &&
		    !o->guest && o->member.id == member_id)
			n++;
	return n >= srv->cfg.max_sessions_per_member;
}

/* ---- the session's life ---- */

/* Free the libssh session, which closes the fd: the poll must be closed. */
static void
sess_free_ssh(struct sess *s)
{
	if (s->ev != NULL) {
		ssh_event_remove_session(s->ev, s->ssh);
		ssh_event_free(s->ev);
	}
	ssh_disconnect(s->ssh);
	ssh_free(s->ssh);
}

static void
handle_closed(uv_handle_t *h)
{
	struct sess *s = h->data;

	if (h == (uv_handle_t *)&s->poll && !s->poll_closed)
		sess_free_ssh(s); /* libssh owns the fd: after the poll */
	if (--s->open_handles == 0)
		free(s);
}

static void
sess_teardown(struct sess *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	nsessions--;
	preauth_end(s->pre, !s->authed && s->auth_fails > 0 ?
	    PREAUTH_AUTHFAIL : PREAUTH_CLOSED);
	s->pre = NULL;
	s->gone = true;
	if (s->in_batch) {
		if (s->batch_prev != NULL)
			s->batch_prev->batch_next = s->batch_next;
		else
			batch_head = s->batch_next;
		if (s->batch_next != NULL)
			s->batch_next->batch_prev = s->batch_prev;
		else
			batch_tail = s->batch_prev;
		s->in_batch = false;
		batch_len--;
		kicks_pending--;
	}
	if (s->later != LATER_NONE) {
		if (s->later_prev != NULL)
			s->later_prev->later_next = s->later_next;
		else
			later_head = s->later_next;
		if (s->later_next != NULL)
			s->later_next->later_prev = s->later_prev;
		else
			later_tail = s->later_prev;
		s->later = LATER_NONE;
	}
	log_info(s->id, "session ended");
	if (s->conn != NULL) {
		/* The conn lives in this session: free it now. */
		conn_free(s->conn);
		s->conn = NULL;
	}
	sftp_free(s->sftp); /* drops unfinished uploads */
	s->sftp = NULL;
	scp_free(s->scp); /* the same */
	s->scp = NULL;
	shell_free(s->shell); /* hangs up the TUI child */
	s->shell = NULL;
	uv_close((uv_handle_t *)&s->timer, handle_closed);
	if (uv_is_active((uv_handle_t *)&s->kick))
		kicks_pending--;
	uv_close((uv_handle_t *)&s->kick, handle_closed);
	if (s->poll_closed)
		sess_free_ssh(s);
	else
		uv_close((uv_handle_t *)&s->poll, handle_closed);
	member_clear(&s->member);
	sshkey_info_clear(&s->key);
	buf_free(&s->defer_in);
	free(s->exec_cmd);
}

/*
 * Move a subsystem session's conn output onto its channel. This part of a
 * flush touches only the session and its conn's output buffer, so a
 * threaded batch may run it on a helper thread.
 */
static void
sess_write_out(struct sess *s)
{
	size_t before = buf_used(&s->conn->out);

	if (before == 0)
		return;
	if (chan_write_buf(s, &s->conn->out) != 0)
		s->dead = true;
	else if (buf_used(&s->conn->out) < before) {
		s->wrote = true;
		if (!sess_batch_writing)
			last_write_ns = uv_hrtime();
	}
}

/*
 * libssh asks for POLLOUT after every send, even when the socket took
 * everything. One poll(2) settles it; arming UV_WRITABLE instead would cost
 * epoll changes, a wakeup and another pump per recipient of every room
 * line. (Thread-safe as sess_write_out is.)
 */
static void
sess_settle(struct sess *s)
{
	if (!s->dead && s->ev != NULL &&
	    (ssh_get_poll_flags(s->ssh) & SSH_WRITE_PENDING) &&
	    (ssh_event_dopoll(s->ev, 0) == SSH_ERROR ||
	    ssh_get_fd(s->ssh) != s->fd))
		s->dead = true;
}

/* Move queued output onto the channel and act on closes. */
static void
sess_flush(struct sess *s)
{
	struct conn *c = sess_conn(s);
	int status;

	if (preauth_newcomer(s->pre) && c != NULL && !c->join &&
	    c->member.id != 0) {
		log_info(s->id, "invite redeemed: no longer a newcomer");
		preauth_redeemed(s->pre);
	}
	if (s->chan == NULL || s->chan_gone || s->finishing)
		return;
	if (s->mode == MODE_SUBSYS && s->conn != NULL) {
		sess_write_out(s);
		if (s->dead)
			return;
		if (buf_used(&s->conn->out) == 0 || s->wrote)
			s->conn->stalled_since = 0;
		else if (s->conn->stalled_since == 0)
			s->conn->stalled_since = now_ms();
		s->wrote = false;
		if (s->conn_ended && buf_used(&s->conn->out) == 0 &&
		    s->conn->refs == 0)
			sess_finish(s, 0);
	} else if (s->mode == MODE_SFTP && s->sftp != NULL) {
		sess_flush_sftp(s);
	} else if (s->mode == MODE_EXEC && s->scp != NULL) {
		sess_flush_scp(s);
	} else if (s->shell != NULL) {
		int rc = shell_progress(s->shell, &status);

		if (rc < 0)
			s->dead = true;
		else if (rc > 0)
			sess_finish(s, status);
	}
}

static void later_cb(uv_idle_t *);

/* Queue s for a pump (LATER_PUMP) or a teardown in the next turns. */
static void
sess_later(struct sess *s, int what)
{
	if (s->later == LATER_NONE) {
		s->later_next = NULL;
		s->later_prev = later_tail;
		if (later_tail != NULL)
			later_tail->later_next = s;
		else
			later_head = s;
		later_tail = s;
		if (!uv_is_active((uv_handle_t *)&later_idle))
			uv_idle_start(&later_idle, later_cb);
	}
	if (what == LATER_TEARDOWN || s->later == LATER_NONE)
		s->later = what;
	/* Nothing but the queue touches it meanwhile. */
	if (s->poll_ev != -1 && !s->poll_closed)
		uv_poll_stop(&s->poll);
	s->poll_ev = -1;
	if (what == LATER_TEARDOWN) {
		/*
		 * libssh may have closed the fd, and a new connection may get
		 * its number before the teardown: close the poll now (libuv
		 * takes the fd out of epoll here, which must not hit the new
		 * one's), and free the libssh session in sess_teardown.
		 */
		if (!s->poll_closed) {
			s->poll_closed = true;
			uv_close((uv_handle_t *)&s->poll, handle_closed);
		}
		uv_timer_stop(&s->timer);
		if (uv_is_active((uv_handle_t *)&s->kick)) {
			uv_idle_stop(&s->kick);
			kicks_pending--;
		}
	}
}

/* Work through the later queue, one slice per loop turn. */
static void
later_cb(uv_idle_t *h)
{
	uint64_t start = uv_hrtime();
	unsigned n = 0;
	struct sess *s;

	while ((s = later_head) != NULL) {
		later_head = s->later_next;
		if (later_head != NULL)
			later_head->later_prev = NULL;
		else
			later_tail = NULL;
		if (s->later == LATER_TEARDOWN) {
			s->later = LATER_NONE;
			sess_teardown(s);
		} else {
			s->later = LATER_NONE;
			sess_pump(s);
		}
		if (++n % 8 == 0 && uv_hrtime() - start > LATER_BUDGET_NS)
			break;
	}
	if (later_head == NULL)
		uv_idle_stop(h);
}

/* A new loop turn: socket callbacks have a new budget. */
static void
turn_check_cb(uv_check_t *h)
{
	io_turn_start = 0;
}

static void
sess_pump(struct sess *s)
{
	sess_pump_io(s, true);
}

/*
 * Drive the session: read and process what the socket holds (readable),
 * then flush queued output. A kick that only has output to flush skips the
 * read: a poll(2) per recipient per room message is measurable.
 */
static void
sess_pump_io(struct sess *s, bool readable)
{
	int rc;

	if (s->later == LATER_TEARDOWN)
		return; /* only the queue tears it down */
	if (s->dead)
		goto out;
	if (!readable && s->kex_done && s->ev != NULL)
		goto out;
	if ((s->mode == MODE_SFTP || s->scp != NULL) && batch_len > 0 &&
	    s->ev != NULL) {
		/*
		 * A room's line waits for its write batch: this transfer's
		 * bytes (decrypted as they are read) wait for the next turn.
		 * The socket stays readable, so its poll fires again.
		 */
		goto out;
	}
	if (!s->kex_done) {
		rc = ssh_handle_key_exchange(s->ssh);
		if (rc == SSH_AGAIN && ssh_get_fd(s->ssh) != s->fd)
			rc = SSH_ERROR; /* libssh closed the socket */
		if (rc == SSH_AGAIN) {
			/*
			 * Acknowledge the client's KEXINIT now: OpenSSH without
			 * a tty keeps Nagle on, so its next packet waited for
			 * our delayed ACK, 40 ms on every login.
			 */
			setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 },
			    sizeof(int));
			goto out;
		}
		if (rc != SSH_OK || ssh_get_fd(s->ssh) != s->fd) {
			log_info(s->id, "key exchange failed: %s",
			    ssh_get_error(s->ssh));
			s->dead = true;
			goto out;
		}
		s->kex_done = true;
		if (!s->started) {
			uint64_t grace = (uint64_t)srv->cfg.login_grace * 1000,
			    spent = now_ms() - s->accepted_ms;

			uv_timer_start(&s->timer, sess_timer_cb,
			    spent < grace ? grace - spent : 1, 0);
		}
		s->ev = ssh_event_new();
		ssh_event_add_session(s->ev, s->ssh);
	}
	rc = ssh_event_dopoll(s->ev, 0);
	if (rc == SSH_ERROR) {
		log_debug(s->id, "connection lost: %s", ssh_get_error(s->ssh));
		s->dead = true;
	}
	if (ssh_get_status(s->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))
		s->dead = true;
	/*
	 * libssh closes the socket itself on an error or EOF. libuv must stop
	 * watching it now: epoll on a closed (or reused) fd aborts the loop.
	 */
	if (ssh_get_fd(s->ssh) != s->fd)
		s->dead = true;
	if (!s->dead && s->mode != MODE_NONE && !s->started)
		sess_start_mode(s);
	if (!s->dead && s->mode == MODE_SFTP && s->chan_gone &&
	    !s->close_answered) {
		/*
		 * The sftp client closed the channel: our close back, then it
		 * disconnects (or the timer drops it). Tearing down at once
		 * could close the socket under the client's last packets;
		 * PuTTY's psftp calls that a lost connection.
		 */
		s->close_answered = true;
		ssh_channel_close(s->chan);
		s->finishing = true;
		uv_timer_start(&s->timer, sess_timer_cb, 5000, 0);
	}
out:
	if (!s->dead)
		sess_flush(s);
	/* Writes may have met a dead socket, which libssh then closed. */
	if (ssh_get_fd(s->ssh) != s->fd)
		s->dead = true;
	sess_settle(s);
	if (s->dead && s->chan_gone && !s->close_answered &&
	    ssh_get_fd(s->ssh) == s->fd) {
		/*
		 * The client closed the channel: answer with our close (libssh
		 * does not), as SSH wants; PuTTY's psftp calls the connection
		 * lost without it when its EOF and close came together.
		 */
		s->close_answered = true;
		ssh_channel_close(s->chan);
	}
	if (s->dead) {
		/* Many may end at once: tear down in slices, in later turns. */
		sess_later(s, LATER_TEARDOWN);
		return;
	}
	if (s->later != LATER_NONE)
		return; /* the queue pumps it again, then re-arms */
	sess_rearm(s);
}

static void
sess_io(uv_poll_t *h, int status, int events)
{
	struct sess *s = h->data;
	uint64_t t = uv_hrtime();

	if (io_turn_start == 0)
		io_turn_start = t;
	else if (t - io_turn_start > IO_BUDGET_NS) {
		sess_later(s, LATER_PUMP);
		return;
	}
	sess_pump(s);
}

static void
sess_rearm(struct sess *s)
{
	int ev = UV_READABLE;

	if (ssh_get_poll_flags(s->ssh) & SSH_WRITE_PENDING)
		ev |= UV_WRITABLE;
	/*
	 * libuv 1.44's uv_poll_start takes the fd out of epoll and puts it
	 * back: only call it when the events change.
	 */
	if (ev != s->poll_ev) {
		uv_poll_start(&s->poll, ev, sess_io);
		s->poll_ev = ev;
	}
}

static void
kick_cb(uv_idle_t *h)
{
	uv_idle_stop(h);
	kicks_pending--;
	sess_pump_io(h->data, false);
}

/* A session whose next pump would only move conn output to its channel. */
static bool
sess_batchable(const struct sess *s)
{
	return s->mode == MODE_SUBSYS && s->started && s->kex_done &&
	    s->ev != NULL && s->conn != NULL && s->chan != NULL &&
	    !s->chan_gone && !s->finishing && !s->dead;
}

/* A batch's writes, or one thread's slice of them; then the settles. */
static void
batch_slice(void **items, size_t n)
{
	uint64_t t, cur;

	for (size_t i = 0; i < n; i++)
		sess_write_out(items[i]);
	/* The slice's writes are done: the fan-out probe's end point. */
	t = uv_hrtime();
	cur = __atomic_load_n(&last_write_ns, __ATOMIC_RELAXED);
	while (t > cur && !__atomic_compare_exchange_n(&last_write_ns, &cur,
	    t, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	for (size_t i = 0; i < n; i++)
		sess_settle(items[i]);
}

/*
 * Write the batch: first every session's output (on every thread when
 * there are many sessions, so the last member's write comes sooner); then,
 * on the loop thread, each session gets what it read meanwhile and its
 * usual pump (which finds its output gone), in the order of the kicks.
 */
static void
batch_cb(uv_idle_t *h)
{
	size_t n = 0, nout = 0;
	struct sess *s;
	uint64_t start;
	bool over = false;

	uv_idle_stop(h);
	batches_started++; /* before the tail, whose output is the next's */
	if (batch_len > batch_cap) {
		batch_cap = batch_len * 2;
		batch_vec = xrealloc(batch_vec, batch_cap * sizeof *batch_vec);
	}
	for (s = batch_head; s != NULL; s = s->batch_next)
		batch_vec[n++] = s;
	for (size_t i = 0; i < n; i++) {
		s = batch_vec[i];
		s->in_batch = false;
		s->batch_next = s->batch_prev = NULL;
		if (sess_batchable(s) && buf_used(&s->conn->out) > 0)
			nout++;
	}
	batch_head = batch_tail = NULL;
	batch_len = 0;
	kicks_pending -= n;

	if (nout > 0) {
		struct sess **out = xmalloc(nout * sizeof *out);
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			s = batch_vec[i];
			if (sess_batchable(s) && buf_used(&s->conn->out) > 0)
				out[k++] = s;
		}
		sess_batch_writing = true;
		if (k >= (size_t)srv->cfg.write_batch_min)
			writers_run((void **)out, k, batch_slice);
		else
			batch_slice((void **)out, k);
		sess_batch_writing = false;
		free(out);
	}
	start = uv_hrtime();
	for (size_t i = 0; i < n; i++) {
		s = batch_vec[i];
		if (s->gone)
			continue; /* torn down by an earlier one's pump */
		if (buf_used(&s->defer_in) > 0 && s->conn != NULL) {
			log_debug(s->id, "%zu bytes read during the writes",
			    buf_used(&s->defer_in));
			conn_input(s->conn, buf_head(&s->defer_in),
			    buf_used(&s->defer_in));
			buf_clear(&s->defer_in);
		}
		if (s->defer_eof && s->conn != NULL) {
			s->defer_eof = false;
			conn_eof(s->conn);
		}
		if (over) {
			/* Past the turn's budget: the queue pumps the rest. */
			if (!s->gone)
				sess_later(s, LATER_PUMP);
			continue;
		}
		sess_pump_io(s, false);
		if (i % 8 == 7 && uv_hrtime() - start > LATER_BUDGET_NS)
			over = true;
	}
}

/* Pump this session once more in the next loop turn. */
void
sess_kick(struct sess *s)
{
	if (s->later != LATER_NONE)
		return; /* the queue pumps it */
	if (sess_batchable(s)) {
		if (s->in_batch)
			return;
		/* At the tail, so the batch keeps the order of the kicks. */
		s->in_batch = true;
		s->batch_prev = s->batch_next = NULL;
		if (batch_head == NULL)
			batch_head = s;
		else {
			struct sess *t = batch_tail;

			t->batch_next = s;
			s->batch_prev = t;
		}
		batch_tail = s;
		batch_len++;
		kicks_pending++;
		if (!uv_is_active((uv_handle_t *)&batch_idle))
			uv_idle_start(&batch_idle, batch_cb);
		return;
	}
	if (!uv_is_active((uv_handle_t *)&s->kick)) {
		uv_idle_start(&s->kick, kick_cb);
		kicks_pending++;
	}
}

/* Seconds without input before a started session closes; 0: never.
 * Newcomers and guests get join_idle_timeout minutes. */
int
sess_idle_limit(const struct sess *s)
{
	if (s->guest || (s->join && preauth_newcomer(s->pre)))
		return srv->cfg.join_idle_timeout * 60;
	return srv->cfg.idle_timeout;
}

/* The preauth deadline, then the grace, idle and goodbye timer. */
void
sess_timer_cb(uv_timer_t *t)
{
	struct sess *s = t->data;
	uint64_t idle_ms, since;

	if (s->finishing) {
		log_debug(s->id, "client did not close; dropping");
		s->dead = true;
	} else if (!s->kex_done) {
		log_info(s->id, "no key exchange within %ds; dropping",
		    srv->cfg.preauth_timeout < srv->cfg.login_grace ?
		    srv->cfg.preauth_timeout : srv->cfg.login_grace);
		preauth_penalise(s->pre, srv->cfg.penalty_timeout,
		    "no key exchange in time");
		s->dead = true;
	} else if (!s->started) {
		log_info(s->id, "login grace time (%ds) over; dropping",
		    srv->cfg.login_grace);
		/* kbdint.c's reader is penalised as a failed login */
		if (!s->authed && !s->kbd_asked) {
			preauth_penalise(s->pre, srv->cfg.penalty_timeout,
			    "no login in time");
		}
		s->dead = true;
	} else {
		int limit = sess_idle_limit(s);

		if (limit == 0)
			return;
		idle_ms = (uint64_t)limit * 1000;
		since = now_ms() - s->last_input;
		if (since < idle_ms) {
			uv_timer_start(&s->timer, sess_timer_cb,
			    idle_ms - since, 0);
			return;
		}
		log_info(s->id, "idle for %ds; closing", limit);
		if (s->conn != NULL && s->mode == MODE_SUBSYS) {
			conn_event(s->conn, "session.idle", json_pack("{s:i}",
			    "seconds", limit));
			conn_close(s->conn, "idle");
		} else {
			if (s->shell != NULL)
				shell_end(s->shell, xasprintf("\r\n\r\n  Closed "
				    "after %d minutes without input. Come back "
				    "soon.\r\n\r\n", limit / 60));
			else
				sess_finish(s, 0);
		}
	}
	sess_kick(s);
}

void
sshd_accept(int fd, const char *ip, int port)
{
	struct sess *s;
	struct preauth *pre;
	const char *why;
	int one = 1;

	if (srv->stopping) {
		close(fd);
		return;
	}
	if ((pre = preauth_admit(ip, &why)) == NULL) {
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s = xcalloc(1, sizeof *s);
	s->id = conn_next_id++;
	s->fd = fd;
	s->last_input = now_ms();
	s->accepted_ms = now_ms();
	snprintf(s->ip, sizeof s->ip, "%s", ip);
	snprintf(s->addr, sizeof s->addr, "%s:%d", ip, port);
	buf_init(&s->defer_in);
	s->ssh = ssh_new();
	if (s->ssh == NULL || ssh_bind_accept_fd(sshd_listen_bind(), s->ssh,
	    fd) != SSH_OK) {
		log_error(0, "cannot start SSH on %s: %s", s->addr,
		    s->ssh != NULL ? ssh_get_error(s->ssh) : "no memory");
		/* libssh may or may not own fd now; leak it rather than
		 * risk closing it twice. */
		if (s->ssh != NULL)
			ssh_free(s->ssh);
		free(s);
		preauth_end(pre, PREAUTH_CLOSED);
		return;
	}
	ssh_set_blocking(s->ssh, 0);
	/* No zlib: it costs memory per session and adds attack surface. */
	ssh_options_set(s->ssh, SSH_OPTIONS_COMPRESSION_C_S, "none");
	ssh_options_set(s->ssh, SSH_OPTIONS_COMPRESSION_S_C, "none");
	sess_set_callbacks(s);

	uv_poll_init(srv->loop, &s->poll, fd);
	s->poll_ev = -1;
	uv_timer_init(srv->loop, &s->timer);
	uv_idle_init(srv->loop, &s->kick);
	s->poll.data = s->timer.data = s->kick.data = s;
	s->open_handles = 3;
	/* First the deadline for the banner and key exchange. */
	uv_timer_start(&s->timer, sess_timer_cb,
	    (uint64_t)(srv->cfg.preauth_timeout < srv->cfg.login_grace ?
	    srv->cfg.preauth_timeout : srv->cfg.login_grace) * 1000, 0);

	s->pre = pre;
	preauth_start(pre, s, s->id);
	s->next = sessions;
	if (sessions != NULL)
		sessions->prev = s;
	sessions = s;
	nsessions++;
	log_info(s->id, "accepted %s", s->addr);
	sess_pump(s);
}

int
sshd_listen(const char *host, int port, char *err, size_t errlen)
{
	if (sshd_listen_open(host, port, err, errlen) != 0)
		return -1;
	listening = true;
	uv_idle_init(srv->loop, &batch_idle);
	uv_idle_init(srv->loop, &later_idle);
	uv_check_init(srv->loop, &turn_check);
	uv_check_start(&turn_check, turn_check_cb);
	uv_unref((uv_handle_t *)&turn_check);
	preauth_init(srv->loop, &preauth_hooks);
	sshd_start_writers();
	return 0;
}

/* Helper threads for big write batches: by default one per extra CPU. */
static void
sshd_start_writers(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = srv->cfg.write_threads;

	if (n < 0)
		n = cpus > 1 ? (int)(cpus > 4 ? 3 : cpus - 1) : 0;
	if (n > 0 && (n = writers_init(n)) > 0)
		log_info(0, "%d write helper thread%s for big fan-outs", n,
		    n == 1 ? "" : "s");
}

void
sshd_close(void)
{
	struct sess *s, *next;

	sshd_listen_close();
	for (s = sessions; s != NULL; s = next) {
		next = s->next;
		sess_teardown(s);
	}
	/* After the sessions: their teardown may kick others into a batch. */
	if (listening) {
		uv_close((uv_handle_t *)&batch_idle, NULL);
		uv_close((uv_handle_t *)&later_idle, NULL);
		uv_close((uv_handle_t *)&turn_check, NULL);
		listening = false;
	}
	sshd_listen_free();
	shell_stop();
	writers_stop();
	free(batch_vec);
	batch_vec = NULL;
	batch_cap = 0;
	preauth_close();
}
