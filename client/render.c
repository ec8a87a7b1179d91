/*
 * render.c: CommonMark posts turned into wrapped screen lines. libcmark
 * parses; we walk the nodes, gather each block's inline text with a style
 * byte per byte, then wrap it at word boundaries using the one width
 * function (utf8_cpwidth). Links are shown as text followed by the address.
 * No line is wider than the width asked for (2 at least: one wide
 * character); nesting too deep for it loses its innermost bars and bullets.
 * Nothing here knows about curses, so it is unit-tested and fuzzed.
 */
#include <stdio.h>
#include <string.h>

#include <cmark.h>

#include "common.h"
#include "client.h"

/* The title of a linked document, NULL if unknown (libknow.c sets it). */
const char *(*render_doc_title)(long long id);

void
rdoc_init(struct rdoc *d)
{
	memset(d, 0, sizeof *d);
}

void
rdoc_free(struct rdoc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->lines[i].text);
		free(d->lines[i].style);
	}
	free(d->lines);
	memset(d, 0, sizeof *d);
}

static struct rline *
rdoc_new(struct rdoc *d)
{
	struct rline *l;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->lines = xrealloc(d->lines, d->cap * sizeof *d->lines);
	}
	l = &d->lines[d->n++];
	memset(l, 0, sizeof *l);
	return l;
}

/* Length of the next code point (1 for a bad byte) and its width. */
static size_t
cp_next(const char *s, size_t len, int *w, bool *bad)
{
	uint32_t cp;
	size_t n = utf8_decode(s, len, &cp);

	*bad = false;
	if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
		*bad = true;
		*w = 1;
		return n == 0 ? 1 : n;
	}
	*w = utf8_cpwidth(cp);
	return n;
}

char *
text_clean(const char *s, size_t len)
{
	struct buf b;
	size_t i = 0, n;
	int w;
	bool bad;

	buf_init(&b);
	while (i < len) {
		n = cp_next(s + i, len - i, &w, &bad);
		if (bad)
			buf_append(&b, "?", 1);
		else
			buf_append(&b, s + i, n);
		i += n;
	}
	buf_append(&b, "", 1);
	return b.data;
}

size_t
text_fit(const char *s, size_t len, int cols)
{
	size_t i = 0, n;
	int w, used = 0;
	bool bad;

	while (i < len) {
		n = cp_next(s + i, len - i, &w, &bad);
		if (used + w > cols)
			break;
		used += w;
		i += n;
	}
	return i;
}

/* A growing run of text with a style per byte. */
struct para {
	char *text;
	uint8_t *style;
	size_t len, cap;
};

static void
para_add(struct para *p, const char *s, size_t len, uint8_t style)
{
	size_t i = 0, n;
	int w;
	bool bad;

	while (i < len) {
		n = cp_next(s + i, len - i, &w, &bad);
		if (p->len + n + 1 > p->cap) {
			p->cap = (p->len + n + 1) * 2;
			p->text = xrealloc(p->text, p->cap);
			p->style = xrealloc(p->style, p->cap);
		}
		if (bad && s[i] == '\n') {
			p->text[p->len] = '\n'; /* a hard line break */
			p->style[p->len++] = style;
		} else if (bad) {
			p->text[p->len] = s[i] == '\t' ? ' ' : '?';
			p->style[p->len++] = style;
		} else {
			memcpy(p->text + p->len, s + i, n);
			memset(p->style + p->len, style, n);
			p->len += n;
		}
		i += n;
	}
}

/* Append bytes already cleaned, with their styles plus extra. */
static void
para_raw(struct para *p, const char *s, const uint8_t *st, size_t len,
    uint8_t extra)
{
	if (p->len + len + 1 > p->cap) {
		p->cap = (p->len + len + 1) * 2;
		p->text = xrealloc(p->text, p->cap);
		p->style = xrealloc(p->style, p->cap);
	}
	memcpy(p->text + p->len, s, len);
	for (size_t k = 0; k < len; k++)
		p->style[p->len + k] = st[k] | extra;
	p->len += len;
}

