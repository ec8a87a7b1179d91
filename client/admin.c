/*
 * admin.c: the Admin screen, for platform admins and staff (A on Home):
 * tabs for invites (create, with the code and the exact connect line shown
 * once; list; revoke), members (list, search, show, platform role, remove
 * with a reason, reinstate), communities (create with a first manager; one
 * with no manager is flagged), the audit log (paged), server status and
 * the code of conduct (read; edit, which makes a new version). Everything
 * is an admin.* operation; staff may read the code of conduct here, and
 * the rest answers them why not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>

#include "common.h"
#include "client.h"

enum tab { T_INVITES, T_MEMBERS, T_COMMUNITIES, T_AUDIT, T_STATUS, T_COC,
	T_COUNT };
static const char *const tab_names[T_COUNT] = { "Invites", "Members",
	"Communities", "Audit", "Status", "Conduct" };
static const char *const tab_keys[T_COUNT] = {
	"c:invite  x:revoke  a:all  Tab:next  M:reported messages",
	"Enter:show  f:find  r:role  x:remove  u:reinstate  c:device code  "
	    "M:reported messages",
	"c:create community  Tab:next  M:reported messages",
	"Enter on more:older  Tab:next  M:reported messages",
	"R:reload  m:send due e-mail now  Tab:next  M:reported messages",
	"e:edit (new version)  Tab:next  M:reported messages",
};

struct admin {
	struct view v;
	enum tab tab;
	struct list l;
	json_t *data; /* the tab's result */
	json_t *audit; /* audit rows loaded so far */
	json_t *mail; /* mail.status, on the Status tab */
	json_t *next; /* the audit's older page */
	bool all; /* invites: used, expired and revoked too */
	bool finding;
	struct field find;
	json_int_t revoke; /* an invite waiting for y/n */
	char msg[512];
	int gen; /* bumped per load: late replies of another tab are dropped */
};

bool
admin_may(void)
{
	const char *role = js(g_me, "role");

	return strcmp(role, "admin") == 0 || strcmp(role, "staff") == 0;
}

static bool
is_admin(void)
{
	return strcmp(js(g_me, "role"), "admin") == 0;
}

static void admin_load(struct admin *);

/*
 * The open Admin screen. A call's ctx is the load it belongs to (gen): a
 * reply for a tab left since is dropped. (Replies owed to a screen that
 * has gone are never delivered: net_forget.)
 */
static struct admin *open_admin;

static void *
pending_new(struct admin *a)
{
	return (void *)(intptr_t)a->gen;
}

static struct admin *
pending_take(void *ctx)
{
	if (open_admin == NULL || (intptr_t)ctx != open_admin->gen)
		return NULL;
	return open_admin;
}

/* ---- the rows of each tab ---- */

static void
fill_invites(struct admin *a)
{
	json_t *it;
	size_t i;
	char line[400], right[64], when[32];

	json_array_foreach(jarr(a->data, "invites"), i, it) {
		/* the day is enough: "13 Dec" */
		when[0] = '\0';
		if (time_from_iso8601(js(it, "expires_at")) != 0)
			when_format(time_from_iso8601(js(it, "expires_at")),
			    "%d %b", when, sizeof when);
		snprintf(line, sizeof line, "..%s  %-18.18s %-6s %s",
		    js(it, "hint"), js(it, "name"), js(it, "role"),
		    json_is_string(json_object_get(it, "community")) ?
		    js(it, "community") : "");
		snprintf(right, sizeof right, "%s, until %s", js(it, "status"),
		    when);
		list_add(&a->l, line, right, strcmp(js(it, "status"),
		    "pending") == 0 ? C_NORMAL : C_DIM, it, true);
	}
	if (json_array_size(jarr(a->data, "invites")) == 0)
		list_add(&a->l, a->all ? "  No invites yet." : "  No pending "
		    "invites (a shows used, expired and revoked ones too).",
		    NULL, C_DIM, NULL, false);
}

static bool
matches(json_t *m, const char *q)
{
	if (*q == '\0')
		return true;
	return strcasestr(js(m, "handle"), q) != NULL ||
	    strcasestr(js(m, "display_name"), q) != NULL;
}

