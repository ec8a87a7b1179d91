/*
 * plain-survey.c: the line mode's surveys: those sent to you (answer one
 * question at a time, optional ones skipped with Enter), results with bars
 * of # and, for scales, the mean; and for managers and staff a new survey
 * (questions one by one, or the temperature check), closing, the one
 * reminder, and the temperature check's schedule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* A bar of # for count out of total, at most 30 wide. */
static void
bar(long long count, long long total)
{
	int w = total > 0 ? (int)(30 * count / total) : 0;

	plain_out(" ");
	for (int i = 0; i < w; i++)
		plain_out("#");
	plain_out("%*s", 30 - w, "");
}

static void
results(json_int_t id)
{
	json_t *r = plain_call("survey.results", json_pack("{s:I}",
	    "survey_id", id)), *res, *q, *o;
	size_t i, j;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	plain_out("\nResults: %s (%s%s)\n", js(res, "title"),
	    plain_count(ji(res, "responses"), "answer", "answers"),
	    json_is_true(json_object_get(res,
	    "anonymous")) ? ", anonymous" : "");
	if (!json_is_true(json_object_get(res, "visible"))) {
		plain_out("  %s\n", js(res, "why"));
		json_decref(r);
		return;
	}
	json_array_foreach(json_object_get(res, "questions"), i, q) {
		const char *kind = js(q, "kind");
		long long n = (long long)ji(q, "answers");

		plain_out("\n%zu. %s (%s)\n", i + 1, js(q, "prompt"),
		    plain_count(n, "answer", "answers"));
		if (strcmp(kind, "text") == 0) {
			json_array_foreach(json_object_get(q, "texts"), j, o) {
				plain_out("  - %s", js(o, "text"));
				if (js(o, "by")[0])
					plain_out(" (%s)", js(o, "by"));
				plain_out("\n");
			}
			continue;
		}
		json_array_foreach(json_object_get(q, strncmp(kind, "scale",
		    5) == 0 ? "distribution" : "options"), j, o) {
			char label[48];

			if (json_is_integer(json_object_get(o, "value")))
				snprintf(label, sizeof label, "%lld",
				    (long long)ji(o, "value"));
			else
				snprintf(label, sizeof label, "%.40s",
				    js(o, "label"));
			plain_out("  %-20s", label);
			bar((long long)ji(o, "count"), n);
			plain_out(" %lld\n", (long long)ji(o, "count"));
		}
		if (json_is_number(json_object_get(q, "mean")))
			plain_out("  mean %.1f\n", json_number_value(
			    json_object_get(q, "mean")));
	}
	json_decref(r);
}

/* Ask one question; its answer object, or NULL when skipped. */
static json_t *
ask_question(json_t *q, size_t qi)
{
	const char *kind = js(q, "kind");
	bool optional = json_is_true(json_object_get(q, "optional"));
	json_t *opts = json_object_get(q, "options"), *o;
	size_t i, n = json_array_size(opts);
	char *s, *end;
	long v;

	if (js(q, "section")[0])
		plain_out("\n== %s ==\n", js(q, "section"));
	plain_out("\n%zu. %s%s\n", qi + 1, js(q, "prompt"), !optional ? "" :
	    strcmp(kind, "text") == 0 ? " (optional: a full stop alone at "
	    "once skips it)" : " (optional: Enter skips)");
	for (;;) {
		if (strcmp(kind, "text") == 0) {
			s = plain_ask_text();
			if (s[strspn(s, " \n")] == '\0') {
				free(s);
				if (optional)
					return NULL;
				plain_out("This question needs an answer.\n");
				continue;
			}
			{
				/* the blank lines around it are not the answer */
				char *a = s + strspn(s, " \n");
				size_t k = strlen(a);

				while (k > 0 && (a[k - 1] == '\n' ||
				    a[k - 1] == ' '))
					a[--k] = '\0';
				o = json_pack("{s:I, s:s}", "question",
				    (json_int_t)qi, "text", a);
			}
			free(s);
			return o;
		}
		json_array_foreach(opts, i, o)
			plain_out("  %zu. %s\n", i + 1, json_string_value(o));
		s = plain_ask(strcmp(kind, "single") == 0 ? "Choose a number: " :
		    strcmp(kind, "multiple") == 0 ? "Numbers, separated by "
		    "spaces: " : strcmp(kind, "scale5") == 0 ? "From 1 to 5: " :
		    "From 0 to 10: ");
		if (s[strspn(s, " ")] == '\0') {
			if (optional)
				return NULL;
			plain_out("This question needs an answer.\n");
			continue;
		}
		if (strcmp(kind, "multiple") == 0) {
			json_t *c = json_array();

			for (char *p = s; *p != '\0';) {
				v = strtol(p, &end, 10);
				if (end == p)
					break;
				if (v >= 1 && (size_t)v <= n)
					json_array_append_new(c,
					    json_integer(v - 1));
				p = end;
			}
			if (json_array_size(c) > 0)
				return json_pack("{s:I, s:o}", "question",
				    (json_int_t)qi, "choices", c);
			json_decref(c);
		} else {
			v = strtol(s, &end, 10);
			if (strcmp(kind, "single") == 0 && v >= 1 &&
			    (size_t)v <= n)
				return json_pack("{s:I, s:I}", "question",
				    (json_int_t)qi, "choice", (json_int_t)v - 1);
			if (strncmp(kind, "scale", 5) == 0 && end != s &&
			    v >= (strcmp(kind, "scale5") == 0) &&
			    v <= (strcmp(kind, "scale5") == 0 ? 5 : 10))
				return json_pack("{s:I, s:I}", "question",
				    (json_int_t)qi, "value", (json_int_t)v);
		}
		plain_out("Please answer with the numbers shown.\n");
	}
}

