/*
 * plain-roadmap.c: the line mode's roadmap (a community's, or the
 * platform's): the sections by number (read, edit or propose, managers
 * only or not), the action grid as lines, the personas, the versions and
 * comparing two, proposals, copying another roadmap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* {slug} for a community, {} for the platform. */
static json_t *
scope(const char *slug)
{
	return slug != NULL ? json_pack("{s:s}", "slug", slug) : json_object();
}

/* The roadmap now (a reference the caller drops), or NULL. */
static json_t *
fetch(const char *slug)
{
	json_t *r = plain_call("roadmap.get", scope(slug)), *res;

	if ((res = plain_result(r)) != NULL)
		json_incref(res);
	json_decref(r);
	return res;
}

static void
print_overview(json_t *rm)
{
	json_t *s;
	size_t i;

	plain_out("\nRoadmap of %s (version %lld; month 1 starts %.10s)\n",
	    js(rm, "name"), (long long)ji(rm, "version"), js(rm, "starts_on"));
	json_array_foreach(json_object_get(rm, "sections"), i, s) {
		const char *b = js(s, "body");

		plain_out("  %lld. %s%s: %.*s%s\n", (long long)ji(s, "number"),
		    js(s, "title"), json_is_true(json_object_get(s,
		    "managers_only")) ? " [managers only]" : "",
		    (int)(strcspn(b, "\n") < 60 ? strcspn(b, "\n") : 60), b,
		    b[0] ? "" : "(empty)");
	}
	plain_out("  Actions: %zu", json_array_size(json_object_get(rm,
	    "actions")));
	if (ji(rm, "proposals_open") > 0)
		plain_out(", proposals waiting: %lld",
		    (long long)ji(rm, "proposals_open"));
	plain_out("\n");
}

static json_t *
section_by_number(json_t *rm, long n)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(rm, "sections"), i, s)
		if (ji(s, "number") == n)
			return s;
	return NULL;
}

static void
section_read(json_t *s)
{
	plain_out("\n%s%s\n  (%s)\n\n", js(s, "title"),
	    json_is_true(json_object_get(s, "managers_only")) ?
	    " [managers only]" : "", js(s, "prompt"));
	if (js(s, "body")[0])
		plain_print_md(js(s, "body"), "  ");
	else
		plain_out("  Not written yet.\n");
}

/* e N: managers write the section; leaders propose a text. */
static void
section_edit(const char *slug, json_t *rm, json_t *s)
{
	json_t *a = scope(slug);
	char *body, note[512];
	bool edit = json_is_true(json_object_get(rm, "can_edit"));

	if (!edit && !json_is_true(json_object_get(rm, "can_propose"))) {
		plain_out("  Managers edit the roadmap; leaders propose "
		    "changes.\n");
		json_decref(a);
		return;
	}
	section_read(s);
	plain_out("\n%s\n", edit ? "The new text replaces it." : "Your "
	    "proposal goes to the managers.");
	body = plain_ask_text();
	json_object_set_new(a, "key", json_string(js(s, "key")));
	json_object_set_new(a, "body", json_string(body));
	free(body);
	if (edit) {
		json_object_set_new(a, "base_version", json_integer(ji(rm,
		    "version")));
		plain_do("roadmap.update", a, "Saved: a new version.");
		return;
	}
	snprintf(note, sizeof note, "%s", plain_ask("A note for the managers "
	    "(Enter: none): "));
	json_object_set_new(a, "note", json_string(note));
	plain_do("roadmap.propose", a, "Proposed: the managers are told.");
}

static void
actions_print(json_t *rm)
{
	json_t *a, *k, *e;
	size_t i;
	const char *const labels[] = { "?", "Month 1", "Month 2", "Month 3",
		"Month 4", "Month 5", "Month 6", "Months 7-9", "Months 10-12" };

	plain_out("\nActions\n");
	if (json_array_size(json_object_get(rm, "actions")) == 0)
		plain_out("  None yet.\n");
	json_array_foreach(json_object_get(rm, "actions"), i, a) {
		json_int_t p = ji(a, "period");

		k = json_object_get(a, "key_result");
		e = json_object_get(a, "event");
		plain_out("  %zu. [%s] %s: %s%s%s, %s%s%s%s%s%s%s\n", i + 1,
		    labels[p >= 1 && p <= 8 ? p : 0], js(a, "title"),
		    js(a, "owner")[0] ? "@" : "", js(a, "owner")[0] ?
		    js(a, "owner") : "nobody yet", "", js(a, "status"),
		    js(a, "resources")[0] ? "; needs " : "", js(a, "resources"),
		    k ? "; key result: " : "", k ? js(k, "title") : "",
		    e ? "; event: " : "", e ? js(e, "title") : "");
	}
}

