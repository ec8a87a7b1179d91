/*
 * backup.c: the backups directory, DATA/backups (0700). It holds
 * scheduled copies, hearth-YYYYMMDD-HHMMSS.db (UTC), of which the newest
 * backup_keep are kept; pre-NNN.db, written by hearthd before it migrates
 * schema NNN; and before-restore-*.db, the database hearthctl restore
 * replaced. Only scheduled copies are ever removed. No loop and no globals:
 * hearthd calls backup_scheduled from a thread-pool thread, hearthctl
 * lists and restores.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define SCHEDULED_PREFIX "hearth-"

char *
backup_dir(const char *data_dir)
{
	return xasprintf("%s/backups", data_dir);
}

int
backup_dir_ensure(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	chmod(dir, 0700);
	return 0;
}

/* What a file in the backups directory is, from its name; NULL: not ours. */
static const char *
backup_kind(const char *name)
{
	size_t n = strlen(name);

	if (n < 4 || strcmp(name + n - 3, ".db") != 0)
		return NULL;
	if (strncmp(name, SCHEDULED_PREFIX, strlen(SCHEDULED_PREFIX)) == 0)
		return "scheduled";
	if (strncmp(name, "pre-", 4) == 0)
		return "pre-migration";
	if (strncmp(name, "before-restore-", 15) == 0)
		return "before-restore";
	return NULL;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of our files in dir, sorted; *n set. Free each and the array. */
static char **
backup_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t len = 0, cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (backup_kind(e->d_name) == NULL)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[len++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (len > 0)
		qsort(names, len, sizeof *names, name_cmp);
	*n = len;
	return names;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

json_t *
backup_list(const char *dir)
{
	json_t *list = json_array();
	struct stat st;
	size_t n;
	char **names = backup_names(dir, &n), *path, when[32];

	for (size_t i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &st) == 0) {
			time_iso8601(st.st_mtime, when);
			json_array_append_new(list, json_pack(
			    "{s:s, s:s, s:s, s:I, s:s}", "file", names[i],
			    "path", path, "kind", backup_kind(names[i]),
			    "bytes", (json_int_t)st.st_size, "time", when));
		}
		free(path);
	}
	free_names(names, n);
	return list;
}

int64_t
backup_newest_scheduled(const char *dir)
{
	struct stat st;
	int64_t newest = 0;
	size_t n;
	char **names = backup_names(dir, &n), *path;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(backup_kind(names[i]), "scheduled") != 0)
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && st.st_mtime > newest)
			newest = st.st_mtime;
		free(path);
	}
	free_names(names, n);
	return newest;
}

/* Remove the oldest scheduled copies beyond keep; returns how many. */
static int
backup_prune(const char *dir, int keep)
{
	size_t n, have = 0;
	char **names = backup_names(dir, &n), *path;
	int gone = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(backup_kind(names[i]), "scheduled") == 0)
			have++;
	/* hearth-YYYYMMDD-HHMMSS sorts oldest first */
	for (size_t i = 0; i < n && have > (size_t)keep; i++) {
		if (strcmp(backup_kind(names[i]), "scheduled") != 0)
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		if (unlink(path) == 0)
			gone++;
		free(path);
		have--;
	}
	free_names(names, n);
	return gone;
}

char *
backup_stamped(const char *dir, const char *prefix)
{
	char stamp[32], *path;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	path = xasprintf("%s/%s%s.db", dir, prefix, stamp);
	for (int n = 2; access(path, F_OK) == 0; n++) {
		free(path);
		path = xasprintf("%s/%s%s-%d.db", dir, prefix, stamp, n);
	}
	return path;
}

char *
backup_scheduled(const char *dbpath, const char *dir, int keep, int *pruned,
    char *err, size_t errlen)
{
	sqlite3 *db;
	char *out;

	*pruned = 0;
	if (backup_dir_ensure(dir, err, errlen) != 0)
		return NULL;
	if ((db = db_open_existing(dbpath, true, err, errlen)) == NULL)
		return NULL;
	out = backup_stamped(dir, SCHEDULED_PREFIX);
	if (db_backup(db, out, NULL, NULL, err, errlen) != 0) {
		sqlite3_close(db);
		free(out);
		return NULL;
	}
	sqlite3_close(db); /* not db_close: the statement cache is the loop's */
	*pruned = backup_prune(dir, keep);
	return out;
}
