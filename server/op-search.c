/*
 * op-search.c: search.query, full-text search over thread titles, posts and
 * profiles (the FTS5 tables of 002). Access is decided on the loop thread
 * (authz_community_slug, authz_readable_sql); the query itself runs in the
 * libuv thread pool on read-only connections, so a slow search never stalls
 * the loop, and the reply follows with dispatch_reply_later.
 *
 * Threads: search_work and search_done run on a pool thread and on the loop
 * thread respectively; the reader pool is the only state they share and is
 * guarded by a mutex.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SEARCH_LIMIT_MAX 50
#define SEARCH_LIMIT_DEFAULT 20
/*
 * Ranking is done among the newest SEARCH_WINDOW matches of each kind, so a
 * word found in 80,000 posts costs what one found in 500 does (bm25 reads
 * each ranked row's length, so its cost grows with the rows it ranks).
 */
#define SEARCH_WINDOW 500
#define SEARCH_PAGES_MAX 10
#define SEARCH_Q_MAX 256
#define SEARCH_WORDS_MAX 16
#define SEARCH_INFLIGHT_MAX 32 /* in the whole server */
#define SEARCH_CONN_MAX 4 /* for one connection */
#define SEARCH_TIMEOUT_MS 5000
#define READERS_MAX 16

/* Snippet markers: a match is wrapped in STX ... ETX. */
#define MARK_OPEN "char(2)"
#define MARK_CLOSE "char(3)"

/* One search on its way through the thread pool. */
struct search {
	uv_work_t req;
	struct conn *conn;
	json_int_t id;
	bool has_id;
	char *sql; /* the whole query, built on the loop thread */
	char *match; /* the FTS5 expression: quoted words */
	int64_t me;
	int64_t community; /* 0: every readable community */
	int limit;
	int page;
	uint64_t deadline_ms;
	uint64_t queued_ns, started_ns, ended_ns; /* for the log */
	json_t *result; /* set by the worker on success */
	enum proto_err err;
	char msg[256];
	struct search *next, *prev; /* in flight (loop thread only) */
};

static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *readers[READERS_MAX];
static int readers_len;
static char *db_path; /* set once on the loop thread before any work */
static struct search *inflight; /* loop thread only */
static int inflight_len;

/* At exit: close the pooled read-only connections. */
static void
readers_close(void)
{
	pthread_mutex_lock(&readers_lock);
	while (readers_len > 0)
		sqlite3_close(readers[--readers_len]);
	pthread_mutex_unlock(&readers_lock);
	free(db_path);
	db_path = NULL;
}

/* A read-only connection from the pool, opened if none is free (worker). */
static sqlite3 *
reader_get(char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	pthread_mutex_lock(&readers_lock);
	if (readers_len > 0)
		db = readers[--readers_len];
	pthread_mutex_unlock(&readers_lock);
	if (db != NULL)
		return db;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", db != NULL ? sqlite3_errmsg(db) :
		    "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	return db;
}

/* Give a connection back to the pool (worker). */
static void
reader_put(sqlite3 *db)
{
	pthread_mutex_lock(&readers_lock);
	if (readers_len < READERS_MAX) {
		readers[readers_len++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&readers_lock);
	if (db != NULL)
		sqlite3_close(db);
}

/* Progress handler: abandon a search that has run past its deadline. */
static int
search_progress(void *arg)
{
	struct search *s = arg;

	return uv_hrtime() / 1000000 > s->deadline_ms;
}

/* True if the word holds a letter or digit (ASCII, or any non-ASCII byte). */
static bool
word_searchable(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)w[i];

		if (ch >= 0x80 || (ch >= '0' && ch <= '9') ||
		    ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'))
			return true;
	}
	return false;
}

/*
 * Turn the user's words into an FTS5 expression that cannot be a syntax
 * error: each word a quoted phrase ('"' doubled), the last one a prefix.
 * Returns NULL when no word is searchable.
 */
