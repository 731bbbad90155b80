/*
 * A schedule's text (schedule_parse.c), as people type it and as pushes
 * and the store carry it, then its evaluation at every minute of a week
 * and the days around it, holidays included: a text is taken whole or
 * refused with a message, and a profile taken admits only within its
 * intervals' reach (never a minute out of range, never a crash).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sched_holidays h = { 0 };
	struct sched_local t;
	struct schedule s;
	char text[SCHED_TEXT_LEN + 1], msg[200];

	if (size > SCHED_TEXT_LEN)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	msg[0] = '\0';
	if (schedule_parse("f", text, &s, msg, sizeof(msg)) == -1) {
		if (msg[0] == '\0')
			abort();
		return 0;
	}
	if (s.nspans == 0 || s.nspans > SCHED_SPANS_MAX ||
	    s.grace_before > SCHED_GRACE_MAX || s.grace_after > SCHED_GRACE_MAX)
		abort();
	/* 2027-02-06 a holiday; the week around it, a minute at a time. */
	if (schedule_holiday_add(&h, "2027-02-06", msg, sizeof(msg)) == -1)
		abort();
	for (int32_t day = h.day[0] - 3; day <= h.day[0] + 3; day++)
		for (t.minute = -1; t.minute <= 1440; t.minute++) {
			bool open;

			t.day = day;
			open = schedule_open_local(&s, &h, &t);
			if (open && (t.minute < 0 || t.minute >= 1440))
				abort();
		}
	return 0;
}
