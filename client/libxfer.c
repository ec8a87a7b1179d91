/*
 * libxfer.c: the native client's direct transfers with a community's
 * library (library.upload_begin/chunk/end, library.download). The native
 * client (`hearth HOST`) runs on the member's own machine, so it can read
 * and write their files: U in the Library tab uploads a local file into
 * the folder shown, D saves the selected document; the line mode's library
 * offers the same (p, and g on a document). Over a terminal login the
 * client runs on the server, so these say to use scp instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "client.h"

#define XFER_CHUNK (32 * 1024) /* as LIBXFER_CHUNK in op-libxfer.c */

struct up {
	FILE *f;
	struct view *owner;
	json_int_t token;
	long long off, size;
	char name[256];
	void (*fin)(struct view *);
};

struct down {
	FILE *f;
	struct view *owner;
	json_int_t id;
	long long off;
	char dest[1024], tmp[1100];
};

static void up_next(struct up *u);

static void
up_end(struct up *u, const char *fmt, const char *arg)
{
	if (fmt != NULL)
		ui_flash(fmt, arg);
	if (u->f != NULL)
		fclose(u->f);
	if (u->fin != NULL && u->owner != NULL)
		u->fin(u->owner);
	free(u);
}

static void
up_ended(void *ctx, json_t *result, json_t *error)
{
	struct up *u = ctx;
	char size[32], msg[400];

	if (error != NULL) {
		up_end(u, "Not uploaded: %s", err_message(error));
		return;
	}
	library_size(ji(result, "size"), size, sizeof size);
	snprintf(msg, sizeof msg, "Uploaded %s (%s, version %lld).",
	    js(result, "name"), size, (long long)ji(result, "version"));
	up_end(u, "%s", msg);
}

static void
up_chunked(void *ctx, json_t *result, json_t *error)
{
	struct up *u = ctx;

	(void)result;
	if (error != NULL) {
		up_end(u, "Not uploaded: %s", err_message(error));
		return;
	}
	up_next(u);
}

static void
up_next(struct up *u)
{
	unsigned char buf[XFER_CHUNK];
	char *b64;
	size_t n = fread(buf, 1, sizeof buf, u->f);

	if (n == 0) {
		if (ferror(u->f)) {
			net_call("library.upload_abort", json_pack("{s:I}",
			    "upload", u->token), NULL, NULL, NULL);
			up_end(u, "Not uploaded: could not read %s.", u->name);
			return;
		}
		net_call("library.upload_end", json_pack("{s:I}", "upload",
		    u->token), u->owner, up_ended, u);
		return;
	}
	b64 = xmalloc((n + 2) / 3 * 4 + 1);
	b64_encode(buf, n, b64);
	if (u->size > 0)
		ui_flash("Uploading %s: %lld%%", u->name,
		    (u->off + (long long)n) * 100 / u->size);
	net_call("library.upload_chunk", json_pack("{s:I, s:I, s:s}",
	    "upload", u->token, "offset", (json_int_t)u->off, "data", b64),
	    u->owner, up_chunked, u);
	u->off += (long long)n;
	free(b64);
}

static void
up_begun(void *ctx, json_t *result, json_t *error)
{
	struct up *u = ctx;

	if (error != NULL) {
		up_end(u, "Not uploaded: %s", err_message(error));
		return;
	}
	u->token = ji(result, "upload");
	up_next(u);
}

/* Upload the local file into (slug, path) as name; fin(owner) after. */
void
libxfer_upload(struct view *owner, const char *slug, const char *path,
    const char *local, const char *name, void (*fin)(struct view *))
{
	struct up *u;
	struct stat sb;
	FILE *f;

	if (!net_is_native()) {
		ui_flash("Only the native client (hearth HOST on your own "
		    "machine) uploads directly: use the scp line.");
		return;
	}
	if ((f = fopen(local, "rb")) == NULL || fstat(fileno(f), &sb) != 0 ||
	    !S_ISREG(sb.st_mode)) {
		ui_flash("Cannot read %s: %s", local, f == NULL ?
		    strerror(errno) : "not a file");
		if (f != NULL)
			fclose(f);
		return;
	}
	u = xcalloc(1, sizeof *u);
	u->f = f;
	u->owner = owner;
	u->size = (long long)sb.st_size;
	u->fin = fin;
	snprintf(u->name, sizeof u->name, "%s", name);
	ui_flash("Uploading %s…", name);
	net_call("library.upload_begin", json_pack("{s:s, s:s, s:s}",
	    "community", slug, "path", path, "name", name), owner, up_begun,
	    u);
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : p;
}

