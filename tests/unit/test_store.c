#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sitetime.h"
#include "store.h"
#include "store_fixture.h"

static const char *
fx_write(struct store_fx *fx, const char *name, const char *text)
{
	FILE *f;

	snprintf(fx->file, sizeof(fx->file), "%s/%s", fx->dir, name);
	assert_non_null(f = fopen(fx->file, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return fx->file;
}

/* Imports fx->file, as the CLI does. */
static int
fx_import(struct store *st, struct store_fx *fx, char *err, size_t errlen)
{
	FILE *f;
	int n;

	assert_non_null(f = fopen(fx->file, "r"));
	err[0] = '\0';
	n = store_credential_import_csv(st, f, fx->file, err, errlen);
	fclose(f);
	return n;
}

/* Runs one query returning one text or integer through plain SQLite. */
static void
raw_query(const char *db, const char *sql, char *out, size_t outlen)
{
	sqlite3 *h;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
}

static struct credential
cred_make(const char *id, enum cred_kind kind, const char *subject)
{
	struct credential c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.kind = kind;
	snprintf(c.subject, sizeof(c.subject), "%s", subject);
	snprintf(c.name, sizeof(c.name), "Name of %s", id);
	c.status = CRED_ACTIVE;
	snprintf(c.lanes, sizeof(c.lanes), "*");
	return c;
}

static struct event
event_make(int64_t ts_ms, const char *subject)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = ts_ms;
	snprintf(ev.gate, sizeof(ev.gate), "gate-1");
	snprintf(ev.lane, sizeof(ev.lane), "A");
	ev.direction = DIR_EXIT;
	ev.type = EV_SCAN;
	ev.kind = CRED_CCCD;
	snprintf(ev.credential_id, sizeof(ev.credential_id), "c-%s", subject);
	snprintf(ev.subject, sizeof(ev.subject), "%s", subject);
	ev.result = RES_DENIED;
	ev.reason = REASON_NOT_YET_VALID;
	ev.passage = PASSAGE_NONE;
	ev.decode_us = 1234;
	ev.latency_us = 56789;
	snprintf(ev.payload_hash, sizeof(ev.payload_hash), "0123456789abcdef");
	return ev;
}

static void
event_assert_equal(const struct event *a, const struct event *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_string_equal(a->event_id, b->event_id);
	assert_int_equal(a->ts_ms, b->ts_ms);
	assert_string_equal(a->gate, b->gate);
	assert_string_equal(a->lane, b->lane);
	assert_int_equal(a->direction, b->direction);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->credential_id, b->credential_id);
	assert_string_equal(a->subject, b->subject);
	assert_int_equal(a->result, b->result);
	assert_int_equal(a->reason, b->reason);
	assert_int_equal(a->passage, b->passage);
	assert_int_equal(a->decode_us, b->decode_us);
	assert_int_equal(a->latency_us, b->latency_us);
	assert_string_equal(a->payload_hash, b->payload_hash);
	assert_string_equal(a->subject_full, b->subject_full);
}

#define MAX_ROWS 16

struct creds {
	int n;
	struct credential c[MAX_ROWS];
};

static int
creds_collect(const struct credential *c, void *arg)
{
	struct creds *cs = arg;

	assert_true(cs->n < MAX_ROWS);
	cs->c[cs->n++] = *c;
	return 0;
}

static struct creds
creds_all(struct store *st)
{
	struct creds cs = { 0 };

	assert_int_equal(store_credential_foreach(st, creds_collect, &cs), 0);
	return cs;
}

struct events {
	int n;
	int stop_after;		/* 0: never */
	struct event ev[MAX_ROWS];
};

static int
events_collect(const struct event *ev, void *arg)
{
	struct events *es = arg;

	assert_true(es->n < MAX_ROWS);
	es->ev[es->n++] = *ev;
	return es->stop_after != 0 && es->n >= es->stop_after;
}

static struct events
events_since(struct store *st, int64_t since)
{
	struct events es = { 0 };

	assert_int_equal(store_event_foreach(st, since, events_collect, &es),
	    0);
	return es;
}

