/*
 * plain-msgreports.c: the line mode's queue of reported private messages
 * (staff: Admin menu, 7): each report with the one message reported (never
 * the rest of its conversation), its author, who reported it and why; a
 * number with x dismisses it, with c writes to its author.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

void
plain_message_reports(void)
{
	for (;;) {
		json_t *r = plain_call("message.reports", NULL), *res, *a, *x;
		size_t i, n;
		char *s, act;
		long k;

		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = jarr(res, "reports");
		n = json_array_size(a);
		plain_out("\nReported private messages: %zu.\n", n);
		json_array_foreach(a, i, x) {
			char *why = plain_preview(js(x, "reason"), 300);

			plain_out("  %zu. @%s wrote, %s:\n", i + 1,
			    js(json_object_get(x, "author"), "handle"),
			    when_say(js(x, "written_at")));
			plain_print_md(js(x, "body"), "     | ");
			plain_out("     Reported by @%s, %s: %s\n", js(x,
			    "reporter"), when_say(js(x, "created_at")), why);
			free(why);
		}
		if (n == 0) {
			plain_out("  None: nothing waits for staff.\n");
			json_decref(r);
			return;
		}
		s = plain_ask("\nA number and x to dismiss it, or a number and c "
		    "to write to its author (for example 1 c); Enter goes back: ");
		k = strtol(s, &s, 10);
		while (*s == ' ')
			s++;
		act = *s;
		if (k < 1 || (size_t)k > n || (act != 'x' && act != 'c')) {
			json_decref(r);
			if (k == 0 && act == '\0')
				return;
			plain_out("Type a number from the list, then x or c.\n");
			continue;
		}
		x = json_array_get(a, (size_t)k - 1);
		if (act == 'c') {
			const char *m = plain_ask("What its author reads (from "
			    "Hearth's staff; the reporter is never named): ");

			if (m[0] != '\0')
				plain_do("message.report_resolve", json_pack(
				    "{s:I, s:s, s:s}", "report_id", ji(x, "id"),
				    "action", "contact", "message", m),
				    "Sent to its author; the reporter is told.");
		} else
			plain_do("message.report_resolve", json_pack("{s:I, "
			    "s:s}", "report_id", ji(x, "id"), "action",
			    "dismiss"), "Dismissed; the reporter is told.");
		json_decref(r);
	}
}
