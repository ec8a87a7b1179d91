/*
 * thread.c: a thread's posts rendered from CommonMark, loaded page by page
 * and kept live with thread.new_post and thread.post_changed (a moderator
 * hid or showed a post); reply, quote, thank and edit; report, delete,
 * history, and moderators' keys (moderate.c's forms).
 */
#include <ctype.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* ---- thread ---- */

struct thread {
	struct view v;
	json_int_t id;
	char name[256];
	json_t *thread;
	json_t *posts; /* array */
	struct rdoc doc;
	size_t *post_line; /* first line of each post */
	int doc_width;
	size_t rendered; /* posts in doc */
	int scroll, sel;
	int rows;
	bool loading, follow;
	bool watch_lost; /* a later thread.get took the live events */
	char err[256];
	json_int_t want_post; /* opened on this post (a notification) */
	bool goto_sel; /* show the selected post once it is rendered */
};

static void thread_load(struct thread *);
static void thread_more(struct thread *, json_int_t after);

/*
 * Render the posts not rendered yet for the width (all of them after a
 * width change or an edit): a header line, the body, a gap. New posts
 * arriving only add to the end, so opening a long thread renders each
 * post once.
 */
static void
thread_render(struct thread *t, int width)
{
	size_t i, n = json_array_size(t->posts);
	json_t *p;
	char head[512], who[160], when[32];

	if (t->doc_width != width) {
		rdoc_free(&t->doc);
		rdoc_init(&t->doc);
		t->rendered = 0;
		t->doc_width = width;
	}
	t->post_line = xrealloc(t->post_line, (n + 1) *
	    sizeof *t->post_line);
	for (i = t->rendered; i < n; i++) {
		json_int_t thanks;
		p = json_array_get(t->posts, i);
		thanks = ji(p, "thanks");
		t->post_line[i] = t->doc.n;
		author_of(p, who, sizeof who);
		short_time(js(p, "created_at"), when);
		if (author_handle(p)[0] != '\0')
			snprintf(head, sizeof head, "%s  @%s  %s%s", who,
			    author_handle(p), when, js(p, "edited_at")[0] ?
			    "  (edited)" : "");
		else /* Hearth's own posts; Chatham records name nobody */
			snprintf(head, sizeof head, "Hearth  %s%s", when,
			    js(p, "edited_at")[0] ? "  (edited)" : "");
		if (thanks > 0) {
			size_t l = strlen(head);
			snprintf(head + l, sizeof head - l, "  ♥ %lld thank%s",
			    (long long)thanks, thanks == 1 ? "" : "s");
		}
		rdoc_add(&t->doc, head, ST_BOLD | ST_HEAD, width);
		if (ji(p, "deleted"))
			rdoc_add(&t->doc, "(deleted by its author)", ST_DIM,
			    width);
		else if (ji(p, "hidden") && !json_is_string(json_object_get(p,
		    "body")))
			rdoc_add(&t->doc, "(hidden by a moderator)", ST_DIM,
			    width);
		else {
			if (ji(p, "hidden")) {
				char why[300];
				snprintf(why, sizeof why, "(hidden from others: "
				    "%s)", js(p, "hidden_reason"));
				rdoc_add(&t->doc, why, ST_DIM, width);
			}
			const char *b = js(p, "body");
			render_markdown(&t->doc, b, strlen(b), width - 2);
		}
		rdoc_add(&t->doc, "", 0, width);
	}
	t->rendered = n;
	t->post_line[n] = t->doc.n;
}

static json_t *thread_cur_post(struct thread *t);

/* The footer: e (edit) only on the member's own post. */
static void
thread_keys(struct thread *t)
{
	json_t *p = t->posts != NULL ? thread_cur_post(t) : NULL;
	bool own = p != NULL && g_me != NULL && strcmp(author_handle(p),
	    js(g_me, "handle")) == 0;

	t->v.keys = own ? "r:reply  Q:quote  t:thank  e:edit  !:report  "
	    "Tab/[:next/prev post  Space:page  ?:more" : "r:reply  Q:quote  "
	    "t:thank  !:report  Tab/[:next/prev post  Space:page  ?:more";
}