/* Prefixes of nested blocks (quotes, list items, code). */
struct prefix {
	char first[24]; /* on the block's first line */
	char rest[24];  /* on its other lines */
	uint8_t style;
	bool used;
};

struct rstate {
	struct rdoc *d;
	int width;
	struct para p;
	uint8_t inl; /* current inline style */
	struct prefix pre[32];
	int npre;
	int pre_over; /* prefixes past the 32 kept, still to be popped */
	int list_no[32]; /* next number per nested ordered list */
	bool ordered[32]; /* numbers, not bullets */
	int nlist;
	int list_over; /* lists past the 32 kept */
	bool tight[32];
	bool blank_pending;
};

/*
 * How many of the prefixes are drawn: together they take at most half the
 * width, so the text keeps room and no line is wider than asked; deeper
 * ones are left out. A prefix's first and rest are equally wide.
 */
static int
prefixes_shown(const struct rstate *r)
{
	int i, w = 0;

	for (i = 0; i < r->npre; i++) {
		w += utf8_width(r->pre[i].first, strlen(r->pre[i].first));
		if (w > r->width / 2)
			break;
	}
	return i;
}

/* Start a line holding the current prefixes; returns its width. */
static int
line_start(struct rstate *r, struct rline *l, struct para *lp)
{
	int w = 0, shown = prefixes_shown(r);

	(void)l;
	for (int i = 0; i < r->npre; i++) {
		struct prefix *x = &r->pre[i];
		const char *s = x->used ? x->rest : x->first;
		if (i < shown) {
			para_add(lp, s, strlen(s), x->style);
			w += utf8_width(s, strlen(s));
		}
		x->used = true;
	}
	return w;
}

/* Move a finished line buffer into the document. */
static void
line_emit(struct rstate *r, struct para *lp)
{
	struct rline *l = rdoc_new(r->d);

	l->text = xmalloc(lp->len + 1);
	l->style = xmalloc(lp->len + 1);
	if (lp->len > 0) {
		memcpy(l->text, lp->text, lp->len);
		memcpy(l->style, lp->style, lp->len);
	}
	l->text[lp->len] = '\0';
	l->style[lp->len] = 0;
	l->len = lp->len;
	l->width = utf8_width(l->text, l->len);
	lp->len = 0;
}

static void
blank_line(struct rstate *r)
{
	struct para lp = { 0 };
	int shown = prefixes_shown(r);

	/* a blank line between blocks keeps quote bars but not bullets */
	for (int i = 0; i < shown; i++) {
		struct prefix *x = &r->pre[i];
		const char *s = x->used ? x->rest : x->first;
		size_t n = strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		para_add(&lp, s, n, x->style);
	}
	if (lp.len == 0)
		para_add(&lp, "", 0, 0);
	line_emit(r, &lp);
	free(lp.text);
	free(lp.style);
}

/*
 * Wrap the gathered paragraph to the width, breaking after spaces where
 * possible and inside a word only when one is longer than a line.
 * hard: cut long lines without looking for spaces (code blocks).
 */
