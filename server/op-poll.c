/*
 * op-poll.c: polls in a community: poll.create, poll.get, poll.vote,
 * poll.close and poll.list, plus the sweep that closes timed polls and
 * tells their voters. A poll past its closes_at is closed in every read and
 * refuses votes even before the sweep has stamped closed_at. Anonymous
 * polls store who voted (one vote per member) but never return it.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define POLL_OPTIONS_MIN 2
#define POLL_OPTIONS_MAX 12
#define POLL_QUESTION_MAX 300
#define POLL_OPTION_MAX 200
#define POLL_LIST_MAX 100
#define POLL_LIST_DEFAULT 30
#define SWEEP_INTERVAL_MS 30000

struct poll {
	int64_t id;
	int64_t community_id;
	int64_t author_id; /* 0 if unknown */
	char author[40];
	char *question;
	bool multiple;
	bool anonymous;
	bool after_close; /* results only once closed */
	int64_t closes_at; /* 0: no closing time */
	int64_t closed_at; /* 0: not closed by hand or by the sweep */
	int64_t created_at;
};


static void
poll_clear(struct poll *p)
{
	free(p->question);
	memset(p, 0, sizeof *p);
}

/* Closed by hand, by the sweep, or simply past its closing time. */
static bool
poll_closed(const struct poll *p, int64_t now)
{
	return p->closed_at != 0 || (p->closes_at != 0 && p->closes_at <= now);
}

/* When it closed (or null while open). */
static json_t *
poll_closed_at_json(const struct poll *p, int64_t now)
{
	char when[32];

	if (p->closed_at != 0)
		time_iso8601(p->closed_at, when);
	else if (p->closes_at != 0 && p->closes_at <= now)
		time_iso8601(p->closes_at, when);
	else
		return json_null();
	return json_string(when);
}

/* Load a poll by id; fails the call with not_found if there is none. */
static int
poll_load(struct call *x, int64_t id, struct poll *p)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT p.id, p.community_id, p.author_id, m.handle, p.question, "
	    "p.multiple, p.anonymous, p.results, p.closes_at, p.closed_at, "
	    "p.created_at FROM polls p LEFT JOIN members m ON "
	    "m.id = p.author_id WHERE p.id = ?");
	int rc;

	memset(p, 0, sizeof *p);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
		return call_fail(x, ERR_NOT_FOUND, "No such poll.");
	}
	p->id = sqlite3_column_int64(st, 0);
	p->community_id = sqlite3_column_int64(st, 1);
	p->author_id = sqlite3_column_int64(st, 2);
	snprintf(p->author, sizeof p->author, "%s", db_col_text(st, 3));
	p->question = xstrdup(db_col_text(st, 4));
	p->multiple = sqlite3_column_int(st, 5) != 0;
	p->anonymous = sqlite3_column_int(st, 6) != 0;
	p->after_close = strcmp(db_col_text(st, 7), "after_close") == 0;
	p->closes_at = sqlite3_column_int64(st, 8);
	p->closed_at = sqlite3_column_int64(st, 9);
	p->created_at = sqlite3_column_int64(st, 10);
	sqlite3_reset(st);
	return 0;
}

/*
 * Load the poll named by args.poll_id and check the caller may do act in
 * its community. A caller who may not even read the community is told the
 * poll does not exist (its existence is not revealed).
 */
static int
poll_arg(struct call *x, enum cact act, struct poll *p, struct access *a)
{
	json_int_t id = 0;

	if (arg_int(x->args, "poll_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (poll_load(x, id, p) != 0)
		return -1;
	if (authz_community(x, p->community_id, CA_READ, a) != 0) {
		poll_clear(p);
		return call_fail(x, ERR_NOT_FOUND, "No such poll.");
	}
	if (act != CA_READ &&
	    authz_community(x, p->community_id, act, a) != 0) {
		poll_clear(p);
		return -1;
	}
	return 0;
}

/* Who voted for an option (named polls, results visible). */
static json_t *
option_voters_json(int64_t option_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT m.handle, m.display_name FROM poll_votes v JOIN members m "
	    "ON m.id = v.member_id WHERE v.option_id = ? ORDER BY m.handle");
	json_t *a = json_array();

	sqlite3_bind_int64(st, 1, option_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s}", "handle",
		    db_col_text(st, 0), "display_name", db_col_text(st, 1)));
	sqlite3_reset(st);
	return a;
}

