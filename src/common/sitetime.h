/*
 * Times as people at the site write and read them: in the site's time
 * zone (site.timezone, an IANA name such as Asia/Ho_Chi_Minh), or with an
 * explicit offset or Z.  What the programs store, sign and send stays UTC
 * milliseconds (timefmt.h); only the CLI's input and its tables for
 * people pass through here.
 *
 * The C library knows the zones (the system's zoneinfo) but converts only
 * through the process's own zone, TZ.  So a program chooses its site's
 * zone once, with sitetime_zone_use(), before it reads or writes a
 * person's time; glibc has no call that converts in a zone given as an
 * argument.
 */
#ifndef QRGATE_SITETIME_H
#define QRGATE_SITETIME_H

#include <stddef.h>
#include <stdint.h>

#include "settings.h"

/* The default of site.timezone. */
#define SITETIME_DEFAULT_ZONE	"Asia/Ho_Chi_Minh"

/* Room for an IANA zone name, NUL included. */
#define SITETIME_ZONE_LEN	64

/* The zoneinfo directory zone names are read under: $TZDIR, or
 * /usr/share/zoneinfo. */
const char *sitetime_zoneinfo_dir(void);

/*
 * Whether name is a zone of the system's zoneinfo: a relative path of
 * letters, digits, '/', '_', '+' and '-' to a TZif file under $TZDIR or
 * /usr/share/zoneinfo.  Returns 0, or -1 with a message in msg.
 */
int sitetime_zone_check(const char *name, char *msg, size_t msglen);

/*
 * Makes name the process's zone (TZ, tzset()), for every later
 * conversion.  Returns 0, or -1 with a message when name is not a zone.
 */
int sitetime_zone_use(const char *name, char *msg, size_t msglen);

/* The zone sitetime_zone_use() last chose, or "" before it. */
const char *sitetime_zone(void);

/*
 * Reads a time a person wrote:
 *	YYYY-MM-DD			midnight at the start of that local day
 *	YYYY-MM-DD[T| ]HH:MM[:SS[.mmm]]	local time in the site's zone
 *	... followed by Z or an offset	that instant (+07:00, +0700, +07,
 *					-05:00; one space may come first)
 *	an unsigned integer		milliseconds since the epoch
 * A local time the clocks skip (a gap when summer time starts) or pass
 * twice (the hour when it ends) is refused with a message that says so
 * and asks for an offset.  Returns 0 with *ms set, or -1 with a message
 * in msg.
 */
int sitetime_parse(const char *s, int64_t *ms, char *msg, size_t msglen);

/*
 * The end of the site's local day that holds the instant ms: the next
 * local midnight, in UTC ms (a visitor's pass lasts, by default, until
 * then).  Returns 0, or -1 with a message (midnight skipped by the
 * clocks in that zone, a time out of range).
 */
int sitetime_day_end(int64_t ms, int64_t *end, char *msg, size_t msglen);

/*
 * What the site's clocks show at the instant ms, counted as if it were
 * UTC milliseconds (so the local date is wall_ms / 86400000 days since
 * 1970-01-01, the local time of day the rest): through localtime_r() in
 * the zone sitetime_zone_use() chose.  Schedules are wall-clock rules
 * (schedule.h).  Returns 0, or -1 outside the C library's range.
 */
int sitetime_wall(int64_t ms, int64_t *wall_ms);

/* Like sitetime_parse(), and also "-30s", "-15m", "-2h", "-7d" before
 * now_ms, for --since. */
int sitetime_parse_since(const char *s, int64_t now_ms, int64_t *ms,
    char *msg, size_t msglen);

/*
 * "YYYY-MM-DD HH:MM:SS +07" (or "+05:30", "-04") in the site's zone, to
 * the second, for tables; sitetime_parse() reads it back.  A time whose
 * local date falls outside 1970..9999 is written as timefmt_format()
 * writes it, in UTC.  Returns buf (len >= TIMEFMT_LEN).
 */
const char *sitetime_format(int64_t ms, char *buf, size_t len);

/* site.timezone's type in a table of settings: a char[] field checked
 * by sitetime_zone_check(). */
extern const struct setting_ops sitetime_setting_ops;

#endif
