/*
 * Shift days from passages (attendance.h, whose header comment holds the
 * rules).  Every instant is UTC milliseconds; local dates and wall times
 * go through mktime() in the process's zone, which the caller made the
 * site's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attendance.h"

int
att_hhmm_parse(const char *s, int *min)
{
	int h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' ||
	    n != 5 || h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

int
att_days_parse(const char *s, unsigned *days)
{
	*days = 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '1' || *s > '7')
			return -1;
		*days |= 1u << (*s - '1');
	}
	return 0;
}

int
att_shift_check(const struct att_shift *s, char *err, size_t errlen)
{
	int len = s->end_min > s->start_min ? s->end_min - s->start_min :
	    s->end_min + 1440 - s->start_min;

	if (s->name[0] == '\0')
		snprintf(err, errlen, "a shift needs a name");
	else if (s->start_min < 0 || s->start_min >= 1440 ||
	    s->end_min < 0 || s->end_min >= 1440)
		snprintf(err, errlen, "start and end are HH:MM");
	else if (s->break_min < 0 || s->break_min >= len)
		snprintf(err, errlen, "the break must be shorter than the "
		    "shift");
	else if (s->grace_min < 0 || s->grace_min > 240)
		snprintf(err, errlen, "grace is 0 to 240 minutes");
	else if (s->days == 0 || s->days > 0x7f)
		snprintf(err, errlen, "working days are digits 1 (Monday) "
		    "to 7 (Sunday)");
	else
		return 0;
	return -1;
}

/* "YYYY-MM-DD" to a struct tm at local noon of that day: 0 or -1. */
static int
att_date_parse(const char *s, struct tm *tm)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    s[n] != '\0' || y < 1970 || y > 9999 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return -1;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = 12;
	tm->tm_isdst = -1;
	/* Noon: no zone moves its clocks then, so the date survives. */
	if (mktime(tm) == (time_t)-1 || tm->tm_mday != d)
		return -1;
	return 0;
}

/* The local wall time min minutes after midnight of base's date plus
 * add days, as UTC ms. */
