/*
 * plain-libknow.c: the library's knowledge in the line mode. In a thread:
 * k N keeps post N, K the whole thread, in the community's library with a
 * note (leaders and managers); o N opens the document post N links. Links
 * [[doc:ID]] print as the document's title, asked for when first met.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* Titles met so far (NULL: not to be seen); the line mode waits. */
static struct {
	json_int_t id;
	char *title;
} seen[256];
static size_t nseen;

static const char *
plain_doc_title(long long id)
{
	json_t *r, *res, *d;
	char key[32];
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].id == id)
			return seen[i].title;
	r = plain_call("library.titles", json_pack("{s:[I]}", "ids",
	    (json_int_t)id));
	res = json_object_get(r, "result");
	snprintf(key, sizeof key, "%lld", id);
	d = json_object_get(json_object_get(res, "documents"), key);
	if (nseen == sizeof seen / sizeof seen[0]) {
		free(seen[0].title);
		memmove(seen, seen + 1, (nseen - 1) * sizeof seen[0]);
		nseen--;
	}
	seen[nseen].id = id;
	seen[nseen].title = d != NULL ? xstrdup(js(d, "title")) : NULL;
	json_decref(r);
	return seen[nseen++].title;
}

void
plain_libknow_init(void)
{
	render_doc_title = plain_doc_title;
}

void
plain_libknow_help(json_t *th)
{
	plain_out("Library: o N opens the document post N links%s.\n",
	    ji(th, "moderator") ? "; k N keeps post N in the library, K the "
	    "whole thread" : "");
}

bool
plain_libknow_cmd(const char *s, json_int_t thread_id, json_t *th, json_t *p)
{
	size_t pos = 0, start;
	json_int_t id;
	char note[2100];
	bool whole;

	if (s[0] == 'o' && s[1] == ' ') {
		if (p == NULL)
			plain_out("No post with that number.\n");
		else if ((id = doc_link_next(js(p, "body"), &pos, &start)) == 0)
			plain_out("That post links no document: [[doc:ID]] in "
			    "a post links one.\n");
		else
			plain_library_doc(id);
		return true;
	}
	if (!((s[0] == 'k' && s[1] == ' ') || (s[0] == 'K' && s[1] == '\0')))
		return false;
	if (s[0] == 'k' && p == NULL) {
		plain_out("No post with that number.\n");
		return true;
	}
	if (!ji(th, "moderator")) {
		plain_out("Only the community's leaders and managers keep posts "
		    "in its library.\n");
		return true;
	}
	whole = s[0] == 'K'; /* (plain_ask reuses s's buffer) */
	snprintf(note, sizeof note, "%s", plain_ask("A note: why it is worth "
	    "keeping (Enter alone: none): "));
	plain_do("library.keep", whole ? json_pack("{s:I, s:s}",
	    "thread_id", thread_id, "note", note) : json_pack("{s:I, s:s}",
	    "post_id", ji(p, "id"), "note", note), "Kept in the library: it "
	    "is listed in the community's library.");
	return true;
}

/* A community's kept posts and threads, after its library's top level:
 * numbered from first on; returns how many. */
size_t
plain_libknow_kept(const char *slug, size_t first, json_t **out)
{
	json_t *r = plain_call("library.kept", json_pack("{s:s}", "community",
	    slug)), *a, *e;
	size_t i;

	*out = NULL;
	a = json_object_get(json_object_get(r, "result"), "kept");
	if (json_array_size(a) == 0) {
		json_decref(r);
		return 0;
	}
	plain_out("Kept posts and threads:\n");
	json_array_foreach(a, i, e) {
		plain_out("  %zu. %s\"%s\", kept by %s%s%s\n", first + i,
		    ji(e, "post_id") ? "Post in " : "Thread ", js(e, "title"),
		    js(e, "kept_by"), js(e, "note")[0] ? ": " : "",
		    js(e, "note"));
	}
	if (json_is_true(json_object_get(json_object_get(r, "result"),
	    "may_keep")))
		plain_out("x N takes kept item N out of the library (the post "
		    "stays).\n");
	*out = json_incref(a);
	json_decref(r);
	return json_array_size(a);
}

/* Where document id is linked from: the posts the member may read. */
void
plain_libknow_links(json_int_t id)
{
	json_t *r = plain_call("library.links", json_pack("{s:I}", "id", id));
	json_t *a = json_object_get(json_object_get(r, "result"), "posts"), *e;
	size_t i;

	if (json_array_size(a) == 0)
		plain_out("No post links it yet.\n");
	else
		plain_out("Linked from:\n");
	json_array_foreach(a, i, e)
		plain_out("  \"%s\" in %s, by %s, %s\n", js(e, "title"),
		    js(json_object_get(e, "community"), "name"),
		    js(json_object_get(e, "author"), "display_name"),
		    when_say(js(e, "at")));
	json_decref(r);
}