static void
answer(json_t *survey)
{
	json_t *ans = json_array(), *q, *a;
	size_t i;

	if (js(survey, "intro")[0])
		plain_print_md(js(survey, "intro"), "  ");
	if (json_array_size(json_object_get(survey, "personas")) > 0) {
		json_t *p;

		plain_out("For:");
		json_array_foreach(json_object_get(survey, "personas"), i, p)
			plain_out("%s %s", i ? "," : "", json_string_value(p));
		plain_out("\n");
	}
	if (json_is_true(json_object_get(survey, "anonymous")))
		plain_out("This survey is anonymous: your answers are kept with "
		    "no name and no time.\n");
	json_array_foreach(json_object_get(survey, "questions"), i, q)
		if ((a = ask_question(q, i)) != NULL)
			json_array_append_new(ans, a);
	if (plain_ask("\nSend your answers? y/n: ")[0] != 'y') {
		json_decref(ans);
		plain_out("Not sent.\n");
		return;
	}
	plain_do("survey.answer", json_pack("{s:I, s:o}", "survey_id",
	    ji(survey, "id"), "answers", ans), "Thank you: your answers are "
	    "in.");
}

/* Staff: every response as CSV lines to copy (survey.export). */
static void
export_csv(json_int_t id)
{
	json_t *r = plain_call("survey.export", json_pack("{s:I}", "survey_id",
	    id)), *res, *row, *v;
	size_t i, j;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	plain_out("\n");
	for (i = 0; i <= json_array_size(json_object_get(res, "rows")); i++) {
		row = i == 0 ? json_object_get(res, "columns") : json_array_get(
		    json_object_get(res, "rows"), i - 1);
		json_array_foreach(row, j, v) {
			const char *s = json_is_string(v) ? json_string_value(v) :
			    NULL;

			if (j > 0)
				plain_out(",");
			if (s == NULL)
				plain_out("%lld", (long long)json_integer_value(v));
			else if (strpbrk(s, ",\"\n") == NULL)
				plain_out("%s", s);
			else {
				plain_out("\"");
				for (; *s; s++)
					if (*s == '"')
						plain_out("\"\"");
					else
						plain_out("%c", *s);
				plain_out("\"");
			}
		}
		plain_out("\n");
	}
	json_decref(r);
}

static void open_survey(json_int_t id);

void
plain_survey_open(json_int_t id)
{
	open_survey(id);
}

