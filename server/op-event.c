/*
 * op-event.c: (being written).
 */
#include "server.h"

const struct op op_event_table[] = {
	{ NULL, 0, NULL, NULL },
};

char *
event_calendar(int64_t member_id)
{
	return xstrdup("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Hearth//Hearth " HEARTH_VERSION "//EN\r\n"
	    "END:VCALENDAR\r\n");
}
