/*
 * shell.c: terminal logins (`ssh -t host`) in hearthd. The TUI child
 * (hearth --fd 3) runs under the spawner (spawner.c), which hearthd starts
 * before its loop and talks to over one unix socket, the mux. Here a
 * terminal session is a struct shell: its screen bytes go to the session's
 * SSH channel (through sshd.c), its keystrokes to the spawner, and its
 * protocol stream is a conn with no descriptor of its own, like a
 * subsystem conn, whose bytes travel in mux frames. So hearthd holds no
 * descriptor per terminal member beyond their SSH socket, and a login costs
 * a frame rather than a fork of the daemon.
 *
 * Flow: we send at most SPAWN_CREDIT bytes of keystrokes and of protocol
 * output per session before the spawner acknowledges them; the screen
 * bytes the spawner sends (at most SPAWN_CREDIT unacknowledged) wait in
 * from_child until the channel's window takes them, and only then are
 * acknowledged, so the spawner stops reading the pty of a member whose
 * client does not read.
 *
 * If the spawner dies, every terminal session ends with a message to its
 * member, and a new spawner is started (at once, or after a second if the
 * last one lived less than ten); meanwhile terminal logins are told to try
 * again later. Loop thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server.h"

struct shell {
	uint32_t id;
	void *owner; /* sshd.c's session */
	uint64_t log_id;
	pid_t pid;
	struct conn *conn; /* the TUI's protocol stream; NULL once gone */
	struct buf to_child; /* keystrokes not sent to the spawner yet */
	struct buf from_child; /* screen bytes the channel has not taken */
	size_t tty_credit, proto_credit;
	bool live; /* the spawner knows it: frames may go */
	bool done; /* no more screen bytes will come */
	int status;
	char *end_text; /* shown once the child has gone */
	char term[64];
	int cols, rows;
	struct shell *hnext; /* in its hash bucket */
	struct shell *next, *prev;
};

#define NBUCKETS 4096
/* Keystrokes taken from the channel and not yet sent, per session. */
#define TO_CHILD_MAX (256 * 1024)

static struct shell *buckets[NBUCKETS];
static struct shell *shells;
static uint32_t next_id = 1;

static int mux_fd = -1;
static pid_t spawner_pid = -1;
static uint64_t spawner_started_ms;
static uv_loop_t *loop;
static uv_poll_t mux_poll;
static bool mux_polling, mux_writable;
static uv_prepare_t flush_prep;
static uv_timer_t restart_timer;
static struct buf mux_in, mux_out;
static bool handles_ready;

static void mux_io(uv_poll_t *, int, int);

/*
 * Start the spawner: this program again, with --spawner, through
 * posix_spawn, which copies nothing of the daemon however big it is. Its
 * end of the socket becomes its fd 3; every other descriptor is closed.
 */
static int
spawner_start(void)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int sv[2], rc;
	char *argv[] = { "hearthd", "--spawner", "3", srv->cfg.tui_path, NULL };
	extern char **environ;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    sv) != 0) {
		log_error(0, "socketpair: %s", strerror(errno));
		return -1;
	}
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	/* stdin and stdout are not its (a pipe someone waits on to end) */
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&spawner_pid, "/proc/self/exe", &fa, &at, argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	if (rc != 0) {
		log_error(0, "cannot start the spawner: %s", strerror(rc));
		close(sv[0]);
		spawner_pid = -1;
		return -1;
	}
	mux_fd = sv[0];
	spawner_started_ms = now_ms();
	log_info(0, "spawner pid %d starts terminal logins", (int)spawner_pid);
	return 0;
}

void
shell_spawner_start(void)
{
	buf_init(&mux_in);
	buf_init(&mux_out);
	spawner_start();
}

static void
mux_watch(void)
{
	if (mux_fd < 0 || loop == NULL)
		return;
	uv_poll_init(loop, &mux_poll, mux_fd);
	uv_poll_start(&mux_poll, UV_READABLE, mux_io);
	mux_polling = true;
	mux_writable = false;
}

static void flush_cb(uv_prepare_t *);

void
shell_init(uv_loop_t *l)
{
	loop = l;
	uv_prepare_init(loop, &flush_prep);
	uv_timer_init(loop, &restart_timer);
	uv_unref((uv_handle_t *)&restart_timer);
	handles_ready = true;
	mux_watch();
}

/* ---- frames to the spawner ---- */

