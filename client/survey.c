/*
 * survey.c: surveys on screen (docs/tui.md, "Surveys"): the list of those
 * sent to the member and those they manage (Home: S, a community: S), one
 * survey with its actions, the answering screen (a question at a time),
 * the results with bars and, for scales, mean and distribution, and for
 * managers and staff a new survey (a form, then the questions written in
 * the composer, or the ready-made temperature check) and the temperature
 * check's repeating schedule. survey_questions_parse reads the composer's
 * text (no curses: compose.c calls it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* ---- the questions as written in the composer ---- */

/*
 * One question a line: "KIND: prompt | choice | choice", KIND one of
 * single, multiple, scale5, scale10, text, with " optional" after it for
 * an optional question; a line "## Heading" starts a section. Other lines
 * (the examples the composer starts with, "# ...") are ignored. The
 * server checks the result.
 */
json_t *
survey_questions_parse(const char *text)
{
	json_t *qs = json_array(), *q = NULL, *opts;
	char *copy = xstrdup(text), *save = NULL, *line, *colon, *bar, *p;
	char *section = NULL;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ')
			line++;
		if (line[0] == '#' && line[1] != '#')
			continue; /* an example, or a note to oneself */
		if (strncmp(line, "## ", 3) == 0) {
			free(section);
			section = xstrdup(line + 3);
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		q = json_object();
		if ((p = strstr(line, " optional")) != NULL) {
			*p = '\0';
			json_object_set_new(q, "optional", json_true());
		}
		json_object_set_new(q, "kind", json_string(line));
		if (section != NULL) {
			json_object_set_new(q, "section", json_string(section));
			free(section);
			section = NULL;
		}
		p = colon + 1;
		bar = strchr(p, '|');
		if (bar != NULL)
			*bar = '\0';
		while (*p == ' ')
			p++;
		for (char *e = p + strlen(p); e > p && e[-1] == ' '; )
			*--e = '\0';
		json_object_set_new(q, "prompt", json_string(p));
		if (bar != NULL) {
			opts = json_array();
			for (p = bar + 1; p != NULL; ) {
				char *next = strchr(p, '|');

				if (next != NULL)
					*next++ = '\0';
				while (*p == ' ')
					p++;
				for (char *e = p + strlen(p); e > p &&
				    e[-1] == ' '; )
					*--e = '\0';
				if (*p != '\0')
					json_array_append_new(opts,
					    json_string(p));
				p = next;
			}
			json_object_set_new(q, "options", opts);
		}
		json_array_append_new(qs, q);
	}
	free(section);
	free(copy);
	return qs;
}

/* The composer's start: the examples, then the cursor below them. */
static const char example[] =
    "# Examples (lines starting with one # are ignored: copy one without\n"
    "# its # to use it):\n"
    "# ## About the session\n"
    "# single: Was it the right length? | too short | about right | "
    "too long\n"
    "# multiple: What helped? | the hosts | the topic | the people\n"
    "# scale5: How useful was it? (1 not at all, 5 very)\n"
    "# scale10: How likely are you to recommend it? (0-10)\n"
    "# ## Anything else\n"
    "# text optional: What would help?\n"
    "# Write your questions below, one a line:\n";

/* ---- results ---- */

static void
bar_of(char *out, size_t len, long long n, long long total, int width)
{
	int w = total > 0 ? (int)(width * n / total) : 0;
	size_t at = 0;

	out[0] = '\0';
	for (int i = 0; i < w && at + 4 < len; i++) {
		const char *b = health_ascii() ? "#" : "█";

		memcpy(out + at, b, strlen(b));
		at += strlen(b);
	}
	out[at] = '\0';
}

struct results {
	struct view v;
	struct list l;
	json_int_t id;
	bool asked_me; /* the viewer is one of those asked (may answer) */
};

