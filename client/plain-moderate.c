/*
 * plain-moderate.c: the line mode's moderation. In a thread: report a post,
 * delete one's own, read a post's history; for leaders and managers, hide
 * (with a reason) and show again, mute a post's author, pin, lock, rename
 * and retag. A community's reports queue: hide, dismiss, write to the
 * author; the mutes in force, lifted early.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

static bool
yes(const char *prompt)
{
	const char *s = plain_ask(prompt);

	return s[0] == 'y' || s[0] == 'Y';
}

static bool
blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

void
plain_moderate_print_post(json_t *p)
{
	if (ji(p, "deleted"))
		plain_out("   (deleted by its author)\n");
	else if (ji(p, "hidden") && !json_is_string(json_object_get(p,
	    "body")))
		plain_out("   (hidden by a moderator)\n");
	else {
		if (ji(p, "hidden"))
			plain_out("   (hidden from others by a moderator: "
			    "%s)\n", js(p, "hidden_reason"));
		plain_print_md(js(p, "body"), "   ");
	}
}

/*
 * thread.post_changed while a thread is read: a moderator hid or showed
 * one of the posts shown (numbered from 1), which now reads as the server
 * sends it to this member.
 */
void
plain_moderate_post_changed(json_t *d, json_t *shown)
{
	json_t *p = json_object_get(d, "post"), *q;
	size_t i;

	json_array_foreach(shown, i, q) {
		if (ji(q, "id") != ji(p, "id"))
			continue;
		json_array_set(shown, i, p);
		if (ji(p, "hidden"))
			plain_out("\nA moderator hid post %zu of this thread:\n",
			    i + 1);
		else
			plain_out("\nA moderator showed post %zu of this thread "
			    "again:\n", i + 1);
		plain_moderate_print_post(p);
		return;
	}
}

void
plain_moderate_help(json_t *thread)
{
	plain_out("Also: ! N report post N, d N delete your post N, v N its "
	    "edit history%s.\n", ji(thread, "moderator") ? "" :
	    ", T rename or retag (your thread)");
	if (ji(thread, "moderator"))
		plain_out("Moderating: h N hide or show post N, x N mute its "
		    "author, P %s, L %s, T rename or retag; managers: i N "
		    "marks post N as an impact story.\n",
		    ji(thread, "pinned") ? "unpin" : "pin",
		    ji(thread, "locked") ? "unlock" : "lock");
}

/* Mute handle in slug: how long, why, then confirm. */
static void
mute(const char *slug, const char *handle)
{
	char reason[512];
	int64_t secs;

	secs = mod_duration_parse(plain_ask("Mute for how long (30m, 2h, "
	    "3d, 1w): "));
	if (secs <= 0) {
		plain_out("Give a time like 30m, 2h, 3d or 1w (at most a "
		    "year).\n");
		return;
	}
	snprintf(reason, sizeof reason, "%s", plain_ask("Why (they are "
	    "told): "));
	if (blank(reason)) {
		plain_out("Not muted: a reason is needed.\n");
		return;
	}
	if (!yes("Mute them? They can still read. y/n: "))
		return;
	plain_do("member.mute", json_pack("{s:s, s:s, s:I, s:s}", "slug",
	    slug, "handle", handle, "seconds", (json_int_t)secs, "reason",
	    reason), "Muted; they are told why and until when.");
}

/* post.history, printed oldest first. */
static void
history(json_int_t post_id)
{
	json_t *r = plain_call("post.history", json_pack("{s:I}", "post_id",
	    post_id)), *res, *v;
	size_t i;

	if ((res = plain_result(r)) != NULL) {
		if (ji(res, "deleted"))
			plain_out("Its author deleted this post, and its "
			    "history with it.\n");
		json_array_foreach(json_object_get(res, "versions"), i, v) {
			plain_out("%s, %s:\n", ji(v, "current") ? "Now" :
			    i == 0 ? "First written" : "Earlier",
			    when_say(js(v, "at")));
			plain_print_md(js(v, "body"), "   ");
		}
	}
	json_decref(r);
}