static void
flush_para(struct rstate *r, uint8_t extra, bool hard)
{
	struct para *p = &r->p, lp = { 0 };
	size_t i = 0, start, brk, end, n;
	int w, used, avail, prew;
	bool bad, wrapped = false;

	if (r->blank_pending) {
		blank_line(r);
		r->blank_pending = false;
	}
	do {
		/* at least half the width, and never less than 2 columns */
		prew = line_start(r, NULL, &lp);
		avail = r->width - prew;
		/* skip spaces at a wrapped line's start */
		if (!hard && wrapped)
			while (i < p->len && p->text[i] == ' ')
				i++;
		start = i;
		brk = 0;
		used = 0;
		while (i < p->len && p->text[i] != '\n') {
			n = cp_next(p->text + i, p->len - i, &w, &bad);
			if (used + w > avail)
				break;
			used += w;
			i += n;
			if (p->text[i - 1] == ' ')
				brk = i;
		}
		if (i < p->len && p->text[i] != '\n' && brk > start && !hard)
			i = brk;
		/* not even one character fits: take one anyway */
		if (i == start && i < p->len && p->text[i] != '\n')
			i += cp_next(p->text + i, p->len - i, &w, &bad);
		end = i;
		while (!hard && end > start && p->text[end - 1] == ' ')
			end--;
		/* an empty paragraph may have no text buffer at all */
		if (end > start)
			para_raw(&lp, p->text + start, p->style + start,
			    end - start, extra);
		line_emit(r, &lp);
		wrapped = true;
		if (i < p->len && p->text[i] == '\n') {
			i++;
			wrapped = false;
		}
	} while (i < p->len);
	free(lp.text);
	free(lp.style);
	p->len = 0;
}

/*
 * Prefixes nest with the blocks; past 32 levels they are only counted, so
 * that every pop still matches its push. False if not kept.
 */
static bool
push_prefix(struct rstate *r, const char *first, const char *rest,
    uint8_t style)
{
	struct prefix *x;

	if (r->npre >= 32) {
		r->pre_over++;
		return false;
	}
	x = &r->pre[r->npre++];
	snprintf(x->first, sizeof x->first, "%s", first);
	snprintf(x->rest, sizeof x->rest, "%s", rest);
	x->style = style;
	x->used = false;
	return true;
}

static void
pop_prefix(struct rstate *r)
{
	if (r->pre_over > 0)
		r->pre_over--;
	else if (r->npre > 0)
		r->npre--;
}

/* Between blocks: a blank line, except inside tight lists. */
static void
block_done(struct rstate *r, cmark_node *node)
{
	cmark_node *parent = cmark_node_parent(node);

	if (parent != NULL && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
	    r->nlist > 0 && r->tight[r->nlist - 1])
		return;
	if (cmark_node_next(node) != NULL || (parent != NULL &&
	    cmark_node_get_type(parent) != CMARK_NODE_DOCUMENT &&
	    cmark_node_next(parent) != NULL))
		r->blank_pending = true;
}

/*
 * Text, where a document link [[doc:ID]] shows as the document's title
 * (render_doc_title), or "document ID" until it is known, as a link.
 */
static void
text_add(struct rstate *r, const char *s)
{
	const char *p = s, *q, *title;
	char label[64];
	long long id;

	while ((q = strstr(p, "[[doc:")) != NULL) {
		const char *e = q + 6;

		id = 0;
		while (*e >= '0' && *e <= '9' && id < 100000000000000LL)
			id = id * 10 + (*e++ - '0');
		if (id <= 0 || e == q + 6 || e[0] != ']' || e[1] != ']') {
			para_add(&r->p, p, (size_t)(q + 6 - p), r->inl);
			p = q + 6;
			continue;
		}
		para_add(&r->p, p, (size_t)(q - p), r->inl);
		title = render_doc_title != NULL ? render_doc_title(id) : NULL;
		if (title == NULL || title[0] == '\0') {
			snprintf(label, sizeof label, "document %lld", id);
			title = label;
		}
		para_add(&r->p, "[", 1, r->inl | ST_DIM);
		para_add(&r->p, title, strlen(title), r->inl | ST_LINK);
		para_add(&r->p, "]", 1, r->inl | ST_DIM);
		p = e + 2;
	}
	para_add(&r->p, p, strlen(p), r->inl);
}

