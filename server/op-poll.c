/*
 * op-poll.c: (being written).
 */
#include "server.h"

const struct op op_poll_table[] = {
	{ NULL, 0, NULL, NULL },
};
