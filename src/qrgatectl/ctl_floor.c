/*
 * qrgatectl floor [--set now|T]: the gate's time floor (gatetime.h), read
 * from or written to the database file.  A clock stepped forward while the
 * gate trusted it (a lying time server, a typo on a synchronised clock)
 * carries the floor with it, and the gate's time then stands at that
 * floor, denying what ends before it, until the clock catches up: months,
 * for a step of months.  Setting the floor back is the operator's way out,
 * and an operator's act alone: it is written to the file, with the daemon
 * stopped (it reads the floor at start and keeps its own until then).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"
#include "sitetime.h"
#include "store.h"
#include "timefmt.h"

#define FLOOR_KEY	"time_floor_ms"

static void
floor_print(const char *what, int64_t ms)
{
	char when[TIMEFMT_LEN];

	printf("%-12s %s\n", what, ms > 0 ? timefmt_format(ms, when,
	    sizeof(when)) : "none");
}

/*
 * Whether a daemon answers on the control socket.  A running daemon keeps
 * its own floor and writes it down again: a floor set under it would be
 * undone, and the operator told it was done.
 */
static bool
floor_daemon_running(const struct ctl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool up;
	int s;

	if (strlen(c->cfg.control.socket) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, c->cfg.control.socket);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	up = connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(s);
	return up;
}

int
ctl_floor(struct ctl *c, int argc, char **argv)
{
	const char *path = c->cfg.store.path, *set = NULL;
	int64_t floor_ms = 0, newest = 0, to;
	char msg[200];
	struct store *st;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((set = ctl_opt(argc, argv, &i, "--set")) != NULL)
			continue;
		fprintf(stderr, "usage: qrgatectl floor [--set now|T]\n");
		return 2;
	}
	if (set == NULL && access(path, R_OK) == -1) {
		fprintf(stderr, "qrgatectl: cannot open %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	if (set != NULL) {
		if (strcmp(set, "now") == 0)
			to = clock_utc_ms();
		else if (sitetime_parse(set, &to, msg, sizeof(msg)) == -1) {
			fprintf(stderr, "qrgatectl: floor: %s, or 'now'\n",
			    msg);
			return 2;
		} else if (to <= 0) {
			fprintf(stderr, "qrgatectl: floor: %s: not after "
			    "1970\n", set);
			return 2;
		}
	}
	if (set != NULL && floor_daemon_running(c)) {
		fprintf(stderr, "qrgatectl: floor: qrgated answers on %s: stop "
		    "it first (it keeps its own floor and writes it down)\n",
		    c->cfg.control.socket);
		return 1;
	}
	if ((st = store_open(path, c->cfg.store.synchronous, set == NULL)) ==
	    NULL)
		return 1;
	if (store_meta_get(st, FLOOR_KEY, &floor_ms) == -1 ||
	    store_event_newest_ts(st, &newest) == -1)
		goto out;
	if (set == NULL) {
		floor_print("time floor", floor_ms);
		floor_print("newest row", newest);
		rc = 0;
		goto out;
	}
	if (store_meta_set(st, FLOOR_KEY, to) == -1)
		goto out;
	floor_print("was", floor_ms);
	floor_print("time floor", to);
	/* Rows stamped under the old floor lift the new one by a minute at
	 * most (gatetime_floor_start()), so they do not undo this. */
	if (floor_ms > to)
		fprintf(stderr, "qrgatectl: floor: set back: a clock now set "
		    "back that far would count credentials that ended since "
		    "as valid again; start qrgated only with the clock right\n");
	rc = 0;
out:
	store_close(st);
	return rc;
}
