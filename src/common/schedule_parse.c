/*
 * A profile's text (schedule.h) read into its intervals.  The text is
 * what people type, what the store keeps and what a gate is sent, so it
 * is read strictly: every item must be understood, or the whole profile
 * is refused with the item named, never half taken.
 */
#include <stdio.h>
#include <string.h>

#include "schedule.h"
#include "span.h"

static const char *const schedule_day_names[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat",
};

bool
schedule_name_valid(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n >= SCHED_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    (c == '.' && i > 0)))
			return false;
	}
	return true;
}

static int
schedule_day_of(const char *p, size_t n)
{
	if (n != 3)
		return -1;
	for (int d = 0; d < 7; d++)
		if (memcmp(p, schedule_day_names[d], 3) == 0)
			return d;
	return -1;
}

/* "mon", "mon-fri", "mon,wed", "daily", "holiday" into a days mask. */
static int
schedule_days(const char *p, size_t n, uint8_t *days)
{
	*days = 0;
	if (n == 5 && memcmp(p, "daily", 5) == 0) {
		*days = 0x7f;
		return 0;
	}
	if (n == 7 && memcmp(p, "holiday", 7) == 0) {
		*days = SCHED_HOLIDAY_BIT;
		return 0;
	}
	while (n > 0) {
		const char *comma = memchr(p, ',', n);
		size_t len = comma != NULL ? (size_t)(comma - p) : n;
		const char *dash = memchr(p, '-', len);
		int a, b;

		if (dash != NULL) {
			a = schedule_day_of(p, (size_t)(dash - p));
			b = schedule_day_of(dash + 1,
			    len - (size_t)(dash - p) - 1);
		} else
			a = b = schedule_day_of(p, len);
		if (a == -1 || b == -1)
			return -1;
		/* A range may wrap the week: fri-mon. */
		for (int d = a;; d = (d + 1) % 7) {
			*days |= (uint8_t)(1u << d);
			if (d == b)
				break;
		}
		if (comma == NULL)
			break;
		n -= len + 1;
		p = comma + 1;
		if (n == 0)
			return -1;	/* a trailing comma */
	}
	return 0;
}

