/*
 * calls.c: the calls sent to hearthd that still wait for their reply. Each
 * call gets the next id; the reply that carries that id, and only that
 * one, runs the callback registered with it, once, unless the view that
 * asked has gone (calls_forget). Replies may come in any order: the server
 * answers slow operations (search.query) after later requests. When the
 * connection is lost, calls_fail answers every call still waiting.
 * net.c owns the socket and hands each reply line here; this file knows
 * nothing of libuv, so it is unit-tested on its own.
 */
#include <stdlib.h>

#include "common.h"
#include "client.h"

struct call {
	json_int_t id;
	struct view *owner;
	reply_fn cb;
	void *ctx;
	bool dead; /* its view has gone: drop the reply */
	struct call *next;
};

static json_int_t next_id = 1;
static struct call *head, *tail;

/* Run c's callback with msg's result or error, unless its view has gone. */
static void
call_run(struct call *c, json_t *msg)
{
	if (c->dead || c->cb == NULL)
		return;
	if (json_is_true(json_object_get(msg, "ok")))
		c->cb(c->ctx, json_object_get(msg, "result"), NULL);
	else
		c->cb(c->ctx, NULL, json_object_get(msg, "error"));
}

json_int_t
calls_add(struct view *owner, reply_fn cb, void *ctx)
{
	struct call *c = xcalloc(1, sizeof *c);

	c->id = next_id++;
	c->owner = owner;
	c->cb = cb;
	c->ctx = ctx;
	if (tail != NULL)
		tail->next = c;
	else
		head = c;
	tail = c;
	return c->id;
}

bool
calls_answer(json_t *msg)
{
	json_t *idv = json_object_get(msg, "id");
	struct call *c, *prev = NULL;
	json_int_t id;

	if (!json_is_integer(idv))
		return false;
	id = json_integer_value(idv);
	for (c = head; c != NULL && c->id != id; c = c->next)
		prev = c;
	if (c == NULL)
		return false; /* answered already, or never asked */
	/* unlink first: the callback may call again or forget views */
	if (prev != NULL)
		prev->next = c->next;
	else
		head = c->next;
	if (tail == c)
		tail = prev;
	call_run(c, msg);
	free(c);
	return true;
}

void
calls_forget(struct view *owner)
{
	for (struct call *c = head; c != NULL; c = c->next)
		if (c->owner == owner)
			c->dead = true;
}

void
calls_fail(json_t *error)
{
	struct call *c;

	while ((c = head) != NULL) {
		head = c->next;
		if (!c->dead && c->cb != NULL)
			c->cb(c->ctx, NULL, error);
		free(c);
	}
	tail = NULL;
}

size_t
calls_waiting(void)
{
	size_t n = 0;

	for (struct call *c = head; c != NULL; c = c->next)
		n++;
	return n;
}
