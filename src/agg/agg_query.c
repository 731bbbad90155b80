/*
 * The questions: trace, inside, events, daily counts, and the registry's
 * gates, alarms and gaps.  Each SQL text is the same for SQLite and
 * PostgreSQL (agg_db.h); rows turn into JSON objects by a column spec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_query.h"
#include "log.h"
#include "timefmt.h"

#define AGG_DAY_MS	86400000LL
#define AGG_LIMIT_MAX	100000

/*
 * How a column becomes members: 's' text, 'i' integer, 'b' boolean (0 or
 * not), 't' a time in ms as text under name and as a number under ms
 * (NULL: both null), 'f' a full subject, shown only to the tracing role,
 * 'j' JSON text, '-' skipped.
 */
struct agg_col {
	const char *name;
	char type;
	const char *ms;
};

struct agg_rows {
	const struct agg_query_ctx *q;
	const struct agg_col *cols;
	json_t *list;
};

static void
agg_put_time(json_t *o, const char *name, const char *ms, const char *v)
{
	char buf[TIMEFMT_LEN];
	int64_t t;

	if (v == NULL) {
		json_object_set_new(o, name, json_null());
		json_object_set_new(o, ms, json_null());
		return;
	}
	t = strtoll(v, NULL, 10);
	json_object_set_new(o, name, json_string(timefmt_format(t, buf,
	    sizeof(buf))));
	json_object_set_new(o, ms, json_integer(t));
}

static json_t *
agg_row_object(const struct agg_query_ctx *q, const struct agg_col *cols,
    int ncol, const char *const *col)
{
	json_t *o = json_object();

	for (int i = 0; o != NULL && i < ncol && cols[i].name != NULL; i++) {
		const char *v = col[i];

		switch (cols[i].type) {
		case 's':
			json_object_set_new(o, cols[i].name,
			    v != NULL ? json_string(v) : json_null());
			break;
		case 'i':
			json_object_set_new(o, cols[i].name, v != NULL ?
			    json_integer(strtoll(v, NULL, 10)) : json_null());
			break;
		case 'b':
			json_object_set_new(o, cols[i].name,
			    json_boolean(v != NULL && strcmp(v, "0") != 0 &&
			    strcmp(v, "f") != 0));
			break;
		case 't':
			agg_put_time(o, cols[i].name, cols[i].ms, v);
			break;
		case 'f':
			if (q->tracing && v != NULL)
				json_object_set_new(o, cols[i].name,
				    json_string(v));
			break;
		case 'j':
			if (v != NULL)
				json_object_set_new(o, cols[i].name,
				    json_loads(v, 0, NULL));
			break;
		default:
			break;
		}
	}
	return o;
}

static int
agg_rows_cb(void *arg, int ncol, const char *const *col)
{
	struct agg_rows *r = arg;
	json_t *o = agg_row_object(r->q, r->cols, ncol, col);

	if (o == NULL || json_array_append_new(r->list, o) == -1)
		return -1;
	return 0;
}

/* Runs sql and returns its rows as objects, or NULL. */
static json_t *
agg_rows(const struct agg_query_ctx *q, const char *sql,
    const struct agg_db_arg *args, int nargs, const struct agg_col *cols)
{
	struct agg_rows r = { q, cols, json_array() };

	if (r.list == NULL)
		return NULL;
	if (agg_db_run(q->db, sql, args, nargs, agg_rows_cb, &r, NULL) != 0) {
		json_decref(r.list);
		return NULL;
	}
	return r.list;
}

#define AGG_EVENT_COLS \
	"event_id, site, gate, lane, seq, rev, ts_ms, direction, type, " \
	"kind, subject, credential_id, subject_full, result, reason, " \
	"passage, decode_us, latency_us, received_ms, " \
	AGG_PERSON_COLS("events")

/* The name and department of the row's credential in the people list
 * (agg_people.h), NULL when it is not there. */
#define AGG_PERSON_COLS(t) \
	"(SELECT name FROM people WHERE people.id = " t ".credential_id), " \
	"(SELECT department FROM people WHERE people.id = " t \
	".credential_id)"

