/*
 * zone.c: members' time zones. A zone is an IANA name ("Europe/London")
 * that names a compiled file under the system's zoneinfo (tzdata), so the
 * TUI can show every time in it; '' in members.timezone means the
 * server's `timezone` setting (UTC when unset). The calendar feed stays in
 * UTC: calendars convert for themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

/* Where tzdata keeps the compiled zones (TZDIR overrides, as for libc). */
static const char *
zone_dir(void)
{
	const char *d = getenv("TZDIR");

	return d != NULL && *d == '/' ? d : "/usr/share/zoneinfo";
}

bool
zone_valid(const char *name)
{
	char path[512], magic[4];
	const char *p;
	ssize_t n;
	int fd;

	if (name == NULL || *name == '\0' || strlen(name) > ZONE_MAX ||
	    *name == '/' || *name == '.' || strstr(name, "..") != NULL ||
	    strstr(name, "//") != NULL)
		return false;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		    *p == '-' || *p == '+'))
			return false;
	if (strcmp(name, "UTC") == 0)
		return true;
	snprintf(path, sizeof path, "%s/%s", zone_dir(), name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 &&
	    (errno != ELOOP ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0))
		return false;
	n = read(fd, magic, sizeof magic);
	close(fd);
	return n == 4 && memcmp(magic, "TZif", 4) == 0;
}

const char *
zone_default(void)
{
	return srv != NULL && srv->cfg.timezone != NULL ? srv->cfg.timezone :
	    "UTC";
}

/* The member's own zone, or "" when they have not chosen one. */
static char *
zone_own(int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT timezone FROM members WHERE id = ?");
	char *z = NULL;

	sqlite3_bind_int64(st, 1, member_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		z = xstrdup(db_col_text(st, 0));
	sqlite3_reset(st);
	return z != NULL ? z : xstrdup("");
}

void
zone_add(json_t *o, int64_t member_id)
{
	char *z;

	if (!json_is_object(o) || member_id == 0)
		return;
	z = zone_own(member_id);
	json_object_set_new(o, "timezone", json_string(*z != '\0' &&
	    zone_valid(z) ? z : zone_default()));
	json_object_set_new(o, "timezone_chosen", json_boolean(*z != '\0'));
	free(z);
}

int
zone_update(struct call *x, int64_t member_id, bool *changed)
{
	json_t *v = json_object_get(x->args, "timezone");
	const char *z;
	sqlite3_stmt *st;
	int rc;

	*changed = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return call_fail(x, ERR_BAD_REQUEST, "A time zone is a name "
		    "such as Europe/London or America/New_York.");
	z = json_string_value(v);
	if (*z != '\0' && !zone_valid(z))
		return call_fail(x, ERR_BAD_REQUEST, "That is not a time zone "
		    "this server knows. Use a name such as Europe/London, "
		    "America/New_York or Asia/Tokyo (or leave it empty for the "
		    "server's, %s).", zone_default());
	st = db_stmt(srv->db, "UPDATE members SET timezone = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, z, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, member_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	*changed = true;
	return 0;
}