static void
test_open_creates_schema(void **state)
{
	struct store_fx *fx = *state;
	struct store *st;
	char v[256];

	st = store_fx_open(fx, STORE_SYNC_FULL);
	store_close(st);
	raw_query(fx->db, "PRAGMA user_version", v, sizeof(v));
	assert_string_equal(v, "9");
	raw_query(fx->db, "PRAGMA journal_mode", v, sizeof(v));
	assert_string_equal(v, "wal");
	raw_query(fx->db, "SELECT group_concat(name, ',') FROM (SELECT name "
	    "FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name)",
	    v, sizeof(v));
	assert_string_equal(v, "cmd_done,credentials,events,events_credential,"
	    "events_ts_ms,gate_meta,holidays,outbox,outbox_added,outbox_meta,"
	    "outbox_removed,outbox_seq,schedule_groups,schedules,token_steps");

	/* A second open finds the schema and leaves it alone. */
	st = store_open(fx->db, STORE_SYNC_NORMAL, false);
	assert_non_null(st);
	store_fx_assert_sound(fx);
	store_close(st);
	raw_query(fx->db, "PRAGMA user_version", v, sizeof(v));
	assert_string_equal(v, "9");
}

static void
test_open_refuses_newer_schema(void **state)
{
	struct store_fx *fx = *state;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 10", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_null(store_open(fx->db, STORE_SYNC_FULL, false));
	assert_null(store_open(fx->db, STORE_SYNC_FULL, true));
}

static void
test_open_not_a_database(void **state)
{
	struct store_fx *fx = *state;

	fx_write(fx, "gate.db", "this is not an SQLite database, not at all\n");
	assert_null(store_open(fx->db, STORE_SYNC_FULL, false));
	assert_null(store_open(fx->db, STORE_SYNC_FULL, true));
}

static void
test_credential_put_find_delete(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential a = cred_make("emp-2", CRED_CCCD, "001099012345");
	struct credential b = cred_make("emp-1", CRED_BADGE, "B-0001");
	struct credential out;
	struct creds cs;

	a.valid_from_ms = 1000;
	a.valid_until_ms = 2000;
	a.status = CRED_SUSPENDED;
	snprintf(a.lanes, sizeof(a.lanes), "A:entry,B");
	assert_int_equal(store_credential_put(st, &a), 0);
	assert_int_equal(store_credential_put(st, &b), 0);

	assert_int_equal(store_credential_find(st, CRED_CCCD, "001099012345",
	    &out), 1);
	cred_assert_equal(&out, &a);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "B-0001", &out),
	    1);
	assert_string_equal(out.id, "emp-1");
	/* The kind is part of the key. */
	assert_int_equal(store_credential_find(st, CRED_BADGE, "001099012345",
	    &out), 0);
	assert_int_equal(store_credential_find(st, CRED_NONE, "B-0001", &out),
	    0);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "B-000", &out),
	    0);

	/* foreach goes in id order. */
	cs = creds_all(st);
	assert_int_equal(cs.n, 2);
	assert_string_equal(cs.c[0].id, "emp-1");
	assert_string_equal(cs.c[1].id, "emp-2");

	/* Putting an existing id replaces that credential. */
	snprintf(b.subject, sizeof(b.subject), "B-0002");
	b.status = CRED_REVOKED;
	assert_int_equal(store_credential_put(st, &b), 0);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "B-0001", &out),
	    0);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "B-0002", &out),
	    1);
	assert_int_equal(out.status, CRED_REVOKED);
	assert_int_equal(creds_all(st).n, 2);

	assert_int_equal(store_credential_delete(st, "emp-1"), 1);
	assert_int_equal(store_credential_delete(st, "emp-1"), 0);
	assert_int_equal(store_credential_delete(st, "nobody"), 0);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "B-0002", &out),
	    0);
	cs = creds_all(st);
	assert_int_equal(cs.n, 1);
	assert_string_equal(cs.c[0].id, "emp-2");
	store_close(st);
}

static void
test_credential_unique_subject(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential a = cred_make("a", CRED_BADGE, "SAME");
	struct credential b = cred_make("b", CRED_BADGE, "SAME");
	struct credential c = cred_make("c", CRED_CCCD, "123456789012");
	struct credential d = cred_make("d", CRED_BADGE, "123456789012");
	struct credential out;
	struct creds cs;

	assert_int_equal(store_credential_put(st, &a), 0);
	/* Another id for the same card fails, and does not evict "a". */
	assert_int_equal(store_credential_put(st, &b), -1);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "SAME", &out),
	    1);
	assert_string_equal(out.id, "a");
	cs = creds_all(st);
	assert_int_equal(cs.n, 1);
	/* The same subject under another kind is another card. */
	assert_int_equal(store_credential_put(st, &c), 0);
	assert_int_equal(store_credential_put(st, &d), 0);
	assert_int_equal(creds_all(st).n, 3);
	store_close(st);
}

