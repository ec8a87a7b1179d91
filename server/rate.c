/*
 * rate.c: the rate classes and their token buckets. Each class allows a
 * burst, then a steady number of requests a second; a bucket holds one
 * caller's tokens for one class. Callers are members (all their sessions
 * share the buckets) or, for join sessions and guests, connections. A
 * class may also cap how many of a connection's requests wait for an
 * answer at once (searches run in the thread pool), per connection and
 * per member. Buckets that have filled up again are forgotten, so the
 * table only holds recent callers. Besides the classes, each member has a
 * budget of bytes written an hour (write_mb_per_hour): a bucket of its own
 * kind, charged with the request line of every write or say request.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct rate_def {
	const char *name;
	double burst; /* 0: never limited */
	double per_sec;
	int running; /* answers a connection may wait for at once; 0: any */
	bool sent_only; /* a request its handler refuses gives its token back */
	const char *doing; /* "You are %s too fast" */
	const char *tail; /* after the limit; NULL: "try again in N s" */
	const char *what; /* "You have N %s running" */
};

/* The bytes-written budget's buckets: a kind after the classes. */
#define RATE_BYTES RATE_CLASSES

/* The defaults; the settings file may change the numbers (rate_set). */
static struct rate_def defs[RATE_CLASSES + 1] = {
	[RATE_NONE] = { "none", 0, 0, 0, false, NULL, NULL, NULL },
	[RATE_READ] = { "read", 200, 50, 0, false, "sending requests", NULL,
	    NULL },
	[RATE_WRITE] = { "write", 200, 20, 0, false, "making changes", NULL,
	    NULL },
	/* only messages that reach the room count (not muted or paused) */
	[RATE_SAY] = { "say", 10, 5, 0, true, "sending messages",
	    "This message was not sent: send it again in a moment.", NULL },
	[RATE_SEARCH] = { "search", 60, 5, 4, false, "searching", NULL,
	    "searches" },
	[RATE_EXPENSIVE] = { "expensive", 30, 1, 0, false,
	    "sending heavy requests", NULL, NULL },
	/* burst and per_sec from write_mb_per_hour (bytes_def) */
	[RATE_BYTES] = { "bytes", 0, 0, 0, false, "writing", NULL, NULL },
};

struct bucket {
	uint64_t key; /* member id << 1, or conn id << 1 | 1 */
	int rc; /* enum rate_class, or RATE_BYTES */
	double tokens;
	uint64_t at_ms; /* when tokens was last brought up to date */
	struct bucket *next;
};

#define RATE_TABLE_MIN 256 /* hash chains at first (a power of two) */
#define RATE_PRUNE_MIN 1024 /* buckets before full ones are swept out */

static struct bucket **table;
static size_t table_size, table_count, prune_at = RATE_PRUNE_MIN;

/* Requests of one caller waiting for their answers (searches in flight). */
struct running {
	uint64_t key;
	int n;
	struct running *next;
};
#define RUNNING_SLOTS 256 /* hash chains (a power of two) */
static struct running *running[RUNNING_SLOTS];

int
rate_set(const char *name, const char *value)
{
	double burst, per_sec;
	char *end;
	int rc;

	for (rc = RATE_UNSET + 1; rc < RATE_CLASSES; rc++) {
		if (strcmp(defs[rc].name, name) == 0)
			break;
	}
	if (rc == RATE_CLASSES || rc == RATE_NONE)
		return -1;
	if (strcmp(value, "off") == 0) {
		defs[rc].burst = 0;
		return 0;
	}
	burst = strtod(value, &end);
	if (end == value || *end != '/' || burst < 1 || burst > 1e6)
		return -1;
	value = end + 1;
	per_sec = strtod(value, &end);
	if (end == value || *end != '\0' || per_sec <= 0 || per_sec > 1e6)
		return -1;
	defs[rc].burst = burst;
	defs[rc].per_sec = per_sec;
	return 0;
}

const char *
rate_class_name(enum rate_class rc)
{
	if (rc <= RATE_UNSET || rc >= RATE_CLASSES)
		return "unset";
	return defs[rc].name;
}

