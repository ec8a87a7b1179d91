/*
 * hearthctl-roadmap.c: `hearthctl roadmap export SLUG --format md|csv`
 * (SLUG "-": the platform's roadmap), one roadmap.export request to the
 * running hearthd; the text goes to standard output.
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

int
hctl_roadmap(int argc, char **argv)
{
	const char *slug = NULL, *format = "md";
	json_t *args, *r;

	if (argc < 3 || strcmp(argv[1], "export") != 0)
		hctl_die("usage: hearthctl roadmap export SLUG|- "
		    "[--format md|csv]");
	slug = argv[2];
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			format = argv[i] + 9;
		else
			hctl_die("roadmap export: unknown argument '%s'",
			    argv[i]);
	}
	if (strcmp(format, "md") != 0 && strcmp(format, "csv") != 0)
		hctl_die("roadmap export: --format md or csv, not '%s'",
		    format);
	args = json_pack("{s:s}", "format", format);
	if (strcmp(slug, "-") != 0)
		json_object_set_new(args, "slug", json_string(slug));
	r = hctl_request("roadmap.export", args);
	if (!hctl_print_json(r))
		fputs(hctl_str(r, "text"), stdout);
	json_decref(r);
	return 0;
}
