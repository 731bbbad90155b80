/*
 * A profile's evaluation at a local time, and the holiday calendar
 * (schedule.h).  The text of a profile is schedule_parse.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "sitetime.h"
#include "timefmt.h"

#define SCHED_DAY_MIN	1440
#define SCHED_DAY_MS	INT64_C(86400000)

static int
schedule_day_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

bool
schedule_holiday_is(const struct sched_holidays *h, int32_t day)
{
	if (h == NULL || h->n == 0)
		return false;
	return bsearch(&day, h->day, h->n, sizeof(h->day[0]),
	    schedule_day_cmp) != NULL;
}

int
schedule_holiday_add(struct sched_holidays *h, const char *date, char *msg,
    size_t msglen)
{
	int64_t ms;
	int32_t day;
	size_t i;

	/* A date alone, which timefmt_parse() reads as its UTC midnight:
	 * the day count is then the date's, whatever the zone. */
	if (date == NULL || strlen(date) != 10 ||
	    timefmt_parse(date, &ms) == -1) {
		snprintf(msg, msglen, "'%.40s' is not a date (YYYY-MM-DD)",
		    date != NULL ? date : "");
		return -1;
	}
	day = (int32_t)(ms / SCHED_DAY_MS);
	if (schedule_holiday_is(h, day))
		return 0;
	if (h->n >= SCHED_HOLIDAYS_MAX) {
		snprintf(msg, msglen, "more than %d holidays",
		    SCHED_HOLIDAYS_MAX);
		return -1;
	}
	for (i = h->n; i > 0 && h->day[i - 1] > day; i--)
		h->day[i] = h->day[i - 1];
	h->day[i] = day;
	h->n++;
	return 0;
}

/* 1970-01-01 was a Thursday: tm_wday 4. */
static int
schedule_wday(int32_t day)
{
	int w = (int)((day + 4) % 7);

	return w < 0 ? w + 7 : w;
}

/*
 * Whether one of the intervals that start on the date t->day + d covers
 * the minute t->minute of t->day, grace included.  Minutes are counted
 * from the start of t->day, so the intervals of the day before reach
 * into it past 1440 and those of the day after start below 0.
 */
static bool
schedule_day_covers(const struct schedule *s, const struct sched_holidays *h,
    const struct sched_local *t, int d)
{
	int32_t day = t->day + d;
	unsigned bit = schedule_holiday_is(h, day) ? SCHED_HOLIDAY_BIT :
	    1u << schedule_wday(day);

	for (size_t i = 0; i < s->nspans; i++) {
		const struct sched_span *sp = &s->span[i];
		int from = d * SCHED_DAY_MIN + sp->from - s->grace_before;
		int to = d * SCHED_DAY_MIN + sp->to + s->grace_after;

		if ((sp->days & bit) == 0)
			continue;
		if (sp->to <= sp->from)
			to += SCHED_DAY_MIN;
		if (t->minute >= from && t->minute < to)
			return true;
	}
	return false;
}

bool
schedule_open_local(const struct schedule *s, const struct sched_holidays *h,
    const struct sched_local *t)
{
	if (s == NULL || t == NULL || t->minute < 0 ||
	    t->minute >= SCHED_DAY_MIN)
		return false;
	/*
	 * An interval lasts less than two days and a grace at most four
	 * hours, so only those starting from two days before to the day
	 * after (an early grace past midnight) can cover now.
	 */
	for (int d = -2; d <= 1; d++)
		if (schedule_day_covers(s, h, t, d))
			return true;
	return false;
}

int
schedule_local(int64_t ms, struct sched_local *t)
{
	int64_t wall, day;

	if (sitetime_wall(ms, &wall) == -1)
		return -1;
	day = wall / SCHED_DAY_MS - (wall % SCHED_DAY_MS < 0);
	if (day < INT32_MIN || day > INT32_MAX)
		return -1;
	t->day = (int32_t)day;
	t->minute = (int)((wall - day * SCHED_DAY_MS) / 60000);
	return 0;
}

int
schedule_open_at(const struct schedule *s, const struct sched_holidays *h,
    int64_t ms)
{
	struct sched_local t;

	if (schedule_local(ms, &t) == -1)
		return -1;
	return schedule_open_local(s, h, &t) ? 1 : 0;
}
