/*
 * op-search.c: (being written).
 */
#include "server.h"

const struct op op_search_table[] = {
	{ NULL, 0, NULL, NULL },
};