static char *
search_match(const char *q)
{
	struct buf b;
	const char *p = q, *w;
	size_t n;
	int words = 0;
	char *out;

	buf_init(&b);
	while (*p != '\0' && words < SEARCH_WORDS_MAX) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		w = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r')
			p++;
		n = (size_t)(p - w);
		if (n == 0 || !word_searchable(w, n))
			continue;
		if (words++ > 0)
			buf_puts(&b, " ");
		buf_puts(&b, "\"");
		for (size_t i = 0; i < n; i++) {
			if (w[i] == '"')
				buf_puts(&b, "\"\"");
			else
				buf_append(&b, &w[i], 1);
		}
		buf_puts(&b, "\"");
	}
	if (words == 0) {
		buf_free(&b);
		return NULL;
	}
	buf_puts(&b, "*");
	out = xmalloc(buf_used(&b) + 1);
	memcpy(out, buf_head(&b), buf_used(&b));
	out[buf_used(&b)] = '\0';
	buf_free(&b);
	return out;
}

/*
 * The SQL for the kinds asked for: the first of two steps. It ranks the
 * matches and keeps one page of them, as (kind, id, rank); snippets and
 * names are fetched afterwards for that page only (detail_sql), since
 * making a snippet means reading the whole text again. readable is
 * authz_readable_sql.
 */
static char *
search_sql(const char *readable, bool threads, bool posts, bool profiles)
{
	struct buf b;
	char *out;

	buf_init(&b);
	if (threads) {
		buf_printf(&b,
		    "SELECT 'thread', t.id, threads_fts.rank "
		    "FROM threads_fts JOIN threads t ON t.id = threads_fts.rowid "
		    "WHERE threads_fts MATCH :q AND t.community_id IN (%s) "
		    "AND (:c = 0 OR t.community_id = :c) "
		    "AND threads_fts.rowid >= (SELECT coalesce(min(r), 0) FROM "
		    "(SELECT rowid AS r FROM threads_fts WHERE threads_fts "
		    "MATCH :q ORDER BY rowid DESC LIMIT %d))", readable,
		    SEARCH_WINDOW);
	}
	if (posts) {
		if (buf_used(&b) > 0)
			buf_puts(&b, " UNION ALL ");
		buf_printf(&b,
		    "SELECT 'post', p.id, posts_fts.rank "
		    "FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid "
		    "JOIN threads t ON t.id = p.thread_id "
		    "WHERE posts_fts MATCH :q AND p.hidden_at IS NULL "
		    "AND p.deleted_at IS NULL AND t.community_id IN (%s) "
		    "AND (:c = 0 OR t.community_id = :c) "
		    "AND posts_fts.rowid >= (SELECT coalesce(min(r), 0) FROM "
		    "(SELECT rowid AS r FROM posts_fts WHERE posts_fts "
		    "MATCH :q ORDER BY rowid DESC LIMIT %d))", readable,
		    SEARCH_WINDOW);
	}
	if (profiles) {
		if (buf_used(&b) > 0)
			buf_puts(&b, " UNION ALL ");
		buf_puts(&b,
		    "SELECT 'profile', m.id, profiles_fts.rank "
		    "FROM profiles_fts JOIN members m ON m.id = profiles_fts.rowid "
		    "WHERE profiles_fts MATCH :q AND m.status = 'active' "
		    "AND (:c = 0 OR m.id IN (SELECT member_id FROM "
		    "community_members WHERE community_id = :c))");
	}
	buf_puts(&b, " ORDER BY 3, 1, 2 LIMIT :limit OFFSET :offset");
	out = xmalloc(buf_used(&b) + 1);
	memcpy(out, buf_head(&b), buf_used(&b));
	out[buf_used(&b)] = '\0';
	buf_free(&b);
	return out;
}

/*
 * The second step, one query per kind for the whole page: snippets and
 * names of the ranked rows. Columns: thread id, post id, handle, title,
 * snippet, slug, community name, author handle, author display name, time,
 * the row's FTS rowid. ?1 is the match, ?2..?3 the rowid range of the page
 * (so FTS5 evaluates the match, a prefix included, once and only over that
 * range) and ?4 the page's rowids as a JSON array.
 */
