/*
 * outbox.c: the one door for effects. Handlers and timers append typed
 * effects to their call's outbox; dispatch applies each outbox exactly once
 * (after the group commit for writes, right after the handler otherwise),
 * never inside another handler. Effects carry ids, never pointers to live
 * objects, and each is authorized for its recipient when it is delivered:
 * a watcher who may no longer read a thread does not get its new posts, a
 * room that closed in the meantime gets nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

enum effect_kind {
	EFF_MEMBER, /* event to a member's sessions */
	EFF_THREAD, /* event to a thread's watchers */
	EFF_ROOM, /* event to a room, or one member in it */
	EFF_IDENTITY, /* reload a member's live identity */
	EFF_END, /* end a member's sessions */
	EFF_ACCESS, /* re-check watches and room presences */
	EFF_COMMUNITY, /* everyone who may read a community (0: everyone) */
	EFF_FN, /* a closure with its own state */
};

struct effect {
	enum effect_kind kind;
	int64_t member_id, thread_id, room_id, community_id;
	unsigned flags;
	char *name;
	json_t *data;
	void (*fn)(void *, bool);
	void *arg;
	struct effect *next;
};

/*
 * Room effects made and not yet delivered (or dropped), per room: a
 * write's wait for its commit. A live room line goes out before anything
 * held, so it may only when none of its room is waiting, or it would
 * overtake lines numbered before it (room_deliver). Few rooms have any
 * waiting at once: a short list.
 */
struct room_queued {
	int64_t room_id;
	size_t n;
};
static struct room_queued *queued;
static size_t nqueued, capqueued;

static void
room_queued_add(int64_t room_id, int d)
{
	size_t i;

	for (i = 0; i < nqueued && queued[i].room_id != room_id; i++)
		;
	if (i == nqueued) {
		if (d < 0)
			return;
		if (nqueued == capqueued) {
			capqueued = capqueued ? capqueued * 2 : 8;
			queued = xrealloc(queued, capqueued * sizeof *queued);
		}
		queued[nqueued].room_id = room_id;
		queued[nqueued++].n = 0;
	}
	if (d > 0)
		queued[i].n++;
	else if (--queued[i].n == 0)
		queued[i] = queued[--nqueued];
}

size_t
outbox_room_queued(int64_t room_id)
{
	for (size_t i = 0; i < nqueued; i++)
		if (queued[i].room_id == room_id)
			return queued[i].n;
	return 0;
}

void
outbox_init(struct outbox *ob)
{
	ob->head = NULL;
	ob->tail = &ob->head;
}

static struct effect *
effect_add(struct outbox *ob, enum effect_kind kind)
{
	struct effect *e = xcalloc(1, sizeof *e);

	if (ob->tail == NULL)
		outbox_init(ob);
	e->kind = kind;
	*ob->tail = e;
	ob->tail = &e->next;
	return e;
}

void
outbox_member_event(struct outbox *ob, int64_t member_id, const char *name,
    json_t *data)
{
	struct effect *e = effect_add(ob, EFF_MEMBER);

	e->member_id = member_id;
	e->name = xstrdup(name);
	e->data = data;
}

void
outbox_thread_event(struct outbox *ob, int64_t thread_id, const char *name,
    json_t *data)
{
	struct effect *e = effect_add(ob, EFF_THREAD);

	e->thread_id = thread_id;
	e->name = xstrdup(name);
	e->data = data;
}

void
outbox_room_event(struct outbox *ob, int64_t room_id, int64_t member_id,
    unsigned flags, const char *name, json_t *data)
{
	struct effect *e = effect_add(ob, EFF_ROOM);

	room_queued_add(room_id, 1);
	e->room_id = room_id;
	e->member_id = member_id;
	e->flags = flags;
	e->name = xstrdup(name);
	e->data = data;
}

void
outbox_community_event(struct outbox *ob, int64_t community_id,
    const char *name, json_t *data)
{
	struct effect *e = effect_add(ob, EFF_COMMUNITY);

	e->community_id = community_id;
	e->name = xstrdup(name);
	e->data = data;
}

void
outbox_identity(struct outbox *ob, int64_t member_id)
{
	effect_add(ob, EFF_IDENTITY)->member_id = member_id;
}

void
outbox_end_sessions(struct outbox *ob, int64_t member_id, json_t *ended)
{
	struct effect *e = effect_add(ob, EFF_END);

	e->member_id = member_id;
	e->data = ended;
}

