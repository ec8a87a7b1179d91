/*
 * expert.c: expert speaker requests (screens being written).
 */
#include "client.h"

struct view *
view_experts(void)
{
	return view_message("Expert speakers", "The expert requests screen "
	    "is not ready yet.");
}
