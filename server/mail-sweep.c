/*
 * mail-sweep.c: what is mailed when, as the server.
 *
 * - Immediate e-mails: a member's new notifications of the kinds they
 *   chose (mentions, messages, replies, request answers, event reminders
 *   with the event's .ics), at most one e-mail per mail_batch_minutes, and
 *   none while they are connected (they see them live). Staff hear of an
 *   "I need support" escalation at once when they are not connected.
 * - Digests, daily or weekly: built on a pool thread with a read-only
 *   connection of its own (the loop never counts), then queued in one
 *   write. Nothing is sent when nothing happened.
 * Only verified addresses get any of this; mail.c sends what is queued.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define IMMEDIATE_EVERY_MS 5000
#define DIGEST_EVERY_MS 60000
#define IMMEDIATE_MEMBERS 200 /* members looked at per sweep */
#define IMMEDIATE_ITEMS 50 /* notifications per e-mail */
#define DIGEST_MEMBERS 20 /* digests per job: the loop queues them in one turn */
#define DIGEST_THREADS 5 /* new threads listed per community */
#define DIGEST_ITEMS 20 /* replies and mentions listed */
#define DAY 86400

static uint64_t immediate_last, digest_last;
/*
 * Notifications up to here were all looked at by the last complete sweep
 * (-1: none yet); a sweep reads only newer ones, and those of members
 * whose e-mail waits out mail_batch_minutes.
 */
static int64_t watermark = -1;
static bool digest_busy, digest_more, hurry;

/* The first line of s without Markdown's marks, at most max bytes. */
void
mail_first_line(const char *s, char *out, size_t max)
{
	size_t n = 0;

	while (*s == '\n' || *s == ' ' || *s == '#' || *s == '>')
		s++;
	for (; *s != '\0' && *s != '\n' && n + 4 < max; s++) {
		if (*s == '*' || *s == '_' || *s == '`' || *s == '[' ||
		    *s == ']')
			continue;
		out[n++] = *s;
	}
	/* never end inside a UTF-8 sequence */
	while (n > 0 && (out[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && (out[n - 1] & 0xc0) == 0xc0)
		n--;
	if (*s != '\0' && *s != '\n')
		out[n++] = '.', out[n++] = '.', out[n++] = '.';
	out[n] = '\0';
}

static bool
member_online(int64_t id)
{
	for (struct conn *c = conn_first(); c != NULL; c = c->next)
		if (c->member.id == id && !c->closing)
			return true;
	return false;
}

/* ---- immediate ---- */

struct imm {
	int64_t member_id;
	char *address, *token;
	bool want[6]; /* mentions, messages, replies, reminders, requests */
	bool full_messages, staff;
};

enum { W_MENTION, W_MESSAGE, W_REPLY, W_REMINDER, W_REQUEST };

/* Which preference a notification kind answers to; -1: not mailed. */
static int
kind_pref(const char *kind)
{
	if (strcmp(kind, "mention") == 0)
		return W_MENTION;
	if (strcmp(kind, "message") == 0)
		return W_MESSAGE;
	if (strcmp(kind, "reply") == 0)
		return W_REPLY;
	if (strcmp(kind, "event_reminder") == 0)
		return W_REMINDER;
	if (strcmp(kind, "join_decided") == 0)
		return W_REQUEST;
	return -1;
}

/*
 * The unread private messages to the member, newest first: the sender's
 * name and the first line, or the whole message if they chose that.
 */
static void
message_lines(struct buf *body, struct imm *m)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT a.display_name, m.body "
	    "FROM conversation_members cm JOIN messages m ON "
	    "m.conversation_id = cm.conversation_id AND m.id > cm.last_read_id "
	    "JOIN members a ON a.id = m.author_id WHERE cm.member_id = ?1 AND "
	    "m.author_id != ?1 AND NOT EXISTS (SELECT 1 FROM message_withheld "
	    "w WHERE w.member_id = ?1 AND w.message_id = m.id) ORDER BY m.id "
	    "DESC LIMIT 5");
	char line[200];

	sqlite3_bind_int64(st, 1, m->member_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (m->full_messages) {
			buf_printf(body, "  %s wrote:\n%s\n\n",
			    db_col_text(st, 0), db_col_text(st, 1));
			continue;
		}
		mail_first_line(db_col_text(st, 1), line, sizeof line);
		buf_printf(body, "  %s: %s\n", db_col_text(st, 0), line);
	}
	sqlite3_reset(st);
}