static void
thread_draw(struct view *v, int rows, int cols)
{
	struct thread *t = (struct thread *)v;
	int body = rows - 3, maxscroll;
	char line[300];

	t->rows = body;
	thread_keys(t);
	put_text(1, 1, cols - 2, t->name, C_HEAD, A_BOLD);
	if (t->err[0] != '\0') {
		put_text(3, 2, cols - 4, t->err, C_ERROR, 0);
		return;
	}
	if (t->posts == NULL) {
		put_text(3, 2, cols - 4, "Loading...", C_DIM, 0);
		return;
	}
	if (t->doc_width != cols - 4 || t->rendered != json_array_size(
	    t->posts))
		thread_render(t, cols - 4);
	if (t->goto_sel && t->sel >= 0 && (size_t)t->sel < t->rendered) {
		t->scroll = (int)t->post_line[t->sel];
		t->goto_sel = false;
	}
	maxscroll = (int)t->doc.n - body;
	if (maxscroll < 0)
		maxscroll = 0;
	if (t->follow)
		t->scroll = maxscroll;
	if (t->scroll > maxscroll)
		t->scroll = maxscroll;
	if (t->scroll < 0)
		t->scroll = 0;
	for (int i = 0; i < body && (size_t)(t->scroll + i) < t->doc.n; i++) {
		size_t ln = (size_t)(t->scroll + i);
		bool mark = t->sel >= 0 && (size_t)t->sel <
		    json_array_size(t->posts) && ln == t->post_line[t->sel];
		if (mark)
			put_text(3 + i, 0, 2, "▶", C_UNREAD, A_BOLD);
		put_rline(3 + i, 2, cols - 4, &t->doc.lines[ln]);
	}
	snprintf(line, sizeof line, "post %d of %zu", t->sel + 1,
	    json_array_size(t->posts));
	put_text(2, 2, cols - 4, line, C_DIM, 0);
}

/* After a reply: add the new post (or reload) and follow the end. */
/* The titles of the documents one new post links ([[doc:ID]]). */
static void
thread_post_links(struct thread *t, json_t *p)
{
	json_t *one = json_pack("[O]", p);

	doc_links_want(one, &t->v, &t->doc_width); /* libknow.c */
	json_decref(one);
}

static void
thread_replied(struct view *v, json_t *result)
{
	struct thread *t = (struct thread *)v;
	json_t *p = json_object_get(result, "post");

	if (json_is_object(p) && t->posts != NULL) {
		json_int_t id = ji(p, "id");
		size_t i;
		json_t *q;
		json_array_foreach(t->posts, i, q)
			if (ji(q, "id") == id)
				return;
		json_array_append(t->posts, p);
		thread_post_links(t, p);
		t->sel = (int)json_array_size(t->posts) - 1;
		t->follow = true;
	} else
		thread_load(t);
}

static json_t *
thread_cur_post(struct thread *t)
{
	return json_array_get(t->posts, (size_t)(t->sel < 0 ? 0 : t->sel));
}

static void
thanked(void *ctx, json_t *result, json_t *error)
{
	struct thread *t = ctx;
	json_t *p;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	p = thread_cur_post(t);
	if (p != NULL && json_is_integer(json_object_get(result, "thanks")))
		json_object_set(p, "thanks", json_object_get(result,
		    "thanks"));
	else if (p != NULL)
		json_object_set_new(p, "thanks", json_integer(ji(p, "thanks") +
		    1));
	t->doc_width = 0;
	ui_flash("Thanked.");
}

/* Quote a post as Markdown: "> " before each line. */
static char *
quote_of(json_t *p)
{
	struct buf b;
	const char *s = js(p, "body");
	char who[160];

	author_of(p, who, sizeof who);
	buf_init(&b);
	buf_printf(&b, "%s wrote:\n\n> ", who);
	for (; *s != '\0'; s++) {
		buf_append(&b, s, 1);
		if (*s == '\n' && s[1] != '\0')
			buf_puts(&b, "> ");
	}
	buf_puts(&b, "\n\n");
	buf_append(&b, "", 1);
	return b.data;
}

static void
thread_edited(struct view *v, json_t *result)
{
	(void)result;
	thread_load((struct thread *)v);
}

/* A moderator's or author's change went through: show the thread anew. */
static void
thread_changed(struct view *v, json_t *result)
{
	struct thread *t = (struct thread *)v;
	json_t *th = jobj(result, "thread");

	if (js(th, "title")[0])
		snprintf(t->name, sizeof t->name, "%s", js(th, "title"));
	if (ji(result, "hidden") && json_is_boolean(json_object_get(result,
	    "hidden")))
		ui_flash("Hidden. Its author sees your reason; others see "
		    "\"hidden by a moderator\".");
	thread_load(t);
}