static void
mux_send(uint32_t id, int type, const void *data, size_t len)
{
	struct spawn_hdr h = { .id = id, .len = (uint32_t)len,
		.type = (uint8_t)type };

	if (mux_fd < 0)
		return;
	buf_append(&mux_out, &h, sizeof h);
	if (len > 0)
		buf_append(&mux_out, data, len);
	if (handles_ready && !uv_is_active((uv_handle_t *)&flush_prep))
		uv_prepare_start(&flush_prep, flush_cb);
}

static void
mux_send_u32(uint32_t id, int type, uint32_t v)
{
	mux_send(id, type, &v, sizeof v);
}

static void spawner_lost(const char *why);

/* Write what is queued; the rest when the socket is writable. */
static void
mux_flush(void)
{
	ssize_t n;
	bool want;

	while (mux_fd >= 0 && buf_used(&mux_out) > 0) {
		n = write(mux_fd, buf_head(&mux_out), buf_used(&mux_out));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				spawner_lost(strerror(errno));
			break;
		}
		buf_consume(&mux_out, (size_t)n);
	}
	if (mux_fd < 0 || !mux_polling)
		return;
	want = buf_used(&mux_out) > 0;
	if (want != mux_writable) {
		uv_poll_start(&mux_poll, UV_READABLE | (want ? UV_WRITABLE : 0),
		    mux_io);
		mux_writable = want;
	}
}

/* Once a loop turn, before it waits: every frame queued in the turn. */
static void
flush_cb(uv_prepare_t *h)
{
	uv_prepare_stop(h);
	mux_flush();
}

/* ---- shells ---- */

static struct shell *
shell_find(uint32_t id)
{
	for (struct shell *sh = buckets[id % NBUCKETS]; sh != NULL;
	    sh = sh->hnext)
		if (sh->id == id)
			return sh;
	return NULL;
}

static void
shell_unlink(struct shell *sh)
{
	struct shell **pp = &buckets[sh->id % NBUCKETS];

	while (*pp != NULL && *pp != sh)
		pp = &(*pp)->hnext;
	if (*pp == sh)
		*pp = sh->hnext;
	if (sh->prev != NULL)
		sh->prev->next = sh->next;
	else if (shells == sh)
		shells = sh->next;
	if (sh->next != NULL)
		sh->next->prev = sh->prev;
	sh->next = sh->prev = NULL;
}

/* Send queued keystrokes as far as credit allows. */
static void
push_tty(struct shell *sh)
{
	size_t n;

	while (sh->live && buf_used(&sh->to_child) > 0 && sh->tty_credit > 0) {
		n = buf_used(&sh->to_child);
		if (n > sh->tty_credit)
			n = sh->tty_credit;
		if (n > SPAWN_MAX_PAYLOAD)
			n = SPAWN_MAX_PAYLOAD;
		mux_send(sh->id, SPAWN_TTY_IN, buf_head(&sh->to_child), n);
		buf_consume(&sh->to_child, n);
		sh->tty_credit -= n;
	}
}

/* Send the conn's queued output to the child as far as credit allows. */
static void
push_proto(struct shell *sh)
{
	struct conn *c = sh->conn;
	size_t n, moved = 0;

	if (c == NULL)
		return;
	if (!sh->live) {
		buf_clear(&c->out); /* nobody to read it */
		return;
	}
	while (buf_used(&c->out) > 0 && sh->proto_credit > 0) {
		n = buf_used(&c->out);
		if (n > sh->proto_credit)
			n = sh->proto_credit;
		if (n > SPAWN_MAX_PAYLOAD)
			n = SPAWN_MAX_PAYLOAD;
		mux_send(sh->id, SPAWN_PROTO_IN, buf_head(&c->out), n);
		buf_consume(&c->out, n);
		sh->proto_credit -= n;
		moved += n;
	}
	if (moved > 0 || buf_used(&c->out) == 0)
		c->stalled_since = 0;
	else if (c->stalled_since == 0)
		c->stalled_since = now_ms();
}

/* The conn transport: no descriptor, the mux carries it. */
static void
tui_kick(struct conn *c)
{
	struct shell *sh = c->tr_data;

	push_proto(sh);
	if (c->closing)
		sshd_shell_kick(sh->owner); /* shell_progress ends it */
}

static void
tui_close(struct conn *c)
{
	tui_kick(c);
}

