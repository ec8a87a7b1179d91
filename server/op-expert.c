/*
 * op-expert.c: expert speaker requests. A member asks for an internal
 * expert on a topic (for a community or the whole platform); staff work
 * through the queue and accept (creating an event with the speaker as its
 * host), decline with a reason, or ask for more; the member sees the status
 * and can answer a question with expert.reply.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static const char req_cols[] =
    "SELECT r.id, r.topic, r.why, r.preferred_times, c.slug, r.status, "
    "r.response, m.handle, m.display_name, r.created_at, r.updated_at, "
    "r.decided_at, d.handle, r.event_id, r.member_id, r.community_id "
    "FROM expert_requests r JOIN members m ON m.id = r.member_id "
    "LEFT JOIN communities c ON c.id = r.community_id "
    "LEFT JOIN members d ON d.id = r.decided_by ";



static json_t *
req_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:{s:s, "
	    "s:s}, s:o, s:o, s:o, s:o}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "topic",
	    db_col_text(st, 1), "why", db_col_text(st, 2), "preferred_times",
	    db_col_text(st, 3), "community", db_col_json_text(st, 4),
	    "status", db_col_text(st, 5), "response", db_col_json_text(st, 6),
	    "requested_by", "handle", db_col_text(st, 7), "display_name",
	    db_col_text(st, 8), "created_at", db_col_json_time(st, 9),
	    "updated_at", db_col_json_time(st, 10), "decided_at",
	    db_col_json_time(st, 11), "decided_by", db_col_json_text(st, 12));

	json_object_set_new(o, "event_id", sqlite3_column_type(st, 13) ==
	    SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, 13)));
	return o;
}

/* Load one request: its JSON, owner and status. Fails the call. */
static int
req_load(struct call *x, int64_t id, json_t **out, int64_t *owner,
    int64_t *community, char status[16])
{
	static char sql[sizeof req_cols + 32];
	sqlite3_stmt *st;
	int rc;

	if (sql[0] == '\0')
		snprintf(sql, sizeof sql, "%sWHERE r.id = ?", req_cols);
	st = db_stmt(srv->db, sql);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
		    "No such expert request.") : call_db_fail(x);
	}
	*owner = sqlite3_column_int64(st, 14);
	*community = sqlite3_column_int64(st, 15);
	snprintf(status, 16, "%s", db_col_text(st, 5));
	*out = req_json(st);
	sqlite3_reset(st);
	if (*owner != x->conn->member.id && !authz_is_staff(x->conn)) {
		json_decref(*out);
		*out = NULL;
		return call_fail(x, ERR_NOT_FOUND, "No such expert request.");
	}
	return 0;
}

/* Tell every staff member and admin online that the queue changed. */
static void
tell_staff(struct call *x, json_t *req)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT id FROM members WHERE "
	    "role IN ('staff', 'admin') AND status = 'active'");

	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != x->conn->member.id)
			outbox_member_event(&x->out, sqlite3_column_int64(st, 0),
			    "expert.request", json_incref(req));
	}
	sqlite3_reset(st);
	json_decref(req);
}

/* A stored notification for every staff member and admin: a new request. */
static int
notify_staff_new(struct call *x, int64_t id, int64_t community,
    const char *topic)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT id FROM members WHERE "
	    "role IN ('staff', 'admin') AND status = 'active'");
	struct notify_ref ref = { .community_id = community, .request_id =
	    id };
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = notify_add_ref(x, ids[i], "expert_request", &ref,
		    "%s asks for an expert speaker on “%s”.",
		    x->conn->member.display_name, topic);
	free(ids);
	return rc;
}

