/*
 * Quiet hours.  Minutes of the site's day, read by the caller from the
 * site's clock (sitetime), so a window set as "22:00-06:00" follows
 * site.timezone, not the Pi's own zone.
 */
#include <stdio.h>
#include <string.h>

#include "sound_quiet.h"

/* "HH:MM" at s, exactly five characters: minutes, or -1. */
static int
sound_quiet_minute(const char *s)
{
	int h, m;

	if (strlen(s) < 5 || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
	    s[1] > '9' || s[2] != ':' || s[3] < '0' || s[3] > '9' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int
sound_quiet_parse(const char *s, struct sound_quiet *q, char *msg,
    size_t msglen)
{
	memset(q, 0, sizeof(*q));
	if (s[0] == '\0')
		return 0;
	if (strlen(s) != 11 || s[5] != '-' ||
	    (q->from = sound_quiet_minute(s)) == -1 ||
	    (q->to = sound_quiet_minute(s + 6)) == -1) {
		snprintf(msg, msglen, "\"%.40s\" is not HH:MM-HH:MM in the "
		    "site's time, or empty", s);
		return -1;
	}
	if (q->from == q->to) {
		snprintf(msg, msglen, "\"%s\" starts where it ends", s);
		return -1;
	}
	q->set = true;
	return 0;
}

bool
sound_quiet_in(const struct sound_quiet *q, int minute)
{
	if (!q->set)
		return false;
	if (q->from < q->to)
		return minute >= q->from && minute < q->to;
	return minute >= q->from || minute < q->to;
}