static const struct conn_transport tui_transport = {
	.kick = tui_kick,
	.close = tui_close,
};

/* Drop the conn now (the child has gone, or the session ends). */
static void
conn_drop(struct shell *sh, const char *why)
{
	struct conn *c = sh->conn;

	if (c == NULL)
		return;
	if (!c->closing) {
		c->closing = true;
		c->close_reason = xstrdup(why);
	}
	buf_clear(&c->out);
	conn_free(c); /* on_free clears sh->conn */
}

/* The TUI's conn was freed: tell a removed member why their screen ends. */
static void
conn_gone(struct conn *c, void *arg)
{
	struct shell *sh = arg;
	struct member m = { 0 };
	char at[32];

	sh->conn = NULL;
	if (c->member.removed && member_by_id(srv->db, c->member.id, &m) == 1 &&
	    m.removed) {
		time_iso8601(m.removed_at, at);
		shell_end(sh, xasprintf("\r\n\r\n  Your Hearth membership was "
		    "removed on %s.\r\n  Reason: %s\r\n\r\n", at,
		    m.removed_reason != NULL ? m.removed_reason : ""));
	}
	member_clear(&m);
}

static struct shell *
shell_new(void *owner, uint64_t log_id)
{
	struct shell *sh = xcalloc(1, sizeof *sh);

	sh->owner = owner;
	sh->log_id = log_id;
	sh->pid = -1;
	buf_init(&sh->to_child);
	buf_init(&sh->from_child);
	return sh;
}

struct shell *
shell_open(void *owner, uint64_t log_id, const char *term, bool no_color,
    int cols, int rows)
{
	struct shell *sh;
	struct spawn_start st;
	char frame[sizeof st + sizeof sh->term];
	size_t tl;

	if (mux_fd < 0)
		return NULL;
	sh = shell_new(owner, log_id);
	while (next_id == 0 || shell_find(next_id) != NULL)
		next_id++;
	sh->id = next_id++;
	/* TERM from the client becomes an environment variable: only the
	 * characters of terminal names */
	snprintf(sh->term, sizeof sh->term, "%s", term != NULL ? term :
	    "dumb");
	for (char *p = sh->term; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '+'))
			*p = '_';
	sh->cols = cols > 0 ? cols : 80;
	sh->rows = rows > 0 ? rows : 24;
	sh->tty_credit = sh->proto_credit = SPAWN_CREDIT;
	sh->live = true;
	memset(&st, 0, sizeof st);
	st.cols = (uint16_t)sh->cols;
	st.rows = (uint16_t)sh->rows;
	st.no_color = no_color;
	st.no_pty = term == NULL;
	tl = strlen(sh->term);
	memcpy(frame, &st, sizeof st);
	memcpy(frame + sizeof st, sh->term, tl);
	mux_send(sh->id, SPAWN_START, frame, sizeof st + tl);
	sh->hnext = buckets[sh->id % NBUCKETS];
	buckets[sh->id % NBUCKETS] = sh;
	sh->next = shells;
	if (shells != NULL)
		shells->prev = sh;
	shells = sh;
	sh->conn = conn_new(CONN_PTY, &tui_transport, sh);
	sh->conn->on_free = conn_gone;
	sh->conn->on_free_arg = sh;
	return sh;
}

struct shell *
shell_text(void *owner, uint64_t log_id, int status, const char *fmt, ...)
{
	struct shell *sh = shell_new(owner, log_id);
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	buf_puts(&sh->from_child, text);
	free(text);
	sh->done = true;
	sh->status = status;
	return sh;
}

struct conn *
shell_conn(struct shell *sh)
{
	return sh->conn;
}

size_t
shell_input(struct shell *sh, const void *data, size_t len)
{
	size_t room = TO_CHILD_MAX - buf_used(&sh->to_child);

	if (!sh->live)
		return len; /* nothing listens: discard */
	if (len > room)
		len = room;
	buf_append(&sh->to_child, data, len);
	push_tty(sh);
	return len;
}

void
shell_resize(struct shell *sh, int cols, int rows)
{
	struct spawn_winch w = { .cols = (uint16_t)cols, .rows = (uint16_t)rows };

	sh->cols = cols;
	sh->rows = rows;
	if (sh->live)
		mux_send(sh->id, SPAWN_WINCH, &w, sizeof w);
}

