/*
 * plain-people.c: finding people in the line mode: the directory with its
 * filters (words, expertise, region, organisation, community, mentors),
 * numbered results that say why they matched and open by number; a
 * profile in words, with what one can do from it (find people with the
 * same expertise or region; one's own: edit every field, devices); and
 * the suggested connections a newcomer sees after signing in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* The directory's filters, kept between searches. */
struct filters {
	/* room for more than the server takes (4 bytes a character), so a
	 * long one is refused with its length, never cut mid-character */
	char q[801], tag[641], region[321], org[481];
	char comm_slug[64], comm_name[120];
	bool mentors;
};

/* "why: a; b" of a result or suggestion, into out. */
static void
why_line(json_t *r, char *out, size_t len)
{
	json_t *w;
	size_t k;

	out[0] = '\0';
	json_array_foreach(json_object_get(r, "why"), k, w) {
		if (k > 0)
			strncat(out, "; ", len - strlen(out) - 1);
		strncat(out, json_string_value(w), len - strlen(out) - 1);
	}
}

/* One numbered person: name, handle, role, region; then why. */
static void
print_person(size_t n, json_t *r)
{
	char why[600];

	plain_out("  %zu. %s (@%s)%s%s%s%s%s\n", n, js(r, "display_name"),
	    js(r, "handle"), js(r, "job_role")[0] ? ", " : "",
	    js(r, "job_role"), js(r, "region")[0] ? ", " : "",
	    js(r, "region"), json_is_true(json_object_get(r, "mentoring")) ?
	    ", happy to mentor" : "");
	why_line(r, why, sizeof why);
	if (why[0] != '\0')
		plain_out("     why: %s\n", why);
}

/* The filters in words: "expertise trauma; region north west". */
static void
filters_say(const struct filters *f, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s%s%s%s%s%s%s%s%s%s%s",
	    f->q[0] ? "words \"" : "", f->q, f->q[0] ? "\"; " : "",
	    f->tag[0] ? "expertise " : "", f->tag, f->tag[0] ? "; " : "",
	    f->region[0] ? "region " : "", f->region,
	    f->region[0] ? "; " : "", f->org[0] ? "organisation " : "",
	    f->org, f->org[0] ? "; " : "", f->mentors ? "mentors only; " :
	    "");
	if (f->comm_slug[0])
		snprintf(out + strlen(out), len - strlen(out), "community %s; ",
		    f->comm_name);
	if (strlen(out) >= 2)
		out[strlen(out) - 2] = '\0';
	else
		snprintf(out, len, "none (everyone)");
}

/* Search with the filters; prints the numbered results, returns them. */
static json_t *
directory_search(const struct filters *f)
{
	json_t *a = json_pack("{s:i}", "limit", 50), *r, *res, *list;
	char said[3200];
	size_t i;

	if (f->q[0])
		json_object_set_new(a, "q", json_string(f->q));
	if (f->tag[0])
		json_object_set_new(a, "expertise", json_string(f->tag));
	if (f->region[0])
		json_object_set_new(a, "region", json_string(f->region));
	if (f->org[0])
		json_object_set_new(a, "organisation", json_string(f->org));
	if (f->comm_slug[0])
		json_object_set_new(a, "community", json_string(f->comm_slug));
	if (f->mentors)
		json_object_set_new(a, "mentoring", json_true());
	r = plain_call("member.search", json_incref(a));
	if (!json_is_true(json_object_get(r, "ok"))) {
		/* a too-long filter, counted in characters */
		plain_out("  %s\n", err_message_for(json_object_get(r,
		    "error"), a));
		json_decref(a);
		json_decref(r);
		return json_array();
	}
	json_decref(a);
	res = json_object_get(r, "result");
	list = json_incref(jarr(res, "members"));
	json_decref(r);
	filters_say(f, said, sizeof said);
	plain_out("\nFilters: %s.\n", said);
	if (json_array_size(list) == 0)
		plain_out("Nobody matches these filters.\n");
	else
		plain_out("%zu %s found%s:\n", json_array_size(list),
		    json_array_size(list) == 1 ? "member" : "members",
		    json_array_size(list) == 50 ? " (the first 50)" : "");
	json_array_foreach(list, i, r)
		print_person(i + 1, r);
	return list;
}

/* Tags in use starting with prefix, as one line of suggestions. */
static void
say_tags(const char *prefix)
{
	json_t *r = plain_call("profile.tags", json_pack("{s:s, s:i}",
	    "prefix", prefix, "limit", 12)), *res, *t;
	size_t i;

	if ((res = plain_result(r)) != NULL &&
	    json_array_size(jarr(res, "tags")) > 0) {
		plain_out("Tags in use:");
		json_array_foreach(jarr(res, "tags"), i, t)
			plain_out("%s %s (%lld)", i ? "," : "", js(t, "tag"),
			    (long long)ji(t, "members"));
		plain_out(".\n");
	}
	json_decref(r);
}

