/*
 * plain-library.c: a community's library in the line mode (library.list,
 * library.get): folders and documents numbered, a document's versions,
 * and the exact scp lines to fetch one or to upload into a folder from
 * the member's own machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* A long document's lines read out at a time (a screenful or so). */
#define DOC_PAGE 30

/*
 * A plain-text or Markdown document (its first 256 KiB). A short one is
 * printed; of a long one, how long it is comes first, with the choice to
 * read it, then DOC_PAGE lines at a time: Enter reads on, a reads the
 * rest, s stops.
 */
static void
text(json_int_t id)
{
	json_t *r = plain_call("library.text", json_pack("{s:I}", "id", id));
	json_t *res = plain_result(r);
	struct rdoc d;
	size_t i = 0, stop;
	bool all = false;
	char prompt[160];
	const char *a;

	if (res == NULL) {
		json_decref(r);
		return;
	}
	plain_libknow_init(); /* [[doc:ID]] by title, as in posts */
	rdoc_init(&d);
	render_markdown(&d, js(res, "text"), strlen(js(res, "text")), 76);
	if (d.n > DOC_PAGE) {
		snprintf(prompt, sizeof prompt, "It is %zu lines long. Enter "
		    "reads it, %d lines at a time (a: all of it); s skips it: ",
		    d.n, DOC_PAGE);
		a = plain_ask(prompt);
		if (a[0] == 's' || a[0] == '0')
			i = d.n + 1; /* not read */
		all = a[0] == 'a';
	}
	if (i == 0)
		plain_out("\n");
	while (i < d.n) {
		stop = all || d.n - i <= DOC_PAGE ? d.n : i + DOC_PAGE;
		for (; i < stop; i++)
			plain_out("  %s\n", d.lines[i].text);
		if (i == d.n)
			break;
		snprintf(prompt, sizeof prompt, "%zu of %zu lines read. Enter "
		    "reads on, a reads the rest, s stops: ", i, d.n);
		a = plain_ask(prompt);
		if (a[0] == 's' || a[0] == '0') {
			plain_out("Stopped at line %zu of %zu.\n", i, d.n);
			break;
		}
		all = a[0] == 'a';
	}
	if (i == d.n) /* a screen reader hears where the text ends */
		plain_out("(End of the document.)\n");
	if (i == d.n && json_is_true(json_object_get(res, "truncated")))
		plain_out("  (more: fetch it with scp)\n");
	rdoc_free(&d);
	json_decref(r);
}

/* Its title, description and tags (uploader, managers); who sees it. */
static void
edit(json_int_t id, json_t *doc, bool manage)
{
	char title[256], desc[2048], tags[256];
	json_t *a;
	const char *s;

	s = plain_ask(manage ? "e to change its title, description, tags or "
	    "who sees it, Enter to go on: " : "e to change its title, "
	    "description or tags, Enter: back: ");
	if (s[0] != 'e')
		return;
	snprintf(title, sizeof title, "%s", plain_ask("Title (Enter: keep): "));
	snprintf(desc, sizeof desc, "%s", plain_ask("Description (Enter: "
	    "keep): "));
	snprintf(tags, sizeof tags, "%s", plain_ask("Tags (Enter: keep): "));
	a = json_pack("{s:I}", "id", id);
	if (title[0])
		json_object_set_new(a, "title", json_string(title));
	if (desc[0])
		json_object_set_new(a, "description", json_string(desc));
	if (tags[0])
		json_object_set_new(a, "tags", json_string(tags));
	if (manage) {
		s = plain_ask("Who sees it: 1 every reader, 2 managers only "
		    "(Enter: keep): ");
		if (s[0] == '1' || s[0] == '2')
			json_object_set_new(a, "managers_only",
			    json_boolean(s[0] == '2'));
	}
	(void)doc;
	plain_do("library.update", a, "Saved.");
}

static void
document(json_int_t id, bool manage)
{
	json_t *r = plain_call("library.get", json_pack("{s:I}", "id", id));
	json_t *res = plain_result(r), *v;
	char size[32];
	size_t i;

	if (res != NULL) {
		plain_out("\n%s (%s, uploaded by %s%s)\n", js(res, "path"),
		    js(res, "type"), library_uploader(res),
		    json_is_true(json_object_get(res, "managers_only")) ?
		    "; managers only" : "");
		json_array_foreach(json_object_get(res, "versions"), i, v) {
			library_size(ji(v, "size"), size, sizeof size);
			plain_out("  version %lld: %s by %s, %s, SHA-256 "
			    "%.16s...\n", (long long)ji(v, "version"), size,
			    library_uploader(v), when_say(js(v, "created_at")),
			    js(v, "sha256"));
		}
		plain_out("To fetch it, on your own machine:\n  %s\n",
		    js(res, "scp"));
		plain_out("To link it from a post, write [[doc:%lld]].\n",
		    (long long)id);
		plain_libknow_links(id); /* plain-libknow.c */
		if (net_is_native())
			plain_libxfer_get(id, js(res, "name"));
		if (strncmp(js(res, "type"), "text/", 5) == 0)
			text(id);
		if (manage || strcmp(js(res, "uploader"),
		    js(plain_me(), "handle")) == 0)
			edit(id, res, manage);
		if (manage && json_array_size(json_object_get(res,
		    "versions")) > 1) {
			const char *s = plain_ask("To make an older version "
			    "the newest again, its number; Enter: back: ");
			long long n = atoll(s);
			char q[400];

			snprintf(q, sizeof q, "Make version %lld of %s the "
			    "newest (a new version; the others stay)? y/n: ",
			    n, js(res, "name"));
			if (n > 0 && plain_ask(q)[0] == 'y')
				plain_do("library.restore", json_pack("{s:I, "
				    "s:I}", "id", id, "version", (json_int_t)n),
				    "Restored as the newest version.");
			else if (n > 0)
				plain_out("Nothing changed.\n");
		}
	}
	json_decref(r);
}

