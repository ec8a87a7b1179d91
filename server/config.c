/*
 * config.c: hearthd settings. Defaults first, then an optional INI file
 * (key = value lines, '#' or ';' comments, [sections] ignored), then
 * command-line flags.
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "server.h"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	config_preauth_defaults(c);
	c->listen_host = xstrdup("127.0.0.1");
	c->listen_port = 2222;
	c->login_grace = 30;
	c->idle_timeout = 2 * 3600;
	c->max_unauth = 64;
	c->max_unauth_per_ip = 10;
	c->out_cap = 4 * 1024 * 1024;
	c->stall_timeout = 30;
	c->write_threads = -1;
	c->thread_hints = false; /* prio.c: seen to stall the loop */
	c->write_batch_min = 64;
	c->support_escalate = 120;
	c->room_idle_close = 30 * 60;
	c->room_review = 72 * 3600;
	c->synchronous = xstrdup("FULL"); /* an ok survives power loss */
	c->wal_max_mb = 64;
	c->backup_every = 24 * 3600;
	c->backup_keep = 7;
	c->write_mb_per_hour = 20;
	c->search_per_member = 4;
	c->max_sessions_per_member = 20;
	c->member_out_cap_mb = 32;
	c->resume_minutes = 10;
	c->library_max_file_mb = 50;
	c->library_quota_mb = 2048;
	c->library_rate_mb = 120;
}

void
config_free(struct config *c)
{
	free(c->data_dir);
	free(c->listen_host);
	free(c->synchronous);
	free(c->tui_path);
	free(c->public_host);
	free(c->timezone);
}

int
config_set_listen(struct config *c, const char *hostport)
{
	const char *colon = strrchr(hostport, ':');
	char *end;
	long port;

	if (colon == NULL || colon == hostport)
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
		return -1;
	free(c->listen_host);
	c->listen_host = xstrndup(hostport, colon - hostport);
	c->listen_port = (int)port;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Parse on/yes/true or off/no/false. */
static int
set_bool(bool *dst, const char *v)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "true") == 0)
		*dst = true;
	else if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0 ||
	    strcmp(v, "false") == 0)
		*dst = false;
	else
		return -1;
	return 0;
}

