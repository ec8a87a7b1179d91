/*
 * zone.c: members' time zones. A zone is an IANA name ("Europe/London")
 * that names a compiled file under the system's zoneinfo (tzdata), so the
 * TUI can show every time in it; '' in members.timezone means the
 * server's `timezone` setting (UTC when unset). Repeating events keep the
 * setting's wall-clock time (recur_zone), and the calendar feed names it
 * for them (a VTIMEZONE from the zone's rule); other times stay in UTC.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	/* the zone repeating events keep their wall-clock time in */
	json_object_set_new(o, "events_timezone", json_string(zone_default()));
	free(z);
}

int
zone_update(struct call *x, int64_t member_id)
{
	json_t *v = json_object_get(x->args, "timezone");
	const char *z;
	sqlite3_stmt *st;
	int rc;

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
	/* every live session of theirs shows times in it from now on */
	outbox_member_event(&x->out, member_id, "member.timezone",
	    json_pack("{s:s}", "timezone", *z != '\0' ? z : zone_default()));
	return 0;
}

/*
 * Times for one member in their zone, for texts the server writes to
 * them (reminders, mutes, refusals): the compiled zone file is read here
 * (TZif, RFC 8536: its 64-bit transitions, then the POSIX TZ rule of its
 * footer for later times), never through TZ, which is the whole
 * process's. Zones read are kept (a few dozen at most).
 */
struct ttype {
	int32_t off; /* seconds east of UTC */
	char abbr[12];
};
struct rule { /* a POSIX TZ footer: "GMT0BST,M3.5.0/1,M10.5.0" */
	struct ttype std, dst;
	bool has_dst;
	char kind[2]; /* 'M', 'J' or 'n' for the start and end dates */
	int mon[2], week[2], wday[2], day[2];
	int32_t at[2]; /* seconds after local midnight */
};
struct tzone {
	char name[ZONE_MAX + 1];
	int64_t *times;
	uint8_t *idx;
	struct ttype *types;
	size_t ntimes, ntypes;
	struct rule rule;
	bool has_rule;
	struct tzone *next;
};
static struct tzone *zones;
static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* "<+0330>" or "GMT": a rule's zone name into out; NULL when malformed. */
static const char *
rule_name(const char *s, char *out, size_t len)
{
	size_t n = 0;

	if (*s == '<') {
		for (s++; *s != '\0' && *s != '>'; s++)
			if (n + 1 < len)
				out[n++] = *s;
		if (*s++ != '>')
			return NULL;
	} else
		for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z');
		    s++)
			if (n + 1 < len)
				out[n++] = *s;
	out[n] = '\0';
	return n >= 3 ? s : NULL;
}

/* "[+-]hh[:mm[:ss]]" into seconds; NULL when malformed. */
static const char *
rule_secs(const char *s, int32_t *out)
{
	int sign = 1, part[3] = { 0, 0, 0 }, k = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (*s < '0' || *s > '9')
		return NULL;
	for (;;) {
		while (*s >= '0' && *s <= '9')
			part[k] = part[k] * 10 + (*s++ - '0');
		if (*s != ':' || k == 2)
			break;
		s++;
		k++;
	}
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return s;
}

/* ",Mm.w.d[/time]" (or Jn, n) into date i of r; NULL when malformed. */
static const char *
rule_date(const char *s, struct rule *r, int i)
{
	char *end;

	if (*s++ != ',')
		return NULL;
	r->at[i] = 7200;
	if (*s == 'M') {
		r->kind[i] = 'M';
		r->mon[i] = (int)strtol(s + 1, &end, 10);
		if (*end != '.')
			return NULL;
		r->week[i] = (int)strtol(end + 1, &end, 10);
		if (*end != '.')
			return NULL;
		r->wday[i] = (int)strtol(end + 1, &end, 10);
		if (r->mon[i] < 1 || r->mon[i] > 12 || r->week[i] < 1 ||
		    r->week[i] > 5 || r->wday[i] < 0 || r->wday[i] > 6)
			return NULL;
	} else {
		r->kind[i] = *s == 'J' ? 'J' : 'n';
		r->day[i] = (int)strtol(s + (*s == 'J'), &end, 10);
		if (end == s + (*s == 'J'))
			return NULL;
	}
	s = end;
	if (*s == '/' && (s = rule_secs(s + 1, &r->at[i])) == NULL)
		return NULL;
	return s;
}

