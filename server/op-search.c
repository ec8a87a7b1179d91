/*
 * op-search.c: search.query, full-text search over thread titles, posts and
 * profiles (the FTS5 tables of 002). Access is decided on the loop thread
 * (authz_community_slug, authz_readable_sql); the query itself runs in the
 * libuv thread pool on read-only connections, so a slow search never stalls
 * the loop, and the reply follows with dispatch_reply_later. A search
 * reads FTS5 once per kind: the newest matches, scored by search_tf, are
 * ranked and paged in C; then the page's names and text are read by id and
 * its snippets made with the tables' tokenizer (search_snippet).
 *
 * Threads: search_work and search_done run on a pool thread and on the loop
 * thread respectively; the reader pool is the only state they share and is
 * guarded by a mutex.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SEARCH_LIMIT_MAX 50
#define SEARCH_LIMIT_DEFAULT 20
/*
 * Ranking is done among the newest SEARCH_WINDOW matches of each kind, so a
 * word found in 80,000 posts costs what one found in 500 does.
 */
#define SEARCH_WINDOW 500
#define SEARCH_PAGES_MAX 10
#define SEARCH_Q_MAX 256
#define SEARCH_WORDS_MAX 16
#define SEARCH_INFLIGHT_MAX 32 /* in the whole server */
#define SEARCH_TIMEOUT_MS 5000
#define READERS_MAX 16
#define READER_STMTS_MAX 16 /* kinds × the three readable_sql variants */
/*
 * Readers map the database instead of copying pages through their 2 MB
 * page caches: a search touches a few MB (doclists, docsize, posts), and
 * the copies from the kernel were 15 % of hearthd's time in the search
 * benchmark. The mapping is address space, shared with the OS page cache.
 */
#define READER_PRAGMAS "PRAGMA mmap_size = 1073741824"

/* bm25's constants, as FTS5's bm25() has them. */
#define BM25_K1 1.2
#define BM25_B 0.75

/*
 * Snippets: a match is wrapped in STX ... ETX, cut text is marked with an
 * ellipsis; at most SNIPPET_TOKENS of a post, SNIPPET_TOKENS_SHORT of a
 * title or profile. They are made with the tokenizer the FTS tables are
 * declared with (schema/019: server/tokenizer.c), which this must name.
 */
#define MARK_OPEN "\002"
#define MARK_CLOSE "\003"
#define ELLIPSIS "\xe2\x80\xa6"
#define SNIPPET_TOKENS 24
#define SNIPPET_TOKENS_SHORT 16
#define SEARCH_TOKENIZER "hearth"
#define SEARCH_TOKENIZER_ARGS "remove_diacritics", "2"
#define SNIPPET_COLS_MAX 6 /* profiles_fts */

enum { K_THREAD, K_POST, K_PROFILE, K_DOCUMENT, K_COUNT };
static const char *const kind_names[K_COUNT] = { "thread", "post", "profile",
    "document" };
/* Ties are broken by kind name: document, post, profile, thread. */
static const int kind_order[K_COUNT] = { 3, 1, 2, 0 };

/* One search on its way through the thread pool. */
struct search {
	uv_work_t req;
	struct conn *conn;
	json_int_t id;
	bool has_id;
	const char *readable; /* authz_readable_sql: a static string */
	bool kinds[K_COUNT];
	char *match; /* the FTS5 expression: quoted words */
	int words; /* phrases in match */
	int64_t me;
	bool admin; /* sees managers-only documents everywhere */
	bool staff, platform; /* the platform library: staff-only ones; read */
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

/*
 * A read-only connection and the statements prepared on it, kept across
 * searches (preparing the ranking SQL cost about 0.5 ms a search). Owned by
 * one worker at a time: taken from and given back to the pool under
 * readers_lock.
 */
struct reader {
	sqlite3 *db;
	struct {
		int kind;
		const char *readable;
		sqlite3_stmt *st;
	} rank[READER_STMTS_MAX];
	int rank_len;
	sqlite3_stmt *detail[K_COUNT];
	fts5_tokenizer tok; /* the tables' tokenizer, for snippets */
	Fts5Tokenizer *tokenizer;
};

static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reader *readers[READERS_MAX];
static int readers_len;
static char *db_path; /* set once on the loop thread before any work */
static struct search *inflight; /* loop thread only */
static int inflight_len;

/* Finalize a reader's statements and close it. */
static void
reader_free(struct reader *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->rank_len; i++)
		sqlite3_finalize(r->rank[i].st);
	for (int k = 0; k < K_COUNT; k++)
		sqlite3_finalize(r->detail[k]);
	if (r->tokenizer != NULL)
		r->tok.xDelete(r->tokenizer);
	sqlite3_close(r->db);
	free(r);
}

/* At exit: close the pooled read-only connections. */
static void
readers_close(void)
{
	pthread_mutex_lock(&readers_lock);
	while (readers_len > 0)
		reader_free(readers[--readers_len]);
	pthread_mutex_unlock(&readers_lock);
	free(db_path);
	db_path = NULL;
}

/*
 * FTS5 auxiliary function search_tf(fts): bm25's term-frequency part for
 * the current row, sum over phrases of f(k1 + 1) / (f + k1(1 - b + b D /
 * avgdl)), without the inverse document frequency. FTS5's own bm25() finds
 * each phrase's document count by walking that phrase's whole doclist once
 * per query (2-3 ms for a common word in a million posts, most of a
 * search); search_work estimates it from the window instead.
 */