/* The number of distinct members who voted. */
static int64_t
poll_voter_count(int64_t poll_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(DISTINCT member_id) FROM poll_votes "
	    "WHERE poll_id = ?");
	int64_t n = 0;

	sqlite3_bind_int64(st, 1, poll_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * The poll as the caller sees it: counts (and, for named polls, voters)
 * only once results are visible: after closing, or after the caller has
 * voted when the poll shows results after a vote.
 */
static json_t *
poll_json(struct call *x, const struct poll *p, const struct access *a)
{
	sqlite3_stmt *st;
	int64_t now = now_unix(), me = x->conn->member.id;
	json_t *o, *mine = json_array(), *opts = json_array(), *opt;
	bool closed = poll_closed(p, now), visible, names;
	char when[32];

	st = db_stmt(srv->db,
	    "SELECT option_id FROM poll_votes WHERE poll_id = ? AND "
	    "member_id = ? ORDER BY option_id");
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, me);
	while (me != 0 && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(mine,
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	visible = closed || (!p->after_close && json_array_size(mine) > 0);
	names = visible && !p->anonymous && !x->conn->guest;
	st = db_stmt(srv->db,
	    "SELECT o.id, o.label, (SELECT count(*) FROM poll_votes v "
	    "WHERE v.option_id = o.id) FROM poll_options o "
	    "WHERE o.poll_id = ? ORDER BY o.position");
	sqlite3_bind_int64(st, 1, p->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		opt = json_pack("{s:I, s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "label",
		    db_col_text(st, 1));
		json_object_set_new(opt, "votes", visible ?
		    json_integer(sqlite3_column_int64(st, 2)) : json_null());
		json_array_append_new(opts, opt);
	}
	sqlite3_reset(st);
	if (names) {
		for (size_t i = 0; i < json_array_size(opts); i++) {
			opt = json_array_get(opts, i);
			json_object_set_new(opt, "voters", option_voters_json(
			    json_integer_value(json_object_get(opt, "id"))));
		}
	}
	time_iso8601(p->created_at, when);
	o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:b, s:b, s:s, s:s}",
	    "id", (json_int_t)p->id, "community", a->slug, "community_name",
	    a->name, "author", p->author[0] != '\0' ? json_string(p->author) :
	    json_null(), "question", p->question, "multiple", p->multiple,
	    "anonymous", p->anonymous, "results", p->after_close ?
	    "after_close" : "after_vote", "created_at", when);
	if (p->closes_at != 0) {
		time_iso8601(p->closes_at, when);
		json_object_set_new(o, "closes_at", json_string(when));
	} else
		json_object_set_new(o, "closes_at", json_null());
	json_object_set_new(o, "closed", json_boolean(closed));
	json_object_set_new(o, "closed_at", poll_closed_at_json(p, now));
	json_object_set_new(o, "results_visible", json_boolean(visible));
	json_object_set_new(o, "total_voters",
	    json_integer(poll_voter_count(p->id)));
	json_object_set_new(o, "my_vote", mine);
	json_object_set_new(o, "options", opts);
	return o;
}

/* No control characters in a single-line text. */
static bool
line_clean(const char *s)
{
	for (const unsigned char *q = (const unsigned char *)s; *q; q++)
		if (*q < 0x20 || *q == 0x7f)
			return false;
	return true;
}

/* Only spaces (or nothing). */
static bool
blank(const char *s)
{
	return s[strspn(s, " ")] == '\0';
}

/* The sweep timer: see poll_sweep_start. */
static uv_timer_t sweep_timer;
static bool sweep_started;
static uint64_t sweep_next_ms; /* loop time the timer fires next */

static void sweep_tick(uv_timer_t *);

/* Make the sweep run no later than in delay_ms. */
static void
sweep_arm(uint64_t delay_ms)
{
	uint64_t at;

	if (!sweep_started || srv->stopping)
		return;
	at = uv_now(srv->loop) + delay_ms;
	if (sweep_next_ms != 0 && sweep_next_ms <= at &&
	    uv_is_active((uv_handle_t *)&sweep_timer))
		return;
	sweep_next_ms = at;
	uv_timer_start(&sweep_timer, sweep_tick, delay_ms, 0);
}

/* Arm the sweep for a poll closing at closes_at (Unix seconds). */
static void
sweep_arm_for(int64_t closes_at)
{
	int64_t left = closes_at - now_unix();
	uint64_t ms;

	/* Half a second late so the whole second has passed. */
	ms = left <= 0 ? 0 : (uint64_t)left * 1000 + 500;
	if (ms > SWEEP_INTERVAL_MS)
		ms = SWEEP_INTERVAL_MS;
	sweep_arm(ms);
}