static void
results_got(void *ctx, json_t *result, json_t *error)
{
	struct results *r = ctx;
	json_t *q, *o;
	size_t i, j;
	char line[700], bar[200];
	int width = COLS / 3 > 40 ? 40 : COLS / 3;

	list_clear(&r->l);
	if (error != NULL) {
		list_add(&r->l, err_message(error), NULL, C_ERROR, NULL, false);
		return;
	}
	/* whoever made it is asked too when it went to them: say so */
	snprintf(line, sizeof line, "%s: %lld answer%s of %lld asked%s%s",
	    js(result, "title"), (long long)ji(result, "responses"),
	    ji(result, "responses") == 1 ? "" : "s",
	    (long long)ji(result, "audience_size"), r->asked_me ?
	    ", you were asked too" : "", json_is_true(
	    json_object_get(result, "anonymous")) ? " (anonymous)" : "");
	list_add(&r->l, line, NULL, C_HEAD, NULL, false);
	if (!json_is_true(json_object_get(result, "visible"))) {
		list_add(&r->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&r->l, js(result, "why"), NULL, C_DIM, NULL, false);
		list_fix(&r->l);
		return;
	}
	json_array_foreach(json_object_get(result, "questions"), i, q) {
		const char *kind = js(q, "kind");
		long long n = (long long)ji(q, "answers");

		list_add(&r->l, "", NULL, C_NORMAL, NULL, false);
		snprintf(line, sizeof line, "%zu. %s", i + 1, js(q, "prompt"));
		list_add(&r->l, line, NULL, C_HEAD, NULL, true);
		if (strcmp(kind, "text") == 0) {
			json_array_foreach(json_object_get(q, "texts"), j, o) {
				snprintf(line, sizeof line, "  - %s%s%s%s", js(o,
				    "text"), js(o, "by")[0] ? " (" : "", js(o,
				    "by"), js(o, "by")[0] ? ")" : "");
				list_add(&r->l, line, NULL, C_NORMAL, NULL,
				    true);
			}
			if (json_array_size(json_object_get(q, "texts")) == 0)
				list_add(&r->l, "  (no answers)", NULL, C_DIM,
				    NULL, false);
			continue;
		}
		json_array_foreach(json_object_get(q, strncmp(kind, "scale",
		    5) == 0 ? "distribution" : "options"), j, o) {
			char right[64];

			if (json_is_integer(json_object_get(o, "value")))
				snprintf(line, sizeof line, "  %2lld ",
				    (long long)ji(o, "value"));
			else
				snprintf(line, sizeof line, "  %-24.24s ",
				    js(o, "label"));
			bar_of(bar, sizeof bar, (long long)ji(o, "count"), n,
			    width);
			strncat(line, bar, sizeof line - strlen(line) - 1);
			snprintf(right, sizeof right, "%lld", (long long)ji(o,
			    "count"));
			list_add(&r->l, line, right, C_NORMAL, NULL, false);
		}
		if (json_is_number(json_object_get(q, "mean"))) {
			snprintf(line, sizeof line, "  mean %.1f of %lld "
			    "answer%s", json_number_value(json_object_get(q,
			    "mean")), n, n == 1 ? "" : "s");
			list_add(&r->l, line, NULL, C_OK, NULL, false);
		}
	}
	list_fix(&r->l);
}

static void
results_draw(struct view *v, int rows, int cols)
{
	list_draw(&((struct results *)v)->l, 1, rows, cols);
}

static bool
results_key(struct view *v, int ch, bool is_key)
{
	return list_key(&((struct results *)v)->l, ch, is_key);
}

static void
results_free(struct view *v)
{
	list_free(&((struct results *)v)->l);
	free(v);
}

static struct view *
view_survey_results(json_int_t id, bool asked_me)
{
	struct results *r = xcalloc(1, sizeof *r);

	r->v.title = "Survey results";
	r->v.keys = "Up/Down:scroll";
	r->v.help = "Each question's answers: choices and scales as bars with "
	    "their counts, scales with their mean; free text sorted, never in "
	    "the order it came. An anonymous survey shows results only once "
	    "enough members have answered.";
	r->v.draw = results_draw;
	r->v.key = results_key;
	r->v.free = results_free;
	r->id = id;
	r->asked_me = asked_me;
	list_add(&r->l, "Loading…", NULL, C_DIM, NULL, false);
	net_call("survey.results", json_pack("{s:I}", "survey_id", id), &r->v,
	    results_got, r);
	return &r->v;
}

/* ---- answering ---- */

struct answer {
	struct view v;
	json_t *s; /* survey.get's survey */
	size_t q, nq; /* the question shown; nq: the confirmation */
	json_t **ans; /* per question: an answer object or NULL */
	struct list l; /* the choices or values */
	struct field text;
	bool sending;
	char err[300];
};

static json_t *
question_of(struct answer *a, size_t i)
{
	return json_array_get(json_object_get(a->s, "questions"), i);
}

/* Is choice (or value) k in this question's answer? */
static bool
chosen(struct answer *a, int64_t k)
{
	json_t *x = a->ans[a->q], *c;
	size_t i;

	if (x == NULL)
		return false;
	if (json_is_integer(json_object_get(x, "choice")))
		return ji(x, "choice") == k;
	if (json_is_integer(json_object_get(x, "value")))
		return ji(x, "value") == k;
	json_array_foreach(json_object_get(x, "choices"), i, c)
		if (json_integer_value(c) == k)
			return true;
	return false;
}

