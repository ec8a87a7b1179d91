/*
 * outreach.c: reminders to a community's managers to check in with each
 * newcomer 1 week, 1 month and 2 months after they joined (docs/health.md,
 * "Outreach"). A timer (soon after start, then hourly) runs as the server
 * in the group commit; a row in outreach_reminders makes each reminder
 * happen once. Reminders more than three days late (after downtime, or an
 * upgrade that brought this in) are not sent.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define OUTREACH_SWEEP_MS (3600 * 1000)
#define OUTREACH_FIRST_MS 5000
#define OUTREACH_LATE (3 * 86400)
#define OUTREACH_BATCH 200

static uv_timer_t sweep_timer;
static bool started;
uint64_t outreach_sweeps; /* finished, for tests (admin.status) */

static int
outreach_due(struct call *x, void *arg)
{
	static const int days[] = { 7, 30, 60 };
	int64_t now = now_unix();
	sqlite3_stmt *st, *mgr, *mark;
	struct due {
		int64_t community, member;
		int milestone;
		char name[128];
	} *due = xcalloc(OUTREACH_BATCH, sizeof *due);
	size_t n = 0;
	int rc = 0;

	(void)arg;
	/* by community, so its (community_id, joined_at) index serves */
	st = db_stmt(srv->db, "SELECT cm.community_id, cm.member_id, "
	    "m.display_name FROM communities c CROSS JOIN community_members "
	    "cm INDEXED BY community_members_joined ON cm.community_id = c.id "
	    "JOIN members m ON m.id = cm.member_id "
	    "WHERE m.status = 'active' AND cm.role IN "
	    "('member', 'interested') AND cm.joined_at <= ?2 - ?1 * 86400 AND "
	    "cm.joined_at > ?2 - ?3 - ?1 * 86400 AND NOT EXISTS (SELECT 1 FROM "
	    "outreach_reminders r WHERE r.community_id = cm.community_id AND "
	    "r.member_id = cm.member_id AND r.milestone = ?1) LIMIT ?4");
	for (size_t k = 0; k < 3 && n < OUTREACH_BATCH; k++) {
		sqlite3_bind_int(st, 1, days[k]);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, OUTREACH_LATE);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)(OUTREACH_BATCH - n));
		while (n < OUTREACH_BATCH && sqlite3_step(st) == SQLITE_ROW) {
			due[n].community = sqlite3_column_int64(st, 0);
			due[n].member = sqlite3_column_int64(st, 1);
			due[n].milestone = days[k];
			snprintf(due[n].name, sizeof due[n].name, "%s",
			    db_col_text(st, 2));
			n++;
		}
		sqlite3_reset(st);
	}
	mark = db_stmt(srv->db, "INSERT INTO outreach_reminders (community_id, "
	    "member_id, milestone, sent_at) VALUES (?, ?, ?, ?)");
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t managers[32];
		size_t nm = 0;

		sqlite3_bind_int64(mark, 1, due[i].community);
		sqlite3_bind_int64(mark, 2, due[i].member);
		sqlite3_bind_int(mark, 3, due[i].milestone);
		sqlite3_bind_int64(mark, 4, now);
		if ((rc = call_step(x, mark)) != 0)
			break;
		mgr = db_stmt(srv->db, "SELECT member_id FROM "
		    "community_members WHERE community_id = ? AND role = "
		    "'manager' LIMIT 32");
		sqlite3_bind_int64(mgr, 1, due[i].community);
		while (nm < 32 && sqlite3_step(mgr) == SQLITE_ROW)
			managers[nm++] = sqlite3_column_int64(mgr, 0);
		sqlite3_reset(mgr);
		for (size_t j = 0; j < nm && rc == 0; j++)
			rc = notify_system(x, managers[j], "outreach",
			    &(struct notify_ref){ .community_id =
			    due[i].community }, "Check in with %s: they joined "
			    "%s ago.", due[i].name, due[i].milestone == 7 ?
			    "a week" : due[i].milestone == 30 ? "a month" :
			    "two months");
	}
	free(due);
	return rc;
}

static void
sweep(uv_timer_t *t)
{
	(void)t;
	if (dispatch_server("outreach reminders", outreach_due, NULL) == 0)
		outreach_sweeps++;
}

void
outreach_start(void)
{
	if (srv->loop == NULL || started)
		return;
	uv_timer_init(srv->loop, &sweep_timer);
	uv_unref((uv_handle_t *)&sweep_timer);
	uv_timer_start(&sweep_timer, sweep, OUTREACH_FIRST_MS,
	    OUTREACH_SWEEP_MS);
	started = true;
}
