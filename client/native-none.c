/*
 * native-none.c: hearth-tui, the program hearthd starts for a terminal
 * login (`ssh HOST`), is the hearth client without its own ssh: it only
 * talks over the socket hearthd hands it (--fd N). Leaving libssh and its
 * libraries out saves about half of each login's private memory and most
 * of its start-up (docs/performance.md, "Terminal logins at scale").
 * Members connect over ssh themselves with `hearth HOST`.
 */
#include <stdio.h>

#include "common.h"
#include "client.h"

int
native_connect(const char *target, char *err, size_t errlen)
{
	(void)target;
	snprintf(err, errlen, "this program is what hearthd starts for a "
	    "terminal login; to connect to a server, run: hearth HOST");
	return -1;
}

int
native_reconnect(char *err, size_t errlen)
{
	snprintf(err, errlen, "no connection of its own in hearth-tui");
	return -1;
}