static void
open_survey(json_int_t id)
{
	json_t *r = plain_call("survey.get", json_pack("{s:I}", "survey_id",
	    id)), *res, *s;
	char *c;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	s = json_object_get(res, "survey");
	plain_out("\n%s (%s, %s%s)\n", js(s, "title"), js(s,
	    "status"), plain_count(ji(s, "responses"), "answer", "answers"),
	    json_is_true(
	    json_object_get(s, "anonymous")) ? ", anonymous" : "");
	if (js(s, "closes_at")[0])
		plain_out("  closes %s\n", when_say(js(s, "closes_at")));
	c = plain_ask(json_is_true(json_object_get(s, "can_answer")) ?
	    (json_is_true(json_object_get(s, "can_manage")) ? "a answer, r "
	    "results, c close, m remind those who have not answered, x export "
	    "as CSV (staff), 0 back: " :
	    "a answer, 0 back: ") : json_is_true(json_object_get(s,
	    "can_manage")) ? "r results, c close, m remind those who have not "
	    "answered, x export as CSV (staff), 0 back: " :
	    "r results (once closed), 0 back: ");
	if (c[0] == 'a')
		answer(s);
	else if (c[0] == 'r')
		results(id);
	else if (c[0] == 'c' && plain_ask("Close it for good? y/n: ")[0] ==
	    'y')
		plain_do("survey.close", json_pack("{s:I}", "survey_id", id),
		    "Closed.");
	else if (c[0] == 'm')
		plain_do("survey.remind", json_pack("{s:I}", "survey_id", id),
		    "Reminded.");
	else if (c[0] == 'x')
		export_csv(id);
	json_decref(r);
}

/* Who it goes to: this community (slug) or another choice; NULL: none. */
static json_t *
ask_audience(const char *slug, bool schedule)
{
	char *s, what[200], choice;
	long long id;

	plain_out("Send it to:\n%s  p. the whole platform (staff)\n"
	    "  s. several communities (slugs)\n  b. a pyramid band (newbies, "
	    "lurkers, ...)\n%s", slug ? "  c. this community\n" : "",
	    schedule ? "" : "  r. the attendees of a room (sent when it "
	    "closes)\n  e. the attendees of an event (sent when it ends)\n");
	s = plain_ask("Choose: ");
	choice = s[0]; /* s is plain_ask's buffer: the next question reuses it */
	switch (choice) {
	case 'c':
		return slug ? json_pack("{s:s}", "community", slug) : NULL;
	case 'p':
		return json_pack("{s:b}", "platform", 1);
	case 's': {
		json_t *a = json_array();
		char *save = NULL, *t;

		snprintf(what, sizeof what, "%s", plain_ask("Slugs, separated "
		    "by spaces: "));
		for (t = strtok_r(what, " ,", &save); t != NULL;
		    t = strtok_r(NULL, " ,", &save))
			json_array_append_new(a, json_string(t));
		return json_pack("{s:o}", "communities", a);
	}
	case 'b': {
		json_t *o;

		snprintf(what, sizeof what, "%s", plain_ask("Band (managers, "
		    "leaders, catalysts, engaged, regulars, newbies, lurkers, "
		    "inactive): "));
		o = json_pack("{s:s}", "band", what);
		if (slug)
			json_object_set_new(o, "community", json_string(slug));
		return o;
	}
	case 'r':
	case 'e':
		if (schedule)
			return NULL;
		id = atoll(plain_ask(choice == 'r' ? "Room number: " :
		    "Event number: "));
		return json_pack("{s:I}", choice == 'r' ? "room" : "event",
		    (json_int_t)id);
	}
	return NULL;
}

/* One question typed in; NULL when the author is done. */
static json_t *
ask_new_question(void)
{
	static const char *const kinds[] = { "single", "multiple", "scale5",
		"scale10", "text" };
	json_t *q, *opts;
	char *s;
	int k;

	s = plain_ask("\nNext question: 1 one choice, 2 several choices, 3 "
	    "scale 1-5, 4 scale 0-10, 5 free text, Enter: done: ");
	k = atoi(s);
	if (k < 1 || k > 5)
		return NULL;
	q = json_pack("{s:s}", "kind", kinds[k - 1]);
	json_object_set_new(q, "prompt", json_string(plain_ask("Question: ")));
	if (k <= 2) {
		opts = json_array();
		plain_out("Choices, one a line; an empty line ends them.\n");
		while ((s = plain_ask("  choice: "))[0] != '\0')
			json_array_append_new(opts, json_string(s));
		json_object_set_new(q, "options", opts);
	}
	if (plain_ask("Optional? y/n: ")[0] == 'y')
		json_object_set_new(q, "optional", json_true());
	s = plain_ask("Starts a section? Its heading (Enter: no): ");
	if (s[0] != '\0')
		json_object_set_new(q, "section", json_string(s));
	return q;
}

