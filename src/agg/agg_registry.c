/*
 * The gate registry and the alarms.
 *
 * A gate is online from its retained status, offline from its clean
 * "offline" or the last will the broker publishes for it, and stale when
 * online but silent for three heartbeat intervals (a network cut the
 * broker has not noticed yet, or a gate whose loop hangs).  The heartbeat
 * is the aggregator's clock when a live status arrived, so a gate's clock
 * being off does not make it stale; a retained status, replayed by the
 * broker, counts from the time in it instead.
 *
 * Alarms are kept with when they began and ended.  Those that are states
 * (fire-alarm, tamper, fire-loop, tamper-loop, camera, database,
 * outbox-near-full, outbox-full) end when the gate says so; the momentary ones, log rows that never end
 * (forced, held-open, repeated-denials...), end alarm_hold_s after they
 * arrived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "agg_json.h"
#include "clock.h"
#include "log.h"
#include "util.h"

struct agg_prev {
	int found;
	char state[16];
	int stale;
};

static int
agg_prev_row(void *arg, int ncol, const char *const *col)
{
	struct agg_prev *p = arg;

	if (ncol < 2 || col[0] == NULL || col[1] == NULL)
		return -1;
	p->found = 1;
	snprintf(p->state, sizeof(p->state), "%s", col[0]);
	p->stale = atoi(col[1]);
	return 1;
}

int
agg_registry_status(struct agg *a, const char *site, const char *gate,
    json_t *doc, bool retained)
{
	struct agg_prev prev = { 0 };
	struct agg_db_arg key[] = { AGG_S(site), AGG_S(gate) };
	const char *state = agg_json_str(doc, "state");
	const char *lane = agg_json_str(doc, "lane");
	const char *version = agg_json_str(doc, "version");
	json_t *jclean = json_object_get(doc, "clean");
	int64_t now = clock_utc_ms(), ts = 0, hb = 0;
	bool online;
	char *text;
	int rc;

	if (state == NULL || (strcmp(state, "online") != 0 &&
	    strcmp(state, "offline") != 0)) {
		log_warnx("%s/%s: status without a known state: dropped",
		    site, gate);
		a->stats.rejected++;
		return 0;
	}
	online = strcmp(state, "online") == 0;
	if (agg_db_run(a->db, "SELECT state, stale FROM gates WHERE site = $1 "
	    "AND gate = $2", key, 2, agg_prev_row, &prev, NULL) == -1)
		return -1;
	if (online) {
		hb = now;
		if (retained && agg_json_int(doc, "ts_ms", &ts) && ts < now)
			hb = ts;
	}
	if ((text = json_dumps(doc, JSON_COMPACT)) == NULL)
		return -1;

	struct agg_db_arg args[] = { AGG_S(site), AGG_S(gate),
	    AGG_S(lane != NULL ? lane : ""), AGG_S(state),
	    AGG_I(json_is_true(jclean)), AGG_S(version != NULL ? version : ""),
	    AGG_I(hb), AGG_I(now), AGG_S(text) };

	/* heartbeat_ms stays as it was on offline: when last heard of. */
	rc = agg_db_run(a->db, "INSERT INTO gates (site, gate, lane, state, "
	    "clean, stale, version, heartbeat_ms, changed_ms, status) VALUES "
	    "($1, $2, $3, $4, $5, 0, $6, $7, $8, $9) ON CONFLICT (site, gate) "
	    "DO UPDATE SET lane = excluded.lane, clean = excluded.clean, "
	    "stale = 0, version = excluded.version, heartbeat_ms = CASE WHEN "
	    "excluded.state = 'online' THEN excluded.heartbeat_ms ELSE "
	    "gates.heartbeat_ms END, changed_ms = CASE WHEN gates.state <> "
	    "excluded.state OR gates.stale <> 0 THEN excluded.changed_ms ELSE "
	    "gates.changed_ms END, state = excluded.state, "
	    "status = excluded.status", args, 9, NULL, NULL, NULL);
	free(text);
	if (rc == -1)
		return -1;
	if (!prev.found || strcmp(prev.state, state) != 0 || prev.stale) {
		if (online)
			log_info("%s/%s: online", site, gate);
		else
			log_info("%s/%s: offline (%s)", site, gate,
			    json_is_true(jclean) ? "stopped" : "last will");
		/* changed_ms: since when, for the page's offline alarm. */
		agg_publish(a, "gate", json_pack("{s:s, s:s, s:s, s:b, s:b, "
		    "s:I}", "site", site, "gate", gate, "state", state, "stale",
		    0, "clean", json_is_true(jclean), "changed_ms",
		    (json_int_t)now));
	}
	return 0;
}

