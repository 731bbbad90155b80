/*
 * systemd integration: READY=1 once the camera, the GPIO and the database
 * are up, STATUS= lines a person reads in `systemctl status`, and the
 * watchdog, fed only while the gate is really working (fresh frames and a
 * database that answers), so that systemd restarts a daemon that is alive
 * but blind.  Without libsystemd at build time, or outside systemd, every
 * call does nothing.
 */
#ifndef QRGATE_NOTIFY_H
#define QRGATE_NOTIFY_H

#include "gate.h"
#include "loop.h"

struct notify {
	struct loop *loop;
	struct gate *gate;
	struct loop_timer watchdog;
	int64_t period_ms;	/* 0: no watchdog asked for */
	bool starving;		/* the last check failed (logged once) */
};

/* Says READY=1 and starts feeding the watchdog if systemd wants one. */
void notify_ready(struct notify *n, struct loop *l, struct gate *g);
/* STATUS=..., printf-style. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* STOPPING=1 and no more watchdog. */
void notify_stopping(struct notify *n);

#endif