static void
fill_members(struct admin *a)
{
	json_t *m;
	size_t i, shown = 0;
	char line[400], right[96];

	json_array_foreach(jarr(a->data, "members"), i, m) {
		if (!matches(m, a->find.text))
			continue;
		snprintf(line, sizeof line, "%s @%s", js(m, "display_name"),
		    js(m, "handle"));
		snprintf(right, sizeof right, "%s%s  %s",
		    json_is_true(json_object_get(m, "online")) ? "online  " :
		    "", js(m, "role"), js(m, "status"));
		list_add(&a->l, line, right, strcmp(js(m, "status"),
		    "removed") == 0 ? C_DIM : C_NORMAL, m, true);
		shown++;
	}
	if (shown == 0 && a->data != NULL)
		list_add(&a->l, "  No member matches.", NULL, C_DIM, NULL,
		    false);
}

static void
fill_communities(struct admin *a)
{
	json_t *c, *mg;
	size_t i, k;
	char line[400], right[200], who[160];

	json_array_foreach(jarr(a->data, "communities"), i, c) {
		who[0] = '\0';
		json_array_foreach(jarr(c, "managers"), k, mg) {
			size_t n = strlen(who);
			snprintf(who + n, sizeof who - n, "%s@%s", n ? " " : "",
			    json_string_value(mg));
		}
		snprintf(line, sizeof line, "%s (%s)%s", js(c, "name"),
		    js(c, "slug"), json_is_true(json_object_get(c,
		    "no_manager")) ? "  ! NO MANAGER" : "");
		snprintf(right, sizeof right, "%lld member%s  %s%s%s",
		    (long long)ji(c, "members"), ji(c, "members") == 1 ? "" :
		    "s", who[0] ? "managed by " : "",
		    who, ji(c, "pending_requests") > 0 ? "  requests" : "");
		list_add(&a->l, line, right, json_is_true(json_object_get(c,
		    "no_manager")) ? C_ERROR : C_NORMAL, c, true);
	}
	if (json_array_size(jarr(a->data, "communities")) == 0 &&
	    a->data != NULL)
		list_add(&a->l, "  There are no communities yet: c creates "
		    "the first.", NULL, C_DIM, NULL, false);
}

static void
fill_audit(struct admin *a)
{
	json_t *r;
	size_t i;
	char line[600], when[32];

	json_array_foreach(a->audit, i, r) {
		short_time(js(r, "at"), when);
		snprintf(line, sizeof line, "%s  %-10.10s %-20s %s%s  %s",
		    when, js(r, "actor"), js(r, "action"),
		    json_is_string(json_object_get(r, "member")) ? "@" : "",
		    json_is_string(json_object_get(r, "member")) ?
		    js(r, "member") : js(r, "target"), js(r, "detail"));
		list_add(&a->l, line, NULL, C_NORMAL, r, true);
	}
	list_add_more(&a->l, a->next, "entries");
}

static void
fill_status(struct admin *a)
{
	json_t *r = a->data, *lag;
	char line[400];

	if (r == NULL)
		return;
	snprintf(line, sizeof line, "hearthd %s, schema %lld", js(r,
	    "version"), (long long)ji(r, "schema"));
	list_add(&a->l, line, NULL, C_NORMAL, NULL, false);
	snprintf(line, sizeof line, "%lld connections, %lld SSH sessions",
	    (long long)ji(r, "conns"), (long long)ji(r, "ssh_sessions"));
	list_add(&a->l, line, NULL, C_NORMAL, NULL, false);
	lag = jobj(r, "loop_lag");
	snprintf(line, sizeof line, "Loop lag: worst %.1f ms, %lld ticks "
	    "late by over 10 ms", json_number_value(json_object_get(lag,
	    "max_ms")), (long long)ji(lag, "over_10ms"));
	list_add(&a->l, line, NULL, C_NORMAL, NULL, false);
	snprintf(line, sizeof line, "Database: synchronous %s, data in %s",
	    js(r, "synchronous"), js(r, "data"));
	list_add(&a->l, line, NULL, C_NORMAL, NULL, false);
	if ((r = a->mail) != NULL) {
		json_t *c = json_object_get(r, "counts"), *d;
		size_t i;

		snprintf(line, sizeof line, "E-mail: %s; %lld queued, %lld sent, "
		    "%lld given up", json_is_true(json_object_get(r,
		    "configured")) ? js(r, "via") : "not sent (no smtp_url or "
		    "sendmail set)", (long long)ji(c, "queued"),
		    (long long)ji(c, "sent"), (long long)ji(c, "dead"));
		list_add(&a->l, line, NULL, C_NORMAL, NULL, false);
		json_array_foreach(json_object_get(r, "dead"), i, d) {
			snprintf(line, sizeof line, "  given up: %s to %s after "
			    "%lld tries: %s", js(d, "kind"), js(d, "address"),
			    (long long)ji(d, "tries"), js(d, "error"));
			list_add(&a->l, line, NULL, C_DIM, NULL, false);
		}
	}
}

