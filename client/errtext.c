/*
 * errtext.c: the server's error messages as sentences a member reads.
 * Protocol messages name arguments for programmers ("args.handle must be
 * ..."); every screen and the line mode show errors through err_message
 * (net.c), which passes them through err_text here: the argument becomes
 * the words the screen uses for it ("The handle must be ..."), the first
 * letter a capital, and the sentence ends with a full stop. Inside any
 * message, "args.x" becomes "the x" and an operation's name in brackets
 * ("(member.accept_coc)") is left out.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* Argument names and the words a member knows them by. */
static const char *labels[][2] = {
	{ "handle", "handle" }, { "display_name", "name" },
	{ "job_role", "job role" }, { "bio", "About text" },
	{ "contact_visibility", "choice of who sees your contact details" },
	{ "contact", "contact details" }, { "expertise", "expertise" },
	{ "slug", "community" }, { "community", "community" },
	{ "q", "search text" }, { "body", "text" }, { "why", "reason" },
	{ "code", "code" }, { "starts_at", "start time" },
	{ "ends_at", "end time" }, { "preferred_times", "preferred times" },
	{ "region", "region" }, { "organisation", "organisation" },
	{ "pronouns", "pronouns" }, { "mentoring", "mentoring choice" },
	{ "name", "name" }, { "title", "title" }, { "topic", "topic" },
	{ "reason", "reason" }, { "role", "role" },
	{ "since", "start" }, { "until", "end" }, { "days", "number of days" },
};

/* The words for argument name (len bytes) into out. */
static void
label_of(const char *name, size_t len, char *out, size_t outlen)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strlen(labels[i][0]) == len &&
		    strncmp(labels[i][0], name, len) == 0) {
			snprintf(out, outlen, "%s", labels[i][1]);
			return;
		}
	snprintf(out, outlen, "%.*s", (int)len, name);
	for (char *p = out; *p; p++)
		if (*p == '_' || *p == '.')
			*p = ' ';
}

/* Is s (n bytes) an operation's name, like member.accept_coc? */
static bool
is_op_name(const char *s, size_t n)
{
	size_t dots = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (!(s[i] >= 'a' && s[i] <= 'z') && s[i] != '_')
			return false;
	}
	return dots > 0 && s[0] != '.' && s[n - 1] != '.';
}

/*
 * Inside a sentence: "args.community" becomes "the community", and an
 * operation's name in brackets (" (member.accept_coc)") goes.
 */
static void
words_inside(char *s, size_t len)
{
	char *tmp = xmalloc(len), label[96];
	size_t o = 0;
	const char *p = s;

	while (*p != '\0' && o + 1 < len) {
		if (strncmp(p, "args.", 5) == 0 && p != s) {
			size_t n = 0;
			while (isalnum((unsigned char)p[5 + n]) || p[5 + n] == '_')
				n++;
			label_of(p + 5, n, label, sizeof label);
			o += (size_t)snprintf(tmp + o, len - o, "the %s", label);
			if (o >= len)
				o = len - 1;
			p += 5 + n;
			continue;
		}
		if (p[0] == ' ' && p[1] == '(') {
			const char *e = strchr(p + 2, ')');
			if (e != NULL && is_op_name(p + 2, (size_t)(e - p - 2))) {
				p = e + 1;
				continue;
			}
		}
		tmp[o++] = *p++;
	}
	tmp[o] = '\0';
	memcpy(s, tmp, o + 1);
	free(tmp);
}

const char *
err_text(const char *msg, char *out, size_t len)
{
	const char *p = msg, *name, *rest;
	char label[96], item[32] = "";
	size_t nl, n;

	if (strncmp(msg, "args.", 5) != 0) {
		if (strncmp(msg, "args must", 9) == 0 ||
		    strncmp(msg, "op must", 7) == 0)
			snprintf(out, len, "This screen sent a request the "
			    "server does not understand (%s). Please tell "
			    "the people who run Hearth.", msg);
		else if (strstr(msg, "args.") != NULL ||
		    strstr(msg, " (") != NULL) {
			snprintf(out, len, "%s", msg);
			words_inside(out, len);
			if (strcmp(out, msg) == 0)
				return msg;
		} else
			return msg;
		return out;
	}
	name = p + 5;
	for (nl = 0; name[nl] != '\0' && (isalnum((unsigned char)name[nl]) ||
	    name[nl] == '_'); nl++)
		;
	rest = name + nl;
	if (*rest == '[') { /* a list's item: args.expertise[2] */
		snprintf(item, sizeof item, " (item %ld)", strtol(rest + 1,
		    NULL, 10) + 1);
		rest = strchr(rest, ']') != NULL ? strchr(rest, ']') + 1 : rest;
	}
	while (*rest == '.' || isalnum((unsigned char)*rest) || *rest == '_')
		rest++; /* args.a.b: a field inside an object */
	while (*rest == ' ')
		rest++;
	label_of(name, nl, label, sizeof label);
	if (strcmp(rest, "is required") == 0)
		snprintf(out, len, "Please fill in the %s%s.", label, item);
	else if (strncmp(rest, "is too long (max ", 17) == 0)
		snprintf(out, len, "The %s%s is too long: please shorten it "
		    "(at most %ld letters, fewer if they are accented or not "
		    "Latin).", label, item, strtol(rest + 17, NULL, 10));
	else if (strncmp(rest, "is not an argument", 18) == 0)
		snprintf(out, len, "This screen sent something the server "
		    "does not understand (%s). Please tell the people who run "
		    "Hearth.", label);
	else
		snprintf(out, len, "The %s%s %s", label, item, rest);
	words_inside(out, len);
	out[0] = (char)toupper((unsigned char)out[0]);
	n = strlen(out);
	if (n > 0 && n + 1 < len && strchr(".!?", out[n - 1]) == NULL) {
		out[n] = '.';
		out[n + 1] = '\0';
	}
	return out;
}

/* Characters (UTF-8 code points) in s's first n bytes. */
static size_t
chars_in(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n && s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

bool
err_too_long(const char *msg, json_t *args, char *text, size_t len)
{
	const char *typed;
	char name[64], label[96];
	size_t nl = 0, fit, all, cut;
	long max;

	if (strncmp(msg, "args.", 5) != 0)
		return false;
	while ((isalnum((unsigned char)msg[5 + nl]) || msg[5 + nl] == '_') &&
	    nl + 1 < sizeof name)
		nl++;
	if (strncmp(msg + 5 + nl, " is too long (max ", 18) != 0)
		return false;
	snprintf(name, sizeof name, "%.*s", (int)nl, msg + 5);
	max = strtol(msg + 5 + nl + 18, NULL, 10);
	typed = json_string_value(json_object_get(args, name));
	if (typed == NULL || max <= 0 || strlen(typed) <= (size_t)max)
		return false;
	/* the server counts bytes; say it in the characters typed: as many
	 * whole ones as its limit holds (a CJK one takes three bytes) */
	cut = (size_t)max;
	while (cut > 0 && ((unsigned char)typed[cut] & 0xc0) == 0x80)
		cut--;
	fit = chars_in(typed, cut);
	all = chars_in(typed, strlen(typed));
	label_of(name, nl, label, sizeof label);
	snprintf(text, len, "The %s is too long: %zu character%s of "
	    "the %zu typed fit%s; please shorten it.", label, fit, fit == 1 ?
	    "" : "s", all, fit == 1 ? "s" : "");
	return true;
}
