/*
 * Ingest: every message from the gates, each event stored exactly once.
 *
 * The gates send at least once (their outbox sends again whatever the
 * broker had not acknowledged), so an event may arrive twice, and its
 * passage update (rev 1) may arrive before or after its decision.  The
 * event id is the key: a new id is inserted, a known one only raises its
 * rev, anything else is a duplicate.  Each gate's seq (strictly
 * increasing, never reused) shows what never came: a seq past the highest
 * seen opens a gap for those between, and each late arrival shrinks its
 * gap until it closes.  The first event seen of a gate opens a gap for
 * the seqs before it too: a gate that published before the aggregator
 * listened (or whose messages the broker dropped) has sent those, and
 * its outbox may send them again.  An event id stays with the gate (and site) whose
 * topic it first arrived on: the same id on another gate's topic is
 * refused, whatever its rev.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "agg_people.h"
#include "agg_json.h"
#include "clock.h"
#include "log.h"

/* Longest text member kept; gates send far less. */
#define AGG_TEXT_MAX 128

static bool
agg_event_id_valid(const char *id)
{
	if (id == NULL || strlen(id) != 32)
		return false;
	for (; *id != '\0'; id++)
		if (!((*id >= '0' && *id <= '9') || (*id >= 'a' && *id <= 'f')))
			return false;
	return true;
}

static const char *
agg_text(json_t *doc, const char *key)
{
	const char *s = agg_json_str(doc, key);

	return s != NULL && strlen(s) <= AGG_TEXT_MAX ? s : NULL;
}

static int
agg_gap_open(struct agg *a, const char *site, const char *gate,
    int64_t first, int64_t last, int64_t now)
{
	struct agg_db_arg args[] = { AGG_S(site), AGG_S(gate), AGG_I(first),
	    AGG_I(last), AGG_I(last - first + 1), AGG_I(now) };

	if (agg_db_run(a->db, "INSERT INTO gaps (site, gate, first_seq, "
	    "last_seq, missing, opened_ms) VALUES ($1, $2, $3, $4, $5, $6)",
	    args, 6, NULL, NULL, NULL) == -1)
		return -1;
	a->stats.gaps_opened++;
	log_warnx("%s/%s: gap: seq %lld to %lld missing", site, gate,
	    (long long)first, (long long)last);
	agg_publish(a, "gate", json_pack("{s:s, s:s, s:s, s:I, s:I}", "site",
	    site, "gate", gate, "gap", "open", "first_seq", (json_int_t)first,
	    "last_seq", (json_int_t)last));
	return 0;
}

struct agg_gap {
	int found;
	int64_t first, last, missing, opened;
};

static int
agg_gap_row(void *arg, int ncol, const char *const *col)
{
	struct agg_gap *g = arg;

	if (ncol < 4 || col[0] == NULL || col[1] == NULL || col[2] == NULL ||
	    col[3] == NULL)
		return -1;
	g->first = strtoll(col[0], NULL, 10);
	g->last = strtoll(col[1], NULL, 10);
	g->missing = strtoll(col[2], NULL, 10);
	g->opened = strtoll(col[3], NULL, 10);
	g->found = 1;
	return 1;
}