static void
test_credential_validation(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential c;
	char err[256];

	c = cred_make("x", CRED_CCCD, "00109901234");	/* 11 digits */
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "12 digits"));
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_CCCD, "00109901234a");
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_BADGE, "");
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("", CRED_BADGE, "B1");
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_NONE, "B1");
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_BADGE, "B1");
	c.status = CRED_STATUS_COUNT;
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_BADGE, "B1");
	c.valid_from_ms = 2000;
	c.valid_until_ms = 2000;
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_BADGE, "B1");
	snprintf(c.name, sizeof(c.name), "bad \xc3\x28 utf-8");
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_BADGE, "B1");
	snprintf(c.subject, sizeof(c.subject), "B\x01");
	assert_int_equal(store_credential_put(st, &c), -1);
	c = cred_make("x", CRED_BADGE, "B1");
	memset(c.id, 'i', sizeof(c.id));		/* unterminated */
	assert_int_equal(store_credential_put(st, &c), -1);
	for (int i = 0; i < 5; i++) {
		static const char *const bad_lanes[] = {
			"A:sideways", ",", "A,,B", "A, B", ":entry",
		};

		c = cred_make("x", CRED_BADGE, "B1");
		snprintf(c.lanes, sizeof(c.lanes), "%s", bad_lanes[i]);
		if (store_credential_put(st, &c) != -1)
			fail_msg("accepted lanes '%s'", bad_lanes[i]);
	}
	assert_int_equal(creds_all(st).n, 0);

	/* The edges that are fine. */
	c = cred_make("x", CRED_BADGE, "B1");
	c.lanes[0] = '\0';				/* nowhere */
	assert_int_equal(store_credential_put(st, &c), 0);
	c = cred_make("y", CRED_BADGE, "B2");
	snprintf(c.lanes, sizeof(c.lanes), "*:entry,B:exit,C");
	snprintf(c.name, sizeof(c.name), "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	assert_int_equal(store_credential_put(st, &c), 0);
	assert_int_equal(creds_all(st).n, 2);
	store_close(st);
}

static int
is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	return strspn(s, "0123456789abcdef") == n;
}

static void
test_event_append(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct event ev[3];
	struct events es;

	for (int i = 0; i < 3; i++) {
		ev[i] = event_make(1000 + i, "123456789012");
		ev[i].seq = -7;
		assert_int_equal(store_event_append(st, &ev[i]), 0);
		assert_true(is_lower_hex(ev[i].event_id, 32));
		if (i > 0) {
			assert_true(ev[i].seq > ev[i - 1].seq);
			assert_string_not_equal(ev[i].event_id,
			    ev[i - 1].event_id);
		} else
			assert_true(ev[i].seq > 0);
	}
	es = events_since(st, 0);
	assert_int_equal(es.n, 3);
	for (int i = 0; i < 3; i++)
		event_assert_equal(&es.ev[i], &ev[i]);

	/* An out-of-range field is refused rather than stored as "?". */
	ev[0] = event_make(5000, "x");
	ev[0].reason = REASON_COUNT;
	assert_int_equal(store_event_append(st, &ev[0]), -1);
	assert_int_equal(events_since(st, 0).n, 3);
	store_close(st);
}

static void
test_event_set_passage(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct event a = event_make(1000, "s1"), b = event_make(1001, "s2");
	struct events es;

	a.passage = b.passage = PASSAGE_PENDING;
	assert_int_equal(store_event_append(st, &a), 0);
	assert_int_equal(store_event_append(st, &b), 0);
	assert_int_equal(store_event_set_passage(st, a.seq, PASSAGE_PASSED), 0);
	es = events_since(st, 0);
	assert_int_equal(es.ev[0].passage, PASSAGE_PASSED);
	assert_int_equal(es.ev[1].passage, PASSAGE_PENDING);
	/* Only passage changes. */
	a.passage = PASSAGE_PASSED;
	event_assert_equal(&es.ev[0], &a);

	assert_int_equal(store_event_set_passage(st, b.seq + 100,
	    PASSAGE_PASSED), -1);
	assert_int_equal(store_event_set_passage(st, b.seq, PASSAGE_COUNT), -1);
	assert_int_equal(events_since(st, 0).ev[1].passage, PASSAGE_PENDING);
	store_close(st);
}