static void
thread_reported(struct view *v, json_t *result)
{
	(void)v;
	(void)result;
	ui_flash("Reported. The community's leaders and managers decide; you "
	    "will be told the outcome.");
}

static void
thread_muted(struct view *v, json_t *result)
{
	(void)v;
	ui_flash("@%s is muted in %s until %s.", js(result, "handle"),
	    js(result, "slug"), when_show(js(result, "until")));
}

/* thread.update's answer to a pin or lock. */
static void
thread_flagged(void *ctx, json_t *result, json_t *error)
{
	struct thread *t = ctx;
	json_t *th = jobj(result, "thread");

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	/* thread.update's header lacks what thread.get adds (moderator) */
	th = json_deep_copy(th);
	json_object_update_missing(th, t->thread);
	json_decref(t->thread);
	t->thread = th;
	ui_flash("This thread is now %s and %s.", ji(th, "pinned") ? "pinned" :
	    "not pinned", ji(th, "locked") ? "locked (no new replies)" :
	    "open for replies");
}

/* Whether the selected post is the member's own. */
static bool
thread_mine(json_t *p)
{
	return p != NULL && g_me != NULL && author_handle(p)[0] != '\0' &&
	    strcmp(author_handle(p), js(g_me, "handle")) == 0;
}

/*
 * Keys for moderators (hide, pin, lock, rename, mute) and for every reader
 * (report, history) and author (delete). The server decides; the screen
 * only spares a form that would be refused.
 */
static bool
thread_moderate_key(struct thread *t, int ch)
{
	json_t *p = t->posts != NULL ? thread_cur_post(t) : NULL;
	bool mod = t->thread != NULL && ji(t->thread, "moderator");
	char who[160];

	switch (ch) {
	case 'H':
		if (p == NULL)
			break;
		if (!mod)
			ui_flash("Only the community's leaders and managers "
			    "hide posts. Press ! to report it to them.");
		else if (ji(p, "deleted"))
			ui_flash("Its author deleted this post.");
		else if (ji(p, "hidden"))
			ui_push(mod_unhide_form(ji(p, "id"), thread_changed));
		else {
			author_of(p, who, sizeof who);
			ui_push(mod_hide_form(ji(p, "id"), who, p ==
			    json_array_get(t->posts, 0), thread_changed));
		}
		return true;
	case '!':
		if (p == NULL)
			break;
		if (thread_mine(p))
			ui_flash("That is your own post: e edits it, D "
			    "deletes it.");
		else if (ji(p, "deleted"))
			ui_flash("Its author deleted this post.");
		else
			ui_push(mod_report_form(ji(p, "id"), thread_reported));
		return true;
	case 'D':
		if (p == NULL)
			break;
		if (!thread_mine(p))
			ui_flash("You can delete only your own posts.");
		else if (ji(p, "deleted"))
			ui_flash("This post is already deleted.");
		else
			ui_push(mod_delete_form(ji(p, "id"), thread_changed));
		return true;
	case 'V':
		if (p != NULL)
			mod_history(ji(p, "id"), &t->v);
		return true;
	case 'I': /* managers: mark it an impact story (health.c) */
		if (p != NULL)
			ui_push(health_impact_form(ji(p, "id")));
		return true;
	case 'P':
	case 'L':
		if (t->thread == NULL)
			break;
		if (!mod) {
			ui_flash("Only the community's leaders and managers "
			    "pin and lock threads.");
			return true;
		}
		net_call("thread.update", json_pack("{s:I, s:b}", "thread_id",
		    (json_int_t)t->id, ch == 'P' ? "pinned" : "locked",
		    !ji(t->thread, ch == 'P' ? "pinned" : "locked")), &t->v,
		    thread_flagged, t);
		return true;
	case 'T':
		if (t->thread != NULL)
			ui_push(mod_thread_form(t->thread, thread_changed));
		return true;
	case 'M':
		if (p == NULL || t->thread == NULL)
			break;
		if (!mod)
			ui_flash("Only the community's leaders and managers "
			    "mute members.");
		else if (author_handle(p)[0] == '\0' || thread_mine(p))
			ui_flash("Choose a post by the member to mute.");
		else
			ui_push(mod_mute_form(js(t->thread, "community"),
			    author_handle(p), thread_muted));
		return true;
	}
	return false;
}