/*
 * The alarms that are log rows (an event_id) and yet states, which the
 * gate ends with a row of their own (fire-alarm-off, tamper-off,
 * fire-loop-ok, tamper-loop-ok); the same names for the SQL of
 * agg_registry_tick().
 */
static const char *const agg_state_rows[] = {
	"fire-alarm", "tamper", "fire-loop", "tamper-loop", "open-schedule",
};
#define AGG_STATE_ROWS_SQL \
	"('fire-alarm', 'tamper', 'fire-loop', 'tamper-loop', 'open-schedule')"

/* Alarms that the gate ends itself; the others are momentary. */
static bool
agg_alarm_is_state(const char *name, const char *event_id)
{
	if (event_id == NULL || event_id[0] == '\0')
		return true;
	for (size_t i = 0; i < nitems(agg_state_rows); i++)
		if (strcmp(name, agg_state_rows[i]) == 0)
			return true;
	return false;
}

static int
agg_subject_row(void *arg, int ncol, const char *const *col)
{
	json_t **subject = arg;

	if (ncol > 0 && col[0] != NULL && col[0][0] != '\0')
		*subject = json_string(col[0]);
	return 1;
}

/*
 * An alarm for the live page: its lane, and for an alarm about one code
 * (repeated denials, anti-passback) the masked subject of its event row,
 * which the gate sent just before (its alarm message names the event,
 * not the code).  A guard then sees which lane and which code.
 */
static json_t *
agg_alarm_public(struct agg *a, const char *site, const char *gate,
    const char *name, bool active, const char *lane, const char *detail,
    const char *event_id, int64_t ts)
{
	struct agg_db_arg byid[] = { AGG_S(event_id) };
	json_t *subject = NULL;

	if (event_id[0] != '\0' && agg_db_run(a->db, "SELECT subject FROM "
	    "events WHERE event_id = $1", byid, 1, agg_subject_row, &subject,
	    NULL) == -1)
		a->stats.db_errors++;
	return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:I}",
	    "site", site, "gate", gate, "alarm", name, "active", active,
	    "lane", lane != NULL ? lane : "", "detail",
	    detail != NULL ? detail : "", "event_id", event_id, "subject",
	    subject != NULL ? subject : json_null(), "ts_ms", (json_int_t)ts);
}