void
shell_end(struct shell *sh, char *text)
{
	free(sh->end_text);
	sh->end_text = text;
	if (sh->live)
		mux_send(sh->id, SPAWN_HANGUP, NULL, 0);
	sshd_shell_kick(sh->owner);
}

int
shell_progress(struct shell *sh, int *status)
{
	struct conn *c = sh->conn;
	size_t before;

	if (c != NULL) {
		push_proto(sh);
		if (c->closing && buf_used(&c->out) == 0 && c->refs == 0) {
			if (sh->live)
				mux_send(sh->id, SPAWN_PROTO_CLOSE, NULL, 0);
			conn_free(c);
		}
	}
	if ((before = buf_used(&sh->from_child)) > 0) {
		if (sshd_shell_write(sh->owner, &sh->from_child) != 0)
			return -1;
		if (sh->live && before > buf_used(&sh->from_child))
			mux_send_u32(sh->id, SPAWN_ACK_TTY,
			    (uint32_t)(before - buf_used(&sh->from_child)));
	}
	if (!sh->done || buf_used(&sh->from_child) > 0)
		return 0;
	if (sh->end_text != NULL) {
		buf_puts(&sh->from_child, sh->end_text);
		free(sh->end_text);
		sh->end_text = NULL;
		sh->status = 1;
		if (sshd_shell_write(sh->owner, &sh->from_child) != 0)
			return -1;
		if (buf_used(&sh->from_child) > 0)
			return 0;
	}
	*status = sh->status;
	return 1;
}

void
shell_free(struct shell *sh)
{
	if (sh == NULL)
		return;
	shell_unlink(sh);
	if (sh->live)
		mux_send(sh->id, SPAWN_FORGET, NULL, 0);
	sh->live = false;
	if (sh->conn != NULL) {
		sh->conn->on_free = NULL;
		conn_drop(sh, "terminal closed");
	}
	buf_free(&sh->to_child);
	buf_free(&sh->from_child);
	free(sh->end_text);
	free(sh);
}

/* ---- frames from the spawner ---- */

static uint32_t
payload_u32(const char *p, uint32_t len)
{
	uint32_t v = 0;

	if (len >= sizeof v)
		memcpy(&v, p, sizeof v);
	return v;
}

static void
mux_frame(const struct spawn_hdr *h, const char *p)
{
	struct shell *sh = shell_find(h->id);
	uint32_t v = payload_u32(p, h->len);

	if (sh == NULL) {
		/* Ended here already; still let its child's output flow. */
		if (h->type == SPAWN_TTY_OUT)
			mux_send_u32(h->id, SPAWN_ACK_TTY, h->len);
		else if (h->type == SPAWN_PROTO_OUT)
			mux_send_u32(h->id, SPAWN_ACK_PROTO, h->len);
		return;
	}
	switch (h->type) {
	case SPAWN_STARTED:
		sh->pid = (pid_t)v;
		log_info(sh->log_id, "terminal session: TUI pid %d, %dx%d, "
		    "TERM=%s", (int)sh->pid, sh->cols, sh->rows, sh->term);
		break;
	case SPAWN_FAILED:
		log_error(sh->log_id, "cannot start the TUI: %s",
		    strerror((int)v));
		sh->live = false;
		sh->done = true;
		sh->status = 1;
		buf_puts(&sh->from_child, "Hearth could not start its screen; "
		    "please try again later.\r\n");
		conn_drop(sh, "no TUI");
		break;
	case SPAWN_TTY_OUT:
		buf_append(&sh->from_child, p, h->len);
		break;
	case SPAWN_PROTO_OUT:
		mux_send_u32(sh->id, SPAWN_ACK_PROTO, h->len);
		if (sh->conn != NULL && !sh->conn->closing)
			conn_input(sh->conn, p, h->len);
		return; /* the conn kicks what it needs */
	case SPAWN_PROTO_EOF:
		conn_drop(sh, "peer closed");
		break;
	case SPAWN_EXIT:
		sh->status = (int)v;
		sh->live = false;
		sh->done = true;
		log_info(sh->log_id, "TUI pid %d exited with status %d",
		    (int)sh->pid, sh->status);
		conn_drop(sh, "peer closed");
		break;
	case SPAWN_ACK_TTY_IN:
		sh->tty_credit += v;
		push_tty(sh);
		return;
	case SPAWN_ACK_PROTO_IN:
		sh->proto_credit += v;
		push_proto(sh);
		return;
	default:
		log_warn(sh->log_id, "unknown frame type %d from the spawner",
		    h->type);
		return;
	}
	sshd_shell_kick(sh->owner);
}