/* The thread's new title and tags. */
static void
rename_thread(json_t *th)
{
	char title[256], line[512], *t, *save = NULL;
	json_t *args;

	snprintf(title, sizeof title, "%s", plain_ask("New title (Enter "
	    "keeps it): "));
	if (blank(title))
		snprintf(title, sizeof title, "%s", js(th, "title"));
	snprintf(line, sizeof line, "%s", plain_ask("Tags, separated by "
	    "commas (Enter keeps them, - for none): "));
	args = json_pack("{s:I, s:s}", "thread_id", ji(th, "id"), "title",
	    title);
	if (line[0] != '\0') {
		json_t *tags = json_array();
		if (strcmp(line, "-") != 0)
			for (t = strtok_r(line, ", ", &save); t != NULL;
			    t = strtok_r(NULL, ", ", &save))
				json_array_append_new(tags, json_string(t));
		json_object_set_new(args, "tags", tags);
	}
	plain_do("thread.update", args, "Saved.");
}

bool
plain_moderate_thread_cmd(const char *s, json_t *th, json_t *p)
{
	char reason[512];
	bool mod = ji(th, "moderator") != 0;

	switch (s[0]) {
	case 'P':
	case 'L':
		plain_do("thread.update", json_pack("{s:I, s:b}", "thread_id",
		    ji(th, "id"), s[0] == 'P' ? "pinned" : "locked",
		    !ji(th, s[0] == 'P' ? "pinned" : "locked")), s[0] == 'P' ?
		    (ji(th, "pinned") ? "Unpinned." : "Pinned.") :
		    (ji(th, "locked") ? "Unlocked." : "Locked."));
		return true;
	case 'T':
		rename_thread(th);
		return true;
	case 'h':
	case '!':
	case 'd':
	case 'v':
	case 'x':
		break;
	default:
		return false;
	}
	if (p == NULL) {
		plain_out("No post with that number on this page.\n");
		return true;
	}
	switch (s[0]) {
	case 'h':
		if (!mod) {
			plain_out("Only the community's leaders and managers "
			    "hide posts; ! N reports one to them.\n");
		} else if (ji(p, "hidden")) {
			if (yes("Show this post to everyone again? y/n: "))
				plain_do("post.unhide", json_pack("{s:I}",
				    "post_id", ji(p, "id")), "Shown again.");
		} else {
			/* s is plain_ask's buffer: read N before asking */
			bool first = atoi(s + 1) == 1;

			snprintf(reason, sizeof reason, "%s", plain_ask(
			    "Why hide it (its author sees this): "));
			if (!blank(reason) && first)
				plain_out("It is the thread's first post: members "
				    "will see the thread listed as \"(hidden by a "
				    "moderator)\", not by its title.\n");
			if (blank(reason))
				plain_out("Not hidden: a reason is needed.\n");
			else if (yes("Hide this post from everyone but its "
			    "author? y/n: "))
				plain_do("post.hide", json_pack("{s:I, s:s}",
				    "post_id", ji(p, "id"), "reason", reason),
				    "Hidden; its author is told why.");
		}
		break;
	case '!':
		snprintf(reason, sizeof reason, "%s", plain_ask("What is wrong "
		    "with it (only leaders and managers read this): "));
		if (blank(reason))
			plain_out("Not reported: say what is wrong.\n");
		else
			plain_do("post.report", json_pack("{s:I, s:s}",
			    "post_id", ji(p, "id"), "reason", reason),
			    "Reported. You will be told the outcome.");
		break;
	case 'd':
		if (yes("Delete your post for good? y/n: "))
			plain_do("post.delete", json_pack("{s:I}", "post_id",
			    ji(p, "id")), "Deleted.");
		break;
	case 'v':
		history(ji(p, "id"));
		break;
	case 'x':
		if (!mod)
			plain_out("Only the community's leaders and managers "
			    "mute members.\n");
		else if (author_handle(p)[0] == '\0')
			plain_out("That post has no author to mute.\n");
		else
			mute(js(th, "community"), author_handle(p));
		break;
	}
	return true;
}