static const struct agg_col agg_event_cols[] = {
	{ "event_id", 's', NULL }, { "site", 's', NULL },
	{ "gate", 's', NULL }, { "lane", 's', NULL }, { "seq", 'i', NULL },
	{ "rev", 'i', NULL }, { "time", 't', "ts_ms" },
	{ "direction", 's', NULL }, { "type", 's', NULL },
	{ "kind", 's', NULL }, { "subject", 's', NULL },
	{ "credential_id", 's', NULL }, { "subject_full", 'f', NULL },
	{ "result", 's', NULL }, { "reason", 's', NULL },
	{ "passage", 's', NULL }, { "decode_us", 'i', NULL },
	{ "latency_us", 'i', NULL }, { "received", 't', "received_ms" },
	{ "name", 's', NULL }, { "department", 's', NULL },
	{ NULL, 0, NULL }
};

/* Passages: granted scans, except a way released and left unused. */
#define AGG_PASSED(t) \
	t ".type = 'scan' AND " t ".result = 'granted' AND " \
	t ".passage <> 'not-passed'"

#define AGG_TRACE_SQL(match) \
	"SELECT event_id, site, gate, lane, ts_ms, direction, subject, " \
	"credential_id, subject_full FROM events p WHERE " match " AND " \
	"ts_ms >= $2 AND ts_ms <= $3 AND " AGG_PASSED("p") \
	" ORDER BY ts_ms, event_id"

/*
 * Two texts rather than one with a flag: each term of the OR must have an
 * index for either database to use one, and only the tracing role may
 * look up full subjects.
 */
static const char agg_trace_sql[] =
    AGG_TRACE_SQL("(subject = $1 OR credential_id = $1)");
static const char agg_trace_full_sql[] =
    AGG_TRACE_SQL("(subject = $1 OR credential_id = $1 OR "
    "subject_full = $1)");

/*
 * The contacts of one passage: one index range on (site, gate, ts_ms)
 * with its bounds known.  (Asked as one join over every passage, the
 * planner cannot see how narrow the window is, and PostgreSQL then scans
 * the whole table.)
 */
static const char agg_contacts_sql[] =
    "SELECT ts_ms, direction, subject, credential_id, subject_full, lane, "
    "event_id, gate "
    "FROM events c WHERE site = $1 AND gate = $2 AND ts_ms >= $3 AND "
    "ts_ms <= $4 AND " AGG_PASSED("c") " AND event_id <> $5 AND "
    "NOT (subject = $6 AND credential_id = $7) ORDER BY ts_ms, event_id";

/* Adds gate to o's "gates", a space-separated list, once. */
static void
agg_people_gate(json_t *o, const char *gate)
{
	const char *g = json_string_value(json_object_get(o, "gates"));
	char buf[512];
	size_t n;

	if (gate == NULL || g == NULL)
		return;
	n = strlen(gate);
	for (const char *at = g; (at = strstr(at, gate)) != NULL; at += n)
		if ((at == g || at[-1] == ' ') && (at[n] == ' ' ||
		    at[n] == '\0'))
			return;
	snprintf(buf, sizeof(buf), "%s%s%s", g, g[0] != '\0' ? " " : "",
	    gate);
	json_object_set_new(o, "gates", json_string(buf));
}

/* Sets o's time member name (and its ms) from a contact's. */
static void
agg_people_time(json_t *o, const char *name, const char *ms, json_t *c)
{
	json_object_set(o, name, json_object_get(c, "time"));
	json_object_set(o, ms, json_object_get(c, "ts_ms"));
}

/*
 * The people met: one object per contact holder (its masked subject and
 * credential id, as the contacts query tells holders apart), with the
 * first and last contact, how many contact passages, each counted once
 * though it falls in the windows of two of the subject's passages, and
 * at which gates.  In order of first contact, as the passages and their
 * contacts are in time order.
 */
