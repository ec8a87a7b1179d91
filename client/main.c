/*
 * main.c: hearth, the member's program, and hearth-tui, which hearthd runs
 * as `hearth-tui --fd N` on a pty for terminal logins (ssh -p 2222 host; N
 * is the protocol stream; native-none.c stands in for native.c there).
 * `hearth [user@]host[:port]` is the native client: it connects over
 * libssh itself (native.c) and reconnects when the connection drops.
 * The full-screen TUI runs unless TERM is dumb or --plain asks for the
 * line mode (numbered menus and plain text, for screen readers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "client.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hearth [--plain] [user@]host[:port]   (port 2222 by "
	    "default)\n"
	    "       hearth --version\n"
	    "Without installing anything: ssh -p 2222 HOST\n"
	    "Newcomers connect as join@HOST with their invite code.\n");
}

int
main(int argc, char **argv)
{
	int fd = -1;
	bool plain = false;
	const char *target = NULL;
	const char *term = getenv("TERM");

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fd") == 0 && i + 1 < argc)
			fd = atoi(argv[++i]);
		else if (strcmp(argv[i], "--plain") == 0)
			plain = true;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("hearth %s\n", HEARTH_VERSION);
			return 0;
		} else if (argv[i][0] != '-' && target == NULL)
			target = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if ((fd < 0) == (target == NULL)) {
		usage();
		return 2;
	}
	if (target != NULL) {
		char err[1024];
		if ((fd = native_connect(target, err, sizeof err)) < 0) {
			fprintf(stderr, "hearth: %s\n", err);
			return 1;
		}
		net_set_native();
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0 ||
	    !isatty(0) || !isatty(1))
		plain = true;
	g_plain = plain;
	if (plain)
		return plain_run(fd);
	return ui_run(fd);
}
