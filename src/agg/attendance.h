/*
 * Attendance: one person's shift days from their passages (issue 20, the
 * aggregator's half).  Pure: no database, no I/O; the caller hands over
 * the passages, the shift and HR's corrections, and gets one row per
 * calendar day.  Local time is the process's zone (sitetime_zone_use():
 * the site's), through mktime() and localtime_r(), so a zone with summer
 * time gives real elapsed minutes across its changes.
 *
 * The rules, in the order att_days() applies them:
 *
 *  1. A shift day D is the local date on which its shift starts.  Its
 *     shift runs from D at start to D at end, or to D+1 at end when end
 *     is not after start (a night shift 22:00-06:00 belongs to the day
 *     it starts).  The instants come from mktime() of the local wall
 *     times, so a DST night is 7 or 9 hours of real time.
 *
 *  2. A passage belongs to exactly one shift day: the one whose shift is
 *     nearest.  Day D's window runs from halfway between the end of
 *     D-1's shift and the start of D's, to halfway between the end of
 *     D's shift and the start of D+1's, half-open [from, to): the
 *     windows of consecutive days tile the time line, with no gap and
 *     no overlap, and a passage on a boundary goes to the later day.
 *     (For 08:00-17:00 in a zone without DST: 00:30 to 00:30 the next
 *     day; for 22:00-06:00: 14:00 to 14:00 the next day.)
 *
 *  3. Only granted passages count; a denied one is as if it never was.
 *
 *  4. first_in is the earliest entry of the day, last_out the latest
 *     exit.  Two entries in a row (a badge shown twice) are not a
 *     problem: the first is first_in.  missing_out: the day's last
 *     passage is an entry (in, nothing after).  missing_in: its first
 *     passage is an exit (out without an in).
 *
 *  5. HR's corrections replace first_in or last_out of the day (the
 *     latest correction of a field wins: they come in the order they
 *     were made) and clear the matching missing flag; "excused" clears
 *     absent and both missing flags.  They never touch the passages.
 *
 *  6. worked = whole minutes from first_in to last_out, less the break,
 *     never below 0; 0 when either is missing or last_out is not after
 *     first_in.
 *
 *  7. On a working day (the shift's weekdays) late is the whole minutes
 *     from the shift's start to first_in when they exceed the grace,
 *     else 0; left early the whole minutes from last_out to the shift's
 *     end when they exceed the grace.  Grace is a threshold, not a
 *     discount: 7 minutes late with 5 of grace is 7 late.  On a day off
 *     neither is counted: coming in on a Sunday is not lateness.
 *
 *  8. absent: a working day with no granted passage and no correction.
 */
#ifndef QRGATE_AGG_ATTENDANCE_H
#define QRGATE_AGG_ATTENDANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATT_NAME_MAX	64
/* YYYY-MM-DD and its NUL. */
#define ATT_DATE_LEN	11
/* The longest range att_days() takes, in days. */
#define ATT_MAX_DAYS	400

struct att_shift {
	char name[ATT_NAME_MAX];
	int start_min;		/* minutes after local midnight, 0..1439 */
	int end_min;		/* the same; <= start_min: the next day */
	int break_min;		/* taken off worked time */
	int grace_min;		/* late / left early thresholds */
	unsigned days;		/* working weekdays: bit 0 Monday .. bit 6
				 * Sunday */
};

struct att_passage {
	int64_t ts_ms;
	bool entry;		/* false: exit */
	bool granted;
};

enum att_field { ATT_FIRST_IN, ATT_LAST_OUT, ATT_EXCUSED };

struct att_correction {
	char day[ATT_DATE_LEN];	/* the shift day it corrects */
	enum att_field field;
	int64_t value_ms;	/* first_in, last_out: the instant */
};

struct att_day {
	char day[ATT_DATE_LEN];
	bool working;		/* one of the shift's weekdays */
	int64_t start_ms, end_ms;	/* the shift's, that day */
	int64_t first_in_ms;	/* -1: none */
	int64_t last_out_ms;	/* -1: none */
	int worked_min, late_min, early_min;
	bool missing_in, missing_out, absent;
	bool corrected;		/* a correction applied */
	int passages;		/* granted passages in the day's window */
};

/* "HH:MM" to minutes after midnight: 0, or -1. */
int att_hhmm_parse(const char *s, int *min);

/* "1234567"-style weekdays (1 Monday .. 7 Sunday) to att_shift.days:
 * 0, or -1 on another character or none. */
int att_days_parse(const char *s, unsigned *days);

/* Checks a shift's figures: 0, or -1 with the reason in err. */
int att_shift_check(const struct att_shift *s, char *err, size_t errlen);

/*
 * The instants of every passage that can fall into the shift days from
 * .. to (local dates, inclusive), by rule 2: [*lo_ms, *hi_ms).  0, or -1
 * on a bad date.
 */
int att_range(const struct att_shift *s, const char *from, const char *to,
    int64_t *lo_ms, int64_t *hi_ms);

/*
 * The shift days from .. to (inclusive), one att_day each into out
 * (room for max), from the passages p (any order) and the corrections c
 * (in the order they were made; those of other days ignored).  Returns
 * the days written, or -1 on a bad date, a range longer than max or
 * ATT_MAX_DAYS, or out of memory.
 */
int att_days(const struct att_shift *s, const char *from, const char *to,
    const struct att_passage *p, size_t np, const struct att_correction *c,
    size_t nc, struct att_day *out, size_t max);

#endif