static bool
rule_parse(const char *s, struct rule *r)
{
	int32_t off;

	memset(r, 0, sizeof *r);
	if ((s = rule_name(s, r->std.abbr, sizeof r->std.abbr)) == NULL ||
	    (s = rule_secs(s, &off)) == NULL)
		return false;
	r->std.off = -off; /* POSIX counts hours west */
	if (*s == '\0')
		return true;
	if ((s = rule_name(s, r->dst.abbr, sizeof r->dst.abbr)) == NULL)
		return false;
	r->has_dst = true;
	r->dst.off = r->std.off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = rule_secs(s, &off)) == NULL)
			return false;
		r->dst.off = -off;
	}
	if (*s == '\0') /* no dates: the US rules, as POSIX says */
		s = ",M3.2.0,M11.1.0";
	return (s = rule_date(s, r, 0)) != NULL &&
	    (s = rule_date(s, r, 1)) != NULL && *s == '\0';
}

/* Days since 1970-01-01 of the rule's date i in year y. */
static int64_t
rule_day(const struct rule *r, int i, int y)
{
	int64_t jan1 = time_from_utc(y, 1, 1, 0, 0, 0) / 86400, d;
	bool leap = time_month_days(y, 2) == 29;

	if (r->kind[i] == 'J') /* 1-365, never counting 29 February */
		return jan1 + r->day[i] - 1 + (leap && r->day[i] >= 60);
	if (r->kind[i] == 'n')
		return jan1 + r->day[i];
	/* week w (5: the last) of month m, on weekday wd (0 Sunday) */
	d = time_from_utc(y, r->mon[i], 1, 0, 0, 0) / 86400;
	d += ((r->wday[i] - (d + 4) % 7) + 7) % 7; /* 1970-01-01: Thursday */
	d += 7 * (r->week[i] - 1);
	while (d >= time_from_utc(y, r->mon[i], 1, 0, 0, 0) / 86400 +
	    time_month_days(y, r->mon[i]))
		d -= 7;
	return d;
}

/* The rule's type at t. */
static const struct ttype *
rule_at(const struct rule *r, int64_t t)
{
	time_t tt = (time_t)(t + r->std.off);
	struct tm tm;
	int64_t start, end;

	if (!r->has_dst || gmtime_r(&tt, &tm) == NULL)
		return &r->std;
	/* the start is in standard time, the end in daylight time */
	start = rule_day(r, 0, tm.tm_year + 1900) * 86400 + r->at[0] -
	    r->std.off;
	end = rule_day(r, 1, tm.tm_year + 1900) * 86400 + r->at[1] -
	    r->dst.off;
	if (start < end)
		return t >= start && t < end ? &r->dst : &r->std;
	return t >= end && t < start ? &r->std : &r->dst; /* south */
}

static void
tzone_free(struct tzone *z)
{
	free(z->times);
	free(z->idx);
	free(z->types);
	free(z);
}

