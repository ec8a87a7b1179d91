/*
 * hearthctl-admin.c: hearthctl's commands for the code of conduct
 * (`coc show`, `coc set FILE`) and for bringing a removed member back
 * (`member reinstate HANDLE`). Each is one request to the running hearthd
 * (hctl_request in hearthctl.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The whole of FILE ("-": standard input), at most 32000 bytes. */
static char *
read_text(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *text = xmalloc(32002);
	size_t n;

	if (f == NULL)
		hctl_die("%s: %s", path, strerror(errno));
	n = fread(text, 1, 32001, f);
	if (ferror(f))
		hctl_die("%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	if (n > 32000)
		hctl_die("%s: the code of conduct may be at most 32000 bytes",
		    path);
	text[n] = '\0';
	if (strlen(text) != n)
		hctl_die("%s: not text (it holds a NUL byte)", path);
	return text;
}

int
hctl_coc(int argc, char **argv)
{
	json_t *r;
	char d[32], *text;

	if (argc == 2 && strcmp(argv[1], "show") == 0) {
		r = hctl_request("coc.get", json_object());
		if (!hctl_print_json(r)) {
			if (json_is_string(json_object_get(r, "updated_at"))) {
				hctl_print_date(hctl_str(r, "updated_at"), d);
				fprintf(stderr, "Version %lld, set %s by %s.\n",
				    (long long)json_integer_value(
				    json_object_get(r, "version")), d,
				    hctl_str(r, "updated_by"));
			} else
				fprintf(stderr, "Version 0: the text built "
				    "into hearthd (hearthctl coc set FILE "
				    "replaces it).\n");
			fputs(hctl_str(r, "text"), stdout);
			if (strlen(hctl_str(r, "text")) > 0 &&
			    hctl_str(r, "text")[strlen(hctl_str(r, "text")) -
			    1] != '\n')
				putchar('\n');
		}
	} else if (argc == 3 && strcmp(argv[1], "set") == 0) {
		text = read_text(argv[2]);
		r = hctl_request("admin.coc.set", json_pack("{s:s}", "body",
		    text));
		free(text);
		if (!hctl_print_json(r)) {
			if (json_is_true(json_object_get(r, "changed")))
				printf("Code of conduct version %lld saved. "
				    "Members accept it before they write "
				    "again.\n", (long long)json_integer_value(
				    json_object_get(r, "version")));
			else
				printf("Unchanged: that is already version "
				    "%lld.\n", (long long)json_integer_value(
				    json_object_get(r, "version")));
		}
	} else
		hctl_die("coc show | coc set FILE (see hearthctl --help)");
	json_decref(r);
	return 0;
}

int
hctl_member_reinstate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r;
	int ch;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'r')
			json_object_set_new(args, "reason",
			    json_string(optarg));
		else
			exit(2);
	}
	if (optind != argc - 1)
		hctl_die("member reinstate HANDLE [--reason TEXT]");
	json_object_set_new(args, "handle", json_string(argv[optind]));
	r = hctl_request("admin.member.reinstate", args);
	if (!hctl_print_json(r))
		printf("%s is a member again, with their posts, keys and "
		    "communities; they can connect as before.\n",
		    hctl_str(r, "handle"));
	json_decref(r);
	return 0;
}