static int
immediate_one(struct call *x, struct imm *m)
{
	sqlite3_stmt *st;
	struct buf body;
	int64_t upto = 0, thread = 0, event = 0;
	int n = 0, pref = -1;
	bool support = false, messages = false;
	bool online = member_online(m->member_id);
	char subject[200], *msg, *ics = NULL;
	struct mail_msg mm;

	buf_init(&body);
	st = db_stmt(srv->db, "SELECT n.id, n.kind, n.text, n.read_at, "
	    "n.thread_id, n.event_id, t.title, c.name FROM notifications n "
	    "LEFT JOIN threads t ON t.id = n.thread_id LEFT JOIN communities "
	    "c ON c.id = n.community_id WHERE n.member_id = ?1 AND n.id > "
	    "(SELECT mailed_upto FROM member_email WHERE member_id = ?1) "
	    "ORDER BY n.id LIMIT ?2");
	sqlite3_bind_int64(st, 1, m->member_id);
	sqlite3_bind_int(st, 2, IMMEDIATE_ITEMS);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = db_col_text(st, 1);

		upto = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL || online)
			continue; /* read already, or seen live */
		if (strcmp(kind, "support") == 0 && m->staff)
			support = true;
		else if ((pref = kind_pref(kind)) < 0 || !m->want[pref])
			continue;
		n++;
		buf_printf(&body, "- %s\n", db_col_text(st, 2));
		if (pref == W_MESSAGE)
			messages = true;
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			buf_printf(&body, "  in \"%s\"%s%s\n",
			    db_col_text(st, 6), sqlite3_column_type(st, 7) !=
			    SQLITE_NULL ? ", " : "", db_col_text(st, 7));
		if (thread == 0)
			thread = sqlite3_column_int64(st, 4);
		if (event == 0 && strcmp(kind, "event_reminder") == 0)
			event = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (upto == 0) {
		buf_free(&body);
		return 0;
	}
	st = db_stmt(srv->db, "UPDATE member_email SET mailed_upto = ?2, "
	    "immediate_at = CASE WHEN ?3 THEN ?4 ELSE immediate_at END WHERE "
	    "member_id = ?1");
	sqlite3_bind_int64(st, 1, m->member_id);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_int(st, 3, n > 0);
	sqlite3_bind_int64(st, 4, now_unix());
	if (call_step(x, st) != 0 || n == 0) {
		buf_free(&body);
		return x->err != 0 ? -1 : 0;
	}
	if (messages) {
		buf_puts(&body, "\nPrivate messages waiting for you:\n");
		message_lines(&body, m);
	}
	buf_append(&body, "", 1);
	if (support && n == 1)
		snprintf(subject, sizeof subject, "Hearth: someone in a room "
		    "needs support");
	else if (n == 1)
		snprintf(subject, sizeof subject, "Hearth: %.150s", body.data +
		    2);
	else
		snprintf(subject, sizeof subject, "Hearth: %d new things for "
		    "you", n);
	subject[strcspn(subject, "\n")] = '\0';
	if (event != 0)
		ics = event_ics_one(m->member_id, event);
	memset(&mm, 0, sizeof mm);
	mm.to = m->address;
	mm.subject = subject;
	mm.body = body.data;
	mm.kind = support ? "support" : "notify";
	mm.thread_id = n == 1 ? thread : 0;
	mm.unsub_token = m->token;
	mm.ics = ics;
	msg = mail_message(&mm);
	free(ics);
	buf_free(&body);
	n = mail_enqueue(x, m->member_id, m->address, mm.kind, msg);
	free(msg);
	return n;
}

