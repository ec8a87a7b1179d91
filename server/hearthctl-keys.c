/*
 * hearthctl-keys.c: `hearthctl member device-code HANDLE [--name NAME]`:
 * a one-time device code for a member who lost every device
 * (admin.member.device_code). The code is printed once, with how the
 * member uses it; the audit log records who made it for whom.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "-";
}

int
hearthctl_device_code(int argc, char **argv,
    json_t *(*request)(const char *op, json_t *args), bool json_out)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r;
	const char *handle = NULL;
	char *s;
	int ch;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'n') {
			json_decref(args);
			return 2;
		}
		json_object_set_new(args, "name", json_string(optarg));
	}
	if (optind < argc)
		handle = argv[optind];
	if (handle == NULL || optind + 1 != argc) {
		fprintf(stderr, "hearthctl: member device-code HANDLE "
		    "[--name NAME]\n");
		json_decref(args);
		return 2;
	}
	json_object_set_new(args, "handle", json_string(handle));
	r = request("admin.member.device_code", args);
	if (json_out) {
		s = json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("%s\n", s);
		free(s);
	} else {
		printf("%s\n", str(r, "code"));
		fprintf(stderr, "Device code for @%s, valid %lld minutes (until "
		    "%s), once.\nGive it to them; on their new device they "
		    "connect with\n    %s\nand enter the code: the device's "
		    "key is added to @%s.\nTheir earlier pending code, if any, "
		    "no longer works.\n", str(r, "handle"),
		    (long long)json_integer_value(json_object_get(r,
		    "minutes")), str(r, "expires_at"), str(r, "connect"),
		    str(r, "handle"));
	}
	json_decref(r);
	return 0;
}
