/*
 * room.c: a live room (screens being written).
 */
#include "client.h"

struct view *
view_room(json_int_t room_id)
{
	(void)room_id;
	return view_message("Room", "The room screen is not ready yet.");
}

struct view *
view_room_open(json_t *open_args)
{
	json_decref(open_args);
	return view_message("Room", "The room screen is not ready yet.");
}
