/*
 * programme.c: the programme of events (screens being written).
 */
#include "client.h"

struct view *
view_programme(const char *community_slug)
{
	(void)community_slug;
	return view_message("Programme", "The programme screen is not "
	    "ready yet.");
}

struct view *
view_event(json_int_t id)
{
	(void)id;
	return view_message("Event", "The event screen is not ready yet.");
}