void
rate_describe(enum rate_class rc, char *out, size_t len)
{
	const struct rate_def *d;

	if (rc <= RATE_UNSET || rc >= RATE_CLASSES) {
		snprintf(out, len, "unset");
		return;
	}
	d = &defs[rc];
	if (d->burst == 0)
		snprintf(out, len, "never limited");
	else if (d->running > 0)
		snprintf(out, len, "a burst of %g, then %g a second; %d %s "
		    "running at a time per connection", d->burst, d->per_sec,
		    d->running, d->what);
	else
		snprintf(out, len, "a burst of %g, then %g a second%s",
		    d->burst, d->per_sec, d->sent_only ? "; what the handler "
		    "refuses (muted, paused) does not count" : "");
}

static size_t
slot(uint64_t key, int rc)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL + (uint64_t)rc;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (size_t)h & (table_size - 1);
}

/* Add the tokens earned since the bucket was last looked at. */
static void
refill(struct bucket *b, uint64_t now)
{
	const struct rate_def *d = &defs[b->rc];

	if (now > b->at_ms) {
		b->tokens += (double)(now - b->at_ms) * d->per_sec / 1000.0;
		if (b->tokens > d->burst)
			b->tokens = d->burst;
	}
	b->at_ms = now;
}

/* Forget the buckets that are full again; grow the table if still busy. */
static void
prune(uint64_t now)
{
	struct bucket **old = table, *b, *next;
	size_t old_size = table_size, i;

	if (table_count + 1 > table_size || table == NULL) {
		table_size = table_size == 0 ? RATE_TABLE_MIN : table_size;
		while (table_size < table_count + 1)
			table_size *= 2;
		table = xcalloc(table_size, sizeof *table);
	} else
		old = NULL;
	for (i = 0; i < old_size; i++) {
		struct bucket **bb = old != NULL ? &old[i] : &table[i];

		for (b = *bb; b != NULL; b = next) {
			next = b->next;
			refill(b, now);
			if (b->tokens >= defs[b->rc].burst) {
				*bb = next;
				table_count--;
				free(b);
				continue;
			}
			if (old != NULL) {
				/* move it into the new table */
				*bb = next;
				b->next = table[slot(b->key, b->rc)];
				table[slot(b->key, b->rc)] = b;
			} else
				bb = &b->next;
		}
	}
	free(old);
	prune_at = table_count * 2 > RATE_PRUNE_MIN ? table_count * 2 :
	    RATE_PRUNE_MIN;
}

/* The caller's bucket for rc, up to date; a new one is full. */
static struct bucket *
bucket_get(uint64_t key, int rc, uint64_t now)
{
	struct bucket *b;
	size_t i;

	if (table == NULL || table_count >= prune_at)
		prune(now);
	i = slot(key, rc);
	for (b = table[i]; b != NULL; b = b->next) {
		if (b->key == key && b->rc == rc) {
			refill(b, now);
			return b;
		}
	}
	b = xcalloc(1, sizeof *b);
	b->key = key;
	b->rc = rc;
	b->tokens = defs[rc].burst;
	b->at_ms = now;
	b->next = table[i];
	table[i] = b;
	table_count++;
	return b;
}

/* Whose bucket: the member's, or this connection's. */
static uint64_t
key_of(const struct conn *c)
{
	if (c->member.id != 0 && !c->join && !c->guest)
		return (uint64_t)c->member.id << 1;
	return c->id << 1 | 1;
}

/* The bytes budget from the settings: burst an hour's worth, 0: none. */
static const struct rate_def *
bytes_def(void)
{
	struct rate_def *d = &defs[RATE_BYTES];

	d->burst = (double)srv->cfg.write_mb_per_hour * 1024 * 1024;
	d->per_sec = d->burst / 3600.0;
	return d;
}

/* The running counts' chain for a key (not slot: the table resizes). */
static size_t
running_slot(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 56) &
	    (RUNNING_SLOTS - 1);
}

/* The caller's running count, or NULL if none (and not create). */
static struct running *
running_get(uint64_t key, bool create)
{
	struct running *r;
	size_t i = running_slot(key);

	for (r = running[i]; r != NULL; r = r->next)
		if (r->key == key)
			return r;
	if (!create)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->key = key;
	r->next = running[i];
	running[i] = r;
	return r;
}

void
rate_running(const struct conn *c, int delta)
{
	struct running *r, **rr;
	uint64_t key = key_of(c);

	if (c->console || (r = running_get(key, delta > 0)) == NULL)
		return;
	if ((r->n += delta) > 0)
		return;
	rr = &running[running_slot(key)];
	while (*rr != r)
		rr = &(*rr)->next;
	*rr = r->next;
	free(r);
}