/* Build the rows of the question shown. */
static void
answer_fill(struct answer *a)
{
	json_t *q, *o;
	const char *kind;
	size_t i;
	char line[400];

	list_clear(&a->l);
	a->v.typing = false;
	if (a->q >= a->nq)
		return;
	q = question_of(a, a->q);
	kind = js(q, "kind");
	a->v.typing = strcmp(kind, "text") == 0;
	if (a->v.typing) {
		a->text.len = 0;
		a->text.text[0] = '\0';
		if (a->ans[a->q] != NULL) {
			snprintf(a->text.text, sizeof a->text.text, "%s",
			    js(a->ans[a->q], "text"));
			a->text.len = strlen(a->text.text);
		}
		return;
	}
	if (strncmp(kind, "scale", 5) == 0) {
		int lo = strcmp(kind, "scale5") == 0 ? 1 : 0,
		    hi = lo == 1 ? 5 : 10;

		for (int v = lo; v <= hi; v++) {
			json_t *d = json_pack("{s:i}", "k", v);

			snprintf(line, sizeof line, "(%c) %d", chosen(a, v) ?
			    '*' : ' ', v);
			list_add(&a->l, line, NULL, C_NORMAL, d, true);
			json_decref(d);
		}
	} else {
		json_array_foreach(json_object_get(q, "options"), i, o) {
			json_t *d = json_pack("{s:I}", "k", (json_int_t)i);

			snprintf(line, sizeof line, strcmp(kind, "multiple") == 0
			    ? "[%c] %s" : "(%c) %s", chosen(a, (int64_t)i) ? 'x' :
			    ' ', json_string_value(o));
			list_add(&a->l, line, NULL, C_NORMAL, d, true);
			json_decref(d);
		}
	}
	list_fix(&a->l);
}

static void
answer_draw(struct view *v, int rows, int cols)
{
	struct answer *a = (struct answer *)v;
	json_t *q;
	char line[600];
	int y = 1;

	snprintf(line, sizeof line, "%s%s", js(a->s, "title"),
	    json_is_true(json_object_get(a->s, "anonymous")) ?
	    "  (anonymous: kept with no name and no time)" : "");
	put_text(y++, 1, cols - 2, line, C_HEAD, A_BOLD);
	if (json_array_size(json_object_get(a->s, "personas")) > 0) {
		json_t *p;
		size_t i;

		snprintf(line, sizeof line, "For:");
		json_array_foreach(json_object_get(a->s, "personas"), i, p)
			snprintf(line + strlen(line), sizeof line - strlen(line),
			    "%s %s", i ? "," : "", json_string_value(p));
		put_text(y++, 2, cols - 4, line, C_DIM, 0);
	}
	if (a->q >= a->nq) {
		y++;
		put_text(y++, 2, cols - 4, "That is every question. Enter "
		    "sends your answers; Left goes back to change one.",
		    C_NORMAL, 0);
		if (a->err[0] != '\0')
			put_text(y + 1, 2, cols - 4, a->err, C_ERROR, 0);
		return;
	}
	q = question_of(a, a->q);
	if (js(q, "section")[0])
		put_text(y, 2, cols - 4, js(q, "section"), C_TITLE, A_BOLD);
	y++;
	snprintf(line, sizeof line, "Question %zu of %zu%s", a->q + 1, a->nq,
	    json_is_true(json_object_get(q, "optional")) ? " (optional)" : "");
	put_text(y++, 2, cols - 4, line, C_DIM, 0);
	put_text(y++, 2, cols - 4, js(q, "prompt"), C_NORMAL, A_BOLD);
	y++;
	if (a->v.typing)
		field_draw(&a->text, y++, 2, cols - 4, true);
	else
		list_draw(&a->l, y, rows - 2, cols);
	if (a->err[0] != '\0')
		put_text(rows - 1, 2, cols - 4, a->err, C_ERROR, 0);
}

static void
answer_sent(void *ctx, json_t *result, json_t *error)
{
	struct answer *a = ctx;

	a->sending = false;
	if (error != NULL) {
		snprintf(a->err, sizeof a->err, "%s", err_message(error));
		return;
	}
	(void)result;
	ui_flash("Thank you: your answers are in.");
	ui_pop();
}

static void
answer_send(struct answer *a)
{
	json_t *all = json_array();

	if (a->sending)
		return;
	for (size_t i = 0; i < a->nq; i++)
		if (a->ans[i] != NULL)
			json_array_append(all, a->ans[i]);
	a->sending = true;
	a->err[0] = '\0';
	net_call("survey.answer", json_pack("{s:I, s:o}", "survey_id", ji(a->s,
	    "id"), "answers", all), &a->v, answer_sent, a);
}

