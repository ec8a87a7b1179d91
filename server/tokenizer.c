/*
 * tokenizer.c: the FTS5 tokenizer "hearth" that the full-text tables
 * (threads_fts, posts_fts, profiles_fts) are declared with. Outside Han,
 * Kana and Hangul it is FTS5's unicode61, created with the same arguments
 * ("remove_diacritics 2"), so other text is split and folded exactly as
 * before. A run of Han, Kana or Hangul letters, which has no spaces between
 * its words, becomes its overlapping bigrams ("在伦敦做" -> 在伦 伦敦 敦做),
 * so any two-character word in it is found; a run of one character is that
 * character. In documents the run's last character is indexed too, at the
 * place of the last bigram (FTS5_TOKEN_COLOCATED: it neither moves the
 * positions nor counts in a row's length), so a single character typed as
 * the last, prefix word finds the runs that end with it as well. A query's
 * run of several characters is its bigrams, which FTS5 matches as a phrase.
 *
 * Registered on every SQLite connection the process opens, the read-only
 * search readers and hearthctl's included (tokenizer_auto, called by
 * db_open and db_open_existing). Built a second time as the loadable
 * SQLite extension hearth-fts.so (TOKENIZER_LOADABLE) for the sqlite3 shell
 * and the tests' own connections: a connection without it cannot read or
 * write those tables ("no such tokenizer: hearth") instead of indexing
 * text differently.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef TOKENIZER_LOADABLE
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#else
#include <sqlite3.h>
#include "server.h"
#endif

#define TOKENIZER_NAME "hearth"
#define TOKENIZER_BASE "unicode61"

/* One instance: the unicode61 instance it wraps. */
struct tok {
	fts5_tokenizer base;
	Fts5Tokenizer *inner;
};

/* The caller's callback, and where the piece handed to unicode61 starts. */
struct piece {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
	int shift;
};

/* Whether code point c is a Han, Kana or Hangul letter. */
static bool
tok_cjk(long c)
{
	if (c < 0x1100)
		return false;
	return (c >= 0x1100 && c <= 0x11ff) ||	/* Hangul Jamo */
	    (c >= 0x2e80 && c <= 0x2fdf) ||	/* CJK and Kangxi radicals */
	    (c >= 0x3005 && c <= 0x3007) ||	/* 々 〆 〇 */
	    (c >= 0x3021 && c <= 0x3029) ||	/* Hangzhou numerals */
	    (c >= 0x3031 && c <= 0x3035) ||	/* kana repeat marks */
	    (c >= 0x3038 && c <= 0x303c) ||
	    (c >= 0x3041 && c <= 0x309f) ||	/* Hiragana */
	    (c >= 0x30a1 && c <= 0x30fa) ||	/* Katakana (not ・) */
	    (c >= 0x30fc && c <= 0x30ff) ||
	    (c >= 0x3131 && c <= 0x318e) ||	/* Hangul compatibility Jamo */
	    (c >= 0x31f0 && c <= 0x31ff) ||	/* Katakana extensions */
	    (c >= 0x3400 && c <= 0x4dbf) ||	/* Han extension A */
	    (c >= 0x4e00 && c <= 0x9fff) ||	/* Han */
	    (c >= 0xa960 && c <= 0xa97f) ||	/* Hangul Jamo extended A */
	    (c >= 0xac00 && c <= 0xd7ff) ||	/* Hangul syllables, Jamo B */
	    (c >= 0xf900 && c <= 0xfaff) ||	/* Han compatibility */
	    (c >= 0xff66 && c <= 0xff9f) ||	/* halfwidth Katakana */
	    (c >= 0xffa0 && c <= 0xffdc) ||	/* halfwidth Hangul */
	    (c >= 0x1b000 && c <= 0x1b16f) ||	/* Kana supplement */
	    (c >= 0x20000 && c <= 0x3ffff);	/* Han extensions B-H */
}

/*
 * The code point at s[i] (n bytes in all) and its length in *len; -1 (and
 * *len 1) for a byte that does not start valid UTF-8.
 */
