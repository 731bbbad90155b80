/*
 * The questions the aggregator answers, each as a new JSON value, for the
 * CLI and the web API alike.  Subjects are shown as the gates masked them;
 * subject_full appears only with the tracing role.  Times are given both
 * as ISO 8601 text ("time", "began"...) and as milliseconds ("ts_ms",
 * "began_ms"...).  Every function returns NULL on a database error
 * (logged).
 */
#ifndef QRGATE_AGG_QUERY_H
#define QRGATE_AGG_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "agg_db.h"
#include "agg_web.h"

struct agg_query_ctx {
	struct agg_db *db;
	bool tracing;		/* full identities */
	int heartbeat_s;	/* for "stale" */
	int inside_hours;	/* how far back "inside" looks */
	int64_t now_ms;
};

/*
 * Every passage of subject (its masked subject or credential id; or, with
 * the tracing role, its full subject) between from_ms and to_ms, and for
 * each, everyone who passed the same gate within window_ms either side:
 * {"subject", "from", "to", "window_s", "passages": [{..., "contacts":
 * [{..., "delta_s"}]}]}.  A passage is a granted scan whose way was not
 * left unused (passage other than not-passed).
 */
json_t *agg_query_trace(const struct agg_query_ctx *q, const char *subject,
    int64_t from_ms, int64_t to_ms, int64_t window_ms);

/*
 * Who is inside: per subject and site, the last passage within
 * inside_hours being an entry.  {"headcount": {site: n}, "total": n,
 * "inside": [...]}; site "" for every site.
 */
json_t *agg_query_inside(const struct agg_query_ctx *q, const char *site);

struct agg_events_filter {
	const char *site, *gate, *subject, *result;	/* "" for any */
	int64_t from_ms, to_ms;		/* from <= ts_ms < to */
	int64_t limit;
	bool newest_first;
};

/* Events matching f, as an array. */
json_t *agg_query_events(const struct agg_query_ctx *q,
    const struct agg_events_filter *f);

/*
 * Counts per gate over the UTC day starting at day_ms: scans, grants,
 * denials and denials by reason, and alarm rows.
 */
json_t *agg_query_daily(const struct agg_query_ctx *q, int64_t day_ms);

/* Every gate: state, stale, last heartbeat, open gaps, last status. */
json_t *agg_query_gates(const struct agg_query_ctx *q);

/* Alarms, newest first; only those still open with open_only. */
json_t *agg_query_alarms(const struct agg_query_ctx *q, bool open_only);

/* Sequence gaps, newest first; only open ones with open_only. */
json_t *agg_query_gaps(const struct agg_query_ctx *q, bool open_only);

/*
 * The web API's questions by name with their query string (see
 * agg_web.h): "trace", "inside", "headcount", "events", "recent",
 * "daily", "gates", "alarms", "gaps".  Sets *status to 200, 400 (with
 * {"error"}) or 404; NULL on a database error.
 */
json_t *agg_query_api(const struct agg_query_ctx *q, const char *what,
    const struct agg_web_query *query, int *status);

/* "15m", "90s", "2h", "1d" or plain seconds: 0 with *ms set, or -1. */
int agg_window_parse(const char *s, int64_t *ms);

#endif
