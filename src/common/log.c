#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The only file-scope mutable state outside main(): the log's own settings.
 * A logger that every module can reach without threading a handle through
 * every call is worth this one exception.  The level and the journal flag
 * are atomic: the daemon's screen thread logs too, while a reload may set
 * the level (relaxed: a line more or less at the moment of a change is
 * of no consequence, a torn read would be).
 */
static const char *log_prog = "qrgate";
static _Atomic int log_max = LOG_LVL_INFO;
static _Atomic int log_journal = -1;	/* stderr is journald's: "<N>" */
static void (*log_fatal_hook)(void *);
static void *log_fatal_arg;

void
log_init(const char *progname, enum log_level max_level)
{
	log_prog = progname;
	atomic_store_explicit(&log_max, max_level, memory_order_relaxed);
}

void
log_set_level(enum log_level max_level)
{
	atomic_store_explicit(&log_max, max_level, memory_order_relaxed);
}

void
log_set_fatal_hook(void (*hook)(void *arg), void *arg)
{
	log_fatal_hook = hook;
	log_fatal_arg = arg;
}

/*
 * Under systemd (JOURNAL_STREAM set), "<N>" prefixes let journald file each
 * line under its priority; on a terminal they would only be noise.
 */
static void
log_vprint(enum log_level lvl, const char *errstr, const char *fmt, va_list ap)
{
	char msg[1024], prio[8] = "";
	int journal = atomic_load_explicit(&log_journal, memory_order_relaxed);

	if ((int)lvl > atomic_load_explicit(&log_max, memory_order_relaxed))
		return;
	if (journal == -1) {
		journal = getenv("JOURNAL_STREAM") != NULL;
		atomic_store_explicit(&log_journal, journal, memory_order_relaxed);
	}
	if (journal)
		snprintf(prio, sizeof(prio), "<%d>", lvl);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errstr != NULL)
		fprintf(stderr, "%s%s: %s: %s\n", prio, log_prog, msg, errstr);
	else
		fprintf(stderr, "%s%s: %s\n", prio, log_prog, msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vprint(LOG_LVL_WARN, e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LVL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LVL_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LVL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

static void
log_run_fatal_hook(void)
{
	void (*hook)(void *) = log_fatal_hook;

	/* Clear first, so a hook that itself fails cannot recurse. */
	log_fatal_hook = NULL;
	if (hook != NULL)
		hook(log_fatal_arg);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vprint(LOG_LVL_ERR, e, fmt, ap);
	va_end(ap);
	log_run_fatal_hook();
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LVL_ERR, NULL, fmt, ap);
	va_end(ap);
	log_run_fatal_hook();
	exit(1);
}
