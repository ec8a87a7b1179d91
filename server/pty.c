/*
 * pty.c: starting the TUI (hearth --fd 3) on a new pseudo-terminal for a
 * plain `ssh host` login. forkpty gives the child the pty as its
 * controlling terminal, so window changes reach it as SIGWINCH.
 *
 * The child gets the least privilege we can give it: only the pty (0-2)
 * and its protocol socket (3) stay open, it keeps no capability (not even
 * in its bounding or ambient sets) and sets no_new_privs, so nothing it
 * execs can gain any. If hearthd runs as root (--allow-root), the child
 * becomes nobody:nogroup with no supplementary groups before it execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

pid_t
pty_spawn(const char *tui, const char *term, bool no_color, int cols,
    int rows, int fd, int *master)
{
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
	pid = forkpty(&m, NULL, NULL, &ws);
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

void
pty_resize(int master, int cols, int rows)
{
	struct winsize ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = cols;
	ws.ws_row = rows;
	if (ioctl(master, TIOCSWINSZ, &ws) != 0)
		log_debug(0, "TIOCSWINSZ: %s", strerror(errno));
}
