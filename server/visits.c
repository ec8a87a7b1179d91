/*
 * visits.c: which members opened which community on which day, for the
 * health measures (docs/health.md: lurkers visit but never contribute).
 * Reading a community (its thread list, a thread, its page) notes a visit
 * in memory; a timer writes the day's new ones to visit_log every few
 * seconds, as the server, in the group commit. So reading stays a read,
 * and a member reading all day costs one row a day a community.
 *
 * Threads: loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define VISITS_FLUSH_MS 5000
#define VISITS_PENDING_MAX 65536 /* past this a visit waits for a later read */

/* (member, community) pairs already noted today: open addressing. */
static uint64_t *seen;
static size_t seen_cap, seen_len;
static int64_t seen_day = -1;
static uint64_t *pending;
static size_t pending_len, pending_cap;
static uv_timer_t flush_timer;
static bool timer_started;

static uint64_t
visit_key(int64_t member, int64_t community)
{
	return ((uint64_t)member << 24) ^ (uint64_t)community;
}

static size_t
slot_of(uint64_t key, size_t cap)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (cap - 1);
}

/* Put key in the table; false if it was there already. */
static bool
seen_add(uint64_t key)
{
	size_t i;

	if (seen_len * 2 >= seen_cap) {
		uint64_t *old = seen;
		size_t oldcap = seen_cap;

		seen_cap = seen_cap ? seen_cap * 2 : 1024;
		seen = xcalloc(seen_cap, sizeof *seen);
		seen_len = 0;
		for (size_t k = 0; k < oldcap; k++)
			if (old[k] != 0) {
				i = slot_of(old[k], seen_cap);
				while (seen[i] != 0)
					i = (i + 1) & (seen_cap - 1);
				seen[i] = old[k];
				seen_len++;
			}
		free(old);
	}
	i = slot_of(key, seen_cap);
	while (seen[i] != 0) {
		if (seen[i] == key)
			return false;
		i = (i + 1) & (seen_cap - 1);
	}
	seen[i] = key;
	seen_len++;
	return true;
}

struct flush {
	uint64_t *keys;
	size_t n;
	int64_t day;
};

static int
flush_write(struct call *x, void *arg)
{
	struct flush *f = arg;
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT OR IGNORE INTO visit_log "
	    "(member_id, community_id, day) SELECT ?1, ?2, ?3 WHERE EXISTS "
	    "(SELECT 1 FROM communities WHERE id = ?2)");

	for (size_t i = 0; i < f->n; i++) {
		sqlite3_bind_int64(st, 1, (int64_t)(f->keys[i] >> 24));
		sqlite3_bind_int64(st, 2, (int64_t)(f->keys[i] & 0xffffff));
		sqlite3_bind_int64(st, 3, f->day);
		if (call_step(x, st) != 0)
			return -1;
	}
	return 0;
}

static void
flush_cb(uv_timer_t *t)
{
	struct flush f;

	(void)t;
	if (pending_len == 0)
		return;
	f.keys = pending;
	f.n = pending_len;
	f.day = seen_day;
	pending = NULL;
	pending_len = pending_cap = 0;
	/* A failed write (disk full) loses these visits, not a post. */
	dispatch_server("visits", flush_write, &f);
	free(f.keys);
}

void
visits_note(int64_t member_id, int64_t community_id)
{
	int64_t day = now_unix() / 86400;
	uint64_t key;

	if (member_id <= 0 || community_id <= 0 || community_id > 0xffffff ||
	    srv->loop == NULL)
		return;
	if (day != seen_day) {
		if (pending_len > 0)
			flush_cb(NULL); /* yesterday's, under yesterday */
		free(seen);
		seen = NULL;
		seen_cap = seen_len = 0;
		seen_day = day;
	}
	if (pending_len >= VISITS_PENDING_MAX)
		return;
	key = visit_key(member_id, community_id);
	if (!seen_add(key))
		return;
	if (pending_len == pending_cap) {
		pending_cap = pending_cap ? pending_cap * 2 : 64;
		pending = xrealloc(pending, pending_cap * sizeof *pending);
	}
	pending[pending_len++] = key;
	if (!timer_started) {
		uv_timer_init(srv->loop, &flush_timer);
		uv_unref((uv_handle_t *)&flush_timer);
		uv_timer_start(&flush_timer, flush_cb, VISITS_FLUSH_MS,
		    VISITS_FLUSH_MS);
		timer_started = true;
	}
}

/* At shutdown, before the last commit: write what is noted. */
void
visits_flush(void)
{
	flush_cb(NULL);
}