/* The actions: add, change, mark, remove. */
static void
actions_menu(const char *slug)
{
	json_t *rm, *a, *args;
	char *s, cmd[256], title[256], owner[80], res[512];
	int n;

	for (;;) {
		if ((rm = fetch(slug)) == NULL)
			return;
		actions_print(rm);
		snprintf(cmd, sizeof cmd, "%s", plain_ask("n new, s N STATUS "
		    "(planned, doing, done, dropped), e N change, x N remove, "
		    "0 back: "));
		s = cmd;
		n = atoi(s + (s[0] && s[1] == ' ' ? 2 : 0));
		a = json_array_get(json_object_get(rm, "actions"),
		    (size_t)(n > 0 ? n - 1 : 1000000));
		if (s[0] == 'n' || (s[0] == 'e' && a != NULL)) {
			char *p = plain_ask("Period (1-6 a month, 7 months 7-9, "
			    "8 months 10-12; Enter keeps it): ");
			int period = atoi(p);

			snprintf(title, sizeof title, "%s", plain_ask("Action "
			    "(Enter keeps it): "));
			snprintf(owner, sizeof owner, "%s", plain_ask("Who is "
			    "responsible? @handle (Enter keeps it): "));
			snprintf(res, sizeof res, "%s", plain_ask("What "
			    "resources are needed? (Enter keeps it): "));
			args = s[0] == 'n' ? scope(slug) : json_pack("{s:I}",
			    "action_id", ji(a, "id"));
			if (period > 0)
				json_object_set_new(args, "period",
				    json_integer(period));
			if (title[0])
				json_object_set_new(args, "title",
				    json_string(title));
			if (owner[0])
				json_object_set_new(args, "owner",
				    json_string(owner));
			if (res[0])
				json_object_set_new(args, "resources",
				    json_string(res));
			plain_do("roadmap.action", args, s[0] == 'n' ?
			    "Action added." : "Action changed.");
		} else if (s[0] == 's' && a != NULL) {
			const char *st = strchr(s + 2, ' ');

			plain_do("roadmap.action", json_pack("{s:I, s:s}",
			    "action_id", ji(a, "id"), "status", st ? st + 1 :
			    ""), "Status changed.");
		} else if (s[0] == 'x' && a != NULL) {
			plain_do("roadmap.action", json_pack("{s:I, s:b}",
			    "action_id", ji(a, "id"), "delete", 1),
			    "Removed (a version keeps it).");
		} else if (s[0] == '0' || s[0] == 'q' || s[0] == '\0') {
			json_decref(rm);
			return;
		} else
			plain_out("  Not understood.\n");
		json_decref(rm);
	}
}

