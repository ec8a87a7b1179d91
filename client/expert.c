/*
 * expert.c: expert speaker requests. Members ask for an internal expert
 * to speak and answer staff's questions; staff (and admins) see the
 * queue, filter it by status and decide: accept (which creates the
 * event), decline or ask for more. A list screen and one request's
 * screen share the action keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "common.h"
#include "client.h"

static const char *statuses[] = { "", "pending", "more_info", "accepted",
	"declined" };
#define NSTATUS (sizeof statuses / sizeof statuses[0])

static bool
is_staff(void)
{
	const char *role = js(g_me, "role");

	return strcmp(role, "staff") == 0 || strcmp(role, "admin") == 0;
}

static bool
is_mine(json_t *req)
{
	return g_me != NULL && strcmp(js(jobj(req, "requested_by"), "handle"),
	    js(g_me, "handle")) == 0;
}

static const char *
status_label(const char *st)
{
	if (strcmp(st, "more_info") == 0)
		return "more info asked";
	return st;
}

/* ---- the forms and the action keys both screens share ---- */

static bool
expreq_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	if (vals[0][0] == '\0' || vals[1][0] == '\0') {
		snprintf(err, errlen, "Give a topic and say why it would "
		    "help.");
		return false;
	}
	json_object_set_new(args, "topic", json_string(vals[0]));
	json_object_set_new(args, "why", json_string(vals[1]));
	if (vals[2][0] != '\0')
		json_object_set_new(args, "community", json_string(vals[2]));
	if (vals[3][0] != '\0')
		json_object_set_new(args, "preferred_times",
		    json_string(vals[3]));
	return true;
}

static bool
reply_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	if (vals[0][0] == '\0') {
		snprintf(err, errlen, "Write your answer first.");
		return false;
	}
	json_object_set_new(args, "text", json_string(vals[0]));
	return true;
}

static bool
reason_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	if (vals[0][0] == '\0') {
		snprintf(err, errlen, "A reason is needed: the member sees "
		    "it.");
		return false;
	}
	json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

/* expert.decide's accept arguments: speaker, start, length. */
static bool
accept_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	char iso[64];
	const char *speaker = vals[0][0] == '@' ? vals[0] + 1 : vals[0];
	long dur;
	char *end;
	int64_t t;
	int rc;

	if (speaker[0] == '\0') {
		snprintf(err, errlen, "Name the speaker by their handle.");
		return false;
	}
	if ((rc = when_parse_typed(vals[1], &t)) != TIME_OK) {
		snprintf(err, errlen, "Start: %s; give it as YYYY-MM-DD HH:MM "
		    "(%s).", time_parse_error(rc), when_zone_name());
		return false;
	}
	time_iso8601(t, iso);
	dur = strtol(vals[2], &end, 10);
	if (*end != '\0' || dur <= 0) {
		snprintf(err, errlen, "The duration is a number of minutes.");
		return false;
	}
	json_object_set_new(args, "speaker", json_string(speaker));
	json_object_set_new(args, "starts_at", json_string(iso));
	json_object_set_new(args, "duration", json_integer(dur));
	if (vals[3][0] != '\0')
		json_object_set_new(args, "title", json_string(vals[3]));
	return true;
}

/* The new request form; done runs on the screen below. */
static struct view *
expreq_form(void (*done)(struct view *, json_t *))
{
	static const struct form_def defs[] = {
		{ "Topic", NULL, NULL, "what the talk would be about" },
		{ "Why", NULL, NULL, "why it would help you or your community" },
		{ "Community", NULL, FORM_COMMUNITIES, "for a talk to one "
		    "community (Space: the next one); (none) for everyone" },
		{ "Preferred times", NULL, NULL, "free text, e.g. \"Tuesday "
		    "afternoons\"; Enter here sends" },
	};

	return form_open("Ask for an expert speaker", "Staff read every "
	    "request and answer here.", "expert.request", NULL, defs, 4,
	    expreq_build, done);
}

/*
 * The keys on a request, from the list or its own screen: a for the
 * member to answer, A/D/M for staff to decide, e to open its event.
 */