/* Parse a non-negative integer setting. */
static int
set_int(int *dst, const char *v, int max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > max)
		return -1;
	*dst = (int)n;
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024], *k, *v, *eq;
	int lineno = 0, n, rc = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		k = trim(line);
		if (*k == '\0' || *k == '#' || *k == ';' || *k == '[')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value",
			    path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (strcmp(k, "listen") == 0)
			rc = config_set_listen(c, v);
		else if (strcmp(k, "login_grace") == 0)
			rc = set_int(&c->login_grace, v, 3600);
		else if (strcmp(k, "idle_timeout") == 0)
			rc = set_int(&c->idle_timeout, v, INT_MAX);
		else if (strcmp(k, "max_unauth") == 0)
			rc = set_int(&c->max_unauth, v, 100000);
		else if (strcmp(k, "max_unauth_per_ip") == 0)
			rc = set_int(&c->max_unauth_per_ip, v, 100000);
		else if (strcmp(k, "stall_timeout") == 0)
			rc = set_int(&c->stall_timeout, v, 86400);
		else if (strcmp(k, "write_threads") == 0)
			rc = set_int(&c->write_threads, v, 8);
		else if (strcmp(k, "room_idle_close") == 0) {
			/* minutes, decimals allowed; 0: never */
			char *end;
			double min;

			errno = 0;
			min = strtod(v, &end);
			rc = errno != 0 || end == v || *end != '\0' ||
			    min < 0 || min > 7 * 24 * 60 ? -1 : 0;
			if (rc == 0)
				c->room_idle_close = (int)(min * 60 + 0.5);
		} else if (strcmp(k, "room_review_hours") == 0) {
			/* hours, decimals allowed; at least a second */
			char *end;
			double h;

			errno = 0;
			h = strtod(v, &end);
			rc = errno != 0 || end == v || *end != '\0' ||
			    h * 3600 < 1 || h > 24 * 90 ? -1 : 0;
			if (rc == 0)
				c->room_review = (int)(h * 3600 + 0.5);
		} else if (strcmp(k, "support_escalate") == 0) {
			if ((rc = set_int(&c->support_escalate, v, 86400)) ==
			    0 && c->support_escalate < 1)
				rc = -1;
		} else if (strcmp(k, "write_batch_min") == 0) {
			if ((rc = set_int(&c->write_batch_min, v, 1000000)) ==
			    0 && c->write_batch_min < 2)
				rc = -1;
		}		else if (strcmp(k, "output_cap_kb") == 0) {
			if ((rc = set_int(&n, v, 1024 * 1024)) == 0 && n >= 128)
				c->out_cap = (size_t)n * 1024;
			else
				rc = -1;
		} else if (strcmp(k, "synchronous") == 0) {
			if (strcasecmp(v, "NORMAL") != 0 &&
			    strcasecmp(v, "FULL") != 0)
				rc = -1;
			else {
				free(c->synchronous);
				c->synchronous = xstrdup(v);
			}
		} else if (strcmp(k, "tui") == 0) {
			free(c->tui_path);
			c->tui_path = xstrdup(v);
		} else if (strcmp(k, "guest") == 0)
			rc = set_bool(&c->guest, v);
		else if (strcmp(k, "thread_hints") == 0)
			rc = set_bool(&c->thread_hints, v);
		else if (strcmp(k, "public_host") == 0) {
			rc = *v == '\0' || strpbrk(v, " \t@'\"") != NULL ? -1 : 0;
			if (rc == 0) {
				free(c->public_host);
				c->public_host = xstrdup(v);
			}
		} else if (strcmp(k, "timezone") == 0) {
			rc = zone_valid(v) ? 0 : -1;
			if (rc == 0) {
				free(c->timezone);
				c->timezone = xstrdup(v);
			}
		} else if (strcmp(k, "public_port") == 0) {
			if ((rc = set_int(&c->public_port, v, 65535)) == 0 &&
			    c->public_port < 1)
				rc = -1;
		} else if (strcmp(k, "verbose") == 0)
			rc = set_int(&c->verbose, v, 3);
		else if (strncmp(k, "rate_", 5) == 0)
			rc = rate_set(k + 5, v);
		else if (strncmp(k, "health_", 7) == 0)
			rc = health_set(k + 7, v);
		else if (mail_set(k, v, &rc))
			;
		else if (strncmp(k, "survey_", 7) == 0)
			rc = survey_set(k + 7, v);
		else if (config_preauth_set(c, k, v, &rc))
			;
		else if (strcmp(k, "wal_max_mb") == 0) {
			if ((rc = set_int(&c->wal_max_mb, v, 1024 * 1024)) == 0 &&
			    c->wal_max_mb < 1)
				rc = -1;
		}
		else if (strcmp(k, "backup_every") == 0) {
			/* hours, decimals allowed; 0: no scheduled backups */
			char *end;
			double h;

			errno = 0;
			h = strtod(v, &end);
			rc = errno != 0 || end == v || *end != '\0' || h < 0 ||
			    h > 24 * 366 || (h > 0 && h * 3600 < 1) ? -1 : 0;
			if (rc == 0)
				c->backup_every = h * 3600;
		} else if (strcmp(k, "backup_keep") == 0) {
			if ((rc = set_int(&c->backup_keep, v, 100000)) == 0 &&
			    c->backup_keep < 1)
				rc = -1;
		} else if (strcmp(k, "write_mb_per_hour") == 0)
			rc = set_int(&c->write_mb_per_hour, v, 1024 * 1024);
		else if (strcmp(k, "search_per_member") == 0)
			rc = set_int(&c->search_per_member, v, 1000);
		else if (strcmp(k, "max_sessions_per_member") == 0)
			rc = set_int(&c->max_sessions_per_member, v, 100000);
		else if (strcmp(k, "member_out_cap_mb") == 0)
			rc = set_int(&c->member_out_cap_mb, v, 1024 * 1024);
		else if (strcmp(k, "resume_minutes") == 0)
			rc = set_int(&c->resume_minutes, v, 7 * 24 * 60);
		else if (strcmp(k, "library_max_file_mb") == 0)
			rc = set_int(&c->library_max_file_mb, v, 1024 * 1024);
		else if (strcmp(k, "library_quota_mb") == 0)
			rc = set_int(&c->library_quota_mb, v, 1024 * 1024 * 1024);
		else if (strcmp(k, "library_rate_mb") == 0)
			rc = set_int(&c->library_rate_mb, v, 1000000);
		else {
			snprintf(err, errlen, "%s:%d: unknown setting '%s'",
			    path, lineno, k);
			rc = -1;
			break;
		}
		if (rc != 0) {
			snprintf(err, errlen, "%s:%d: bad value for '%s'", path,
			    lineno, k);
			break;
		}
	}
	fclose(f);
	return rc;
}