static int
immediate_sweep(struct call *x, void *arg)
{
	sqlite3_stmt *st;
	struct imm *list = NULL;
	size_t n = 0, cap = 0, i;
	int64_t window = (int64_t)mail_batch_minutes() * 60, now = now_unix();
	int64_t hi, low;

	(void)arg;
	st = db_stmt(srv->db, "SELECT coalesce(max(id), 0) FROM notifications");
	hi = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	/* from the watermark; at start, from the oldest not looked at */
	low = watermark;
	if (low < 0) {
		st = db_stmt(srv->db, "SELECT min(mailed_upto) FROM "
		    "member_email WHERE verified_at IS NOT NULL");
		low = sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL ?
		    sqlite3_column_int64(st, 0) : hi;
		sqlite3_reset(st);
	}
	st = db_stmt(srv->db, "SELECT e.member_id, e.address, e.unsub_token, "
	    "e.mentions, e.messages, e.replies, e.reminders, e.requests, "
	    "e.messages_full, m.role IN ('admin', 'staff') FROM member_email e "
	    "JOIN members m ON m.id = e.member_id WHERE e.member_id IN (SELECT "
	    "member_id FROM notifications WHERE id > ?3) AND e.verified_at IS "
	    "NOT NULL AND m.status = 'active' AND EXISTS (SELECT 1 FROM "
	    "notifications n WHERE n.member_id = e.member_id AND n.id > "
	    "e.mailed_upto AND (e.immediate_at IS NULL OR e.immediate_at <= ?1 "
	    "OR (n.kind = 'support' AND n.read_at IS NULL))) LIMIT ?2");
	sqlite3_bind_int64(st, 1, now - window);
	sqlite3_bind_int(st, 2, IMMEDIATE_MEMBERS);
	sqlite3_bind_int64(st, 3, low);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			list = xrealloc(list, cap * sizeof *list);
		}
		list[n].member_id = sqlite3_column_int64(st, 0);
		list[n].address = xstrdup(db_col_text(st, 1));
		list[n].token = xstrdup(db_col_text(st, 2));
		for (int k = 0; k < 5; k++)
			list[n].want[k] = sqlite3_column_int(st, 3 + k) != 0;
		list[n].full_messages = sqlite3_column_int(st, 8) != 0;
		list[n].staff = sqlite3_column_int(st, 9) != 0;
		n++;
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		/* due, or a support call is among them (no waiting) */
		immediate_one(x, &list[i]);
		free(list[i].address);
		free(list[i].token);
	}
	free(list);
	if (n >= IMMEDIATE_MEMBERS)
		return 0; /* more next time, from the same watermark */
	/*
	 * All looked at: next time only newer ones, and those still waiting
	 * (a member held back by mail_batch_minutes) stay above the mark.
	 */
	st = db_stmt(srv->db, "SELECT min(n.id) FROM notifications n JOIN "
	    "member_email e ON e.member_id = n.member_id JOIN members m ON "
	    "m.id = n.member_id WHERE n.id > ?1 AND n.id > e.mailed_upto AND "
	    "e.verified_at IS NOT NULL AND m.status = 'active'");
	sqlite3_bind_int64(st, 1, low);
	watermark = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st,
	    0) != SQLITE_NULL ? sqlite3_column_int64(st, 0) - 1 : hi;
	sqlite3_reset(st);
	return 0;
}

/* A thread's first post is still shown (SQL on thread alias T). */
#define DIGEST_SHOWN(T) "coalesce((SELECT h.hidden_at IS NULL AND " \
	"h.deleted_at IS NULL FROM posts h WHERE h.thread_id = " T ".id " \
	"ORDER BY h.id LIMIT 1), 1)"

/* ---- digests ---- */

struct digest {
	int64_t member_id, since;
	char *address, *token, *period;
	char *body; /* NULL: nothing happened */
	char *message; /* the e-mail, built on the worker too */
};

struct djob {
	uv_work_t req;
	char *db_path;
	struct digest *d;
	size_t n;
	int64_t now;
};

