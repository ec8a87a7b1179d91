/*
 * search.c: search (search.query over threads, posts, profiles and
 * library documents) and the member directory (member.search): a query
 * line and the results, each opening its thread, profile or document (in
 * its library: library.c's view_library_doc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct search {
	struct view v;
	bool directory;
	struct field q;
	bool typing;
	struct list l;
	char msg[256];
};

static void
search_got(void *ctx, json_t *result, json_t *error)
{
	struct search *s = ctx;
	json_t *a, *r;
	size_t i;

	list_clear(&s->l);
	if (error != NULL) {
		snprintf(s->msg, sizeof s->msg, "%s", err_message(error));
		return;
	}
	a = jarr(result, s->directory ? "members" : "results");
	snprintf(s->msg, sizeof s->msg, "%zu found.", json_array_size(a));
	json_array_foreach(a, i, r) {
		char text[600];
		if (s->directory) {
			snprintf(text, sizeof text, "%s  @%s  %s",
			    js(r, "display_name"), js(r, "handle"),
			    js(r, "job_role"));
			list_add(&s->l, text, js(r, "region"), C_NORMAL, r,
			    true);
			continue;
		}
		snprintf(text, sizeof text, "%s", js(r, "title")[0] ?
		    js(r, "title") : js(r, "name"));
		/* a document: where it is (two of one name in two folders) */
		list_add(&s->l, text, js(r, "path")[0] ? js(r, "path") :
		    js(json_object_get(r, "community"), "name")[0] ?
		    js(json_object_get(r, "community"), "name") :
		    js(r, "kind"), C_HEAD, r, true);
		if (js(r, "snippet")[0]) {
			char *clean = snippet_clean(js(r, "snippet"));
			snprintf(text, sizeof text, "    %s", clean);
			free(clean);
			list_add(&s->l, text, NULL, C_DIM, NULL, false);
		}
	}
	list_fix(&s->l);
}

static void
search_draw(struct view *v, int rows, int cols)
{
	struct search *s = (struct search *)v;
	int end = field_draw(&s->q, 1, 2, cols - 4, s->typing);

	if (s->typing)
		ui_cursor(1, end);
	if (s->msg[0] != '\0')
		put_text(2, 2, cols - 4, s->msg, C_DIM, 0);
	list_draw(&s->l, 3, rows - 2, cols);
}

static bool
search_key(struct view *v, int ch, bool is_key)
{
	struct search *s = (struct search *)v;
	struct row *r;

	if (s->typing) {
		if (ENTER(ch, is_key)) {
			s->typing = false;
			snprintf(s->msg, sizeof s->msg, "Searching...");
			net_call(s->directory ? "member.search" :
			    "search.query", json_pack("{s:s}", "q",
			    s->q.text), v, search_got, s);
			return true;
		}
		if (!is_key && ch == 27) {
			ui_pop();
			return true;
		}
		if (is_key && ch == KEY_DOWN) {
			s->typing = false;
			return true;
		}
		field_key(&s->q, ch, is_key);
		return true; /* typing: no key means anything else */
	}
	if (!is_key && ch == '/') { /* a new search: the field starts empty */
		s->q.text[0] = '\0';
		s->q.len = 0;
		s->typing = true;
		return true;
	}
	if (list_key(&s->l, ch, is_key))
		return true;
	if (!is_key && ch == 'W' && (r = list_cur(&s->l)) != NULL &&
	    s->directory && js(r->data, "handle")[0]) { /* messages.c */
		struct view *w = view_message_to(js(r->data, "handle"));
		if (w != NULL)
			ui_push(w);
		return true;
	}
	if (ENTER(ch, is_key) && (r = list_cur(&s->l)) != NULL) {
		if (!s->directory && ji(r->data, "document_id"))
			ui_push(view_library_doc(ji(r->data, "document_id"),
			    js(json_object_get(r->data, "community"), "name")));
		else if (s->directory || (js(r->data, "handle")[0] &&
		    !ji(r->data, "thread_id")))
			ui_push(view_profile(js(r->data, "handle")));
		else if (ji(r->data, "thread_id") || ji(r->data, "thread"))
			ui_push(view_thread(ji(r->data, "thread_id") ?
			    ji(r->data, "thread_id") : ji(r->data, "thread"),
			    js(r->data, "title")));
		return true;
	}
	return false;
}

static void
search_free(struct view *v)
{
	struct search *s = (struct search *)v;

	list_free(&s->l);
	free(s);
}

struct view *
view_search(bool directory)
{
	struct search *s = xcalloc(1, sizeof *s);

	s->v.title = directory ? "Directory" : "Search";
	s->v.keys = directory ? "type, Enter:search  /:new search  "
	    "Enter:open  W:write privately" : "type, Enter:search  /:new "
	    "search  Enter:open";
	s->v.draw = search_draw;
	s->v.key = search_key;
	s->v.free = search_free;
	s->directory = directory;
	s->typing = true;
	s->q.label = directory ? "Find members" : "Search";
	return &s->v;
}
