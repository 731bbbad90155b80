#include "timefmt.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Civil dates to days since 1970-01-01 and back, in int64 arithmetic of
 * the proleptic Gregorian calendar (eras of 400 years, March-based years
 * so that the leap day falls last).  Not timegm()/gmtime_r(): Debian 12's
 * armhf libraries use a 32-bit time_t, which ends in 2038, and credentials
 * valid "until 2099" must still read correctly on a 32-bit Pi.
 */
static int64_t
timefmt_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
timefmt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n decimal digits at *p and advances past them. */
static int
timefmt_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
timefmt_expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* A bare count of milliseconds: digits only, no sign, no spaces. */
static int
timefmt_parse_integer(const char *s, int64_t *ms)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*ms = v;
	return 0;
}

/* Reads "+HH:MM", "+HHMM" or "+HH" (or '-'), at most 14 hours. */
static int
timefmt_offset(const char **p, int *offset_s)
{
	int sign, hh, mm = 0;

	if (**p != '+' && **p != '-')
		return -1;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (timefmt_digits(p, 2, &hh) == -1)
		return -1;
	if (**p == ':') {
		(*p)++;
		if (timefmt_digits(p, 2, &mm) == -1)
			return -1;
	} else if (**p >= '0' && **p <= '9' && timefmt_digits(p, 2, &mm) == -1)
		return -1;
	if (hh > 14 || mm > 59 || hh * 60 + mm > 14 * 60)
		return -1;
	*offset_s = sign * (hh * 3600 + mm * 60);
	return 0;
}

int
timefmt_parse_civil(const char *s, struct timefmt_civil *c)
{
	const char *p = s;
	int year, mon, day, hour = 0, min = 0, sec = 0, milli = 0, bm, bd;
	int64_t days, by;

	memset(c, 0, sizeof(*c));
	if (timefmt_digits(&p, 4, &year) == -1 ||
	    timefmt_expect(&p, '-') == -1 ||
	    timefmt_digits(&p, 2, &mon) == -1 ||
	    timefmt_expect(&p, '-') == -1 ||
	    timefmt_digits(&p, 2, &day) == -1)
		return -1;
	c->sep = *p;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (timefmt_digits(&p, 2, &hour) == -1 ||
		    timefmt_expect(&p, ':') == -1 ||
		    timefmt_digits(&p, 2, &min) == -1)
			return -1;
		if (*p == ':') {
			p++;
			if (timefmt_digits(&p, 2, &sec) == -1)
				return -1;
			c->has_seconds = true;
		}
		if (*p == '.' && c->has_seconds) {
			p++;
			if (timefmt_digits(&p, 3, &milli) == -1)
				return -1;
		}
		/* Our own tables write "2027-01-01 07:00:00 +07": one space
		 * before the zone reads back. */
		if (*p == ' ' && (p[1] == 'Z' || p[1] == '+' || p[1] == '-')) {
			p++;
			c->zone_spaced = true;
		}
		if (*p == 'Z') {
			p++;
			c->zone = TIMEFMT_ZONE_UTC;
		} else if (*p == '+' || *p == '-') {
			if (timefmt_offset(&p, &c->offset_s) == -1)
				return -1;
			c->zone = TIMEFMT_ZONE_OFFSET;
		}
	} else
		c->sep = '\0';
	if (*p != '\0')
		return -1;
	if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    hour > 23 || min > 59 || sec > 59)
		return -1;

	/* An impossible day (2023-02-29) does not come back unchanged. */
	days = timefmt_days_from_civil(year, mon, day);
	timefmt_civil_from_days(days, &by, &bm, &bd);
	if (by != year || bm != mon || bd != day)
		return -1;
	c->wall_ms = ((days * 24 + hour) * 60 + min) * INT64_C(60000) +
	    sec * 1000 + milli;
	return 0;
}

/*
 * The machine form, unchanged since the credential lists and MQTT first
 * carried it: a date, "T...Z", or a space form that is UTC without saying
 * so; never an offset, never a "T" time without its Z.
 */
static int
timefmt_parse_calendar(const char *s, int64_t *ms)
{
	struct timefmt_civil c;

	if (timefmt_parse_civil(s, &c) == -1 || c.zone_spaced ||
	    c.zone == TIMEFMT_ZONE_OFFSET)
		return -1;
	if (c.sep != '\0' && !c.has_seconds)
		return -1;
	/* Without its Z an ISO time would be local time: refuse it. */
	if (c.sep == 'T' && c.zone != TIMEFMT_ZONE_UTC)
		return -1;
	if (c.sep == ' ' && c.zone != TIMEFMT_ZONE_NONE)
		return -1;
	*ms = c.wall_ms;
	return 0;
}

int
timefmt_parse(const char *s, int64_t *ms)
{
	if (s == NULL)
		return -1;
	if (timefmt_parse_calendar(s, ms) == 0)
		return 0;
	return timefmt_parse_integer(s, ms);
}

int
timefmt_parse_since(const char *s, int64_t now_ms, int64_t *ms)
{
	static const struct {
		char unit;
		int64_t ms;
	} units[] = {
		{ 's', 1000 },
		{ 'm', 60 * 1000 },
		{ 'h', 60 * 60 * 1000 },
		{ 'd', 24 * 60 * 60 * 1000 },
	};
	size_t n;
	int64_t count = 0;

	if (s == NULL)
		return -1;
	if (s[0] != '-')
		return timefmt_parse(s, ms);

	/* At most nine digits, so count * unit cannot overflow. */
	n = strlen(s);
	if (n < 3 || n > 11)
		return -1;
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		count = count * 10 + (s[i] - '0');
	}
	for (size_t i = 0; i < nitems(units); i++) {
		if (units[i].unit == s[n - 1]) {
			*ms = now_ms - count * units[i].ms;
			return 0;
		}
	}
	return -1;
}

/* Splits ms into whole seconds and milliseconds, rounding toward -inf. */
static int
timefmt_split(int64_t ms, struct tm *tm, int *milli)
{
	int64_t sec = ms / 1000, rem = ms % 1000, days, sod, y;

	if (rem < 0) {
		rem += 1000;
		sec--;
	}
	days = sec / 86400;
	sod = sec % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	timefmt_civil_from_days(days, &y, &tm->tm_mon, &tm->tm_mday);
	if (y < 0 || y > 9999)
		return -1;
	tm->tm_year = (int)(y - 1900);
	tm->tm_mon--;
	tm->tm_hour = (int)(sod / 3600);
	tm->tm_min = (int)(sod / 60 % 60);
	tm->tm_sec = (int)(sod % 60);
	*milli = (int)rem;
	return 0;
}

const char *
timefmt_format(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	int milli;

	if (timefmt_split(ms, &tm, &milli) == -1)
		snprintf(buf, len, "%lld", (long long)ms);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
	return buf;
}

const char *
timefmt_format_sec(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	int milli;

	if (timefmt_split(ms, &tm, &milli) == -1)
		snprintf(buf, len, "%lld", (long long)ms);
	else
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}
