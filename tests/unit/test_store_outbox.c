/*
 * The MQTT outbox in the store: queued in the same transaction as its
 * event (or its passage update), read in order after an id, deleted in
 * batches, capped without losing log rows, kept through purges, and the
 * migration of a version 1 database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_outbox.h"
#include "store_private.h"
#include "store_schema.h"
#include "store_fixture.h"

/* One integer from a query, on the store's own connection. */
static int64_t
q_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
exec_ok(struct store *st, const char *sql)
{
	assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
}

static int64_t
append(struct store *st, int64_t ts_ms)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = ts_ms;
	snprintf(ev.gate, sizeof(ev.gate), "g1");
	snprintf(ev.lane, sizeof(ev.lane), "1");
	ev.type = EV_SCAN;
	ev.kind = CRED_BADGE;
	snprintf(ev.subject, sizeof(ev.subject), "**0001");
	ev.result = RES_GRANTED;
	ev.reason = REASON_GRANTED;
	ev.passage = PASSAGE_PENDING;
	ev.decode_us = 10;
	ev.latency_us = 20;
	assert_int_equal(store_event_append(st, &ev), 0);
	return ev.seq;
}

static int64_t
depth(struct store *st)
{
	int64_t d, max;

	assert_int_equal(store_outbox_depth(st, &d, &max), 0);
	/* The trigger-kept count is the real one. */
	assert_int_equal(d, q_int(st, "SELECT count(*) FROM outbox"));
	return d;
}

#define ROWS_MAX 64

struct rows {
	int n;
	int stop_after;		/* 0: never */
	int64_t id[ROWS_MAX];
	int rev[ROWS_MAX];
	int64_t seq[ROWS_MAX];	/* -1: the event could not be read */
	enum passage passage[ROWS_MAX];
};

static int
rows_collect(int64_t id, int rev, const struct event *ev, void *arg)
{
	struct rows *r = arg;

	assert_true(r->n < ROWS_MAX);
	r->id[r->n] = id;
	r->rev[r->n] = rev;
	r->seq[r->n] = ev != NULL ? ev->seq : -1;
	r->passage[r->n] = ev != NULL ? ev->passage : PASSAGE_NONE;
	r->n++;
	return r->stop_after != 0 && r->n >= r->stop_after;
}

static struct rows
rows_next(struct store *st, int64_t after, int max, int stop_after)
{
	struct rows r = { .stop_after = stop_after };
	int n = store_outbox_next(st, after, max, rows_collect, &r);

	assert_int_equal(n, r.n);
	return r;
}