static void admin_fill(struct admin *);
static void mail_got(void *ctx, json_t *result, json_t *error);

/* m on Status went through: read the queue's counts again. */
static void
mail_ran(void *ctx, json_t *result, json_t *error)
{
	struct admin *a = ctx;

	(void)result;
	if (error != NULL)
		ui_flash("%s", err_message(error));
	else
		net_call("mail.status", NULL, &a->v, mail_got, a);
}

static void
mail_got(void *ctx, json_t *result, json_t *error)
{
	struct admin *a = ctx;

	if (error != NULL)
		return;
	json_decref(a->mail);
	a->mail = json_incref(result);
	if (a->tab == T_STATUS)
		admin_fill(a);
}

static void
fill_coc(struct admin *a, int cols)
{
	struct rdoc d;
	const char *text = js(a->data, "text");
	char line[300], when[32];

	if (a->data == NULL)
		return;
	if (json_is_string(json_object_get(a->data, "updated_at"))) {
		short_time(js(a->data, "updated_at"), when);
		snprintf(line, sizeof line, "Version %lld, set %s by %s.",
		    (long long)ji(a->data, "version"), when,
		    js(a->data, "updated_by"));
	} else
		snprintf(line, sizeof line, "Version 0: the text Hearth "
		    "comes with.%s", is_admin() ? " e writes the "
		    "association's own." : "");
	list_add(&a->l, line, NULL, C_DIM, NULL, false);
	list_add(&a->l, "", NULL, C_NORMAL, NULL, false);
	rdoc_init(&d);
	render_markdown(&d, text, strlen(text), cols > 10 ? cols - 6 : 10);
	for (size_t i = 0; i < d.n; i++)
		list_add(&a->l, d.lines[i].text, NULL, C_NORMAL, NULL, true);
	rdoc_free(&d);
}

static void
admin_fill(struct admin *a)
{
	int sel = a->l.sel;

	list_clear(&a->l);
	switch (a->tab) {
	case T_INVITES:
		fill_invites(a);
		break;
	case T_MEMBERS:
		fill_members(a);
		break;
	case T_COMMUNITIES:
		fill_communities(a);
		break;
	case T_AUDIT:
		fill_audit(a);
		break;
	case T_STATUS:
		fill_status(a);
		break;
	case T_COC:
		fill_coc(a, COLS);
		break;
	case T_COUNT:
		break;
	}
	a->l.sel = sel;
	list_fix(&a->l);
}

/* ---- loading ---- */

static void
loaded(void *ctx, json_t *result, json_t *error)
{
	struct admin *a = pending_take(ctx);

	if (a == NULL)
		return;
	if (error != NULL) {
		snprintf(a->msg, sizeof a->msg, "%s", err_message(error));
		if (!is_admin() && a->tab != T_COC)
			snprintf(a->msg, sizeof a->msg, "%s is for platform "
			    "admins; as staff you can read the code of "
			    "conduct here (Tab).", tab_names[a->tab]);
		admin_fill(a);
		return;
	}
	a->msg[0] = '\0';
	if (a->tab == T_AUDIT) {
		json_t *r;
		size_t i;
		json_array_foreach(jarr(result, "audit"), i, r)
			json_array_append(a->audit, r);
		json_decref(a->next);
		a->next = json_incref(json_object_get(result, "next"));
	} else {
		json_decref(a->data);
		a->data = json_incref(result);
	}
	admin_fill(a);
}