static json_t *
agg_trace_people(json_t *passages)
{
	json_t *people = json_array(), *byid = json_object();
	json_t *seen = json_object(), *p, *c, *o;
	size_t i, j;
	char key[512];

	json_array_foreach(passages, i, p) {
		json_array_foreach(json_object_get(p, "contacts"), j, c) {
			const char *sub = json_string_value(json_object_get(c,
			    "subject"));
			const char *cid = json_string_value(json_object_get(c,
			    "credential_id"));
			const char *ev = json_string_value(json_object_get(c,
			    "event_id"));
			int64_t ts = json_integer_value(json_object_get(c,
			    "ts_ms"));

			if (ev == NULL || json_object_get(seen, ev) != NULL)
				continue;
			json_object_set_new(seen, ev, json_true());
			snprintf(key, sizeof(key), "%s\x1f%s", sub != NULL ?
			    sub : "", cid != NULL ? cid : "");
			if ((o = json_object_get(byid, key)) == NULL) {
				o = json_object();
				json_object_set(o, "subject",
				    json_object_get(c, "subject"));
				json_object_set(o, "credential_id",
				    json_object_get(c, "credential_id"));
				if (json_object_get(c, "subject_full") != NULL)
					json_object_set(o, "subject_full",
					    json_object_get(c, "subject_full"));
				agg_people_time(o, "first_contact",
				    "first_contact_ms", c);
				agg_people_time(o, "last_contact",
				    "last_contact_ms", c);
				json_object_set_new(o, "contacts",
				    json_integer(0));
				json_object_set_new(o, "gates", json_string(""));
				json_object_set_new(byid, key, o);
				json_array_append(people, o);
			}
			if (ts < json_integer_value(json_object_get(o,
			    "first_contact_ms")))
				agg_people_time(o, "first_contact",
				    "first_contact_ms", c);
			if (ts > json_integer_value(json_object_get(o,
			    "last_contact_ms")))
				agg_people_time(o, "last_contact",
				    "last_contact_ms", c);
			json_object_set_new(o, "contacts", json_integer(
			    json_integer_value(json_object_get(o,
			    "contacts")) + 1));
			agg_people_gate(o, json_string_value(json_object_get(c,
			    "gate")));
		}
	}
	json_decref(seen);
	json_decref(byid);
	return people;
}

json_t *
agg_query_trace(const struct agg_query_ctx *q, const char *subject,
    int64_t from_ms, int64_t to_ms, int64_t window_ms)
{
	static const struct agg_col pcols[] = {
		{ "event_id", 's', NULL }, { "site", 's', NULL },
		{ "gate", 's', NULL }, { "lane", 's', NULL },
		{ "time", 't', "ts_ms" }, { "direction", 's', NULL },
		{ "subject", 's', NULL }, { "credential_id", 's', NULL },
		{ "subject_full", 'f', NULL }, { NULL, 0, NULL }
	};
	static const struct agg_col ccols[] = {
		{ "time", 't', "ts_ms" }, { "direction", 's', NULL },
		{ "subject", 's', NULL }, { "credential_id", 's', NULL },
		{ "subject_full", 'f', NULL }, { "lane", 's', NULL },
		{ "event_id", 's', NULL }, { "gate", 's', NULL },
		{ NULL, 0, NULL }
	};
	struct agg_db_arg args[] = { AGG_S(subject), AGG_I(from_ms),
	    AGG_I(to_ms) };
	char f[TIMEFMT_LEN], to[TIMEFMT_LEN];
	json_t *passages, *p, *contacts, *c;
	size_t i, j;

	passages = agg_rows(q, q->tracing ? agg_trace_full_sql :
	    agg_trace_sql, args, 3, pcols);
	if (passages == NULL)
		return NULL;
	json_array_foreach(passages, i, p) {
		int64_t ts = json_integer_value(json_object_get(p, "ts_ms"));
		struct agg_db_arg cargs[] = {
		    AGG_S(json_string_value(json_object_get(p, "site"))),
		    AGG_S(json_string_value(json_object_get(p, "gate"))),
		    AGG_I(ts - window_ms), AGG_I(ts + window_ms),
		    AGG_S(json_string_value(json_object_get(p, "event_id"))),
		    AGG_S(json_string_value(json_object_get(p, "subject"))),
		    AGG_S(json_string_value(json_object_get(p,
		    "credential_id"))) };

		if ((contacts = agg_rows(q, agg_contacts_sql, cargs, 7,
		    ccols)) == NULL) {
			json_decref(passages);
			return NULL;
		}
		json_array_foreach(contacts, j, c)
			json_object_set_new(c, "delta_s", json_real((double)(
			    json_integer_value(json_object_get(c, "ts_ms")) -
			    ts) / 1000.0));
		json_object_set_new(p, "contacts", contacts);
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "subject", subject,
	    "from", timefmt_format(from_ms, f, sizeof(f)), "to",
	    timefmt_format(to_ms, to, sizeof(to)), "window_s",
	    (json_int_t)(window_ms / 1000), "people",
	    agg_trace_people(passages), "passages", passages);
}

