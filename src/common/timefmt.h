/*
 * UTC times as text, for the CSV credential lists and the CLI.  Every time
 * the gate stores is an int64_t of milliseconds since the epoch, UTC; these
 * are the only places text turns into such a number and back.
 */
#ifndef QRGATE_TIMEFMT_H
#define QRGATE_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any formatted time, NUL included. */
#define TIMEFMT_LEN 32

/*
 * Parses an absolute UTC time, strictly (no surrounding spaces, every
 * digit present):
 *	YYYY-MM-DD			midnight at the start of that day
 *	YYYY-MM-DDTHH:MM:SSZ		optionally with .mmm before the Z
 *	YYYY-MM-DD HH:MM:SS		UTC, optionally with .mmm
 *	an unsigned integer		milliseconds since the epoch
 * Years run from 1970 to 9999; dates that do not exist (2023-02-29) are
 * rejected.  Returns 0 with *ms set, or -1.
 */
int timefmt_parse(const char *s, int64_t *ms);

/* What a written time says of its zone. */
enum timefmt_zone {
	TIMEFMT_ZONE_NONE,	/* nothing: the reader decides */
	TIMEFMT_ZONE_UTC,	/* "Z" */
	TIMEFMT_ZONE_OFFSET,	/* "+07:00", "+0700", "+07", "-05:00" */
};

/* A written calendar time, before any zone is applied. */
struct timefmt_civil {
	int64_t wall_ms;	/* the time as written, counted as if UTC */
	enum timefmt_zone zone;
	int offset_s;		/* TIMEFMT_ZONE_OFFSET: east of UTC */
	char sep;		/* 'T', ' ', or '\0' for a date alone */
	bool has_seconds;	/* ":SS" was written */
	bool zone_spaced;	/* one space before the zone */
};

/*
 * Reads YYYY-MM-DD, optionally followed by 'T' or ' ' and HH:MM[:SS[.mmm]],
 * then optionally a zone (one space may come before it): Z, or an offset
 * of at most 14 hours.  Strict otherwise, like timefmt_parse().  The
 * grammar both timefmt_parse() and the people's sitetime_parse() build on.
 * Returns 0 or -1.
 */
int timefmt_parse_civil(const char *s, struct timefmt_civil *c);

/*
 * Like timefmt_parse(), and also accepts a time relative to now_ms:
 * "-30s", "-15m", "-2h", "-7d".  For --since.  Returns 0 or -1.
 */
int timefmt_parse_since(const char *s, int64_t now_ms, int64_t *ms);

/* "YYYY-MM-DDTHH:MM:SS.mmmZ"; returns buf (len >= TIMEFMT_LEN). */
const char *timefmt_format(int64_t ms, char *buf, size_t len);

/* "YYYY-MM-DD HH:MM:SS", to the second, for tables; returns buf. */
const char *timefmt_format_sec(int64_t ms, char *buf, size_t len);

#endif