/* Leave the question shown: keep what was typed, then go to q. */
static void
answer_go(struct answer *a, size_t q)
{
	json_t *qq = question_of(a, a->q);

	if (a->q < a->nq && a->v.typing) {
		json_decref(a->ans[a->q]);
		a->ans[a->q] = a->text.text[strspn(a->text.text, " ")] == '\0' ?
		    NULL : json_pack("{s:I, s:s}", "question", (json_int_t)a->q,
		    "text", a->text.text);
	}
	if (q > a->q && a->q < a->nq && a->ans[a->q] == NULL &&
	    !json_is_true(json_object_get(qq, "optional"))) {
		snprintf(a->err, sizeof a->err, "This question needs an "
		    "answer.");
		return;
	}
	a->err[0] = '\0';
	a->q = q;
	a->l.sel = 0;
	a->l.scroll = 0;
	answer_fill(a);
}

static bool
answer_key(struct view *v, int ch, bool is_key)
{
	struct answer *a = (struct answer *)v;
	json_t *q;
	struct row *r;
	const char *kind;

	if (!is_key && ch == 27) {
		ui_pop();
		return true;
	}
	if (a->q >= a->nq) {
		if (ENTER(ch, is_key) || (!is_key && ch == KEY_CTRL('s')))
			answer_send(a);
		else if (is_key && (ch == KEY_LEFT || ch == KEY_UP) && a->nq > 0)
			answer_go(a, a->nq - 1);
		return true;
	}
	q = question_of(a, a->q);
	kind = js(q, "kind");
	if (a->v.typing) {
		if (ENTER(ch, is_key) || (!is_key && ch == '\t'))
			answer_go(a, a->q + 1);
		else if (is_key && ch == KEY_UP && a->q > 0)
			answer_go(a, a->q - 1);
		else
			field_key(&a->text, ch, is_key);
		return true;
	}
	if (is_key && ch == KEY_LEFT) {
		if (a->q > 0)
			answer_go(a, a->q - 1);
		return true;
	}
	if ((is_key && ch == KEY_RIGHT) || (!is_key && ch == '\t')) {
		answer_go(a, a->q + 1);
		return true;
	}
	if ((ENTER(ch, is_key) || (!is_key && ch == ' ')) &&
	    (r = list_cur(&a->l)) != NULL) {
		json_int_t k = ji(r->data, "k");
		int sel = a->l.sel;

		if (strcmp(kind, "multiple") == 0) {
			json_t *c = a->ans[a->q] != NULL ? json_deep_copy(
			    json_object_get(a->ans[a->q], "choices")) :
			    json_array(), *e;
			size_t i;
			bool had = false;

			if (!(ENTER(ch, is_key) && chosen(a, k))) {
				json_array_foreach(c, i, e)
					if (json_integer_value(e) == k) {
						json_array_remove(c, i);
						had = true;
						break;
					}
				if (!had)
					json_array_append_new(c,
					    json_integer(k));
			}
			json_decref(a->ans[a->q]);
			a->ans[a->q] = json_array_size(c) == 0 ? NULL :
			    json_pack("{s:I, s:O}", "question",
			    (json_int_t)a->q, "choices", c);
			json_decref(c);
			if (ENTER(ch, is_key) && a->ans[a->q] != NULL) {
				answer_go(a, a->q + 1);
				return true;
			}
		} else {
			json_decref(a->ans[a->q]);
			a->ans[a->q] = json_pack("{s:I, s:I}", "question",
			    (json_int_t)a->q, strcmp(kind, "single") == 0 ?
			    "choice" : "value", k);
			if (ENTER(ch, is_key)) {
				answer_go(a, a->q + 1);
				return true;
			}
		}
		answer_fill(a);
		a->l.sel = sel;
		return true;
	}
	list_key(&a->l, ch, is_key);
	return true; /* answering takes every key */
}

static void
answer_free(struct view *v)
{
	struct answer *a = (struct answer *)v;

	for (size_t i = 0; i < a->nq; i++)
		json_decref(a->ans[i]);
	free(a->ans);
	list_free(&a->l);
	json_decref(a->s);
	free(a);
}

static struct view *
view_survey_answer(json_t *survey)
{
	struct answer *a = xcalloc(1, sizeof *a);

	a->v.title = "Answer the survey";
	a->v.keys = "Enter:choose, next  Space:mark  Left/Right:question  "
	    "Esc:leave";
	a->v.help = "One question at a time. **Up/Down** move among the "
	    "choices; **Enter** chooses and goes on (on a several-choice "
	    "question **Space** marks each one, **Enter** goes on). "
	    "**Left** and **Right** go back and forward; an optional question "
	    "may be left empty. Free text: type, **Enter** goes on, **Up** "
	    "goes back. After the last question **Enter** sends; nothing is "
	    "sent before. **Esc** leaves without sending.";
	a->v.draw = answer_draw;
	a->v.key = answer_key;
	a->v.free = answer_free;
	a->s = json_incref(survey);
	a->nq = json_array_size(json_object_get(survey, "questions"));
	a->ans = xcalloc(a->nq + 1, sizeof *a->ans);
	a->text.label = "Your answer";
	answer_fill(a);
	return &a->v;
}