json_t *
agg_query_inside(const struct agg_query_ctx *q, const char *site)
{
	static const struct agg_col cols[] = {
		{ "site", 's', NULL }, { "gate", 's', NULL },
		{ "lane", 's', NULL }, { "subject", 's', NULL },
		{ "credential_id", 's', NULL }, { "subject_full", 'f', NULL },
		{ "since", 't', "since_ms" }, { "name", 's', NULL },
		{ "department", 's', NULL }, { NULL, 0, NULL }
	};
	struct agg_db_arg args[] = { AGG_S(site),
	    AGG_I(q->now_ms - (int64_t)q->inside_hours * 3600000) };
	json_t *list, *count, *row;
	json_int_t total = 0;
	size_t i;

	/* The last passage of each holder at the site is an entry. */
	list = agg_rows(q, "SELECT site, gate, lane, subject, credential_id, "
	    "subject_full, ts_ms, " AGG_PERSON_COLS("presence") " FROM "
	    "presence WHERE direction = 'entry' AND "
	    "ts_ms >= $2 AND ($1 = '' OR site = $1) "
	    "ORDER BY site, ts_ms, event_id", args, 2, cols);
	if (list == NULL || (count = json_object()) == NULL) {
		json_decref(list);
		return NULL;
	}
	json_array_foreach(list, i, row) {
		const char *s = json_string_value(json_object_get(row,
		    "site"));
		json_t *n = json_object_get(count, s);

		json_object_set_new(count, s, json_integer(n != NULL ?
		    json_integer_value(n) + 1 : 1));
		total++;
	}
	return json_pack("{s:o, s:I, s:o}", "headcount", count, "total",
	    total, "inside", list);
}

json_t *
agg_query_events(const struct agg_query_ctx *q,
    const struct agg_events_filter *f)
{
	struct agg_db_arg args[] = { AGG_S(f->site), AGG_S(f->gate),
	    AGG_S(f->subject), AGG_S(f->result), AGG_I(f->from_ms),
	    AGG_I(f->to_ms), AGG_I(f->limit) };

#define AGG_EVENTS_SQL(order) \
	"SELECT " AGG_EVENT_COLS " FROM events WHERE ($1 = '' OR " \
	"site = $1) AND ($2 = '' OR gate = $2) AND ($3 = '' OR " \
	"subject = $3 OR credential_id = $3) AND ($4 = '' OR result = $4) " \
	"AND ts_ms >= $5 AND ts_ms < $6 ORDER BY " order " LIMIT $7"

	json_t *rows, *asc;
	size_t n;

	/*
	 * The limit keeps the newest: "events --limit 8" is what happened
	 * last, as tail(1) would show it.  Asked oldest first, the newest
	 * are turned round here rather than in a subquery both databases
	 * would have to plan.
	 */
	rows = agg_rows(q, AGG_EVENTS_SQL("ts_ms DESC, event_id DESC"), args,
	    7, agg_event_cols);
	if (rows == NULL || f->newest_first)
		return rows;
	if ((asc = json_array()) == NULL) {
		json_decref(rows);
		return NULL;
	}
	for (n = json_array_size(rows); n > 0; n--)
		json_array_append(asc, json_array_get(rows, n - 1));
	json_decref(rows);
	return asc;
}