static bool
thread_key(struct view *v, int ch, bool is_key)
{
	struct thread *t = (struct thread *)v;
	int page = t->rows > 2 ? t->rows - 2 : 1;
	size_t np = t->posts ? json_array_size(t->posts) : 0;
	char key[64];
	json_t *p;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		t->scroll++, t->follow = false;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		t->scroll--, t->follow = false;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		t->scroll += page, t->follow = false;
	else if ((is_key && ch == KEY_PPAGE) || (!is_key && ch == 'b'))
		t->scroll -= page, t->follow = false;
	else if ((!is_key && (ch == 'g')) || (is_key && ch == KEY_HOME))
		t->scroll = 0, t->sel = 0, t->follow = false;
	else if ((!is_key && (ch == 'G')) || (is_key && ch == KEY_END)) {
		t->follow = true;
		t->sel = np > 0 ? (int)np - 1 : 0;
	} else if (!is_key && (ch == '\t' || ch == ']' || ch == 'J')) {
		if ((size_t)t->sel + 1 < np)
			t->sel++;
		if (t->post_line != NULL && (size_t)t->sel < t->rendered)
			t->scroll = (int)t->post_line[t->sel];
		t->follow = false;
	} else if ((!is_key && (ch == '[' || ch == 'K')) || (is_key &&
	    ch == KEY_BTAB)) {
		if (t->sel > 0)
			t->sel--;
		if (t->post_line != NULL && (size_t)t->sel < t->rendered)
			t->scroll = (int)t->post_line[t->sel];
		t->follow = false;
	} else if (!is_key && (ch == 'r' || ch == 'Q')) {
		char *initial = NULL;
		snprintf(key, sizeof key, "reply:%lld", (long long)t->id);
		if (ch == 'Q' && (p = thread_cur_post(t)) != NULL)
			initial = quote_of(p);
		{
			json_t *args = json_pack("{s:I}", "thread_id",
			    (json_int_t)t->id);
			if (ch == 'Q' && p != NULL)
				json_object_set_new(args, "reply_to",
				    json_integer(ji(p, "id")));
			ui_push(composer_open("Reply", "post.create", args,
			    key, false, initial, thread_replied));
		}
		free(initial);
	} else if (!is_key && ch == 't') {
		if ((p = thread_cur_post(t)) != NULL)
			net_call("post.thank", json_pack("{s:I}", "post_id",
			    ji(p, "id")), v, thanked, t);
	} else if (!is_key && ch == 'e') {
		p = thread_cur_post(t);
		if (p == NULL || g_me == NULL || strcmp(author_handle(p),
		    js(g_me, "handle")) != 0) {
			ui_flash("You can edit only your own posts.");
			return true;
		}
		snprintf(key, sizeof key, "edit:%lld", (long long)ji(p, "id"));
		ui_push(composer_open("Edit post", "post.edit", json_pack(
		    "{s:I}", "post_id", ji(p, "id")), key, false, js(p, "body"),
		    thread_edited));
	} else if (!is_key && ch == 'W') { /* write to its author: messages.c */
		struct view *w;
		p = thread_cur_post(t);
		if (p == NULL || author_handle(p)[0] == '\0')
			ui_flash("Choose a post by the member to write to.");
		else if ((w = view_message_to(author_handle(p))) != NULL)
			ui_push(w);
	} else if (!is_key && ch == 'R') {
		thread_load(t);
	} else if (!is_key && ch == 'O') { /* libknow.c */
		p = thread_cur_post(t);
		if (p == NULL || !doc_link_open(js(p, "body"), js(t->thread,
		    "community_name")))
			ui_flash("This post links no document: [[doc:ID]] in a "
			    "post links one.");
	} else if (!is_key && ch == 'S') { /* libknow.c */
		if ((p = thread_cur_post(t)) == NULL || t->thread == NULL)
			;
		else if (!ji(t->thread, "moderator"))
			ui_flash("Only the community's leaders and managers "
			    "keep posts in its library.");
		else
			ui_push(keep_form((json_int_t)t->id, ji(p, "id")));
	} else if (!is_key)
		return thread_moderate_key(t, ch);
	else
		return false;
	return true;
}