static void
admin_load(struct admin *a)
{
	static const char *const ops[T_COUNT] = { "admin.invite.list",
		"admin.member.list", "admin.community.list", "admin.audit",
		"admin.status", "coc.get" };
	json_t *args = NULL;

	a->gen++;
	json_decref(a->data);
	a->data = NULL;
	if (a->tab == T_AUDIT) {
		json_decref(a->audit);
		a->audit = json_array();
		json_decref(a->next);
		a->next = NULL;
		args = json_pack("{s:i}", "limit", 50);
	} else if (a->tab == T_INVITES)
		args = json_pack("{s:b}", "all", a->all);
	net_call(ops[a->tab], args, &a->v, loaded, pending_new(a));
	if (a->tab == T_STATUS)
		net_call("mail.status", NULL, &a->v, mail_got, a);
	a->v.keys = tab_keys[a->tab];
	list_clear(&a->l);
	a->l.sel = 0;
	a->l.scroll = 0;
}

/* ---- what the forms send ---- */

static void
after_change(struct view *v, json_t *result, const char *what)
{
	struct admin *a = (struct admin *)v;

	(void)result;
	ui_flash("%s", what);
	admin_load(a);
}

static bool
build_invite(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[0][0] == '\0') {
		snprintf(err, len, "Say who the invite is for (a name).");
		return false;
	}
	json_object_set_new(args, "name", json_string(vals[0]));
	json_object_set_new(args, "role", json_string(vals[1]));
	if (vals[2][0] != '\0')
		json_object_set_new(args, "community", json_string(vals[2]));
	json_object_set_new(args, "expires", json_string(vals[3][0] ?
	    vals[3] : "7d"));
	return true;
}

/* The code, shown this once, with the command that reaches this server. */
static void
invite_made(struct view *v, json_t *r)
{
	char *text = xasprintf("An invite for **%s** (%s%s%s), valid until "
	    "%s.\n\nGive them this code. It is shown only now: Hearth keeps "
	    "it only hashed.\n\n    %s\n\nThey connect with\n\n    %s\n\n"
	    "and enter the code when asked. (No SSH key yet? The same "
	    "command tells them how to make one.)", js(r, "name"), js(r,
	    "role"), json_is_string(json_object_get(r, "community")) ?
	    ", community " : "", json_is_string(json_object_get(r,
	    "community")) ? js(r, "community") : "",
	    when_show(js(r, "expires_at")),
	    js(r, "code"), js(r, "connect"));

	admin_load((struct admin *)v);
	ui_push(view_message("Invite created", text));
	free(text);
}

static bool
build_reason(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[0][0] == '\0') {
		snprintf(err, len, "Give the reason: the member is told it.");
		return false;
	}
	json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