static void
digest_build(sqlite3 *db, struct digest *d, int64_t now)
{
	sqlite3_stmt *st;
	struct buf b;
	char line[160], when[64];
	int items = 0, k;
	char *last = NULL;

	buf_init(&b);
	/* new threads by others in the member's communities */
	/* (not a thread whose first post a moderator hid, or its author
	 * deleted: its title and first line would say what it said); the
	 * count is of the rows of the same community, which the window
	 * gives without a query per row */
	if (sqlite3_prepare_v2(db, "SELECT c.name, t.title, (SELECT body FROM "
	    "posts WHERE thread_id = t.id ORDER BY id LIMIT 1), m.display_name, "
	    "count(*) OVER (PARTITION BY t.community_id) "
	    "FROM community_members cm JOIN communities c ON c.id = "
	    "cm.community_id JOIN threads t ON t.community_id = cm.community_id "
	    "LEFT JOIN members m ON m.id = t.author_id WHERE cm.member_id = ?1 "
	    "AND t.created_at > ?2 AND t.author_id IS NOT ?1 AND "
	    DIGEST_SHOWN("t") " ORDER BY c.name, t.created_at DESC", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->member_id);
		sqlite3_bind_int64(st, 2, d->since);
		k = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *cname = (const char *)
			    sqlite3_column_text(st, 0);

			if (last == NULL || strcmp(cname, last) != 0) {
				int total = sqlite3_column_int(st, 4);

				if (items == 0)
					buf_puts(&b, "NEW IN YOUR COMMUNITIES\n");
				buf_printf(&b, "\n%s: %d new thread%s\n", cname,
				    total, total == 1 ? "" : "s");
				free(last);
				last = xstrdup(cname);
				k = 0;
			}
			items++;
			if (++k > DIGEST_THREADS)
				continue;
			mail_first_line((const char *)sqlite3_column_text(st,
			    2) ? (const char *)sqlite3_column_text(st, 2) : "",
			    line, sizeof line);
			buf_printf(&b, "- %s (%s)\n  %s\n",
			    sqlite3_column_text(st, 1),
			    sqlite3_column_text(st, 3) ? (const char *)
			    sqlite3_column_text(st, 3) : "Hearth", line);
		}
		sqlite3_finalize(st);
	}
	free(last);
	/* replies and mentions, from communities they may still read */
	if (sqlite3_prepare_v2(db, "SELECT n.kind, n.text FROM notifications n "
	    "WHERE n.member_id = ?1 AND n.created_at > ?2 AND n.kind IN "
	    "('reply', 'mention') AND (n.community_id IS NULL OR "
	    "n.community_id IN (SELECT id FROM communities WHERE visibility IN "
	    "('platform', 'public') UNION SELECT community_id FROM "
	    "community_members WHERE member_id = ?1)) ORDER BY n.id DESC "
	    "LIMIT ?3", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->member_id);
		sqlite3_bind_int64(st, 2, d->since);
		sqlite3_bind_int(st, 3, DIGEST_ITEMS);
		k = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (k++ == 0)
				buf_puts(&b, "\nREPLIES AND MENTIONS\n");
			buf_printf(&b, "- %s\n", sqlite3_column_text(st, 1));
			items++;
		}
		sqlite3_finalize(st);
	}
	/* events they are going to in the next two weeks */
	if (sqlite3_prepare_v2(db, "SELECT e.title, e.starts_at, e.recurrence "
	    "FROM event_rsvps r JOIN events e ON e.id = r.event_id WHERE "
	    "r.member_id = ?1 AND r.status = 'going' AND e.ends_at > ?2 AND "
	    "e.cancelled_at IS NULL ORDER BY e.starts_at LIMIT 50", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->member_id);
		sqlite3_bind_int64(st, 2, now);
		k = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t at = sqlite3_column_int64(st, 1);
			const char *rec = (const char *)sqlite3_column_text(st,
			    2);

			if (at < now && recur_repeats(rec))
				at = recur_next(rec, at, now);
			if (at < now || at > now + 14 * DAY)
				continue;
			if (k++ == 0)
				buf_puts(&b, "\nCOMING UP (you are going)\n");
			time_iso8601(at, when);
			buf_printf(&b, "- %s, %.10s %.5s UTC\n",
			    sqlite3_column_text(st, 0), when, when + 11);
			items++;
		}
		sqlite3_finalize(st);
	}
	/* open surveys waiting for their answer */
	if (sqlite3_prepare_v2(db, "SELECT s.title, s.closes_at FROM "
	    "survey_audience a JOIN surveys s ON s.id = a.survey_id WHERE "
	    "a.member_id = ?1 AND s.status = 'open' AND NOT EXISTS (SELECT 1 "
	    "FROM survey_respondents r WHERE r.survey_id = s.id AND "
	    "r.member_id = ?1) ORDER BY s.closes_at LIMIT 10", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, d->member_id);
		k = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (k++ == 0)
				buf_puts(&b, "\nSURVEYS WAITING FOR YOUR ANSWER\n");
			time_iso8601(sqlite3_column_int64(st, 1), when);
			buf_printf(&b, "- %s (open until %.10s)\n",
			    sqlite3_column_text(st, 0), when);
			items++;
		}
		sqlite3_finalize(st);
	}
	if (items == 0) {
		buf_free(&b);
		d->body = NULL;
		return;
	}
	buf_append(&b, "", 1);
	d->body = xasprintf("Your %s Hearth digest.\n\n%s", d->period, b.data);
	buf_free(&b);
}

