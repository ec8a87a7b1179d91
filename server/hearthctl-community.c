/*
 * hearthctl-community.c: the hearthctl commands for running a community
 * from the console: its join requests and their answers, its settings,
 * who left, and the list and page of communities with their counts.
 * "community create" and "community role" stay in hearthctl.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static void __attribute__((noreturn))
usage_die(const char *usage)
{
	fprintf(stderr, "hearthctl: usage: hearthctl community %s\n", usage);
	exit(2);
}

static long long
num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* One line of someone's text, cut at its first line break. */
static void
print_text(const char *label, const char *text)
{
	int n = (int)strcspn(text, "\n");

	printf("  %s%.*s%s\n", label, n > 200 ? 200 : n, text,
	    text[n] != '\0' || n > 200 ? " ..." : "");
}

static int
cmd_requests(int argc, char **argv)
{
	json_t *r, *it;
	char d[32];
	size_t i;

	if (argc != 3)
		usage_die("requests SLUG");
	r = ctl_request("community.requests", json_pack("{s:s, s:i}", "slug",
	    argv[2], "limit", 200));
	if (!ctl_print_json(r)) {
		json_array_foreach(json_object_get(r, "requests"), i, it) {
			ctl_print_date(ctl_str(it, "created_at"), d);
			printf("#%lld  %s  @%s (%s) asks to join as %s\n",
			    num(it, "id"), d, ctl_str(it, "handle"),
			    ctl_str(it, "display_name"), ctl_str(it, "role"));
			if (*ctl_str(it, "message") != '\0' &&
			    strcmp(ctl_str(it, "message"), "-") != 0)
				print_text("“", ctl_str(it, "message"));
		}
		if (json_array_size(json_object_get(r, "requests")) == 0)
			printf("No join requests are waiting in %s.\n",
			    ctl_str(r, "slug"));
		else
			printf("Answer one with: hearthctl community decide ID "
			    "--approve|--decline --message TEXT\n");
	}
	json_decref(r);
	return 0;
}

static int
cmd_decide(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "approve", no_argument, NULL, 'a' },
		{ "decline", no_argument, NULL, 'd' },
		{ "as", required_argument, NULL, 's' },
		{ "message", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	static const char use[] = "decide ID --approve|--decline "
	    "[--as member|interested] [--message TEXT]";
	json_t *args = json_object(), *r;
	int ch, choice = 0;
	char *end;
	long long id;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a' || ch == 'd') {
			if (choice != 0 && choice != ch)
				usage_die(use);
			choice = ch;
		} else if (ch == 's')
			json_object_set_new(args, "as", json_string(optarg));
		else if (ch == 'm')
			json_object_set_new(args, "message",
			    json_string(optarg));
		else
			usage_die(use);
	}
	if (optind + 1 != argc || choice == 0)
		usage_die(use);
	id = strtoll(argv[optind], &end, 10);
	if (*argv[optind] == '\0' || *end != '\0' || id <= 0)
		usage_die(use);
	json_object_set_new(args, "request_id", json_integer(id));
	json_object_set_new(args, "approve", json_boolean(choice == 'a'));
	r = ctl_request("community.decide", args);
	if (!ctl_print_json(r))
		printf("@%s's request to join %s: %s%s%s. They have been "
		    "told.\n", ctl_str(r, "handle"), ctl_str(r, "slug"),
		    ctl_str(r, "status"), choice == 'a' ? " as " : "",
		    choice == 'a' ? ctl_str(r, "role") : "");
	json_decref(r);
	return 0;
}

static void
print_show(json_t *it)
{
	json_t *counts = json_object_get(it, "counts");
	json_t *pending = json_object_get(it, "pending_requests");

	printf("%s (%s): %s, join policy %s, %lld members\n",
	    ctl_str(it, "name"), ctl_str(it, "slug"),
	    ctl_str(it, "visibility"), ctl_str(it, "join_policy"),
	    num(it, "members"));
	printf("Managers %lld, leaders %lld, members %lld, interested %lld\n",
	    num(counts, "manager"), num(counts, "leader"),
	    num(counts, "member"), num(counts, "interested"));
	if (json_is_integer(pending))
		printf("Join requests waiting: %lld\n",
		    (long long)json_integer_value(pending));
	printf("Interested cap: %lld%%%s\n", num(it, "interested_cap"),
	    json_is_true(json_object_get(it, "refuse_interested_over_cap")) ?
	    " (refused above it)" : " (managers are warned above it)");
	printf("Purpose: %s\nCriteria: %s\nPrivacy: %s\n",
	    ctl_str(it, "purpose"), ctl_str(it, "criteria"),
	    ctl_str(it, "privacy"));
}

