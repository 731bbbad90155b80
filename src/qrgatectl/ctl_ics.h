/*
 * Holiday dates from an iCalendar file (RFC 5545), read with libical:
 * qrgatectl schedule holiday import FILE.ics (ctl_ics.c).
 */
#ifndef QRGATE_CTL_ICS_H
#define QRGATE_CTL_ICS_H

#include <stddef.h>

/* The longest event taken, in days: a week of Tet fits, a year does not. */
#define CTL_ICS_EVENT_DAYS	31
/* How many occurrences of a repeating event are taken, at most, and how
 * many years after its first. */
#define CTL_ICS_REPEAT_MAX	50

/*
 * Calls day(date "YYYY-MM-DD", the event's summary or "", line, arg) for
 * every date of every VEVENT in the file: each day of an all-day event
 * (DTEND exclusive), occurrences of an RRULE included.  An event with a
 * time of day, none or over CTL_ICS_EVENT_DAYS days is an error.  line is
 * the line of its BEGIN:VEVENT.  Returns the dates given, or -1 with
 * "FILE:LINE: message" in err (day's own refusal included).
 */
int ctl_ics_read(const char *path, int (*day)(const char *date,
    const char *summary, int line, void *arg, char *msg, size_t msglen),
    void *arg, char *err, size_t errlen);

#endif
