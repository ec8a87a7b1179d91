/*
 * notify.c: stored notifications (mentions, replies, thanks, decisions,
 * reminders, support calls): one row each plus a notify.new event on the
 * call's outbox, so it goes out only once the row is committed. Timers
 * acting as the server use the same function with no actor.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static void
bind_id(sqlite3_stmt *st, int i, int64_t v)
{
	if (v != 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

void
notify_ref_json(json_t *o, const struct notify_ref *ref)
{
	static const char *const names[] = { "community_id", "thread_id",
		"post_id", "poll_id", "event_id", "room_id", "request_id" };
	const int64_t ids[] = { ref->community_id, ref->thread_id,
		ref->post_id, ref->poll_id, ref->event_id, ref->room_id,
		ref->request_id };

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		json_object_set_new(o, names[i], ids[i] != 0 ?
		    json_integer(ids[i]) : json_null());
}

/*
 * The one place a notification is stored and its notify.new built. From
 * the system (no actor), it goes to the member who acted too.
 */
static int
notify_vadd(struct call *x, int64_t member_id, const char *kind,
    const struct notify_ref *ref, bool system, const char *fmt, va_list ap)
{
	sqlite3_stmt *st;
	int64_t actor = system ? 0 : call_actor(x), now = now_unix(), id;
	char *text, when[32];
	json_t *ev;
	int rc;

	if (member_id == 0 || (member_id == call_actor(x) && !system))
		return 0;
	text = xvasprintf(fmt, ap);
	st = db_stmt(srv->db,
	    "INSERT INTO notifications (member_id, kind, actor_id, "
	    "community_id, thread_id, post_id, poll_id, event_id, room_id, "
	    "request_id, text, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	bind_id(st, 3, actor);
	bind_id(st, 4, ref->community_id);
	bind_id(st, 5, ref->thread_id);
	bind_id(st, 6, ref->post_id);
	bind_id(st, 7, ref->poll_id);
	bind_id(st, 8, ref->event_id);
	bind_id(st, 9, ref->room_id);
	bind_id(st, 10, ref->request_id);
	sqlite3_bind_text(st, 11, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(text);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	id = sqlite3_last_insert_rowid(srv->db);
	time_iso8601(now, when);
	ev = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "kind",
	    kind, "text", text, "at", when);
	notify_ref_json(ev, ref);
	outbox_member_event(&x->out, member_id, "notify.new", ev);
	free(text);
	return 0;
}

int
notify_add(struct call *x, int64_t member_id, const char *kind,
    int64_t community_id, int64_t thread_id, int64_t post_id,
    int64_t poll_id, const char *fmt, ...)
{
	struct notify_ref ref = { .community_id = community_id,
		.thread_id = thread_id, .post_id = post_id, .poll_id = poll_id };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = notify_vadd(x, member_id, kind, &ref, false, fmt, ap);
	va_end(ap);
	return rc;
}

int
notify_add_ref(struct call *x, int64_t member_id, const char *kind,
    const struct notify_ref *ref, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = notify_vadd(x, member_id, kind, ref, false, fmt, ap);
	va_end(ap);
	return rc;
}

int
notify_system(struct call *x, int64_t member_id, const char *kind,
    const struct notify_ref *ref, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = notify_vadd(x, member_id, kind, ref, true, fmt, ap);
	va_end(ap);
	return rc;
}
