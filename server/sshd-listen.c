/*
 * sshd-listen.c: the listening socket for SSH and the libssh bind that
 * holds the host key and the algorithms hearthd offers. Accepts until
 * EAGAIN and hands each socket to sshd.c (sshd_accept); out of file
 * descriptors, it stops watching for a second rather than spin.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include "server.h"

#define SSHD_CIPHERS "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com," \
	"aes128-gcm@openssh.com"
#define SSHD_MACS "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"

static ssh_bind sbind;
static int listen_fd = -1;
static uv_poll_t listen_poll;
static uv_timer_t listen_pause; /* out of file descriptors: wait a second */

ssh_bind
sshd_listen_bind(void)
{
	return sbind;
}

static void listen_io(uv_poll_t *, int, int);

static void
listen_resume(uv_timer_t *t)
{
	if (listen_fd >= 0 && !srv->stopping)
		uv_poll_start(&listen_poll, UV_READABLE, listen_io);
}

static void
listen_io(uv_poll_t *h, int status, int events)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char ip[48];
	int fd, port;

	for (;;) {
		len = sizeof ss;
		fd = accept4(listen_fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* The socket stays readable: stop watching it
				 * for a second rather than spin. */
				log_warn(0, "accept: %s; pausing new "
				    "connections for a second", strerror(errno));
				uv_poll_stop(&listen_poll);
				uv_timer_start(&listen_pause, listen_resume,
				    1000, 0);
			} else if (errno != EAGAIN)
				log_warn(0, "accept: %s", strerror(errno));
			return;
		}
		if (getnameinfo((struct sockaddr *)&ss, len, ip, sizeof ip,
		    NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(ip, sizeof ip, "?");
		port = ss.ss_family == AF_INET6 ?
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
		    ntohs(((struct sockaddr_in *)&ss)->sin_port);
		sshd_accept(fd, ip, port);
	}
}

/* What hearthd offers: modern algorithms only (NULL: the host key). */
static const struct {
	enum ssh_bind_options_e opt;
	const char *value;
} bind_opts[] = {
	{ SSH_BIND_OPTIONS_HOSTKEY, NULL },
	{ SSH_BIND_OPTIONS_KEY_EXCHANGE,
	    "curve25519-sha256,curve25519-sha256@libssh.org" },
	{ SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, "ssh-ed25519" },
	{ SSH_BIND_OPTIONS_CIPHERS_C_S, SSHD_CIPHERS },
	{ SSH_BIND_OPTIONS_CIPHERS_S_C, SSHD_CIPHERS },
	{ SSH_BIND_OPTIONS_HMAC_C_S, SSHD_MACS },
	{ SSH_BIND_OPTIONS_HMAC_S_C, SSHD_MACS },
	{ SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, "ssh-ed25519,"
	    "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
	    "rsa-sha2-512,rsa-sha2-256" },
};

int
sshd_listen_open(const char *host, int port, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	char portstr[16], *keypath = srv->hostkey_path;
	bool no = false;
	int one = 1, rc;

	sbind = ssh_bind_new();
	if (sbind == NULL) {
		snprintf(err, errlen, "ssh_bind_new failed");
		return -1;
	}
	rc = ssh_bind_options_set(sbind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	for (size_t i = 0; rc >= 0 && i < sizeof bind_opts / sizeof *bind_opts;
	    i++)
		rc = ssh_bind_options_set(sbind, bind_opts[i].opt,
		    bind_opts[i].value != NULL ? bind_opts[i].value : keypath);
	if (rc < 0) {
		snprintf(err, errlen, "ssh options: %s", ssh_get_error(sbind));
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof portstr, "%d", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	listen_fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(listen_fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(listen_fd, 511) != 0) {
		snprintf(err, errlen, "listen on %s:%d: %s", host, port,
		    strerror(errno));
		freeaddrinfo(ai);
		close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	freeaddrinfo(ai);
	uv_poll_init(srv->loop, &listen_poll, listen_fd);
	uv_poll_start(&listen_poll, UV_READABLE, listen_io);
	uv_timer_init(srv->loop, &listen_pause);
	uv_unref((uv_handle_t *)&listen_pause);
	return 0;
}

static void
listen_closed(uv_handle_t *h)
{
	close(listen_fd);
	listen_fd = -1;
}

void
sshd_listen_close(void)
{
	if (listen_fd >= 0 && !uv_is_closing((uv_handle_t *)&listen_poll)) {
		uv_close((uv_handle_t *)&listen_pause, NULL);
		uv_close((uv_handle_t *)&listen_poll, listen_closed);
	}
}

void
sshd_listen_free(void)
{
	if (sbind != NULL) {
		ssh_bind_free(sbind);
		sbind = NULL;
	}
}
