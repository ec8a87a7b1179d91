/*
 * spawner.c: the spawner process. hearthd starts it before its loop
 * (posix_spawn of itself with --spawner, so nothing of the daemon is
 * copied); it forks and execs each terminal login's TUI (hearth --fd 3) on
 * a new pseudo-terminal and relays, for every session, the pty and the
 * child's protocol socket over its one socket to hearthd, in frames (see
 * server.h). hearthd thus holds no descriptor per terminal login, and a
 * login costs it a frame, however big the daemon has grown.
 *
 * Flow: each side may have SPAWN_CREDIT bytes per session and stream sent
 * and not yet acknowledged. The spawner stops reading a child's pty (or
 * socket) while its credit is spent, so one member who does not read
 * holds only their own child back. It reaps its children and reports
 * their exit. When hearthd's socket ends, it hangs up every child and
 * exits.
 *
 * forkpty gives the child the pty as its controlling terminal, so window
 * changes reach it as SIGWINCH. The child gets the least privilege we can
 * give it: only the pty (0-2) and its protocol socket (3) stay open, it
 * keeps no capability (not even in its bounding or ambient sets) and sets
 * no_new_privs, so nothing it execs can gain any. If the spawner runs as
 * root (hearthd --allow-root), the child becomes nobody:nogroup with no
 * supplementary groups before it execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/capability.h>

#include "server.h"

/* The protocol socket's number in the child. */
#define CHILD_FD 3

/* Who the child becomes when hearthd is root: nobody, looked up once. */
static void
unprivileged_ids(uid_t *uid, gid_t *gid)
{
	static uid_t nobody_uid = 65534;
	static gid_t nobody_gid = 65534;
	static bool looked;
	struct passwd *pw;

	if (!looked) {
		if ((pw = getpwnam("nobody")) != NULL && pw->pw_uid != 0) {
			nobody_uid = pw->pw_uid;
			nobody_gid = pw->pw_gid;
		}
		looked = true;
	}
	*uid = nobody_uid;
	*gid = nobody_gid;
}

/*
 * In the child, before exec: keep only fds 0-2 and the socket (as
 * CHILD_FD), give up root if we have it, then every capability, and set
 * no_new_privs. Only async-signal-safe calls. Returns -1 if a step that
 * matters failed: the caller must not exec then.
 */
