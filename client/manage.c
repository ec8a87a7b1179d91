/*
 * manage.c: running a community from its screen: the settings form
 * (managers), a member's role picked from the Members tab, asking to join
 * with a message, leaving, and the y/n question each of those asks first.
 * community.c opens these on its keys; requests.c has the Requests tab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* ---- a y/n question that sends one operation ---- */

struct confirm {
	struct view v;
	char *question, *done_msg;
	char op[40];
	json_t *args;
	bool sending;
	char err[300];
};

static void
confirm_draw(struct view *v, int rows, int cols)
{
	struct confirm *c = (struct confirm *)v;
	struct rdoc d;
	int y = 2;

	(void)rows;
	rdoc_init(&d);
	rdoc_wrap(&d, c->question, cols - 4);
	for (size_t i = 0; i < d.n; i++)
		put_rline(y++, 2, cols - 4, &d.lines[i]);
	rdoc_free(&d);
	y++;
	put_text(y++, 2, cols - 4, c->sending ? "Sending..." :
	    "y: yes    n or Esc: no", C_HEAD, A_BOLD);
	if (c->err[0] != '\0')
		put_text(y + 1, 2, cols - 4, c->err, C_ERROR, A_BOLD);
}

static void
confirm_sent(void *ctx, json_t *result, json_t *error)
{
	struct confirm *c = ctx;
	char msg[300];

	c->sending = false;
	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	(void)result;
	snprintf(msg, sizeof msg, "%s", c->done_msg);
	ui_pop();
	if (msg[0] != '\0')
		ui_flash("%s", msg);
}

static bool
confirm_key(struct view *v, int ch, bool is_key)
{
	struct confirm *c = (struct confirm *)v;

	if (is_key || c->sending)
		return true;
	if (ch == 'y' || ch == 'Y') {
		c->sending = true;
		c->err[0] = '\0';
		net_call(c->op, json_deep_copy(c->args), v, confirm_sent, c);
	} else if (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q')
		ui_pop();
	return true;
}

static void
confirm_free(struct view *v)
{
	struct confirm *c = (struct confirm *)v;

	free(c->question);
	free(c->done_msg);
	json_decref(c->args);
	free(c);
}

struct view *
view_confirm(const char *question, const char *op, json_t *args,
    const char *done_msg)
{
	struct confirm *c = xcalloc(1, sizeof *c);

	c->v.title = "Are you sure?";
	c->v.keys = "y:yes  n:no";
	c->v.draw = confirm_draw;
	c->v.key = confirm_key;
	c->v.free = confirm_free;
	c->question = xstrdup(question);
	c->done_msg = xstrdup(done_msg != NULL ? done_msg : "");
	snprintf(c->op, sizeof c->op, "%s", op);
	c->args = args;
	return &c->v;
}

/* ---- leaving ---- */

struct view *
community_leave_confirm(json_t *community)
{
	char q[600], done[300];
	const char *name = js(community, "name");
	bool member = js(community, "my_role")[0] != '\0';

	if (member) {
		snprintf(q, sizeof q, "Leave %s? You stop seeing its private "
		    "threads and rooms, and its managers see that you left. You "
		    "can ask to join again later.", name);
		snprintf(done, sizeof done, "You left %s.", name);
	} else {
		snprintf(q, sizeof q, "Withdraw your request to join %s?",
		    name);
		snprintf(done, sizeof done, "Your request to join %s was "
		    "withdrawn.", name);
	}
	return view_confirm(q, "community.leave", json_pack("{s:s}", "slug",
	    js(community, "slug")), done);
}

/* ---- asking to join ---- */

bool
community_as_message_build(json_t *args, const char *const *vals, char *err,
    size_t len)
{
	(void)err;
	(void)len;
	json_object_set_new(args, "as", json_string(vals[0]));
	if (vals[1][0] != '\0')
		json_object_set_new(args, "message", json_string(vals[1]));
	return true;
}

static void
join_sent(struct view *below, json_t *result)
{
	(void)below;
	if (strcmp(js(result, "status"), "requested") == 0)
		ui_flash("Request sent. You will be told the answer here and "
		    "in your notifications.");
	else
		ui_flash("You joined, as %s.", js(result, "role"));
}

struct view *
community_join_form(json_t *community)
{
	char title[300], intro[400];
	static const struct form_def defs[] = {
		{ "Join as", NULL, "member|interested", "You meet its "
		    "membership criteria (see About)|You are interested: you "
		    "read and reply, but start no threads" },
		{ "Message to its managers", NULL, NULL, "Who you are and why "
		    "you would like to join. Enter sends." },
	};

	snprintf(title, sizeof title, "Ask to join %s", js(community,
	    "name"));
	snprintf(intro, sizeof intro, "Who it is for: %s",
	    js(community, "criteria")[0] ? js(community, "criteria") :
	    "see the About tab.");
	return form_open(title, intro, "community.join", json_pack("{s:s}",
	    "slug", js(community, "slug")), defs, 2, community_as_message_build,
	    join_sent);
}

/* ---- settings ---- */

/* The values the settings form opened with: send only what changed. */
static char settings_init[8][4096];
static const char *const settings_keys[8] = { "name", "purpose", "criteria",
	"privacy", "visibility", "join_policy", "interested_cap",
	"refuse_interested_over_cap" };

static bool
settings_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	char *end;
	long cap;
	size_t n = 0;

	for (int i = 0; i < 8; i++) {
		if (strcmp(vals[i], settings_init[i]) == 0)
			continue;
		n++;
		if (i == 6) {
			cap = strtol(vals[i], &end, 10);
			if (vals[i][0] == '\0' || *end != '\0' || cap < 1 ||
			    cap > 100) {
				snprintf(err, len, "The interested cap is a "
				    "percentage from 1 to 100.");
				return false;
			}
			json_object_set_new(args, settings_keys[i],
			    json_integer(cap));
		} else if (i == 7)
			json_object_set_new(args, settings_keys[i],
			    json_boolean(strcmp(vals[i], "refuse") == 0));
		else
			json_object_set_new(args, settings_keys[i],
			    json_string(vals[i]));
	}
	if (n == 0) {
		snprintf(err, len, "Nothing changed yet. Esc leaves the form.");
		return false;
	}
	return true;
}

