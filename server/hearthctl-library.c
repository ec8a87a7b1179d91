/*
 * hearthctl-library.c: `hearthctl library SLUG [PATH]` lists a folder of a
 * community's library (library.list), `hearthctl library show ID` one
 * document with its versions (library.get), `hearthctl library restore ID
 * VERSION` an older version made the newest (library.restore); each is one
 * request to the running hearthd (hctl_request in hearthctl.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int
hctl_library(int argc, char **argv)
{
	json_t *r, *e;
	size_t i;
	char d[32];

	if (argc == 3 && strcmp(argv[1], "show") == 0) {
		r = hctl_request("library.get", json_pack("{s:I}", "id",
		    (json_int_t)strtoll(argv[2], NULL, 10)));
		if (hctl_print_json(r)) {
			json_decref(r);
			return 0;
		}
		printf("%s (%s), uploaded by %s\n", hctl_str(r, "path"),
		    hctl_str(r, "type"), hctl_str(r, "uploader"));
		json_array_foreach(json_object_get(r, "versions"), i, e) {
			hctl_print_date(hctl_str(e, "created_at"), d);
			printf("  version %lld  %lld bytes  %s  %s  sha256 %s\n",
			    (long long)json_integer_value(json_object_get(e,
			    "version")), (long long)json_integer_value(
			    json_object_get(e, "size")), hctl_str(e,
			    "uploader"), d, hctl_str(e, "sha256"));
		}
		json_decref(r);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "restore") == 0) {
		r = hctl_request("library.restore", json_pack("{s:I, s:I}", "id",
		    (json_int_t)strtoll(argv[2], NULL, 10), "version",
		    (json_int_t)strtoll(argv[3], NULL, 10)));
		if (!hctl_print_json(r))
			printf("Restored: it is now version %lld.\n",
			    (long long)json_integer_value(json_object_get(r,
			    "version")));
		json_decref(r);
		return 0;
	}
	if (argc < 2 || argc > 3)
		hctl_die("usage: hearthctl library SLUG [PATH] | library show "
		    "ID");
	r = hctl_request("library.list", json_pack("{s:s, s:s}", "community",
	    argv[1], "path", argc == 3 ? argv[2] : ""));
	if (hctl_print_json(r)) {
		json_decref(r);
		return 0;
	}
	printf("%s\n", hctl_str(r, "path"));
	json_array_foreach(json_object_get(r, "folders"), i, e)
		printf("  %s/\n", hctl_str(e, "name"));
	json_array_foreach(json_object_get(r, "documents"), i, e) {
		hctl_print_date(hctl_str(e, "updated_at"), d);
		printf("  %-40s %10lld bytes  v%lld  %s  %s  (id %lld)\n",
		    hctl_str(e, "name"), (long long)json_integer_value(
		    json_object_get(e, "size")), (long long)json_integer_value(
		    json_object_get(e, "versions")), hctl_str(e, "uploader"),
		    d, (long long)json_integer_value(json_object_get(e, "id")));
	}
	json_decref(r);
	return 0;
}