static int
child_drop(int fd, bool root, uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
	int flags;

	if (fd != CHILD_FD) {
		if (dup2(fd, CHILD_FD) != CHILD_FD)
			return -1;
	} else if ((flags = fcntl(fd, F_GETFD)) < 0 ||
	    fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
		return -1;
	/* Everything else is close-on-exec already; close it anyway. */
	syscall(SYS_close_range, CHILD_FD + 1, ~0U, 0);

	if (root) {
		/* The bounding set needs CAP_SETPCAP: drop it while root. */
		for (int cap = 0; cap <= 63; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
			    errno != EINVAL)
				return -1;
		if (fchown(0, uid, -1) != 0 || setgroups(0, NULL) != 0 ||
		    setresgid(gid, gid, gid) != 0 ||
		    setresuid(uid, uid, uid) != 0)
			return -1;
		if (getuid() == 0 || geteuid() == 0 || setuid(0) == 0)
			return -1;
	}
	/* Capabilities hearthd was given (say, to bind port 22). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL)
		return -1;
	memset(none, 0, sizeof none);
	if (syscall(SYS_capset, &hdr, none) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return 0;
}

/*
 * Start the TUI on a new pty with fd as its protocol socket (CHILD_FD).
 * no_pty: the client asked for no terminal (ssh -T), so its own terminal
 * echoes what is typed and turns "\n" into "\r\n" itself; the pty must
 * then pass bytes both ways as a pipe would: no echo, no editing or
 * signal keys (every special character disabled), no CR/LF changes. It
 * stays canonical only so that a read returns one line, as over ssh -t
 * (the line mode's stdio and its rooms' reads share fd 0). Set from the
 * start (forkpty's termios): not even a line typed ahead is echoed.
 */
static pid_t
pty_spawn(const char *tui, const char *term, bool no_color, bool no_pty,
    int cols, int rows, int fd, int *master)
{
	struct termios raw;
	struct winsize ws;
	char fdarg[16], termenv[96];
	sigset_t all;
	bool root = getuid() == 0 || geteuid() == 0;
	uid_t uid = 0;
	gid_t gid = 0;
	pid_t pid;
	int m;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = cols > 0 ? cols : 80;
	ws.ws_row = rows > 0 ? rows : 24;
	snprintf(fdarg, sizeof fdarg, "%d", CHILD_FD);
	if (root)
		unprivileged_ids(&uid, &gid);
	snprintf(termenv, sizeof termenv, "TERM=%s",
	    term != NULL && *term != '\0' ? term : "dumb");
	memset(&raw, 0, sizeof raw);
	for (size_t i = 0; i < NCCS; i++)
		raw.c_cc[i] = _POSIX_VDISABLE;
	raw.c_iflag = IUTF8;
	raw.c_cflag = CS8 | CREAD;
	raw.c_lflag = ICANON;
	cfsetispeed(&raw, B38400);
	cfsetospeed(&raw, B38400);
	pid = forkpty(&m, NULL, no_pty ? &raw : NULL, &ws);
	if (pid < 0) {
		log_error(0, "forkpty: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Child: only async-signal-safe calls until exec. */
		char *argv[] = { (char *)tui, "--fd", fdarg, NULL };
		char *envp[] = { termenv, "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
			"PATH=/usr/local/bin:/usr/bin:/bin",
			no_color ? "NO_COLOR=1" : NULL, NULL };
		struct sigaction sa;
		static const char refused[] = "\r\nhearth: could not drop "
		    "privileges; not starting.\r\n";

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		for (int s = 1; s < NSIG; s++)
			sigaction(s, &sa, NULL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (child_drop(fd, root, uid, gid) != 0) {
			if (write(1, refused, sizeof refused - 1) < 0)
				_exit(126); /* the member cannot be told */
			_exit(126);
		}
		execve(tui, argv, envp);
		_exit(127);
	}
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	fcntl(m, F_SETFD, FD_CLOEXEC);
	*master = m;
	return pid;
}

/* One TUI child and what is in flight for it. */
struct child {
	uint32_t id;
	pid_t pid;
	int master; /* -1 once closed */
	int sock;
	uint32_t master_ev, sock_ev; /* epoll interest now; 0: not added */
	struct buf to_master; /* keystrokes from hearthd */
	struct buf to_sock; /* protocol bytes from hearthd */
	size_t tty_out; /* screen bytes sent to hearthd, not acknowledged */
	size_t proto_out; /* protocol bytes sent, not acknowledged */
	bool master_eof, sock_eof, sock_close, exited, gone;
	int status;
	struct child *hnext; /* in its hash bucket */
	struct child *next; /* in all, or the dead list */
};

/* What an epoll event is about: a tag embedded in the child. */
struct watch {
	struct child *c;
	bool sock; /* the protocol socket, else the pty master */
};

#define NBUCKETS 4096
static struct child *buckets[NBUCKETS];
static struct child *all, *dead;
static int mux = -1, ep = -1, sfd = -1;
static struct buf mux_in, mux_out;
static bool mux_out_armed;
static const char *tui_path;

static struct child *
child_find(uint32_t id)
{
	for (struct child *c = buckets[id % NBUCKETS]; c != NULL; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

/* Queue a frame for hearthd. */
static void
send_frame(uint32_t id, int type, const void *data, size_t len)
{
	struct spawn_hdr h = { .id = id, .len = (uint32_t)len,
		.type = (uint8_t)type };

	buf_append(&mux_out, &h, sizeof h);
	if (len > 0)
		buf_append(&mux_out, data, len);
}

static void
send_u32(uint32_t id, int type, uint32_t v)
{
	send_frame(id, type, &v, sizeof v);
}

/* Watch fd for ev (0: not at all); *cur is what it is watched for now. */
static void
watch_set(int fd, uint32_t *cur, uint32_t ev, struct watch *w)
{
	struct epoll_event e = { .events = ev, .data.ptr = w };

	if (fd < 0 || ev == *cur)
		return;
	if (ev == 0)
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	else if (epoll_ctl(ep, *cur == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
	    &e) != 0)
		log_error(0, "epoll_ctl: %s", strerror(errno));
	*cur = ev;
}

/* The tags are allocated with the child, right after it. */
static struct watch *
watch_of(struct child *c, bool sock)
{
	return (struct watch *)(c + 1) + (sock ? 1 : 0);
}

/*
 * Read what credit allows; write what is queued. A hung-up descriptor is
 * reported even when not asked for, so one not wanted is taken out.
 */
static void
child_arm(struct child *c)
{
	uint32_t mev = 0, sev = 0;

	if (c->gone)
		return;
	if (!c->master_eof && c->tty_out < SPAWN_CREDIT)
		mev |= EPOLLIN;
	if (!c->master_eof && buf_used(&c->to_master) > 0)
		mev |= EPOLLOUT;
	if (!c->sock_eof && c->proto_out < SPAWN_CREDIT)
		sev |= EPOLLIN;
	if (!c->sock_eof && buf_used(&c->to_sock) > 0)
		sev |= EPOLLOUT;
	watch_set(c->master, &c->master_ev, mev, watch_of(c, false));
	watch_set(c->sock, &c->sock_ev, sev, watch_of(c, true));
}

/* Close its descriptors and free it after this batch of events. */
static void
child_forget(struct child *c)
{
	struct child **pp = &buckets[c->id % NBUCKETS];

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	for (pp = &all; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	if (c->master >= 0)
		close(c->master);
	close(c->sock);
	c->master = c->sock = -1;
	c->gone = true;
	c->next = dead;
	dead = c;
}

/* A child that has exited and whose screen has all been sent is done. */
static void
child_check(struct child *c)
{
	if (c->gone || !c->exited || !c->master_eof || !c->sock_eof)
		return;
	send_u32(c->id, SPAWN_EXIT, (uint32_t)c->status);
	child_forget(c);
}

static void
child_start(uint32_t id, const struct spawn_start *st, const char *term)
{
	struct child *c;
	int sv[2];
	pid_t pid;
	int32_t err;

	if (child_find(id) != NULL) {
		log_error(0, "session %u started twice", id);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		err = errno;
		log_error(0, "socketpair: %s", strerror(errno));
		send_frame(id, SPAWN_FAILED, &err, sizeof err);
		return;
	}
	c = xcalloc(1, sizeof *c + 2 * sizeof(struct watch));
	pid = pty_spawn(tui_path, term, st->no_color, st->no_pty, st->cols,
	    st->rows, sv[1], &c->master);
	err = errno;
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		free(c);
		send_frame(id, SPAWN_FAILED, &err, sizeof err);
		return;
	}
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	c->id = id;
	c->pid = pid;
	c->sock = sv[0];
	watch_of(c, false)->c = watch_of(c, true)->c = c;
	watch_of(c, true)->sock = true;
	buf_init(&c->to_master);
	buf_init(&c->to_sock);
	c->hnext = buckets[id % NBUCKETS];
	buckets[id % NBUCKETS] = c;
	c->next = all;
	all = c;
	send_u32(id, SPAWN_STARTED, (uint32_t)pid);
	child_arm(c);
}

static void
hangup(struct child *c)
{
	if (!c->exited)
		kill(c->pid, SIGHUP);
}

static uint32_t
payload_u32(const char *p, uint32_t len)
{
	uint32_t v = 0;

	if (len >= sizeof v)
		memcpy(&v, p, sizeof v);
	return v;
}

/* One frame from hearthd. */
static void
mux_frame(const struct spawn_hdr *h, const char *p)
{
	struct child *c;
	char term[64];
	struct spawn_start st;
	struct spawn_winch wc;
	struct winsize ws;
	uint32_t n;

	if (h->type == SPAWN_START) {
		if (h->len < sizeof st)
			return;
		memcpy(&st, p, sizeof st);
		n = h->len - (uint32_t)sizeof st;
		if (n >= sizeof term)
			n = sizeof term - 1;
		memcpy(term, p + sizeof st, n);
		term[n] = '\0';
		child_start(h->id, &st, term);
		return;
	}
	if ((c = child_find(h->id)) == NULL)
		return; /* ended already: what was in flight is moot */
	switch (h->type) {
	case SPAWN_TTY_IN:
		if (c->master_eof)
			send_u32(c->id, SPAWN_ACK_TTY_IN, h->len);
		else
			buf_append(&c->to_master, p, h->len);
		break;
	case SPAWN_PROTO_IN:
		if (c->sock_eof || c->sock_close)
			send_u32(c->id, SPAWN_ACK_PROTO_IN, h->len);
		else
			buf_append(&c->to_sock, p, h->len);
		break;
	case SPAWN_WINCH:
		if (h->len < sizeof wc || c->master < 0)
			break;
		memcpy(&wc, p, sizeof wc);
		memset(&ws, 0, sizeof ws);
		ws.ws_col = wc.cols;
		ws.ws_row = wc.rows;
		if (ioctl(c->master, TIOCSWINSZ, &ws) != 0)
			log_debug(0, "TIOCSWINSZ: %s", strerror(errno));
		break;
	case SPAWN_HANGUP:
		hangup(c);
		break;
	case SPAWN_PROTO_CLOSE:
		c->sock_close = true;
		if (buf_used(&c->to_sock) == 0)
			shutdown(c->sock, SHUT_WR);
		break;
	case SPAWN_FORGET:
		hangup(c);
		child_forget(c);
		return;
	case SPAWN_ACK_TTY:
		n = payload_u32(p, h->len);
		c->tty_out -= n < c->tty_out ? n : c->tty_out;
		break;
	case SPAWN_ACK_PROTO:
		n = payload_u32(p, h->len);
		c->proto_out -= n < c->proto_out ? n : c->proto_out;
		break;
	default:
		log_warn(0, "unknown frame type %d", h->type);
		break;
	}
	child_arm(c);
}

/* Read and act on hearthd's frames; -1 when its socket has ended. */
static int
mux_read(void)
{
	char tmp[65536];
	struct spawn_hdr h;
	ssize_t n;

	n = read(mux, tmp, sizeof tmp);
	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	buf_append(&mux_in, tmp, (size_t)n);
	while (buf_used(&mux_in) >= sizeof h) {
		memcpy(&h, buf_head(&mux_in), sizeof h);
		if (h.len > SPAWN_MAX_PAYLOAD + 128) {
			log_error(0, "a frame of %u bytes from hearthd", h.len);
			return -1;
		}
		if (buf_used(&mux_in) < sizeof h + h.len)
			break;
		mux_frame(&h, buf_head(&mux_in) + sizeof h);
		buf_consume(&mux_in, sizeof h + h.len);
	}
	return 0;
}

/* Write queued frames; -1 when hearthd's socket is gone. */
static int
mux_flush(void)
{
	ssize_t n;
	uint32_t ev;
	struct epoll_event e = { .data.ptr = NULL };

	while (buf_used(&mux_out) > 0) {
		n = write(mux, buf_head(&mux_out), buf_used(&mux_out));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			break;
		}
		buf_consume(&mux_out, (size_t)n);
	}
	ev = EPOLLIN | (buf_used(&mux_out) > 0 ? EPOLLOUT : 0);
	if ((ev & EPOLLOUT) != (mux_out_armed ? EPOLLOUT : 0)) {
		e.events = ev;
		epoll_ctl(ep, EPOLL_CTL_MOD, mux, &e);
		mux_out_armed = (ev & EPOLLOUT) != 0;
	}
	return 0;
}

/* Write queued bytes to fd; false if the other end is gone. */
static bool
drain(int fd, struct buf *b, size_t *done)
{
	ssize_t n;

	while (buf_used(b) > 0) {
		n = write(fd, buf_head(b), buf_used(b));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN;
		}
		buf_consume(b, (size_t)n);
		*done += (size_t)n;
	}
	return true;
}

/* Something happened on a child's pty or socket. */
static void
child_io(struct watch *w, uint32_t events)
{
	struct child *c = w->c;
	int fd = w->sock ? c->sock : c->master;
	struct buf *q = w->sock ? &c->to_sock : &c->to_master;
	size_t *out = w->sock ? &c->proto_out : &c->tty_out;
	bool *eof = w->sock ? &c->sock_eof : &c->master_eof;
	size_t done = 0, want;
	char tmp[SPAWN_MAX_PAYLOAD];
	ssize_t n;

	if (c->gone)
		return;
	if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
		if (!drain(fd, q, &done))
			buf_clear(q); /* nobody reads it any more */
		if (done > 0)
			send_u32(c->id, w->sock ? SPAWN_ACK_PROTO_IN :
			    SPAWN_ACK_TTY_IN, (uint32_t)done);
		if (w->sock && c->sock_close && buf_used(q) == 0)
			shutdown(c->sock, SHUT_WR);
	}
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !*eof &&
	    *out < SPAWN_CREDIT) {
		want = SPAWN_CREDIT - *out;
		if (want > sizeof tmp)
			want = sizeof tmp;
		n = read(fd, tmp, want);
		if (n > 0) {
			send_frame(c->id, w->sock ? SPAWN_PROTO_OUT :
			    SPAWN_TTY_OUT, tmp, (size_t)n);
			*out += (size_t)n;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			/* EIO on the master: the child and its tty are gone */
			*eof = true;
			if (w->sock)
				send_frame(c->id, SPAWN_PROTO_EOF, NULL, 0);
		}
	}
	child_arm(c);
	child_check(c);
}

/* SIGCHLD: reap every child that has exited. */
static void
reap(void)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(sfd, &si, sizeof si) == sizeof si)
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (struct child *c = all; c != NULL; c = c->next) {
			if (c->pid != pid)
				continue;
			c->exited = true;
			c->status = WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
			child_check(c);
			break;
		}
	}
}

