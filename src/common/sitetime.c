/*
 * The site's local time for people (sitetime.h).  The calendar arithmetic
 * and the grammar are timefmt.c's; what this file adds is the zone, which
 * only the C library knows: the offset east of UTC at an instant comes
 * from localtime_r()'s tm_gmtoff, in the zone that sitetime_zone_use()
 * made the process's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sitetime.h"
#include "timefmt.h"
#include "util.h"

static char sitetime_zone_name[SITETIME_ZONE_LEN];

/* The zoneinfo directory glibc and musl read a zone name from. */
const char *
sitetime_zoneinfo_dir(void)
{
	const char *d = getenv("TZDIR");

	return d != NULL && d[0] != '\0' ? d : "/usr/share/zoneinfo";
}

int
sitetime_zone_check(const char *name, char *msg, size_t msglen)
{
	char path[512], magic[4];
	size_t n = strlen(name);
	ssize_t got;
	int fd;

	if (n == 0) {
		snprintf(msg, msglen, "must not be empty");
		return -1;
	}
	if (n >= SITETIME_ZONE_LEN) {
		snprintf(msg, msglen, "a zone name has at most %d characters",
		    SITETIME_ZONE_LEN - 1);
		return -1;
	}
	/* A name is a path under the zoneinfo directory: it must not leave
	 * it (no leading '/', no component starting with '.'). */
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' ||
		    ch == '-' || ch == '/' || ch == '.';

		if (!ok || (ch == '.' && (i == 0 || name[i - 1] == '/')) ||
		    (ch == '/' && (i == 0 || i == n - 1))) {
			snprintf(msg, msglen, "\"%.*s\" is not a time zone "
			    "name (such as Asia/Ho_Chi_Minh or Europe/Berlin)",
			    SITETIME_ZONE_LEN, name);
			return -1;
		}
	}
	/* right/ zones count leap seconds in time_t, which no clock here
	 * does: every time would be off by half a minute. */
	if (strncmp(name, "right/", 6) == 0) {
		snprintf(msg, msglen, "\"%s\": right/ zones count leap seconds; "
		    "use the zone without right/", name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", sitetime_zoneinfo_dir(), name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(msg, msglen, "\"%s\" is not a time zone in the "
		    "zoneinfo (%s: %s)", name, path, strerror(errno));
		return -1;
	}
	got = read(fd, magic, sizeof(magic));
	close(fd);
	if (got != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4) != 0) {
		snprintf(msg, msglen, "\"%s\" is not a time zone in the "
		    "zoneinfo (%s is not a zoneinfo file)", name, path);
		return -1;
	}
	return 0;
}

int
sitetime_zone_use(const char *name, char *msg, size_t msglen)
{
	char tz[SITETIME_ZONE_LEN + 1];

	if (sitetime_zone_check(name, msg, msglen) == -1)
		return -1;
	/* The colon: a file of the zoneinfo, never a POSIX rule string. */
	snprintf(tz, sizeof(tz), ":%s", name);
	if (setenv("TZ", tz, 1) == -1) {
		snprintf(msg, msglen, "setenv TZ: %s", strerror(errno));
		return -1;
	}
	tzset();
	snprintf(sitetime_zone_name, sizeof(sitetime_zone_name), "%s", name);
	return 0;
}

const char *
sitetime_zone(void)
{
	return sitetime_zone_name;
}

static int64_t
sitetime_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/*
 * The zone's offset east of UTC, in seconds, at the instant sec.  Where
 * time_t has 32 bits (Debian 12 armhf) an instant past 2038 is moved back
 * by whole 28-year cycles, which repeat the calendar and its weekdays from
 * 1901 to 2099, so that the zone's yearly rule gives the same offset.
 */
