/*
 * libknow.c: the library's knowledge outside the Library screen. Links:
 * [[doc:ID]] in a post shows as the document's title (library.titles,
 * kept here; render.c asks through render_doc_title) and O on the post
 * opens it in its library. Keeping: S on a post keeps it, or its whole
 * thread, in the community's library with a note (library.keep).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

#define TITLES_MAX 50 /* library.titles' limit */

/* Titles asked for: title NULL while unknown or not to be seen. */
struct doc_title {
	json_int_t id;
	char *title;
};
static struct doc_title *titles;
static size_t ntitles, captitles;

static struct doc_title *
title_find(json_int_t id)
{
	for (size_t i = 0; i < ntitles; i++)
		if (titles[i].id == id)
			return &titles[i];
	return NULL;
}

/* render.c's hook: the title of document id, or NULL. */
static const char *
doc_title(long long id)
{
	struct doc_title *t = title_find((json_int_t)id);

	return t != NULL ? t->title : NULL;
}


/*
 * The next [[doc:ID]] in s at or after *pos: its id (0: none more), *pos
 * moved past it, *start where it began.
 */
json_int_t
doc_link_next(const char *s, size_t *pos, size_t *start)
{
	const char *p = s + *pos, *q;
	json_int_t id;

	while ((p = strstr(p, "[[doc:")) != NULL) {
		q = p + 6;
		id = 0;
		while (*q >= '0' && *q <= '9' && id < 100000000000000LL)
			id = id * 10 + (*q++ - '0');
		if (id > 0 && q > p + 6 && q[0] == ']' && q[1] == ']') {
			*start = (size_t)(p - s);
			*pos = (size_t)(q + 2 - s);
			return id;
		}
		p += 6;
	}
	return 0;
}

static void
titles_got(void *ctx, json_t *result, json_t *error)
{
	int *width = ctx;
	const char *key;
	json_t *d;
	struct doc_title *t;

	if (error != NULL)
		return;
	json_object_foreach(jobj(result, "documents"), key, d) {
		if ((t = title_find(atoll(key))) != NULL && t->title == NULL)
			t->title = xstrdup(js(d, "title"));
	}
	*width = 0; /* render the posts again, with the titles */
	ui_dirty();
}

void
doc_links_want(json_t *posts, struct view *owner, int *width)
{
	json_t *ids = json_array(), *p;
	size_t i, pos, start;
	json_int_t id;

	render_doc_title = doc_title;
	json_array_foreach(posts, i, p) {
		pos = 0;
		while ((id = doc_link_next(js(p, "body"), &pos, &start)) != 0 &&
		    json_array_size(ids) < TITLES_MAX) {
			if (title_find(id) != NULL)
				continue;
			if (ntitles == captitles) {
				captitles = captitles ? captitles * 2 : 16;
				titles = xrealloc(titles, captitles *
				    sizeof *titles);
			}
			titles[ntitles].id = id;
			titles[ntitles++].title = NULL;
			json_array_append_new(ids, json_integer(id));
		}
	}
	if (json_array_size(ids) == 0) {
		json_decref(ids);
		return;
	}
	net_call("library.titles", json_pack("{s:o}", "ids", ids), owner,
	    titles_got, width);
}

/* A Markdown text shown once the titles it links are known. */
struct shown_text {
	char *title, *text;
};

static void
shown_titles_got(void *ctx, json_t *result, json_t *error)
{
	struct shown_text *st = ctx;
	int width;

	titles_got(&width, result, error);
	ui_push(view_message(st->title, st->text));
	free(st->title);
	free(st->text);
	free(st);
}

void
doc_text_show(const char *title, const char *markdown, struct view *owner)
{
	json_t *ids = json_array();
	size_t pos = 0, start;
	json_int_t id;
	struct shown_text *st;

	render_doc_title = doc_title;
	while ((id = doc_link_next(markdown, &pos, &start)) != 0 &&
	    json_array_size(ids) < TITLES_MAX) {
		if (title_find(id) != NULL)
			continue;
		if (ntitles == captitles) {
			captitles = captitles ? captitles * 2 : 16;
			titles = xrealloc(titles, captitles * sizeof *titles);
		}
		titles[ntitles].id = id;
		titles[ntitles++].title = NULL;
		json_array_append_new(ids, json_integer(id));
	}
	if (json_array_size(ids) == 0) {
		json_decref(ids);
		ui_push(view_message(title, markdown));
		return;
	}
	st = xcalloc(1, sizeof *st);
	st->title = xstrdup(title);
	st->text = xstrdup(markdown);
	net_call("library.titles", json_pack("{s:o}", "ids", ids), owner,
	    shown_titles_got, st);
}

bool
doc_link_open(const char *body, const char *community_name)
{
	size_t pos = 0, start;
	json_int_t id = doc_link_next(body, &pos, &start);

	if (id == 0)
		return false;
	ui_push(view_library_doc(id, community_name));
	return true;
}

/* ---- keeping a post or thread in the library ---- */

static void
kept(struct view *below, json_t *result)
{
	(void)below;
	(void)result;
	ui_flash("Kept in the library: it shows in its Library tab.");
}

static bool
keep_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	(void)err;
	(void)len;
	if (strcmp(vals[0], "the whole thread") == 0)
		json_object_del(args, "post_id");
	else
		json_object_del(args, "thread_id");
	json_object_set_new(args, "note", json_string(vals[1]));
	return true;
}

struct view *
keep_form(json_int_t thread_id, json_int_t post_id)
{
	static const struct form_def defs[] = {
		{ "Keep", "this post", "this post|the whole thread", NULL },
		{ "Note", "", NULL, "why it is worth keeping: a case study, "
		    "event notes, best practice…" },
	};

	return form_open("Keep in the library", "Kept posts and threads show "
	    "in the community's Library tab, beside its documents, with your "
	    "note.", "library.keep", json_pack("{s:I, s:I}", "thread_id",
	    thread_id, "post_id", post_id), defs, 2, keep_build, kept);
}
