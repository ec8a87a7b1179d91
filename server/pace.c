/*
 * pace.c: the library's transfers (sftp, and scp in its SFTP mode) share
 * one budget of bytes a second, `library_rate_mb` (0: no limit). An upload
 * or download at full speed over loopback keeps a core busy with its
 * encryption and the disk busy with its writes; paced, it leaves both to
 * the room whose hundred members are waiting for a line. 120 MB/s is more
 * than almost any member's own connection carries, so no one out on the
 * internet is slowed by it.
 *
 * A token bucket: pace_charge spends bytes, time refills them at the rate,
 * up to BURST_MS of it; a transfer that finds the bucket empty waits
 * (pace_wait) and is called back once it has refilled. Loop thread only.
 */
#include <stdlib.h>

#include "server.h"

#define BURST_MS 10 /* the bucket holds this long's bytes */
#define BURST_MIN (256 * 1024) /* and at least a chunk's */

struct waiter {
	void (*fn)(void *);
	void *arg;
};

static double tokens; /* bytes; below 0 once overspent */
static uint64_t refilled_ns;
static bool timer_ready;
static uv_timer_t timer;
static struct waiter *waiters;
static size_t nwaiters, capwaiters;

static double
rate(void)
{
	return (double)srv->cfg.library_rate_mb * 1e6; /* bytes a second */
}

static double
burst(void)
{
	double b = rate() * BURST_MS / 1000.0;

	return b < BURST_MIN ? BURST_MIN : b;
}

static void
refill(void)
{
	uint64_t now = uv_hrtime();

	if (refilled_ns != 0)
		tokens += rate() * (double)(now - refilled_ns) / 1e9;
	refilled_ns = now;
	if (tokens > burst())
		tokens = burst();
}

static void
run_waiters(void)
{
	struct waiter *w = waiters;
	size_t n = nwaiters;

	/* A callback may wait again: it goes on a fresh list. */
	waiters = NULL;
	nwaiters = capwaiters = 0;
	for (size_t i = 0; i < n; i++)
		w[i].fn(w[i].arg);
	free(w);
}

static void
timer_cb(uv_timer_t *t)
{
	(void)t;
	refill();
	run_waiters();
}

bool
pace_on(void)
{
	return srv->cfg.library_rate_mb > 0;
}

void
pace_charge(size_t bytes)
{
	if (!pace_on())
		return;
	refill();
	tokens -= (double)bytes;
}

bool
pace_wait(void (*fn)(void *), void *arg)
{
	uint64_t ms;

	if (!pace_on())
		return false;
	refill();
	if (tokens > 0)
		return false;
	if (nwaiters == capwaiters) {
		capwaiters = capwaiters ? capwaiters * 2 : 8;
		waiters = xrealloc(waiters, capwaiters * sizeof *waiters);
	}
	waiters[nwaiters].fn = fn;
	waiters[nwaiters++].arg = arg;
	if (!timer_ready) {
		uv_timer_init(srv->loop, &timer);
		uv_unref((uv_handle_t *)&timer);
		timer_ready = true;
	}
	if (!uv_is_active((uv_handle_t *)&timer)) {
		/* until the bucket is a chunk's worth above empty */
		ms = (uint64_t)((-tokens + BURST_MIN / 4.0) / rate() * 1000.0)
		    + 1;
		uv_timer_start(&timer, timer_cb, ms, 0);
	}
	return true;
}

void
pace_stop(void)
{
	if (timer_ready)
		uv_timer_stop(&timer);
	run_waiters();
}
