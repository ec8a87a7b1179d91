/*
 * log.c: log lines on stderr: time, program, pid, level, connection id and
 * function, then the message. Lines above the level set by log_init are
 * dropped; fatal always prints and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static const char *log_prog = "hearth";
static int log_level = LOG_INFO;

void
log_init(const char *prog, int level)
{
	if (prog != NULL)
		log_prog = prog;
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

/* Write one whole line; errno is preserved for the caller. */
static void
log_line(const char *level, const char *func, uint64_t conn, const char *fmt,
    va_list ap)
{
	char when[32], cid[24] = "";
	int saved = errno;

	time_iso8601(now_unix(), when);
	if (conn != 0)
		snprintf(cid, sizeof cid, "c%llu ", (unsigned long long)conn);
	flockfile(stderr);
	fprintf(stderr, "%s %s[%d] %-5s %s", when, log_prog, (int)getpid(),
	    level, cid);
	if (func != NULL)
		fprintf(stderr, "%s: ", func);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	errno = saved;
}

void
log_msg(int level, const char *func, uint64_t conn, const char *fmt, ...)
{
	static const char *const names[] = { "ERROR", "WARN", "INFO", "DEBUG" };
	va_list ap;

	if (level > log_level)
		return;
	if (level < LOG_ERROR)
		level = LOG_ERROR;
	va_start(ap, fmt);
	log_line(names[level > LOG_DEBUG ? LOG_DEBUG : level], func, conn, fmt,
	    ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("FATAL", NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