/* ---- settings for connections before login (sshd.c) ---- */

void
config_preauth_defaults(struct config *c)
{
	c->preauth_timeout = 10;
	c->startups_start = 10;
	c->startups_rate = 30;
	c->startups_full = 1000;
	c->max_unauth_per_range = 100;
	c->penalty_timeout = 10;
	c->penalty_authfail = 5;
	c->penalty_min = 30;
	c->penalty_max = 600;
	c->max_join = 100;
	c->max_join_per_ip = 5;
	c->join_idle_timeout = 15;
}

/* "start:rate:full" as OpenSSH's MaxStartups (or a single number). */
static int
set_startups(struct config *c, const char *v)
{
	int start, rate, full, used = 0;

	if (sscanf(v, "%d:%d:%d%n", &start, &rate, &full, &used) == 3 &&
	    v[used] == '\0') {
		if (start < 1 || rate < 0 || rate > 100 || full < start ||
		    full > 1000000)
			return -1;
	} else if (sscanf(v, "%d%n", &full, &used) == 1 && v[used] == '\0') {
		if (full < 1 || full > 1000000)
			return -1;
		start = full;
		rate = 100;
	} else
		return -1;
	c->startups_start = start;
	c->startups_rate = rate;
	c->startups_full = full;
	return 0;
}

int
config_preauth_set(struct config *c, const char *k, const char *v, int *rc)
{
	static const struct {
		const char *key;
		size_t off;
		int min, max;
	} ints[] = {
		{ "preauth_timeout", offsetof(struct config, preauth_timeout),
		    1, 3600 },
		{ "max_unauth_per_range",
		    offsetof(struct config, max_unauth_per_range), 1, 1000000 },
		{ "penalty_timeout", offsetof(struct config, penalty_timeout),
		    0, 86400 },
		{ "penalty_authfail", offsetof(struct config, penalty_authfail),
		    0, 86400 },
		{ "penalty_min", offsetof(struct config, penalty_min), 1, 86400 },
		{ "penalty_max", offsetof(struct config, penalty_max), 0, 86400 },
		{ "max_join", offsetof(struct config, max_join), 0, 1000000 },
		{ "max_join_per_ip", offsetof(struct config, max_join_per_ip), 0,
		    1000000 },
		{ "join_idle_timeout",
		    offsetof(struct config, join_idle_timeout), 0, 7 * 24 * 60 },
	};
	int *field, n;

	if (strcmp(k, "max_startups") == 0) {
		*rc = set_startups(c, v);
		return 1;
	}
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		if (strcmp(k, ints[i].key) != 0)
			continue;
		field = (int *)((char *)c + ints[i].off);
		*rc = set_int(&n, v, ints[i].max);
		if (*rc == 0 && n < ints[i].min)
			*rc = -1;
		if (*rc == 0)
			*field = n;
		return 1;
	}
	return 0;
}

/*
 * The ssh command that reaches this server as user: public_host and
 * public_port, or where hearthd listens (a wildcard address gives the
 * machine's name), with -p only when the port is not 22.
 */
int
config_connect_host(const struct config *c, char *host, size_t len)
{
	const char *h = c->public_host;

	if (h == NULL) {
		h = c->listen_host;
		if (*h == '\0' || strcmp(h, "0.0.0.0") == 0 ||
		    strcmp(h, "::") == 0 || strcmp(h, "*") == 0) {
			if (gethostname(host, len) != 0)
				snprintf(host, len, "localhost");
			host[len - 1] = '\0';
			return c->public_port > 0 ? c->public_port :
			    c->listen_port;
		}
	}
	snprintf(host, len, "%s", h);
	return c->public_port > 0 ? c->public_port : c->listen_port;
}

void
config_connect_line(const struct config *c, const char *user, char *out,
    size_t len)
{
	char host[256];
	int port = config_connect_host(c, host, sizeof host);

	if (port == 22)
		snprintf(out, len, "ssh -t %s@%s", user, host);
	else
		snprintf(out, len, "ssh -t -p %d %s@%s", port, user, host);
}