static bool
expert_action(json_t *req, int ch, void (*done)(struct view *, json_t *))
{
	json_int_t id = ji(req, "id");
	const char *st = js(req, "status");
	bool open = strcmp(st, "pending") == 0 || strcmp(st, "more_info") == 0;
	char start[32], intro[300];

	snprintf(intro, sizeof intro, "Request: %s", js(req, "topic"));
	switch (ch) {
	case 'a': {
		static const struct form_def defs[] = {
			{ "Answer", NULL, NULL, "added to your request, which "
			    "goes back to staff" },
		};
		if (!is_mine(req))
			ui_flash("Only the member who asked answers.");
		else if (strcmp(st, "more_info") != 0)
			ui_flash("Staff have not asked anything on this "
			    "request.");
		else
			ui_push(form_open("Answer staff's question", intro,
			    "expert.reply", json_pack("{s:I}", "id", id), defs,
			    1, reply_build, done));
		return true;
	}
	case 'A': {
		time_t t = time(NULL) + 7 * 86400;
		char zone_hint[128];
		struct form_def defs[] = {
			{ "Speaker", NULL, NULL, "the expert's handle; they "
			    "host the event" },
			{ "Starts", start, NULL, zone_hint },
			{ "Duration (minutes)", "60", NULL, NULL },
			{ "Title", js(req, "topic"), NULL, "of the event; "
			    "Enter here accepts" },
		};
		if (!is_staff())
			return false;
		if (!open) {
			ui_flash("This request is already %s.", st);
			return true;
		}
		snprintf(zone_hint, sizeof zone_hint, "YYYY-MM-DD HH:MM, your "
		    "time (%s)", when_zone_name());
		when_format(t, "%Y-%m-%d 15:00", start, sizeof start);
		ui_push(form_open("Accept: create the event", intro,
		    "expert.decide", json_pack("{s:I, s:s}", "id", id,
		    "decision", "accept"), defs, 4, accept_build, done));
		return true;
	}
	case 'D':
	case 'M': {
		static const struct form_def defs[] = {
			{ "Reason", NULL, NULL, "the member sees it" },
		};
		if (!is_staff())
			return false;
		if (!open) {
			ui_flash("This request is already %s.", st);
			return true;
		}
		ui_push(form_open(ch == 'D' ? "Decline the request" :
		    "Ask the member for more", intro, "expert.decide",
		    json_pack("{s:I, s:s}", "id", id, "decision", ch == 'D' ?
		    "decline" : "more_info"), defs, 1, reason_build, done));
		return true;
	}
	case 'e':
		if (ji(req, "event_id"))
			ui_push(view_event(ji(req, "event_id")));
		else
			ui_flash("No event yet: staff create it when they "
			    "accept.");
		return true;
	}
	return false;
}

/* ---- one request ---- */

struct expreq {
	struct view v;
	json_t *req;
	int scroll, body;
};

/* The whole request: who, status, staff answer, why. */
static void
expreq_draw(struct view *v, int rows, int cols)
{
	struct expreq *r = (struct expreq *)v;
	json_t *q = r->req, *by = jobj(q, "requested_by");
	struct rdoc d;
	char line[1024], when[32];
	int w = cols - 4;

	rdoc_init(&d);
	rdoc_add(&d, js(q, "topic"), ST_HEAD | ST_BOLD, w);
	short_time(js(q, "created_at"), when);
	snprintf(line, sizeof line, "Asked by %s (@%s) on %s, for %s",
	    js(by, "display_name"), js(by, "handle"), when,
	    js(q, "community")[0] ? js(q, "community") : "everyone");
	rdoc_add(&d, line, ST_DIM, w);
	snprintf(line, sizeof line, "Status: %s", status_label(js(q,
	    "status")));
	rdoc_add(&d, line, ST_BOLD, w);
	if (js(q, "response")[0]) {
		snprintf(line, sizeof line, "Staff (%s): %s", js(q,
		    "decided_by")[0] ? js(q, "decided_by") : "staff",
		    js(q, "response"));
		rdoc_add(&d, line, ST_BOLD, w);
	}
	if (ji(q, "event_id"))
		rdoc_add(&d, "Accepted: the event is in the programme (press "
		    "e).", 0, w);
	if (js(q, "preferred_times")[0]) {
		snprintf(line, sizeof line, "Preferred times: %s", js(q,
		    "preferred_times"));
		rdoc_add(&d, line, 0, w);
	}
	rdoc_add(&d, "", 0, w);
	render_markdown(&d, js(q, "why"), strlen(js(q, "why")), w);
	r->body = rows - 1;
	if (r->scroll > (int)d.n - r->body)
		r->scroll = (int)d.n - r->body;
	if (r->scroll < 0)
		r->scroll = 0;
	for (int i = 0; i < r->body && (size_t)(r->scroll + i) < d.n; i++)
		put_rline(2 + i, 2, w, &d.lines[r->scroll + i]);
	rdoc_free(&d);
}