static void
mux_io(uv_poll_t *h, int status, int events)
{
	char tmp[65536];
	struct spawn_hdr hd;
	ssize_t n;

	if (events & UV_WRITABLE)
		mux_flush();
	if (mux_fd < 0 || !(events & UV_READABLE || status < 0))
		return;
	/* A few reads a turn: the spawner's frames are bounded by credit. */
	for (int i = 0; i < 4 && mux_fd >= 0; i++) {
		n = read(mux_fd, tmp, sizeof tmp);
		if (n == 0) {
			spawner_lost("its socket closed");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				spawner_lost(strerror(errno));
			return;
		}
		buf_append(&mux_in, tmp, (size_t)n);
		while (buf_used(&mux_in) >= sizeof hd) {
			memcpy(&hd, buf_head(&mux_in), sizeof hd);
			if (hd.len > SPAWN_MAX_PAYLOAD + 128) {
				spawner_lost("it sent a frame too large");
				return;
			}
			if (buf_used(&mux_in) < sizeof hd + hd.len)
				break;
			mux_frame(&hd, buf_head(&mux_in) + sizeof hd);
			buf_consume(&mux_in, sizeof hd + hd.len);
		}
		if ((size_t)n < sizeof tmp)
			break;
	}
}

static void
mux_closed(uv_handle_t *h)
{
	int *fd = h->data;

	close(*fd);
	free(fd);
}

/* Stop using the mux: close its descriptor once libuv lets go of it. */
static void
mux_shut(void)
{
	int *fd;

	if (mux_fd < 0)
		return;
	if (mux_polling) {
		fd = xmalloc(sizeof *fd);
		*fd = mux_fd;
		mux_poll.data = fd;
		uv_close((uv_handle_t *)&mux_poll, mux_closed);
		mux_polling = false;
	} else
		close(mux_fd);
	mux_fd = -1;
	buf_clear(&mux_in);
	buf_clear(&mux_out);
}

static void
restart_cb(uv_timer_t *t)
{
	if (srv->stopping || mux_fd >= 0)
		return;
	if (spawner_start() == 0)
		mux_watch();
	else
		uv_timer_start(&restart_timer, restart_cb, 5000, 0);
}

/*
 * The spawner has gone (killed, or its socket broke): end every terminal
 * session with a word to its member, and start a new one.
 */
static void
spawner_lost(const char *why)
{
	struct shell *sh;
	int n = 0;

	if (mux_fd < 0)
		return;
	mux_shut();
	for (sh = shells; sh != NULL; sh = sh->next) {
		if (!sh->live)
			continue;
		sh->live = false;
		sh->done = true;
		sh->status = 1;
		if (sh->end_text == NULL)
			sh->end_text = xstrdup("\r\n\r\n  Hearth's terminal "
			    "service stopped unexpectedly. Please log in "
			    "again.\r\n\r\n");
		conn_drop(sh, "spawner gone");
		sshd_shell_kick(sh->owner);
		n++;
	}
	if (srv->stopping) {
		log_info(0, "spawner gone (%s) while stopping", why);
		return;
	}
	log_error(0, "the spawner has gone (%s): %d terminal session%s ended; "
	    "starting a new one", why, n, n == 1 ? "" : "s");
	uv_timer_start(&restart_timer, restart_cb,
	    now_ms() - spawner_started_ms < 10000 ? 1000 : 0, 0);
}

bool
shell_reaped(pid_t pid, int status)
{
	if (pid != spawner_pid)
		return false;
	if (WIFSIGNALED(status))
		log_warn(0, "spawner pid %d killed by signal %d", (int)pid,
		    WTERMSIG(status));
	else
		log_info(0, "spawner pid %d exited with status %d", (int)pid,
		    WEXITSTATUS(status));
	spawner_pid = -1;
	return true;
}

void
shell_stop(void)
{
	/* The last frames (FORGETs) go if they can; then EOF ends it. */
	mux_flush();
	mux_shut();
	if (handles_ready) {
		uv_close((uv_handle_t *)&flush_prep, NULL);
		uv_close((uv_handle_t *)&restart_timer, NULL);
		handles_ready = false;
	}
	buf_free(&mux_in);
	buf_free(&mux_out);
}
