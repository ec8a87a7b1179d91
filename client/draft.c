/*
 * draft.c: drafts kept on the server (draft.save, draft.get, draft.list)
 * for the screens that are not the composer: a room's input line, the
 * profile editor and forms save what is typed half a second after the
 * typing pauses (draft_delay_ms, which the composer uses too), and
 * offer it again when reopened, here or on another connection. Home lists
 * the drafts (view_drafts) and opens each one's screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <uv.h>

#include "common.h"
#include "client.h"

struct draft_saver {
	char key[64];
	uv_timer_t *t;
	char *title, *body; /* what to send */
	bool dirty;
	bool stored; /* the server may hold one: forgetting must tell it */
	uint64_t dirty_since, saved_at; /* uv_now() */
};

/*
 * When the server copy of a changed text is due, in ms from now: half a
 * second after the typing pauses, but no later than 2 s after the first
 * unsaved change (steady typing) and no sooner than 1 s after the last
 * save (slow typing: at most one request a second); a line ended (Enter)
 * is due at once, which is the next loop turn, so a pasted block of lines
 * read in one go is still one request.
 */
uint64_t
draft_delay_ms(uint64_t now, uint64_t dirty_since, uint64_t saved_at,
    bool line_end)
{
	uint64_t due;

	if (line_end)
		return 0;
	due = now + DRAFT_IDLE_MS;
	if (due > dirty_since + DRAFT_SAVE_MS)
		due = dirty_since + DRAFT_SAVE_MS;
	if (saved_at != 0 && due < saved_at + DRAFT_GAP_MS)
		due = saved_at + DRAFT_GAP_MS;
	return due > now ? due - now : 0;
}