json_t *
agg_query_daily(const struct agg_query_ctx *q, int64_t day_ms)
{
	static const struct agg_col cols[] = {
		{ "site", 's', NULL }, { "gate", 's', NULL },
		{ "scans", 'i', NULL }, { "grants", 'i', NULL },
		{ "denials", 'i', NULL }, { "alarms", 'i', NULL },
		{ NULL, 0, NULL }
	};
	static const struct agg_col rcols[] = {
		{ "site", 's', NULL }, { "gate", 's', NULL },
		{ "reason", 's', NULL }, { "count", 'i', NULL },
		{ NULL, 0, NULL }
	};
	struct agg_db_arg args[] = { AGG_I(day_ms), AGG_I(day_ms + AGG_DAY_MS) };
	json_t *gates, *reasons, *g, *r;
	char day[TIMEFMT_LEN];
	size_t i, j;

	gates = agg_rows(q, "SELECT site, gate, "
	    "sum(CASE WHEN type = 'scan' THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN type = 'scan' AND result = 'granted' THEN 1 "
	    "ELSE 0 END), "
	    "sum(CASE WHEN type = 'scan' AND result = 'denied' THEN 1 "
	    "ELSE 0 END), "
	    "sum(CASE WHEN type = 'alarm' THEN 1 ELSE 0 END) "
	    "FROM events WHERE ts_ms >= $1 AND ts_ms < $2 "
	    "GROUP BY site, gate ORDER BY site, gate", args, 2, cols);
	reasons = agg_rows(q, "SELECT site, gate, reason, count(*) FROM "
	    "events WHERE ts_ms >= $1 AND ts_ms < $2 AND type = 'scan' AND "
	    "result = 'denied' GROUP BY site, gate, reason "
	    "ORDER BY site, gate, reason", args, 2, rcols);
	if (gates == NULL || reasons == NULL) {
		json_decref(gates);
		json_decref(reasons);
		return NULL;
	}
	json_array_foreach(gates, i, g) {
		json_t *by = json_object();

		json_array_foreach(reasons, j, r)
			if (json_equal(json_object_get(r, "site"),
			    json_object_get(g, "site")) &&
			    json_equal(json_object_get(r, "gate"),
			    json_object_get(g, "gate")))
				json_object_set(by, json_string_value(
				    json_object_get(r, "reason")),
				    json_object_get(r, "count"));
		json_object_set_new(g, "denials_by_reason", by);
	}
	json_decref(reasons);
	timefmt_format(day_ms, day, sizeof(day));
	day[10] = '\0';
	return json_pack("{s:s, s:o}", "date", day, "gates", gates);
}

/* What a push's "last" in a gate's status came to, as one word or
 * two: "applied", "staging", "refused: bad-signature"... */
static json_t *
agg_push_result(const json_t *last)
{
	const char *result = json_string_value(json_object_get(last, "result"));
	const char *reason = json_string_value(json_object_get(last, "reason"));
	char buf[128];

	if (result == NULL)
		return json_null();
	snprintf(buf, sizeof(buf), "%s%s%s", result, reason != NULL ? ": " :
	    "", reason != NULL ? reason : "");
	return json_string(buf);
}

/*
 * The versions a gate holds, from its last status (qrgated's
 * inbound_status.c): its credential list's and what the last list sent
 * came to, its own config push's and the site-wide one's.  Null for a
 * gate whose qrgated does not say.
 */
static void
agg_gate_pushes(json_t *g)
{
	const json_t *st = json_object_get(g, "status");
	const json_t *cr = json_object_get(st, "credentials");
	const json_t *cfg = json_object_get(st, "config");
	const json_t *v;

	v = json_object_get(cr, "version");
	json_object_set_new(g, "creds_version", json_is_integer(v) ?
	    json_integer(json_integer_value(v)) : json_null());
	json_object_set_new(g, "creds_push",
	    agg_push_result(json_object_get(cr, "last")));
	v = json_object_get(cfg, "gate_version");
	json_object_set_new(g, "config_gate", json_is_integer(v) ?
	    json_integer(json_integer_value(v)) : json_null());
	v = json_object_get(cfg, "site_version");
	json_object_set_new(g, "config_site", json_is_integer(v) ?
	    json_integer(json_integer_value(v)) : json_null());
}