static bool
build_optional_reason(json_t *args, const char *const *vals, char *err,
    size_t len)
{
	(void)err;
	(void)len;
	if (vals[0][0] != '\0')
		json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

static bool
build_role(json_t *args, const char *const *vals, char *err, size_t len)
{
	(void)err;
	(void)len;
	json_object_set_new(args, "role", json_string(vals[0]));
	return true;
}

static bool
build_community(json_t *args, const char *const *vals, char *err,
    size_t len)
{
	if (vals[0][0] == '\0' || vals[1][0] == '\0') {
		snprintf(err, len, "A community needs a short name (slug) "
		    "and a name.");
		return false;
	}
	json_object_set_new(args, "slug", json_string(vals[0]));
	json_object_set_new(args, "name", json_string(vals[1]));
	json_object_set_new(args, "visibility", json_string(vals[2]));
	json_object_set_new(args, "join_policy", json_string(vals[3]));
	if (vals[4][0] != '\0')
		json_object_set_new(args, "manager", json_string(vals[4][0] ==
		    '@' ? vals[4] + 1 : vals[4]));
	return true;
}

static void
removed(struct view *v, json_t *r)
{
	after_change(v, r, "Removed. Their sessions ended; they are told the "
	    "reason when they connect.");
}

static void
reinstated(struct view *v, json_t *r)
{
	char msg[200];

	snprintf(msg, sizeof msg, "@%s is a member again, with everything "
	    "they had.", js(r, "handle"));
	after_change(v, r, msg);
}

static void
role_set(struct view *v, json_t *r)
{
	char msg[200];

	snprintf(msg, sizeof msg, "@%s is now %s (was %s).", js(r, "handle"),
	    js(r, "role"), js(r, "was"));
	after_change(v, r, msg);
}

static void
community_made(struct view *v, json_t *r)
{
	char msg[300];

	snprintf(msg, sizeof msg, "Community %s created%s%s.", js(r, "slug"),
	    json_is_string(json_object_get(r, "manager")) ? ", managed by @" :
	    " with no manager yet", json_is_string(json_object_get(r,
	    "manager")) ? js(r, "manager") : "");
	after_change(v, r, msg);
}

static void
coc_self_accepted(void *ctx, json_t *result, json_t *error)
{
	(void)ctx;
	(void)result;
	(void)error; /* refused: the accept screen comes when they write */
}

/* The admin wrote the new version: they accept it themselves. */
static void
coc_saved(struct view *v, json_t *r)
{
	char msg[200];

	if (json_is_true(json_object_get(r, "changed"))) {
		net_call("member.accept_coc", NULL, NULL, coc_self_accepted,
		    NULL);
		snprintf(msg, sizeof msg, "Saved as version %lld. Members "
		    "accept it before they write again.",
		    (long long)ji(r, "version"));
	} else
		snprintf(msg, sizeof msg, "Unchanged: that is the current "
		    "text.");
	after_change(v, r, msg);
}

static void
shown(void *ctx, json_t *result, json_t *error)
{
	struct admin *a = pending_take(ctx);
	json_t *m = jobj(result, "member"), *x;
	struct buf b;
	size_t i;

	if (a == NULL)
		return;
	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	buf_init(&b);
	buf_printf(&b, "**%s** @%s\n\nPlatform role: %s  \nStatus: %s\n\n",
	    js(m, "display_name"), js(m, "handle"), js(m, "role"),
	    js(m, "status"));
	if (json_is_object(json_object_get(m, "removed")))
		buf_printf(&b, "Removed %s. Reason: %s\n\n",
		    when_show(js(jobj(m, "removed"), "at")),
		    js(jobj(m, "removed"), "reason"));
	buf_printf(&b, "## Communities\n");
	json_array_foreach(jarr(m, "communities"), i, x)
		buf_printf(&b, "- %s (%s): %s\n", js(x, "name"), js(x, "slug"),
		    js(x, "role"));
	if (json_array_size(jarr(m, "communities")) == 0)
		buf_printf(&b, "None.\n");
	buf_printf(&b, "\n## Keys\n");
	json_array_foreach(jarr(m, "keys"), i, x)
		buf_printf(&b, "- %s %s\n", js(x, "type"),
		    js(x, "fingerprint"));
	buf_append(&b, "", 1);
	ui_push(view_message(js(m, "handle"), b.data));
	buf_free(&b);
}

static void
revoked(void *ctx, json_t *result, json_t *error)
{
	struct admin *a = pending_take(ctx);

	if (a == NULL)
		return;
	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	ui_flash("Invite ..%s revoked: its code no longer works.",
	    js(result, "hint"));
	admin_load(a);
}

/* ---- keys ---- */

static const struct form_def invite_form[] = {
	{ "Name", NULL, NULL, "who the invite is for (they choose a handle)" },
	{ "Role", NULL, "member|staff|admin", "a member of the association|"
	    "staff: hosts support and expert requests|admin: runs Hearth" },
	{ "Community", "", FORM_COMMUNITIES, "optional: the community they "
	    "join (Space: the next one)" },
	{ "Expires", "7d", NULL, "90m, 12h, 7d or 2w (at most a year)" },
};

static const struct form_def community_form[] = {
	{ "Slug", NULL, NULL, "short name: lowercase letters, digits, -" },
	{ "Name", NULL, NULL, NULL },
	{ "Visibility", NULL, "private|platform|public", "only its members "
	    "read it|every member reads it|guests read it too" },
	{ "Join policy", NULL, "request|open|invite", "managers approve "
	    "requests|anyone joins|by invite only" },
	{ "First manager", "", NULL, "a member's handle (approves requests, "
	    "edits settings)" },
};

static const struct form_def reason_form[] = {
	{ "Reason", NULL, NULL, "the member is told it" },
};

static const struct form_def reinstate_form[] = {
	{ "Reason", "", NULL, "optional, for the audit log" },
};

/* The code, shown once, with what to type on the new device. */
static void
device_code_made(void *ctx, json_t *result, json_t *error)
{
	char text[800];

	(void)ctx;
	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	snprintf(text, sizeof text, "A one-time device code for @%s, for "
	    "%lld minutes (shown once; it replaces any code they had):\n\n"
	    "    %s\n\nOn their new device they type:\n\n    %s\n\nand "
	    "enter the code when asked. The audit log records it.",
	    js(result, "handle"), (long long)ji(result, "minutes"),
	    js(result, "code"), js(result, "connect"));
	ui_push(view_message("Device code", text));
}

static bool
member_key(struct admin *a, int ch, struct row *r)
{
	const char *h = r != NULL ? js(r->data, "handle") : "";
	char title[120];
	struct form_def role[1] = { { "Role", NULL, "member|staff|admin",
		"a member|staff: support and experts|admin: runs Hearth" } };

	if (ch == 'f') {
		a->finding = true;
		a->v.typing = true;
		return true;
	}
	if (h[0] == '\0' || strchr("rxuc", ch) == NULL)
		return false;
	if (ch == 'c') { /* a device code for someone who lost every device */
		net_call("admin.member.device_code", json_pack("{s:s}",
		    "handle", h), &a->v, device_code_made, a);
		return true;
	}
	if (ch == 'r') {
		snprintf(title, sizeof title, "Platform role of @%s", h);
		role[0].init = js(r->data, "role");
		ui_push(form_open(title, NULL, "admin.member.role",
		    json_pack("{s:s}", "handle", h), role, 1, build_role,
		    role_set));
	} else if (ch == 'x') {
		snprintf(title, sizeof title, "Remove @%s", h);
		ui_push(form_open(title, "Their sessions end and they cannot "
		    "connect until reinstated; nothing of theirs is deleted.",
		    "admin.member.remove", json_pack("{s:s}", "handle", h),
		    reason_form, 1, build_reason, removed));
	} else {
		snprintf(title, sizeof title, "Reinstate @%s", h);
		ui_push(form_open(title, "They come back with everything they "
		    "had: posts, keys and communities.",
		    "admin.member.reinstate", json_pack("{s:s}", "handle", h),
		    reinstate_form, 1, build_optional_reason, reinstated));
	}
	return true;
}

static bool
admin_key(struct view *v, int ch, bool is_key)
{
	struct admin *a = (struct admin *)v;
	struct row *r;

	if (a->finding) {
		if (ENTER(ch, is_key) || (!is_key && ch == 27)) {
			a->finding = false;
			a->v.typing = false;
		} else if (!field_key(&a->find, ch, is_key))
			return list_key(&a->l, ch, is_key);
		admin_fill(a);
		return true;
	}
	if (a->revoke != 0 && !is_key) {
		if (ch == 'y')
			net_call("admin.invite.revoke", json_pack("{s:I}",
			    "id", a->revoke), v, revoked, pending_new(a));
		a->revoke = 0;
		a->msg[0] = '\0';
		return true;
	}
	if ((!is_key && ch == '\t') || (is_key && ch == KEY_BTAB)) {
		a->tab = (a->tab + (ch == '\t' ? 1 : T_COUNT - 1)) % T_COUNT;
		a->msg[0] = '\0';
		admin_load(a);
		return true;
	}
	if (!is_key && ch >= '1' && ch < '1' + T_COUNT) {
		a->tab = (enum tab)(ch - '1');
		a->msg[0] = '\0';
		admin_load(a);
		return true;
	}
	if (list_key(&a->l, ch, is_key))
		return true;
	if (is_key)
		return false;
	r = list_cur(&a->l);
	if (ch == 'R') {
		admin_load(a);
		return true;
	}
	if (ch == 'M') { /* staff's queue of reported private messages */
		ui_push(view_msgreports());
		return true;
	}
	switch (a->tab) {
	case T_INVITES:
		if (ch == 'c') {
			ui_push(form_open("Invite someone", "The code is shown "
			    "once, with the command to connect.",
			    "admin.invite.create", NULL, invite_form, 4,
			    build_invite, invite_made));
			return true;
		}
		if (ch == 'a') {
			a->all = !a->all;
			admin_load(a);
			return true;
		}
		if (ch == 'x' && r != NULL && ji(r->data, "id") &&
		    strcmp(js(r->data, "status"), "pending") == 0) {
			a->revoke = ji(r->data, "id");
			snprintf(a->msg, sizeof a->msg, "Revoke the invite for "
			    "%s (..%s)? y/n", js(r->data, "name"),
			    js(r->data, "hint"));
			return true;
		}
		return false;
	case T_MEMBERS:
		if (ENTER(ch, is_key) && r != NULL && r->data != NULL) {
			net_call("admin.member.show", json_pack("{s:s}",
			    "handle", js(r->data, "handle")), v, shown,
			    pending_new(a));
			return true;
		}
		return member_key(a, ch, r);
	case T_COMMUNITIES:
		if (ch == 'c') {
			ui_push(form_open("Create a community", "It starts "
			    "with pinned Welcome and Introductions threads.",
			    "admin.community.create", NULL, community_form, 5,
			    build_community, community_made));
			return true;
		}
		return false;
	case T_AUDIT:
		if (ENTER(ch, is_key) && r != NULL && json_object_get(r->data,
		    "more") != NULL) {
			a->gen++;
			net_call("admin.audit", json_pack("{s:i, s:O}", "limit",
			    50, "before", json_object_get(r->data, "more")), v,
			    loaded, pending_new(a));
			return true;
		}
		return false;
	case T_STATUS:
		if (ch == 'm') { /* the sweeps now; the counts again */
			net_call("mail.run", NULL, v, mail_ran, a);
			ui_flash("Looking for due notifications and digests "
			    "now.");
			return true;
		}
		return false;
	case T_COC:
		if (ch == 'e' && a->data != NULL) {
			ui_push(composer_open("Code of conduct: a new version",
			    "admin.coc.set", json_object(), "admin-coc", false,
			    js(a->data, "text"), coc_saved));
			return true;
		}
		return false;
	default:
		return false;
	}
}

static void
admin_draw(struct view *v, int rows, int cols)
{
	struct admin *a = (struct admin *)v;
	int x = 2;
	char label[40];

	for (int t = 0; t < T_COUNT; t++) {
		snprintf(label, sizeof label, " %d %s ", t + 1, tab_names[t]);
		put_text(1, x, cols - x - 1, label, t == (int)a->tab ? C_SEL :
		    C_NORMAL, t == (int)a->tab ? A_BOLD : 0);
		x += text_width(label) + 1;
		if (x >= cols - 2)
			break;
	}
	if (a->finding || a->find.len > 0)
		ui_cursor(2, field_draw(&a->find, 2, 2, cols - 4,
		    a->finding));
	else if (a->msg[0] != '\0')
		put_text(2, 2, cols - 4, a->msg, a->revoke ? C_UNREAD :
		    C_ERROR, A_BOLD);
	else if (a->data == NULL && a->audit == NULL)
		put_text(2, 2, cols - 4, "Loading...", C_DIM, 0);
	if (a->tab == T_MEMBERS && a->finding)
		a->v.keys = "Enter:done  Esc:done  type to find";
	else
		a->v.keys = tab_keys[a->tab];
	list_draw(&a->l, 3, rows - 2, cols);
	if (a->finding)
		ui_cursor(2, field_draw(&a->find, 2, 2, cols - 4, true));
}

static void
admin_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "client.reconnected") == 0)
		admin_load((struct admin *)v);
}