/*
 * Tell the voters and the author of a poll that it has closed (inside the
 * caller's transaction). Returns -1 with the call failed on error.
 */
static int
poll_notify_closed(struct call *x, int64_t poll_id, int64_t community_id,
    const char *community, const char *question)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT DISTINCT v.member_id FROM poll_votes v JOIN members m ON "
	    "m.id = v.member_id WHERE v.poll_id = ?1 AND m.status = 'active' "
	    "UNION SELECT p.author_id FROM polls p JOIN members m ON "
	    "m.id = p.author_id WHERE p.id = ?1 AND m.status = 'active'");
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	sqlite3_bind_int64(st, 1, poll_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = notify_add(x, ids[i], "poll_closed", community_id, 0, 0,
		    poll_id, "The poll \"%s\" in %s has closed: see the "
		    "results.", question, community);
	free(ids);
	return rc;
}

/* The timed polls one sweep closes. */
struct sweep_due {
	int64_t ids[64], cids[64];
	char *questions[64], *names[64];
	size_t n;
};

/* As the server: close the due polls and notify their voters. */
static int
sweep_close(struct call *x, void *arg)
{
	struct sweep_due *d = arg;
	sqlite3_stmt *st = db_stmt(srv->db,
	    "UPDATE polls SET closed_at = closes_at WHERE id = ? "
	    "AND closed_at IS NULL");

	for (size_t i = 0; i < d->n; i++) {
		sqlite3_bind_int64(st, 1, d->ids[i]);
		if (call_step(x, st) != 0 || poll_notify_closed(x, d->ids[i],
		    d->cids[i], d->names[i], d->questions[i]) != 0)
			return -1;
	}
	return 0;
}

/*
 * Close every timed poll that is due, in the group transaction, and notify
 * its voters; then arm the timer for the next one (at most 30 s away).
 */
static void
sweep_run(void)
{
	sqlite3_stmt *st;
	struct sweep_due d;
	int64_t now = now_unix(), next = 0;
	size_t i;
	int rc = 0;

	d.n = 0;
	st = db_stmt(srv->db,
	    "SELECT p.id, p.community_id, p.question, c.name FROM polls p "
	    "JOIN communities c ON c.id = p.community_id WHERE "
	    "p.closed_at IS NULL AND p.closes_at IS NOT NULL AND "
	    "p.closes_at <= ? ORDER BY p.closes_at LIMIT 64");
	sqlite3_bind_int64(st, 1, now);
	while (d.n < 64 && sqlite3_step(st) == SQLITE_ROW) {
		d.ids[d.n] = sqlite3_column_int64(st, 0);
		d.cids[d.n] = sqlite3_column_int64(st, 1);
		d.questions[d.n] = xstrdup(db_col_text(st, 2));
		d.names[d.n] = xstrdup(db_col_text(st, 3));
		d.n++;
	}
	sqlite3_reset(st);
	if (d.n > 0) {
		rc = dispatch_server("poll sweep", sweep_close, &d);
		if (rc == 0)
			log_info(0, "poll sweep: closed %zu timed poll(s)",
			    d.n);
	}
	for (i = 0; i < d.n; i++) {
		free(d.questions[i]);
		free(d.names[i]);
	}
	st = db_stmt(srv->db,
	    "SELECT min(closes_at) FROM polls WHERE closed_at IS NULL AND "
	    "closes_at IS NOT NULL");
	if (sqlite3_step(st) == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sweep_next_ms = 0;
	if (rc != 0 || d.n == 64)
		sweep_arm(1000);
	else
		sweep_arm_for(next != 0 ? next : now + SWEEP_INTERVAL_MS);
	if (rc == 0)
		sweep_counts.polls++;
}

static void
sweep_tick(uv_timer_t *t)
{
	(void)t;
	sweep_next_ms = 0;
	if (srv->stopping)
		return;
	sweep_run();
}

void
poll_sweep_start(void)
{
	if (sweep_started || srv == NULL || srv->loop == NULL)
		return;
	uv_timer_init(srv->loop, &sweep_timer);
	/* The sweep alone never keeps the loop running. */
	uv_unref((uv_handle_t *)&sweep_timer);
	sweep_started = true;
	sweep_arm(1000);
}

/* Parse args.options for poll.create into labels; -1 with the call failed. */
static int
options_parse(struct call *x, json_t *v, const char **labels, size_t *n)
{
	json_t *e;
	size_t i, j;

	if (v == NULL || json_is_null(v))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.options is required: a list of %d to %d choices",
		    POLL_OPTIONS_MIN, POLL_OPTIONS_MAX);
	if (!json_is_array(v))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.options must be a list of %d to %d choices",
		    POLL_OPTIONS_MIN, POLL_OPTIONS_MAX);
	if (json_array_size(v) < POLL_OPTIONS_MIN ||
	    json_array_size(v) > POLL_OPTIONS_MAX)
		return call_fail(x, ERR_BAD_REQUEST,
		    "A poll needs %d to %d options (got %zu).",
		    POLL_OPTIONS_MIN, POLL_OPTIONS_MAX, json_array_size(v));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) ||
		    strlen(json_string_value(e)) != json_string_length(e) ||
		    json_string_length(e) > POLL_OPTION_MAX ||
		    blank(json_string_value(e)) ||
		    !line_clean(json_string_value(e)))
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.options[%zu] must be a choice of 1-%d bytes "
			    "on one line", i, POLL_OPTION_MAX);
		labels[i] = json_string_value(e);
		for (j = 0; j < i; j++)
			if (strcmp(labels[j], labels[i]) == 0)
				return call_fail(x, ERR_BAD_REQUEST,
				    "args.options has \"%s\" twice; each "
				    "choice must differ", labels[i]);
	}
	*n = json_array_size(v);
	return 0;
}