/* Read a compiled zone (version 2 or later); NULL when it cannot be. */
static struct tzone *
tzone_read(const char *name)
{
	char path[512];
	unsigned char *d = NULL;
	size_t len = 0, cap = 0, o, n1, cnt[6];
	struct tzone *z;
	FILE *f;

	if (!zone_valid(name) || strcmp(name, "UTC") == 0)
		return NULL;
	snprintf(path, sizeof path, "%s/%s", zone_dir(), name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1 << 20))
				break;
			d = xrealloc(d, cap);
		}
		size_t got = fread(d + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
	}
	fclose(f);
	z = xcalloc(1, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name);
	if (len < 44 || memcmp(d, "TZif", 4) != 0 || d[4] < '2')
		goto bad;
	for (int i = 0; i < 6; i++)
		cnt[i] = be32(d + 20 + 4 * i);
	/* skip the 32-bit block to the 64-bit header */
	n1 = cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
	o = 44 + n1;
	if (o + 44 > len || memcmp(d + o, "TZif", 4) != 0)
		goto bad;
	for (int i = 0; i < 6; i++)
		cnt[i] = be32(d + o + 20 + 4 * i);
	o += 44;
	if (cnt[4] == 0 || cnt[4] > 256 || cnt[3] > 100000 || cnt[5] > 4096 ||
	    o + cnt[3] * 9 + cnt[4] * 6 + cnt[5] > len)
		goto bad;
	z->ntimes = cnt[3];
	z->ntypes = cnt[4];
	z->times = xcalloc(z->ntimes + 1, sizeof *z->times);
	z->idx = xcalloc(z->ntimes + 1, 1);
	z->types = xcalloc(z->ntypes, sizeof *z->types);
	for (size_t i = 0; i < z->ntimes; i++)
		z->times[i] = (int64_t)((uint64_t)be32(d + o + 8 * i) << 32 |
		    be32(d + o + 8 * i + 4));
	o += z->ntimes * 8;
	for (size_t i = 0; i < z->ntimes; i++)
		if ((z->idx[i] = d[o + i]) >= z->ntypes)
			goto bad;
	o += z->ntimes;
	for (size_t i = 0; i < z->ntypes; i++) {
		const unsigned char *t = d + o + 6 * i;
		size_t ai = t[5];
		z->types[i].off = (int32_t)be32(t);
		if (ai >= cnt[5])
			goto bad;
		snprintf(z->types[i].abbr, sizeof z->types[i].abbr, "%.*s",
		    (int)strnlen((const char *)d + o + 6 * z->ntypes + ai,
		    cnt[5] - ai), (const char *)d + o + 6 * z->ntypes + ai);
	}
	o += z->ntypes * 6 + cnt[5] + cnt[2] * 12 + cnt[1] + cnt[0];
	/* the footer: "\nRULE\n" */
	if (o < len && d[o] == '\n') {
		char rule[128];
		size_t k = 0;
		for (o++; o < len && d[o] != '\n' && k + 1 < sizeof rule; o++)
			rule[k++] = (char)d[o];
		rule[k] = '\0';
		z->has_rule = k > 0 && rule_parse(rule, &z->rule);
	}
	free(d);
	return z;
bad:
	free(d);
	tzone_free(z);
	return NULL;
}

/* Offset and abbreviation of zone name at t ("UTC" when unknown). */
static void
zone_at(const char *name, int64_t t, int32_t *off, char *abbr, size_t len)
{
	struct tzone *z;
	const struct ttype *ty = NULL;
	size_t lo, hi;

	*off = 0;
	snprintf(abbr, len, "UTC");
	pthread_mutex_lock(&zones_lock);
	for (z = zones; z != NULL && strcmp(z->name, name) != 0; z = z->next)
		;
	if (z == NULL && (z = tzone_read(name)) != NULL) {
		z->next = zones;
		zones = z;
	}
	if (z != NULL) {
		if (z->ntimes == 0 || t < z->times[0]) {
			ty = &z->types[0];
			if (z->ntimes == 0 && z->has_rule)
				ty = rule_at(&z->rule, t);
		} else if (t >= z->times[z->ntimes - 1] && z->has_rule)
			ty = rule_at(&z->rule, t);
		else {
			/* the last transition at or before t */
			lo = 0;
			hi = z->ntimes;
			while (hi - lo > 1) {
				size_t mid = (lo + hi) / 2;
				if (z->times[mid] <= t)
					lo = mid;
				else
					hi = mid;
			}
			ty = &z->types[z->idx[lo]];
		}
		*off = ty->off;
		snprintf(abbr, len, "%s", ty->abbr);
	}
	pthread_mutex_unlock(&zones_lock);
}

