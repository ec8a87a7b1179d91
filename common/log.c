/*
 * log.c: log lines on stderr: time, program, level, connection id, function.
 */
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
	log_prog = prog;
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

void
log_msg(int level, const char *func, uint64_t conn, const char *fmt, ...)
{
	static const char *const names[] = { "ERROR", "WARN", "INFO", "DEBUG" };
	char when[32], cid[24] = "";
	va_list ap;

	if (level > log_level)
		return;
	time_iso8601(now_unix(), when);
	if (conn != 0)
		snprintf(cid, sizeof cid, "c%llu ", (unsigned long long)conn);
	flockfile(stderr);
	fprintf(stderr, "%s %s[%d] %-5s %s%s: ", when, log_prog, (int)getpid(),
	    names[level], cid, func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: fatal: ", log_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}