static int
sitetime_offset(int64_t sec, long *off)
{
	const int64_t cycle = INT64_C(10227) * 86400;
	struct tm tm;
	time_t t;

	if (sizeof(time_t) < sizeof(int64_t)) {
		while (sec > INT32_MAX - 86400)
			sec -= cycle;
		while (sec < INT32_MIN + 86400)
			sec += cycle;
	}
	t = (time_t)sec;
	if (localtime_r(&t, &tm) == NULL)
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

/* "+07", "+05:30", "-04", "+00". */
static void
sitetime_offset_text(long off, char *buf, size_t len)
{
	char sign = off < 0 ? '-' : '+';
	long a = off < 0 ? -off : off;
	int h = (int)(a / 3600 % 100), m = (int)(a % 3600 / 60);

	if (m != 0)
		snprintf(buf, len, "%c%02d:%02d", sign, h, m);
	else
		snprintf(buf, len, "%c%02d", sign, h);
}

/*
 * The instant at which the site's clocks show wall_ms.  Each offset the
 * zone has within a day of it is tried; an offset fits when the zone has
 * it at the instant it gives.  None fits in a gap, two in an overlap.
 */
static int
sitetime_from_local(const char *s, int64_t wall_ms, int64_t *ms, char *msg,
    size_t msglen)
{
	int64_t wall = sitetime_floor_div(wall_ms, 1000), found[3];
	long tried[3], fits[3], off;
	int ntried = 0, nfound = 0;
	char a[16], b[16];

	for (int d = -1; d <= 1; d++) {
		bool seen = false;

		if (sitetime_offset(wall + d * 86400, &off) == -1) {
			snprintf(msg, msglen, "'%.40s': outside the C "
			    "library's time range", s);
			return -1;
		}
		for (int i = 0; i < ntried; i++)
			seen |= tried[i] == off;
		if (!seen)
			tried[ntried++] = off;
	}
	for (int i = 0; i < ntried; i++) {
		int64_t u = wall - tried[i];

		if (sitetime_offset(u, &off) == 0 && off == tried[i]) {
			fits[nfound] = off;
			found[nfound++] = u;
		}
	}
	if (nfound == 0) {
		snprintf(msg, msglen, "'%.40s' does not exist in %s (the "
		    "clocks skip it); write it with its offset", s,
		    sitetime_zone_name);
		return -1;
	}
	if (nfound > 1) {
		sitetime_offset_text(fits[0], a, sizeof(a));
		sitetime_offset_text(fits[1], b, sizeof(b));
		snprintf(msg, msglen, "'%.40s' happens twice in %s (at %s and "
		    "at %s); write it with its offset", s, sitetime_zone_name,
		    a, b);
		return -1;
	}
	*ms = found[0] * 1000 + (wall_ms - wall * 1000);
	return 0;
}

int
sitetime_parse(const char *s, int64_t *ms, char *msg, size_t msglen)
{
	struct timefmt_civil c;
	int64_t v;

	if (s == NULL || s[0] == '\0') {
		snprintf(msg, msglen, "empty time");
		return -1;
	}
	if (timefmt_parse_civil(s, &c) == -1) {
		/* A bare count of milliseconds, as the machines write it. */
		if (s[0] >= '0' && s[0] <= '9' && timefmt_parse(s, ms) == 0)
			return 0;
		snprintf(msg, msglen, "bad time '%.40s' (YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM[:SS] in %s, or with Z or an offset "
		    "such as +07:00)", s, sitetime_zone_name[0] != '\0' ?
		    sitetime_zone_name : "local time");
		return -1;
	}
	switch (c.zone) {
	case TIMEFMT_ZONE_UTC:
		v = c.wall_ms;
		break;
	case TIMEFMT_ZONE_OFFSET:
		v = c.wall_ms - c.offset_s * INT64_C(1000);
		break;
	default:
		if (sitetime_from_local(s, c.wall_ms, &v, msg, msglen) == -1)
			return -1;
		break;
	}
	if (v < 0) {
		snprintf(msg, msglen, "'%.40s' is before 1970-01-01 UTC", s);
		return -1;
	}
	*ms = v;
	return 0;
}

int
sitetime_day_end(int64_t ms, int64_t *end, char *msg, size_t msglen)
{
	const int64_t day = INT64_C(86400000);
	int64_t wall, next;
	long off;

	if (ms < 0 || sitetime_offset(sitetime_floor_div(ms, 1000), &off) == -1) {
		snprintf(msg, msglen, "a time outside the C library's range");
		return -1;
	}
	wall = ms + (int64_t)off * 1000;
	next = (sitetime_floor_div(wall, day) + 1) * day;
	return sitetime_from_local("the next midnight", next, end, msg, msglen);
}

int
sitetime_wall(int64_t ms, int64_t *wall_ms)
{
	long off;

	if (sitetime_offset(sitetime_floor_div(ms, 1000), &off) == -1)
		return -1;
	*wall_ms = ms + (int64_t)off * 1000;
	return 0;
}

int
sitetime_parse_since(const char *s, int64_t now_ms, int64_t *ms, char *msg,
    size_t msglen)
{
	if (s != NULL && s[0] == '-') {
		if (timefmt_parse_since(s, now_ms, ms) == 0)
			return 0;
		snprintf(msg, msglen, "bad time '%.40s' (-30s, -15m, -2h, -7d, "
		    "or a time)", s);
		return -1;
	}
	return sitetime_parse(s, ms, msg, msglen);
}

const char *
sitetime_format(int64_t ms, char *buf, size_t len)
{
	/* 9999-12-31T23:59:59.999, the last time the parsers read. */
	const int64_t last = INT64_C(253402300799999);
	char wall[TIMEFMT_LEN], zone[16];
	int64_t local;
	long off;

	/* A local time outside 1970..9999 would not read back: UTC then. */
	if (sitetime_offset(sitetime_floor_div(ms, 1000), &off) == -1 ||
	    (local = ms + off * INT64_C(1000)) < 0 || local > last)
		return timefmt_format(ms, buf, len);
	sitetime_offset_text(off, zone, sizeof(zone));
	snprintf(buf, len, "%s %s", timefmt_format_sec(local, wall,
	    sizeof(wall)), zone);
	return buf;
}

static int
sitetime_setting_set(const struct setting *s, void *base, const char *v,
    char *msg, size_t len)
{
	if (sitetime_zone_check(v, msg, len) == -1)
		return -1;
	if (strlen(v) >= s->size) {
		snprintf(msg, len, "at most %zu characters", s->size - 1);
		return -1;
	}
	memcpy((char *)base + s->offset, v, strlen(v) + 1);
	return 0;
}

static void
sitetime_setting_describe(const struct setting *s, FILE *f)
{
	(void)s;
	fprintf(f, "# time zone: a name of the system's zoneinfo (tzdata), "
	    "such as\n#   Asia/Ho_Chi_Minh, Europe/Berlin or UTC\n");
}

const struct setting_ops sitetime_setting_ops = {
	.set = sitetime_setting_set,
	.describe = sitetime_setting_describe,
};