enum { K_THREAD, K_POST, K_PROFILE, K_COUNT };
static const char *const kind_names[K_COUNT] = { "thread", "post", "profile" };
static const char *const detail_sql[K_COUNT] = {
	"SELECT t.id, NULL, NULL, t.title, "
	"snippet(threads_fts, -1, " MARK_OPEN ", " MARK_CLOSE ", '…', 16), "
	"c.slug, c.name, a.handle, a.display_name, t.created_at, "
	"threads_fts.rowid "
	"FROM threads_fts JOIN threads t ON t.id = threads_fts.rowid "
	"JOIN communities c ON c.id = t.community_id "
	"LEFT JOIN members a ON a.id = t.author_id "
	"WHERE threads_fts MATCH ?1 AND threads_fts.rowid BETWEEN ?2 AND ?3 "
	"AND +threads_fts.rowid IN (SELECT value FROM json_each(?4))",
	"SELECT t.id, p.id, NULL, t.title, "
	"snippet(posts_fts, 0, " MARK_OPEN ", " MARK_CLOSE ", '…', 24), "
	"c.slug, c.name, a.handle, a.display_name, p.created_at, "
	"posts_fts.rowid "
	"FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid "
	"JOIN threads t ON t.id = p.thread_id "
	"JOIN communities c ON c.id = t.community_id "
	"LEFT JOIN members a ON a.id = p.author_id "
	"WHERE posts_fts MATCH ?1 AND posts_fts.rowid BETWEEN ?2 AND ?3 "
	"AND +posts_fts.rowid IN (SELECT value FROM json_each(?4))",
	"SELECT NULL, NULL, m.handle, m.display_name, "
	"snippet(profiles_fts, -1, " MARK_OPEN ", " MARK_CLOSE ", '…', 16), "
	"NULL, NULL, m.handle, m.display_name, m.created_at, "
	"profiles_fts.rowid "
	"FROM profiles_fts JOIN members m ON m.id = profiles_fts.rowid "
	"WHERE profiles_fts MATCH ?1 AND profiles_fts.rowid BETWEEN ?2 AND ?3 "
	"AND +profiles_fts.rowid IN (SELECT value FROM json_each(?4))",
};

/* One ranked row of the page, and its wire object once fetched. */
struct hit {
	int kind;
	int64_t id;
	double rank;
	json_t *json;
};

/* Bind a named parameter if the statement has it. */
static void
bind_named(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

/* One result row as the wire object, from a detail_sql row. */
static json_t *
search_row(const char *kind, double rank, sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:f}", "kind", kind,
	    "title", db_col_text(st, 3), "snippet", db_col_text(st, 4), "at",
	    db_col_json_time(st, 9), "rank", rank);

	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		json_object_set_new(o, "thread_id",
		    json_integer(sqlite3_column_int64(st, 0)));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		json_object_set_new(o, "post_id",
		    json_integer(sqlite3_column_int64(st, 1)));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		json_object_set_new(o, "handle",
		    json_string(db_col_text(st, 2)));
	json_object_set_new(o, "community",
	    sqlite3_column_type(st, 5) == SQLITE_NULL ? json_null() :
	    json_pack("{s:s, s:s}", "slug", db_col_text(st, 5), "name",
	    db_col_text(st, 6)));
	json_object_set_new(o, "author",
	    sqlite3_column_type(st, 7) == SQLITE_NULL ? json_null() :
	    json_pack("{s:s, s:s}", "handle", db_col_text(st, 7),
	    "display_name", db_col_text(st, 8)));
	return o;
}

/*
 * Fill in the page's rows of one kind with a single query; returns the
 * SQLite code of the last step (SQLITE_DONE when all went well).
 */
static int
search_details(sqlite3 *db, struct search *s, struct hit *hits, int n,
    int kind)
{
	sqlite3_stmt *st;
	struct buf ids;
	int64_t lo = INT64_MAX, hi = INT64_MIN, id;
	int rc, i, count = 0;

	buf_init(&ids);
	buf_puts(&ids, "[");
	for (i = 0; i < n; i++) {
		if (hits[i].kind != kind)
			continue;
		buf_printf(&ids, "%s%lld", count++ ? "," : "",
		    (long long)hits[i].id);
		lo = hits[i].id < lo ? hits[i].id : lo;
		hi = hits[i].id > hi ? hits[i].id : hi;
	}
	buf_puts(&ids, "]");
	if (count == 0) {
		buf_free(&ids);
		return SQLITE_DONE;
	}
	if ((rc = sqlite3_prepare_v2(db, detail_sql[kind], -1, &st, NULL)) !=
	    SQLITE_OK) {
		buf_free(&ids);
		return rc;
	}
	sqlite3_bind_text(st, 1, s->match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_text(st, 4, buf_head(&ids), (int)buf_used(&ids),
	    SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 10);
		for (i = 0; i < n; i++) {
			if (hits[i].kind == kind && hits[i].id == id &&
			    hits[i].json == NULL)
				hits[i].json = search_row(kind_names[kind],
				    hits[i].rank, st);
		}
	}
	sqlite3_finalize(st);
	buf_free(&ids);
	return rc;
}