static int
op_expert_request(struct call *x)
{
	const char *topic = NULL, *why = NULL, *times = "", *slug = NULL;
	struct access a;
	sqlite3_stmt *st;
	int64_t id, owner, community = 0, now = now_unix();
	char status[16];
	json_t *req;
	int rc;

	if (arg_str(x->args, "topic", true, 200, &topic, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "why", true, 2000, &why, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "preferred_times", false, 500, &times, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (topic[0] == '\0' || why[0] == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "args.topic and args.why "
		    "must say what you would like to hear about, and why");
	if (slug != NULL) {
		if (authz_community_slug(x, slug, CA_READ, &a) != 0)
			return -1;
		community = a.community_id;
	}
	if (!coc_accepted(&x->conn->member))
		return call_fail(x, ERR_COC_REQUIRED, "Please read and accept the "
		    "code of conduct (member.accept_coc) before writing.");
	st = db_stmt(srv->db, "INSERT INTO expert_requests (member_id, "
	    "community_id, topic, why, preferred_times, created_at, "
	    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, x->conn->member.id);
	if (community != 0)
		sqlite3_bind_int64(st, 2, community);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, why, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, times, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	id = sqlite3_last_insert_rowid(srv->db);
	if (req_load(x, id, &req, &owner, &community, status) != 0)
		return -1;
	tell_staff(x, json_incref(req));
	if (notify_staff_new(x, id, community, topic) != 0) {
		json_decref(req);
		return -1;
	}
	x->result = json_pack("{s:o}", "request", req);
	return 0;
}

/* expert.reply: the member answers staff's question; back in the queue. */
static int
op_expert_reply(struct call *x)
{
	json_int_t id = 0;
	const char *text = NULL;
	int64_t owner, community;
	char status[16];
	json_t *req;
	sqlite3_stmt *st;
	int rc;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "text", true, 2000, &text, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (text[0] == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "args.text is empty");
	if (req_load(x, id, &req, &owner, &community, status) != 0)
		return -1;
	json_decref(req);
	if (owner != x->conn->member.id)
		return call_fail(x, ERR_FORBIDDEN, "Only the member who asked "
		    "may add to a request.");
	if (strcmp(status, "accepted") == 0 || strcmp(status, "declined") == 0)
		return call_fail(x, ERR_CONFLICT, "That request was already "
		    "%s.", status);
	st = db_stmt(srv->db, "UPDATE expert_requests SET why = why || "
	    "char(10) || char(10) || 'More: ' || ?, status = 'pending', "
	    "updated_at = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_unix());
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	if (req_load(x, id, &req, &owner, &community, status) != 0)
		return -1;
	tell_staff(x, json_incref(req));
	x->result = json_pack("{s:o}", "request", req);
	return 0;
}

/*
 * expert.list: staff see the queue (every request, or one status); members
 * see their own. Newest first, keyset on id with args.before.
 */
static int
op_expert_list(struct call *x)
{
	static char sql[3][sizeof req_cols + 256];
	const char *status = NULL;
	json_int_t limit = 50, before = INT64_MAX;
	bool mine = !authz_is_staff(x->conn);
	sqlite3_stmt *st;
	json_t *list;
	int64_t last = 0;
	int n = 0;

	if (arg_str(x->args, "status", false, 16, &status, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 200, &limit, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0 ||
	    (!mine && arg_bool(x->args, "mine", false, &mine, x->msg,
	    sizeof x->msg) != 0))
		return call_bad(x);
	if (status != NULL && strcmp(status, "pending") != 0 &&
	    strcmp(status, "more_info") != 0 &&
	    strcmp(status, "accepted") != 0 && strcmp(status, "declined") != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.status must be "
		    "pending, more_info, accepted or declined");
	/* One text per index: by member, by status, or all by id. */
	if (sql[0][0] == '\0') {
		snprintf(sql[0], sizeof sql[0], "%sWHERE r.member_id = :me "
		    "AND r.id < :before AND (:status IS NULL OR r.status = "
		    ":status) ORDER BY r.id DESC LIMIT :n", req_cols);
		snprintf(sql[1], sizeof sql[1], "%sWHERE r.status = :status "
		    "AND r.id < :before ORDER BY r.id DESC LIMIT :n",
		    req_cols);
		snprintf(sql[2], sizeof sql[2], "%sWHERE r.id < :before "
		    "ORDER BY r.id DESC LIMIT :n", req_cols);
	}
	st = db_stmt(srv->db, sql[mine ? 0 : status != NULL ? 1 : 2]);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":before"),
	    before);
	if (mine)
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st,
		    ":me"), x->conn->member.id);
	if (status != NULL)
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st,
		    ":status"), status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":n"),
	    limit + 1);
	list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (++n > limit)
			break;
		last = sqlite3_column_int64(st, 0);
		json_array_append_new(list, req_json(st));
	}
	sqlite3_reset(st);
	x->result = json_pack("{s:o}", "requests", list);
	json_object_set_new(x->result, "next", n > limit ?
	    json_integer(last) : json_null());
	return 0;
}