/* ---- the reports queue ---- */

static void
resolve(json_t *rep, const char *action)
{
	char text[512];
	json_t *args;

	if (strcmp(action, "hide") == 0)
		snprintf(text, sizeof text, "%s", plain_ask("Why hide it (its "
		    "author sees this; Enter uses the report's words): "));
	else if (strcmp(action, "contact") == 0)
		snprintf(text, sizeof text, "%s", plain_ask("Your message to "
		    "its author (from the leaders and managers): "));
	else
		snprintf(text, sizeof text, "%s", plain_ask("A note for the "
		    "record (may be empty): "));
	if (strcmp(action, "hide") == 0 && blank(text))
		snprintf(text, sizeof text, "%s", js(rep, "reason"));
	if (strcmp(action, "contact") == 0 && blank(text)) {
		plain_out("Nothing sent: write a message.\n");
		return;
	}
	if (!yes(strcmp(action, "hide") == 0 ? "Hide the post? y/n: " :
	    strcmp(action, "contact") == 0 ? "Send it? y/n: " :
	    "Dismiss the report? y/n: "))
		return;
	args = json_pack("{s:I, s:s}", "report_id", ji(rep, "id"), "action",
	    action);
	if (!blank(text))
		json_object_set_new(args, "message", json_string(text));
	plain_do("report.resolve", args, "Done; the reporter is told the "
	    "outcome, without names.");
}

void
plain_moderate_reports(json_t *c)
{
	json_t *r, *res, *a, *rep, *m, *mr, *mutes;
	size_t i;
	char *s;

	for (;;) {
		r = plain_call("report.list", json_pack("{s:s}", "slug",
		    js(c, "slug")));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "reports");
		plain_out("\nReports in %s: %zu open\n", js(c, "name"),
		    json_array_size(a));
		json_array_foreach(a, i, rep) {
			json_t *au = json_object_get(rep, "author");
			plain_out("  %zu. @%s's post in \"%s\"%s, reported by @%s: "
			    "%s\n", i + 1, js(au, "handle"), js(rep,
			    "thread_title"), ji(rep, "hidden") ?
			    " (hidden already)" : "", js(rep, "reporter"),
			    js(rep, "reason"));
			plain_print_md(js(rep, "body"), "     > ");
		}
		mr = plain_call("community.mutes", json_pack("{s:s}", "slug",
		    js(c, "slug")));
		mutes = NULL;
		if ((res = plain_result(mr)) != NULL)
			mutes = json_object_get(res, "mutes");
		if (json_array_size(mutes) > 0)
			plain_out("Muted now:\n");
		json_array_foreach(mutes, i, m)
			plain_out("  @%s until %s: %s\n", js(m, "handle"),
			    when_say(js(m, "until")), js(m, "reason"));
		s = plain_ask("h N hide the post, x N dismiss, c N write to "
		    "its author, m HANDLE mute, u HANDLE lift a mute, 0 back: ");
		rep = json_array_get(a, (size_t)atoi(s + 1) - 1);
		if ((s[0] == 'h' || s[0] == 'x' || s[0] == 'c') && rep != NULL)
			resolve(rep, s[0] == 'h' ? "hide" : s[0] == 'x' ?
			    "dismiss" : "contact");
		else if (s[0] == 'h' || s[0] == 'x' || s[0] == 'c')
			plain_out("No report with that number.\n");
		else if ((s[0] == 'm' || s[0] == 'u') && !blank(s + 1)) {
			char handle[64];
			const char *h = s + 1;
			while (*h == ' ' || *h == '@')
				h++;
			snprintf(handle, sizeof handle, "%s", h);
			if (s[0] == 'm')
				mute(js(c, "slug"), handle);
			else
				plain_do("member.unmute", json_pack("{s:s, "
				    "s:s}", "slug", js(c, "slug"), "handle",
				    handle), "The mute is lifted.");
		} else {
			json_decref(mr);
			json_decref(r);
			return;
		}
		json_decref(mr);
		json_decref(r);
	}
}
