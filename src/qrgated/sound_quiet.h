/*
 * sound.quiet_hours: a window of the site's day, "HH:MM-HH:MM", during
 * which the lane speaks no prompt (the buzzer and the lamps stay).  A
 * window whose end is before its start runs over midnight ("22:00-06:00").
 */
#ifndef QRGATE_SOUND_QUIET_H
#define QRGATE_SOUND_QUIET_H

#include <stdbool.h>
#include <stddef.h>

struct sound_quiet {
	bool set;		/* false: no quiet hours ("") */
	int from;		/* minutes after the site's midnight */
	int to;			/* first minute that is not quiet */
};

/*
 * Reads "HH:MM-HH:MM" (or "" for none) into q.  Returns 0, or -1 with a
 * message in msg.  A window that starts where it ends is refused: it
 * could mean no minute or every minute.
 */
int sound_quiet_parse(const char *s, struct sound_quiet *q, char *msg,
    size_t msglen);

/* Whether minute (0 .. 1439 of the site's day) is in q's window. */
bool sound_quiet_in(const struct sound_quiet *q, int minute);

#endif