static void
free_dead(void)
{
	struct child *c;

	while ((c = dead) != NULL) {
		dead = c->next;
		buf_free(&c->to_master);
		buf_free(&c->to_sock);
		free(c);
	}
}

int
spawner_main(int fd, const char *tui)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL }, evs[64];
	sigset_t chld;
	int n;
	bool done = false;

	tui_path = tui;
	mux = fd;
	/* hearthd ends us (by closing our socket), not the terminal's ^C */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	fcntl(mux, F_SETFD, FD_CLOEXEC);
	fcntl(mux, F_SETFL, fcntl(mux, F_GETFL) | O_NONBLOCK);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, mux, &e) != 0) {
		log_error(0, "cannot start: %s", strerror(errno));
		return 1;
	}
	e.data.ptr = &sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &e);
	buf_init(&mux_in);
	buf_init(&mux_out);
	log_debug(0, "spawner %d ready", (int)getpid());
	while (!done) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno != EINTR) {
			log_error(0, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				if ((evs[i].events & (EPOLLIN | EPOLLHUP |
				    EPOLLERR)) && mux_read() != 0)
					done = true;
			} else if (evs[i].data.ptr == &sfd)
				reap();
			else
				child_io(evs[i].data.ptr, evs[i].events);
		}
		if (mux_flush() != 0)
			done = true;
		free_dead();
	}
	/* hearthd has gone: so do its members' screens */
	while (all != NULL) {
		hangup(all);
		child_forget(all);
	}
	free_dead();
	buf_free(&mux_in);
	buf_free(&mux_out);
	close(sfd);
	close(ep);
	close(mux);
	return 0;
}
