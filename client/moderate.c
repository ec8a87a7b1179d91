/*
 * moderate.c: the forms for acting on one post, thread or member, shared by
 * the thread screen and the reports queue: hide (with a reason the author
 * sees) and show again, report, delete one's own post, its edit history,
 * rename and retag a thread, mute a member for a time. Each form asks to
 * confirm what cannot be taken back lightly; the server decides who may.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* A choice field's "yes", or a message saying how to confirm. */
static bool
confirmed(const char *val, const char *what, char *err, size_t errlen)
{
	if (strcmp(val, "yes") == 0)
		return true;
	snprintf(err, errlen, "Set the last field to yes (Space) to %s, or "
	    "press Esc to cancel.", what);
	return false;
}

static bool
blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

int64_t
mod_duration_parse(const char *s)
{
	char *end;
	long long n;
	int64_t unit = 60; /* a bare number: minutes */

	while (*s == ' ')
		s++;
	n = strtoll(s, &end, 10);
	if (end == s || n <= 0)
		return -1;
	while (*end == ' ')
		end++;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
	case '\0':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0') {
		end++;
		while (*end >= 'a' && *end <= 'z') /* "min", "hours", "days" */
			end++;
		while (*end == ' ')
			end++;
		if (*end != '\0')
			return -1;
	}
	if (n > 366LL * 86400 / unit)
		return -1;
	return (int64_t)n * unit;
}

/* ---- a post ---- */

static bool
hide_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	if (blank(vals[0])) {
		snprintf(err, errlen, "Say why: the author sees the reason.");
		return false;
	}
	if (!confirmed(vals[1], "hide the post", err, errlen))
		return false;
	json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

struct view *
mod_hide_form(json_int_t post_id, const char *who, bool first,
    void (*done)(struct view *, json_t *))
{
	struct form_def defs[] = {
		{ "Reason", NULL, NULL, "the author sees it; others see only "
		    "\"hidden by a moderator\"" },
		{ "Hide this post", "no", "no|yes", NULL },
	};
	char intro[200];

	/* the thread's title goes with it (thread.list) */
	if (first)
		defs[1].hint = "the thread's first post: members see the "
		    "thread as \"(hidden by a moderator)\"";
	snprintf(intro, sizeof intro, "Hide %s's post from everyone but its "
	    "author and the moderators. You can show it again later.", who);
	return form_open("Hide a post", intro, "post.hide", json_pack("{s:I}",
	    "post_id", post_id), defs, 2, hide_build, done);
}

static bool
yes_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	(void)args;
	return confirmed(vals[0], "go ahead", err, errlen);
}

struct view *
mod_unhide_form(json_int_t post_id, void (*done)(struct view *, json_t *))
{
	static const struct form_def defs[] = {
		{ "Show this post to everyone again", "no", "no|yes", NULL },
	};

	return form_open("Show a hidden post", "Everyone who reads the "
	    "thread sees it again; its author is told.", "post.unhide",
	    json_pack("{s:I}", "post_id", post_id), defs, 1, yes_build, done);
}

struct view *
mod_delete_form(json_int_t post_id, void (*done)(struct view *, json_t *))
{
	static const struct form_def defs[] = {
		{ "Delete your post", "no", "no|yes", NULL },
	};

	return form_open("Delete your post", "Its text goes for good (and "
	    "its edit history); a line saying it was deleted stays.",
	    "post.delete", json_pack("{s:I}", "post_id", post_id), defs, 1,
	    yes_build, done);
}

static bool
report_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	if (blank(vals[0])) {
		snprintf(err, errlen, "Say what is wrong with the post.");
		return false;
	}
	json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

struct view *
mod_report_form(json_int_t post_id, void (*done)(struct view *, json_t *))
{
	static const struct form_def defs[] = {
		{ "What is wrong", NULL, NULL, "only the community's leaders and "
		    "managers read it; its author is never told who reported "
		    "it. Enter sends." },
	};

	return form_open("Report a post", "The leaders and managers decide; "
	    "you are told the outcome.", "post.report", json_pack("{s:I}",
	    "post_id", post_id), defs, 1, report_build, done);
}

/* post.history: every version, oldest first, as a screen to read. */
static void
history_got(void *ctx, json_t *result, json_t *error)
{
	struct buf b;
	json_t *v;
	size_t i;
	char when[32];

	(void)ctx;
	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	buf_init(&b);
	if (ji(result, "deleted"))
		buf_puts(&b, "Its author deleted this post, and its history "
		    "with it.\n");
	json_array_foreach(jarr(result, "versions"), i, v) {
		short_time(js(v, "at"), when);
		buf_printf(&b, "## %s, %s\n\n%s\n\n", ji(v, "current") ?
		    "Now" : i == 0 ? "First written" : "Earlier", when,
		    js(v, "body"));
	}
	if (json_array_size(jarr(result, "versions")) <= 1 &&
	    !ji(result, "deleted"))
		buf_puts(&b, "This post was never edited.\n");
	buf_append(&b, "", 1);
	ui_push(view_message("Edit history", b.data));
	buf_free(&b);
}

