/*
 * prio.c: how the kernel should schedule hearthd's threads.
 *
 * Two kinds of thread share the cores with everything else on the
 * machine. The loop thread and the write helpers answer people: a room's
 * line is encrypted and sent to a hundred sessions in a burst of a
 * millisecond or two, and what matters is that the burst starts at once
 * and is not cut into by a long-running neighbour. The library's writer
 * thread moves bulk data: what matters there is throughput over seconds,
 * and that the loop never waits for it.
 *
 * prio_latency asks for a short time slice (Linux 6.12 and later: a
 * SCHED_OTHER thread's sched_runtime is its requested slice under EEVDF,
 * and a waking thread with a shorter slice may preempt the running one).
 * Nothing privileged: the nice value stays what it was, and a kernel that
 * does not know custom slices ignores the field.
 *
 * prio_background raises the calling thread's nice value by some steps
 * and gives it the kernel's own slice back (a thread inherits the slice
 * of the one that started it). Pool workers (worker_background) are 5
 * steps down, as they always were. The library's writer thread stays at
 * the loop's nice value: 10 steps down was tried, and the loop then
 * stalled 33-100 ms now and then during uploads while using almost no
 * CPU (waiting on something the starved writer held); at the same nice
 * no stall over 23 ms was seen, and the fan-out's p99 was no worse.
 *
 * Failures are logged at debug level and otherwise ignored. The short
 * slices need `thread_hints = on`: off by default, since with them the
 * loop was seen to stall 40-180 ms now and then beside an upload (loop
 * lag, almost no CPU used). Those stalls (and the ones blamed on the
 * writer's nice above) were later found to be the WAL's truncate holding
 * SQLite's write lock (checkpoint.c now cuts it in steps), seen with the
 * hints off too; whether the hints help was not measured again since.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server.h"

#define PRIO_SLICE_NS 200000ULL /* 0.2 ms: above the kernel's 0.1 ms floor */

/* The kernel's struct sched_attr, version 0 (48 bytes). */
struct prio_attr {
	uint32_t size;
	uint32_t policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
};

static bool prio_off;

void
prio_configure(bool enabled)
{
	prio_off = !enabled;
}

static pid_t
prio_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

#define PRIO_KEEP_POLICY 0x08 /* SCHED_FLAG_KEEP_POLICY, Linux 5.3 */

/*
 * Set the calling thread's nice value and requested slice (0: default),
 * keeping its policy (SCHED_BATCH chosen by an administrator stays). On a
 * kernel without custom slices or KEEP_POLICY, only the nice value.
 */
static int
prio_set(int nice, uint64_t slice_ns)
{
#ifdef SYS_sched_setattr
	struct prio_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = PRIO_KEEP_POLICY;
	a.nice = nice;
	a.runtime = slice_ns;
	if (syscall(SYS_sched_setattr, 0, &a, 0) == 0)
		return 0;
	if (slice_ns != 0)
		return -1;
#else
	(void)slice_ns;
#endif
	return setpriority(PRIO_PROCESS, (id_t)prio_tid(), nice);
}

static int
prio_nice(void)
{
	int nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)prio_tid());
	return nice == -1 && errno != 0 ? 0 : nice;
}

void
prio_latency(const char *who)
{
	if (!prio_off && prio_set(prio_nice(), PRIO_SLICE_NS) != 0)
		log_debug(0, "%s: no short time slice: %s", who,
		    strerror(errno));
}

void
prio_background(const char *who, int steps)
{
	int nice = prio_nice() + steps;

	if (nice > 19)
		nice = 19;
	/* The default slice again: a thread started by one with a short
	 * slice inherits it. */
	if (prio_set(nice, 0) != 0)
		log_debug(0, "%s: nice unchanged: %s", who, strerror(errno));
}

/*
 * A thread-pool worker runs below the loop thread's priority, so slow
 * work there (searches, checkpoints) never keeps the loop from a CPU.
 */
void
worker_background(void)
{
	static _Thread_local bool done;

	if (!done) {
		prio_background("pool worker", 5);
		pthread_setname_np(pthread_self(), "hearthd-pool");
		done = true;
	}
}
