/*
 * event-remind.c: event reminders. A timer (now, then every 30 s, and
 * hurried when the programme changes: event_remind_start) runs as the
 * server and reminds hosts and everyone going or maybe of each occurrence
 * a day and 15 minutes before it, with a stored notification and a live
 * event.reminder; a row in event_reminders makes each reminder happen
 * once.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define EVENT_SWEEP_MS 30000

static uv_timer_t sweep_timer;
static bool sweep_started;
static uint64_t sweep_last_ms;

static void sweep(uv_timer_t *);

/* Start (or hurry) the reminder sweep: it runs now and every 30 s. */
void
event_remind_start(void)
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
	/* At most one sweep a second, however busy the programme is. */
	since = now_ms() - sweep_last_ms;
	uv_timer_start(&sweep_timer, sweep, since >= 1000 ? 0 : 1000 - since,
	    EVENT_SWEEP_MS);
}

/* Remind one member of an occurrence, once (as the server, x). */
static int
reminder_add(struct call *x, const struct event *e, int64_t occ,
    const char *kind, int64_t member, int64_t now)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT OR IGNORE INTO event_reminders (event_id, occurrence, "
	    "kind, member_id, sent_at) VALUES (?, ?, ?, ?, ?)");
	char when[48];
	int64_t mins = (occ - now + 59) / 60;
	const struct notify_ref ref = { .community_id = e->community_id,
		.event_id = e->id };

	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_int64(st, 2, occ);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, member);
	sqlite3_bind_int64(st, 5, now);
	if (call_step(x, st) != 0)
		return -1;
	if (sqlite3_changes(srv->db) == 0)
		return 0; /* reminded already */
	zone_human(member, occ, when); /* in the member's time zone */
	if ((mins >= 120 ? notify_add_ref(x, member, "event_reminder", &ref,
	    "Reminder: “%s” starts in %lld hours (%s).", e->title,
	    (long long)(mins / 60), when) : notify_add_ref(x, member,
	    "event_reminder", &ref, "Reminder: “%s” starts in %lld minutes "
	    "(%s).", e->title, (long long)mins, when)) != 0)
		return -1;
	outbox_member_event(&x->out, member, "event.reminder", json_pack(
	    "{s:I, s:s, s:s, s:o, s:I}", "event_id", (json_int_t)e->id,
	    "title", e->title, "kind", kind, "starts_at", time_json(occ),
	    "minutes", (json_int_t)mins));
	return 0;
}

/*
 * As the server: for every occurrence starting within a day, remind hosts
 * and everyone going or maybe, a day before (while more than 15 minutes
 * are left) and 15 minutes before. Rows in event_reminders make each
 * reminder happen once; the live events follow the commit.
 */
static int
remind_due(struct call *x, void *arg)
{
	static char sql[sizeof EVENT_SELECT + 128];
	sqlite3_stmt *st, *who;
	struct event *evs = NULL;
	int64_t *ids = NULL;
	size_t nev = 0, evcap = 0, nids, idcap = 0;
	int64_t now = now_unix(), occ;
	const char *kind;
	int rc = 0;

	(void)arg;
	/* Every series not over whose next start may be within a day. */
	if (sql[0] == '\0')
		snprintf(sql, sizeof sql, "%sWHERE e.cancelled_at IS NULL AND "
		    "e.ends_at > ? AND e.starts_at <= ? + 86400", EVENT_SELECT);
	st = db_stmt(srv->db, sql);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (nev == evcap) {
			evcap = evcap ? evcap * 2 : 16;
			evs = xrealloc(evs, evcap * sizeof *evs);
		}
		event_from_row(st, &evs[nev++]);
	}
	sqlite3_reset(st);
	/* answers for every occurrence, or for this one (019) */
	who = db_stmt(srv->db,
	    "SELECT member_id FROM event_rsvps WHERE event_id = ?1 "
	    "AND status IN ('going', 'maybe') AND occurrence IN (0, ?2) "
	    "UNION SELECT member_id FROM event_hosts WHERE event_id = ?1");
	for (size_t i = 0; i < nev && rc == 0; i++) {
		occ = recur_upcoming(evs[i].recurrence, evs[i].starts,
		    evs[i].duration, now);
		if (occ <= now || occ - now > 86400)
			continue;
		/* In the last hour only the 15-minute reminder is sent: an
		 * event made (or joined) late gets one, not two. */
		if (occ - now > 900 && occ - now <= 3600)
			continue;
		kind = occ - now <= 900 ? "15m" : "day";
		nids = 0;
		sqlite3_bind_int64(who, 1, evs[i].id);
		sqlite3_bind_int64(who, 2, occ);
		while (sqlite3_step(who) == SQLITE_ROW) {
			if (nids == idcap) {
				idcap = idcap ? idcap * 2 : 64;
				ids = xrealloc(ids, idcap * sizeof *ids);
			}
			ids[nids++] = sqlite3_column_int64(who, 0);
		}
		sqlite3_reset(who);
		for (size_t j = 0; j < nids && rc == 0; j++)
			rc = reminder_add(x, &evs[i], occ, kind, ids[j], now);
	}
	free(ids);
	for (size_t i = 0; i < nev; i++)
		event_clear(&evs[i]);
	free(evs);
	return rc;
}

/* The reminder timer: the sweep runs as the server, in the group commit. */
static void
sweep(uv_timer_t *t)
{
	(void)t;
	sweep_last_ms = now_ms();
	if (dispatch_server("event reminders", remind_due, NULL) == 0)
		sweep_counts.reminders++;
}