/* Accept: the speaker hosts a new event in the request's community. */
static int
decide_accept(struct call *x, int64_t request, int64_t community,
    const char *topic, int64_t *event)
{
	const char *speaker = NULL, *starts_str = NULL, *title = topic,
	    *kind = "show_and_tell", *desc = "";
	json_int_t minutes = 60;
	struct member m;
	int64_t starts, host;
	int rc;

	if (arg_str(x->args, "speaker", true, 40, &speaker, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "starts_at", true, 40, &starts_str, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "duration", false, 5, 7 * 24 * 60, &minutes,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", false, 120, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "kind", false, 20, &kind, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "description", false, 4000, &desc, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if ((rc = time_parse(starts_str, TIME_WIRE, &starts)) != TIME_OK)
		return call_fail(x, ERR_BAD_REQUEST, "args.starts_at must be a "
		    "future date and time like 2026-12-01T15:00:00Z: %s",
		    time_parse_error(rc));
	if (starts <= now_unix())
		return call_fail(x, ERR_BAD_REQUEST, "args.starts_at must be a "
		    "future date and time like 2026-12-01T15:00:00Z");
	if (strcmp(kind, "drop_in") != 0 && strcmp(kind, "surgery") != 0 &&
	    strcmp(kind, "show_and_tell") != 0 &&
	    strcmp(kind, "summit") != 0 && strcmp(kind, "other") != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.kind must be "
		    "drop_in, surgery, show_and_tell, summit or other");
	memset(&m, 0, sizeof m);
	rc = member_by_handle(srv->db, speaker, &m);
	host = m.id;
	if (rc < 0) {
		member_clear(&m);
		return call_db_fail(x);
	}
	if (rc == 0 || m.removed) {
		member_clear(&m);
		return call_fail(x, ERR_NOT_FOUND,
		    "No member '%.40s' to speak.", speaker);
	}
	member_clear(&m);
	if (event_insert(x, community, title, kind, desc, starts,
	    minutes * 60, "none", 0, &host, 1, event) != 0)
		return -1;
	return notify_add_ref(x, host, "expert_speaker",
	    &(struct notify_ref){ .community_id = community, .event_id =
	    *event, .request_id = request }, "You are the speaker for “%s”, "
	    "now in the programme.", title);
}

static int
op_expert_decide(struct call *x)
{
	json_int_t id = 0;
	const char *decision = NULL, *reason = NULL, *status;
	int64_t owner, community, event = 0;
	struct notify_ref ref;
	char was[16];
	json_t *req;
	sqlite3_stmt *st;
	char *topic;
	int rc;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "decision", true, 16, &decision, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "reason", false, 2000, &reason, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(decision, "accept") == 0)
		status = "accepted";
	else if (strcmp(decision, "decline") == 0)
		status = "declined";
	else if (strcmp(decision, "more_info") == 0)
		status = "more_info";
	else
		return call_fail(x, ERR_BAD_REQUEST, "args.decision must be "
		    "accept, decline or more_info");
	if (strcmp(status, "accepted") != 0 && (reason == NULL ||
	    reason[0] == '\0'))
		return call_fail(x, ERR_BAD_REQUEST, "args.reason is required: "
		    "tell the member why, or what more you need");
	if (req_load(x, id, &req, &owner, &community, was) != 0)
		return -1;
	topic = xstrdup(json_string_value(json_object_get(req, "topic")));
	json_decref(req);
	if (strcmp(was, "accepted") == 0 || strcmp(was, "declined") == 0) {
		free(topic);
		return call_fail(x, ERR_CONFLICT, "That request was already "
		    "%s.", was);
	}
	if (strcmp(status, "accepted") == 0 &&
	    decide_accept(x, id, community, topic, &event) != 0) {
		free(topic);
		return -1;
	}
	st = db_stmt(srv->db, "UPDATE expert_requests SET status = ?, "
	    "response = ?, decided_by = ?, decided_at = ?, updated_at = ?4, "
	    "event_id = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (reason != NULL)
		sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	if (x->conn->member.id != 0)
		sqlite3_bind_int64(st, 3, x->conn->member.id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, now_unix());
	if (event != 0)
		sqlite3_bind_int64(st, 5, event);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(topic);
		return call_db_fail(x);
	}
	ref = (struct notify_ref){ .community_id = community, .event_id =
	    event, .request_id = id };
	if (strcmp(status, "accepted") == 0)
		rc = notify_add_ref(x, owner, "expert_decided", &ref, "Your "
		    "expert request “%s” was accepted: the talk is now in the "
		    "programme.", topic);
	else if (strcmp(status, "declined") == 0)
		rc = notify_add_ref(x, owner, "expert_decided", &ref, "Your "
		    "expert request “%s” was declined: %s", topic, reason);
	else
		rc = notify_add_ref(x, owner, "expert_decided", &ref, "Staff "
		    "would like to know more about your expert request “%s”: "
		    "%s (answer it from the request)", topic, reason);
	free(topic);
	if (rc != 0)
		return -1;
	if (req_load(x, id, &req, &owner, &community, was) != 0)
		return -1;
	x->result = json_pack("{s:o}", "request", req);
	return 0;
}

const struct op op_expert_table[] = {
	{ "expert.request", OP_MEMBER | OP_SELF | OP_WRITE, op_expert_request,
	    "Ask for an internal expert speaker {topic, why, community?, "
	    "preferred_times?}.", RATE_WRITE,
	    ARGS(ARG_STR("topic", ARG_REQ, 200), ARG_STR("why", ARG_REQ, 2000),
	    ARG_STR("preferred_times", ARG_OPT, 500),
	    ARG_STR("community", ARG_OPT, 64)) },
	{ "expert.reply", OP_MEMBER | OP_SELF | OP_WRITE, op_expert_reply,
	    "Answer staff's question on your request {id, text}; it goes "
	    "back to the queue.", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("text", ARG_REQ, 2000)) },
	{ "expert.list", OP_MEMBER, op_expert_list,
	    "Expert requests, newest first {status?, limit?, before?}: "
	    "staff see the queue ({mine: true} for their own), members "
	    "their own.", RATE_READ, ARGS(ARG_STR("status", ARG_OPT, 16),
	    ARG_INT("limit", ARG_OPT, 1, 200),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX),
	    ARG_BOOL("mine", ARG_OPT)) },
	{ "expert.decide", OP_STAFF | OP_WRITE, op_expert_decide,
	    "Staff: {id, decision: accept, speaker, starts_at, duration?, "
	    "title?} creates the event; decline or more_info need a "
	    "reason.", RATE_WRITE, ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("decision", ARG_REQ, 16), ARG_STR("reason", ARG_OPT, 2000),
	    ARG_STR("speaker", ARG_OPT, 40), ARG_STR("starts_at", ARG_OPT, 40),
	    ARG_INT("duration", ARG_OPT, 5, 7 * 24 * 60),
	    ARG_STR("title", ARG_OPT, 120), ARG_STR("kind", ARG_OPT, 20),
	    ARG_STR("description", ARG_OPT, 4000)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