static void
expreq_done(struct view *below, json_t *result)
{
	struct expreq *r = (struct expreq *)below;
	json_t *q = json_object_get(result, "request");

	if (json_is_object(q)) {
		json_decref(r->req);
		r->req = json_incref(q);
	}
	ui_flash("Done: the request is now %s.", status_label(js(r->req,
	    "status")));
}

/* Scroll, or the action keys on this request. */
static bool
expreq_key(struct view *v, int ch, bool is_key)
{
	struct expreq *r = (struct expreq *)v;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		r->scroll++;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		r->scroll--;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		r->scroll += r->body > 2 ? r->body - 2 : 1;
	else if (is_key)
		return false;
	else
		return expert_action(r->req, ch, expreq_done);
	return true;
}

static void
expreq_free(struct view *v)
{
	struct expreq *r = (struct expreq *)v;

	json_decref(r->req);
	free(r);
}

static struct view *
view_expreq(json_t *req)
{
	struct expreq *r = xcalloc(1, sizeof *r);

	r->v.title = "Expert request";
	r->v.keys = is_staff() ? "A:accept  D:decline  M:ask for more  "
	    "e:event" : "a:answer staff's question  e:event";
	r->v.draw = expreq_draw;
	r->v.key = expreq_key;
	r->v.free = expreq_free;
	r->req = json_incref(req);
	return &r->v;
}

/* ---- the list ---- */

struct experts {
	struct view v;
	struct list l;
	bool staff, mine;
	size_t status; /* index in statuses: 0 all */
	char msg[256];
	char head[160];
};

static void experts_load(struct experts *, json_t *before);

/* A page of requests: the first replaces, later ones append. */
static void
experts_got(void *ctx, json_t *result, json_t *error)
{
	struct experts *x = ctx;
	struct list *l = &x->l;
	json_t *a, *q;
	size_t i;

	/* a later page replaces the "more" row at the end */
	if (l->n > 0 && json_is_integer(json_object_get(l->rows[l->n -
	    1].data, "more"))) {
		l->n--;
		free(l->rows[l->n].text);
		free(l->rows[l->n].right);
		json_decref(l->rows[l->n].data);
	} else
		list_clear(l);
	if (error != NULL) {
		snprintf(x->msg, sizeof x->msg, "%s", err_message(error));
		return;
	}
	x->msg[0] = '\0';
	a = jarr(result, "requests");
	if (json_array_size(a) == 0 && l->n == 0)
		snprintf(x->msg, sizeof x->msg, x->staff && !x->mine ?
		    "No requests here." : "You have not asked for a speaker "
		    "yet: press n.");
	json_array_foreach(a, i, q) {
		char line[700], when[32];
		json_t *by = jobj(q, "requested_by");
		const char *st = js(q, "status");
		bool ask = strcmp(st, "more_info") == 0;
		short_time(js(q, "created_at"), when);
		snprintf(line, sizeof line, "%-16s %s", status_label(st),
		    js(q, "topic"));
		list_add(l, line, when, ask || (x->staff && strcmp(st,
		    "pending") == 0) ? C_UNREAD : C_NORMAL, q, true)->attr =
		    ask ? A_BOLD : 0;
		snprintf(line, sizeof line, "      by %s (@%s) · %s%s%s",
		    js(by, "display_name"), js(by, "handle"),
		    js(q, "community")[0] ? js(q, "community") : "everyone",
		    js(q, "preferred_times")[0] ? " · " : "",
		    js(q, "preferred_times"));
		list_add(l, line, NULL, C_DIM, NULL, false);
		if (js(q, "response")[0]) {
			snprintf(line, sizeof line, "      Staff: %s%s",
			    js(q, "response"), ask && is_mine(q) ?
			    "  (a: answer)" : "");
			list_add(l, line, NULL, ask ? C_UNREAD : C_NORMAL, NULL,
			    false);
		}
	}
	list_add_more(l, json_object_get(result, "next"), "requests");
	list_fix(l);
}