static void
personas_menu(const char *slug)
{
	static const char *const keys[] = { "name", "description", "needs",
		"pain_points", "ways" };
	static const char *const asks[] = { "Name", "Description", "Needs",
		"Pain points", "Preferred ways to take part" };
	json_t *r, *res, *p, *e, *args;
	size_t i, j;
	char *s, cmd[256];
	int n;

	for (;;) {
		r = plain_call("persona.list", json_pack("{s:s}", "slug", slug));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		plain_out("\nPersonas (keep three to five)\n");
		json_array_foreach(json_object_get(res, "personas"), i, p) {
			plain_out("  %zu. %s: %s\n     Needs: %s\n     Pain "
			    "points: %s\n     Ways to take part: %s\n", i + 1,
			    js(p, "name"), js(p, "description"), js(p, "needs"),
			    js(p, "pain_points"), js(p, "ways"));
			json_array_foreach(json_object_get(p, "events"), j, e)
				plain_out("     Event for them: %s (%.10s)\n",
				    js(e, "title"), js(e, "starts_at"));
		}
		if (json_array_size(json_object_get(res, "personas")) == 0)
			plain_out("  None yet.\n");
		snprintf(cmd, sizeof cmd, "%s", plain_ask("n new, e N change, "
		    "x N remove, t N EVENT tag event number EVENT with persona "
		    "N, 0 back: "));
		s = cmd;
		n = atoi(s + (s[0] && s[1] == ' ' ? 2 : 0));
		p = json_array_get(json_object_get(res, "personas"),
		    (size_t)(n > 0 ? n - 1 : 1000000));
		if (s[0] == 'n' || (s[0] == 'e' && p != NULL)) {
			args = s[0] == 'n' ? json_pack("{s:s}", "slug", slug) :
			    json_pack("{s:I}", "persona_id", ji(p, "id"));
			for (int k = 0; k < 5; k++) {
				char prompt[96];
				const char *v;

				snprintf(prompt, sizeof prompt, "%s%s: ",
				    asks[k], s[0] == 'e' ? " (Enter keeps it)" :
				    "");
				v = plain_ask(prompt);
				if (v[0])
					json_object_set_new(args, keys[k],
					    json_string(v));
			}
			plain_do("persona.save", args, "Persona saved.");
		} else if (s[0] == 'x' && p != NULL) {
			plain_do("persona.delete", json_pack("{s:I}",
			    "persona_id", ji(p, "id")), "Persona removed.");
		} else if (s[0] == 't' && p != NULL && strchr(s + 2, ' ')) {
			json_t *ids = json_array(), *q;
			json_int_t ev = atoll(strchr(s + 2, ' ') + 1);

			/* the event keeps its other personas */
			json_array_foreach(json_object_get(res, "personas"), i,
			    q)
				json_array_foreach(json_object_get(q, "events"),
				    j, e)
					if (ji(e, "id") == ev && ji(q, "id") !=
					    ji(p, "id"))
						json_array_append_new(ids,
						    json_integer(ji(q, "id")));
			json_array_append_new(ids, json_integer(ji(p, "id")));
			plain_do("persona.tag", json_pack("{s:I, s:o}",
			    "event_id", ev, "persona_ids", ids), "Tagged.");
		} else if (s[0] == '0' || s[0] == 'q' || s[0] == '\0') {
			json_decref(r);
			return;
		} else
			plain_out("  Not understood.\n");
		json_decref(r);
	}
}

static void
versions_menu(const char *slug)
{
	json_t *r, *res, *v, *l;
	size_t i;
	char *s;
	long long from, to;

	r = plain_call("roadmap.versions", scope(slug));
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	plain_out("\nVersions\n");
	json_array_foreach(json_object_get(res, "versions"), i, v)
		plain_out("  %lld. %s %s%s %s\n", (long long)ji(v, "version"),
		    when_say(js(v, "at")), js(v, "by")[0] ? "@" : "", js(v, "by"),
		    js(v, "summary"));
	json_decref(r);
	s = plain_ask("Compare two: FROM TO (e.g. 1 3), Enter back: ");
	if (sscanf(s, "%lld %lld", &from, &to) != 2)
		return;
	json_t *a = scope(slug);

	json_object_set_new(a, "from", json_integer(from));
	json_object_set_new(a, "to", json_integer(to));
	r = plain_call("roadmap.compare", a);
	if ((res = plain_result(r)) != NULL) {
		plain_out("\nVersion %lld against %lld (- removed, + added):\n",
		    to, from);
		if (ji(res, "changed") == 0)
			plain_out("  No differences.\n");
		json_array_foreach(json_object_get(res, "lines"), i, l)
			plain_out("%s %s\n", js(l, "op")[0] == '@' ? " " :
			    js(l, "op"), js(l, "text"));
	}
	json_decref(r);
}