static int64_t
att_wall(const struct tm *base, int add, int min)
{
	struct tm tm = *base;

	tm.tm_mday += add;
	tm.tm_hour = min / 60;
	tm.tm_min = min % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* The shift of the day base + add days: rule 1. */
static void
att_shift_at(const struct att_shift *s, const struct tm *base, int add,
    int64_t *start, int64_t *end)
{
	*start = att_wall(base, add, s->start_min);
	*end = att_wall(base, add + (s->end_min <= s->start_min ? 1 : 0),
	    s->end_min);
}

/* The window of the day base + add: rule 2. */
static void
att_window(const struct att_shift *s, const struct tm *base, int add,
    int64_t *lo, int64_t *hi)
{
	int64_t ps, pe, st, en, ns, ne;

	att_shift_at(s, base, add - 1, &ps, &pe);
	att_shift_at(s, base, add, &st, &en);
	att_shift_at(s, base, add + 1, &ns, &ne);
	*lo = pe + (st - pe) / 2;
	*hi = en + (ns - en) / 2;
}

/* The number of days from .. to (inclusive), or -1. */
static int
att_span(const char *from, const char *to, struct tm *base)
{
	struct tm last, tm;
	int n;

	if (att_date_parse(from, base) == -1 ||
	    att_date_parse(to, &last) == -1)
		return -1;
	for (n = 0; n <= ATT_MAX_DAYS; n++) {
		tm = *base;
		tm.tm_mday += n;
		tm.tm_isdst = -1;
		mktime(&tm);
		if (tm.tm_year == last.tm_year && tm.tm_mon == last.tm_mon &&
		    tm.tm_mday == last.tm_mday)
			return n + 1;
	}
	return -1;
}

int
att_range(const struct att_shift *s, const char *from, const char *to,
    int64_t *lo_ms, int64_t *hi_ms)
{
	struct tm base;
	int64_t lo, hi;
	int n;

	if ((n = att_span(from, to, &base)) == -1)
		return -1;
	att_window(s, &base, 0, lo_ms, &hi);
	att_window(s, &base, n - 1, &lo, hi_ms);
	return 0;
}

/* Rules 3 and 4 over the passages of [lo, hi). */
static void
att_punches(const struct att_passage *p, size_t np, int64_t lo, int64_t hi,
    struct att_day *d)
{
	const struct att_passage *first = NULL, *last = NULL;

	for (size_t i = 0; i < np; i++) {
		if (!p[i].granted || p[i].ts_ms < lo || p[i].ts_ms >= hi)
			continue;
		d->passages++;
		if (first == NULL || p[i].ts_ms < first->ts_ms)
			first = &p[i];
		if (last == NULL || p[i].ts_ms >= last->ts_ms)
			last = &p[i];
		if (p[i].entry && (d->first_in_ms == -1 ||
		    p[i].ts_ms < d->first_in_ms))
			d->first_in_ms = p[i].ts_ms;
		if (!p[i].entry && p[i].ts_ms > d->last_out_ms)
			d->last_out_ms = p[i].ts_ms;
	}
	if (first != NULL && !first->entry)
		d->missing_in = true;
	if (last != NULL && last->entry)
		d->missing_out = true;
}

/* Rule 5. */
static void
att_correct(const struct att_correction *c, size_t nc, struct att_day *d)
{
	for (size_t i = 0; i < nc; i++) {
		if (strcmp(c[i].day, d->day) != 0)
			continue;
		d->corrected = true;
		switch (c[i].field) {
		case ATT_FIRST_IN:
			d->first_in_ms = c[i].value_ms;
			d->missing_in = false;
			break;
		case ATT_LAST_OUT:
			d->last_out_ms = c[i].value_ms;
			d->missing_out = false;
			break;
		case ATT_EXCUSED:
			d->missing_in = d->missing_out = false;
			break;
		}
	}
}

/* Rules 6 to 8. */
static void
att_figures(const struct att_shift *s, struct att_day *d)
{
	int64_t late, early, span;

	if (d->first_in_ms != -1 && d->last_out_ms > d->first_in_ms) {
		span = (d->last_out_ms - d->first_in_ms) / 60000;
		d->worked_min = span > s->break_min ?
		    (int)(span - s->break_min) : 0;
	}
	if (d->working && d->first_in_ms != -1) {
		late = (d->first_in_ms - d->start_ms) / 60000;
		if (late > s->grace_min)
			d->late_min = (int)late;
	}
	if (d->working && d->last_out_ms != -1) {
		early = (d->end_ms - d->last_out_ms) / 60000;
		if (early > s->grace_min)
			d->early_min = (int)early;
	}
	d->absent = d->working && d->passages == 0 && !d->corrected;
}

int
att_days(const struct att_shift *s, const char *from, const char *to,
    const struct att_passage *p, size_t np, const struct att_correction *c,
    size_t nc, struct att_day *out, size_t max)
{
	struct tm base, tm;
	int64_t lo, hi;
	int n;

	if ((n = att_span(from, to, &base)) == -1 || (size_t)n > max)
		return -1;
	for (int i = 0; i < n; i++) {
		struct att_day *d = &out[i];

		memset(d, 0, sizeof(*d));
		tm = base;
		tm.tm_mday += i;
		tm.tm_isdst = -1;
		mktime(&tm);
		strftime(d->day, sizeof(d->day), "%Y-%m-%d", &tm);
		/* tm_wday: 0 Sunday; days: bit 0 Monday. */
		d->working = (s->days >> ((tm.tm_wday + 6) % 7)) & 1;
		att_shift_at(s, &base, i, &d->start_ms, &d->end_ms);
		att_window(s, &base, i, &lo, &hi);
		d->first_in_ms = d->last_out_ms = -1;
		att_punches(p, np, lo, hi, d);
		att_correct(c, nc, d);
		att_figures(s, d);
	}
	return n;
}
