/*
 * op-thread.c: (being written).
 */
#include "server.h"

const struct op op_thread_table[] = {
	{ NULL, 0, NULL, NULL },
};