static int
cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "purpose", required_argument, NULL, 'p' },
		{ "criteria", required_argument, NULL, 'c' },
		{ "privacy", required_argument, NULL, 'P' },
		{ "visibility", required_argument, NULL, 'v' },
		{ "join-policy", required_argument, NULL, 'j' },
		{ "interested-cap", required_argument, NULL, 'i' },
		{ "refuse-over-cap", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[] = { ['n'] = "name",
		['p'] = "purpose", ['c'] = "criteria", ['P'] = "privacy",
		['v'] = "visibility", ['j'] = "join_policy" };
	static const char use[] = "update SLUG [--name NAME] [--purpose TEXT] "
	    "[--criteria TEXT] [--privacy TEXT] [--visibility "
	    "private|platform|public] [--join-policy open|request|invite] "
	    "[--interested-cap PERCENT] [--refuse-over-cap yes|no]";
	json_t *args = json_object(), *r;
	char *end;
	long long cap;
	int ch;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'i') {
			cap = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || (*end != '\0' &&
			    strcmp(end, "%") != 0))
				usage_die(use);
			json_object_set_new(args, "interested_cap",
			    json_integer(cap));
		} else if (ch == 'r') {
			if (strcmp(optarg, "yes") != 0 &&
			    strcmp(optarg, "no") != 0)
				usage_die(use);
			json_object_set_new(args, "refuse_interested_over_cap",
			    json_boolean(strcmp(optarg, "yes") == 0));
		} else if (ch > 0 && ch < (int)(sizeof keys / sizeof keys[0]) &&
		    keys[ch] != NULL)
			json_object_set_new(args, keys[ch], json_string(optarg));
		else
			usage_die(use);
	}
	if (optind + 1 != argc)
		usage_die(use);
	json_object_set_new(args, "slug", json_string(argv[optind]));
	r = ctl_request("community.update", args);
	if (!ctl_print_json(r)) {
		printf("Updated. The Welcome thread follows the new settings."
		    "\n");
		print_show(json_object_get(r, "community"));
	}
	json_decref(r);
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	json_t *r;

	if (argc != 3)
		usage_die("show SLUG");
	r = ctl_request("community.get", json_pack("{s:s}", "slug", argv[2]));
	if (!ctl_print_json(r))
		print_show(json_object_get(r, "community"));
	json_decref(r);
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	json_t *r, *list, *it, *p;
	size_t i;

	(void)argv;
	if (argc != 2)
		usage_die("list");
	r = ctl_request("community.list", json_object());
	if (!ctl_print_json(r)) {
		list = json_object_get(r, "communities");
		printf("%-20s %-28s %-9s %-8s %-7s %s\n", "SLUG", "NAME",
		    "VISIBLE", "JOIN", "MEMBERS", "REQUESTS");
		json_array_foreach(list, i, it) {
			p = json_object_get(it, "pending_requests");
			printf("%-20s %-28.28s %-9s %-8s %-7lld %lld\n",
			    ctl_str(it, "slug"), ctl_str(it, "name"),
			    ctl_str(it, "visibility"),
			    ctl_str(it, "join_policy"), num(it, "members"),
			    (long long)json_integer_value(p));
		}
		if (json_array_size(list) == 0)
			printf("(no communities yet)\n");
	}
	json_decref(r);
	return 0;
}

static int
cmd_left(int argc, char **argv)
{
	json_t *r, *it;
	char d[32];
	size_t i;

	if (argc != 3)
		usage_die("left SLUG");
	r = ctl_request("community.departures", json_pack("{s:s, s:i}", "slug",
	    argv[2], "limit", 200));
	if (!ctl_print_json(r)) {
		json_array_foreach(json_object_get(r, "departures"), i, it) {
			ctl_print_date(ctl_str(it, "left_at"), d);
			printf("%s  @%s (%s), %s: %s%s%s\n", d,
			    ctl_str(it, "handle"), ctl_str(it, "display_name"),
			    ctl_str(it, "role"),
			    json_is_true(json_object_get(it, "removed")) ?
			    "removed by " : "left",
			    json_is_true(json_object_get(it, "removed")) ?
			    (json_is_string(json_object_get(it, "removed_by")) ?
			    ctl_str(it, "removed_by") : "the console") : "",
			    json_is_true(json_object_get(it, "back")) ?
			    " (back since)" : "");
		}
		if (json_array_size(json_object_get(r, "departures")) == 0)
			printf("Nobody has left %s.\n", ctl_str(r, "slug"));
	}
	json_decref(r);
	return 0;
}

int
ctl_community_more(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "requests", cmd_requests }, { "decide", cmd_decide },
		{ "update", cmd_update }, { "show", cmd_show },
		{ "list", cmd_list }, { "left", cmd_left },
	};

	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc, argv);
	return -1;
}