static void
create(const char *slug)
{
	json_t *args, *aud, *qs, *q;
	char title[256], *s;

	snprintf(title, sizeof title, "%s", plain_ask("Title: "));
	if (title[0] == '\0')
		return;
	if ((aud = ask_audience(slug, false)) == NULL) {
		plain_out("No audience chosen.\n");
		return;
	}
	args = json_pack("{s:s, s:o}", "title", title, "audience", aud);
	json_object_set_new(args, "anonymous", json_boolean(plain_ask(
	    "Anonymous (answers kept with no name and no time)? y/n: ")[0] ==
	    'y'));
	if (plain_ask("The ready-made temperature check? y/n: ")[0] == 'y')
		json_object_set_new(args, "template", json_string(
		    "temperature"));
	else {
		qs = json_array();
		while ((q = ask_new_question()) != NULL)
			json_array_append_new(qs, q);
		json_object_set_new(args, "questions", qs);
	}
	s = plain_ask("Days it stays open (Enter: 14): ");
	if (atoi(s) > 0)
		json_object_set_new(args, "open_days", json_integer(atoi(s)));
	s = plain_ask("The personas it serves (names from the roadmap, commas "
	    "between; Enter: none): ");
	if (s[0] != '\0')
		json_object_set_new(args, "personas", survey_personas(s));
	{
		json_t *r = plain_call("survey.create", args), *res;

		if ((res = plain_result(r)) != NULL) {
			plain_out("Survey made: it is sent now, or when its "
			    "room closes or its event ends.\n");
			if (json_is_integer(json_object_get(res,
			    "min_responses")))
				plain_out("It is anonymous: its results show "
				    "only once %lld have answered, more than the "
				    "%lld it was sent to.\n", (long long)ji(res,
				    "min_responses"), (long long)ji(res,
				    "audience_size"));
		}
		json_decref(r);
	}
}

static void
schedules(const char *slug)
{
	json_t *r = plain_call("survey.schedules", NULL), *res, *x, *aud;
	size_t i;
	char *s;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	plain_out("\nRepeating temperature checks:\n");
	json_array_foreach(json_object_get(res, "schedules"), i, x)
		plain_out("  %zu. %s: next %.10s, every %lld days (%lld so "
		    "far)\n", i + 1, js(x, "title"), js(x, "next_at"),
		    (long long)ji(x, "every_days"), (long long)ji(x, "runs"));
	if (json_array_size(json_object_get(res, "schedules")) == 0)
		plain_out("  None.\n");
	s = plain_ask("n new schedule, s NUMBER stop one, 0 back: ");
	if (s[0] == 's' && (x = json_array_get(json_object_get(res,
	    "schedules"), (size_t)atoi(s + 1) - 1)) != NULL)
		plain_do("survey.unschedule", json_pack("{s:I}", "schedule_id",
		    ji(x, "id")), "Stopped.");
	else if (s[0] == 'n' && (aud = ask_audience(slug, true)) != NULL) {
		json_t *args = json_pack("{s:o}", "audience", aud);

		s = plain_ask("First one in how many days (Enter: 90)? ");
		if (s[0] != '\0')
			json_object_set_new(args, "first_in_days",
			    json_integer(atoi(s)));
		s = plain_ask("Then every how many days (0: once; Enter: 90)? ");
		if (s[0] != '\0')
			json_object_set_new(args, "every_days",
			    json_integer(atoi(s)));
		plain_do("survey.schedule", args, "Scheduled.");
	}
	json_decref(r);
}

void
plain_survey(const char *slug)
{
	json_t *r, *res, *a, *x;
	size_t i;
	char *s;

	for (;;) {
		r = plain_call("survey.list", slug ? json_pack("{s:s}", "slug",
		    slug) : NULL);
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "surveys");
		plain_out("\nSurveys%s%s:\n", slug ? " in " : "", slug ? slug :
		    "");
		json_array_foreach(a, i, x)
			plain_out("  %zu. %s (%s%s, %s)\n", i + 1,
			    js(x, "title"), js(x, "status"), json_is_true(
			    json_object_get(x, "can_answer")) ? ", waiting for "
			    "your answer" : json_is_true(json_object_get(x,
			    "answered")) ? ", answered" : "", plain_count(ji(x,
			    "responses"), "answer", "answers"));
		if (json_array_size(a) == 0)
			plain_out("  No surveys for you.\n");
		s = plain_ask("Number to open, n new survey, t temperature "
		    "check schedules (managers, staff), 0 back: ");
		if (s[0] == 'n')
			create(slug);
		else if (s[0] == 't')
			schedules(slug);
		else if (atoi(s) > 0 && (x = json_array_get(a, (size_t)atoi(s) -
		    1)) != NULL)
			open_survey(ji(x, "id"));
		else {
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}
