/*
 * What the gate believes "now" is.  The wall clock can be set back (a
 * Pi without a real-time clock boots with the last saved time, or none,
 * until NTP answers) or forward (an operator's typo, a lying time
 * server), and every time-bound rule (validity windows, badge expiry,
 * dynamic steps, timed anti-passback, command expiry, retention) would
 * follow it.  So the gate keeps a floor: the latest time it trusted,
 * persisted (gate_meta 'time_floor_ms'), and its now is never below it:
 *
 *	now = max(wall clock, floor)
 *
 * The floor rises with the wall clock only while the clock is trusted:
 * synchronised (clocksync.h, or policy.clock = synced) and not below the
 * floor.  A clock set back therefore cannot make an expired credential,
 * badge token or command valid again; a clock set forward while
 * untrusted makes things expire early (a denial), never the other way.
 *
 * This file is the pure part: no clock is read here, the caller passes
 * the readings, so every rule is tested with made-up clocks.
 */
#ifndef QRGATE_GATETIME_H
#define QRGATE_GATETIME_H

#include <stdbool.h>
#include <stdint.h>

/*
 * How often a floor raised by a trusted clock is written down.  It also
 * bounds how far rows written since the last write may lift the floor at
 * the next start (gatetime_floor_start()).
 */
#define GATETIME_SAVE_MS	(60 * 1000)

struct gatetime {
	int64_t floor_ms;	/* UTC ms; 0: nothing trusted yet */
	bool synced;		/* the clock's synchronisation, last reading */
	bool behind;		/* the wall clock was below the floor */
	bool raised;		/* a trusted reading raised the floor since
				 * it was last written down */
};

/*
 * The floor at start.  saved_ms: the floor written down (0: none);
 * newest_ms: the newest log row's time (0: no row).  Rows written after
 * the last write (at most GATETIME_SAVE_MS of a trusted clock) lift it,
 * but by no more than that: rows stamped by a clock set forward, and not
 * trusted, must not carry the floor with them.  With no floor written
 * yet (a database from before the floor), the newest row is the only
 * evidence there is, and counts fully.
 */
int64_t gatetime_floor_start(int64_t saved_ms, int64_t newest_ms);

/* Starts with floor_ms, nothing read yet (not synced, not behind). */
void gatetime_init(struct gatetime *t, int64_t floor_ms);

/* max(wall_ms, the floor). */
int64_t gatetime_now(const struct gatetime *t, int64_t wall_ms);

/*
 * Takes one reading of the wall clock and whether it is synchronised.
 * When trusted, the floor rises to wall_ms.  Returns whether the clock is
 * trusted: synced and not below the floor.
 */
bool gatetime_observe(struct gatetime *t, int64_t wall_ms, bool synced);

/* The last reading's verdict, as gatetime_observe() returned it. */
bool gatetime_trusted(const struct gatetime *t);

/*
 * Why the clock is not trusted, as the "clock" alarm's detail: "behind
 * the time floor" or "not synchronised"; "" when it is trusted.
 */
const char *gatetime_why(const struct gatetime *t);

/*
 * The retention cutoff: rows older than this may go.  Counted back from
 * the newest row's time when that is earlier than now, so a clock set
 * forward cannot make the whole log look old.  newest_ms 0: no row.
 * Returns the cutoff, or 0 when nothing may be deleted.
 */
int64_t gatetime_retention_cutoff(int64_t now_ms, int64_t newest_ms,
    int64_t window_ms);

#endif