/*
 * Over the member's bytes budget? Then msg says when it frees up. *charge:
 * the request is to be charged if it passes the other checks.
 */
static int
bytes_over(const struct conn *c, bool *charge, char *msg, size_t len)
{
	const struct rate_def *d = bytes_def();
	struct bucket *b;
	double need = (double)c->line_len, wait_s;

	*charge = false;
	if (d->burst == 0 || c->line_len == 0)
		return 0;
	b = bucket_get(key_of(c), RATE_BYTES, now_ms());
	*charge = true;
	if (b->tokens >= need)
		return 0;
	if (need > d->burst) {
		snprintf(msg, len, "This change is larger than your whole "
		    "budget for writing (%d MB an hour). Nothing was done.",
		    srv->cfg.write_mb_per_hour);
		return -1;
	}
	wait_s = (need - b->tokens) / d->per_sec;
	if (wait_s < 60)
		snprintf(msg, len, "You have written more than your budget "
		    "(%d MB an hour). Nothing was done; try again in %.0f "
		    "seconds.", srv->cfg.write_mb_per_hour, wait_s + 1);
	else
		snprintf(msg, len, "You have written more than your budget "
		    "(%d MB an hour). Nothing was done; try again in %.0f "
		    "minutes.", srv->cfg.write_mb_per_hour, wait_s / 60 + 1);
	return -1;
}

int
rate_take(const struct conn *c, enum rate_class rc, char *msg, size_t len)
{
	const struct rate_def *d;
	struct bucket *b;
	struct running *r;
	bool charge = false;
	uint64_t wait_ms;
	char limit[160];

	if (rc <= RATE_UNSET || rc >= RATE_CLASSES)
		fatal("%s: rate class %d", __func__, (int)rc);
	d = &defs[rc];
	if (c->console)
		return 0;
	if ((rc == RATE_WRITE || rc == RATE_SAY) &&
	    bytes_over(c, &charge, msg, len) != 0)
		return -1;
	if (d->burst == 0)
		goto take_bytes;
	if (d->running > 0 && c->async_pending >= d->running) {
		snprintf(msg, len, "You have %d %s running; wait for their "
		    "results.", d->running, d->what);
		return -1;
	}
	if (rc == RATE_SEARCH && srv->cfg.search_per_member > 0 &&
	    (r = running_get(key_of(c), false)) != NULL &&
	    r->n >= srv->cfg.search_per_member) {
		snprintf(msg, len, "You have %d %s running across your "
		    "sessions; wait for their results.", r->n, d->what);
		return -1;
	}
	b = bucket_get(key_of(c), rc, now_ms());
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		goto take_bytes;
	}
	snprintf(limit, sizeof limit, "a burst of %g, then %g a second",
	    d->burst, d->per_sec);
	if (d->tail != NULL) {
		snprintf(msg, len, "You are %s too fast (%s). %s", d->doing,
		    limit, d->tail);
		return -1;
	}
	/* in tenths of a second, rounded up */
	wait_ms = (uint64_t)((1.0 - b->tokens) * 1000.0 / d->per_sec) + 1;
	snprintf(msg, len, "You are %s too fast (%s). Nothing was done; try "
	    "again in %.1f seconds.", d->doing, limit,
	    (double)((wait_ms + 99) / 100) / 10.0);
	return -1;
take_bytes:
	/* looked up again: taking the class token may have pruned it */
	if (charge)
		bucket_get(key_of(c), RATE_BYTES, now_ms())->tokens -=
		    (double)c->line_len;
	return 0;
}

void
rate_refused(const struct conn *c, enum rate_class rc)
{
	struct bucket *b;

	if (rc <= RATE_UNSET || rc >= RATE_CLASSES || !defs[rc].sent_only ||
	    c->console || defs[rc].burst == 0)
		return;
	b = bucket_get(key_of(c), rc, now_ms());
	if ((b->tokens += 1.0) > defs[rc].burst)
		b->tokens = defs[rc].burst;
	/* what was not sent is not charged to the bytes budget either */
	if (rc == RATE_SAY && bytes_def()->burst > 0 && c->line_len > 0) {
		b = bucket_get(key_of(c), RATE_BYTES, now_ms());
		if ((b->tokens += (double)c->line_len) > defs[RATE_BYTES].burst)
			b->tokens = defs[RATE_BYTES].burst;
	}
}
