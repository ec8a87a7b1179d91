/*
 * preauth.c: what hearthd knows of connections before they log in. Each
 * address and each /24 (IPv4) or /64 (IPv6) range with connections not yet
 * logged in is a source in a hash table, so that an accept costs the same
 * with 20,000 sessions held as with none. A source counts its
 * unauthenticated sessions (join and guest ones too, until an invite is
 * redeemed), carries the penalty earned by its failed connections, and the
 * refusals to report in the next minute's summary; sources with nothing to
 * remember are freed by the minute's sweep. Here are decided the caps per
 * address and per range, penalties, MaxStartups-style random early drop,
 * the dropping of a session from a heavier source at the full count, and
 * the caps on newcomers and guests.
 *
 * sshd.c holds one ticket (struct preauth) per session, from
 * preauth_admit to preauth_end, and tells it of the session's login; the
 * sessions themselves stay there, reached through the hooks given to
 * preauth_init. Loop thread only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "server.h"

/* An address or a range; see the top of the file. */
struct source {
	char key[56];
	uint32_t hash;
	int refs; /* sessions pointing here */
	int unauth;
	int joins;
	uint64_t pen_until; /* ms; penalty accumulated until then */
	bool blocked; /* refused until pen_until */
	int refused; /* since the last summary */
	const char *why; /* the last refusal's reason */
	struct source *next;
};

/* One session's ticket, from preauth_admit to preauth_end. */
struct preauth {
	struct source *src, *net; /* its address and its /24 or /64 */
	void *owner; /* the session, for the hooks */
	uint64_t id; /* the session's, for logs */
	bool unauth_counted;
	size_t unauth_idx; /* in unauth_vec while unauth_counted */
	bool penalised; /* a penalty was given for this connection */
	bool join_counted; /* counts against max_join until redeemed */
};

/* Sources past which the sweep runs at once (at most once a second)
 * rather than wait for its minute: many addresses, each refused once. */
#define SRC_SWEEP_AT 65536

static void src_sweep_cb(uv_timer_t *);
static uint64_t src_swept_ms;
static struct source **src_tab;
static size_t src_buckets, src_count;
static uv_timer_t src_sweep;
static bool sweep_on; /* src_sweep is initialised */
static struct preauth **unauth_vec; /* the counted ones, for eviction */
static size_t unauth_cap;
static int unauth_total; /* sessions counted as not logged in */
static int join_total;
static uint64_t rng_state;
static struct preauth_hooks hooks;

/* FNV-1a from a random start, so that addresses chosen to share a
 * bucket cannot be worked out in advance. */
static uint32_t
src_hash(const char *k)
{
	static uint32_t seed;
	uint32_t h;

	if (seed == 0 && getrandom(&seed, sizeof seed, 0) != sizeof seed)
		seed = (uint32_t)uv_hrtime() | 1;
	h = 2166136261u ^ seed;
	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h ^ (h >> 15);
}

static void
src_grow(void)
{
	size_t n = src_buckets == 0 ? 1024 : src_buckets * 2;
	struct source **t = xcalloc(n, sizeof *t), *e, *next;

	for (size_t i = 0; i < src_buckets; i++)
		for (e = src_tab[i]; e != NULL; e = next) {
			next = e->next;
			e->next = t[e->hash & (n - 1)];
			t[e->hash & (n - 1)] = e;
		}
	free(src_tab);
	src_tab = t;
	src_buckets = n;
}

/* The source for key, made if new. */
static struct source *
src_get(const char *key)
{
	uint32_t h = src_hash(key);
	struct source *e;

	if (src_buckets != 0)
		for (e = src_tab[h & (src_buckets - 1)]; e != NULL; e = e->next)
			if (e->hash == h && strcmp(e->key, key) == 0)
				return e;
	if (src_count >= SRC_SWEEP_AT && now_ms() - src_swept_ms >= 1000)
		src_sweep_cb(NULL); /* many sources: forget the idle ones now */
	if (src_count >= src_buckets)
		src_grow();
	e = xcalloc(1, sizeof *e);
	snprintf(e->key, sizeof e->key, "%s", key);
	e->hash = h;
	e->next = src_tab[h & (src_buckets - 1)];
	src_tab[h & (src_buckets - 1)] = e;
	src_count++;
	return e;
}

/* The range an address belongs to: a.b.c.0/24, or its /64. */
static void
src_range(const char *ip, char *out, size_t len)
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, len, "%u.%u.%u.0/24", a[0], a[1], a[2]);
		return;
	}
	if (inet_pton(AF_INET6, ip, a) != 1) {
		snprintf(out, len, "%s", ip);
		return;
	}
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		snprintf(out, len, "%u.%u.%u.0/24", a[12], a[13], a[14]);
		return;
	}
	memset(a + 8, 0, 8);
	inet_ntop(AF_INET6, a, txt, sizeof txt);
	snprintf(out, len, "%s/64", txt);
}