/* A seq below the highest seen arrived: the gap holding it shrinks. */
static int
agg_gap_fill(struct agg *a, const char *site, const char *gate, int64_t seq,
    int64_t now)
{
	struct agg_gap g = { 0 };
	struct agg_db_arg find[] = { AGG_S(site), AGG_S(gate), AGG_I(seq) };
	const char *set = "UPDATE gaps SET first_seq = $4, last_seq = $5, "
	    "missing = $6 WHERE site = $1 AND gate = $2 AND first_seq = $3 "
	    "AND closed_ms IS NULL";

	if (agg_db_run(a->db, "SELECT first_seq, last_seq, missing, "
	    "opened_ms FROM gaps WHERE site = $1 AND gate = $2 AND closed_ms IS NULL AND "
	    "first_seq <= $3 AND last_seq >= $3", find, 3, agg_gap_row, &g,
	    NULL) == -1)
		return -1;
	if (!g.found) {
		/* Not missing: a gate whose database was replaced starts
		 * again at 1.  Its events are kept; only gaps are lost. */
		log_debug("%s/%s: seq %lld below the highest, not in a gap",
		    site, gate, (long long)seq);
		return 0;
	}
	if (g.first == g.last) {
		struct agg_db_arg args[] = { AGG_S(site), AGG_S(gate),
		    AGG_I(g.first), AGG_I(now) };

		if (agg_db_run(a->db, "UPDATE gaps SET closed_ms = $4 WHERE "
		    "site = $1 AND gate = $2 AND first_seq = $3 AND "
		    "closed_ms IS NULL", args, 4, NULL, NULL, NULL) == -1)
			return -1;
		a->stats.gaps_closed++;
		log_info("%s/%s: gap closed: the last missing seq %lld came",
		    site, gate, (long long)seq);
		agg_publish(a, "gate", json_pack("{s:s, s:s, s:s, s:I}",
		    "site", site, "gate", gate, "gap", "closed", "seq",
		    (json_int_t)seq));
		return 0;
	}
	if (seq == g.first || seq == g.last) {
		struct agg_db_arg args[] = { AGG_S(site), AGG_S(gate),
		    AGG_I(g.first), AGG_I(seq == g.first ? seq + 1 : g.first),
		    AGG_I(seq == g.last ? seq - 1 : g.last),
		    AGG_I(g.missing) };

		return agg_db_run(a->db, set, args, 6, NULL, NULL, NULL) ==
		    -1 ? -1 : 0;
	}
	/* In the middle: two gaps, each keeping when it opened. */
	struct agg_db_arg low[] = { AGG_S(site), AGG_S(gate), AGG_I(g.first),
	    AGG_I(g.first), AGG_I(seq - 1), AGG_I(g.missing - (g.last - seq)) };
	struct agg_db_arg high[] = { AGG_S(site), AGG_S(gate), AGG_I(seq + 1),
	    AGG_I(g.last), AGG_I(g.last - seq), AGG_I(g.opened) };

	if (agg_db_run(a->db, set, low, 6, NULL, NULL, NULL) == -1 ||
	    agg_db_run(a->db, "INSERT INTO gaps (site, gate, first_seq, "
	    "last_seq, missing, opened_ms) VALUES ($1, $2, $3, $4, $5, $6)",
	    high, 6, NULL, NULL, NULL) == -1)
		return -1;
	return 0;
}

static int
agg_status_row(void *arg, int ncol, const char *const *col)
{
	json_t **status = arg;

	if (ncol > 0 && col[0] != NULL)
		*status = json_loads(col[0], 0, NULL);
	return 1;
}

/*
 * The first event seen of a gate has seq: the seqs before it are missing,
 * from 1 (a gate's log numbers its events from 1), or from where its
 * status says its log starts ("seq_first").
 */
static int
agg_gap_before_first(struct agg *a, const char *site, const char *gate,
    int64_t seq, int64_t now)
{
	struct agg_db_arg key[] = { AGG_S(site), AGG_S(gate) };
	json_t *status = NULL;
	int64_t from = 1;

	if (agg_db_run(a->db, "SELECT status FROM gates WHERE site = $1 AND "
	    "gate = $2", key, 2, agg_status_row, &status, NULL) == -1)
		return -1;
	if (agg_json_int(status, "seq_first", &from) && from < 1)
		from = 1;
	json_decref(status);
	if (seq <= from)
		return 0;
	log_info("%s/%s: first event seen has seq %lld: seqs before it are "
	    "missing", site, gate, (long long)seq);
	return agg_gap_open(a, site, gate, from, seq - 1, now);
}