static void
search_tf(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	double freq[SEARCH_WORDS_MAX] = { 0 }, avgdl, norm, score = 0;
	sqlite3_int64 rows, tokens;
	int rc, nphrase, ninst, phrase, col, off, len;

	(void)nval;
	(void)val;
	nphrase = api->xPhraseCount(fts);
	if ((rc = api->xRowCount(fts, &rows)) != SQLITE_OK ||
	    (rc = api->xColumnTotalSize(fts, -1, &tokens)) != SQLITE_OK ||
	    (rc = api->xColumnSize(fts, -1, &len)) != SQLITE_OK ||
	    (rc = api->xInstCount(fts, &ninst)) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		if ((rc = api->xInst(fts, i, &phrase, &col, &off)) !=
		    SQLITE_OK) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
		if (phrase >= 0 && phrase < SEARCH_WORDS_MAX)
			freq[phrase] += 1.0;
	}
	avgdl = rows > 0 && tokens > 0 ? (double)tokens / (double)rows : 1.0;
	norm = BM25_K1 * (1.0 - BM25_B + BM25_B * len / avgdl);
	for (int i = 0; i < nphrase && i < SEARCH_WORDS_MAX; i++)
		score += freq[i] * (BM25_K1 + 1.0) / (freq[i] + norm);
	sqlite3_result_double(ctx, score);
}