static void
walk_enter(struct rstate *r, cmark_node *node)
{
	const char *lit;
	char num[24];
	cmark_node_type type = cmark_node_get_type(node);

	/* a gap owed to the block before goes out with the old prefixes */
	if (r->blank_pending && type >= CMARK_NODE_FIRST_BLOCK &&
	    type <= CMARK_NODE_LAST_BLOCK && type != CMARK_NODE_DOCUMENT) {
		if (r->p.len > 0)
			flush_para(r, 0, false);
		blank_line(r);
		r->blank_pending = false;
	}
	switch (type) {
	case CMARK_NODE_BLOCK_QUOTE:
		if (r->p.len > 0)
			flush_para(r, 0, false);
		push_prefix(r, "│ ", "│ ", ST_QUOTE);
		break;
	case CMARK_NODE_LIST:
		if (r->p.len > 0)
			flush_para(r, 0, false);
		if (r->nlist < 32) {
			r->ordered[r->nlist] = cmark_node_get_list_type(node) ==
			    CMARK_ORDERED_LIST;
			r->list_no[r->nlist] = cmark_node_get_list_start(node);
			r->tight[r->nlist] = cmark_node_get_list_tight(node);
			r->nlist++;
		} else
			r->list_over++;
		break;
	case CMARK_NODE_ITEM:
		if (r->p.len > 0)
			flush_para(r, 0, false);
		if (r->list_over == 0 && r->nlist > 0 &&
		    r->ordered[r->nlist - 1]) {
			snprintf(num, sizeof num, "%d. ",
			    r->list_no[r->nlist - 1]++ % 100000);
			/* continuation lines line up under the text */
			if (push_prefix(r, num, "", 0)) {
				memset(r->pre[r->npre - 1].rest, ' ',
				    strlen(num));
				r->pre[r->npre - 1].rest[strlen(num)] = '\0';
			}
		} else
			push_prefix(r, "• ", "  ", 0);
		break;
	case CMARK_NODE_CODE_BLOCK:
		if (r->p.len > 0)
			flush_para(r, 0, false);
		lit = cmark_node_get_literal(node);
		if (lit == NULL)
			lit = "";
		push_prefix(r, "  ", "  ", 0);
		{
			size_t n = strlen(lit);
			if (n > 0 && lit[n - 1] == '\n')
				n--;
			para_add(&r->p, lit, n, ST_CODE);
		}
		flush_para(r, 0, true);
		pop_prefix(r);
		block_done(r, node);
		break;
	case CMARK_NODE_HTML_BLOCK:
		lit = cmark_node_get_literal(node);
		if (lit != NULL) {
			size_t n = strlen(lit);
			while (n > 0 && lit[n - 1] == '\n')
				n--;
			para_add(&r->p, lit, n, ST_DIM);
		}
		flush_para(r, 0, true);
		block_done(r, node);
		break;
	case CMARK_NODE_THEMATIC_BREAK: {
		struct para lp = { 0 };
		int w, avail;
		if (r->blank_pending) {
			blank_line(r);
			r->blank_pending = false;
		}
		w = line_start(r, NULL, &lp);
		avail = r->width - w;
		for (int i = 0; i < avail && i < 200; i++)
			para_add(&lp, "─", strlen("─"), ST_DIM);
		line_emit(r, &lp);
		free(lp.text);
		free(lp.style);
		block_done(r, node);
		break;
	}
	case CMARK_NODE_TEXT:
		lit = cmark_node_get_literal(node);
		if (lit != NULL)
			text_add(r, lit);
		break;
	case CMARK_NODE_CODE:
		lit = cmark_node_get_literal(node);
		if (lit != NULL)
			para_add(&r->p, lit, strlen(lit), r->inl | ST_CODE);
		break;
	case CMARK_NODE_HTML_INLINE:
		lit = cmark_node_get_literal(node);
		if (lit != NULL)
			para_add(&r->p, lit, strlen(lit), r->inl | ST_DIM);
		break;
	case CMARK_NODE_SOFTBREAK:
		/* One Enter between two lines keeps them apart, as the
		 * member typed them (Discourse does the same). */
		para_add(&r->p, "\n", 1, r->inl);
		break;
	case CMARK_NODE_LINEBREAK:
		para_add(&r->p, "\n", 1, r->inl);
		break;
	case CMARK_NODE_EMPH:
		r->inl |= ST_ITALIC;
		break;
	case CMARK_NODE_STRONG:
		r->inl |= ST_BOLD;
		break;
	case CMARK_NODE_LINK:
		r->inl |= ST_LINK;
		break;
	case CMARK_NODE_IMAGE:
		para_add(&r->p, "[image: ", 8, r->inl | ST_DIM);
		break;
	default:
		break;
	}
}