static bool
up_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[0][0] == '\0') {
		snprintf(err, len, "Which file? A path on this computer.");
		return false;
	}
	json_object_set_new(args, "local", json_string(vals[0]));
	json_object_set_new(args, "name", json_string(vals[1][0] ?
	    vals[1] : base_name(vals[0])));
	return true;
}

static void (*up_fin)(struct view *);

static void
up_form_done(struct view *below, json_t *args)
{
	libxfer_upload(below, js(args, "community"), js(args, "path"),
	    js(args, "local"), js(args, "name"), up_fin);
}

/* U in the Library tab: the form, then the upload (native client). */
void
libxfer_upload_open(struct view *below, const char *slug, const char *path,
    void (*fin)(struct view *))
{
	static const struct form_def defs[] = {
		{ "File on this computer", "", NULL, "e.g. ~/notes.pdf as "
		    "a full path" },
		{ "Name in the library", "", NULL, "Enter: the file's own "
		    "name" },
	};

	if (!net_is_native()) {
		ui_flash("Only the native client (hearth HOST on your own "
		    "machine) uploads directly: use the scp line below.");
		return;
	}
	up_fin = fin;
	ui_push(form_open("Upload a file", "From this computer into this "
	    "folder; over a name already there it becomes a new version.", "",
	    json_pack("{s:s, s:s}", "community", slug, "path", path), defs, 2,
	    up_build, up_form_done));
}

/* ---- downloads ---- */

static void
down_end(struct down *d, bool ok, const char *why)
{
	fclose(d->f);
	if (ok && rename(d->tmp, d->dest) == 0)
		ui_flash("Saved %s.", d->dest);
	else {
		remove(d->tmp);
		ui_flash("Not saved: %s", why != NULL ? why : strerror(errno));
	}
	free(d);
}

static void
down_got(void *ctx, json_t *result, json_t *error)
{
	struct down *d = ctx;
	const char *data;
	unsigned char *buf;
	size_t n = 0;

	if (error != NULL) {
		down_end(d, false, err_message(error));
		return;
	}
	data = js(result, "data");
	buf = xmalloc(strlen(data) / 4 * 3 + 3);
	if (b64_decode(data, strlen(data), buf, &n) != 0 ||
	    fwrite(buf, 1, n, d->f) != n) {
		free(buf);
		down_end(d, false, "could not write the file");
		return;
	}
	free(buf);
	d->off += (long long)n;
	if (json_is_true(json_object_get(result, "eof"))) {
		down_end(d, fflush(d->f) == 0, NULL);
		return;
	}
	net_call("library.download", json_pack("{s:I, s:I}", "id", d->id,
	    "offset", (json_int_t)d->off), d->owner, down_got, d);
}

/* Save document id to the local path dest (native client). */
void
libxfer_download(struct view *owner, json_int_t id, const char *dest)
{
	struct down *d = xcalloc(1, sizeof *d);

	snprintf(d->dest, sizeof d->dest, "%s", dest);
	snprintf(d->tmp, sizeof d->tmp, "%s.part", dest);
	if ((d->f = fopen(d->tmp, "wb")) == NULL) {
		ui_flash("Cannot write %s: %s", d->tmp, strerror(errno));
		free(d);
		return;
	}
	d->id = id;
	d->owner = owner;
	ui_flash("Fetching %s…", base_name(dest));
	net_call("library.download", json_pack("{s:I, s:I}", "id", id,
	    "offset", (json_int_t)0), owner, down_got, d);
}

static bool
down_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[0][0] == '\0') {
		snprintf(err, len, "Where? A path on this computer.");
		return false;
	}
	json_object_set_new(args, "dest", json_string(vals[0]));
	return true;
}

static void
down_form_done(struct view *below, json_t *args)
{
	libxfer_download(below, ji(args, "id"), js(args, "dest"));
}

