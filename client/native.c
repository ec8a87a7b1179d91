/*
 * native.c: the native client's transport. `hearth [user@]host[:port]`
 * connects with libssh using the member's agent and default keys, checks
 * known_hosts (asks on first contact, refuses on a mismatch) and requests
 * the `hearth` subsystem. A pump thread then copies bytes between the SSH
 * channel and one end of a socketpair; the TUI (or the line mode) speaks
 * the protocol on the other end exactly as it does under hearthd, so the
 * rest of the client does not know which way it came in. The libssh
 * session is used only by the thread that owns it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "common.h"
#include "client.h"

struct target {
	char user[128];
	char host[256];
	int port;
};

static struct target tgt;

struct pump {
	ssh_session ssh;
	ssh_channel ch;
	int fd; /* our end of the socketpair */
};

/* "[user@]host[:port]"; false if it cannot be parsed. */
static bool
parse_target(const char *s, struct target *t)
{
	const char *at = strrchr(s, '@'), *h = s, *colon;
	const char *u = getenv("USER");

	memset(t, 0, sizeof *t);
	t->port = 2222;
	if (at != NULL) {
		snprintf(t->user, sizeof t->user, "%.*s", (int)(at - s), s);
		h = at + 1;
	} else
		snprintf(t->user, sizeof t->user, "%s", u != NULL ? u :
		    "member");
	colon = strrchr(h, ':');
	if (colon != NULL && strchr(h, ']') == NULL && colon == strchr(h,
	    ':')) {
		t->port = atoi(colon + 1);
		snprintf(t->host, sizeof t->host, "%.*s", (int)(colon - h), h);
	} else
		snprintf(t->host, sizeof t->host, "%s", h);
	return t->host[0] != '\0' && t->user[0] != '\0' && t->port > 0 &&
	    t->port < 65536;
}

/* Ask a yes/no question on the terminal (before curses starts). */
static bool
ask_yes(const char *q)
{
	char line[32];

	fprintf(stderr, "%s", q);
	if (fgets(line, sizeof line, stdin) == NULL)
		return false;
	return strncmp(line, "yes", 3) == 0;
}

/*
 * Check the server's key against known_hosts: continue if it matches,
 * ask on first contact, refuse on a mismatch. interactive false: never ask
 * (reconnecting), refuse instead.
 */
static int
check_host(ssh_session ssh, bool interactive, char *err, size_t errlen)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen;
	char *fp = NULL;
	enum ssh_known_hosts_e st;
	int rc = -1;

	if (ssh_get_server_publickey(ssh, &key) != SSH_OK) {
		snprintf(err, errlen, "the server sent no host key");
		return -1;
	}
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
		    hlen);
	st = ssh_session_is_known_server(ssh);
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		snprintf(err, errlen, "THE HOST KEY OF %s HAS CHANGED (now %s).\n"
		    "Someone may be intercepting the connection, or the server "
		    "was reinstalled.\nAsk its administrator; if the change is "
		    "expected, remove the old key with\n  ssh-keygen -R "
		    "'[%s]:%d'\nRefusing to connect.", tgt.host,
		    fp ? fp : "?", tgt.host, tgt.port);
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN: {
		char q[600];
		if (!interactive) {
			snprintf(err, errlen, "the server's key is not known");
			break;
		}
		snprintf(q, sizeof q, "First connection to %s (port %d).\n"
		    "Its key fingerprint is %s.\nCheck it with the person who "
		    "runs the server. Continue and remember it (yes/no)? ",
		    tgt.host, tgt.port, fp ? fp : "?");
		if (!ask_yes(q)) {
			snprintf(err, errlen, "not connecting: the host key was "
			    "not accepted");
			break;
		}
		if (ssh_session_update_known_hosts(ssh) != SSH_OK)
			fprintf(stderr, "hearth: could not save the key in "
			    "known_hosts: %s\n", ssh_get_error(ssh));
		rc = 0;
		break;
	}
	default:
		snprintf(err, errlen, "cannot check the host key: %s",
		    ssh_get_error(ssh));
		break;
	}
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return rc;
}