static void
digest_work(uv_work_t *req)
{
	struct djob *j = req->data;
	sqlite3 *db = NULL;

	worker_background();
	if (sqlite3_open_v2(j->db_path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warn(0, "digest: %s", db != NULL ? sqlite3_errmsg(db) :
		    "out of memory");
		sqlite3_close(db);
		for (size_t i = 0; i < j->n; i++)
			j->d[i].body = NULL;
		return;
	}
	sqlite3_busy_timeout(db, 2000);
	/* one snapshot for the whole batch */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < j->n; i++) {
		struct digest *d = &j->d[i];
		struct mail_msg mm;
		char subject[100];

		digest_build(db, d, j->now);
		if (d->body == NULL)
			continue;
		snprintf(subject, sizeof subject, "Your %s Hearth digest",
		    d->period);
		memset(&mm, 0, sizeof mm);
		mm.to = d->address;
		mm.subject = subject;
		mm.body = d->body;
		mm.kind = "digest";
		mm.unsub_token = d->token;
		d->message = mail_message(&mm);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
}

static int
digest_queue(struct call *x, void *arg)
{
	struct djob *j = arg;
	sqlite3_stmt *st;

	for (size_t i = 0; i < j->n; i++) {
		struct digest *d = &j->d[i];

		st = db_stmt(srv->db, "UPDATE member_email SET digest_at = ?2 "
		    "WHERE member_id = ?1 AND verified_at IS NOT NULL");
		sqlite3_bind_int64(st, 1, d->member_id);
		sqlite3_bind_int64(st, 2, j->now);
		if (call_step(x, st) != 0)
			return -1;
		if (d->message == NULL || sqlite3_changes(srv->db) == 0)
			continue;
		if (mail_enqueue(x, d->member_id, d->address, "digest",
		    d->message) != 0)
			return -1;
	}
	return 0;
}

static void
digest_done(uv_work_t *req, int status)
{
	struct djob *j = req->data;

	if (status == 0)
		dispatch_server("digests", digest_queue, j);
	for (size_t i = 0; i < j->n; i++) {
		free(j->d[i].address);
		free(j->d[i].token);
		free(j->d[i].period);
		free(j->d[i].body);
		free(j->d[i].message);
	}
	/* a full batch: more may be due, at the next tick */
	digest_more = j->n == DIGEST_MEMBERS;
	free(j->d);
	free(j->db_path);
	free(j);
	digest_busy = false;
	if (digest_more)
		mail_kick();
}

static void
digest_sweep(void)
{
	sqlite3_stmt *st;
	struct djob *j;
	size_t cap = 0;
	int64_t now = now_unix();

	st = db_stmt(srv->db, "SELECT e.member_id, e.address, e.unsub_token, "
	    "e.digest, coalesce(e.digest_at, e.verified_at) FROM member_email e "
	    "JOIN members m ON m.id = e.member_id WHERE e.digest_at <= ?1 - "
	    "86400 AND e.verified_at IS NOT NULL AND m.status = 'active' AND "
	    "e.digest != 'off' AND e.digest_at <= ?1 - CASE e.digest WHEN "
	    "'daily' THEN 86400 ELSE 604800 END LIMIT ?2");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, DIGEST_MEMBERS);
	j = xcalloc(1, sizeof *j);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (j->n == cap) {
			cap = cap ? cap * 2 : 16;
			j->d = xrealloc(j->d, cap * sizeof *j->d);
		}
		j->d[j->n].member_id = sqlite3_column_int64(st, 0);
		j->d[j->n].address = xstrdup(db_col_text(st, 1));
		j->d[j->n].token = xstrdup(db_col_text(st, 2));
		j->d[j->n].period = xstrdup(db_col_text(st, 3));
		j->d[j->n].since = sqlite3_column_int64(st, 4);
		j->d[j->n].body = NULL;
		j->d[j->n].message = NULL;
		j->n++;
	}
	sqlite3_reset(st);
	if (j->n == 0) {
		free(j);
		return;
	}
	j->now = now;
	j->db_path = xstrdup(sqlite3_db_filename(srv->db, "main"));
	j->req.data = j;
	digest_busy = true;
	if (uv_queue_work(srv->loop, &j->req, digest_work, digest_done) != 0) {
		digest_busy = false;
		for (size_t i = 0; i < j->n; i++) {
			free(j->d[i].address);
			free(j->d[i].token);
			free(j->d[i].period);
		}
		free(j->d);
		free(j->db_path);
		free(j);
	}
}

/* Called by mail.c's tick (every 2 s): each sweep at its own pace. */
void
mail_sweep_tick(void)
{
	uint64_t now = now_ms();

	if (srv->stopping)
		return;
	if (hurry || now - immediate_last >= IMMEDIATE_EVERY_MS) {
		immediate_last = now;
		dispatch_server("mail: notifications", immediate_sweep, NULL);
	}
	if (!digest_busy && (hurry || digest_more ||
	    now - digest_last >= DIGEST_EVERY_MS)) {
		digest_more = false;
		digest_last = now;
		digest_sweep();
	}
	hurry = false;
}

/* mail.run: both sweeps at the next tick (an admin's "now", and tests). */
void
mail_sweep_hurry(void)
{
	hurry = true;
	mail_kick();
}