/* The search itself, on a thread-pool thread: no loop state touched. */
static void
search_work(uv_work_t *req)
{
	struct search *s = req->data;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	struct hit *hits;
	const char *kind;
	json_t *list;
	int rc, n = 0, k;
	bool more = false;

	s->started_ns = uv_hrtime();
	worker_background();
	if ((db = reader_get(s->msg, sizeof s->msg)) == NULL) {
		s->err = ERR_UNAVAILABLE;
		return;
	}
	if (sqlite3_prepare_v2(db, s->sql, -1, &st, NULL) != SQLITE_OK) {
		s->err = ERR_INTERNAL;
		snprintf(s->msg, sizeof s->msg, "search failed: %s",
		    sqlite3_errmsg(db));
		reader_put(db);
		return;
	}
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":q"),
	    s->match, -1, SQLITE_STATIC);
	bind_named(st, ":me", s->me);
	bind_named(st, ":c", s->community);
	bind_named(st, ":limit", s->limit + 1);
	bind_named(st, ":offset", (int64_t)(s->page - 1) * s->limit);
	sqlite3_progress_handler(db, 1000, search_progress, s);
	hits = xcalloc((size_t)s->limit, sizeof *hits);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == s->limit) {
			more = true;
			rc = SQLITE_DONE;
			break;
		}
		kind = db_col_text(st, 0);
		for (k = 0; k < K_COUNT - 1; k++)
			if (strcmp(kind, kind_names[k]) == 0)
				break;
		hits[n].kind = k;
		hits[n].id = sqlite3_column_int64(st, 1);
		hits[n].rank = sqlite3_column_double(st, 2);
		n++;
	}
	sqlite3_reset(st);
	for (k = 0; k < K_COUNT && rc == SQLITE_DONE; k++)
		rc = search_details(db, s, hits, n, k);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	list = json_array();
	for (int i = 0; i < n; i++) {
		/* a row deleted between the two steps is left out */
		if (hits[i].json != NULL)
			json_array_append_new(list, hits[i].json);
	}
	free(hits);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		if (rc == SQLITE_INTERRUPT) {
			s->err = ERR_UNAVAILABLE;
			snprintf(s->msg, sizeof s->msg, "That search took too "
			    "long; use more specific words.");
		} else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			s->err = ERR_UNAVAILABLE;
			snprintf(s->msg, sizeof s->msg,
			    "Search is busy; try again.");
		} else {
			s->err = ERR_INTERNAL;
			snprintf(s->msg, sizeof s->msg, "search failed: %s",
			    sqlite3_errmsg(db));
		}
	} else {
		s->result = json_pack("{s:o, s:o}", "results", list,
		    "next_page", more && s->page < SEARCH_PAGES_MAX ?
		    json_integer(s->page + 1) : json_null());
	}
	sqlite3_finalize(st);
	reader_put(db);
	s->ended_ns = uv_hrtime();
}

/* Back on the loop thread: answer, then let the conn go. */
static void
search_done(uv_work_t *req, int status)
{
	struct search *s = req->data;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		inflight = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	inflight_len--;
	if (status != 0 && s->result == NULL) {
		s->err = ERR_UNAVAILABLE;
		snprintf(s->msg, sizeof s->msg, "The search was cancelled; "
		    "try again.");
	}
	if (s->conn->freed)
		log_debug(s->conn->id, "search done after the conn went");
	else
		log_debug(s->conn->id, "search.query %s: waited %.1f ms, ran "
		    "%.1f ms", s->result != NULL ? "ok" :
		    proto_err_name(s->err),
		    (s->started_ns - s->queued_ns) / 1e6,
		    s->ended_ns > s->started_ns ?
		    (s->ended_ns - s->started_ns) / 1e6 : 0.0);
	dispatch_reply_later(s->conn, s->id, s->has_id, s->result, s->err,
	    s->msg);
	conn_release(s->conn);
	free(s->sql);
	free(s->match);
	free(s);
}