/* Recompute the inline style from the node's ancestors. */
static uint8_t
inline_style(cmark_node *node)
{
	uint8_t s = 0;

	for (; node != NULL; node = cmark_node_parent(node)) {
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_EMPH:
			s |= ST_ITALIC;
			break;
		case CMARK_NODE_STRONG:
			s |= ST_BOLD;
			break;
		case CMARK_NODE_LINK:
			s |= ST_LINK;
			break;
		default:
			break;
		}
	}
	return s;
}

static void
walk_exit(struct rstate *r, cmark_node *node)
{
	const char *url;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		flush_para(r, 0, false);
		block_done(r, node);
		break;
	case CMARK_NODE_HEADING:
		flush_para(r, ST_HEAD | ST_BOLD, false);
		block_done(r, node);
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		if (r->p.len > 0)
			flush_para(r, 0, false);
		pop_prefix(r);
		block_done(r, node);
		break;
	case CMARK_NODE_ITEM:
		if (r->p.len > 0)
			flush_para(r, 0, false);
		pop_prefix(r);
		break;
	case CMARK_NODE_LIST:
		if (r->list_over > 0)
			r->list_over--;
		else if (r->nlist > 0)
			r->nlist--;
		block_done(r, node);
		break;
	case CMARK_NODE_EMPH:
	case CMARK_NODE_STRONG:
	case CMARK_NODE_LINK:
		r->inl = inline_style(cmark_node_parent(node));
		if (cmark_node_get_type(node) == CMARK_NODE_LINK) {
			url = cmark_node_get_url(node);
			if (url != NULL && *url != '\0') {
				para_add(&r->p, " <", 2, ST_DIM);
				para_add(&r->p, url, strlen(url), ST_DIM |
				    ST_LINK);
				para_add(&r->p, ">", 1, ST_DIM);
			}
		}
		break;
	case CMARK_NODE_IMAGE:
		para_add(&r->p, "]", 1, r->inl | ST_DIM);
		url = cmark_node_get_url(node);
		if (url != NULL && *url != '\0') {
			para_add(&r->p, " <", 2, ST_DIM);
			para_add(&r->p, url, strlen(url), ST_DIM | ST_LINK);
			para_add(&r->p, ">", 1, ST_DIM);
		}
		break;
	default:
		break;
	}
}

void
render_markdown(struct rdoc *d, const char *md, size_t len, int width)
{
	struct rstate r;
	cmark_node *doc, *node;
	cmark_iter *it;
	cmark_event_type ev;

	memset(&r, 0, sizeof r);
	r.d = d;
	r.width = width < 2 ? 2 : width; /* room for one wide character */
	doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT);
	cmark_consolidate_text_nodes(doc); /* "[[doc:1]]" is one text */
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER)
			walk_enter(&r, node);
		else if (ev == CMARK_EVENT_EXIT)
			walk_exit(&r, node);
	}
	if (r.p.len > 0)
		flush_para(&r, 0, false);
	cmark_iter_free(it);
	cmark_node_free(doc);
	free(r.p.text);
	free(r.p.style);
}

void
rdoc_add(struct rdoc *d, const char *text, uint8_t style, int width)
{
	struct rline *l = rdoc_new(d);
	char *c = text_clean(text, strlen(text));
	size_t n = text_fit(c, strlen(c), width);

	l->text = xstrndup(c, n);
	l->len = n;
	l->style = xmalloc(n + 1);
	memset(l->style, style, n + 1);
	l->width = utf8_width(l->text, n);
	free(c);
}
