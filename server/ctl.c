/*
 * ctl.c: the control socket (DATA/ctl.sock, mode 0600) that hearthctl
 * talks to. Each accepted peer must run as the server's own user or root;
 * it becomes a console conn that may run admin operations.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server.h"

static int ctl_fd = -1;
static uv_poll_t ctl_poll;
static char *ctl_path;

static void
ctl_accept(uv_poll_t *h, int status, int events)
{
	struct ucred cred;
	socklen_t len;
	struct conn *c;
	char err[128];
	int fd;

	for (;;) {
		fd = accept4(ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn(0, "accept: %s", strerror(errno));
			if (errno == EINTR)
				continue;
			return;
		}
		len = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
		    (cred.uid != getuid() && cred.uid != 0)) {
			log_warn(0, "control socket: refused peer uid %d",
			    (int)cred.uid);
			close(fd);
			continue;
		}
		if ((c = conn_stream_open(fd, CONN_CTL, err, sizeof err)) ==
		    NULL) {
			log_warn(0, "control socket: %s", err);
			continue;
		}
		c->console = true;
		snprintf(c->addr, sizeof c->addr, "console(uid %d)",
		    (int)cred.uid);
		log_info(c->id, "console connected (pid %d, uid %d)",
		    (int)cred.pid, (int)cred.uid);
		conn_hello(c);
	}
}

int
ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int rc;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl_fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(path); /* a stale socket from an earlier run */
	old = umask(077);
	rc = bind(ctl_fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0 || chmod(path, 0600) != 0 || listen(ctl_fd, 16) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(ctl_fd);
		ctl_fd = -1;
		return -1;
	}
	ctl_path = xstrdup(path);
	uv_poll_init(srv->loop, &ctl_poll, ctl_fd);
	uv_poll_start(&ctl_poll, UV_READABLE, ctl_accept);
	return 0;
}

static void
ctl_closed(uv_handle_t *h)
{
	close(ctl_fd);
	ctl_fd = -1;
}

void
ctl_close(void)
{
	if (ctl_fd < 0)
		return;
	unlink(ctl_path);
	free(ctl_path);
	ctl_path = NULL;
	uv_close((uv_handle_t *)&ctl_poll, ctl_closed);
}