/* "HH:MM" exactly, 00:00..24:00, into minutes of the day. */
static int
schedule_clock(const char *p, size_t n, int *min)
{
	int h, m;

	if (n != 5 || p[2] != ':')
		return -1;
	for (size_t i = 0; i < 5; i++)
		if (i != 2 && (p[i] < '0' || p[i] > '9'))
			return -1;
	h = (p[0] - '0') * 10 + (p[1] - '0');
	m = (p[3] - '0') * 10 + (p[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* "0".."SCHED_GRACE_MAX" into *v. */
static int
schedule_minutes(const char *p, size_t n, int *v)
{
	*v = 0;
	if (n == 0 || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return *v <= SCHED_GRACE_MAX ? 0 : -1;
}

static int
schedule_grace(struct schedule *s, const char *p, size_t n)
{
	const char *slash = memchr(p, '/', n);

	if (slash == NULL) {
		if (schedule_minutes(p, n, &s->grace_before) == -1)
			return -1;
		s->grace_after = s->grace_before;
		return 0;
	}
	if (schedule_minutes(p, (size_t)(slash - p), &s->grace_before) == -1)
		return -1;
	return schedule_minutes(slash + 1, n - (size_t)(slash - p) - 1,
	    &s->grace_after);
}

/* "FROM-TO[,FROM-TO...]" for the days given. */
static int
schedule_spans(struct schedule *s, uint8_t days, const char *p, size_t n,
    char *msg, size_t msglen)
{
	while (n > 0) {
		const char *comma = memchr(p, ',', n);
		size_t len = comma != NULL ? (size_t)(comma - p) : n;
		struct sched_span *sp;
		int from, to;

		if (len != 11 || p[5] != '-' ||
		    schedule_clock(p, 5, &from) == -1 ||
		    schedule_clock(p + 6, 5, &to) == -1 || from == 1440) {
			snprintf(msg, msglen, "'%.*s' is not an interval "
			    "(HH:MM-HH:MM, 00:00 to 24:00)", (int)(len > 40 ?
			    40 : len), p);
			return -1;
		}
		if (from == to) {
			snprintf(msg, msglen, "'%.11s' is empty (a whole day "
			    "is 00:00-24:00)", p);
			return -1;
		}
		if (s->nspans >= SCHED_SPANS_MAX) {
			snprintf(msg, msglen, "more than %d intervals",
			    SCHED_SPANS_MAX);
			return -1;
		}
		sp = &s->span[s->nspans++];
		sp->days = days;
		sp->from = (uint16_t)from;
		/* 22:00-00:00 ends at midnight: 24:00, not a day later. */
		sp->to = (uint16_t)(to == 0 ? 1440 : to);
		if (comma == NULL)
			break;
		n -= len + 1;
		p = comma + 1;
		if (n == 0) {
			snprintf(msg, msglen, "a comma with no interval after "
			    "it");
			return -1;
		}
	}
	return 0;
}

static int
schedule_item(struct schedule *s, const char *p, size_t n, bool *graced,
    char *msg, size_t msglen)
{
	const char *sp = memchr(p, ' ', n), *rest;
	size_t wlen, rlen;
	uint8_t days;

	if (sp == NULL)
		sp = memchr(p, '\t', n);
	if (sp == NULL) {
		snprintf(msg, msglen, "'%.*s' is not DAYS HH:MM-HH:MM or grace "
		    "N[/M]", (int)(n > 40 ? 40 : n), p);
		return -1;
	}
	wlen = (size_t)(sp - p);
	rest = sp;
	rlen = n - wlen;
	span_trim(&rest, &rlen);
	if (wlen == 5 && memcmp(p, "grace", 5) == 0) {
		if (*graced) {
			snprintf(msg, msglen, "grace given twice");
			return -1;
		}
		*graced = true;
		if (schedule_grace(s, rest, rlen) == 0)
			return 0;
		snprintf(msg, msglen, "'grace %.*s': minutes 0 to %d, as "
		    "BEFORE or BEFORE/AFTER", (int)(rlen > 20 ? 20 : rlen),
		    rest, SCHED_GRACE_MAX);
		return -1;
	}
	if (schedule_days(p, wlen, &days) == -1) {
		snprintf(msg, msglen, "'%.*s' is not days (mon..sun, mon-fri, "
		    "mon,wed, daily, holiday)", (int)(wlen > 40 ? 40 : wlen), p);
		return -1;
	}
	if (days == SCHED_HOLIDAY_BIT && rlen == 6 &&
	    memcmp(rest, "closed", 6) == 0)
		return 0;
	return schedule_spans(s, days, rest, rlen, msg, msglen);
}

int
schedule_parse(const char *name, const char *text, struct schedule *s,
    char *msg, size_t msglen)
{
	const char *p = text;
	bool graced = false;

	memset(s, 0, sizeof(*s));
	if (!schedule_name_valid(name)) {
		snprintf(msg, msglen, "'%.40s' is not a schedule name (letters, "
		    "digits, '-', '_', '.', at most %d)", name != NULL ? name :
		    "", SCHED_NAME_LEN - 1);
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (text == NULL || strlen(text) >= SCHED_TEXT_LEN) {
		snprintf(msg, msglen, "a schedule's text has at most %d bytes",
		    SCHED_TEXT_LEN - 1);
		return -1;
	}
	for (const char *c = text; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t') {
			snprintf(msg, msglen, "a control character in the "
			    "text");
			return -1;
		}
	while (*p != '\0') {
		const char *semi = strchr(p, ';');
		size_t n = semi != NULL ? (size_t)(semi - p) : strlen(p);
		const char *item = p;

		span_trim(&item, &n);
		if (n > 0 && schedule_item(s, item, n, &graced, msg,
		    msglen) == -1)
			return -1;
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	if (s->nspans == 0) {
		snprintf(msg, msglen, "no interval: a schedule that is never "
		    "open is a suspended credential");
		return -1;
	}
	return 0;
}