/* Connect, authenticate and open the subsystem; NULL with err set. */
static struct pump *
ssh_open(bool interactive, char *err, size_t errlen)
{
	ssh_session ssh = ssh_new();
	ssh_channel ch = NULL;
	struct pump *p;
	long timeout = 10;
	const char *home;
	int rc;

	ssh_options_set(ssh, SSH_OPTIONS_HOST, tgt.host);
	ssh_options_set(ssh, SSH_OPTIONS_PORT, &tgt.port);
	ssh_options_set(ssh, SSH_OPTIONS_USER, tgt.user);
	ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &timeout);
	/* keys and known_hosts live in $HOME/.ssh, as the member expects */
	if ((home = getenv("HOME")) != NULL && *home != '\0') {
		char dir[1024];
		snprintf(dir, sizeof dir, "%s/.ssh", home);
		ssh_options_set(ssh, SSH_OPTIONS_SSH_DIR, dir);
	}
	if (ssh_connect(ssh) != SSH_OK) {
		snprintf(err, errlen, "cannot connect to %s port %d: %s",
		    tgt.host, tgt.port, ssh_get_error(ssh));
		goto fail;
	}
	if (check_host(ssh, interactive, err, errlen) != 0)
		goto fail;
	rc = ssh_userauth_publickey_auto(ssh, NULL, NULL);
	if (rc != SSH_AUTH_SUCCESS) {
		snprintf(err, errlen, "the server did not accept your keys "
		    "(from your ssh agent or ~/.ssh). To join, connect as "
		    "join@%s with your invite code.", tgt.host);
		goto fail;
	}
	if ((ch = ssh_channel_new(ssh)) == NULL ||
	    ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_subsystem(ch, "hearth") != SSH_OK) {
		snprintf(err, errlen, "the server refused the hearth "
		    "subsystem: %s", ssh_get_error(ssh));
		goto fail;
	}
	p = xcalloc(1, sizeof *p);
	p->ssh = ssh;
	p->ch = ch;
	return p;
fail:
	if (ch != NULL)
		ssh_channel_free(ch);
	ssh_disconnect(ssh);
	ssh_free(ssh);
	return NULL;
}

/* Write all of buf to fd (blocking). */
static int
write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The pump thread: channel <-> socketpair until either side ends. */
/* Set to ask the pump thread to end (see pump_finish). */
static atomic_bool pump_stop;

static void *
pump_run(void *arg)
{
	struct pump *p = arg;
	char buf[32768];
	struct pollfd pf[2];
	int n;

	pf[0].fd = p->fd;
	pf[0].events = POLLIN;
	pf[1].fd = ssh_get_fd(p->ssh);
	pf[1].events = POLLIN;
	for (;;) {
		/* drain what libssh already has buffered */
		while ((n = ssh_channel_read_nonblocking(p->ch, buf,
		    sizeof buf, 0)) > 0)
			if (write_all(p->fd, buf, (size_t)n) != 0)
				goto done;
		if (n == SSH_ERROR || ssh_channel_is_eof(p->ch) ||
		    ssh_channel_is_closed(p->ch))
			goto done;
		if (atomic_load(&pump_stop))
			goto done;
		if (poll(pf, 2, 200) < 0 && errno != EINTR)
			goto done;
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(p->fd, buf, sizeof buf);
			if (r <= 0)
				goto done;
			if (ssh_channel_write(p->ch, buf, (uint32_t)r) !=
			    (int)r)
				goto done;
		}
	}
done:
	shutdown(p->fd, SHUT_RDWR);
	close(p->fd);
	ssh_channel_close(p->ch);
	ssh_channel_free(p->ch);
	ssh_disconnect(p->ssh);
	ssh_free(p->ssh);
	free(p);
	return NULL;
}

static pthread_t pump_th;
static bool pump_live;

/*
 * Stop the pump thread and wait for it (it looks at pump_stop at least five
 * times a second), so libssh and OpenSSL are never used after exit has
 * begun to tear them down. Registered with atexit after libssh's own setup,
 * so it runs before OpenSSL's cleanup.
 */
static void
pump_finish(void)
{
	if (!pump_live)
		return;
	atomic_store(&pump_stop, true);
	pthread_join(pump_th, NULL);
	atomic_store(&pump_stop, false);
	pump_live = false;
}

/* Start a pump for an open session; returns the client's fd or -1. */
static int
pump_start(struct pump *p)
{
	static bool registered;
	int sv[2];

	pump_finish(); /* the previous session's pump, after a reconnect */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	p->fd = sv[1];
	if (pthread_create(&pump_th, NULL, pump_run, p) != 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	pump_live = true;
	if (!registered) {
		atexit(pump_finish);
		registered = true;
	}
	return sv[0];
}

int
native_connect(const char *target, char *err, size_t errlen)
{
	struct pump *p;
	int fd;

	if (!parse_target(target, &tgt)) {
		snprintf(err, errlen, "not a server: '%s' (use [user@]host"
		    "[:port])", target);
		return -1;
	}
	if ((p = ssh_open(true, err, errlen)) == NULL)
		return -1;
	if ((fd = pump_start(p)) < 0) {
		snprintf(err, errlen, "cannot start the connection thread");
		return -1;
	}
	return fd;
}

int
native_reconnect(char *err, size_t errlen)
{
	struct pump *p = ssh_open(false, err, errlen);

	return p != NULL ? pump_start(p) : -1;
}