/* A new event of gate with this seq: baseline, gap, or a late arrival. */
static int
agg_seq_check(struct agg *a, const char *site, const char *gate,
    const char *lane, int64_t seq, int64_t now)
{
	struct agg_db_arg first[] = { AGG_S(site), AGG_S(gate), AGG_S(lane),
	    AGG_I(seq) };
	struct agg_db_arg key[] = { AGG_S(site), AGG_S(gate), AGG_I(seq) };
	int64_t changes, max;

	/* The first event ever seen of a gate is where its record starts. */
	if (agg_db_run(a->db, "INSERT INTO gates (site, gate, lane, max_seq) "
	    "VALUES ($1, $2, $3, $4) ON CONFLICT (site, gate) DO NOTHING",
	    first, 4, NULL, NULL, &changes) == -1)
		return -1;
	if (changes == 1)
		return agg_gap_before_first(a, site, gate, seq, now);
	if (agg_db_int(a->db, "SELECT max_seq FROM gates WHERE site = $1 AND "
	    "gate = $2", key, 2, &max) != 1)
		return -1;
	if (seq > max) {
		/* 0: the gate known by its status only, no event yet. */
		if (max == 0 &&
		    agg_gap_before_first(a, site, gate, seq, now) == -1)
			return -1;
		if (max > 0 && seq > max + 1 &&
		    agg_gap_open(a, site, gate, max + 1, seq - 1, now) == -1)
			return -1;
		return agg_db_run(a->db, "UPDATE gates SET max_seq = $3 WHERE "
		    "site = $1 AND gate = $2", key, 3, NULL, NULL, NULL) ==
		    -1 ? -1 : 0;
	}
	return agg_gap_fill(a, site, gate, seq, now);
}

/*
 * A passage (a granted scan whose way was not left unused) moves its
 * holder's presence, unless a later passage of theirs is there already:
 * events from several gates arrive in any order.
 */
static int
agg_presence_note(struct agg *a, const char *event_id)
{
	struct agg_db_arg args[] = { AGG_S(event_id) };

	return agg_db_run(a->db, "INSERT INTO presence (site, credential_id, "
	    "subject, subject_full, gate, lane, direction, ts_ms, event_id) "
	    "SELECT site, credential_id, subject, subject_full, gate, lane, "
	    "direction, ts_ms, event_id FROM events WHERE event_id = $1 AND "
	    "type = 'scan' AND result = 'granted' AND passage <> 'not-passed' "
	    "ON CONFLICT (site, credential_id, subject) DO UPDATE SET "
	    "subject_full = excluded.subject_full, gate = excluded.gate, "
	    "lane = excluded.lane, direction = excluded.direction, "
	    "ts_ms = excluded.ts_ms, event_id = excluded.event_id "
	    "WHERE excluded.ts_ms > presence.ts_ms OR (excluded.ts_ms = "
	    "presence.ts_ms AND excluded.event_id > presence.event_id)",
	    args, 1, NULL, NULL, NULL) == -1 ? -1 : 0;
}

/*
 * A grant turned out unused (passage not-passed): its holder's presence is
 * their last passage before it, found again in the events.
 */
static int
agg_presence_redo(struct agg *a, const char *event_id)
{
	struct agg_db_arg args[] = { AGG_S(event_id) };

	if (agg_db_run(a->db, "DELETE FROM presence WHERE event_id = $1",
	    args, 1, NULL, NULL, NULL) == -1)
		return -1;
	return agg_db_run(a->db, "INSERT INTO presence (site, credential_id, "
	    "subject, subject_full, gate, lane, direction, ts_ms, event_id) "
	    "SELECT p.site, p.credential_id, p.subject, p.subject_full, "
	    "p.gate, p.lane, p.direction, p.ts_ms, p.event_id FROM events e "
	    "JOIN events p ON p.credential_id = e.credential_id AND "
	    "p.subject = e.subject AND p.site = e.site WHERE "
	    "e.event_id = $1 AND p.type = 'scan' AND p.result = 'granted' AND "
	    "p.passage <> 'not-passed' ORDER BY p.ts_ms DESC, p.event_id DESC "
	    "LIMIT 1 ON CONFLICT (site, credential_id, subject) DO NOTHING",
	    args, 1, NULL, NULL, NULL) == -1 ? -1 : 0;
}