/*
 * A moderator hid or showed a post (thread.post_changed): it is shown as
 * the server now sends it to this member, at once. The first post also
 * stands for the thread's title, so the header is read again.
 */
static void
thread_post_changed(struct thread *t, json_t *p)
{
	size_t i;
	json_t *q;

	if (!json_is_object(p))
		return;
	json_array_foreach(t->posts, i, q) {
		if (ji(q, "id") != ji(p, "id"))
			continue;
		json_array_set(t->posts, i, p);
		t->doc_width = 0; /* render every post again */
		if (ui_top() != &t->v)
			ui_flash(ji(p, "hidden") ? "A moderator hid a post "
			    "in this thread." : "A moderator showed a post "
			    "in this thread again.");
		if (i == 0)
			thread_load(t);
		return;
	}
}

static void
thread_event(struct view *v, const char *name, json_t *data)
{
	struct thread *t = (struct thread *)v;
	json_t *p;
	json_int_t tid;

	if (strcmp(name, "client.reconnected") == 0) {
		thread_load(t); /* also watches the thread again */
		return;
	}
	if (strcmp(name, "client.shown") == 0 && t->watch_lost &&
	    t->posts != NULL) {
		/* another thread was opened meanwhile: watch this one again
		 * and fetch what arrived in between */
		json_t *last = json_array_get(t->posts, json_array_size(
		    t->posts) - 1);
		t->watch_lost = false;
		thread_more(t, last != NULL ? ji(last, "id") : 0);
		return;
	}
	if (strcmp(name, "thread.post_changed") == 0 && t->posts != NULL &&
	    ji(data, "thread_id") == t->id) {
		thread_post_changed(t, json_object_get(data, "post"));
		return;
	}
	if (strcmp(name, "thread.new_post") != 0 || t->posts == NULL)
		return;
	tid = ji(data, "thread_id") ? ji(data, "thread_id") : ji(data,
	    "thread");
	p = json_object_get(data, "post");
	if (tid == 0 && json_is_object(p))
		tid = ji(p, "thread_id");
	if (tid != t->id)
		return;
	if (!json_is_object(p))
		p = data;
	{
		size_t i;
		json_t *q;
		json_int_t id = ji(p, "id");
		json_array_foreach(t->posts, i, q)
			if (ji(q, "id") == id)
				return;
	}
	if (js(p, "body")[0] == '\0') {
		thread_load(t);
		return;
	}
	json_array_append(t->posts, p);
	thread_post_links(t, p);
	if (ui_top() != v) {
		char who[160];
		author_of(p, who, sizeof who);
		ui_flash("New post in this thread by %s.", who);
	}
}

/* A page of posts: the first replaces, later ones append. */
static void
thread_got(void *ctx, json_t *result, json_t *error)
{
	struct thread *t = ctx;
	json_t *th, *posts, *last, *next;
	bool first = t->loading;

	t->loading = false;
	if (error != NULL) {
		snprintf(t->err, sizeof t->err, "%s", err_message(error));
		return;
	}
	th = jobj(result, "thread");
	posts = jarr(result, "posts");
	json_decref(t->thread);
	t->thread = json_incref(th);
	if (js(th, "title")[0])
		snprintf(t->name, sizeof t->name, "%s", js(th, "title"));
	if (first || t->posts == NULL) {
		json_decref(t->posts);
		t->posts = json_array();
	}
	if (posts != NULL)
		json_array_extend(t->posts, posts);
	doc_links_want(posts, &t->v, &t->doc_width); /* libknow.c */
	if (first)
		t->doc_width = 0;
	next = json_object_get(result, "next");
	if (json_is_integer(next)) {
		thread_more(t, json_integer_value(next));
		return;
	}
	t->err[0] = '\0';
	/* parsing the pages left free memory behind: give it back */
	malloc_trim(0);
	if (t->sel < 0 || (size_t)t->sel >= json_array_size(t->posts))
		t->sel = 0;
	if (t->want_post != 0) { /* land on the post, not the top */
		size_t i;
		json_t *q;

		json_array_foreach(t->posts, i, q)
			if (ji(q, "id") == t->want_post) {
				t->sel = (int)i;
				t->follow = false;
				t->goto_sel = true;
			}
		if (!t->goto_sel)
			ui_flash("That post is no longer in the thread.");
		t->want_post = 0;
	}
	last = json_array_get(t->posts, json_array_size(t->posts) - 1);
	if (last != NULL)
		net_call("thread.mark_read", json_pack("{s:I, s:I}", "thread_id",
		    (json_int_t)t->id, "post_id", ji(last, "id")), NULL, NULL,
		    NULL);
}