void
zone_human(int64_t member_id, int64_t t, char out[48])
{
	char *own = member_id != 0 ? zone_own(member_id) : xstrdup("");
	const char *name = *own != '\0' ? own : zone_default();
	char abbr[16], day[31];
	int32_t off;
	time_t local;
	struct tm tm;

	zone_at(name, t, &off, abbr, sizeof abbr);
	free(own);
	local = (time_t)(t + off);
	if (gmtime_r(&local, &tm) == NULL ||
	    strftime(day, sizeof day, "%a %e %b %H:%M", &tm) == 0) {
		time_human(t, out);
		return;
	}
	if (day[4] == ' ') /* %e pads a one-digit day */
		memmove(day + 4, day + 5, strlen(day + 5) + 1);
	snprintf(out, 48, "%s %s", day, abbr);
}

int32_t
zone_offset(const char *name, int64_t t)
{
	char abbr[16];
	int32_t off;

	zone_at(name, t, &off, abbr, sizeof abbr);
	return off;
}

/* recur.c's zone: the server's `timezone` setting. */
static int32_t
series_offset(int64_t t)
{
	return zone_offset(zone_default(), t);
}

void
zone_series_init(void)
{
	recur_zone(series_offset);
}

/* "+0100" (or "+053000") for an offset in seconds. */
static void
ics_offset(char out[16], int32_t off)
{
	int32_t a = off < 0 ? -off : off;

	if (a % 60 != 0)
		snprintf(out, 16, "%c%02d%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a / 60 % 60), (int)(a % 60));
	else
		snprintf(out, 16, "%c%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a / 60 % 60));
}

static const char *const ics_days[] = { "SU", "MO", "TU", "WE", "TH",
	"FR", "SA" };

/* One STANDARD or DAYLIGHT part: change i of r, from one type to another. */
static void
vtz_part(struct buf *b, const char *kind, const struct rule *r, int i,
    const struct ttype *from, const struct ttype *to)
{
	char f[16], t[16];
	int64_t day = rule_day(r, i, 1970);
	time_t at = (time_t)(day * 86400 + r->at[i]);
	struct tm tm;

	ics_offset(f, from->off);
	ics_offset(t, to->off);
	gmtime_r(&at, &tm);
	buf_printf(b, "BEGIN:%s\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\n"
	    "TZNAME:%s\r\nDTSTART:%04d%02d%02dT%02d%02d%02d\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=%s%s\r\nEND:%s\r\n", kind, f,
	    t, to->abbr, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, r->mon[i], r->week[i] == 5 ?
	    "-1" : (const char *[]){ "", "1", "2", "3", "4" }[r->week[i]],
	    ics_days[r->wday[i]], kind);
}

bool
zone_vtimezone(const char *name, struct buf *b)
{
	struct tzone *z;
	struct rule r;
	bool ok;

	pthread_mutex_lock(&zones_lock);
	for (z = zones; z != NULL && strcmp(z->name, name) != 0; z = z->next)
		;
	if (z == NULL && (z = tzone_read(name)) != NULL) {
		z->next = zones;
		zones = z;
	}
	ok = z != NULL && z->has_rule;
	if (ok)
		r = z->rule;
	pthread_mutex_unlock(&zones_lock);
	if (!ok)
		return false;
	/* only rules iCalendar's RRULE says plainly: Mm.w.d within the day */
	for (int i = 0; r.has_dst && i < 2; i++)
		if (r.kind[i] != 'M' || r.at[i] < 0 || r.at[i] >= 86400)
			return false;
	buf_printf(b, "BEGIN:VTIMEZONE\r\nTZID:%s\r\n", name);
	if (!r.has_dst) {
		char o[16];

		ics_offset(o, r.std.off);
		buf_printf(b, "BEGIN:STANDARD\r\nTZOFFSETFROM:%s\r\n"
		    "TZOFFSETTO:%s\r\nTZNAME:%s\r\nDTSTART:19700101T000000\r\n"
		    "END:STANDARD\r\n", o, o, r.std.abbr);
	} else {
		vtz_part(b, "DAYLIGHT", &r, 0, &r.std, &r.dst);
		vtz_part(b, "STANDARD", &r, 1, &r.dst, &r.std);
	}
	buf_puts(b, "END:VTIMEZONE\r\n");
	return true;
}