void
outbox_access(struct outbox *ob, int64_t community_id, int64_t member_id)
{
	struct effect *e = effect_add(ob, EFF_ACCESS);

	e->community_id = community_id;
	e->member_id = member_id;
}

void
outbox_fn(struct outbox *ob, void (*fn)(void *, bool), void *arg)
{
	struct effect *e = effect_add(ob, EFF_FN);

	e->fn = fn;
	e->arg = arg;
}

void
outbox_splice(struct outbox *dst, struct outbox *src)
{
	if (src->head == NULL)
		return;
	if (dst->tail == NULL)
		outbox_init(dst);
	*dst->tail = src->head;
	dst->tail = src->tail;
	outbox_init(src);
}

/* The community a thread belongs to (0 when it is gone). */
static int64_t
thread_community(int64_t thread_id)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT community_id FROM "
	    "threads WHERE id = ?");
	int64_t id = 0;

	sqlite3_bind_int64(st, 1, thread_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* A thread's new posts go to the watchers who may still read it. */
static void
deliver_thread(struct effect *e)
{
	int64_t community = -1;

	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		if (c->closing || c->watching_thread != e->thread_id)
			continue;
		if (community < 0)
			community = thread_community(e->thread_id);
		if (community == 0 || !authz_conn_reads(c, community)) {
			c->watching_thread = 0;
			continue;
		}
		conn_event(c, e->name, json_incref(e->data));
	}
}

/* Load the member's row again into every live session of theirs. */
static void
deliver_identity(int64_t member_id)
{
	struct member m = { 0 };

	if (member_by_id(srv->db, member_id, &m) != 1)
		return;
	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		if (c->member.id != member_id || c->closing)
			continue;
		c->member.role = m.role;
		c->member.coc_accepted_at = m.coc_accepted_at;
		c->member.coc_version = m.coc_version;
		free(c->member.display_name);
		c->member.display_name = xstrdup(m.display_name ?
		    m.display_name : m.handle);
	}
	member_clear(&m);
}

/* End the watches and room presences a change of access took away. */
static void
deliver_access(struct effect *e)
{
	int64_t community;

	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		if (c->closing || c->member.id == 0 ||
		    (e->member_id != 0 && c->member.id != e->member_id))
			continue;
		if (c->watching_thread != 0) {
			community = thread_community(c->watching_thread);
			if ((e->community_id == 0 ||
			    community == e->community_id) &&
			    (community == 0 ||
			    !authz_conn_reads(c, community)))
				c->watching_thread = 0;
		}
		room_recheck(c, e->community_id);
	}
}

/* To every member's session that may read the community (0: all). */
static void
deliver_community(struct effect *e)
{
	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		if (c->closing || c->member.id == 0)
			continue;
		if (e->community_id != 0 &&
		    !authz_conn_reads(c, e->community_id))
			continue;
		conn_event(c, e->name, json_incref(e->data));
	}
}

static void
effect_run(struct effect *e, bool committed)
{
	if (e->kind == EFF_FN) {
		e->fn(e->arg, committed);
		return;
	}
	if (!committed)
		return;
	switch (e->kind) {
	case EFF_MEMBER:
		conn_member_event(e->member_id, e->name, json_incref(e->data));
		break;
	case EFF_THREAD:
		deliver_thread(e);
		break;
	case EFF_ROOM:
		room_deliver(e->room_id, e->member_id, e->flags, e->name,
		    json_incref(e->data));
		break;
	case EFF_IDENTITY:
		deliver_identity(e->member_id);
		break;
	case EFF_END:
		conn_member_end(e->member_id, json_incref(e->data));
		break;
	case EFF_ACCESS:
		deliver_access(e);
		break;
	case EFF_COMMUNITY:
		deliver_community(e);
		break;
	case EFF_FN:
		break;
	}
}

void
outbox_apply(struct outbox *ob, bool committed)
{
	struct effect *e, *next;

	if (ob->tail == NULL)
		return;
	/* Effects may append to other outboxes, never to this one. */
	e = ob->head;
	outbox_init(ob);
	for (; e != NULL; e = next) {
		next = e->next;
		if (e->kind == EFF_ROOM) /* this one is out of the queue */
			room_queued_add(e->room_id, -1);
		effect_run(e, committed);
		json_decref(e->data);
		free(e->name);
		free(e);
	}
}