void
mod_history(json_int_t post_id, struct view *owner)
{
	net_call("post.history", json_pack("{s:I}", "post_id", post_id), owner,
	    history_got, NULL);
}

/* ---- a thread ---- */

static bool
thread_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	json_t *tags = json_array();
	char *copy = xstrdup(vals[1]), *tok, *save = NULL;

	if (blank(vals[0])) {
		snprintf(err, errlen, "The thread needs a title.");
		json_decref(tags);
		free(copy);
		return false;
	}
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save))
		json_array_append_new(tags, json_string(tok));
	free(copy);
	json_object_set_new(args, "title", json_string(vals[0]));
	json_object_set_new(args, "tags", tags);
	return true;
}

struct view *
mod_thread_form(json_t *thread, void (*done)(struct view *, json_t *))
{
	struct form_def defs[] = {
		{ "Title", js(thread, "title"), NULL, NULL },
		{ "Tags", NULL, NULL, "separated by commas or spaces; empty "
		    "for none. Enter saves." },
	};
	char tags[600] = "";
	json_t *t;
	size_t i;

	json_array_foreach(jarr(thread, "tags"), i, t) {
		size_t l = strlen(tags);
		snprintf(tags + l, sizeof tags - l, "%s%s", i ? ", " : "",
		    json_string_value(t) != NULL ? json_string_value(t) : "");
	}
	defs[1].init = tags;
	return form_open("Rename and retag the thread", "Its author and the "
	    "community's leaders and managers may.", "thread.update",
	    json_pack("{s:I}", "thread_id", ji(thread, "id")), defs, 2,
	    thread_build, done);
}

/* ---- a member ---- */

static bool
mute_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	int64_t secs = mod_duration_parse(vals[1]);
	const char *h = vals[0][0] == '@' ? vals[0] + 1 : vals[0];

	if (blank(h)) {
		snprintf(err, errlen, "Whom? Give their handle.");
		return false;
	}
	if (secs <= 0) {
		snprintf(err, errlen, "For how long? For example 30m, 2h, 3d "
		    "or 1w (at most a year).");
		return false;
	}
	if (blank(vals[2])) {
		snprintf(err, errlen, "Say why: they are told.");
		return false;
	}
	if (!confirmed(vals[3], "mute them", err, errlen))
		return false;
	json_object_set_new(args, "handle", json_string(h));
	json_object_set_new(args, "seconds", json_integer(secs));
	json_object_set_new(args, "reason", json_string(vals[2]));
	return true;
}

struct view *
mod_mute_form(const char *slug, const char *handle,
    void (*done)(struct view *, json_t *))
{
	struct form_def defs[] = {
		{ "Member", handle, NULL, "their handle" },
		{ "For", "1d", NULL, "30m, 2h, 3d, 1w...; it ends by itself" },
		{ "Reason", NULL, NULL, "they are told, with when it ends" },
		{ "Mute them", "no", "no|yes", "they can still read" },
	};
	char intro[200];

	snprintf(intro, sizeof intro, "A muted member of %s reads but cannot "
	    "post, reply or speak in its rooms until the mute ends.", slug);
	return form_open("Mute a member", intro, "member.mute",
	    json_pack("{s:s}", "slug", slug), defs, 4, mute_build, done);
}

struct view *
mod_unmute_form(const char *slug, const char *handle,
    void (*done)(struct view *, json_t *))
{
	static const struct form_def defs[] = {
		{ "Lift the mute now", "no", "no|yes", NULL },
	};
	char intro[160];

	snprintf(intro, sizeof intro, "@%s may write in %s again at once; "
	    "they are told.", handle, slug);
	return form_open("Lift a mute", intro, "member.unmute",
	    json_pack("{s:s, s:s}", "slug", slug, "handle", handle), defs, 1,
	    yes_build, done);
}

/* ---- a poll ---- */

struct view *
mod_poll_close_form(json_int_t poll_id, void (*done)(struct view *, json_t *))
{
	static const struct form_def defs[] = {
		{ "Close the poll now", "no", "no|yes", NULL },
	};

	return form_open("Close the poll", "No more votes; everyone sees the "
	    "results and its voters are told. It cannot be opened again.",
	    "poll.close", json_pack("{s:I}", "poll_id", poll_id), defs, 1,
	    yes_build, done);
}