/* Penalise a source for a failed connection: refused once it has earned
 * penalty_min seconds, until they have run out (at most penalty_max). */
static void
src_penalise(struct source *e, int secs, const char *why)
{
	uint64_t now = now_ms(), base, cap;

	if (secs <= 0)
		return;
	base = e->pen_until > now ? e->pen_until : now;
	cap = now + (uint64_t)srv->cfg.penalty_max * 1000;
	e->pen_until = base + (uint64_t)secs * 1000;
	if (e->pen_until > cap)
		e->pen_until = cap;
	if (!e->blocked && e->pen_until >=
	    now + (uint64_t)srv->cfg.penalty_min * 1000) {
		e->blocked = true;
		log_warn(0, "refusing %s for %llu s: %s, again and again",
		    e->key, (unsigned long long)(e->pen_until - now) / 1000,
		    why);
	}
}

/* Note a refused connection; the first of a minute is logged at once, the
 * rest in the minute's summary. */
static void
src_refuse(struct source *e, const char *why)
{
	e->why = why;
	if (e->refused++ == 0)
		log_warn(0, "refusing connections from %s: %s (more are "
		    "summarised each minute)", e->key, why);
}

/* Once a minute (or sooner with very many sources): summarise refusals,
 * forgive, forget idle sources. */
static void
src_sweep_cb(uv_timer_t *t)
{
	uint64_t now = now_ms();
	struct source **pp, *e;

	src_swept_ms = now;
	for (size_t i = 0; i < src_buckets; i++) {
		for (pp = &src_tab[i]; (e = *pp) != NULL;) {
			if (e->refused > 1)
				log_warn(0, "refused %d connections from %s in "
				    "the last minute: %s", e->refused, e->key,
				    e->why);
			e->refused = 0;
			if (e->blocked && e->pen_until <= now) {
				e->blocked = false;
				log_info(0, "%s forgiven: accepting it again",
				    e->key);
			}
			if (e->refs == 0 && !e->blocked &&
			    e->pen_until <= now) {
				*pp = e->next;
				free(e);
				src_count--;
				continue;
			}
			pp = &e->next;
		}
	}
}

static void
unauth_add(struct preauth *t)
{
	if (t->unauth_counted)
		return;
	if ((size_t)unauth_total >= unauth_cap) {
		unauth_cap = unauth_cap == 0 ? 256 : unauth_cap * 2;
		unauth_vec = xrealloc(unauth_vec, unauth_cap * sizeof *unauth_vec);
	}
	t->unauth_idx = (size_t)unauth_total;
	unauth_vec[unauth_total++] = t;
	t->unauth_counted = true;
	t->src->unauth++;
	t->net->unauth++;
}

static void
unauth_remove(struct preauth *t)
{
	struct preauth *last;

	if (!t->unauth_counted)
		return;
	last = unauth_vec[--unauth_total];
	unauth_vec[t->unauth_idx] = last;
	last->unauth_idx = t->unauth_idx;
	t->unauth_counted = false;
	t->src->unauth--;
	t->net->unauth--;
}

static void
join_release(struct preauth *t)
{
	if (t->join_counted) {
		t->join_counted = false;
		join_total--;
		t->src->joins--;
	}
	unauth_remove(t);
}

static uint32_t
rng_next(void)
{
	uint64_t x = rng_state;

	if (x == 0)
		x = uv_hrtime() | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 32);
}

/*
 * At the full count: make room for a connection from src by dropping one
 * not yet logged in from a source holding more (the heaviest of a few
 * picked at random). False if none is found.
 */
static bool
unauth_evict(struct source *src)
{
	struct preauth *victim = NULL, *c;
	bool early;

	for (int i = 0; i < 8 && unauth_total > 0; i++) {
		c = unauth_vec[rng_next() % (uint32_t)unauth_total];
		if (!hooks.droppable(c->owner, &early))
			continue;
		if (victim == NULL || c->src->unauth > victim->src->unauth ||
		    (c->src->unauth == victim->src->unauth && early))
			victim = c;
	}
	if (victim == NULL || victim->src->unauth <= src->unauth + 1)
		return false;
	log_debug(victim->id, "dropped to make room for %s (%s holds %d)",
	    src->key, victim->src->key, victim->src->unauth);
	src_refuse(victim->src, "dropped for fairness at the full count");
	hooks.drop(victim->owner);
	return true;
}

