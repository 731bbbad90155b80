/*
 * Logging in the style of OpenBSD's log.c: log_warn() appends strerror(errno),
 * log_warnx() does not; fatal()/fatalx() are for main() and never return.
 * Everything goes to stderr, which systemd's journal captures with levels.
 */
#ifndef QRGATE_LOG_H
#define QRGATE_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* Sets the program name and the most verbose level printed. */
void log_init(const char *progname, enum log_level max_level);
/* Changes only the level (a config reload or push). */
void log_set_level(enum log_level max_level);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Called by fatal()/fatalx() before exit, so the daemon can put the relays in
 * their safe state on any fatal error.  One hook; NULL clears it.
 */
void log_set_fatal_hook(void (*hook)(void *arg), void *arg);

#endif
