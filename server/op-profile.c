/*
 * op-profile.c: (being written).
 */
#include "server.h"

const struct op op_profile_table[] = {
	{ NULL, 0, NULL, NULL },
};