/* ---- one survey ---- */

struct one {
	struct view v;
	json_int_t id;
	json_t *s;
	struct rdoc d;
	char msg[300];
	char keys[80]; /* the footer, once the survey says what we may */
};

static void one_load(struct one *);

static void
one_got(void *ctx, json_t *result, json_t *error)
{
	struct one *o = ctx;
	json_t *s, *q;
	size_t i;
	struct buf b;
	char when[32];

	rdoc_free(&o->d);
	rdoc_init(&o->d);
	if (error != NULL) {
		snprintf(o->msg, sizeof o->msg, "%s", err_message(error));
		return;
	}
	o->msg[0] = '\0';
	json_decref(o->s);
	o->s = s = json_incref(jobj(result, "survey"));
	/* the footer: only what this member may do with it */
	snprintf(o->keys, sizeof o->keys, "%s%s%s", json_is_true(
	    json_object_get(s, "can_answer")) ? "a:answer  " : "",
	    json_is_true(json_object_get(s, "can_manage")) || strcmp(js(s,
	    "status"), "open") != 0 ? "r:results  " : "", json_is_true(
	    json_object_get(s, "can_manage")) ? "C:close  m:remind" : "");
	o->v.keys = o->keys;
	buf_init(&b);
	buf_printf(&b, "# %s\n\n", js(s, "title"));
	short_time(js(s, "closes_at"), when);
	buf_printf(&b, "*%s%s%s*, %lld answer%s%s%s%s.\n\n", js(s, "status"),
	    js(s, "closes_at")[0] ? ", closes " : "", js(s, "closes_at")[0] ?
	    when : "", (long long)ji(s, "responses"), ji(s, "responses") == 1 ?
	    "" : "s", json_is_true(json_object_get(s, "anonymous")) ?
	    ", anonymous (answers kept with no name and no time)" : "",
	    js(s, "community")[0] ? ", in " : "", js(s, "community_name"));
	if (js(s, "intro")[0])
		buf_printf(&b, "%s\n\n", js(s, "intro"));
	if (json_is_true(json_object_get(s, "can_answer")))
		buf_puts(&b, "**a** answers it.\n\n");
	else if (json_is_true(json_object_get(s, "answered")))
		buf_puts(&b, "You have answered it. Thank you.\n\n");
	json_array_foreach(json_object_get(s, "questions"), i, q) {
		if (js(q, "section")[0])
			buf_printf(&b, "## %s\n\n", js(q, "section"));
		buf_printf(&b, "%zu. %s (%s%s)\n\n", i + 1, js(q, "prompt"),
		    js(q, "kind"), json_is_true(json_object_get(q,
		    "optional")) ? ", optional" : "");
	}
	buf_append(&b, "", 1);
	render_markdown(&o->d, b.data, strlen(b.data), COLS - 4);
	buf_free(&b);
}

static void
one_draw(struct view *v, int rows, int cols)
{
	struct one *o = (struct one *)v;

	if (o->msg[0] != '\0') {
		put_text(1, 2, cols - 4, o->msg, C_DIM, 0);
		return;
	}
	for (size_t i = 0; i < o->d.n && (int)i + 1 < rows; i++)
		put_rline((int)i + 1, 2, cols - 4, &o->d.lines[i]);
}

static bool
one_key(struct view *v, int ch, bool is_key)
{
	struct one *o = (struct one *)v;
	bool manage = json_is_true(json_object_get(o->s, "can_manage"));

	if (is_key || o->s == NULL)
		return false;
	if (ch == 'a' && json_is_true(json_object_get(o->s, "can_answer"))) {
		ui_push(view_survey_answer(o->s));
		return true;
	}
	if (ch == 'r') {
		ui_push(view_survey_results(o->id, json_is_true(
		    json_object_get(o->s, "can_answer")) || json_is_true(
		    json_object_get(o->s, "answered"))));
		return true;
	}
	if (ch == 'C' && manage) {
		ui_push(view_confirm("Close this survey now? No more answers "
		    "are taken.", "survey.close", json_pack("{s:I}",
		    "survey_id", o->id), "The survey is closed."));
		return true;
	}
	if (ch == 'm' && manage) {
		ui_push(view_confirm("Remind, once, everyone who has not "
		    "answered yet?", "survey.remind", json_pack("{s:I}",
		    "survey_id", o->id), "Reminded."));
		return true;
	}
	return false;
}

static void
one_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "client.shown") == 0)
		one_load((struct one *)v);
}

static void
one_free(struct view *v)
{
	struct one *o = (struct one *)v;

	rdoc_free(&o->d);
	json_decref(o->s);
	free(o);
}