void
plain_library(const char *slug)
{
	char path[1024] = "", *s, size[32], *slash, prompt[128];
	json_t *r, *res, *f, *d, *kept = NULL;
	size_t i, nf, nd;

	for (;;) {
		r = plain_call("library.list", json_pack("{s:s, s:s}",
		    "community", slug, "path", path));
		if ((res = plain_result(r)) == NULL) {
			json_decref(kept);
			json_decref(r);
			return;
		}
		plain_out("\nLibrary %s\n", js(res, "path"));
		nf = json_array_size(json_object_get(res, "folders"));
		json_array_foreach(json_object_get(res, "folders"), i, f)
			plain_out("  %zu. %s/\n", i + 1, js(f, "name"));
		json_array_foreach(json_object_get(res, "documents"), i, d) {
			library_size(ji(d, "size"), size, sizeof size);
			bool titled = js(d, "title")[0] && strcmp(js(d,
			    "title"), js(d, "name")) != 0;

			plain_out("  %zu. %s%s%s%s  (%s%s, %s, %s, %lld "
			    "version%s)\n", nf + i + 1, js(d, "name"),
			    titled ? ", “" : "", titled ? js(d, "title") : "",
			    titled ? "”" : "", json_is_true(json_object_get(d,
			    "managers_only")) ? "managers only, " : "", size,
			    library_uploader(d), when_say(js(d, "updated_at")),
			    (long long)ji(d, "versions"),
			    ji(d, "versions") == 1 ? "" : "s");
		}
		if (nf + json_array_size(json_object_get(res, "documents")) ==
		    0)
			plain_out("  Nothing here yet.\n");
		nd = json_array_size(json_object_get(res, "documents"));
		json_decref(kept);
		kept = NULL;
		if (path[0] == '\0' && strcmp(slug, "platform") != 0)
			/* plain-libknow.c; the platform's keeps none */
			plain_libknow_kept(slug, nf + nd + 1, &kept);
		if (json_is_true(json_object_get(res, "may_upload")))
			plain_out("To upload a file here, on your own "
			    "machine:\n  %s\n", js(res, "upload"));
		if (json_is_true(json_object_get(res, "may_upload")) &&
		    net_is_native())
			plain_out("Or p: put a file from this computer here.\n");
		if (json_is_true(json_object_get(res, "may_manage")) &&
		    strcmp(slug, "platform") != 0)
			snprintf(prompt, sizeof prompt, "Number to open, u up, "
			    "b bin, w who may add (now %s), 0 back: ",
			    js(res, "upload_by"));
		else
			snprintf(prompt, sizeof prompt, "Number to open, u up, "
			    "b bin, 0 back: ");
		s = plain_ask(prompt);
		if (s[0] == 'w' && json_is_true(json_object_get(res,
		    "may_manage")) && strcmp(slug, "platform") != 0) {
			s = plain_ask("Who may add documents and folders: 1 "
			    "members, 2 leaders and managers: ");
			if (s[0] == '1' || s[0] == '2')
				plain_do("library.settings", json_pack("{s:s, "
				    "s:s}", "community", slug, "upload",
				    s[0] == '1' ? "members" : "leaders"),
				    "Saved.");
			json_decref(r);
			continue;
		}
		if (s[0] == 'p' && net_is_native()) {
			plain_libxfer_put(slug, path);
			json_decref(r);
			continue;
		}
		if (s[0] == 'b') {
			plain_libbin(slug);
			json_decref(r);
			continue;
		}
		if (s[0] == 'u' && path[0] != '\0') {
			if ((slash = strrchr(path, '/')) != NULL)
				*slash = '\0';
			else
				path[0] = '\0';
		} else if (atoi(s) > 0 && (size_t)atoi(s) <= nf) {
			f = json_array_get(json_object_get(res, "folders"),
			    (size_t)atoi(s) - 1);
			size_t n = strlen(path);

			snprintf(path + n, sizeof path - n, "%s%s",
			    n > 0 ? "/" : "", js(f, "name"));
		} else if (atoi(s) > 0 && (d = json_array_get(
		    json_object_get(res, "documents"), (size_t)atoi(s) - 1 -
		    nf)) != NULL) {
			document(ji(d, "id"), json_is_true(json_object_get(
			    res, "may_manage")));
		} else if (atoi(s) > 0 && (d = json_array_get(kept,
		    (size_t)atoi(s) - 1 - nf - nd)) != NULL) {
			plain_thread_at(ji(d, "thread_id"), ji(d, "post_id"));
		} else if (s[0] == 'x' && (d = json_array_get(kept,
		    (size_t)atoi(s + 1) - 1 - nf - nd)) != NULL) {
			plain_do("library.unkeep", json_pack("{s:I}", "id",
			    ji(d, "id")), "Taken out of the library.");
		} else if (s[0] != 'u') {
			json_decref(kept);
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}

/* A document found elsewhere (search, a link): shown as the library shows
 * it, with the managers' choices for its community's managers. */
void
plain_library_doc(json_int_t id)
{
	json_t *r = plain_call("library.get", json_pack("{s:I}", "id", id));
	json_t *res = plain_result(r), *l = NULL;
	bool manage = false;

	if (res != NULL) {
		l = plain_call("library.list", json_pack("{s:s}", "community",
		    js(res, "community")));
		manage = json_is_true(json_object_get(json_object_get(l,
		    "result"), "may_manage"));
		document(id, manage);
	}
	json_decref(l);
	json_decref(r);
}
