/*
 * writers.c: helper threads that share one batch of work with the loop
 * thread. writers_run hands out the items a few at a time (WRITERS_PIECE)
 * to whichever thread asks next, the loop thread included, and returns
 * once every piece is done, so to the loop the batch is one synchronous
 * step. A helper that has not woken up by the time the loop has taken the
 * last piece takes none: on a machine whose cores are busy (a transfer, a
 * build) the loop no longer waits for a helper to be scheduled to do a
 * fixed share, only for pieces a helper is already doing. sshd.c uses it to encrypt and
 * send a room line to a thousand sessions on more than one core: libssh
 * sessions are not shared between threads, but a session may move from one
 * thread to another while nothing else uses it.
 *
 * Threads: writers_init, writers_run and writers_stop are called on the
 * loop thread only. During writers_run each thread calls fn on its own
 * slice; fn may touch only its items (the loop thread is inside
 * writers_run, so nothing else runs). The mutex hand-off at the start and
 * end of a batch orders everything the loop did before it with what the
 * helpers do, and what they did with what the loop does after.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "server.h"

#define WRITERS_MAX 8
#define WRITERS_PIECE 4 /* items a thread takes at a time */

struct writer {
	pthread_t th;
};

static struct writer writers[WRITERS_MAX];
static int nwriters;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static unsigned batch; /* bumped for each batch */
static bool batch_open; /* helpers may still join this batch */
static int running; /* helpers inside this batch */
static bool quit;
static void **batch_items;
static size_t batch_n;
static _Atomic size_t batch_next; /* the first item nobody took yet */
static writers_fn batch_fn;

/* Take pieces of the batch until none is left. */
static void
take_pieces(void)
{
	size_t i, n;

	while ((i = batch_next) < batch_n) {
		i = __atomic_fetch_add(&batch_next, WRITERS_PIECE,
		    __ATOMIC_RELAXED);
		if (i >= batch_n)
			break;
		n = batch_n - i < WRITERS_PIECE ? batch_n - i : WRITERS_PIECE;
		batch_fn(batch_items + i, n);
	}
}

static void *
writer_main(void *arg)
{
	unsigned seen = 0;

	(void)arg;
	prio_latency("write helper");
	pthread_setname_np(pthread_self(), "hearthd-write"); /* after */
	pthread_mutex_lock(&lock);
	for (;;) {
		while (batch == seen && !quit)
			pthread_cond_wait(&go, &lock);
		if (quit)
			break;
		seen = batch;
		if (!batch_open)
			continue; /* woke too late: the loop did it all */
		running++;
		pthread_mutex_unlock(&lock);
		take_pieces();
		pthread_mutex_lock(&lock);
		if (--running == 0)
			pthread_cond_signal(&done);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
writers_init(int n)
{
	sigset_t all, old;
	int rc;

	if (n > WRITERS_MAX)
		n = WRITERS_MAX;
	/* Signals stay with the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (nwriters = 0; nwriters < n; nwriters++) {
		rc = pthread_create(&writers[nwriters].th, NULL, writer_main,
		    &writers[nwriters]);
		if (rc != 0) {
			log_warn(0, "cannot start write helper %d: %s",
			    nwriters, strerror(rc));
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return nwriters;
}

int
writers_count(void)
{
	return nwriters;
}

void
writers_run(void **items, size_t n, writers_fn fn)
{
	if (nwriters == 0 || n <= WRITERS_PIECE) {
		fn(items, n);
		return;
	}
	pthread_mutex_lock(&lock);
	batch_items = items;
	batch_n = n;
	batch_next = 0;
	batch_fn = fn;
	batch_open = true;
	batch++;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);

	take_pieces();

	pthread_mutex_lock(&lock);
	batch_open = false; /* late helpers take nothing */
	while (running > 0)
		pthread_cond_wait(&done, &lock);
	batch_items = NULL;
	batch_fn = NULL;
	pthread_mutex_unlock(&lock);
}

void
writers_stop(void)
{
	pthread_mutex_lock(&lock);
	quit = true;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nwriters; i++)
		pthread_join(writers[i].th, NULL);
	nwriters = 0;
	quit = false;
}