uint32_t
text_hash(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct draft_saver *
draft_saver_new(const char *key)
{
	struct draft_saver *d = xcalloc(1, sizeof *d);

	snprintf(d->key, sizeof d->key, "%s", key);
	return d;
}

void
draft_flush(struct draft_saver *d)
{
	if (d == NULL || !d->dirty)
		return;
	d->dirty = false;
	d->stored = true;
	d->saved_at = uv_now(uv_default_loop());
	if (d->t != NULL)
		uv_timer_stop(d->t);
	net_call("draft.save", json_pack("{s:s, s:s, s:s}", "key", d->key,
	    "title", d->title ? d->title : "", "body", d->body ? d->body : ""),
	    NULL, NULL, NULL);
}

static void
save_due(uv_timer_t *t)
{
	draft_flush(t->data);
}

void
draft_changed(struct draft_saver *d, const char *title, const char *body)
{
	uint64_t now;

	if (d == NULL)
		return;
	free(d->title);
	free(d->body);
	d->title = xstrdup(title != NULL ? title : "");
	d->body = xstrdup(body != NULL ? body : "");
	now = uv_now(uv_default_loop());
	if (!d->dirty)
		d->dirty_since = now;
	d->dirty = true;
	if (d->t == NULL) {
		d->t = xcalloc(1, sizeof *d->t);
		uv_timer_init(uv_default_loop(), d->t);
		d->t->data = d;
	}
	uv_timer_start(d->t, save_due, draft_delay_ms(now, d->dirty_since,
	    d->saved_at, false), 0);
}

void
draft_forget(struct draft_saver *d)
{
	if (d == NULL)
		return;
	if (d->t != NULL)
		uv_timer_stop(d->t);
	if (!d->stored && !d->dirty)
		return; /* nothing kept: no write (a busy room's every line) */
	d->dirty = false;
	d->stored = false;
	net_call("draft.save", json_pack("{s:s}", "key", d->key), NULL, NULL,
	    NULL);
}

void
draft_offered(struct draft_saver *d)
{
	if (d != NULL)
		d->stored = true;
}

static void
timer_freed(uv_handle_t *h)
{
	free(h);
}

void
draft_saver_free(struct draft_saver *d)
{
	if (d == NULL)
		return;
	draft_flush(d);
	if (d->t != NULL) {
		uv_timer_stop(d->t);
		uv_close((uv_handle_t *)d->t, timer_freed);
	}
	free(d->title);
	free(d->body);
	free(d);
}

void
draft_fetch(const char *key, struct view *owner, reply_fn cb, void *ctx)
{
	net_call("draft.get", json_pack("{s:s}", "key", key), owner, cb, ctx);
}

json_t *
draft_of(json_t *result, json_t *error)
{
	json_t *d = error == NULL ? json_object_get(result, "draft") : NULL;

	return json_is_object(d) && (js(d, "body")[0] || js(d, "title")[0]) ?
	    d : NULL;
}

/* ---- Home's list of drafts ---- */

struct drafts {
	struct view v;
	struct list l;
	char msg[256];
};

/* What a draft key names, in words. */
static void
draft_words(const char *key, char *out, size_t len)
{
	if (strncmp(key, "thread:", 7) == 0)
		snprintf(out, len, "New thread in %s", key + 7);
	else if (strncmp(key, "poll:", 5) == 0)
		snprintf(out, len, "New poll in %s", key + 5);
	else if (strncmp(key, "reply:", 6) == 0)
		snprintf(out, len, "Reply in thread %s", key + 6);
	else if (strncmp(key, "edit:", 5) == 0)
		snprintf(out, len, "Edit of post %s", key + 5);
	else if (strncmp(key, "room:", 5) == 0)
		snprintf(out, len, "Message in room %s", key + 5);
	else if (strcmp(key, "profile") == 0)
		snprintf(out, len, "Your profile");
	else if (strncmp(key, "form:", 5) == 0)
		snprintf(out, len, "Form (%.*s)", (int)strcspn(key + 5, ":"),
		    key + 5);
	else
		snprintf(out, len, "%s", key);
}

/*
 * A form's draft (a profile, a report) is kept as JSON: its words are the
 * string values filled in, not the braces and keys. The preview may be cut
 * short, so the values are read as they come, not parsed as a whole.
 */
static char *
draft_preview(const char *preview)
{
	const char *p = preview;
	struct buf b;
	char *out;
	bool value = false; /* the next string follows a ':' */

	if (preview[0] != '{')
		return snippet_clean(preview);
	buf_init(&b);
	for (; *p != '\0'; p++) {
		if (*p == ':') {
			value = true;
		} else if (*p == ',') {
			value = false;
		} else if (*p == '"') {
			const char *q = ++p;
			size_t n0 = buf_used(&b);

			if (value && buf_used(&b) > 0)
				buf_puts(&b, ", ");
			for (; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (value)
					buf_append(&b, *p == 'n' && p[-1] ==
					    '\\' ? " " : p, 1);
			}
			if (value && p == q) { /* an empty one: nothing */
				b.len = n0;
			}
			value = false;
			if (*p == '\0')
				break;
		}
	}
	if (buf_used(&b) == 0)
		buf_puts(&b, "(what you were filling in)");
	buf_append(&b, "", 1);
	out = snippet_clean(buf_head(&b));
	buf_free(&b);
	return out;
}

static void
drafts_got(void *ctx, json_t *result, json_t *error)
{
	struct drafts *d = ctx;
	json_t *x;
	size_t i;

	list_clear(&d->l);
	if (error != NULL) {
		snprintf(d->msg, sizeof d->msg, "%s", err_message(error));
		return;
	}
	snprintf(d->msg, sizeof d->msg, "%s", json_array_size(jarr(result,
	    "drafts")) ? "Enter: open it where it was written   x: throw it "
	    "away" : "No drafts: everything you wrote was sent.");
	json_array_foreach(jarr(result, "drafts"), i, x) {
		char what[160], line[400], when[32];
		char *pre;

		draft_words(js(x, "key"), what, sizeof what);
		if (js(x, "thread_title")[0]) {
			/* the thread by its title, not its number */
			char *tt = snippet_clean(js(x, "thread_title"));

			snprintf(what, sizeof what, "%s \"%s\"", strncmp(js(x,
			    "key"), "edit:", 5) == 0 ? "Edit in" : "Reply in",
			    tt);
			free(tt);
		}
		pre = js(x, "title")[0] ? snippet_clean(js(x, "title")) :
		    draft_preview(js(x, "preview"));
		snprintf(line, sizeof line, "%s: %s", what, pre);
		free(pre);
		short_time(js(x, "updated_at"), when);
		list_add(&d->l, line, when, C_NORMAL, x, true);
	}
	list_fix(&d->l);
}

static void
drafts_draw(struct view *v, int rows, int cols)
{
	struct drafts *d = (struct drafts *)v;

	put_text(1, 1, cols - 2, "Your unsent drafts", C_HEAD, A_BOLD);
	put_text(2, 2, cols - 4, d->msg, C_DIM, 0);
	list_draw(&d->l, 4, rows - 3, cols);
}

/* Open the screen a draft belongs to; the composer offers it back. */
static void
draft_open(const char *key)
{
	char k[64];

	snprintf(k, sizeof k, "%s", key);
	if (strncmp(k, "thread:", 7) == 0 || strncmp(k, "poll:", 5) == 0) {
		bool poll = k[0] == 'p';
		const char *slug = k + (poll ? 5 : 7);

		ui_push(view_community_tab(slug, slug, poll ? 1 : 0));
		ui_push(composer_open(poll ? "New poll: the question, then one "
		    "option per line" : "New thread", poll ? "poll.create" :
		    "thread.create", json_pack("{s:s}", "slug", slug), k, true,
		    NULL, NULL));
	} else if (strncmp(k, "reply:", 6) == 0) {
		json_int_t id = strtoll(k + 6, NULL, 10);

		ui_push(view_thread(id, ""));
		ui_push(composer_open("Reply", "post.create", json_pack(
		    "{s:I}", "thread_id", id), k, false, NULL, NULL));
	} else if (strncmp(k, "room:", 5) == 0)
		ui_push(view_room(strtoll(k + 5, NULL, 10)));
	else if (strcmp(k, "profile") == 0) {
		ui_push(view_profile(js(g_me, "handle")));
		ui_flash("Press e to edit: your draft comes back.");
	} else
		ui_flash("Open the same screen again (the post, the form): "
		    "your draft comes back there.");
}

static bool
drafts_key(struct view *v, int ch, bool is_key)
{
	struct drafts *d = (struct drafts *)v;
	struct row *r;

	if (list_key(&d->l, ch, is_key))
		return true;
	if ((r = list_cur(&d->l)) == NULL)
		return false;
	if (ENTER(ch, is_key)) {
		char key[64];

		snprintf(key, sizeof key, "%s", js(r->data, "key"));
		draft_open(key);
		return true;
	}
	if (!is_key && ch == 'x') {
		net_call("draft.save", json_pack("{s:s}", "key", js(r->data,
		    "key")), NULL, NULL, NULL);
		net_call("draft.list", NULL, v, drafts_got, d);
		ui_flash("Thrown away.");
		return true;
	}
	return false;
}

static void
drafts_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0)
		net_call("draft.list", NULL, v, drafts_got, v);
}

static void
drafts_free(struct view *v)
{
	struct drafts *d = (struct drafts *)v;

	list_free(&d->l);
	free(d);
}

struct view *
view_drafts(void)
{
	struct drafts *d = xcalloc(1, sizeof *d);

	d->v.title = "Drafts";
	d->v.keys = "Enter:open  x:throw away";
	d->v.help = "What you wrote and did not send, kept on the server as "
	    "you typed: new threads, replies, room messages, your profile "
	    "and forms. **Enter** opens where it was written, and the draft "
	    "comes back there; **x** throws it away.";
	d->v.draw = drafts_draw;
	d->v.key = drafts_key;
	d->v.event = drafts_event;
	d->v.free = drafts_free;
	snprintf(d->msg, sizeof d->msg, "Loading...");
	net_call("draft.list", NULL, &d->v, drafts_got, d);
	return &d->v;
}
