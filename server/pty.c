/*
 * pty.c: starting the TUI (hearth --fd N) on a new pseudo-terminal for a
 * plain `ssh host` login. forkpty gives the child the pty as its
 * controlling terminal, so window changes reach it as SIGWINCH.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "server.h"

pid_t
pty_spawn(const char *tui, const char *term, bool no_color, int cols,
    int rows, int fd, int *master)
{
	struct winsize ws;
	char fdarg[16], termenv[96];
	sigset_t all;
	pid_t pid;
	int m;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = cols > 0 ? cols : 80;
	ws.ws_row = rows > 0 ? rows : 24;
	snprintf(fdarg, sizeof fdarg, "%d", fd);
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
		int flags;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		for (int s = 1; s < NSIG; s++)
			sigaction(s, &sa, NULL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0)
			fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
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
