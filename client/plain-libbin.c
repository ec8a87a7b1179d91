/*
 * plain-libbin.c: a community library's bin in the line mode (library.bin,
 * library.undelete): deleted documents numbered, a number puts one back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

void
plain_libbin(const char *slug)
{
	json_t *r, *res, *d;
	char size[32];
	const char *s;
	size_t i, n;
	long long id;

	for (;;) {
		r = plain_call("library.bin", json_pack("{s:s}", "community",
		    slug));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		if (strcmp(js(res, "community"), "platform") == 0)
			plain_out("\nThe bin of the platform library (deleted "
			    "documents wait %lld days)\n",
			    (long long)ji(res, "days"));
		else
			plain_out("\nThe bin of the library of %s (deleted "
			    "documents wait %lld days)\n", js(res,
			    "community_name")[0] ? js(res, "community_name") :
			    js(res, "community"), (long long)ji(res, "days"));
		n = json_array_size(json_object_get(res, "documents"));
		json_array_foreach(json_object_get(res, "documents"), i, d) {
			library_size(ji(d, "size"), size, sizeof size);
			plain_out("  %zu. %s%s%s  (%s, by %s, deleted %s by "
			    "%s, gone %s)\n", i + 1, js(d, "folder"),
			    js(d, "folder")[0] ? "/" : "", js(d, "name"), size,
			    library_uploader(d), when_say(js(d, "deleted_at")),
			    js(d, "deleted_by"), when_say(js(d, "gone_at")));
		}
		if (n == 0) {
			plain_out("  The bin is empty.\n");
			json_decref(r);
			return;
		}
		s = plain_ask("Number to put back, 0 back: ");
		if (atoi(s) < 1 || (size_t)atoi(s) > n) {
			json_decref(r);
			return;
		}
		d = json_array_get(json_object_get(res, "documents"),
		    (size_t)atoi(s) - 1);
		id = ji(d, "id");
		json_decref(r);
		r = plain_call("library.undelete", json_pack("{s:I}", "id",
		    (json_int_t)id));
		if ((res = plain_result(r)) != NULL && js(res, "path")[0])
			plain_out("  %s is back, at %s.\n", js(res, "name"),
			    js(res, "path"));
		else if (res != NULL) /* an older server */
			plain_out("  %s is back in the library.\n", js(res,
			    "name"));
		json_decref(r);
	}
}