/* D on a document in the Library tab (native client). */
void
libxfer_download_open(struct view *below, json_int_t id, const char *name)
{
	struct form_def defs[1] = {
		{ "Save as", name, NULL, "a path on this computer" },
	};

	if (!net_is_native()) {
		ui_flash("Only the native client (hearth HOST on your own "
		    "machine) saves directly: use the scp line below.");
		return;
	}
	ui_push(form_open("Save a document", "To this computer.", "",
	    json_pack("{s:I}", "id", id), defs, 1, down_build,
	    down_form_done));
}

/* ---- the line mode ---- */

/* p in the line mode's library: a local file into (slug, path). */
void
plain_libxfer_put(const char *slug, const char *path)
{
	char local[1024], name[256], *b64;
	unsigned char buf[XFER_CHUNK];
	json_t *r, *res;
	json_int_t token;
	long long off = 0;
	size_t n;
	FILE *f;

	if (!net_is_native()) {
		plain_out("Only the native client (hearth HOST on your own "
		    "machine) uploads directly: use the scp line.\n");
		return;
	}
	snprintf(local, sizeof local, "%s", plain_ask("File on this computer "
	    "(a full path): "));
	if (local[0] == '\0')
		return;
	snprintf(name, sizeof name, "%s", plain_ask("Name in the library "
	    "(Enter: its own name): "));
	if (name[0] == '\0')
		snprintf(name, sizeof name, "%.255s", base_name(local));
	if ((f = fopen(local, "rb")) == NULL) {
		plain_out("Cannot read %s: %s\n", local, strerror(errno));
		return;
	}
	r = plain_call("library.upload_begin", json_pack("{s:s, s:s, s:s}",
	    "community", slug, "path", path, "name", name));
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		fclose(f);
		return;
	}
	token = ji(res, "upload");
	json_decref(r);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		b64 = xmalloc((n + 2) / 3 * 4 + 1);
		b64_encode(buf, n, b64);
		r = plain_call("library.upload_chunk", json_pack("{s:I, s:I, "
		    "s:s}", "upload", token, "offset", (json_int_t)off, "data",
		    b64));
		free(b64);
		res = plain_result(r);
		json_decref(r);
		if (res == NULL) {
			fclose(f);
			return;
		}
		off += (long long)n;
	}
	fclose(f);
	r = plain_call("library.upload_end", json_pack("{s:I}", "upload",
	    token));
	if ((res = plain_result(r)) != NULL)
		plain_out("Uploaded %s (%lld bytes, version %lld).\n",
		    js(res, "name"), (long long)ji(res, "size"),
		    (long long)ji(res, "version"));
	json_decref(r);
}

/* g on a document in the line mode: saved to a local path. */
void
plain_libxfer_get(json_int_t id, const char *name)
{
	char dest[1024], tmp[1100];
	unsigned char *buf;
	const char *data;
	json_t *r, *res;
	long long off = 0;
	bool eof = false;
	size_t n;
	FILE *f;

	if (!net_is_native())
		return;
	snprintf(dest, sizeof dest, "%s", plain_ask("Save as (a path on this "
	    "computer, Enter: skip): "));
	(void)name;
	if (dest[0] == '\0')
		return;
	snprintf(tmp, sizeof tmp, "%s.part", dest);
	if ((f = fopen(tmp, "wb")) == NULL) {
		plain_out("Cannot write %s: %s\n", tmp, strerror(errno));
		return;
	}
	while (!eof) {
		r = plain_call("library.download", json_pack("{s:I, s:I}", "id",
		    id, "offset", (json_int_t)off));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			break;
		}
		data = js(res, "data");
		buf = xmalloc(strlen(data) / 4 * 3 + 3);
		if (b64_decode(data, strlen(data), buf, &n) != 0 ||
		    fwrite(buf, 1, n, f) != n) {
			free(buf);
			json_decref(r);
			break;
		}
		free(buf);
		off += (long long)n;
		eof = json_is_true(json_object_get(res, "eof"));
		json_decref(r);
	}
	if (fclose(f) == 0 && eof && rename(tmp, dest) == 0)
		plain_out("Saved %s (%lld bytes).\n", dest, off);
	else {
		remove(tmp);
		plain_out("Not saved.\n");
	}
}