/*
 * Whether to take a new connection from src (in net): penalties, the caps
 * per address and per range, then MaxStartups-style random early drop for
 * sources already holding a connection, and at the full count room made
 * by dropping one from a heavier source. Sets why when refusing.
 */
static bool
admit(struct source *src, struct source *net, const char **why)
{
	const struct config *c = &srv->cfg;
	int n = unauth_total, p;

	if (src->blocked) {
		if (src->pen_until > now_ms()) {
			*why = "penalised for failed connections";
			return false;
		}
		src->blocked = false;
		log_info(0, "%s forgiven: accepting it again", src->key);
	}
	if (src->unauth >= c->max_unauth_per_ip) {
		*why = "too many connections not logged in from this address";
		return false;
	}
	if (net->unauth >= c->max_unauth_per_range) {
		*why = "too many connections not logged in from this range";
		return false;
	}
	if (n >= c->startups_start && n < c->startups_full && src->unauth > 0) {
		p = c->startups_rate + (100 - c->startups_rate) *
		    (n - c->startups_start) /
		    (c->startups_full - c->startups_start);
		if ((int)(rng_next() % 100) < p) {
			*why = "early drop (max_startups)";
			return false;
		}
	}
	if (n >= c->startups_full && !unauth_evict(src)) {
		*why = "too many connections not logged in (max_startups)";
		return false;
	}
	return true;
}

/* Keep the hooks; start the minute's sweep. */
void
preauth_init(uv_loop_t *loop, const struct preauth_hooks *h)
{
	hooks = *h;
	uv_timer_init(loop, &src_sweep);
	uv_timer_start(&src_sweep, src_sweep_cb, 60000, 60000);
	uv_unref((uv_handle_t *)&src_sweep);
	sweep_on = true;
}

/* Stop the sweep and forget every source (after the last preauth_end). */
void
preauth_close(void)
{
	if (sweep_on) {
		uv_close((uv_handle_t *)&src_sweep, NULL);
		sweep_on = false;
	}
	for (size_t i = 0; i < src_buckets; i++)
		for (struct source *e = src_tab[i], *n; e != NULL; e = n) {
			n = e->next;
			free(e);
		}
	free(src_tab);
	src_tab = NULL;
	src_buckets = src_count = 0;
	free(unauth_vec);
	unauth_vec = NULL;
	unauth_cap = 0;
}

/* A ticket for a new connection from ip, or NULL (refusal noted) with why. */
struct preauth *
preauth_admit(const char *ip, const char **why)
{
	struct source *src, *net;
	struct preauth *t;
	char range[56];

	src_range(ip, range, sizeof range);
	src = src_get(ip);
	net = src_get(range);
	*why = NULL;
	if (!admit(src, net, why)) {
		src_refuse(src, *why);
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->src = src;
	t->net = net;
	src->refs++;
	net->refs++;
	return t;
}

/* The session is set up: count it as not logged in. */
void
preauth_start(struct preauth *t, void *owner, uint64_t id)
{
	t->owner = owner;
	t->id = id;
	unauth_add(t);
}

/* A member logged in: no longer counted. */
void
preauth_login(struct preauth *t)
{
	unauth_remove(t);
}

/* A newcomer or guest logged in: false if over the join caps (refusal
 * noted), else counted against them until redeemed or ended. */
bool
preauth_join(struct preauth *t)
{
	if (t->join_counted)
		return true;
	if (join_total >= srv->cfg.max_join ||
	    t->src->joins >= srv->cfg.max_join_per_ip) {
		src_refuse(t->src, "too many newcomers and guests");
		return false;
	}
	t->join_counted = true;
	join_total++;
	t->src->joins++;
	return true;
}

bool
preauth_newcomer(const struct preauth *t)
{
	return t != NULL && t->join_counted;
}

/* The newcomer redeemed an invite: no longer counted at all. */
void
preauth_redeemed(struct preauth *t)
{
	join_release(t);
}

/* Penalise the connection's address (see src_penalise). */
void
preauth_penalise(struct preauth *t, int seconds, const char *why)
{
	t->penalised = true;
	src_penalise(t->src, seconds, why);
}

/* The session ended: a failed authentication is penalised (unless it
 * already was for this connection); the ticket is freed. */
void
preauth_end(struct preauth *t, enum preauth_how how)
{
	if (how == PREAUTH_AUTHFAIL && !t->penalised)
		src_penalise(t->src, srv->cfg.penalty_authfail,
		    "authentication failed");
	join_release(t);
	t->src->refs--;
	t->net->refs--;
	free(t);
}
