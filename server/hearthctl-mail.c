/*
 * hearthctl-mail.c: `hearthctl mail status` (the queue, the messages given
 * up on), `mail run` (look for due notifications and digests now) and
 * `mail-in` (one message on standard input from the MTA: an unsubscribe
 * turns that member's digest off; nothing is ever posted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define MAIL_IN_MAX (256 * 1024)

static long long
count(json_t *r, const char *state)
{
	return (long long)json_integer_value(json_object_get(json_object_get(r,
	    "counts"), state));
}

int
hctl_mail(int argc, char **argv)
{
	json_t *r, *d;
	size_t i;
	char when[32];

	if (argc == 2 && strcmp(argv[1], "run") == 0) {
		r = hctl_request("mail.run", json_object());
		if (!hctl_print_json(r))
			printf("Looking for due notifications and digests now; "
			    "`hearthctl mail status` shows the queue.\n");
		json_decref(r);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "status") != 0)
		hctl_die("mail status | mail run (see hearthctl --help)");
	r = hctl_request("mail.status", json_object());
	if (hctl_print_json(r)) {
		json_decref(r);
		return 0;
	}
	printf("Sending:  %s\n", json_is_true(json_object_get(r,
	    "configured")) ? hctl_str(r, "via") : "off (set smtp_url or "
	    "sendmail in hearthd.conf)");
	printf("From:     %s\n", hctl_str(r, "from"));
	printf("Queued:   %lld", count(r, "queued"));
	if (json_is_string(json_object_get(r, "oldest_queued"))) {
		hctl_print_date(hctl_str(r, "oldest_queued"), when);
		printf(" (oldest %s)", when);
	}
	printf("\nSent:     %lld\nGiven up: %lld\n", count(r, "sent"),
	    count(r, "dead"));
	json_array_foreach(json_object_get(r, "dead"), i, d) {
		if (i == 0)
			printf("\nGiven up (newest first):\n");
		hctl_print_date(hctl_str(d, "created_at"), when);
		printf("  #%lld %s to %s, %s, %lld tries: %s\n",
		    (long long)json_integer_value(json_object_get(d, "id")),
		    hctl_str(d, "kind"), hctl_str(d, "address"), when,
		    (long long)json_integer_value(json_object_get(d, "tries")),
		    hctl_str(d, "error"));
	}
	json_decref(r);
	return 0;
}

int
hctl_mail_in(int argc, char **argv)
{
	char *m = xmalloc(MAIL_IN_MAX + 1);
	size_t n;
	json_t *r;

	(void)argv;
	if (argc != 1)
		hctl_die("mail-in reads one message on standard input");
	n = fread(m, 1, MAIL_IN_MAX + 1, stdin);
	if (ferror(stdin))
		hctl_die("standard input: %s", strerror(errno));
	if (n > MAIL_IN_MAX)
		n = MAIL_IN_MAX; /* the headers are at the start */
	m[n] = '\0';
	if (strlen(m) != n)
		n = strlen(m); /* a NUL: the text before it */
	/* what is read is the headers' ASCII; other bytes need not be UTF-8 */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)m[i] >= 0x80)
			m[i] = '?';
	r = hctl_request("mail.inbound", json_pack("{s:s%}", "message", m, n));
	free(m);
	if (!hctl_print_json(r))
		printf("%s\n", hctl_str(r, "message"));
	json_decref(r);
	return 0;
}
