/*
 * roadmap-remind.c: an action's owner is reminded when its period starts
 * and, if it is neither done nor dropped, when its period ends. A timer
 * (at start, then every minute, hurried when an action or a roadmap's
 * start changes: roadmap_remind_start) runs as the server; a row in
 * roadmap_reminders makes each reminder happen once.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define ROADMAP_SWEEP_MS 60000

static uv_timer_t sweep_timer;
static bool sweep_started;
static uint64_t sweep_last_ms;

static void sweep(uv_timer_t *);

/* Start (or hurry) the sweep: it runs now (at most once a second). */
void
roadmap_remind_start(void)
{
	uint64_t since;

	if (srv->loop == NULL || srv->stopping)
		return;
	if (!sweep_started) {
		uv_timer_init(srv->loop, &sweep_timer);
		uv_unref((uv_handle_t *)&sweep_timer);
		sweep_started = true;
	}
	if (uv_is_closing((uv_handle_t *)&sweep_timer))
		return;
	since = now_ms() - sweep_last_ms;
	uv_timer_start(&sweep_timer, sweep, since >= 1000 ? 0 : 1000 - since,
	    ROADMAP_SWEEP_MS);
}

struct due {
	int64_t action, owner, community, at;
	int period;
	bool end;
	char *title;
};

/* One reminder, once (as the server). */
static int
remind(struct call *x, const struct due *d, int64_t now)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT OR IGNORE INTO "
	    "roadmap_reminders (action_id, kind, period_at, sent_at) VALUES "
	    "(?, ?, ?, ?)");
	const struct notify_ref ref = { .community_id = d->community };
	const char *label = roadmap_period_label(d->period);

	sqlite3_bind_int64(st, 1, d->action);
	sqlite3_bind_text(st, 2, d->end ? "end" : "start", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->at);
	sqlite3_bind_int64(st, 4, now);
	if (call_step(x, st) != 0)
		return -1;
	if (sqlite3_changes(srv->db) == 0)
		return 0;
	if ((d->end ? notify_add_ref(x, d->owner, "roadmap_action", &ref,
	    "The roadmap's %s is over and your action “%s” is not done: mark "
	    "it done or dropped, or move it.", label, d->title) :
	    notify_add_ref(x, d->owner, "roadmap_action", &ref,
	    "The roadmap's %s has started: your action “%s” is due in it.",
	    label, d->title)) != 0)
		return -1;
	outbox_member_event(&x->out, d->owner, "roadmap.reminder", json_pack(
	    "{s:I, s:s, s:s, s:i}", "action_id", (json_int_t)d->action,
	    "title", d->title, "kind", d->end ? "end" : "start", "period",
	    d->period));
	return 0;
}

/* As the server: every owned action whose period started or ended. */
static int
remind_due(struct call *x, void *arg)
{
	sqlite3_stmt *st;
	struct due *v = NULL;
	size_t n = 0, cap = 0;
	int64_t now = now_unix(), from, to;
	int rc = 0;

	(void)arg;
	st = db_stmt(srv->db, "SELECT a.id, a.owner_id, coalesce("
	    "r.community_id, 0), r.starts_on, a.period, a.title FROM "
	    "roadmap_actions a JOIN roadmaps r ON r.id = a.roadmap_id WHERE "
	    "a.owner_id IS NOT NULL AND a.status IN ('planned', 'doing') AND "
	    "r.starts_on <= ?");
	sqlite3_bind_int64(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct due d = { .action = sqlite3_column_int64(st, 0),
			.owner = sqlite3_column_int64(st, 1),
			.community = sqlite3_column_int64(st, 2),
			.period = sqlite3_column_int(st, 4) };

		roadmap_period_bounds(sqlite3_column_int64(st, 3), d.period,
		    &from, &to);
		if (now < from)
			continue;
		d.end = now >= to;
		d.at = d.end ? to : from;
		d.title = xstrdup((const char *)sqlite3_column_text(st, 5));
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = d;
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = remind(x, &v[i], now);
		free(v[i].title);
	}
	free(v);
	return rc;
}

static void
sweep(uv_timer_t *t)
{
	(void)t;
	sweep_last_ms = now_ms();
	if (dispatch_server("roadmap reminders", remind_due, NULL) == 0)
		sweep_counts.roadmap++;
}