/*
 * The event as the page gets it: masked unless tracing, with the name and
 * department of its credential when the people list has it (the web side
 * strips "name" for a page whose user may not see names).
 */
static json_t *
agg_event_public(struct agg *a, json_t *doc)
{
	json_t *o = json_deep_copy(doc);
	char name[128], dept[AGG_DEPT_MAX];

	/* The live stream goes to the live page's roles, never the tracer's
	 * alone: full subjects stay in the database (GET /api/trace). */
	(void)a;
	if (o != NULL)
		json_object_del(o, "subject_full");
	if (o != NULL && agg_people_name(a->db, agg_json_str(doc,
	    "credential_id"), name, sizeof(name), dept, sizeof(dept)) == 1) {
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "department", json_string(dept));
	}
	return o;
}

/*
 * A known event id that changed nothing: a duplicate from its own gate,
 * or the id of another gate's event, which is refused and counted.
 * Returns 0, or -1 when the database could not answer.
 */
static int
agg_ingest_owner_check(struct agg *a, const char *site, const char *gate,
    const char *id)
{
	struct agg_db_arg args[] = { AGG_S(id), AGG_S(site), AGG_S(gate) };
	int64_t foreign = 0;

	if (agg_db_int(a->db, "SELECT count(*) FROM events WHERE "
	    "event_id = $1 AND (site <> $2 OR gate <> $3)", args, 3,
	    &foreign) != 1)
		return -1;
	if (foreign == 0) {
		a->stats.duplicates++;
		return 0;
	}
	log_warnx("%s/%s: event %s belongs to another gate: refused", site,
	    gate, id);
	a->stats.rejected++;
	return 0;
}

