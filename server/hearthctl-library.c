/*
 * hearthctl-library.c: `hearthctl library SLUG [PATH]` lists a folder of a
 * community's library (library.list), `hearthctl library show ID` one
 * document with its versions (library.get), `hearthctl library restore ID
 * VERSION` an older version made the newest (library.restore), `hearthctl
 * library bin SLUG` the bin (library.bin) and `hearthctl library undelete
 * ID` a document out of it (library.undelete), `hearthctl library get ID
 * FILE` a document saved (library.download, one request a 32 KiB piece);
 * each is one
 * request to the running hearthd (hctl_request in hearthctl.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* `hearthctl library get ID FILE`: a document's bytes into FILE
 * (library.download, 32 KiB a request; written to FILE.part, then
 * renamed once whole). */
static int
hctl_library_get(long long id, const char *dest)
{
	char *tmp = xasprintf("%s.part", dest);
	FILE *f = fopen(tmp, "wb");
	json_t *r;
	const char *data;
	unsigned char *buf;
	long long off = 0;
	size_t n;
	bool eof = false;

	if (f == NULL)
		hctl_die("%s: %s", tmp, strerror(errno));
	while (!eof) {
		r = hctl_request("library.download", json_pack("{s:I, s:I}",
		    "id", (json_int_t)id, "offset", (json_int_t)off));
		if (json_object_get(r, "data") == NULL) {
			json_decref(r);
			break;
		}
		data = hctl_str(r, "data");
		buf = xmalloc(strlen(data) / 4 * 3 + 3);
		if (b64_decode(data, strlen(data), buf, &n) != 0 ||
		    fwrite(buf, 1, n, f) != n)
			hctl_die("%s: could not write", tmp);
		free(buf);
		off += (long long)n;
		eof = json_is_true(json_object_get(r, "eof"));
		json_decref(r);
	}
	if (fclose(f) != 0 || !eof || rename(tmp, dest) != 0) {
		remove(tmp);
		hctl_die("%s: not saved", dest);
	}
	printf("Saved %s (%lld bytes).\n", dest, off);
	free(tmp);
	return 0;
}

/* `hearthctl library bin SLUG`: what waits in the library's bin. */
static int
hctl_library_bin(const char *slug)
{
	json_t *r = hctl_request("library.bin", json_pack("{s:s}", "community",
	    slug)), *e;
	size_t i;
	char d[32], g[32];

	if (hctl_print_json(r)) {
		json_decref(r);
		return 0;
	}
	if (json_array_size(json_object_get(r, "documents")) == 0)
		printf("The bin of %s is empty.\n", slug);
	json_array_foreach(json_object_get(r, "documents"), i, e) {
		hctl_print_date(hctl_str(e, "deleted_at"), d);
		hctl_print_date(hctl_str(e, "gone_at"), g);
		printf("  %s%s%-30s %10lld bytes  by %s  deleted %s by %s  "
		    "gone %s  (id %lld)\n", hctl_str(e, "folder"),
		    hctl_str(e, "folder")[0] ? "/" : "", hctl_str(e, "name"),
		    (long long)json_integer_value(json_object_get(e, "size")),
		    hctl_str(e, "uploader"), d, hctl_str(e, "deleted_by"), g,
		    (long long)json_integer_value(json_object_get(e, "id")));
	}
	json_decref(r);
	return 0;
}

int
hctl_library(int argc, char **argv)
{
	json_t *r, *e;
	size_t i;
	char d[32];

	if (argc == 4 && strcmp(argv[1], "get") == 0)
		return hctl_library_get(strtoll(argv[2], NULL, 10), argv[3]);
	if (argc == 3 && strcmp(argv[1], "bin") == 0)
		return hctl_library_bin(argv[2]);
	if (argc == 3 && strcmp(argv[1], "undelete") == 0) {
		r = hctl_request("library.undelete", json_pack("{s:I}", "id",
		    (json_int_t)strtoll(argv[2], NULL, 10)));
		if (!hctl_print_json(r))
			printf("%s is out of the bin, at %s.\n",
			    hctl_str(r, "name"), hctl_str(r, "path"));
		json_decref(r);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "show") == 0) {
		r = hctl_request("library.get", json_pack("{s:I}", "id",
		    (json_int_t)strtoll(argv[2], NULL, 10)));
		if (hctl_print_json(r)) {
			json_decref(r);
			return 0;
		}
		printf("%s (%s), uploaded by %s%s\n", hctl_str(r, "path"),
		    hctl_str(r, "type"), hctl_str(r, "uploader"),
		    json_is_true(json_object_get(r, "managers_only")) ?
		    "; managers only" : "");
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
		    "ID | library get ID FILE | library bin SLUG | library "
		    "undelete ID");
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
		printf("  %-40s %10lld bytes  v%lld  %s  %s  (id %lld)%s\n",
		    hctl_str(e, "name"), (long long)json_integer_value(
		    json_object_get(e, "size")), (long long)json_integer_value(
		    json_object_get(e, "versions")), hctl_str(e, "uploader"),
		    d, (long long)json_integer_value(json_object_get(e, "id")),
		    json_is_true(json_object_get(e, "managers_only")) ?
		    "  managers only" : "");
	}
	json_decref(r);
	return 0;
}