static int
op_poll_create(struct call *x)
{
	const char *slug = NULL, *question = NULL, *results = "after_vote",
	    *closes_in = NULL, *labels[POLL_OPTIONS_MAX];
	bool multiple = false, anonymous = false;
	int64_t now = now_unix(), closes_at = 0, ttl, id;
	struct access a;
	struct poll p;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	poll_sweep_start();
	if (arg_str(x->args, "slug", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "question", true, POLL_QUESTION_MAX, &question,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_bool(x->args, "multiple", false, &multiple, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "anonymous", false, &anonymous, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "results", false, 16, &results, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "closes_in", false, 16, &closes_in, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_community_slug(x, slug, CA_POST, &a) != 0)
		return -1;
	if (blank(question) || !line_clean(question))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.question must be 1-%d bytes on one line",
		    POLL_QUESTION_MAX);
	if (options_parse(x, json_object_get(x->args, "options"), labels,
	    &n) != 0)
		return -1;
	if (strcmp(results, "after_vote") != 0 &&
	    strcmp(results, "after_close") != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.results must be after_vote (a member sees results "
		    "once they have voted) or after_close");
	if (closes_in != NULL) {
		ttl = parse_duration(closes_in);
		if (ttl <= 0 || ttl > 366LL * 86400)
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.closes_in must be a duration like 90m, 12h, "
			    "3d or 2w (at most a year)");
		closes_at = now + ttl;
	}
	st = db_stmt(srv->db,
	    "INSERT INTO polls (community_id, author_id, question, multiple, "
	    "anonymous, results, closes_at, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, a.community_id);
	if (x->conn->member.id != 0)
		sqlite3_bind_int64(st, 2, x->conn->member.id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, question, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, multiple);
	sqlite3_bind_int(st, 5, anonymous);
	sqlite3_bind_text(st, 6, results, -1, SQLITE_STATIC);
	if (closes_at != 0)
		sqlite3_bind_int64(st, 7, closes_at);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	id = sqlite3_last_insert_rowid(srv->db);
	st = db_stmt(srv->db,
	    "INSERT INTO poll_options (poll_id, position, label) "
	    "VALUES (?, ?, ?)");
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, labels[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
	}
	if (poll_load(x, id, &p) != 0)
		return -1;
	x->result = json_pack("{s:o}", "poll", poll_json(x, &p, &a));
	poll_clear(&p);
	if (closes_at != 0)
		sweep_arm_for(closes_at);
	return 0;
}

static int
op_poll_get(struct call *x)
{
	struct access a;
	struct poll p;

	poll_sweep_start();
	if (poll_arg(x, CA_READ, &p, &a) != 0)
		return -1;
	x->result = json_pack("{s:o}", "poll", poll_json(x, &p, &a));
	poll_clear(&p);
	return 0;
}

/* Is option_id one of the poll's options? */
static bool
option_of(int64_t poll_id, int64_t option_id)
{
	return db_exists(srv->db,
	    "SELECT 1 FROM poll_options WHERE id = ? AND poll_id = ?",
	    option_id, poll_id);
}

static int
op_poll_vote(struct call *x)
{
	int64_t chosen[POLL_OPTIONS_MAX], me = x->conn->member.id,
	    now = now_unix();
	struct access a;
	struct poll p;
	sqlite3_stmt *st;
	json_t *v, *e;
	size_t i, j, n = 0;
	char when[32];
	int rc;

	poll_sweep_start();
	if (poll_arg(x, CA_REPLY, &p, &a) != 0)
		return -1;
	rc = -1;
	if (me == 0) {
		call_fail(x, ERR_FORBIDDEN, "Only members may vote.");
		goto out;
	}
	if (poll_closed(&p, now)) {
		time_iso8601(p.closed_at != 0 ? p.closed_at : p.closes_at,
		    when);
		call_fail(x, ERR_CONFLICT,
		    "This poll closed at %s; votes are no longer accepted.",
		    when);
		goto out;
	}
	v = json_object_get(x->args, "options");
	if (v == NULL || !json_is_array(v) || json_array_size(v) == 0) {
		call_fail(x, ERR_BAD_REQUEST,
		    "args.options must be a list of the option ids you choose");
		goto out;
	}
	if (!p.multiple && json_array_size(v) != 1) {
		call_fail(x, ERR_BAD_REQUEST,
		    "This poll takes one choice: give exactly one option id.");
		goto out;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || !option_of(p.id,
		    json_integer_value(e))) {
			call_fail(x, ERR_BAD_REQUEST,
			    "args.options[%zu] is not an option of this poll",
			    i);
			goto out;
		}
		for (j = 0; j < n; j++)
			if (chosen[j] == json_integer_value(e))
				break;
		if (j == n)
			chosen[n++] = json_integer_value(e);
	}
	/* The new vote replaces any earlier one. */
	st = db_stmt(srv->db,
	    "DELETE FROM poll_votes WHERE poll_id = ? AND member_id = ?");
	sqlite3_bind_int64(st, 1, p.id);
	sqlite3_bind_int64(st, 2, me);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		call_db_fail(x);
		goto out;
	}
	sqlite3_reset(st);
	st = db_stmt(srv->db,
	    "INSERT INTO poll_votes (poll_id, option_id, member_id, at) "
	    "VALUES (?, ?, ?, ?)");
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, p.id);
		sqlite3_bind_int64(st, 2, chosen[i]);
		sqlite3_bind_int64(st, 3, me);
		sqlite3_bind_int64(st, 4, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			call_db_fail(x);
			goto out;
		}
		sqlite3_reset(st);
	}
	x->result = json_pack("{s:o}", "poll", poll_json(x, &p, &a));
	rc = 0;