/* How many searches of this conn are in flight. */
static int
conn_searches(const struct conn *c)
{
	int n = 0;

	for (const struct search *s = inflight; s != NULL; s = s->next)
		n += s->conn == c;
	return n;
}

static int
op_search_query(struct call *x)
{
	const char *q = NULL, *kind = "all", *slug = NULL;
	json_int_t limit = SEARCH_LIMIT_DEFAULT, page = 1;
	bool all, threads, posts, profiles;
	struct access a;
	struct search *s;
	char *match;
	int rc;

	if (arg_str(x->args, "q", true, SEARCH_Q_MAX, &q, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "kind", false, 16, &kind, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, SEARCH_LIMIT_MAX, &limit,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "page", false, 1, SEARCH_PAGES_MAX, &page,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	all = strcmp(kind, "all") == 0;
	threads = all || strcmp(kind, "threads") == 0;
	posts = all || strcmp(kind, "posts") == 0;
	profiles = all || strcmp(kind, "profiles") == 0;
	if (!threads && !posts && !profiles)
		return call_fail(x, ERR_BAD_REQUEST, "args.kind must be all, "
		    "threads, posts or profiles");
	if ((match = search_match(q)) == NULL)
		return call_fail(x, ERR_BAD_REQUEST, "args.q must contain a "
		    "word to search for");
	if (slug != NULL &&
	    authz_community_slug(x, slug, CA_READ, &a) != 0) {
		free(match);
		return -1;
	}
	/* Guests see public communities only, and no profiles. */
	if (x->conn->guest) {
		profiles = false;
		if (!threads && !posts) {
			free(match);
			return call_fail(x, ERR_FORBIDDEN, "Guests cannot "
			    "search profiles. Ask for an invite to join.");
		}
	}
	if (inflight_len >= SEARCH_INFLIGHT_MAX) {
		free(match);
		return call_fail(x, ERR_UNAVAILABLE, "The server is busy "
		    "searching; try again in a moment.");
	}
	if (conn_searches(x->conn) >= SEARCH_CONN_MAX) {
		free(match);
		return call_fail(x, ERR_RATE_LIMITED, "You have %d searches "
		    "running; wait for their results.", SEARCH_CONN_MAX);
	}
	if (db_path == NULL) {
		db_path = xasprintf("%s/hearth.db", srv->cfg.data_dir);
		atexit(readers_close);
	}
	s = xcalloc(1, sizeof *s);
	s->req.data = s;
	s->conn = x->conn;
	s->id = x->req->id;
	s->has_id = x->req->has_id;
	s->match = match;
	s->sql = search_sql(authz_readable_sql(x->conn), threads, posts,
	    profiles);
	s->me = x->conn->member.id;
	s->community = slug != NULL ? a.community_id : 0;
	s->limit = (int)limit;
	s->page = (int)page;
	s->queued_ns = uv_hrtime();
	s->deadline_ms = s->queued_ns / 1000000 + SEARCH_TIMEOUT_MS;
	if ((rc = uv_queue_work(srv->loop, &s->req, search_work,
	    search_done)) != 0) {
		free(s->sql);
		free(s->match);
		free(s);
		return call_fail(x, ERR_UNAVAILABLE, "search unavailable: %s",
		    uv_strerror(rc));
	}
	conn_hold(x->conn);
	s->next = inflight;
	if (inflight != NULL)
		inflight->prev = s;
	inflight = s;
	inflight_len++;
	return 1;
}

const struct op op_search_table[] = {
	{ "search.query", OP_MEMBER | OP_GUEST | OP_ASYNC, op_search_query,
	    "Search thread titles, posts and profiles you may read {q, kind?, "
	    "community?, limit?, page?}; ranked, with highlighted snippets." },
	{ NULL, 0, NULL, NULL },
};