static void
settings_saved(struct view *below, json_t *result)
{
	(void)below;
	ui_flash("Saved. The pinned Welcome thread now says the same.");
	ui_event("client.community_changed", jobj(result, "community"));
}

struct view *
community_settings_form(json_t *c)
{
	char title[300];
	struct form_def defs[] = {
		{ "Name", NULL, NULL, "As members see it everywhere." },
		{ "Purpose", NULL, NULL, "What the community is for." },
		{ "Membership criteria", NULL, NULL, "Who it is for: who may "
		    "join as a member." },
		{ "Privacy expectations", NULL, NULL, "e.g. the Chatham House "
		    "Rule, or 'not to be repeated'." },
		{ "Visibility", NULL, "private|platform|public", "Only its "
		    "members see it|Every Hearth member sees and reads it|"
		    "Anyone may read it, even without an account" },
		{ "Join policy", NULL, "open|request|invite", "Anyone may join|"
		    "People ask; managers and leaders answer (Requests tab)|"
		    "By invitation only" },
		{ "Interested cap (%)", NULL, NULL, "The most interested "
		    "members may be, in percent of the community (1-100)." },
		{ "Over the cap", NULL, "warn|refuse", "Managers are told when "
		    "interested members pass the cap|No more interested "
		    "members past the cap" },
	};

#define INIT(i, ...) snprintf(settings_init[i], sizeof settings_init[i], \
	__VA_ARGS__)
	INIT(0, "%s", js(c, "name"));
	INIT(1, "%s", js(c, "purpose"));
	INIT(2, "%s", js(c, "criteria"));
	INIT(3, "%s", js(c, "privacy"));
	INIT(4, "%s", js(c, "visibility"));
	INIT(5, "%s", js(c, "join_policy"));
	INIT(6, "%lld", ji(c, "interested_cap") > 0 ?
	    (long long)ji(c, "interested_cap") : 10LL);
	INIT(7, "%s", json_is_true(json_object_get(c,
	    "refuse_interested_over_cap")) ? "refuse" : "warn");
