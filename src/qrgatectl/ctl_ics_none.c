/*
 * ctl_ics.h for a build without libical (the Makefile says when): the
 * import is refused, plainly, and holidays come from a text file.
 */
#include <stdio.h>

#include "ctl_ics.h"

int
ctl_ics_read(const char *path, int (*day)(const char *date,
    const char *summary, int line, void *arg, char *msg, size_t msglen),
    void *arg, char *err, size_t errlen)
{
	(void)day;
	(void)arg;
	snprintf(err, errlen, "%s: this qrgatectl was built without libical: "
	    "give the holidays as a text file (YYYY-MM-DD description)", path);
	return -1;
}