static long
tok_decode(const unsigned char *s, int i, int n, int *len)
{
	unsigned char b = s[i];
	long c;
	int k;

	*len = 1;
	if (b < 0x80)
		return b;
	if (b >= 0xc2 && b <= 0xdf)
		k = 1, c = b & 0x1f;
	else if (b >= 0xe0 && b <= 0xef)
		k = 2, c = b & 0x0f;
	else if (b >= 0xf0 && b <= 0xf4)
		k = 3, c = b & 0x07;
	else
		return -1;
	if (i + k >= n)
		return -1;
	for (int j = 1; j <= k; j++) {
		if ((s[i + j] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (s[i + j] & 0x3f);
	}
	if ((k == 2 && c < 0x800) || (k == 3 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*len = k + 1;
	return c;
}

/* unicode61's callback for a piece of the text: offsets made whole-text. */
static int
tok_piece_token(void *arg, int flags, const char *t, int n, int start,
    int end)
{
	struct piece *p = arg;

	return p->token(p->ctx, flags, t, n, start + p->shift,
	    end + p->shift);
}

/* Hand text[from, to) to unicode61. */
static int
tok_plain(struct tok *t, struct piece *p, int flags, const char *text,
    int from, int to)
{
	if (to <= from)
		return SQLITE_OK;
	p->shift = from;
	return t->base.xTokenize(t->inner, p, flags, text + from, to - from,
	    tok_piece_token);
}

/*
 * A run of n CJK characters starting at text[from]; off[i] is where
 * character i starts, off[n] where the run ends.
 */
static int
tok_run(struct piece *p, int flags, const char *text, const int *off, int n)
{
	int rc = SQLITE_OK;

	if (n == 1)
		return p->token(p->ctx, 0, text + off[0], off[1] - off[0],
		    off[0], off[1]);
	for (int i = 0; i + 1 < n && rc == SQLITE_OK; i++)
		rc = p->token(p->ctx, 0, text + off[i], off[i + 2] - off[i],
		    off[i], off[i + 2]);
	if (rc == SQLITE_OK && !(flags & FTS5_TOKENIZE_QUERY))
		rc = p->token(p->ctx, FTS5_TOKEN_COLOCATED, text + off[n - 1],
		    off[n] - off[n - 1], off[n - 1], off[n]);
	return rc;
}

static int
tok_tokenize(Fts5Tokenizer *self, void *ctx, int flags, const char *text,
    int n, int (*token)(void *, int, const char *, int, int, int))
{
	struct tok *t = (struct tok *)self;
	const unsigned char *s = (const unsigned char *)text;
	struct piece p = { ctx, token, 0 };
	int i, len, plain = 0, run, cap = 0, *off = NULL, rc = SQLITE_OK;
	long c;

	/* every letter of the three scripts is U+1100 or above: 0xe1.. */
	for (i = 0; i < n && s[i] < 0xe1; i++)
		;
	if (i == n)
		return t->base.xTokenize(t->inner, ctx, flags, text, n, token);
	for (i = 0; i < n && rc == SQLITE_OK;) {
		c = tok_decode(s, i, n, &len);
		if (!tok_cjk(c)) {
			i += len;
			continue;
		}
		if ((rc = tok_plain(t, &p, flags, text, plain, i)) != SQLITE_OK)
			break;
		for (run = 0; i < n; run++) {
			if (run + 2 > cap) {
				int *grown;

				cap = cap > 0 ? 2 * cap : 64;
				grown = sqlite3_realloc(off, cap *
				    (int)sizeof *off);
				if (grown == NULL) {
					rc = SQLITE_NOMEM;
					break;
				}
				off = grown;
			}
			off[run] = i;
			c = tok_decode(s, i, n, &len);
			if (!tok_cjk(c))
				break;
			i += len;
		}
		if (rc != SQLITE_OK)
			break;
		off[run] = i;
		rc = tok_run(&p, flags, text, off, run);
		plain = i;
	}
	if (rc == SQLITE_OK)
		rc = tok_plain(t, &p, flags, text, plain, n);
	sqlite3_free(off);
	return rc;
}

/* xCreate: a unicode61 instance with the same arguments, wrapped. */
static int
tok_create(void *api_ptr, const char **argv, int argc, Fts5Tokenizer **out)
{
	fts5_api *api = api_ptr;
	struct tok *t;
	void *ud = NULL;
	int rc;

	*out = NULL;
	if ((t = sqlite3_malloc(sizeof *t)) == NULL)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof *t);
	rc = api->xFindTokenizer(api, TOKENIZER_BASE, &ud, &t->base);
	if (rc == SQLITE_OK)
		rc = t->base.xCreate(ud, argv, argc, &t->inner);
	if (rc != SQLITE_OK) {
		sqlite3_free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
tok_delete(Fts5Tokenizer *self)
{
	struct tok *t = (struct tok *)self;

	if (t == NULL)
		return;
	if (t->inner != NULL)
		t->base.xDelete(t->inner);
	sqlite3_free(t);
}

/* Register the tokenizer on one connection; an SQLite code. */
static int
tok_register(sqlite3 *db)
{
	static fts5_tokenizer methods = { tok_create, tok_delete,
		tok_tokenize };
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL)) !=
	    SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	if ((rc = sqlite3_finalize(st)) != SQLITE_OK)
		return rc;
	if (api == NULL || api->iVersion < 2)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, TOKENIZER_NAME, api, &methods, NULL);
}

#ifdef TOKENIZER_LOADABLE
/* The entry point sqlite3_load_extension finds for hearth-fts.so. */
#ifdef _WIN32
__declspec(dllexport)
#endif
int
sqlite3_hearthfts_init(sqlite3 *db, char **err,
    const sqlite3_api_routines *routines)
{
	SQLITE_EXTENSION_INIT2(routines);
	(void)err;
	return tok_register(db);
}
#else
/* sqlite3_auto_extension's entry: every connection opened from now on. */
static int
tokenizer_entry(sqlite3 *db, char **err,
    const struct sqlite3_api_routines *routines)
{
	(void)err;
	(void)routines;
	return tok_register(db);
}

void
tokenizer_auto(void)
{
	/* the same entry twice is ignored by SQLite */
	sqlite3_auto_extension((void (*)(void))tokenizer_entry);
}
#endif
