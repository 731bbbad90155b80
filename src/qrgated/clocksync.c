/* The clock's synchronisation (clocksync.h). */
#include <sys/timex.h>

#include <string.h>

#include "clocksync.h"
#include "log.h"

#define CLOCKSYNC_EVERY_NS	1000000000LL

bool
clocksync_kernel(void)
{
	static bool warned;
	struct timex tx;
	int rc;

	/* modes 0 only reads, which needs no privilege, but a seccomp
	 * filter may still refuse it (systemd's ProtectClock=, or a
	 * SystemCallFilter= without adjtimex): then nothing says the clock
	 * is synchronised, and it is not taken to be. */
	memset(&tx, 0, sizeof(tx));
	if ((rc = adjtimex(&tx)) == -1) {
		if (!warned)
			log_warn("adjtimex: the clock's synchronisation cannot "
			    "be read; taken as not synchronised");
		warned = true;
		return false;
	}
	return rc != TIME_ERROR;
}

bool
clocksync_get(struct clocksync *c, enum clock_sync_source source,
    int64_t now_ns)
{
	switch (source) {
	case CLOCK_SYNC_ASSUME_SYNCED:
		return true;
	case CLOCK_SYNC_ASSUME_UNSYNCED:
		return false;
	default:
		break;
	}
	if (!c->known || now_ns - c->asked_ns >= CLOCKSYNC_EVERY_NS ||
	    now_ns < c->asked_ns) {
		c->synced = c->query != NULL ? c->query() : clocksync_kernel();
		c->asked_ns = now_ns;
		c->known = true;
	}
	return c->synced;
}