out:
	poll_clear(&p);
	return rc;
}

static int
op_poll_close(struct call *x)
{
	int64_t me = x->conn->member.id, now = now_unix();
	struct access a;
	struct poll p;
	sqlite3_stmt *st;
	int rc = -1;

	poll_sweep_start();
	if (poll_arg(x, CA_READ, &p, &a) != 0)
		return -1;
	if ((me == 0 || me != p.author_id) &&
	    authz_community(x, p.community_id, CA_MODERATE, &a) != 0) {
		call_fail(x, ERR_FORBIDDEN,
		    "Only the poll's author or a leader or manager of %s may "
		    "close it.", a.name);
		goto out;
	}
	if (poll_closed(&p, now)) {
		call_fail(x, ERR_CONFLICT, "This poll is already closed.");
		goto out;
	}
	st = db_stmt(srv->db,
	    "UPDATE polls SET closed_at = ? WHERE id = ? AND "
	    "closed_at IS NULL");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, p.id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = call_db_fail(x);
		goto out;
	}
	p.closed_at = now;
	if ((rc = poll_notify_closed(x, p.id, p.community_id, a.name,
	    p.question)) != 0)
		goto out;
	x->result = json_pack("{s:o}", "poll", poll_json(x, &p, &a));
out:
	poll_clear(&p);
	return rc;
}