#undef INIT
	for (int i = 0; i < 8; i++)
		defs[i].init = settings_init[i];
	snprintf(title, sizeof title, "Settings of %s", js(c, "name"));
	return form_open(title, "Change what you need, then Ctrl-S (or Enter "
	    "on the last field) saves.", "community.update", json_pack(
	    "{s:s}", "slug", js(c, "slug")), defs, 8, settings_build,
	    settings_saved);
}

/* ---- a member's role ---- */

struct rolepick {
	struct view v;
	struct list l;
	char slug[64], name[160], handle[48], who[200], role[16];
};

static void
rolepick_draw(struct view *v, int rows, int cols)
{
	struct rolepick *p = (struct rolepick *)v;
	char head[400];

	snprintf(head, sizeof head, "Role of %s in %s (now: %s)", p->who,
	    p->name, p->role);
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	list_draw(&p->l, 3, rows - 2, cols);
}

static bool
rolepick_key(struct view *v, int ch, bool is_key)
{
	struct rolepick *p = (struct rolepick *)v;
	struct row *r;
	char q[1024], done[400];
	const char *role;

	if (list_key(&p->l, ch, is_key))
		return true;
	if (!ENTER(ch, is_key) || (r = list_cur(&p->l)) == NULL)
		return false;
	role = js(r->data, "role");
	if (strcmp(role, p->role) == 0) {
		ui_flash("%s is already %s.", p->who, role);
		return true;
	}
	if (strcmp(role, "none") == 0) {
		snprintf(q, sizeof q, "Remove %s from %s? They are told, and "
		    "you will see them in the list of who left.", p->who,
		    p->name);
		snprintf(done, sizeof done, "%s was removed from %s.", p->who,
		    p->name);
	} else {
		snprintf(q, sizeof q, "Make %s %s %s of %s (now %s)? They are "
		    "told.", p->who, strcmp(role, "interested") == 0 ? "an" :
		    "a", strcmp(role, "interested") == 0 ? "interested member" :
		    role, p->name, p->role);
		snprintf(done, sizeof done, "%s is now %s.", p->who, role);
	}
	ui_replace(view_confirm(q, "community.set_role", json_pack(
	    "{s:s, s:s, s:s}", "slug", p->slug, "handle", p->handle, "role",
	    role), done));
	return true;
}

static void
rolepick_free(struct view *v)
{
	struct rolepick *p = (struct rolepick *)v;

	list_free(&p->l);
	free(p);
}

struct view *
community_role_picker(const char *slug, const char *name, json_t *member)
{
	struct rolepick *p = xcalloc(1, sizeof *p);
	static const char *const roles[][2] = {
		{ "manager", "Manager: settings, roles, requests, moderation" },
		{ "leader", "Leader: answers requests, moderates, opens rooms" },
		{ "member", "Member: takes part fully" },
		{ "interested", "Interested: reads and replies, starts no "
		    "threads" },
		{ "none", "Remove from the community" },
	};

	p->v.title = "Role";
	p->v.keys = "Enter:choose  q:cancel";
	p->v.draw = rolepick_draw;
	p->v.key = rolepick_key;
	p->v.free = rolepick_free;
	snprintf(p->slug, sizeof p->slug, "%s", slug);
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->handle, sizeof p->handle, "%s", js(member, "handle"));
	snprintf(p->role, sizeof p->role, "%s", js(member, "role"));
	snprintf(p->who, sizeof p->who, "%s (@%s)", js(member,
	    "display_name"), js(member, "handle"));
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		json_t *d = json_pack("{s:s}", "role", roles[i][0]);
		list_add(&p->l, roles[i][1], strcmp(roles[i][0], p->role) == 0 ?
		    "now" : NULL, C_NORMAL, d, true);
		json_decref(d);
		if (strcmp(roles[i][0], p->role) == 0)
			p->l.sel = (int)i;
	}
	return &p->v;
}
