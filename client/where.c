/*
 * where.c: where the member is, kept on the server (session.where) a
 * second after it last changed, so that when a plain ssh link drops the
 * next login (within the server's resume_minutes) opens the same screen
 * and position: a thread and its post (with its reply composer open again
 * when a reply was left unsent there), a community's tab, a room. A clean
 * quit (q on Home) forgets it, and the next login opens Home.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "common.h"
#include "client.h"

#define WHERE_SAVE_MS 1000

static uv_timer_t save_h;
static bool save_init;
static char *sent; /* the position the server has */
static char *pending; /* the position to send */
static bool quitting;

static void
where_send(uv_timer_t *t)
{
	json_t *w;

	(void)t;
	if (pending == NULL || quitting)
		return;
	w = json_loads(pending, 0, NULL);
	if (w == NULL)
		return;
	net_call("session.where", w, NULL, NULL, NULL);
	free(sent);
	sent = pending;
	pending = NULL;
}

/* The position of the topmost screen that has one; Home otherwise. */
static json_t *
where_now(void)
{
	for (struct view *v = ui_top(); v != NULL; v = v->below)
		if (v->where != NULL) {
			json_t *w = v->where(v);

			if (w != NULL)
				return w;
		}
	return json_pack("{s:s}", "screen", "home");
}

void
where_track(void)
{
	json_t *w;
	char *s;

	if (g_me == NULL || g_plain || quitting || ui_top() == NULL)
		return;
	w = where_now();
	s = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(w);
	if (s == NULL)
		return;
	if ((pending != NULL && strcmp(s, pending) == 0) || (pending == NULL &&
	    sent != NULL && strcmp(s, sent) == 0)) {
		free(s);
		return;
	}
	free(pending);
	pending = s;
	if (sent == NULL) {
		/* the first screen is where the login starts: nothing to keep
		 * until the member moves (a resume must not forget itself) */
		sent = pending;
		pending = NULL;
		return;
	}
	if (!save_init) {
		uv_timer_init(uv_default_loop(), &save_h);
		save_init = true;
	}
	uv_timer_start(&save_h, where_send, WHERE_SAVE_MS, 0);
}

static void
forgot(void *ctx, json_t *result, json_t *error)
{
	(void)ctx;
	(void)result;
	(void)error;
	ui_quit(0);
}

static void
quit_anyway(uv_timer_t *t)
{
	(void)t;
	ui_quit(0);
}

void
where_quit(void)
{
	static uv_timer_t late_h;

	if (quitting)
		return;
	quitting = true;
	if (save_init)
		uv_timer_stop(&save_h);
	if (g_me == NULL || !net_connected()) {
		ui_quit(0);
		return;
	}
	net_call("session.where", NULL, NULL, forgot, NULL);
	/* a server that does not answer does not keep the member here */
	uv_timer_init(uv_default_loop(), &late_h);
	uv_timer_start(&late_h, quit_anyway, 1500, 0);
}

/* ---- coming back ---- */

static json_int_t resumed_thread; /* whose reply draft is being asked */

/* A reply left unsent in the thread resumed into: the composer again. */
static void
resumed_draft(void *ctx, json_t *result, json_t *error)
{
	struct view *thread = ctx;
	json_t *d = draft_of(result, error);

	if (d == NULL || ui_top() != thread || resumed_thread == 0)
		return;
	ui_push(thread_reply_open(resumed_thread, js(d, "body")));
	ui_flash("Back where you were, with your unsent reply (Esc keeps "
	    "it as a draft).");
}

/* A new thread left unsent in the community resumed into: its composer
 * again, the cursor where it was (compose.c). */
static void
resumed_new_thread(void *ctx, json_t *result, json_t *error)
{
	struct view *tab = ctx;
	json_t *d = draft_of(result, error);
	const char *key;

	if (d == NULL || ui_top() != tab || strncmp(key = js(result, "key"),
	    "thread:", 7) != 0)
		return;
	ui_push(composer_open("New thread", "thread.create", json_pack(
	    "{s:s}", "slug", key + 7), key, true, js(d, "body"), NULL));
	ui_flash("Back where you were, with your unsent new thread (Esc "
	    "keeps it as a draft).");
}

static void
resumed(void *ctx, json_t *result, json_t *error)
{
	struct view *home = ctx;
	json_t *w = json_object_get(result, "where");
	const char *screen = js(w, "screen");
	json_t *tab = json_object_get(w, "tab");

	if (error != NULL || !json_is_object(w) || ui_top() != home)
		return;
	if (strcmp(screen, "community") == 0 && js(w, "slug")[0]) {
		char key[64];

		ui_push(view_community_tab(js(w, "slug"), js(w, "title"),
		    json_is_integer(tab) ? (int)json_integer_value(tab) : -1));
		snprintf(key, sizeof key, "thread:%s", js(w, "slug"));
		draft_fetch(key, ui_top(), resumed_new_thread, ui_top());
	} else if (strcmp(screen, "thread") == 0 && ji(w, "thread_id")) {
		if (js(w, "slug")[0])
			ui_push(view_community_tab(js(w, "slug"), js(w,
			    "slug"), 0));
		ui_push(view_thread_at(ji(w, "thread_id"), js(w, "title"),
		    ji(w, "post_id")));
		{
			char key[64];

			resumed_thread = ji(w, "thread_id");
			snprintf(key, sizeof key, "reply:%lld",
			    (long long)resumed_thread);
			draft_fetch(key, ui_top(), resumed_draft, ui_top());
		}
	} else if (strcmp(screen, "room") == 0 && ji(w, "room_id"))
		ui_push(view_room(ji(w, "room_id")));
	else
		return;
	ui_flash("Back where you were (h: Home).");
}

void
where_resume(struct view *home)
{
	if (g_plain)
		return;
	net_call("session.resume", NULL, home, resumed, home);
}