static void
thread_load(struct thread *t)
{
	t->loading = true;
	net_call("thread.get", json_pack("{s:I, s:I}", "thread_id",
	    (json_int_t)t->id, "limit", (json_int_t)100), &t->v, thread_got,
	    t);
}

static void
thread_more(struct thread *t, json_int_t after)
{
	net_call("thread.get", json_pack("{s:I, s:I, s:I}", "thread_id",
	    (json_int_t)t->id, "limit", (json_int_t)100, "after", after),
	    &t->v, thread_got, t);
}

static void
thread_free(struct view *v)
{
	struct thread *t = (struct thread *)v;

	json_decref(t->thread);
	json_decref(t->posts);
	rdoc_free(&t->doc);
	free(t->post_line);
	free(t);
}

/* Where the member is: this thread and its selected post. */
static json_t *
thread_where(struct view *v)
{
	struct thread *t = (struct thread *)v;
	json_t *w = json_pack("{s:s, s:I, s:s}", "screen", "thread",
	    "thread_id", (json_int_t)t->id, "title", t->name);
	json_t *p = t->posts != NULL && t->sel >= 0 ? json_array_get(t->posts,
	    (size_t)t->sel) : NULL;

	if (ji(p, "id") != 0)
		json_object_set_new(w, "post_id", json_integer(ji(p, "id")));
	if (js(t->thread, "community")[0])
		json_object_set_new(w, "slug", json_string(js(t->thread,
		    "community")));
	return w;
}

struct view *
view_thread_at(json_int_t id, const char *title, json_int_t post_id)
{
	struct view *v = view_thread(id, title);

	((struct thread *)v)->want_post = post_id;
	return v;
}

struct view *
view_thread(json_int_t id, const char *title)
{
	struct thread *t = xcalloc(1, sizeof *t);

	t->v.title = "Thread";
	t->v.keys = "r:reply  Q:quote  t:thank  e:edit  !:report  "
	    "Tab/[:next/prev post  Space:page  ?:more";
	t->v.help = "Posts are shown oldest first. The marker ▶ shows the "
	    "selected post, which **Q** quotes, **t** thanks and **e** edits "
	    "(your own). **r** replies to the thread. **G** goes to the end "
	    "and follows new posts as they arrive; **R** reloads.\n\n"
	    "On the selected post: **!** reports it to the community's "
	    "leaders and managers (with what is wrong; its author is never "
	    "told who), **V** shows its edit history, **D** deletes it "
	    "(your own, after you confirm), **W** writes privately to its "
	    "author.\n\n"
	    "Leaders and managers: **H** hides the selected post with a "
	    "reason its author sees (others see \"hidden by a moderator\"), "
	    "or shows a hidden one again; **M** mutes its author in this "
	    "community for a time; **P** pins or unpins the thread, **L** "
	    "locks or unlocks it; **T** renames and retags it (its author "
	    "may too). Managers: **I** marks the selected post as an impact "
	    "story, which reports to the Programme Board quote.\n\n"
	    "A post's [[doc:ID]] shows as that library document's title; "
	    "**O** opens the first the selected post links. Leaders and "
	    "managers: **S** keeps the selected post, or the whole thread, "
	    "in the community's library with a note.";
	t->v.draw = thread_draw;
	t->v.key = thread_key;
	t->v.event = thread_event;
	t->v.free = thread_free;
	t->v.where = thread_where;
	t->id = id;
	snprintf(t->name, sizeof t->name, "%s", title);
	for (struct view *o = ui_top(); o != NULL; o = o->below)
		if (o->draw == thread_draw)
			((struct thread *)o)->watch_lost = true;
	thread_load(t);
	return &t->v;
}

/* The reply composer of thread id, opened with initial (a draft). */
struct view *
thread_reply_open(json_int_t id, const char *initial)
{
	char key[64];

	snprintf(key, sizeof key, "reply:%lld", (long long)id);
	return composer_open("Reply", "post.create", json_pack("{s:I}",
	    "thread_id", id), key, false, initial, thread_replied);
}