static void
test_off_by_default_queues_nothing(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	int64_t d, max;

	assert_int_equal(q_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	append(st, 1000);
	assert_int_equal(store_outbox_depth(st, &d, &max), 0);
	assert_int_equal(d, 0);
	assert_int_equal(max, 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 1);
	store_close(st);
}

static void
test_decisions_and_passages_in_order(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	int64_t s1, s2, s3;
	struct rows r;

	assert_int_equal(store_outbox_set_max(st, 100), 0);
	s1 = append(st, 1000);
	s2 = append(st, 2000);
	assert_int_equal(store_event_set_passage(st, s1, PASSAGE_PASSED), 0);
	s3 = append(st, 3000);
	assert_int_equal(depth(st), 4);

	r = rows_next(st, 0, 10, 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.seq[0], s1);
	assert_int_equal(r.rev[0], OUTBOX_REV_DECISION);
	assert_int_equal(r.seq[1], s2);
	assert_int_equal(r.seq[2], s1);
	assert_int_equal(r.rev[2], OUTBOX_REV_PASSAGE);
	assert_int_equal(r.seq[3], s3);
	/* Built when sent: the decision's row already shows its passage. */
	assert_int_equal(r.passage[0], PASSAGE_PASSED);
	assert_int_equal(r.passage[1], PASSAGE_PENDING);
	for (int i = 1; i < r.n; i++)
		assert_true(r.id[i] > r.id[i - 1]);

	/* After an id, at most max, and a callback may stop early. */
	r = rows_next(st, r.id[1], 1, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.seq[0], s1);
	assert_int_equal(r.rev[0], OUTBOX_REV_PASSAGE);
	r = rows_next(st, 0, 10, 2);
	assert_int_equal(r.n, 2);
	r = rows_next(st, INT64_MAX, 10, 0);
	assert_int_equal(r.n, 0);
	store_close(st);
}

static void
test_delete_batch(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	struct rows r;
	int64_t gone[2];

	assert_int_equal(store_outbox_set_max(st, 100), 0);
	for (int i = 0; i < 5; i++)
		append(st, 1000 + i);
	r = rows_next(st, 0, 10, 0);
	gone[0] = r.id[1];
	gone[1] = r.id[3];
	assert_int_equal(store_outbox_delete(st, gone, 2), 0);
	assert_int_equal(depth(st), 3);
	r = rows_next(st, 0, 10, 0);
	assert_int_equal(r.n, 3);
	assert_true(r.id[0] < r.id[1] && r.id[1] < r.id[2]);
	for (int i = 0; i < r.n; i++)
		assert_true(r.id[i] != gone[0] && r.id[i] != gone[1]);
	/* Ids already gone, and an empty batch, are no error. */
	assert_int_equal(store_outbox_delete(st, gone, 2), 0);
	assert_int_equal(store_outbox_delete(st, NULL, 0), 0);
	assert_int_equal(depth(st), 3);
	store_close(st);
}

/* At the cap rows stop being queued; the log keeps every event. */
static void
test_cap_never_loses_log_rows(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	int64_t s, d, max;

	assert_int_equal(store_outbox_set_max(st, 3), 0);
	for (int i = 0; i < 3; i++)
		append(st, 1000 + i);
	s = append(st, 2000);
	assert_true(s > 0);
	assert_int_equal(store_event_set_passage(st, s, PASSAGE_PASSED), 0);
	assert_int_equal(store_outbox_depth(st, &d, &max), 0);
	assert_int_equal(d, 3);
	assert_int_equal(max, 3);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 4);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events WHERE passage = 'passed'"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox WHERE seq = 4"), 0);
	/* The oldest ones are what was kept. */
	assert_int_equal(q_int(st, "SELECT max(seq) FROM outbox"), 3);
	/* A cap of 0 (MQTT off) keeps what is queued and adds nothing. */
	assert_int_equal(store_outbox_set_max(st, 0), 0);
	append(st, 3000);
	assert_int_equal(depth(st), 3);
	/* Room again: queued again. */
	assert_int_equal(store_outbox_set_max(st, 10), 0);
	append(st, 4000);
	assert_int_equal(depth(st), 4);
	store_close(st);
}

/* The outbox row is in the event's transaction: no outbox, no event. */
static void
test_same_transaction(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	struct event ev;
	int64_t s;

	assert_int_equal(store_outbox_set_max(st, 10), 0);
	s = append(st, 1000);
	exec_ok(st, "DROP TABLE outbox");
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.gate, sizeof(ev.gate), "g1");
	snprintf(ev.lane, sizeof(ev.lane), "1");
	assert_int_equal(store_event_append(st, &ev), -1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 1);
	/* Nor is a passage recorded without its message. */
	assert_int_equal(store_event_set_passage(st, s, PASSAGE_PASSED), -1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events WHERE passage = 'pending'"), 1);
	store_close(st);
}

static void
test_passage_of_missing_event(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);

	assert_int_equal(store_outbox_set_max(st, 10), 0);
	assert_int_equal(store_event_set_passage(st, 42, PASSAGE_PASSED), -1);
	assert_int_equal(store_event_set_passage(st, 1, PASSAGE_COUNT), -1);
	assert_int_equal(depth(st), 0);
	store_close(st);
}

