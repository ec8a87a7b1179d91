/*
 * hearthctl-survey.c: `hearthctl survey list` and `hearthctl survey export
 * ID --format csv` for the research team (survey.list, survey.export): an
 * anonymous survey's export has no member column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* One CSV field (RFC 4180: quoted when it needs to be). */
static void
csv_field(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
csv_row(FILE *f, json_t *row)
{
	size_t i;
	json_t *v;
	char num[32];

	json_array_foreach(row, i, v) {
		if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%lld",
			    (long long)json_integer_value(v));
			csv_field(f, num, i == 0);
		} else
			csv_field(f, json_is_string(v) ? json_string_value(v) :
			    "", i == 0);
	}
	fputs("\r\n", f);
}

static int
cmd_export(int argc, char **argv)
{
	const char *format = "csv";
	long long id = 0;
	char *end;
	json_t *r, *row;
	size_t i;

	for (int k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--format") == 0 && k + 1 < argc)
			format = argv[++k];
		else if (id == 0) {
			id = strtoll(argv[k], &end, 10);
			if (*end != '\0' || id <= 0)
				hctl_die("survey export: '%s' is not a survey "
				    "number", argv[k]);
		} else
			hctl_die("survey export ID --format csv");
	}
	if (id == 0)
		hctl_die("usage: hearthctl survey export ID --format csv");
	if (strcmp(format, "csv") != 0)
		hctl_die("survey export: --format csv is the one format");
	r = hctl_request("survey.export", json_pack("{s:I}", "survey_id",
	    (json_int_t)id));
	if (hctl_print_json(r)) {
		json_decref(r);
		return 0;
	}
	csv_row(stdout, json_object_get(r, "columns"));
	json_array_foreach(json_object_get(r, "rows"), i, row)
		csv_row(stdout, row);
	json_decref(r);
	return 0;
}

static int
cmd_list(void)
{
	json_t *r = hctl_request("survey.list", json_pack("{s:i}", "limit",
	    200)), *s;
	size_t i;

	if (hctl_print_json(r)) {
		json_decref(r);
		return 0;
	}
	json_array_foreach(json_object_get(r, "surveys"), i, s) {
		char closes[32] = "-";

		if (json_is_string(json_object_get(s, "closes_at")))
			hctl_print_date(hctl_str(s, "closes_at"), closes);
		printf("%5lld  %-7s %-9s %4lld answers  closes %-17s %s%s%s\n",
		    (long long)json_integer_value(json_object_get(s, "id")),
		    hctl_str(s, "status"), json_is_true(json_object_get(s,
		    "anonymous")) ? "anonymous" : "named", (long long)
		    json_integer_value(json_object_get(s, "responses")), closes,
		    hctl_str(s, "title"), json_is_string(json_object_get(s,
		    "community")) ? "  in " : "", json_is_string(
		    json_object_get(s, "community")) ? hctl_str(s,
		    "community") : "");
	}
	json_decref(r);
	return 0;
}

int
hctl_survey(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return cmd_export(argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return cmd_list();
	hctl_die("survey list|export ID --format csv (see hearthctl --help)");
}
