/*
 * op-notify.c: (being written).
 */
#include "server.h"

const struct op op_notify_table[] = {
	{ NULL, 0, NULL, NULL },
};