/* Retention never deletes what is still to be sent. */
static void
test_purge_keeps_queued_events(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	struct rows r;

	assert_int_equal(store_outbox_set_max(st, 100), 0);
	for (int i = 0; i < 4; i++)
		append(st, 1000 + i);
	r = rows_next(st, 0, 10, 0);
	assert_int_equal(store_outbox_delete(st, r.id, 2), 0);
	/* Seqs 1 and 2 were sent, 3 and 4 were not. */
	assert_int_equal(store_event_purge(st, 5000), 2);
	assert_int_equal(q_int(st, "SELECT min(seq) * 10 + max(seq) FROM events"), 34);
	assert_int_equal(depth(st), 2);
	/* The foreign key stops any other way round it. */
	assert_int_not_equal(sqlite3_exec(store_db(st), "DELETE FROM events",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 2);
	store_close(st);
}

/*
 * What retention asks before it deletes: the newest row's time, and how
 * many old rows it keeps for the outbox.
 */
static void
test_retention_newest_and_held(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	int64_t newest = -1;
	struct rows r;

	assert_int_equal(store_event_newest_ts(st, &newest), 0);
	assert_int_equal(newest, -1);
	assert_int_equal(store_event_held(st, 5000), 0);
	assert_int_equal(store_outbox_set_max(st, 100), 0);
	append(st, 3000);
	append(st, 1000);
	append(st, 2000);
	assert_int_equal(store_event_newest_ts(st, &newest), 1);
	assert_int_equal(newest, 3000);
	r = rows_next(st, 0, 10, 0);
	assert_int_equal(store_outbox_delete(st, r.id, 1), 0);
	/* Seq 1 (3000) sent; seqs 2 (1000) and 3 (2000) not. */
	assert_int_equal(store_event_held(st, 1500), 1);
	assert_int_equal(store_event_held(st, 5000), 2);
	assert_int_equal(store_event_purge(st, 5000), 1);
	assert_int_equal(store_event_held(st, 5000), 2);
	assert_int_equal(store_event_newest_ts(st, &newest), 1);
	assert_int_equal(newest, 2000);
	store_close(st);
}

/* A row whose event this program cannot read is handed over as NULL. */
static void
test_unreadable_event(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_NORMAL);
	struct event ev;
	struct rows r;

	assert_int_equal(store_outbox_set_max(st, 10), 0);
	append(st, 1000);
	append(st, 2000);
	exec_ok(st, "UPDATE events SET reason = 'from-the-future' WHERE seq = 1");
	r = rows_next(st, 0, 10, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.seq[0], -1);
	assert_int_equal(r.seq[1], 2);
	assert_int_equal(store_event_get(st, 1, &ev), 0);
	assert_int_equal(store_event_get(st, 99, &ev), 0);
	assert_int_equal(store_event_get(st, 2, &ev), 1);
	assert_int_equal(ev.seq, 2);
	assert_int_equal(ev.ts_ms, 2000);
	store_close(st);
}

/* A version 1 database (before MQTT) is migrated, its log kept. */
static void
test_migrates_version_1(void **state)
{
	struct store_fx *fx = *state;
	struct store *st;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
	    "CREATE TABLE credentials (id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
	    " subject TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	    " valid_from INTEGER NOT NULL DEFAULT 0,"
	    " valid_until INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,"
	    " lanes TEXT NOT NULL DEFAULT '*', UNIQUE(kind, subject));"
	    "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " event_id TEXT NOT NULL UNIQUE, ts_ms INTEGER NOT NULL,"
	    " gate TEXT NOT NULL, lane TEXT NOT NULL, direction TEXT NOT NULL,"
	    " type TEXT NOT NULL, kind TEXT NOT NULL,"
	    " credential_id TEXT NOT NULL, subject TEXT NOT NULL,"
	    " result TEXT NOT NULL, reason TEXT NOT NULL, passage TEXT NOT NULL,"
	    " decode_us INTEGER NOT NULL, latency_us INTEGER NOT NULL,"
	    " payload_hash TEXT NOT NULL);"
	    "CREATE INDEX events_ts_ms ON events(ts_ms);"
	    "INSERT INTO events VALUES (7, 'e7', 1, 'g', '1', 'entry', 'scan',"
	    " 'badge', '', '**01', 'denied', 'unknown', 'none', 1, 2, '');"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	st = store_fx_open(fx, STORE_SYNC_NORMAL);
	assert_int_equal(q_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(q_int(st, "SELECT seq FROM events"), 7);
	/* The old log is not queued: it predates MQTT. */
	assert_int_equal(depth(st), 0);
	assert_int_equal(store_outbox_set_max(st, 10), 0);
	assert_int_equal(append(st, 5), 8);
	assert_int_equal(depth(st), 1);
	store_close(st);

	/* Opened again: left as it is. */
	st = store_fx_open(fx, STORE_SYNC_NORMAL);
	assert_int_equal(depth(st), 1);
	assert_int_equal(q_int(st, "SELECT max FROM outbox_meta"), 10);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, store_fx_setup, \
    store_fx_teardown)
		T(test_off_by_default_queues_nothing),
		T(test_decisions_and_passages_in_order),
		T(test_delete_batch),
		T(test_cap_never_loses_log_rows),
		T(test_same_transaction),
		T(test_passage_of_missing_event),
		T(test_purge_keeps_queued_events),
		T(test_retention_newest_and_held),
		T(test_unreadable_event),
		T(test_migrates_version_1),
#undef T
	};

	log_init("test_store_outbox", LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
