/*
 * writers.c: helper threads that share one batch of work with the loop
 * thread. writers_run splits an array of items into one slice per thread,
 * does the first slice itself, and returns once every slice is done, so to
 * the loop the batch is one synchronous step. sshd.c uses it to encrypt and
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

struct writer {
	pthread_t th;
	size_t from, to; /* this batch's slice */
};

static struct writer writers[WRITERS_MAX];
static int nwriters;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static unsigned batch; /* bumped for each batch */
static int running; /* helpers still on this batch */
static bool quit;
static void **batch_items;
static writers_fn batch_fn;

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	unsigned seen = 0;
	size_t from, to;

	pthread_mutex_lock(&lock);
	for (;;) {
		while (batch == seen && !quit)
			pthread_cond_wait(&go, &lock);
		if (quit)
			break;
		seen = batch;
		from = w->from;
		to = w->to;
		pthread_mutex_unlock(&lock);
		if (to > from)
			batch_fn(batch_items + from, to - from);
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
	size_t per, at;

	if (nwriters == 0 || n < 2) {
		fn(items, n);
		return;
	}
	per = n / (size_t)(nwriters + 1);
	at = n - per * (size_t)nwriters; /* the loop thread's share */
	pthread_mutex_lock(&lock);
	batch_items = items;
	batch_fn = fn;
	for (int i = 0; i < nwriters; i++) {
		writers[i].from = at;
		writers[i].to = at + per;
		at += per;
	}
	running = nwriters;
	batch++;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);

	fn(items, n - per * (size_t)nwriters);

	pthread_mutex_lock(&lock);
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