/* Choose a community for the filter from the member's list. */
static void
choose_community(struct filters *f)
{
	json_t *r = plain_call("community.list", NULL), *res, *a, *c;
	size_t i;
	long k;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = jarr(res, "communities");
	plain_out("Communities:\n  0. Any community\n");
	json_array_foreach(a, i, c)
		plain_out("  %zu. %s\n", i + 1, js(c, "name"));
	k = atol(plain_ask("Number: "));
	if (k <= 0 || (size_t)k > json_array_size(a)) {
		f->comm_slug[0] = f->comm_name[0] = '\0';
	} else {
		c = json_array_get(a, (size_t)k - 1);
		snprintf(f->comm_slug, sizeof f->comm_slug, "%s", js(c, "slug"));
		snprintf(f->comm_name, sizeof f->comm_name, "%s", js(c, "name"));
	}
	json_decref(r);
}

/*
 * The suggested connections, numbered; returns them (or NULL). Only for
 * a newcomer when newcomers_only (after signing in); quiet: say nothing
 * when there are none.
 */
static json_t *
suggestions(int limit, bool newcomers_only, bool quiet)
{
	json_t *r = plain_call("member.suggestions", json_pack("{s:i}",
	    "limit", limit)), *res, *list, *p;
	size_t i;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return NULL;
	}
	list = json_incref(jarr(res, "suggestions"));
	if (newcomers_only && !json_is_true(json_object_get(res,
	    "newcomer")))
		json_array_clear(list);
	json_decref(r);
	if (json_array_size(list) == 0) {
		if (!quiet)
			plain_out("No suggestions yet: add expertise tags and "
			    "your region to your profile, or join a "
			    "community.\n");
		return list;
	}
	plain_out("\nPeople you might connect with (mentors first):\n");
	json_array_foreach(list, i, p)
		print_person(i + 1, p);
	return list;
}

void
plain_people_directory(void)
{
	struct filters f = { 0 };
	json_t *list = NULL;
	char *s;

	plain_out("\nFind members. Type words to find someone (names, roles, "
	    "organisations,\nregions, About, expertise), or a filter:\n"
	    "  e expertise, r region, o organisation, c community, "
	    "m mentors only,\n  x clear the filters, s people you might "
	    "connect with.\n");
	for (;;) {
		s = plain_ask("\nNumber to open a profile, words to find, "
		    "e r o c m x s for filters, 0 back: ");
		if (s[0] == '\0' || strcmp(s, "0") == 0 || strcmp(s, "q") == 0)
			break;
		if (s[0] >= '1' && s[0] <= '9' && atol(s) > 0) {
			long k = atol(s);
			if (list == NULL || (size_t)k > json_array_size(list))
				plain_out("There is no number %ld in the list.\n",
				    k);
			else
				plain_people_profile(js(json_array_get(list,
				    (size_t)k - 1), "handle"));
			continue;
		}
		if ((s[0] == 'e' || s[0] == 'r' || s[0] == 'o') &&
		    (s[1] == '\0' || s[1] == ' ')) {
			char which = s[0], *val = s[1] ? s + 2 : NULL;
			if (val == NULL) {
				if (which == 'e')
					say_tags("");
				val = plain_ask(which == 'e' ? "Expertise "
				    "(a tag or its start; Enter: any): " :
				    which == 'r' ? "Region (Enter: any): " :
				    "Organisation (Enter: any): ");
			}
			snprintf(which == 'e' ? f.tag : which == 'r' ?
			    f.region : f.org, which == 'e' ? sizeof f.tag :
			    which == 'r' ? sizeof f.region : sizeof f.org,
			    "%s", val);
		} else if (strcmp(s, "c") == 0)
			choose_community(&f);
		else if (strcmp(s, "m") == 0) {
			f.mentors = !f.mentors;
			plain_out("Mentors only: %s.\n", f.mentors ? "yes" :
			    "no");
		} else if (strcmp(s, "x") == 0)
			memset(&f, 0, sizeof f);
		else if (strcmp(s, "s") == 0) {
			json_t *l = suggestions(10, false, false);
			if (l != NULL) {
				json_decref(list);
				list = l;
			}
			continue;
		} else
			snprintf(f.q, sizeof f.q, "%s", s);
		json_decref(list);
		list = directory_search(&f);
	}
	json_decref(list);
}

