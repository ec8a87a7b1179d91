/*
 * op-room.c: (being written).
 */
#include "server.h"

const struct op op_room_table[] = {
	{ NULL, 0, NULL, NULL },
};