static int
op_poll_list(struct call *x)
{
	const char *slug = NULL;
	json_int_t limit = POLL_LIST_DEFAULT, before = 0;
	int64_t now = now_unix();
	bool open = false, has_open;
	struct access a;
	struct poll p;
	sqlite3_stmt *st;
	json_t *list, *v, *o;
	int rc, n = 0;

	poll_sweep_start();
	if (arg_str(x->args, "slug", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "open", false, &open, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, POLL_LIST_MAX, &limit,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	v = json_object_get(x->args, "open");
	has_open = v != NULL && !json_is_null(v);
	if (authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "SELECT p.id, m.handle, p.question, p.multiple, p.anonymous, "
	    "p.results, p.closes_at, p.closed_at, p.created_at, "
	    "(SELECT count(DISTINCT v.member_id) FROM poll_votes v "
	    " WHERE v.poll_id = p.id), "
	    "EXISTS (SELECT 1 FROM poll_votes v WHERE v.poll_id = p.id "
	    " AND v.member_id = ?5) "
	    "FROM polls p LEFT JOIN members m ON m.id = p.author_id "
	    "WHERE p.community_id = ?1 AND (?2 IS NULL OR p.id < ?2) "
	    "AND (?3 IS NULL OR ?3 = (p.closed_at IS NULL AND "
	    " (p.closes_at IS NULL OR p.closes_at > ?4))) "
	    "ORDER BY p.id DESC LIMIT ?6");
	sqlite3_bind_int64(st, 1, a.community_id);
	if (before != 0)
		sqlite3_bind_int64(st, 2, before);
	if (has_open)
		sqlite3_bind_int(st, 3, open);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, x->conn->member.id);
	sqlite3_bind_int64(st, 6, limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > limit)
			break;
		memset(&p, 0, sizeof p);
		p.closes_at = sqlite3_column_int64(st, 6);
		p.closed_at = sqlite3_column_int64(st, 7);
		o = json_pack("{s:I, s:o, s:s, s:b, s:b, s:s, s:o, s:b, s:o, "
		    "s:o, s:I, s:b}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "author",
		    db_col_json_text(st, 1), "question", db_col_text(st, 2),
		    "multiple", sqlite3_column_int(st, 3) != 0, "anonymous",
		    sqlite3_column_int(st, 4) != 0, "results",
		    db_col_text(st, 5), "closes_at", db_col_json_time(st, 6),
		    "closed", poll_closed(&p, now), "closed_at",
		    poll_closed_at_json(&p, now), "created_at",
		    db_col_json_time(st, 8), "total_voters",
		    (json_int_t)sqlite3_column_int64(st, 9), "voted",
		    sqlite3_column_int(st, 10) != 0);
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o, s:o}", "polls", list, "next",
	    n > limit ? json_incref(json_object_get(json_array_get(list,
	    (size_t)limit - 1), "id")) : json_null());
	return 0;
}

const struct op op_poll_table[] = {
	{ "poll.create", OP_MEMBER | OP_WRITE, op_poll_create,
	    "Start a poll in a community {slug, question, options, multiple?, "
	    "anonymous?, results?, closes_in?}.", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 64),
	    ARG_STR("question", ARG_REQ, POLL_QUESTION_MAX),
	    ARG_STRS("options", ARG_REQ, POLL_OPTIONS_MIN, POLL_OPTIONS_MAX,
	    POLL_OPTION_MAX),
	    ARG_BOOL("multiple", ARG_OPT), ARG_BOOL("anonymous", ARG_OPT),
	    ARG_STR("results", ARG_OPT, 16),
	    ARG_STR("closes_in", ARG_OPT, 16)) },
	{ "poll.get", OP_MEMBER | OP_GUEST, op_poll_get,
	    "One poll {poll_id}: options, your vote, and counts once results "
	    "are visible.", RATE_READ,
	    ARGS(ARG_INT("poll_id", ARG_REQ, 1, INT64_MAX)) },
	{ "poll.vote", OP_MEMBER | OP_SELF | OP_WRITE, op_poll_vote,
	    "Vote {poll_id, options: [option ids]}; replaces your earlier "
	    "vote while the poll is open.", RATE_WRITE,
	    ARGS(ARG_INT("poll_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INTS("options", ARG_REQ, 1, POLL_OPTIONS_MAX, 1,
	    INT64_MAX)) },
	{ "poll.close", OP_MEMBER | OP_WRITE, op_poll_close,
	    "Close a poll {poll_id} (its author, or a leader or manager); "
	    "voters are notified.", RATE_WRITE,
	    ARGS(ARG_INT("poll_id", ARG_REQ, 1, INT64_MAX)) },
	{ "poll.list", OP_MEMBER | OP_GUEST, op_poll_list,
	    "A community's polls, newest first {slug, open?, limit?, "
	    "before?}.", RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 64),
	    ARG_BOOL("open", ARG_OPT),
	    ARG_INT("limit", ARG_OPT, 1, POLL_LIST_MAX),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