static void
test_event_foreach_since(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	/* Appended out of time order: the log's order is seq, not ts. */
	static const int64_t ts[] = { 3000, 1000, 2000, 4000 };
	struct event ev;
	struct events es;

	for (int i = 0; i < 4; i++) {
		ev = event_make(ts[i], "s");
		assert_int_equal(store_event_append(st, &ev), 0);
	}
	es = events_since(st, 2000);
	assert_int_equal(es.n, 3);
	assert_int_equal(es.ev[0].ts_ms, 3000);
	assert_int_equal(es.ev[1].ts_ms, 2000);
	assert_int_equal(es.ev[2].ts_ms, 4000);
	assert_true(es.ev[0].seq < es.ev[1].seq && es.ev[1].seq < es.ev[2].seq);
	assert_int_equal(events_since(st, 4001).n, 0);
	assert_int_equal(events_since(st, INT64_MIN).n, 4);

	/* A callback returning non-zero stops the walk. */
	memset(&es, 0, sizeof(es));
	es.stop_after = 2;
	assert_int_equal(store_event_foreach(st, 0, events_collect, &es), 0);
	assert_int_equal(es.n, 2);
	store_close(st);
}

/* gate_meta: one integer per key, kept across a reopen. */
static void
test_meta_roundtrip(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	int64_t v = -1;

	assert_int_equal(store_meta_get(st, "time_floor_ms", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(store_meta_set(st, "time_floor_ms", 1000), 0);
	assert_int_equal(store_meta_set(st, "time_floor_ms", 1796601600000LL),
	    0);
	assert_int_equal(store_meta_set(st, "other", 7), 0);
	store_close(st);
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(store_meta_get(st, "time_floor_ms", &v), 1);
	assert_int_equal(v, 1796601600000LL);
	assert_int_equal(store_meta_get(st, "other", &v), 1);
	assert_int_equal(v, 7);
	store_close(st);
}

static void
test_event_purge_keeps_seq_growing(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct event ev;
	int64_t max_seq = 0;

	for (int i = 0; i < 5; i++) {
		ev = event_make(1000 * (i + 1), "s");
		assert_int_equal(store_event_append(st, &ev), 0);
		max_seq = ev.seq;
	}
	assert_int_equal(store_event_purge(st, 3000), 2);
	assert_int_equal(events_since(st, 0).n, 3);
	assert_int_equal(events_since(st, 0).ev[0].ts_ms, 3000);
	assert_int_equal(store_event_purge(st, 3000), 0);
	/* Empty the table: the next seq must still be above every old one. */
	assert_int_equal(store_event_purge(st, INT64_MAX), 3);
	assert_int_equal(events_since(st, INT64_MIN).n, 0);
	store_close(st);

	st = store_fx_open(fx, STORE_SYNC_FULL);
	ev = event_make(9000, "s");
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_true(ev.seq > max_seq);
	store_close(st);
}

static void
test_hostile_text(void **state)
{
	static const char drop[] = "'; DROP TABLE events; --";
	static const char quotes[] = "O'Brien \"the\" `tick` \\ %s %n";
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential c = cred_make(drop, CRED_BADGE, quotes), out;
	struct event ev = event_make(1000, drop);
	struct events es;
	char v[64];

	snprintf(c.name, sizeof(c.name), "%s", drop);
	snprintf(c.lanes, sizeof(c.lanes), "'x',\"y\":exit");
	assert_int_equal(store_credential_put(st, &c), 0);
	assert_int_equal(store_credential_find(st, CRED_BADGE, quotes, &out),
	    1);
	cred_assert_equal(&out, &c);

	snprintf(ev.gate, sizeof(ev.gate), "%s", quotes);
	snprintf(ev.credential_id, sizeof(ev.credential_id), "%s", drop);
	assert_int_equal(store_event_append(st, &ev), 0);
	es = events_since(st, 0);
	assert_int_equal(es.n, 1);
	assert_string_equal(es.ev[0].subject, drop);
	assert_string_equal(es.ev[0].gate, quotes);
	event_assert_equal(&es.ev[0], &ev);
	assert_int_equal(store_credential_delete(st, drop), 1);
	store_close(st);

	raw_query(fx->db, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'table' AND name IN ('events', 'credentials')", v, sizeof(v));
	assert_string_equal(v, "2");
	raw_query(fx->db, "SELECT subject FROM events", v, sizeof(v));
	assert_string_equal(v, drop);
}

static void
test_long_text_is_cut_safely(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct event ev = event_make(1000, "s");
	struct events es;
	sqlite3 *h;

	assert_int_equal(store_event_append(st, &ev), 0);
	/* Another writer stores text longer than the struct's fields, with a
	 * two-byte character straddling the cut. */
	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE events SET gate = "
	    "'gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "\xc3\xa9zzzz', lane = printf('%.500c', 'L')", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	es = events_since(st, 0);
	assert_int_equal(es.n, 1);
	/* 62 g's fit; the 'é' would need bytes 63 and 64 of a 64-byte
	 * field, so it goes whole. */
	assert_int_equal(strlen(es.ev[0].gate), 62);
	assert_int_equal(strlen(es.ev[0].lane), sizeof(ev.lane) - 1);
	store_close(st);
}

static void
test_read_only(void **state)
{
	struct store_fx *fx = *state;
	struct store *rw, *ro;
	struct event ev = event_make(1000, "s");
	struct credential c = cred_make("a", CRED_BADGE, "B1");
	struct stat sb;

	/* A missing database is an error, and is not created. */
	assert_null(store_open(fx->db, STORE_SYNC_FULL, true));
	assert_int_equal(stat(fx->db, &sb), -1);

	/* While the daemon holds the database open, the CLI reads it. */
	rw = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(store_event_append(rw, &ev), 0);
	assert_int_equal(store_credential_put(rw, &c), 0);
	ro = store_open(fx->db, STORE_SYNC_FULL, true);
	assert_non_null(ro);
	assert_int_equal(events_since(ro, 0).n, 1);
	assert_int_equal(store_event_append(rw, &ev), 0);
	assert_int_equal(events_since(ro, 0).n, 2);
	/* ... and cannot write. */
	assert_int_equal(store_event_append(ro, &ev), -1);
	assert_int_equal(store_credential_put(ro, &c), -1);
	assert_int_equal(store_event_purge(ro, INT64_MAX), -1);
	store_close(ro);
	store_close(rw);

	/* Alone, after the daemon has gone. */
	ro = store_open(fx->db, STORE_SYNC_FULL, true);
	assert_non_null(ro);
	assert_int_equal(events_since(ro, 0).n, 2);
	assert_int_equal(creds_all(ro).n, 1);
	store_fx_assert_sound(fx);
	store_close(ro);
}

static void
test_read_only_needs_schema(void **state)
{
	struct store_fx *fx = *state;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE other (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_null(store_open(fx->db, STORE_SYNC_FULL, true));
}

static void
test_import_good(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential c;
	struct creds cs;
	char err[512];

	/* People write these lists: a time without its zone is the site's. */
	assert_int_equal(sitetime_zone_use("Asia/Ho_Chi_Minh", err,
	    sizeof(err)), 0);
	fx_write(fx, "good.csv",
	    "\xef\xbb\xbf id , kind,subject,\tname,valid_from,valid_until,"
	    "status, lanes \n"
	    "e1,badge,B-1,\"Smith, John\",,,active,*\r\n"
	    "e2,cccd,001099012345,\"Nguy\xe1\xbb\x85n V\xc4\x83n \"\"An\"\"\","
	    "2024-01-01,2025-01-01T00:00:00Z,active,\"A:entry,B\"\n"
	    "\n"
	    "e3,badge,B-3,\"Two\nlines\",1709164800000,,suspended,\n"
	    "e4,badge,\"B,4\",,,,revoked,A:exit");
	assert_int_equal(fx_import(st, fx, err, sizeof(err)), 4);
	assert_string_equal(err, "");

	cs = creds_all(st);
	assert_int_equal(cs.n, 4);
	assert_string_equal(cs.c[0].name, "Smith, John");
	assert_string_equal(cs.c[0].lanes, "*");
	assert_int_equal(cs.c[0].valid_from_ms, 0);
	assert_int_equal(cs.c[0].valid_until_ms, 0);
	assert_int_equal(cs.c[1].kind, CRED_CCCD);
	assert_string_equal(cs.c[1].name,
	    "Nguy\xe1\xbb\x85n V\xc4\x83n \"An\"");
	/* 2024-01-01 at +07 is 2023-12-31T17:00:00Z. */
	assert_int_equal(cs.c[1].valid_from_ms, INT64_C(1704042000000));
	assert_int_equal(cs.c[1].valid_until_ms, INT64_C(1735689600000));
	assert_string_equal(cs.c[1].lanes, "A:entry,B");
	assert_string_equal(cs.c[2].name, "Two\nlines");
	assert_int_equal(cs.c[2].status, CRED_SUSPENDED);
	assert_int_equal(cs.c[2].valid_from_ms, INT64_C(1709164800000));
	assert_string_equal(cs.c[2].lanes, "");
	assert_int_equal(store_credential_find(st, CRED_BADGE, "B,4", &c), 1);
	assert_int_equal(c.status, CRED_REVOKED);

	/* Importing again replaces by id: still four. */
	assert_int_equal(fx_import(st, fx, err, sizeof(err)), 4);
	assert_int_equal(creds_all(st).n, 4);

	/* A header alone imports nothing, successfully. */
	fx_write(fx, "empty.csv",
	    "id,kind,subject,name,valid_from,valid_until,status,lanes\n");
	assert_int_equal(fx_import(st, fx, err, sizeof(err)), 0);
	assert_int_equal(creds_all(st).n, 4);
	store_close(st);
}

/* Imports text that must fail, checks the message and that nothing changed. */
static void
import_bad(struct store_fx *fx, const char *text, int line, const char *what)
{
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential old = cred_make("old", CRED_BADGE, "OLD-1");
	char err[512], want[PATH_MAX + 32];
	struct creds cs;

	assert_int_equal(store_credential_put(st, &old), 0);
	fx_write(fx, "bad.csv", text);
	assert_int_equal(fx_import(st, fx, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%d: ", fx->file, line);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, what) == NULL)
		fail_msg("error '%s', expected '%s...%s'", err, want, what);
	cs = creds_all(st);
	assert_int_equal(cs.n, 1);
	cred_assert_equal(&cs.c[0], &old);
	store_close(st);
}

#define HEADER "id,kind,subject,name,valid_from,valid_until,status,lanes\n"

static void
test_import_bad_kind_line4(void **state)
{
	/* Line 4, counted physically: the quoted name spans lines 2-3. */
	import_bad(*state, HEADER
	    "e1,badge,B-1,\"first\nsecond\",,,active,*\n"
	    "e2,passport,P-1,x,,,active,*\n"
	    "e3,badge,B-3,x,,,active,*\n", 4, "kind 'passport'");
}

static void
test_import_bad_header(void **state)
{
	import_bad(*state, "id,kind,subject,name,valid_from,valid_until,"
	    "status\ne1,badge,B-1,x,,,active\n", 1, "first line");
	import_bad(*state, "", 1, "first line");
	import_bad(*state, "ID,kind,subject,name,valid_from,valid_until,"
	    "status,lanes\n", 1, "first line");
}

static void
test_import_bad_date(void **state)
{
	char err[200];

	import_bad(*state, HEADER
	    "e1,badge,B-1,x,2023-02-29,,active,*\n", 2, "valid_from");
	import_bad(*state, HEADER
	    "e1,badge,B-1,x,,2025-01-01T00:00:00+15:00,active,*\n", 2,
	    "valid_until: bad time");
	/* A local time the site's clocks skip says so. */
	assert_int_equal(sitetime_zone_use("Europe/Berlin", err, sizeof(err)),
	    0);
	import_bad(*state, HEADER
	    "e1,badge,B-1,x,2026-03-29 02:30:00,,active,*\n", 2,
	    "valid_from: '2026-03-29 02:30:00' does not exist in "
	    "Europe/Berlin");
	import_bad(*state, HEADER
	    "e1,badge,B-1,x,2025-01-01,2024-01-01,active,*\n", 2,
	    "not after");
}

static void
test_import_bad_cccd(void **state)
{
	import_bad(*state, HEADER
	    "e1,cccd,001099012345,x,,,active,*\n"
	    "e2,cccd,00109901234,x,,,active,*\n", 3, "12 digits");
}

static void
test_import_bad_rows(void **state)
{
	char text[1024], id63[64];

	import_bad(*state, HEADER "e1,badge,,x,,,active,*\n", 2, "subject");
	import_bad(*state, HEADER ",badge,B-1,x,,,active,*\n", 2, "id");
	import_bad(*state, HEADER "e1,badge,B-1,x,,,gone,*\n", 2, "status");
	import_bad(*state, HEADER "e1,badge,B-1,x,,,active\n", 2, "8 fields");
	import_bad(*state, HEADER "e1,badge,B-1,x,,,active,*,9\n", 2,
	    "expected 8 fields, found 9");
	import_bad(*state, HEADER "e1,badge,B-1,x,,,active,*,a,b,c,d,e,f,g,h,"
	    "i\n", 2, "more than 16");
	import_bad(*state, HEADER "e1,badge,B-1,\"open,,,active,*\n", 2,
	    "not closed");
	import_bad(*state, HEADER "e1,badge,B-1,\"x\"y,,,active,*\n", 2,
	    "closing quote");
	import_bad(*state, HEADER "e1,badge,B\"1,x,,,active,*\n", 2, "quote");
	import_bad(*state, HEADER "e1,badge,B-1,x,,,active,A:up\n", 2,
	    "lanes");
	import_bad(*state, HEADER "e1,badge,B-1,\xff,,,active,*\n", 2, "name");
	/* Two ids for one card. */
	import_bad(*state, HEADER "e1,badge,B-1,x,,,active,*\n"
	    "e2,badge,B-1,y,,,active,*\n", 3,
	    "already belongs to credential e1");
	/* The card of a credential already stored. */
	import_bad(*state, HEADER "e1,badge,OLD-1,x,,,active,*\n", 2,
	    "already belongs to credential old");

	/* An id of 63 bytes fits; 64 does not. */
	memset(id63, 'i', 63);
	id63[63] = '\0';
	snprintf(text, sizeof(text), HEADER "%s,badge,B-1,x,,,active,*\n"
	    "%sj,badge,B-2,x,,,active,*\n", id63, id63);
	import_bad(*state, text, 3, "id longer than 63");
	/* A name far over every buffer. */
	memset(text, 0, sizeof(text));
	snprintf(text, sizeof(text), HEADER "e1,badge,B-1,");
	memset(text + strlen(text), 'n', 600);
	strcat(text, ",,,active,*\n");
	import_bad(*state, text, 2, "name longer than 127");
}

/*
 * Issue 12, row 5: an id is published with every event, where the
 * subject is masked; an id that holds a citizen number is refused with
 * its file and line, and nothing of the file is imported.
 */
static void
test_import_citizen_number_ids(void **state)
{
	struct store_fx *fx = *state;
	struct credential c = cred_make("V-1", CRED_CCCD, "079190001234");
	struct store *st;
	char err[256];

	/* As the demo and the README had it. */
	import_bad(*state, HEADER "W-1,badge,W-1,x,,,active,*\n"
	    "C-079190001234,cccd,079190001234,x,,,active,*\n", 3,
	    "12 digits");
	/* Its digits apart, or another number, or on another kind. */
	import_bad(*state, HEADER
	    "C-0791.9000.1234,cccd,079190001234,x,,,active,*\n", 2,
	    "citizen number");
	import_bad(*state, HEADER
	    "X001201009876,cccd,079190001234,x,,,active,*\n", 2, "12 digits");
	import_bad(*state, HEADER "B-001201009876-2,badge,B-1,x,,,active,*\n",
	    2, "12 digits");

	/* Eleven digits are no citizen number; the card's own id is free. */
	assert_int_equal(credential_validate(&c, err, sizeof(err)), 0);
	snprintf(c.id, sizeof(c.id), "E-07919000123");
	assert_int_equal(credential_validate(&c, err, sizeof(err)), 0);
	snprintf(c.id, sizeof(c.id), "E-079190001234");
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(store_credential_put(st, &c), -1);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, store_fx_setup, \
    store_fx_teardown)
		T(test_open_creates_schema),
		T(test_open_refuses_newer_schema),
		T(test_open_not_a_database),
		T(test_credential_put_find_delete),
		T(test_credential_unique_subject),
		T(test_credential_validation),
		T(test_event_append),
		T(test_event_set_passage),
		T(test_event_foreach_since),
		T(test_event_purge_keeps_seq_growing),
		T(test_meta_roundtrip),
		T(test_hostile_text),
		T(test_long_text_is_cut_safely),
		T(test_read_only),
		T(test_read_only_needs_schema),
		T(test_import_good),
		T(test_import_bad_kind_line4),
		T(test_import_bad_header),
		T(test_import_bad_date),
		T(test_import_bad_cccd),
		T(test_import_bad_rows),
		T(test_import_citizen_number_ids),
#undef T
	};

	/* Expected failures would otherwise fill the output with warnings. */
	log_init("test_store", LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