/* Ask for the first page (or the one before id `before`). */
static void
experts_load(struct experts *x, json_t *before)
{
	json_t *args = json_pack("{s:I}", "limit", (json_int_t)50);

	if (statuses[x->status][0] != '\0')
		json_object_set_new(args, "status",
		    json_string(statuses[x->status]));
	if (x->staff && x->mine)
		json_object_set_new(args, "mine", json_true());
	if (before != NULL)
		json_object_set(args, "before", before);
	net_call("expert.list", args, &x->v, experts_got, x);
}

/* The heading (whose, which status), a message, the list. */
static void
experts_draw(struct view *v, int rows, int cols)
{
	struct experts *x = (struct experts *)v;
	int y = 1;

	if (x->staff)
		snprintf(x->head, sizeof x->head, "Expert speaker requests: "
		    "%s, %s", x->mine ? "mine" : "everyone's",
		    x->status ? status_label(statuses[x->status]) :
		    "any status");
	else
		snprintf(x->head, sizeof x->head, "Your expert speaker "
		    "requests");
	put_text(y++, 1, cols - 2, x->head, C_HEAD, A_BOLD);
	if (x->msg[0] != '\0')
		put_text(y++, 2, cols - 4, x->msg, C_DIM, 0);
	list_draw(&x->l, y + 1, rows - y, cols);
}

static void
experts_done(struct view *below, json_t *result)
{
	struct experts *x = (struct experts *)below;

	ui_flash("Done: the request is now %s.", status_label(js(jobj(result,
	    "request"), "status")));
	x->l.sel = 0;
	experts_load(x, NULL);
}

/* Open, page, filter, new request, or act on the selected one. */
static bool
experts_key(struct view *v, int ch, bool is_key)
{
	struct experts *x = (struct experts *)v;
	struct row *r = list_cur(&x->l);

	if (list_key(&x->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && r != NULL) {
		if (json_is_integer(json_object_get(r->data, "more")))
			experts_load(x, json_object_get(r->data, "more"));
		else
			ui_push(view_expreq(r->data));
		return true;
	}
	if (is_key)
		return false;
	switch (ch) {
	case 'n':
		ui_push(expreq_form(experts_done));
		return true;
	case 'f':
		if (!x->staff)
			return false;
		x->status = (x->status + 1) % NSTATUS;
		x->l.sel = 0;
		experts_load(x, NULL);
		return true;
	case 'm':
		if (!x->staff)
			return false;
		x->mine = !x->mine;
		x->l.sel = 0;
		experts_load(x, NULL);
		return true;
	case 'R':
		experts_load(x, NULL);
		return true;
	}
	if (r != NULL && !json_is_integer(json_object_get(r->data, "more")))
		return expert_action(r->data, ch, experts_done);
	return false;
}

/* Reload when a request arrives or a decision is made. */
static void
experts_event(struct view *v, const char *name, json_t *data)
{
	struct experts *x = (struct experts *)v;

	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0 ||
	    strcmp(name, "expert.request") == 0 ||
	    (strcmp(name, "notify.new") == 0 && strncmp(js(data, "kind"),
	    "expert", 6) == 0))
		experts_load(x, NULL);
}

static void
experts_free(struct view *v)
{
	struct experts *x = (struct experts *)v;

	list_free(&x->l);
	free(x);
}

struct view *
view_experts(void)
{
	struct experts *x = xcalloc(1, sizeof *x);

	x->staff = is_staff();
	x->v.title = "Expert speakers";
	x->v.keys = x->staff ? "n:new  A:accept  D:decline  M:more info  "
	    "f:status  m:mine" : "Enter:open  n:ask for a "
	    "speaker  a:answer staff";
	x->v.help = x->staff ? "Every member's requests for an internal "
	    "expert speaker, newest first. **A** accepts the selected one: "
	    "name the speaker (their handle), the start in your time and the "
	    "length, and the event is created with the speaker as host. "
	    "**D** declines and **M** asks the member for more, both with a "
	    "reason the member sees. **f** shows one status at a time, "
	    "**m** only your own requests, **n** asks for a speaker "
	    "yourself, **e** opens an accepted request's event." :
	    "Ask staff for an internal expert to speak to you or your "
	    "community. **n** asks: the topic, why, a community (optional) "
	    "and times that suit. Staff accept (the event then appears in "
	    "the programme: **e** opens it), decline with a reason, or ask "
	    "for more: then **a** answers them.";
	x->v.draw = experts_draw;
	x->v.key = experts_key;
	x->v.event = experts_event;
	x->v.free = experts_free;
	experts_load(x, NULL);
	return &x->v;
}