int
agg_registry_alarm(struct agg *a, const char *site, const char *gate,
    json_t *doc)
{
	const char *name = agg_json_str(doc, "alarm");
	const char *lane = agg_json_str(doc, "lane");
	const char *event_id = agg_json_str(doc, "event_id");
	const char *detail = agg_json_str(doc, "detail");
	json_t *jactive = json_object_get(doc, "active");
	int64_t now = clock_utc_ms(), ts, n, changes;

	if (name == NULL || strlen(name) > 64 || !json_is_boolean(jactive)) {
		log_warnx("%s/%s: alarm without a name or active: dropped",
		    site, gate);
		a->stats.rejected++;
		return 0;
	}
	if (detail == NULL)
		detail = agg_json_str(doc, "reason");
	if (!agg_json_int(doc, "ts_ms", &ts))
		ts = now;
	if (event_id == NULL || strlen(event_id) > 64)
		event_id = "";

	struct agg_db_arg byid[] = { AGG_S(event_id) };
	struct agg_db_arg key[] = { AGG_S(site), AGG_S(gate), AGG_S(name),
	    AGG_I(ts) };

	if (event_id[0] != '\0') {
		/* The same alarm row sent again. */
		if (agg_db_int(a->db, "SELECT count(*) FROM alarms WHERE "
		    "event_id = $1", byid, 1, &n) == -1)
			return -1;
		if (n > 0) {
			a->stats.duplicates++;
			return 0;
		}
	}
	if (!json_is_true(jactive)) {
		if (agg_db_run(a->db, "UPDATE alarms SET ended_ms = $4 WHERE "
		    "site = $1 AND gate = $2 AND alarm = $3 AND ended_ms IS "
		    "NULL", key, 4, NULL, NULL, &changes) == -1)
			return -1;
		if (changes == 0)
			return 0;
		log_info("%s/%s: alarm %s ended", site, gate, name);
	} else {
		if (agg_alarm_is_state(name, event_id)) {
			if (agg_db_int(a->db, "SELECT count(*) FROM alarms "
			    "WHERE site = $1 AND gate = $2 AND alarm = $3 AND "
			    "ended_ms IS NULL", key, 3, &n) == -1)
				return -1;
			if (n > 0)
				return 0;	/* already open */
		}

		struct agg_db_arg ins[] = { AGG_S(site), AGG_S(gate),
		    AGG_S(lane != NULL ? lane : ""), AGG_S(name),
		    AGG_S(detail != NULL ? detail : ""), AGG_S(event_id),
		    AGG_I(ts), AGG_I(now) };

		if (agg_db_run(a->db, "INSERT INTO alarms (site, gate, lane, "
		    "alarm, detail, event_id, began_ms, received_ms) VALUES "
		    "($1, $2, $3, $4, $5, $6, $7, $8)", ins, 8, NULL, NULL,
		    NULL) == -1)
			return -1;
		log_warnx("%s/%s: alarm %s%s%s", site, gate, name,
		    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	}
	agg_publish(a, "alarm", agg_alarm_public(a, site, gate, name,
	    json_is_true(jactive), lane, detail, event_id, ts));
	return 0;
}

static int
agg_collect_row(void *arg, int ncol, const char *const *col)
{
	json_t *list = arg, *row = json_array();

	for (int i = 0; i < ncol; i++)
		json_array_append_new(row, json_string(col[i] != NULL ?
		    col[i] : ""));
	json_array_append_new(list, row);
	return 0;
}

void
agg_registry_tick(struct agg *a, int64_t now_ms)
{
	int64_t hb_ms = (int64_t)a->cfg.heartbeat_s * 1000;
	int64_t hold_ms = (int64_t)a->cfg.alarm_hold_s * 1000;
	json_t *list = json_array(), *row;
	size_t i;

	struct agg_db_arg stale[] = { AGG_I(now_ms - 3 * hb_ms) };

	if (list == NULL)
		return;
	if (agg_db_run(a->db, "SELECT site, gate FROM gates WHERE state = "
	    "'online' AND stale = 0 AND heartbeat_ms < $1", stale, 1,
	    agg_collect_row, list, NULL) == -1)
		a->stats.db_errors++;
	json_array_foreach(list, i, row) {
		const char *site = json_string_value(json_array_get(row, 0));
		const char *gate = json_string_value(json_array_get(row, 1));
		struct agg_db_arg key[] = { AGG_S(site), AGG_S(gate),
		    AGG_I(now_ms) };

		if (agg_db_run(a->db, "UPDATE gates SET stale = 1, changed_ms "
		    "= $3 WHERE site = $1 AND gate = $2", key, 3, NULL, NULL,
		    NULL) == -1) {
			a->stats.db_errors++;
			continue;
		}
		log_warnx("%s/%s: stale: no heartbeat for %d s", site, gate,
		    3 * a->cfg.heartbeat_s);
		agg_publish(a, "gate", json_pack("{s:s, s:s, s:s, s:b}",
		    "site", site, "gate", gate, "state", "online", "stale",
		    1));
	}
	json_array_clear(list);

	struct agg_db_arg old[] = { AGG_I(now_ms - hold_ms), AGG_I(now_ms) };

	if (agg_db_run(a->db, "SELECT site, gate, alarm FROM alarms WHERE "
	    "ended_ms IS NULL AND event_id <> '' AND "
	    "alarm NOT IN " AGG_STATE_ROWS_SQL " "
	    "AND received_ms < $1", old, 1, agg_collect_row, list,
	    NULL) == -1 ||
	    agg_db_run(a->db, "UPDATE alarms SET ended_ms = $2 WHERE "
	    "ended_ms IS NULL AND event_id <> '' AND "
	    "alarm NOT IN " AGG_STATE_ROWS_SQL " "
	    "AND received_ms < $1", old, 2, NULL, NULL, NULL) == -1)
		a->stats.db_errors++;
	else
		json_array_foreach(list, i, row)
			agg_publish(a, "alarm", json_pack("{s:s, s:s, s:s, "
			    "s:b, s:I}", "site",
			    json_string_value(json_array_get(row, 0)), "gate",
			    json_string_value(json_array_get(row, 1)), "alarm",
			    json_string_value(json_array_get(row, 2)),
			    "active", 0, "ts_ms", (json_int_t)now_ms));
	json_decref(list);
}
