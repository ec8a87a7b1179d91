/*
 * op-expert.c: (being written).
 */
#include "server.h"

const struct op op_expert_table[] = {
	{ NULL, 0, NULL, NULL },
};
