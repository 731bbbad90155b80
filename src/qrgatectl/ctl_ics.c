/*
 * Holiday dates from an iCalendar file (ctl_ics.h).  libical reads the
 * file; what is done here is what a holiday calendar means: whole days,
 * each day of a multi-day event, a yearly rule's occurrences within a
 * bound.  The line of each event is found by counting its BEGIN:VEVENT
 * lines in the text, so that an error names where to look.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "ctl_ics.h"
#include "readfile.h"

/* A calendar file of holidays is small; a bound keeps a wrong file out. */
#define CTL_ICS_MAX	(4 * 1024 * 1024)

/* The line of the n-th (0-based) BEGIN:VEVENT in text, or 0. */
static int
ics_event_line(const char *text, int n)
{
	const char *p = text;
	int line = 1;

	while (*p != '\0') {
		if (strncasecmp(p, "BEGIN:VEVENT", 12) == 0 &&
		    (p[12] == '\r' || p[12] == '\n' || p[12] == '\0') &&
		    n-- == 0)
			return line;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
		line++;
	}
	return 0;
}

struct ics_ctx {
	const char *path;
	int line;
	const char *summary;
	int (*day)(const char *, const char *, int, void *, char *, size_t);
	void *arg;
	int count;
	char *err;
	size_t errlen;
};

/* Each day from start for days days.  0 or -1. */
static int
ics_days(struct ics_ctx *x, struct icaltimetype start, int days)
{
	char date[16], msg[200];

	for (int i = 0; i < days; i++) {
		snprintf(date, sizeof(date), "%04d-%02d-%02d", start.year,
		    start.month, start.day);
		if (x->day(date, x->summary, x->line, x->arg, msg,
		    sizeof(msg)) == -1) {
			snprintf(x->err, x->errlen, "%s:%d: %s", x->path,
			    x->line, msg);
			return -1;
		}
		x->count++;
		icaltime_adjust(&start, 1, 0, 0, 0);
	}
	return 0;
}

static int
ics_fail(struct ics_ctx *x, const char *msg)
{
	snprintf(x->err, x->errlen, "%s:%d: %s", x->path, x->line, msg);
	return -1;
}

/* One VEVENT: its dates, and its RRULE's. */
static int
ics_event(struct ics_ctx *x, icalcomponent *ev)
{
	struct icaltimetype start = icalcomponent_get_dtstart(ev);
	struct icaltimetype end = icalcomponent_get_dtend(ev);
	icalproperty *rrule;
	icalrecur_iterator *it;
	int days, n = 0;

	x->summary = icalcomponent_get_summary(ev);
	if (x->summary == NULL)
		x->summary = "";
	if (icaltime_is_null_time(start) || !icaltime_is_valid_time(start))
		return ics_fail(x, "an event without a DTSTART date");
	if (!icaltime_is_date(start))
		return ics_fail(x, "DTSTART has a time of day: a holiday is "
		    "whole days (DTSTART;VALUE=DATE:YYYYMMDD)");
	/* No DTEND: the one day (RFC 5545, 3.6.1); else up to DTEND,
	 * counted a day at a time, so a year's end is no special case. */
	if (icaltime_is_null_time(end))
		days = 1;
	else if (!icaltime_is_date(end))
		return ics_fail(x, "DTEND has a time of day: a holiday is "
		    "whole days");
	else {
		struct icaltimetype t = start;

		for (days = 0; icaltime_compare_date_only(t, end) < 0 &&
		    days <= CTL_ICS_EVENT_DAYS; days++)
			icaltime_adjust(&t, 1, 0, 0, 0);
	}
	if (days < 1 || days > CTL_ICS_EVENT_DAYS) {
		char msg[112];

		snprintf(msg, sizeof(msg), "a holiday is an event of 1 to %d "
		    "days; this one ends before it starts or lasts longer",
		    CTL_ICS_EVENT_DAYS);
		return ics_fail(x, msg);
	}
	if ((rrule = icalcomponent_get_first_property(ev,
	    ICAL_RRULE_PROPERTY)) == NULL)
		return ics_days(x, start, days);
	/* A holiday comes back each year, if at all (a lunar one not even
	 * then): a weekly or daily rule is a working calendar's, not this. */
	if (icalproperty_get_rrule(rrule).freq != ICAL_YEARLY_RECURRENCE)
		return ics_fail(x, "a repeating holiday repeats yearly "
		    "(RRULE:FREQ=YEARLY)");
	if ((it = icalrecur_iterator_new(icalproperty_get_rrule(rrule),
	    start)) == NULL)
		return ics_fail(x, "an RRULE libical cannot follow");
	for (struct icaltimetype t = icalrecur_iterator_next(it);
	    !icaltime_is_null_time(t) && n < CTL_ICS_REPEAT_MAX &&
	    t.year - start.year < CTL_ICS_REPEAT_MAX;
	    t = icalrecur_iterator_next(it), n++) {
		t.is_date = 1;
		if (ics_days(x, t, days) == -1) {
			icalrecur_iterator_free(it);
			return -1;
		}
	}
	icalrecur_iterator_free(it);
	return 0;
}

int
ctl_ics_read(const char *path, int (*day)(const char *date,
    const char *summary, int line, void *arg, char *msg, size_t msglen),
    void *arg, char *err, size_t errlen)
{
	struct ics_ctx x = { path, 0, "", day, arg, 0, err, errlen };
	icalcomponent *root, *ev;
	char *text;
	size_t len;
	int n = 0, rc = 0;

	if (read_file(path, CTL_ICS_MAX, &text, &len) == -1) {
		snprintf(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "larger than 4 MiB" : strerror(errno));
		return -1;
	}
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s: a NUL byte: not an iCalendar file",
		    path);
		free(text);
		return -1;
	}
	/* A damaged file is an error to report, never an abort. */
	icalerror_set_errors_are_fatal(0);
	root = icalparser_parse_string(text);
	if (root == NULL || (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT
	    && icalcomponent_isa(root) != ICAL_VEVENT_COMPONENT)) {
		snprintf(err, errlen, "%s:1: not an iCalendar file "
		    "(BEGIN:VCALENDAR)", path);
		if (root != NULL)
			icalcomponent_free(root);
		free(text);
		return -1;
	}
	if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT) {
		x.line = ics_event_line(text, 0);
		rc = ics_event(&x, root);
	} else
		for (ev = icalcomponent_get_first_component(root,
		    ICAL_VEVENT_COMPONENT); ev != NULL && rc == 0;
		    ev = icalcomponent_get_next_component(root,
		    ICAL_VEVENT_COMPONENT)) {
			x.line = ics_event_line(text, n++);
			rc = ics_event(&x, ev);
		}
	icalcomponent_free(root);
	free(text);
	if (rc == 0 && x.count == 0) {
		snprintf(err, errlen, "%s: no event (VEVENT) in it", path);
		return -1;
	}
	return rc == -1 ? -1 : x.count;
}
