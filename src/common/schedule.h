/*
 * Schedules: when a credential may enter, as the site's clocks show it.
 *
 * A profile is a named weekly rule: intervals per weekday (several a day;
 * one whose end is not after its start crosses midnight and ends on the
 * next day), an interval set for holidays, and grace minutes before and
 * after every interval (a worker early for a shift, or late out of it).
 * It is written as one line of text, items separated by ';':
 *
 *	mon-fri 07:00-11:30,12:30-16:00; sat 07:00-11:00; grace 15/10
 *	daily 22:00-06:00; holiday 22:00-06:00
 *
 *	DAYS FROM-TO[,FROM-TO...]	DAYS: mon tue wed thu fri sat sun, a
 *					range (mon-fri, fri-mon), a list
 *					(mon,wed,fri), daily, or holiday
 *	grace BEFORE[/AFTER]		minutes, 0..SCHED_GRACE_MAX; AFTER
 *					defaults to BEFORE
 *	holiday closed			says what is anyway the default
 *
 * FROM and TO are HH:MM, 00:00 to 23:59; TO may also be 24:00.
 *
 * Holidays: the site has one calendar of dates (Tet, lunar holidays
 * entered as their dates).  On a date of it, a profile's weekday
 * intervals do not start; its holiday intervals start instead, and a
 * profile with none is closed all that day.  An interval belongs to the
 * day it starts on: a night shift from the eve of a holiday runs to its
 * end.
 *
 * Time: a profile is wall-clock time in the site's zone.  When the
 * clocks go forward, a shift that ends in the skipped hour ends at the
 * jump; when they go back, the repeated hour is inside or outside the
 * shift both times.  Every comparison is to the minute: FROM is open,
 * TO is closed (07:00-16:00 admits 15:59:59, not 16:00:00).
 *
 * Nothing here does I/O apart from reading the zone through the C
 * library (sitetime_wall()); the store keeps the profiles' text.
 */
#ifndef QRGATE_SCHEDULE_H
#define QRGATE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for a profile's name, NUL included: letters, digits, '-', '_'
 * and '.'. */
#define SCHED_NAME_LEN		32
/* Room for a profile's text, NUL included. */
#define SCHED_TEXT_LEN		512
/* The most intervals a profile holds, over all its days. */
#define SCHED_SPANS_MAX		32
/* The most grace minutes either side: four hours, so that a grace can
 * never reach past the day after an interval's. */
#define SCHED_GRACE_MAX		240
/* The most holiday dates a gate keeps. */
#define SCHED_HOLIDAYS_MAX	1024

/* Bit d of sched_span.days: weekday d, 0 Sunday .. 6 Saturday (as tm_wday). */
#define SCHED_HOLIDAY_BIT	(1u << 7)	/* the holiday interval set */

struct sched_span {
	uint8_t days;		/* weekdays it starts on, or
				 * SCHED_HOLIDAY_BIT */
	uint16_t from;		/* minute of the day, 0..1439 */
	uint16_t to;		/* 1..1440; not after from: the next day */
};

struct schedule {
	char name[SCHED_NAME_LEN];
	int grace_before;	/* minutes */
	int grace_after;
	size_t nspans;
	struct sched_span span[SCHED_SPANS_MAX];
};

/* The site's holiday dates: days since 1970-01-01, sorted, unique. */
struct sched_holidays {
	size_t n;
	int32_t day[SCHED_HOLIDAYS_MAX];
};

/* A local time: the date as days since 1970-01-01, the minute of day. */
struct sched_local {
	int32_t day;
	int minute;		/* 0..1439 */
};

/* Whether name is a profile name (see SCHED_NAME_LEN). */
bool schedule_name_valid(const char *name);

/*
 * Reads a profile's text (above) into s, named name.  Returns 0, or -1
 * with a message naming the item at fault in msg; s is then unusable.
 */
int schedule_parse(const char *name, const char *text, struct schedule *s,
    char *msg, size_t msglen);

/*
 * Whether the profile admits at the local time t, holidays h (NULL:
 * none).  Pure: the tests give any local time they like.
 */
bool schedule_open_local(const struct schedule *s,
    const struct sched_holidays *h, const struct sched_local *t);

/* The site's local time at the UTC instant ms (sitetime_wall()).
 * Returns 0, or -1 outside the C library's range. */
int schedule_local(int64_t ms, struct sched_local *t);

/*
 * Whether the profile admits at the UTC instant ms, in the site's zone.
 * Returns 1 open, 0 closed, -1 a time the C library cannot convert
 * (closed, to the caller).
 */
int schedule_open_at(const struct schedule *s, const struct sched_holidays *h,
    int64_t ms);

/*
 * Adds the date "YYYY-MM-DD" to h, keeping it sorted and unique.
 * Returns 0 (also when already there), or -1 with a message (not a
 * date, or the calendar full).
 */
int schedule_holiday_add(struct sched_holidays *h, const char *date,
    char *msg, size_t msglen);

/* Whether day (since 1970-01-01) is one of h's. */
bool schedule_holiday_is(const struct sched_holidays *h, int32_t day);

#endif