static void
admin_free(struct view *v)
{
	struct admin *a = (struct admin *)v;

	if (open_admin == a)
		open_admin = NULL;
	list_free(&a->l);
	json_decref(a->data);
	json_decref(a->mail);
	json_decref(a->audit);
	json_decref(a->next);
	free(a);
}

struct view *
view_admin(void)
{
	struct admin *a = xcalloc(1, sizeof *a);

	a->v.title = "Admin";
	a->v.help = "Running Hearth: **Tab** (or 1-6) changes tab. "
	    "**Invites**: c creates one (the code and the command to connect "
	    "are shown once), x revokes, a shows used ones too. **Members**: "
	    "Enter shows one, f finds, r sets the platform role, x removes "
	    "with a reason, u reinstates. **Communities**: c creates one with "
	    "its first manager; one with no manager is flagged. **Audit "
	    "log**: newest first, Enter on the last row for older entries. "
	    "**Code of conduct**: e writes a new version, which every member "
	    "accepts before writing again. **M** (staff) opens the reported "
	    "private messages: each the one message reported, never the rest "
	    "of its conversation.";
	a->v.draw = admin_draw;
	a->v.key = admin_key;
	a->v.event = admin_event;
	a->v.free = admin_free;
	a->find.label = "Find";
	a->tab = is_admin() ? T_INVITES : T_COC;
	open_admin = a;
	admin_load(a);
	return &a->v;
}