int
agg_ingest_event(struct agg *a, const char *site, const char *gate,
    json_t *doc)
{
	const char *id = agg_json_str(doc, "event_id");
	const char *t[9] = {
	    agg_text(doc, "lane"), agg_text(doc, "direction"),
	    agg_text(doc, "type"), agg_text(doc, "kind"),
	    agg_text(doc, "subject"), agg_text(doc, "credential_id"),
	    agg_text(doc, "result"), agg_text(doc, "reason"),
	    agg_text(doc, "passage") };
	const char *full = agg_text(doc, "subject_full");
	const char *dsite = agg_json_str(doc, "site");
	const char *dgate = agg_json_str(doc, "gate");
	int64_t seq, rev, ts, decode_us = -1, latency_us = -1, changes;
	int64_t now = clock_utc_ms();

	if (!agg_event_id_valid(id) || !agg_json_int(doc, "seq", &seq) ||
	    seq < 1 || !agg_json_int(doc, "rev", &rev) || rev < 0 ||
	    !agg_json_int(doc, "ts_ms", &ts) || ts < 0) {
		log_warnx("%s/%s: event without a valid event_id, seq, rev "
		    "or ts_ms: dropped", site, gate);
		a->stats.rejected++;
		return 0;
	}
	for (int i = 0; i < 9; i++)
		if (t[i] == NULL) {
			log_warnx("%s/%s: event %s: a member is missing or "
			    "too long: dropped", site, gate, id);
			a->stats.rejected++;
			return 0;
		}
	/* A gate writes only its own topics (the broker's ACL): a document
	 * naming another gate is not believed. */
	if (dsite == NULL || dgate == NULL || strcmp(dsite, site) != 0 ||
	    strcmp(dgate, gate) != 0) {
		log_warnx("%s/%s: event %s names another gate: dropped", site,
		    gate, id);
		a->stats.rejected++;
		return 0;
	}
	(void)agg_json_int(doc, "decode_us", &decode_us);
	(void)agg_json_int(doc, "latency_us", &latency_us);
	if (!a->cfg.tracing || full == NULL)
		full = "";

	struct agg_db_arg ins[] = { AGG_S(id), AGG_S(site), AGG_S(gate),
	    AGG_S(t[0]), AGG_I(seq), AGG_I(rev), AGG_I(ts), AGG_S(t[1]),
	    AGG_S(t[2]), AGG_S(t[3]), AGG_S(t[4]), AGG_S(t[5]), AGG_S(full),
	    AGG_S(t[6]), AGG_S(t[7]), AGG_S(t[8]), AGG_I(decode_us),
	    AGG_I(latency_us), AGG_I(now) };

	if (agg_db_run(a->db, "INSERT INTO events (event_id, site, gate, "
	    "lane, seq, rev, ts_ms, direction, type, kind, subject, "
	    "credential_id, subject_full, result, reason, passage, decode_us, "
	    "latency_us, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	    "$9, $10, $11, $12, NULLIF($13, ''), $14, $15, $16, $17, $18, $19) "
	    "ON CONFLICT (event_id) DO NOTHING", ins, 19, NULL, NULL,
	    &changes) == -1)
		return -1;
	if (changes == 1) {
		a->stats.stored++;
		if (agg_seq_check(a, site, gate, t[0], seq, now) == -1)
			return -1;
		if (strcmp(t[6], "granted") == 0) {
			if (agg_presence_note(a, id) == -1)
				return -1;
			a->headcount_dirty = true;
		}
		agg_publish(a, "event", agg_event_public(a, doc));
		return 0;
	}

	/*
	 * An event belongs to the gate whose topic it first came on: only
	 * that gate's topic may raise its rev.  Another gate's copy of the
	 * id (a replay, or a gate the ACL lets write its own topics only)
	 * would otherwise rewrite the row and move its holder's presence.
	 */
	struct agg_db_arg upd[] = { AGG_S(id), AGG_I(rev), AGG_S(t[8]),
	    AGG_S(site), AGG_S(gate) };

	if (agg_db_run(a->db, "UPDATE events SET rev = $2, passage = $3 "
	    "WHERE event_id = $1 AND rev < $2 AND site = $4 AND gate = $5",
	    upd, 5, NULL, NULL, &changes) == -1)
		return -1;
	if (changes == 1) {
		a->stats.updated++;
		if (strcmp(t[8], "not-passed") == 0 &&
		    agg_presence_redo(a, id) == -1)
			return -1;
		a->headcount_dirty = true;
		agg_publish(a, "event", agg_event_public(a, doc));
		return 0;
	}
	return agg_ingest_owner_check(a, site, gate, id);
}

int
agg_ingest_message(struct agg *a, enum agg_topic t, const char *site,
    const char *gate, const char *payload, size_t len, bool retained)
{
	json_error_t err;
	json_t *doc;
	int rc;

	a->stats.messages++;
	/* A retained status cleared by an empty message: nothing to say. */
	if (len == 0)
		return 0;
	doc = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(doc)) {
		log_warnx("%s/%s: not a JSON object: %s", site, gate,
		    doc == NULL ? err.text : "another type");
		json_decref(doc);
		a->stats.rejected++;
		return 0;
	}
	switch (t) {
	case AGG_T_EVENTS:
		rc = agg_ingest_event(a, site, gate, doc);
		break;
	case AGG_T_STATUS:
		rc = agg_registry_status(a, site, gate, doc, retained);
		break;
	case AGG_T_ALARM:
	default:
		rc = agg_registry_alarm(a, site, gate, doc);
		break;
	}
	json_decref(doc);
	if (rc == -1)
		a->stats.db_errors++;
	return rc;
}
