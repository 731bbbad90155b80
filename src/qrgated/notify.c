#include "notify.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CONFIG_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "util.h"

static void
notify_send(const char *state)
{
#ifdef CONFIG_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

void
notify_status(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + 7, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	memcpy(buf, "STATUS=", 7);
	notify_send(buf);
}

/*
 * Fed at half the period systemd asked for, and only while the gate works:
 * a camera that stopped delivering, or a database that stopped answering,
 * lets the watchdog expire, and systemd restarts the daemon (relays safe
 * first, since SIGABRT's default action ends the process and the kernel
 * releases the lines; a watchdog restart passes through a clean start).
 */
static void
notify_watchdog_check(struct loop *l, struct loop_timer *t)
{
	struct notify *n = container_of(t, struct notify, watchdog);
	char why[128];

	if (gate_healthy(n->gate, why, sizeof(why))) {
		notify_send("WATCHDOG=1");
		if (n->starving)
			log_info("watchdog: healthy again");
		n->starving = false;
	} else if (!n->starving) {
		log_warnx("watchdog: not fed: %s", why);
		notify_status("unhealthy: %s", why);
		n->starving = true;
	}
	loop_timer_set(l, t, n->period_ms / 2);
}

void
notify_ready(struct notify *n, struct loop *l, struct gate *g)
{
	uint64_t usec = 0;

	n->loop = l;
	n->gate = g;
	n->watchdog.cb = notify_watchdog_check;
	n->period_ms = 0;
	n->starving = false;
	notify_send("READY=1");
#ifdef CONFIG_SYSTEMD
	if (sd_watchdog_enabled(0, &usec) > 0)
		n->period_ms = (int64_t)(usec / 1000);
#endif
	if (n->period_ms > 0)
		loop_timer_set(l, &n->watchdog, n->period_ms / 2);
}

void
notify_stopping(struct notify *n)
{
	if (n->loop != NULL)
		loop_timer_cancel(n->loop, &n->watchdog);
	notify_send("STOPPING=1");
}