static void
one_load(struct one *o)
{
	net_call("survey.get", json_pack("{s:I}", "survey_id", o->id), &o->v,
	    one_got, o);
}

struct view *
view_survey(json_int_t id)
{
	struct one *o = xcalloc(1, sizeof *o);

	o->v.title = "Survey";
	o->v.keys = "";
	o->v.help = "**a** answers the survey (once). **r** shows the results "
	    "(members: once it has closed). Whoever made it, the community's "
	    "managers and staff: **C** closes it now, **m** reminds, once, "
	    "those who have not answered.";
	o->v.draw = one_draw;
	o->v.key = one_key;
	o->v.event = one_event;
	o->v.free = one_free;
	o->id = id;
	rdoc_init(&o->d);
	snprintf(o->msg, sizeof o->msg, "Loading…");
	one_load(o);
	return &o->v;
}

/* ---- the list ---- */

struct surveys {
	struct view v;
	struct list l;
	char *slug, *name;
	json_t *list, *schedules;
	char msg[256];
	bool manager; /* may make surveys here (managers, staff) */
	char keys[160]; /* the footer: only keys the viewer may use */
};

/* The list's footer: making and repeating only for those who may. */
static void
surveys_keys(struct surveys *s)
{
	snprintf(s->keys, sizeof s->keys, "Enter:open  %s%sR:reload",
	    s->manager ? "c:new survey  T:repeat the temperature check  " :
	    "", json_array_size(s->schedules) > 0 ? "x:stop one  " : "");
	s->v.keys = s->keys;
}

static void surveys_load(struct surveys *);

static void
surveys_fill(struct surveys *s)
{
	json_t *x;
	size_t i;
	char line[400], right[80], when[32];

	list_clear(&s->l);
	surveys_keys(s);
	if (s->msg[0] != '\0')
		list_add(&s->l, s->msg, NULL, C_DIM, NULL, false);
	json_array_foreach(s->list, i, x) {
		bool mine = json_is_true(json_object_get(x, "can_answer"));

		short_time(js(x, "closes_at"), when);
		snprintf(line, sizeof line, "%s %s%s%s%s%s", mine ? "●" : " ",
		    js(x, "title"), json_is_true(json_object_get(x,
		    "anonymous")) ? " (anonymous)" : "",
		    strcmp(js(x, "status"), "open") == 0 &&
		    js(x, "closes_at")[0] ? " (until " : "", strcmp(js(x,
		    "status"), "open") == 0 && js(x, "closes_at")[0] ? when :
		    "", strcmp(js(x, "status"), "open") == 0 && js(x,
		    "closes_at")[0] ? ")" : "");
		snprintf(right, sizeof right, "%lld answer%s  %s",
		    (long long)ji(x, "responses"), ji(x, "responses") == 1 ?
		    "" : "s", mine ? "to answer" :
		    js(x, "status"));
		list_add(&s->l, line, right, mine ? C_UNREAD : C_NORMAL, x,
		    true);
	}
	if (s->list != NULL && json_array_size(s->list) == 0)
		list_add(&s->l, "  No surveys for you here.", NULL, C_DIM, NULL,
		    false);
	if (json_array_size(s->schedules) > 0) {
		list_add(&s->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&s->l, "Repeating temperature checks (x stops one)",
		    NULL, C_HEAD, NULL, false);
		json_array_foreach(s->schedules, i, x) {
			short_time(js(x, "next_at"), when);
			snprintf(line, sizeof line, "  %s, every %lld days",
			    js(x, "title"), (long long)ji(x, "every_days"));
			snprintf(right, sizeof right, "next %s", when);
			list_add(&s->l, line, right, C_NORMAL, x, true);
		}
	}
	list_fix(&s->l);
}

static void
surveys_got(void *ctx, json_t *result, json_t *error)
{
	struct surveys *s = ctx;

	if (error != NULL)
		snprintf(s->msg, sizeof s->msg, "%s", err_message(error));
	else {
		s->msg[0] = '\0';
		json_decref(s->list);
		s->list = json_incref(jarr(result, "surveys"));
	}
	surveys_fill(s);
}

static void
schedules_got(void *ctx, json_t *result, json_t *error)
{
	struct surveys *s = ctx;

	if (error != NULL)
		return;
	json_decref(s->schedules);
	s->schedules = json_array();
	{
		json_t *x;
		size_t i;

		/* a community's list shows its own schedules */
		json_array_foreach(jarr(result, "schedules"), i, x)
			if (s->slug == NULL || strcmp(js(x, "community"),
			    s->slug) == 0)
				json_array_append(s->schedules, x);
	}
	surveys_fill(s);
}