/* Ask one field: Enter keeps the value shown. */
static void
ask_field(json_t *args, json_t *p, const char *key, const char *label)
{
	char prompt[400];
	char *v;

	snprintf(prompt, sizeof prompt, "%s [%s]: ", label, js(p, key));
	v = plain_ask(prompt);
	if (*v != '\0')
		json_object_set_new(args, key, json_string(v));
}

/* Edit one's own profile, every field in words. */
static void
profile_edit(json_t *p)
{
	static const char *f[][2] = { { "display_name", "Name" },
		{ "pronouns", "Pronouns" }, { "job_role", "Job role" },
		{ "organisation", "Organisation" }, { "region", "Region" },
		{ "bio", "About you (one line here)" },
		{ "contact", "Contact details" },
		{ "timezone", "Time zone (e.g. Europe/London)" } };
	json_t *args = json_object(), *t, *tags, *r, *res;
	char cur[800] = "", *v;
	size_t i;

	plain_out("Press Enter to keep what is in brackets.\n");
	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		ask_field(args, p, f[i][0], f[i][1]);
	json_array_foreach(json_object_get(p, "expertise"), i, t) {
		if (i > 0)
			strncat(cur, ", ", sizeof cur - strlen(cur) - 1);
		strncat(cur, json_string_value(t), sizeof cur - strlen(cur) - 1);
	}
	say_tags("");
	plain_out("Expertise: tags separated by commas, \"-\" for none.\n");
	{
		char prompt[900];
		snprintf(prompt, sizeof prompt, "Expertise [%s]: ", cur);
		v = plain_ask(prompt);
	}
	if (strcmp(v, "-") == 0)
		json_object_set_new(args, "expertise", json_array());
	else if (*v != '\0') {
		tags = json_array();
		for (char *tok = strtok(v, ","); tok != NULL;
		    tok = strtok(NULL, ","))
			json_array_append_new(tags, json_string(tok));
		json_object_set_new(args, "expertise", tags);
	}
	v = plain_ask(json_is_true(json_object_get(p, "mentoring")) ?
	    "Happy to mentor? [yes] y/n: " : "Happy to mentor? [no] y/n: ");
	if (v[0] == 'y' || v[0] == 'n')
		json_object_set_new(args, "mentoring", json_boolean(v[0] ==
		    'y'));
	plain_out("Who may see your contact details?\n  1. Nobody\n"
	    "  2. Members of communities you share (the default)\n"
	    "  3. All members\n");
	v = plain_ask("Number (Enter: keep as it is): ");
	if (v[0] >= '1' && v[0] <= '3')
		json_object_set_new(args, "contact_visibility", json_string(
		    v[0] == '1' ? "nobody" : v[0] == '2' ? "communities" :
		    "platform"));
	r = plain_call("profile.update", args);
	if ((res = plain_result(r)) != NULL) {
		plain_out("Saved.\n");
		when_member(json_object_get(res, "profile")); /* its zone */
	}
	json_decref(r);
}