json_t *
agg_query_gates(const struct agg_query_ctx *q)
{
	json_t *rows, *g;
	size_t i;

	static const struct agg_col cols[] = {
		{ "site", 's', NULL }, { "gate", 's', NULL },
		{ "lane", 's', NULL }, { "state", 's', NULL },
		{ "clean", 'b', NULL }, { "stale", 'b', NULL },
		{ "version", 's', NULL }, { "heartbeat", 't', "heartbeat_ms" },
		{ "changed", 't', "changed_ms" }, { "max_seq", 'i', NULL },
		{ "gaps_open", 'i', NULL }, { "missing", 'i', NULL },
		{ "status", 'j', NULL }, { NULL, 0, NULL }
	};
	struct agg_db_arg args[] = { AGG_I(q->now_ms -
	    3LL * q->heartbeat_s * 1000) };

	/* Stale as of now, whether or not the daemon's tick ran. */
	rows = agg_rows(q, "SELECT site, gate, lane, state, clean, "
	    "CASE WHEN stale <> 0 OR (state = 'online' AND heartbeat_ms < $1) "
	    "THEN 1 ELSE 0 END, version, CASE WHEN heartbeat_ms > 0 THEN "
	    "heartbeat_ms END, changed_ms, max_seq, "
	    "(SELECT count(*) FROM gaps g WHERE g.site = gates.site AND "
	    "g.gate = gates.gate AND g.closed_ms IS NULL), "
	    "(SELECT coalesce(sum(g.last_seq - g.first_seq + 1), 0) FROM gaps g "
	    "WHERE g.site = gates.site AND g.gate = gates.gate AND "
	    "g.closed_ms IS NULL), status FROM gates ORDER BY site, gate",
	    args, 1, cols);
	json_array_foreach(rows, i, g)
		agg_gate_pushes(g);
	return rows;
}

json_t *
agg_query_alarms(const struct agg_query_ctx *q, bool open_only)
{
	static const struct agg_col cols[] = {
		{ "site", 's', NULL }, { "gate", 's', NULL },
		{ "lane", 's', NULL }, { "alarm", 's', NULL },
		{ "detail", 's', NULL }, { "event_id", 's', NULL },
		{ "began", 't', "began_ms" }, { "ended", 't', "ended_ms" },
		{ "subject", 's', NULL }, { NULL, 0, NULL }
	};
	struct agg_db_arg args[] = { AGG_I(open_only) };

	/* The masked code of an alarm about one code: its event row's. */
	return agg_rows(q, "SELECT a.site, a.gate, a.lane, a.alarm, a.detail, "
	    "a.event_id, a.began_ms, a.ended_ms, nullif(e.subject, '') FROM "
	    "alarms a LEFT JOIN events e ON a.event_id <> '' AND e.event_id = "
	    "a.event_id WHERE ($1 = 0 OR a.ended_ms IS NULL) "
	    "ORDER BY a.began_ms DESC, a.site, a.gate, a.alarm LIMIT 1000",
	    args, 1, cols);
}

json_t *
agg_query_gaps(const struct agg_query_ctx *q, bool open_only)
{
	static const struct agg_col cols[] = {
		{ "site", 's', NULL }, { "gate", 's', NULL },
		{ "first_seq", 'i', NULL }, { "last_seq", 'i', NULL },
		{ "missing", 'i', NULL }, { "opened", 't', "opened_ms" },
		{ "closed", 't', "closed_ms" }, { NULL, 0, NULL }
	};
	struct agg_db_arg args[] = { AGG_I(open_only) };

	return agg_rows(q, "SELECT site, gate, first_seq, last_seq, missing, "
	    "opened_ms, closed_ms FROM gaps WHERE ($1 = 0 OR closed_ms IS "
	    "NULL) ORDER BY opened_ms DESC, site, gate, first_seq LIMIT 1000",
	    args, 1, cols);
}

int
agg_window_parse(const char *s, int64_t *ms)
{
	char *end;
	long long n;
	int64_t unit = 1000;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	n = strtoll(s, &end, 10);
	if (strcmp(end, "s") == 0 || *end == '\0')
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60000;
	else if (strcmp(end, "h") == 0)
		unit = 3600000;
	else if (strcmp(end, "d") == 0)
		unit = AGG_DAY_MS;
	else
		return -1;
	/* At most a year: a wider window is a mistake, not a trace. */
	if (n < 0 || n > 366 * AGG_DAY_MS / unit)
		return -1;
	*ms = n * unit;
	return 0;
}