/* FTS5 auxiliary function search_rows(fts): the rows in the index. */
static void
search_rows(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	sqlite3_int64 rows;
	int rc;

	(void)nval;
	(void)val;
	if ((rc = api->xRowCount(fts, &rows)) != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	else
		sqlite3_result_int64(ctx, rows);
}

/*
 * Register search_tf and search_rows on a reader's connection and create
 * the tokenizer the FTS tables use (SEARCH_TOKENIZER); SQLite code.
 */
static int
reader_functions(struct reader *r)
{
	static const char *const args[] = { SEARCH_TOKENIZER_ARGS };
	sqlite3_stmt *st;
	fts5_api *api = NULL;
	void *ud;
	int rc;

	if ((rc = sqlite3_prepare_v2(r->db, "SELECT fts5(?1)", -1, &st,
	    NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2)
		return SQLITE_ERROR;
	if ((rc = api->xCreateFunction(api, "search_tf", NULL, search_tf,
	    NULL)) != SQLITE_OK ||
	    (rc = api->xCreateFunction(api, "search_rows", NULL, search_rows,
	    NULL)) != SQLITE_OK ||
	    (rc = api->xFindTokenizer(api, SEARCH_TOKENIZER, &ud, &r->tok)) !=
	    SQLITE_OK)
		return rc;
	return r->tok.xCreate(ud, (const char **)args,
	    (int)(sizeof args / sizeof args[0]), &r->tokenizer);
}

/* A read-only connection from the pool, opened if none is free (worker). */
static struct reader *
reader_get(char *err, size_t errlen)
{
	struct reader *r = NULL;

	pthread_mutex_lock(&readers_lock);
	if (readers_len > 0)
		r = readers[--readers_len];
	pthread_mutex_unlock(&readers_lock);
	if (r != NULL)
		return r;
	r = xcalloc(1, sizeof *r);
	tokenizer_auto(); /* the tables' tokenizer (done already by db_open) */
	if (sqlite3_open_v2(db_path, &r->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    reader_functions(r) != SQLITE_OK) {
		snprintf(err, errlen, "%s", r->db != NULL ?
		    sqlite3_errmsg(r->db) : "out of memory");
		reader_free(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 2000);
	sqlite3_exec(r->db, READER_PRAGMAS, NULL, NULL, NULL);
	return r;
}

/* Give a connection back to the pool (worker). */
static void
reader_put(struct reader *r)
{
	pthread_mutex_lock(&readers_lock);
	if (readers_len < READERS_MAX) {
		readers[readers_len++] = r;
		r = NULL;
	}
	pthread_mutex_unlock(&readers_lock);
	reader_free(r);
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
 * Returns NULL when no word is searchable; *words is the number of words.
 */
static char *
search_match(const char *q, int *words)
{
	struct buf b;
	const char *p = q, *w;
	size_t n;
	char *out;

	*words = 0;
	buf_init(&b);
	while (*p != '\0' && *words < SEARCH_WORDS_MAX) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		w = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r')
			p++;
		n = (size_t)(p - w);
		if (n == 0 || !word_searchable(w, n))
			continue;
		if ((*words)++ > 0)
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
	if (*words == 0) {
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
 * The first step, one statement per kind: the newest SEARCH_WINDOW matches,
 * newest first, each with its search_tf score and whether this searcher may
 * see it (readable is authz_readable_sql), so FTS5 reads the doclists once
 * and search_work can size the window. Columns: rowid, score, rows in the
 * index, the table's largest id, visible. Names, text and snippets come
 * after, for one page only (detail_sql, search_snippet).
 */
static char *
rank_sql(int kind, const char *readable)
{
	static const char *const fts[K_COUNT] = { "threads_fts", "posts_fts",
	    "profiles_fts", "documents_fts" };
	static const char *const table[K_COUNT] = { "threads", "posts",
	    "members", "library_documents" };
	static const char *const joins[K_COUNT] = {
		"LEFT JOIN threads t ON t.id = w.r",
		"LEFT JOIN posts p ON p.id = w.r "
		"LEFT JOIN threads t ON t.id = p.thread_id",
		"LEFT JOIN members m ON m.id = w.r",
		"LEFT JOIN library_documents d ON d.id = w.r",
	};
	struct buf b;
	char *out;

	buf_init(&b);
	buf_printf(&b, "SELECT w.r, w.s, w.n, (SELECT max(id) FROM %s), "
	    "coalesce(", table[kind]);
	if (kind == K_PROFILE)
		buf_puts(&b, "m.status = 'active' AND (:c = 0 OR m.id IN "
		    "(SELECT member_id FROM community_members WHERE "
		    "community_id = :c))");
	else if (kind == K_DOCUMENT)
		/* as the library shows them: not in the bin, managers-only
		 * ones to the community's managers (and admins) only; the
		 * platform's (no community) to members, staff-only to staff */
		buf_printf(&b, "d.deleted_at IS NULL AND (d.community_id IN "
		    "(%s) OR (d.community_id IS NULL AND :plat)) AND (:c = 0 "
		    "OR d.community_id = :c) AND (d.managers_only = 0 OR :adm "
		    "OR (d.community_id IS NULL AND :staff) OR d.community_id IN "
		    "(SELECT community_id FROM community_members WHERE "
		    "member_id = :me AND role = 'manager'))", readable);
	else
		/* a thread whose first post a moderator hid is not found
		 * by its title (op-thread.c lists it without one) */
		buf_printf(&b, "%st.community_id IN (%s) AND (:c = 0 OR "
		    "t.community_id = :c)", kind == K_POST ? "p.hidden_at IS "
		    "NULL AND p.deleted_at IS NULL AND " : "coalesce((SELECT "
		    "h.hidden_at IS NULL FROM posts h WHERE h.thread_id = t.id "
		    "ORDER BY h.id LIMIT 1), 1) AND ", readable);
	buf_printf(&b, ", 0) FROM (SELECT rowid AS r, search_tf(%s) AS s, "
	    "search_rows(%s) AS n FROM %s WHERE %s MATCH :q ORDER BY rowid "
	    "DESC LIMIT %d) w %s", fts[kind], fts[kind], fts[kind], fts[kind],
	    SEARCH_WINDOW, joins[kind]);
	out = xmalloc(buf_used(&b) + 1);
	memcpy(out, buf_head(&b), buf_used(&b));
	out[buf_used(&b)] = '\0';
	buf_free(&b);
	return out;
}

/*
 * The second step, one query per kind for the whole page: names and the
 * indexed text of the ranked rows, by id (no MATCH: evaluating it again
 * cost as much as ranking for two common words), for search_snippet.
 * Columns: thread id, post id, handle, title, community slug and name,
 * author handle and display name, time, the row's id, then the FTS
 * table's columns (DETAIL_TEXT on). ?1 is the page's ids as a JSON array.
 */
#define DETAIL_TEXT 10
static const char *const detail_sql[K_COUNT] = {
	"SELECT t.id, NULL, NULL, t.title, c.slug, c.name, a.handle, "
	"a.display_name, t.created_at, t.id, t.title, t.tags "
	"FROM threads t JOIN communities c ON c.id = t.community_id "
	"LEFT JOIN members a ON a.id = t.author_id "
	"WHERE t.id IN (SELECT value FROM json_each(?1))",
	"SELECT t.id, p.id, NULL, CASE WHEN (SELECT h.hidden_at IS NOT NULL "
	"FROM posts h WHERE h.thread_id = t.id ORDER BY h.id LIMIT 1) THEN "
	"'(hidden by a moderator)' ELSE t.title END, c.slug, c.name, "
	"a.handle, a.display_name, p.created_at, p.id, p.body "
	"FROM posts p JOIN threads t ON t.id = p.thread_id "
	"JOIN communities c ON c.id = t.community_id "
	"LEFT JOIN members a ON a.id = p.author_id "
	"WHERE p.id IN (SELECT value FROM json_each(?1))",
	"SELECT NULL, NULL, m.handle, m.display_name, NULL, NULL, m.handle, "
	"m.display_name, m.created_at, m.id, m.display_name, m.handle, "
	"m.job_role, m.organisation, m.region, m.bio "
	"FROM members m WHERE m.id IN (SELECT value FROM json_each(?1))",
	"SELECT NULL, NULL, NULL, CASE d.title WHEN '' THEN d.name ELSE "
	"d.title END, ifnull(c.slug, 'platform'), ifnull(c.name, 'Platform "
	"library'), a.handle, a.display_name, d.updated_at, "
	"d.id, f.title, f.name, f.description, f.tags, f.body "
	"FROM library_documents d LEFT JOIN communities c ON c.id = "
	"d.community_id "
	"JOIN documents_fts f ON f.rowid = d.id "
	"LEFT JOIN members a ON a.id = d.uploader_id "
	"WHERE d.id IN (SELECT value FROM json_each(?1))",
};
/* Per kind: the FTS columns, the one snippets come from (-1: the best). */
static const int detail_cols[K_COUNT] = { 2, 1, 6, 5 };
static const int snippet_col[K_COUNT] = { -1, 0, -1, -1 };
static const int snippet_tokens[K_COUNT] = { SNIPPET_TOKENS_SHORT,
	SNIPPET_TOKENS, SNIPPET_TOKENS_SHORT, SNIPPET_TOKENS };

/* A reader's prepared statement for SQL it keeps (worker). */
static int
reader_prepare(struct reader *r, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    st, NULL);
}

/* The reader's ranking statement for a kind and a readable_sql (worker). */
static int
reader_rank_stmt(struct reader *r, int kind, const char *readable,
    sqlite3_stmt **st)
{
	char *sql;
	int rc;

	if (kind == K_PROFILE)
		readable = NULL; /* profiles do not depend on it */
	for (int i = 0; i < r->rank_len; i++) {
		if (r->rank[i].kind == kind && r->rank[i].readable == readable) {
			*st = r->rank[i].st;
			return SQLITE_OK;
		}
	}
	sql = rank_sql(kind, readable != NULL ? readable : "");
	rc = reader_prepare(r, sql, st);
	free(sql);
	if (rc != SQLITE_OK)
		return rc;
	if (r->rank_len < READER_STMTS_MAX) {
		r->rank[r->rank_len].kind = kind;
		r->rank[r->rank_len].readable = readable;
		r->rank[r->rank_len].st = *st;
		r->rank_len++;
	}
	return SQLITE_OK;
}

/* Done with a statement from reader_rank_stmt: finalize it if not kept. */
static void
reader_rank_done(struct reader *r, sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (int i = 0; i < r->rank_len; i++)
		if (r->rank[i].st == st)
			return;
	sqlite3_finalize(st);
}

/* One visible match: its kind, id and rank, and its wire object later. */
struct hit {
	int kind;
	int64_t id;
	double rank;
	json_t *json;
};

/* Best first: rank, then kind name, then id (as the protocol says). */
static int
hit_cmp(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->kind != b->kind)
		return kind_order[a->kind] - kind_order[b->kind];
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Bind a named parameter if the statement has it. */
static void
bind_named(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

/*
 * Rank one kind: append its visible matches among the newest SEARCH_WINDOW
 * to hits (room for SEARCH_WINDOW more). The rank is bm25's: -idf times
 * search_tf's score, where the inverse document frequency comes from the
 * window: a window that is not full holds every match, so n is exact; a
 * full one holding the newest SEARCH_WINDOW matches spreads them over ids
 * lo..max, so n is about SEARCH_WINDOW * max / (max - lo + 1). Under
 * independence the words' idfs add up to the idf of all of them together,
 * so each phrase gets its share. Returns the SQLite code of the last step.
 */
static int
search_rank(struct reader *r, struct search *s, int kind, struct hit *hits,
    int *n)
{
	sqlite3_stmt *st;
	int64_t lo = INT64_MAX, max = 0, rows = 0, id;
	double est, idf;
	int rc, found = 0, first = *n;

	if ((rc = reader_rank_stmt(r, kind, s->readable, &st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":q"),
	    s->match, -1, SQLITE_STATIC);
	bind_named(st, ":me", s->me);
	bind_named(st, ":adm", s->admin);
	bind_named(st, ":plat", s->platform);
	bind_named(st, ":staff", s->staff);
	bind_named(st, ":c", s->community);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (found++ == 0) {
			rows = sqlite3_column_int64(st, 2);
			max = sqlite3_column_int64(st, 3);
		}
		lo = id < lo ? id : lo;
		if (sqlite3_column_int(st, 4) == 0 || *n - first >=
		    SEARCH_WINDOW)
			continue;
		hits[*n].kind = kind;
		hits[*n].id = id;
		hits[*n].rank = sqlite3_column_double(st, 1);
		hits[*n].json = NULL;
		(*n)++;
	}
	reader_rank_done(r, st);
	if (found == 0)
		return rc;
	est = found;
	if (found >= SEARCH_WINDOW && max >= lo)
		est = (double)SEARCH_WINDOW * (double)max /
		    (double)(max - lo + 1);
	if (rows < est)
		rows = (int64_t)est;
	idf = log(((double)rows - est + 0.5) / (est + 0.5));
	idf = idf > 0 ? idf / s->words : 1e-6;
	for (int i = first; i < *n; i++)
		hits[i].rank *= -idf;
	return rc;
}

/*
 * Snippets. FTS5's snippet() works only on a row under a MATCH cursor, so
 * it needed the match evaluated a second time; search_snippet makes the
 * same snippet from the row's text instead. The query's words and the text
 * are split by the tables' own tokenizer, a word matches where FTS5 finds
 * it (its tokens in a row; the last word's last token as a prefix), and the
 * window follows snippet()'s rules: for each match, the n tokens around it
 * score 1000 for each word found there and 1 for each repeat, or the n
 * tokens from the start of its sentence (a token after '.' or ':' and white
 * space) score 100 more (120 at the start of the text); the best window is
 * centred on its matches, matches overlapping each other are marked as
 * one, and an ellipsis stands where text was cut.
 */

/*
 * A token of a text: its bytes there and its folded form in a buf, and
 * the form of a token at the same place (FTS5_TOKEN_COLOCATED: the last
 * character of a CJK run), alt_len -1 when there is none.
 */
struct token {
	int start, end;
	size_t fold, alt;
	int fold_len, alt_len;
};

/* A text split into tokens. */
struct tokens {
	struct token *v;
	int len, cap;
	struct buf folded;
};

/* A match of one of the query's words: which word, column and token. */
struct inst {
	int word, col, off;
};

/* The query's words, split into tokens. */
struct query {
	struct tokens word[SEARCH_WORDS_MAX];
	int len;
};

/* One row's snippet in the making: its columns, split, and the matches. */
struct snippet {
	const struct query *q;
	int ncol;
	const char *text[SNIPPET_COLS_MAX];
	int text_len[SNIPPET_COLS_MAX];
	struct tokens col[SNIPPET_COLS_MAX];
	struct inst *inst;
	int ninst, inst_cap;
	int *sentence; /* token numbers, for one column at a time */
	int sentence_cap;
};

/* Tokenizer callback: keep one token. */
static int
tokens_add(void *arg, int flags, const char *tok, int ntok, int start,
    int end)
{
	struct tokens *t = arg;

	if (flags & FTS5_TOKEN_COLOCATED) {
		/* FTS5 matches it at its token's place, and marks that one */
		if (t->len > 0 && t->v[t->len - 1].alt_len < 0) {
			t->v[t->len - 1].alt = buf_used(&t->folded);
			t->v[t->len - 1].alt_len = ntok;
			buf_append(&t->folded, tok, (size_t)ntok);
		}
		return SQLITE_OK;
	}
	if (t->len == t->cap) {
		t->cap = t->cap > 0 ? 2 * t->cap : 64;
		t->v = xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
	}
	t->v[t->len].start = start;
	t->v[t->len].end = end;
	t->v[t->len].fold = buf_used(&t->folded);
	t->v[t->len].fold_len = ntok;
	t->v[t->len].alt_len = -1;
	buf_append(&t->folded, tok, (size_t)ntok);
	t->len++;
	return SQLITE_OK;
}

/* Split text into t (emptied first) with the reader's tokenizer. */
static int
tokens_split(struct reader *r, int flags, const char *text, int n,
    struct tokens *t)
{
	t->len = 0;
	buf_clear(&t->folded);
	return r->tok.xTokenize(r->tokenizer, t, flags, n > 0 ? text : "", n,
	    tokens_add);
}

/* A token's folded form. */
static const char *
tokens_fold(const struct tokens *t, int i)
{
	return buf_head(&t->folded) + t->v[i].fold;
}

static void
tokens_free(struct tokens *t)
{
	free(t->v);
	buf_free(&t->folded);
}

/* The words of a match expression ("a" "b"*, from search_match), split. */
static int
query_split(struct reader *r, const char *match, struct query *q)
{
	struct buf word;
	const char *p = match;
	int rc = SQLITE_OK, flags;

	buf_init(&word);
	while (*p == '"' && q->len < SEARCH_WORDS_MAX && rc == SQLITE_OK) {
		buf_clear(&word);
		for (p++; *p != '\0' && (*p != '"' || p[1] == '"'); p++) {
			buf_append(&word, p, 1);
			if (*p == '"')
				p++; /* "" is one quote */
		}
		if (*p == '"')
			p++;
		while (*p == ' ' || *p == '*')
			p++;
		flags = FTS5_TOKENIZE_QUERY | (*p == '\0' ?
		    FTS5_TOKENIZE_PREFIX : 0);
		rc = tokens_split(r, flags, buf_head(&word),
		    (int)buf_used(&word), &q->word[q->len++]);
	}
	buf_free(&word);
	return rc;
}

/* Whether a query token (a, folded) matches a text's (b, blen bytes). */
static bool
token_match(const char *a, int alen, const char *b, int blen, bool prefix)
{
	return blen >= alen && (blen == alen || prefix) &&
	    memcmp(a, b, (size_t)alen) == 0;
}

/* Whether word w of the query matches text t from token i. */
static bool
query_match_at(const struct query *q, int w, const struct tokens *t, int i)
{
	const struct tokens *word = &q->word[w];
	const struct token *a, *b;
	const char *af;
	bool prefix;

	if (word->len == 0 || i + word->len > t->len)
		return false;
	for (int k = 0; k < word->len; k++) {
		a = &word->v[k];
		b = &t->v[i + k];
		af = tokens_fold(word, k);
		prefix = w == q->len - 1 && k == word->len - 1;
		if (!token_match(af, a->fold_len, tokens_fold(t, i + k),
		    b->fold_len, prefix) && (b->alt_len < 0 ||
		    !token_match(af, a->fold_len, buf_head(&t->folded) +
		    b->alt, b->alt_len, prefix)))
			return false;
	}
	return true;
}

/* Find the query's matches in every column, by column, token and word. */
static void
snippet_matches(struct snippet *sn)
{
	for (int c = 0; c < sn->ncol; c++) {
		for (int i = 0; i < sn->col[c].len; i++) {
			for (int w = 0; w < sn->q->len; w++) {
				if (!query_match_at(sn->q, w, &sn->col[c], i))
					continue;
				if (sn->ninst == sn->inst_cap) {
					sn->inst_cap = sn->inst_cap > 0 ?
					    2 * sn->inst_cap : 16;
					sn->inst = xrealloc(sn->inst,
					    (size_t)sn->inst_cap *
					    sizeof *sn->inst);
				}
				sn->inst[sn->ninst].word = w;
				sn->inst[sn->ninst].col = c;
				sn->inst[sn->ninst].off = i;
				sn->ninst++;
			}
		}
	}
}

/*
 * The score of the n tokens of column col from pos; *adj (if not NULL)
 * is where n tokens would start to centre the matches found there.
 */
static int
snippet_score(const struct snippet *sn, int col, int pos, int n, int *adj)
{
	bool seen[SEARCH_WORDS_MAX] = { false };
	int score = 0, first = -1, last = 0, a;
	const struct inst *in;

	for (int i = 0; i < sn->ninst; i++) {
		in = &sn->inst[i];
		if (in->col != col || in->off < pos || in->off - pos >= n)
			continue;
		score += seen[in->word] ? 1 : 1000;
		seen[in->word] = true;
		if (first < 0)
			first = in->off;
		last = in->off + sn->q->word[in->word].len;
	}
	if (adj != NULL) {
		a = first - (n - (last - first)) / 2;
		if (a + n > sn->col[col].len)
			a = sn->col[col].len - n;
		*adj = a > 0 ? a : 0;
	}
	return score;
}

/* The tokens of column col that begin a sentence; returns how many. */
static int
snippet_sentences(struct snippet *sn, int col)
{
	const struct tokens *t = &sn->col[col];
	const char *text = sn->text[col];
	int n = 0, i;
	char ch;

	if (sn->sentence_cap < t->len) {
		sn->sentence_cap = t->len;
		sn->sentence = xrealloc(sn->sentence,
		    (size_t)t->len * sizeof *sn->sentence);
	}
	for (int k = 0; k < t->len; k++) {
		if (k == 0) {
			sn->sentence[n++] = 0;
			continue;
		}
		ch = '\0';
		for (i = t->v[k].start - 1; i >= 0; i--) {
			ch = text[i];
			if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
				break;
		}
		if (i != t->v[k].start - 1 && (ch == '.' || ch == ':'))
			sn->sentence[n++] = k;
	}
	return n;
}

/* The next run of overlapping matches in column col, from inst *i. */
static void
snippet_run(const struct snippet *sn, int col, int *i, int *start, int *end)
{
	const struct inst *in;
	int e;

	*start = *end = -1;
	for (; *i < sn->ninst; (*i)++) {
		in = &sn->inst[*i];
		if (in->col != col)
			continue;
		e = in->off - 1 + sn->q->word[in->word].len;
		if (*start < 0) {
			*start = in->off;
			*end = e;
		} else if (in->off <= *end) {
			*end = e > *end ? e : *end;
		} else {
			break;
		}
	}
}

/*
 * Append text[*off, to) to out and move *off there; nothing when to is not
 * past it (CJK bigrams overlap: a token starts before the one before ends).
 */
static void
snippet_text(struct buf *out, const char *text, int *off, int to)
{
	/* Markdown's marks are not words: emphasis and code marks go, and
	 * so do a heading's #s and a quote's > at the start of a line */
	for (int i = *off; i < to; i++) {
		if (text[i] == '*' || text[i] == '`')
			continue;
		if ((i == 0 || text[i - 1] == '\n') &&
		    (text[i] == '#' || text[i] == '>')) {
			int j = i;

			while (j < to && (text[j] == '#' || text[j] == '>'))
				j++;
			if (j < to && text[j] == ' ') {
				i = j; /* the space after goes too */
				continue;
			}
		}
		buf_append(out, text + i, 1);
	}
	if (to > *off)
		*off = to;
}

/* Choose the window (column col, n tokens) and write it, marked, to out. */
static void
snippet_write(struct snippet *sn, int col, int n, struct buf *out)
{
	int best = 0, bcol = col >= 0 ? col : 0, bstart = 0, score, adj, s;
	int nsent, j, i = 0, start, end, off = 0, rend;
	const struct tokens *t;
	const struct token *k;
	const char *text;

	for (int c = 0; c < sn->ncol; c++) {
		if (col >= 0 && c != col)
			continue;
		nsent = snippet_sentences(sn, c);
		for (int m = 0; m < sn->ninst; m++) {
			if (sn->inst[m].col != c)
				continue;
			s = sn->inst[m].off;
			score = snippet_score(sn, c, s, n, &adj);
			if (score > best) {
				best = score;
				bcol = c;
				bstart = adj;
			}
			if (nsent == 0 || sn->col[c].len <= n)
				continue;
			for (j = 0; j < nsent - 1 && sn->sentence[j + 1] <= s;)
				j++;
			if (sn->sentence[j] >= s)
				continue;
			score = snippet_score(sn, c, sn->sentence[j], n, NULL) +
			    (sn->sentence[j] == 0 ? 120 : 100);
			if (score > best) {
				best = score;
				bcol = c;
				bstart = sn->sentence[j];
			}
		}
	}
	t = &sn->col[bcol];
	text = sn->text[bcol];
	rend = bstart + n - 1;
	if (bstart > 0)
		buf_puts(out, ELLIPSIS);
	do
		snippet_run(sn, bcol, &i, &start, &end);
	while (start >= 0 && start < bstart);
	for (int pos = bstart; pos <= rend && pos < t->len; pos++) {
		k = &t->v[pos];
		if (bstart > 0 && pos == bstart)
			off = k->start;
		if (pos == start) {
			snippet_text(out, text, &off, k->start);
			buf_puts(out, MARK_OPEN);
		}
		if (pos == end) {
			if (start < bstart)
				buf_puts(out, MARK_OPEN);
			snippet_text(out, text, &off, k->end);
			buf_puts(out, MARK_CLOSE);
			snippet_run(sn, bcol, &i, &start, &end);
		}
		if (pos == rend) {
			snippet_text(out, text, &off, k->end);
			if (pos >= start && pos < end)
				buf_puts(out, MARK_CLOSE);
		}
	}
	if (rend >= t->len - 1)
		snippet_text(out, text, &off, sn->text_len[bcol]);
	else
		buf_puts(out, ELLIPSIS);
}

/*
 * The snippet of a detail_sql row of a kind into out (cleared first);
 * SQLite code. sn is scratch space kept across rows.
 */
static int
search_snippet(struct reader *r, struct snippet *sn, sqlite3_stmt *st,
    int kind, struct buf *out)
{
	int rc;

	sn->ncol = detail_cols[kind];
	sn->ninst = 0;
	for (int c = 0; c < sn->ncol; c++) {
		sn->text[c] = db_col_text(st, DETAIL_TEXT + c);
		sn->text_len[c] = sqlite3_column_bytes(st, DETAIL_TEXT + c);
		if ((rc = tokens_split(r, FTS5_TOKENIZE_DOCUMENT, sn->text[c],
		    sn->text_len[c], &sn->col[c])) != SQLITE_OK)
			return rc;
	}
	snippet_matches(sn);
	buf_clear(out);
	snippet_write(sn, snippet_col[kind], snippet_tokens[kind], out);
	buf_append(out, "", 1);
	return SQLITE_OK;
}

/*
 * A document's path, /slug/folder.../name, read on the connection of st
 * (the search's own, off the loop): two documents of one name in two
 * folders are told apart.
 */
static json_t *
doc_path_json(sqlite3_stmt *st)
{
	sqlite3_stmt *q;
	struct buf b;
	json_t *o;

	buf_init(&b);
	buf_printf(&b, "/%s", db_col_text(st, 4));
	if (sqlite3_prepare_v2(sqlite3_db_handle(st), "WITH RECURSIVE "
	    "up(id, name, depth) AS (SELECT f.id, f.name, 0 FROM "
	    "library_folders f JOIN library_documents d ON d.folder_id = "
	    "f.id WHERE d.id = ?1 UNION ALL SELECT f.parent_id, p.name, "
	    "up.depth + 1 FROM up JOIN library_folders f ON f.id = up.id "
	    "JOIN library_folders p ON p.id = f.parent_id WHERE up.depth < "
	    "64) SELECT name FROM up ORDER BY depth DESC", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(q, 1, sqlite3_column_int64(st, 9));
		while (sqlite3_step(q) == SQLITE_ROW)
			buf_printf(&b, "/%s", db_col_text(q, 0));
		sqlite3_finalize(q);
	}
	buf_printf(&b, "/%s", db_col_text(st, 11));
	o = json_stringn(buf_head(&b), buf_used(&b));
	buf_free(&b);
	return o;
}

/* One result row as the wire object, from a detail_sql row. */
static json_t *
search_row(const char *kind, double rank, sqlite3_stmt *st,
    const char *snippet)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:f}", "kind", kind,
	    "title", db_col_text(st, 3), "snippet", snippet, "at",
	    db_col_json_time(st, 8), "rank", rank);

	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		json_object_set_new(o, "thread_id",
		    json_integer(sqlite3_column_int64(st, 0)));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		json_object_set_new(o, "post_id",
		    json_integer(sqlite3_column_int64(st, 1)));
	if (strcmp(kind, "document") == 0) {
		json_object_set_new(o, "document_id",
		    json_integer(sqlite3_column_int64(st, 9)));
		json_object_set_new(o, "path", doc_path_json(st));
	}
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		json_object_set_new(o, "handle",
		    json_string(db_col_text(st, 2)));
	json_object_set_new(o, "community",
	    sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null() :
	    json_pack("{s:s, s:s}", "slug", db_col_text(st, 4), "name",
	    db_col_text(st, 5)));
	json_object_set_new(o, "author", thread_author_json(st, 6));
	return o;
}

/*
 * Fill in the page's rows of one kind with a single query and their
 * snippets; returns the SQLite code of the last step (SQLITE_DONE when all
 * went well). sn is scratch space for search_snippet.
 */
static int
search_details(struct reader *r, struct snippet *sn, struct hit *hits,
    int n, int kind)
{
	sqlite3_stmt *st;
	struct buf ids, text;
	int64_t id;
	int rc, snip = SQLITE_OK, i, count = 0;

	buf_init(&ids);
	buf_puts(&ids, "[");
	for (i = 0; i < n; i++) {
		if (hits[i].kind == kind)
			buf_printf(&ids, "%s%lld", count++ ? "," : "",
			    (long long)hits[i].id);
	}
	buf_puts(&ids, "]");
	if (count == 0) {
		buf_free(&ids);
		return SQLITE_DONE;
	}
	if (r->detail[kind] == NULL && (rc = reader_prepare(r,
	    detail_sql[kind], &r->detail[kind])) != SQLITE_OK) {
		buf_free(&ids);
		return rc;
	}
	st = r->detail[kind];
	sqlite3_bind_text(st, 1, buf_head(&ids), (int)buf_used(&ids),
	    SQLITE_STATIC);
	buf_init(&text);
	while (snip == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 9);
		for (i = 0; i < n && snip == SQLITE_OK; i++) {
			if (hits[i].kind != kind || hits[i].id != id ||
			    hits[i].json != NULL)
				continue;
			if ((snip = search_snippet(r, sn, st, kind, &text)) ==
			    SQLITE_OK)
				hits[i].json = search_row(kind_names[kind],
				    hits[i].rank, st, buf_head(&text));
		}
	}
	if (snip != SQLITE_OK)
		rc = snip;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	buf_free(&text);
	buf_free(&ids);
	return rc;
}

/*
 * The search itself, on a thread-pool thread: no loop state touched. Both
 * steps read one snapshot (a read transaction), so a row hidden between
 * them cannot reach the page.
 */
static void
search_work(uv_work_t *req)
{
	struct search *s = req->data;
	struct reader *r;
	struct hit *hits, *page;
	struct query q;
	struct snippet sn;
	json_t *list;
	int rc = SQLITE_DONE, n = 0, offset, count;
	bool more;

	s->started_ns = uv_hrtime();
	worker_background();
	if ((r = reader_get(s->msg, sizeof s->msg)) == NULL) {
		s->err = ERR_UNAVAILABLE;
		return;
	}
	sqlite3_progress_handler(r->db, 1000, search_progress, s);
	hits = xcalloc(K_COUNT * SEARCH_WINDOW, sizeof *hits);
	memset(&q, 0, sizeof q);
	memset(&sn, 0, sizeof sn);
	sn.q = &q;
	if ((rc = sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL)) ==
	    SQLITE_OK)
		rc = SQLITE_DONE;
	for (int k = 0; k < K_COUNT && rc == SQLITE_DONE; k++)
		if (s->kinds[k])
			rc = search_rank(r, s, k, hits, &n);
	if (rc == SQLITE_DONE)
		qsort(hits, (size_t)n, sizeof *hits, hit_cmp);
	offset = (s->page - 1) * s->limit;
	page = hits + (offset < n ? offset : n);
	count = n - offset < s->limit ? n - offset : s->limit;
	count = count > 0 ? count : 0;
	more = n > offset + s->limit;
	if (rc == SQLITE_DONE && count > 0 &&
	    (rc = query_split(r, s->match, &q)) == SQLITE_OK)
		rc = SQLITE_DONE;
	for (int k = 0; k < K_COUNT && rc == SQLITE_DONE; k++)
		rc = search_details(r, &sn, page, count, k);
	for (int w = 0; w < SEARCH_WORDS_MAX; w++)
		tokens_free(&q.word[w]);
	for (int c = 0; c < SNIPPET_COLS_MAX; c++)
		tokens_free(&sn.col[c]);
	free(sn.inst);
	free(sn.sentence);
	/* end the read transaction whatever happened: the pool keeps r */
	sqlite3_progress_handler(r->db, 0, NULL, NULL);
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	list = json_array();
	for (int i = 0; i < count; i++) {
		/* (both steps read one snapshot: a page row always has one) */
		if (page[i].json != NULL)
			json_array_append_new(list, page[i].json);
	}
	free(hits);
	if (rc != SQLITE_DONE) {
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
			    sqlite3_errmsg(r->db));
		}
	} else {
		s->result = json_pack("{s:o, s:o}", "results", list,
		    "next_page", more && s->page < SEARCH_PAGES_MAX ?
		    json_integer(s->page + 1) : json_null());
	}
	reader_put(r);
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
	rate_running(s->conn, -1);
	dispatch_reply_later(s->conn, s->id, s->has_id, s->result, s->err,
	    s->msg);
	conn_release(s->conn);
	free(s->match);
	free(s);
}

static int
op_search_query(struct call *x)
{
	const char *q = NULL, *kind = "all", *slug = NULL;
	json_int_t limit = SEARCH_LIMIT_DEFAULT, page = 1;
	bool all, threads, posts, profiles, documents;
	struct access a;
	struct search *s;
	char *match;
	int rc, words;

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
	documents = all || strcmp(kind, "documents") == 0;
	if (!threads && !posts && !profiles && !documents)
		return call_fail(x, ERR_BAD_REQUEST, "args.kind must be all, "
		    "threads, posts, profiles or documents");
	if ((match = search_match(q, &words)) == NULL)
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
		if (!threads && !posts && !documents) {
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
	s->words = words;
	s->readable = authz_readable_sql(x->conn);
	s->kinds[K_THREAD] = threads;
	s->kinds[K_POST] = posts;
	s->kinds[K_PROFILE] = profiles;
	s->kinds[K_DOCUMENT] = documents;
	s->admin = x->conn->console || x->conn->member.role == ROLE_ADMIN;
	s->me = x->conn->member.id;
	s->staff = authz_is_staff(x->conn);
	s->platform = x->conn->console || (!x->conn->guest &&
	    x->conn->member.id != 0); /* reads the platform library */
	s->community = slug != NULL ? a.community_id : 0;
	s->limit = (int)limit;
	s->page = (int)page;
	s->queued_ns = uv_hrtime();
	s->deadline_ms = s->queued_ns / 1000000 + SEARCH_TIMEOUT_MS;
	if ((rc = uv_queue_work(srv->loop, &s->req, search_work,
	    search_done)) != 0) {
		free(s->match);
		free(s);
		return call_fail(x, ERR_UNAVAILABLE, "search unavailable: %s",
		    uv_strerror(rc));
	}
	conn_hold(x->conn);
	rate_running(x->conn, 1);
	s->next = inflight;
	if (inflight != NULL)
		inflight->prev = s;
	inflight = s;
	inflight_len++;
	return 1;
}

const struct op op_search_table[] = {
	{ "search.query", OP_MEMBER | OP_GUEST | OP_ASYNC, op_search_query,
	    "Search thread titles, posts, profiles and library documents you "
	    "may read {q, kind?, "
	    "community?, limit?, page?}; ranked, with highlighted snippets.",
	    RATE_SEARCH, ARGS(ARG_STR("q", ARG_REQ, SEARCH_Q_MAX),
	    ARG_STR("kind", ARG_OPT, 16), ARG_STR("community", ARG_OPT, 64),
	    ARG_INT("limit", ARG_OPT, 1, SEARCH_LIMIT_MAX),
	    ARG_INT("page", ARG_OPT, 1, SEARCH_PAGES_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