void
plain_people_profile(const char *handle)
{
	static const char *f[][2] = { { "display_name", "Name" },
		{ "pronouns", "Pronouns" }, { "job_role", "Job role" },
		{ "organisation", "Organisation" }, { "region", "Region" } };
	json_t *r, *res, *p, *t;
	const char *vis;
	bool mine;
	char *a;
	size_t i;

	for (;;) {
		r = plain_call("profile.get", json_pack("{s:s}", "handle",
		    handle));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		p = json_object_get(res, "profile");
		mine = json_is_true(json_object_get(p, "self"));
		plain_out("\nProfile of @%s%s\n", js(p, "handle"),
		    json_is_true(json_object_get(p, "online")) ?
		    " (online now)" : "");
		for (i = 0; i < sizeof f / sizeof f[0]; i++)
			if (js(p, f[i][0])[0])
				plain_out("  %s: %s\n", f[i][1], js(p, f[i][0]));
		if (json_array_size(json_object_get(p, "expertise")) > 0) {
			plain_out("  Expertise:");
			json_array_foreach(json_object_get(p, "expertise"), i,
			    t)
				plain_out("%s %s", i ? "," : "",
				    json_string_value(t));
			plain_out("\n");
		}
		plain_out("  Mentoring: %s\n", json_is_true(json_object_get(p,
		    "mentoring")) ? "happy to mentor" : "not offered");
		if (json_is_string(json_object_get(p, "contact")) &&
		    js(p, "contact")[0])
			plain_out("  Contact: %s\n", js(p, "contact"));
		else if (!mine)
			plain_out("  Contact: not shared with you\n");
		if (mine) {
			vis = js(p, "contact_visibility");
			plain_out("  Who sees your contact details: %s\n",
			    strcmp(vis, "nobody") == 0 ? "nobody" :
			    strcmp(vis, "platform") == 0 ? "all members" :
			    "members of communities you share");
		}
		if (js(p, "bio")[0]) {
			plain_out("  About:\n");
			plain_print_md(js(p, "bio"), "    ");
		}
		if (!mine && json_array_size(json_object_get(p,
		    "communities")) > 0) {
			plain_out("  Communities you share:");
			json_array_foreach(json_object_get(p, "communities"),
			    i, t)
				plain_out("%s %s", i ? "," : "", js(t, "name"));
			plain_out("\n");
		}
		if (mine)
			a = plain_ask("\ne to edit, d for your devices (keys, "
			    "device codes), m for e-mail, Enter to go back: ");
		else
			a = plain_ask("\nt to find others with this expertise, "
			    "r others in this region, Enter to go back: ");
		if (mine && a[0] == 'e') {
			profile_edit(p);
			json_decref(r);
			continue;
		}
		if (mine && a[0] == 'd')
			plain_devices();
		if (mine && a[0] == 'm')
			plain_email(); /* plain-email.c */
		if (!mine && (a[0] == 't' || a[0] == 'r')) {
			struct filters fl = { 0 };
			json_t *l;

			if (a[0] == 't' && json_array_size(json_object_get(p,
			    "expertise")) > 0)
				snprintf(fl.tag, sizeof fl.tag, "%s",
				    json_string_value(json_array_get(
				    json_object_get(p, "expertise"), 0)));
			else if (a[0] == 'r' && js(p, "region")[0])
				snprintf(fl.region, sizeof fl.region, "%s",
				    js(p, "region"));
			else {
				plain_out("Their profile does not say.\n");
				json_decref(r);
				continue;
			}
			l = directory_search(&fl);
			json_decref(l);
			plain_out("(Find members, in the main menu, opens "
			    "them by number.)\n");
			json_decref(r);
			continue;
		}
		json_decref(r);
		return;
	}
}

void
plain_people_welcome(void)
{
	json_t *l = suggestions(3, true, true);

	if (json_array_size(l) > 0)
		plain_out("(Find members, then s, opens them.)\n");
	json_decref(l);
}

/*
 * Check the invite code (invite.check): whom it is for fills the name;
 * -1 after saying why it cannot be used (an older server without the
 * check: asked as before).
 */
static int
join_check(const char *code, char *name, size_t len)
{
	json_t *r = plain_call("invite.check", json_pack("{s:s}", "code",
	    code)), *res;

	name[0] = '\0';
	if (json_is_false(json_object_get(r, "ok")) &&
	    err_unknown_op(json_object_get(r, "error"))) {
		json_decref(r);
		return 0;
	}
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return -1;
	}
	snprintf(name, len, "%s", js(res, "name"));
	plain_out("This invite is for %s%s%s. Choose a handle, and the name "
	    "people see\n(Enter keeps %s).\n", js(res, "name"),
	    json_is_string(json_object_get(res, "community")) ?
	    ", to join " : "", json_is_string(json_object_get(res,
	    "community")) ? js(res, "community") : "", js(res, "name"));
	json_decref(r);
	return 0;
}

int
plain_join_ask(const char *code, char *handle, size_t hlen, char *name,
    size_t nlen)
{
	char prompt[200];
	const char *v;

	if (join_check(code, name, nlen) != 0)
		return -1;
	snprintf(handle, hlen, "%s", plain_ask("Handle (lowercase letters "
	    "a-z, digits, - or _; e.g. sam_k): "));
	snprintf(prompt, sizeof prompt, "Your name as others see it%s%s%s: ",
	    name[0] ? " [" : "", name, name[0] ? "]" : "");
	v = plain_ask(prompt);
	if (v[0] != '\0' || name[0] == '\0')
		snprintf(name, nlen, "%s", v);
	return 0;
}

void
plain_choose_community(const char *none, char *slug, size_t len)
{
	json_t *r = plain_call("community.list", NULL), *res, *a, *c;
	size_t i;
	long k;

	slug[0] = '\0';
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = jarr(res, "communities");
	plain_out("  0. %s\n", none);
	json_array_foreach(a, i, c)
		plain_out("  %zu. %s\n", i + 1, js(c, "name"));
	k = atol(plain_ask("Number (Enter: 0): "));
	if (k > 0 && (size_t)k <= json_array_size(a))
		snprintf(slug, len, "%s", js(json_array_get(a, (size_t)k - 1),
		    "slug"));
	json_decref(r);
}