static const char *
agg_arg(const struct agg_web_query *query, const char *name)
{
	for (int i = 0; query != NULL && i < query->count && i < 16; i++)
		if (query->name[i] != NULL &&
		    strcmp(query->name[i], name) == 0)
			return query->value[i];
	return NULL;
}

static json_t *
agg_bad(int *status, const char *why)
{
	*status = 400;
	return json_pack("{s:s}", "error", why);
}

/* A time parameter: absent leaves *ms; 0, or -1 when unreadable. */
static int
agg_time_arg(const struct agg_web_query *query, const char *name,
    int64_t now_ms, int64_t *ms)
{
	const char *v = agg_arg(query, name);

	return v == NULL || v[0] == '\0' ? 0 :
	    timefmt_parse_since(v, now_ms, ms);
}

static const char *
agg_str_arg(const struct agg_web_query *query, const char *name)
{
	const char *v = agg_arg(query, name);

	return v != NULL ? v : "";
}

json_t *
agg_query_api(const struct agg_query_ctx *q, const char *what,
    const struct agg_web_query *query, int *status)
{
	*status = 200;
	if (strcmp(what, "trace") == 0) {
		const char *subject = agg_arg(query, "subject");
		int64_t to = q->now_ms, from = q->now_ms - 14 * AGG_DAY_MS;
		int64_t window = 15 * 60000;

		if (subject == NULL || subject[0] == '\0')
			return agg_bad(status, "subject is needed");
		if (agg_time_arg(query, "from", q->now_ms, &from) == -1 ||
		    agg_time_arg(query, "to", q->now_ms, &to) == -1)
			return agg_bad(status, "bad from or to");
		if (agg_arg(query, "window") != NULL &&
		    agg_window_parse(agg_arg(query, "window"), &window) == -1)
			return agg_bad(status, "bad window (15m, 90s, 2h)");
		return agg_query_trace(q, subject, from, to, window);
	}
	if (strcmp(what, "inside") == 0)
		return agg_query_inside(q, agg_str_arg(query, "site"));
	if (strcmp(what, "headcount") == 0) {
		json_t *in = agg_query_inside(q, agg_str_arg(query, "site"));

		if (in != NULL)
			json_object_del(in, "inside");
		return in;
	}
	if (strcmp(what, "events") == 0 || strcmp(what, "recent") == 0) {
		struct agg_events_filter f = {
			.site = agg_str_arg(query, "site"),
			.gate = agg_str_arg(query, "gate"),
			.subject = agg_str_arg(query, "subject"),
			.result = agg_str_arg(query, "result"),
			.from_ms = 0, .to_ms = INT64_MAX,
			.limit = strcmp(what, "recent") == 0 ? 50 : 1000,
			.newest_first = strcmp(what, "recent") == 0,
		};
		const char *lim = agg_arg(query, "limit");
		char *end;

		if (agg_time_arg(query, "from", q->now_ms, &f.from_ms) == -1 ||
		    agg_time_arg(query, "to", q->now_ms, &f.to_ms) == -1)
			return agg_bad(status, "bad from or to");
		if (lim != NULL) {
			f.limit = strtoll(lim, &end, 10);
			if (*lim == '\0' || *end != '\0' || f.limit < 1 ||
			    f.limit > AGG_LIMIT_MAX)
				return agg_bad(status, "bad limit");
		}
		return agg_query_events(q, &f);
	}
	if (strcmp(what, "daily") == 0) {
		int64_t day = q->now_ms - q->now_ms % AGG_DAY_MS;
		const char *d = agg_arg(query, "date");

		if (d != NULL && d[0] != '\0' && (strlen(d) != 10 ||
		    timefmt_parse(d, &day) == -1))
			return agg_bad(status, "bad date (YYYY-MM-DD)");
		return agg_query_daily(q, day);
	}
	if (strcmp(what, "gates") == 0)
		return agg_query_gates(q);
	if (strcmp(what, "alarms") == 0)
		return agg_query_alarms(q, agg_arg(query, "all") == NULL);
	if (strcmp(what, "gaps") == 0)
		return agg_query_gaps(q, agg_arg(query, "all") == NULL);
	*status = 404;
	return json_pack("{s:s}", "error", "no such question");
}