static void
proposals_menu(const char *slug)
{
	json_t *r, *res, *p;
	size_t i;
	char *s;
	int n;

	r = plain_call("roadmap.proposals", scope(slug));
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	plain_out("\nProposals waiting\n");
	json_array_foreach(json_object_get(res, "proposals"), i, p) {
		plain_out("  %zu. %s, by @%s%s%s\n", i + 1, js(p, "title"),
		    js(p, "by"), js(p, "note")[0] ? ": " : "", js(p, "note"));
		plain_print_md(js(p, "body"), "     ");
	}
	if (json_array_size(json_object_get(res, "proposals")) == 0)
		plain_out("  None.\n");
	s = plain_ask("a N accept, d N decline, Enter back: ");
	n = atoi(s + (s[0] && s[1] == ' ' ? 2 : 0));
	p = json_array_get(json_object_get(res, "proposals"),
	    (size_t)(n > 0 ? n - 1 : 1000000));
	if (p != NULL && (s[0] == 'a' || s[0] == 'd'))
		plain_do("roadmap.accept", json_pack("{s:I, s:b}",
		    "proposal_id", ji(p, "id"), "decline", s[0] == 'd'),
		    s[0] == 'a' ? "Accepted: the section has its text." :
		    "Declined.");
	json_decref(r);
}

/* W: the whole roadmap as Markdown (roadmap.export), printed as is. */
static void
whole(const char *slug)
{
	json_t *a = scope(slug), *r, *res;

	json_object_set_new(a, "format", json_string("md"));
	r = plain_call("roadmap.export", a);
	if ((res = plain_result(r)) != NULL)
		plain_out("\n%s", js(res, "text"));
	json_decref(r);
}

/* A community's roadmap (slug NULL: the platform's). */
void
plain_roadmap(const char *slug)
{
	json_t *rm, *s, *a;
	char *cmd, from[64];
	long n;
	bool listed = false; /* the sections once, then on l: not after each */

	for (;;) {
		if ((rm = fetch(slug)) == NULL)
			return;
		if (!listed)
			print_overview(rm);
		listed = true;
		cmd = plain_ask("Number to read, e N edit (leaders: propose), "
		    "m N managers only or not, a actions, p personas, v "
		    "versions, o proposals, W the whole of it, C copy from "
		    "another, l list the sections again, 0 back: ");
		if (cmd[0] == 'l' && cmd[1] == '\0') {
			listed = false;
			json_decref(rm);
			continue;
		}
		n = atol(cmd + (cmd[0] && cmd[1] == ' ' ? 2 : 0));
		s = section_by_number(rm, n);
		if (cmd[0] >= '1' && cmd[0] <= '9' && s != NULL)
			section_read(s);
		else if (cmd[0] == 'e' && s != NULL)
			section_edit(slug, rm, s);
		else if (cmd[0] == 'm' && s != NULL) {
			a = scope(slug);
			json_object_set_new(a, "key", json_string(js(s, "key")));
			json_object_set_new(a, "managers_only", json_boolean(
			    !json_is_true(json_object_get(s, "managers_only"))));
			plain_do("roadmap.update", a, json_is_true(
			    json_object_get(s, "managers_only")) ? "Everyone "
			    "reads it now." : "Only managers read it now.");
		} else if (cmd[0] == 'a' && cmd[1] == '\0')
			actions_menu(slug);
		else if (cmd[0] == 'p' && cmd[1] == '\0' && slug != NULL)
			personas_menu(slug);
		else if (cmd[0] == 'v' && cmd[1] == '\0')
			versions_menu(slug);
		else if (cmd[0] == 'o' && cmd[1] == '\0')
			proposals_menu(slug);
		else if (cmd[0] == 'W' && cmd[1] == '\0')
			whole(slug);
		else if (cmd[0] == 'C' && cmd[1] == '\0') {
			snprintf(from, sizeof from, "%s", plain_ask("Copy from "
			    "which community (its short name; - the "
			    "platform's)? "));
			a = scope(slug);
			if (from[0] && strcmp(from, "-") != 0)
				json_object_set_new(a, "from", json_string(from));
			json_object_set_new(a, "base_version", json_integer(ji(rm,
			    "version")));
			plain_do("roadmap.copy", a, "Copied: a version keeps "
			    "what was here.");
		} else if (cmd[0] == '0' || cmd[0] == 'q' || cmd[0] == '\0') {
			json_decref(rm);
			return;
		} else
			plain_out("  Not understood.\n");
		json_decref(rm);
	}
}