static void
surveys_load(struct surveys *s)
{
	net_call("survey.list", s->slug ? json_pack("{s:s}", "slug", s->slug) :
	    NULL, &s->v, surveys_got, s);
	net_call("survey.schedules", NULL, &s->v, schedules_got, s);
}

static void
surveys_draw(struct view *v, int rows, int cols)
{
	struct surveys *s = (struct surveys *)v;
	char head[300];

	snprintf(head, sizeof head, "Surveys%s%s", s->name ? " in " : "",
	    s->name ? s->name : "");
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	list_draw(&s->l, 2, rows, cols);
}

static void
created(struct view *v, json_t *result)
{
	if (json_is_integer(json_object_get(result, "min_responses")))
		ui_flash("Survey sent to %lld. It is anonymous: its results "
		    "show only once %lld have answered, which is more than "
		    "its audience.", (long long)ji(result, "audience_size"),
		    (long long)ji(result, "min_responses"));
	else
		ui_flash(strcmp(js(result, "status"), "pending") == 0 ?
		    "Survey made: it is sent when the room closes or the "
		    "event ends." : "Survey sent.");
	surveys_load((struct surveys *)v);
}

static void
created_reply(void *ctx, json_t *result, json_t *error)
{
	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	created(ctx, result);
}

/* The settings form's values: the audience and the rest, then (own
 * questions) the composer or (the temperature check) sent at once. */
json_t *
survey_personas(const char *list)
{
	json_t *a = json_array();
	char buf[600], *tok, *save = NULL;

	snprintf(buf, sizeof buf, "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL && json_array_size(
	    a) < 5; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		for (char *e = tok + strlen(tok); e > tok && e[-1] == ' '; )
			*--e = '\0';
		if (*tok != '\0')
			json_array_append_new(a, json_string(tok));
	}
	return a;
}

static bool
settings_build(json_t *args, const char *const *vals, char *err,
    size_t len)
{
	const char *slug = js(args, "slug");
	json_t *aud;
	char *end;
	long n;

	if (strcmp(vals[0], "this community") == 0) {
		if (slug[0] == '\0') {
			snprintf(err, len, "Open the survey list of a "
			    "community to send to it.");
			return false;
		}
		aud = json_pack("{s:s}", "community", slug);
	} else if (strcmp(vals[0], "the platform") == 0)
		aud = json_pack("{s:b}", "platform", 1);
	else if (strcmp(vals[0], "a band") == 0) {
		aud = json_pack("{s:s}", "band", vals[1]);
		if (slug[0] != '\0')
			json_object_set_new(aud, "community", json_string(slug));
	} else {
		n = strtol(vals[1], &end, 10);
		if (end == vals[1] || n <= 0) {
			snprintf(err, len, "Give the %s's number under "
			    "\"Number or band\".", strcmp(vals[0], "a room's "
			    "attendees") == 0 ? "room" : "event");
			return false;
		}
		aud = json_pack("{s:I}", strcmp(vals[0], "a room's attendees") ==
		    0 ? "room" : "event", (json_int_t)n);
	}
	json_object_del(args, "slug");
	json_object_set_new(args, "audience", aud);
	json_object_set_new(args, "anonymous", json_boolean(strcmp(vals[2],
	    "yes") == 0));
	if (strcmp(vals[3], "the temperature check") == 0)
		json_object_set_new(args, "template", json_string(
		    "temperature"));
	n = strtol(vals[4], &end, 10);
	if (vals[4][0] != '\0' && (end == vals[4] || n < 1 || n > 366)) {
		snprintf(err, len, "Days open: 1 to 366.");
		return false;
	}
	if (vals[4][0] != '\0')
		json_object_set_new(args, "open_days", json_integer(n));
	json_object_set_new(args, "title", json_string(vals[5]));
	if (vals[6][0] != '\0')
		json_object_set_new(args, "personas", survey_personas(vals[6]));
	return true;
}

static void
settings_done(struct view *v, json_t *args)
{
	struct surveys *s = (struct surveys *)v;
	char key[120];

	if (json_is_string(json_object_get(args, "template"))) {
		net_call("survey.create", json_incref(args), v, created_reply,
		    v);
		return;
	}
	snprintf(key, sizeof key, "survey:%s", s->slug ? s->slug : "");
	ui_push(composer_open("New survey: a question a line (KIND: question "
	    "| choice | choice; ## starts a section)", "survey.create",
	    json_incref(args), key, true, example, created));
}

static bool
schedule_build(json_t *args, const char *const *vals, char *err,
    size_t len)
{
	for (int i = 0; i < 3; i++) {
		char *end;
		long n = strtol(vals[i], &end, 10);

		if (end == vals[i] || *end != '\0' || n < (i == 2) || n > 366) {
			snprintf(err, len, "Days: whole numbers up to 366.");
			return false;
		}
		json_object_set_new(args, i == 0 ? "first_in_days" : i == 1 ?
		    "every_days" : "open_days", json_integer(n));
	}
	json_object_set_new(args, "anonymous", json_boolean(strcmp(vals[3],
	    "yes") == 0));
	return true;
}

static void
scheduled(struct view *v, json_t *result)
{
	(void)result;
	ui_flash("Scheduled: the temperature check opens on its date.");
	surveys_load((struct surveys *)v);
}

static bool
surveys_key(struct view *v, int ch, bool is_key)
{
	struct surveys *s = (struct surveys *)v;
	struct row *r;

	if (list_key(&s->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&s->l)) != NULL &&
	    json_is_string(json_object_get(r->data, "status"))) {
		ui_push(view_survey(ji(r->data, "id")));
		return true;
	}
	if (is_key)
		return false;
	if (ch == 'c') {
		static const struct form_def defs[] = {
			{ "Send to", NULL, "this community|the platform|a band|"
			    "a room's attendees|an event's attendees", NULL },
			{ "Number or band", "", NULL, "a room or event number, "
			    "or a band: newbies, lurkers, regulars, engaged, "
			    "catalysts, leaders, managers, inactive" },
			{ "Anonymous", NULL, "no|yes", "anonymous: answers kept "
			    "with no name and no time" },
			{ "Questions", NULL, "my own|the temperature check",
			    NULL },
			{ "Days open", "14", NULL, NULL },
			{ "Title", "", NULL, "the temperature check: its title"
			    " (own questions: asked next)" },
			{ "Serves personas", "", NULL, "the personas it is "
			    "for (names from the roadmap, commas between)" },
		};
		json_t *args = json_object();

		if (s->slug != NULL)
			json_object_set_new(args, "slug", json_string(s->slug));
		ui_push(form_open("New survey", "Who it goes to, then its "
		    "questions. A room's or event's survey is sent to those "
		    "who came when the room closes or the event ends.", "",
		    args, defs, 7, settings_build, settings_done));
		return true;
	}
	if (ch == 'T') {
		static const struct form_def defs[] = {
			{ "First in (days)", "90", NULL, NULL },
			{ "Then every (days, 0: once)", "90", NULL, NULL },
			{ "Open for (days)", "14", NULL, NULL },
			{ "Anonymous", NULL, "yes|no", NULL },
		};

		ui_push(form_open("Repeat the temperature check", "How useful, "
		    "how connected, how safe, would you recommend it, what "
		    "would help: the same questions each time, so the health "
		    "report shows them over time.", "survey.schedule",
		    s->slug ? json_pack("{s:{s:s}}", "audience", "community",
		    s->slug) : json_pack("{s:{s:b}}", "audience", "platform",
		    1), defs, 4, schedule_build, scheduled));
		return true;
	}
	if (ch == 'x' && (r = list_cur(&s->l)) != NULL &&
	    json_is_integer(json_object_get(r->data, "every_days"))) {
		ui_push(view_confirm("Stop repeating this temperature check? "
		    "Checks already sent stay.", "survey.unschedule",
		    json_pack("{s:I}", "schedule_id", ji(r->data, "id")),
		    "Stopped."));
		return true;
	}
	if (ch == 'R') {
		surveys_load(s);
		return true;
	}
	return false;
}

static void
surveys_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "survey.opened") == 0)
		surveys_load((struct surveys *)v);
}

static void
surveys_free(struct view *v)
{
	struct surveys *s = (struct surveys *)v;

	list_free(&s->l);
	json_decref(s->list);
	json_decref(s->schedules);
	free(s->slug);
	free(s->name);
	free(s);
}

struct view *
view_surveys(const char *slug, const char *name)
{
	return view_surveys_as(slug, name, admin_may());
}

struct view *
view_surveys_as(const char *slug, const char *name, bool manager)
{
	struct surveys *s = xcalloc(1, sizeof *s);

	s->v.title = "Surveys";
	s->manager = manager;
	surveys_keys(s);
	s->v.help = "Surveys sent to you (● waiting for your answer), and "
	    "those you manage. Managers and staff: **c** makes a survey "
	    "(for this community, the platform, a pyramid band, or the "
	    "attendees of a room or event: theirs is sent when it closes or "
	    "ends); **T** repeats the temperature check; **x** on a schedule "
	    "stops it.";
	s->v.draw = surveys_draw;
	s->v.key = surveys_key;
	s->v.event = surveys_event;
	s->v.free = surveys_free;
	s->slug = slug ? xstrdup(slug) : NULL;
	s->name = name ? xstrdup(name) : NULL;
	snprintf(s->msg, sizeof s->msg, "Loading…");
	surveys_fill(s);
	surveys_load(s);
	return &s->v;
}
