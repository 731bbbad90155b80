/*
 * Schema version 3: the migration from a version-2 database with rows in
 * it, the new credential columns (role, serial, pubkey) through put, find,
 * CSV and validation, the token steps kept with their grants, the
 * anti-passback lookup, and subject_full; on to the last version (events.source).
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

#include "keyfile.h"
#include "log.h"
#include "store.h"
#include "store_private.h"
#include "store_schema.h"
#include "store_sync.h"
#include "store_fixture.h"

/* The credentials CSV a test writes, beside the database. */
static FILE *
csv_open(const struct store_fx *fx, const char *mode)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%.63s/creds.csv", fx->dir);
	return fopen(path, mode);
}

/* Runs SQL through a connection of its own, as another program would. */
static void
raw_exec(const char *db, const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

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

/* A version-2 database exactly as the previous release made it. */
static const char schema_v2[] =
	"CREATE TABLE credentials ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK(kind IN ('badge','cccd')),"
	"  subject TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  valid_from INTEGER NOT NULL DEFAULT 0,"
	"  valid_until INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL"
	"    CHECK(status IN ('active','suspended','revoked')),"
	"  lanes TEXT NOT NULL DEFAULT '*',"
	"  UNIQUE(kind, subject));"
	"CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  event_id TEXT NOT NULL UNIQUE, ts_ms INTEGER NOT NULL,"
	"  gate TEXT NOT NULL, lane TEXT NOT NULL, direction TEXT NOT NULL,"
	"  type TEXT NOT NULL, kind TEXT NOT NULL,"
	"  credential_id TEXT NOT NULL, subject TEXT NOT NULL,"
	"  result TEXT NOT NULL, reason TEXT NOT NULL, passage TEXT NOT NULL,"
	"  decode_us INTEGER NOT NULL, latency_us INTEGER NOT NULL,"
	"  payload_hash TEXT NOT NULL);"
	"CREATE INDEX events_ts_ms ON events(ts_ms);"
	"CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  seq INTEGER NOT NULL REFERENCES events(seq),"
	"  rev INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outbox_seq ON outbox(seq);"
	"CREATE TABLE outbox_meta (one INTEGER PRIMARY KEY CHECK(one = 1),"
	"  depth INTEGER NOT NULL, max INTEGER NOT NULL);"
	"INSERT INTO outbox_meta VALUES (1, 0, 0);"
	"CREATE TRIGGER outbox_added AFTER INSERT ON outbox BEGIN"
	"  UPDATE outbox_meta SET depth = depth + 1; END;"
	"CREATE TRIGGER outbox_removed AFTER DELETE ON outbox BEGIN"
	"  UPDATE outbox_meta SET depth = depth - 1; END;"
	"PRAGMA user_version = 2;";

static const char rows_v2[] =
	"INSERT INTO credentials VALUES ('W-1', 'badge', 'W-0001',"
	"  'Nguyễn Văn An', 0, 0, 'active', '*');"
	"INSERT INTO credentials VALUES ('C-1', 'cccd', '079190001234',"
	"  'Trần Thị Bình', 1000, 2000, 'suspended', '1:entry');"
	"INSERT INTO events VALUES (7, 'e7', 5000, 'g', '1', 'entry', 'scan',"
	"  'badge', 'W-1', '**0001', 'granted', 'granted', 'passed', 10, 20,"
	"  '0123456789abcdef');"
	"INSERT INTO events VALUES (6, 'e6', 4000, 'g', '1', 'exit', 'button',"
	"  'none', '', '', 'granted', 'exit-button', 'passed', -1, -1, '');"
	"INSERT INTO outbox (seq, rev) VALUES (7, 0);"
	"UPDATE outbox_meta SET max = 100;"
	/* A snapshot half staged when the gate was upgraded. */
	"CREATE TABLE sync_state (id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  cred_version INTEGER NOT NULL DEFAULT 0,"
	"  staging_version INTEGER NOT NULL DEFAULT 0,"
	"  staging_chunks INTEGER NOT NULL DEFAULT 0,"
	"  rejected_version INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO sync_state VALUES (1, 4, 5, 2, 0);"
	"CREATE TABLE sync_chunks (chunk INTEGER PRIMARY KEY,"
	"  rows INTEGER NOT NULL);"
	"INSERT INTO sync_chunks VALUES (0, 1);"
	"CREATE TABLE credentials_staging (id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK(kind IN ('badge','cccd')),"
	"  subject TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	"  valid_from INTEGER NOT NULL DEFAULT 0,"
	"  valid_until INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,"
	"  lanes TEXT NOT NULL DEFAULT '*', UNIQUE(kind, subject));";

static struct credential
cred_make(const char *id, enum cred_kind kind, const char *subject)
{
	struct credential c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.kind = kind;
	snprintf(c.subject, sizeof(c.subject), "%s", subject);
	c.status = CRED_ACTIVE;
	snprintf(c.lanes, sizeof(c.lanes), "*");
	if (kind == CRED_DYNAMIC) {
		c.has_pubkey = true;
		for (size_t i = 0; i < sizeof(c.pubkey); i++)
			c.pubkey[i] = (uint8_t)(i * 7 + 1);
	}
	return c;
}

static struct event
event_make(const char *cred, enum direction dir, enum result res,
    enum passage p)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = 1000;
	snprintf(ev.gate, sizeof(ev.gate), "g");
	snprintf(ev.lane, sizeof(ev.lane), "1");
	ev.direction = dir;
	ev.type = EV_SCAN;
	ev.kind = CRED_DYNAMIC;
	snprintf(ev.credential_id, sizeof(ev.credential_id), "%s", cred);
	ev.result = res;
	ev.reason = res == RES_GRANTED ? REASON_GRANTED : REASON_UNKNOWN;
	ev.passage = p;
	ev.decode_us = ev.latency_us = -1;
	return ev;
}

static void
test_migrates_version_2_keeping_rows(void **state)
{
	struct store_fx *fx = *state;
	struct credential c, dyn = cred_make("D-1", CRED_DYNAMIC, "W-0001");
	struct sync_state ss;
	struct event ev;
	struct store *st;

	raw_exec(fx->db, schema_v2);
	raw_exec(fx->db, rows_v2);
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(q_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_fx_assert_sound(fx);

	/* The credentials, as they were, staff without serial or key. */
	assert_int_equal(store_credential_find(st, CRED_BADGE, "W-0001", &c), 1);
	assert_string_equal(c.id, "W-1");
	assert_string_equal(c.name, "Nguyễn Văn An");
	assert_int_equal(c.role, ROLE_STAFF);
	assert_int_equal(c.serial, 0);
	assert_false(c.has_pubkey);
	assert_int_equal(store_credential_find(st, CRED_CCCD, "079190001234",
	    &c), 1);
	assert_int_equal(c.status, CRED_SUSPENDED);
	assert_int_equal(c.valid_from_ms, 1000);
	assert_int_equal(c.valid_until_ms, 2000);
	assert_string_equal(c.lanes, "1:entry");

	/* The log and its outbox, untouched; seq keeps growing. */
	assert_int_equal(store_event_get(st, 7, &ev), 1);
	assert_string_equal(ev.event_id, "e7");
	assert_string_equal(ev.subject, "**0001");
	assert_string_equal(ev.subject_full, "");
	/* Schema 7: a scan from before readers was the camera's; a row of
	 * no code has no source. */
	assert_string_equal(ev.source, "camera");
	assert_int_equal(store_event_get(st, 6, &ev), 1);
	assert_string_equal(ev.source, "");
	assert_int_equal(q_int(st, "SELECT depth FROM outbox_meta"), 1);
	ev = event_make("W-1", DIR_ENTRY, RES_GRANTED, PASSAGE_PASSED);
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_int_equal(ev.seq, 8);

	/* The new kinds fit the rebuilt CHECK; unknown ones still do not. */
	assert_int_equal(store_credential_put(st, &dyn), 0);
	assert_int_equal(store_credential_find(st, CRED_DYNAMIC, "W-0001", &c), 1);
	cred_assert_equal(&c, &dyn);
	assert_int_not_equal(sqlite3_exec(store_db(st), "INSERT INTO "
	    "credentials (id, kind, subject, status) VALUES ('x', 'bogus', "
	    "'x', 'active')", NULL, NULL, NULL), SQLITE_OK);

	/* The half-staged snapshot of the old shape is forgotten. */
	assert_int_equal(q_int(st, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'credentials_staging'"), 0);
	assert_int_equal(store_sync_init(st), 0);
	assert_int_equal(store_sync_state(st, &ss), 0);
	assert_int_equal(ss.cred_version, 4);
	assert_int_equal(ss.staging_version, 0);
	assert_int_equal(ss.staged, 0);
	store_close(st);
}

/* One integer through a connection of its own. */
static int64_t
raw_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int64_t v;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

static void
test_migration_failure_keeps_version_2(void **state)
{
	struct store_fx *fx = *state;
	struct credential c;
	struct store *st;

	/* A table already named like the migration's own: it fails whole. */
	raw_exec(fx->db, schema_v2);
	raw_exec(fx->db, rows_v2);
	raw_exec(fx->db, "CREATE TABLE token_steps (x);");
	assert_null(store_open(fx->db, STORE_SYNC_FULL, false));
	/* Nothing of it stayed: version 2, the old tables, every row. */
	assert_int_equal(raw_int(fx->db, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(fx->db, "SELECT count(*) FROM credentials"), 2);
	assert_int_equal(raw_int(fx->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name = 'credentials_staging'"), 1);
	assert_int_equal(raw_int(fx->db, "SELECT count(*) FROM pragma_table_info"
	    "('events') WHERE name = 'subject_full'"), 0);
	/* Once the obstacle is gone, the migration goes through. */
	raw_exec(fx->db, "DROP TABLE token_steps;");
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(q_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "W-0001", &c), 1);
	store_close(st);
}

static void
test_credential_policy_fields(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential c, s = cred_make("S-1", CRED_SIGNED, "W-0001");
	struct credential d = cred_make("D-1", CRED_DYNAMIC, "W-0001");
	char err[256];

	s.serial = UINT32_MAX;
	s.role = ROLE_VISITOR;
	assert_int_equal(store_credential_put(st, &s), 0);
	assert_int_equal(store_credential_put(st, &d), 0);
	assert_int_equal(store_credential_find(st, CRED_SIGNED, "W-0001", &c), 1);
	cred_assert_equal(&c, &s);
	assert_int_equal(store_credential_find(st, CRED_DYNAMIC, "W-0001", &c), 1);
	cred_assert_equal(&c, &d);
	/* A plain badge of the same id is another credential. */
	assert_int_equal(store_credential_find(st, CRED_BADGE, "W-0001", &c), 0);

	/* A dynamic credential cannot be checked without its key. */
	d.has_pubkey = false;
	assert_int_equal(credential_validate(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pubkey"));
	assert_int_equal(store_credential_put(st, &d), -1);
	/* A token id is printable ASCII without spaces, 32 bytes at most. */
	c = cred_make("S-2", CRED_SIGNED, "W 1");
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);
	c = cred_make("S-2", CRED_SIGNED, "Đ-1");
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);
	c = cred_make("S-2", CRED_SIGNED, "123456789012345678901234567890123");
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);
	c.subject[32] = '\0';
	assert_int_equal(credential_validate(&c, err, sizeof(err)), 0);
	c.role = ROLE_COUNT;
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "role"));
	c = cred_make("N-1", CRED_NONE, "x");
	assert_int_equal(credential_validate(&c, err, sizeof(err)), -1);

	/* A row edited by hand to hold no key is refused, not half read. */
	assert_int_equal(sqlite3_exec(store_db(st), "UPDATE credentials SET "
	    "pubkey = 'not a key' WHERE id = 'D-1'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(store_credential_find(st, CRED_DYNAMIC, "W-0001", &c),
	    -1);
	store_close(st);
}

static void
test_token_steps_kept_with_grant(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct event ev = event_make("D-1", DIR_ENTRY, RES_GRANTED,
	    PASSAGE_PENDING);
	int64_t step = 0;

	assert_int_equal(store_token_step_get(st, "D-1", &step), 0);
	assert_int_equal(store_event_append_step(st, &ev, 100), 0);
	assert_int_equal(store_token_step_get(st, "D-1", &step), 1);
	assert_int_equal(step, 100);
	/* A lower step never lowers the mark. */
	assert_int_equal(store_event_append_step(st, &ev, 90), 0);
	assert_int_equal(store_token_step_get(st, "D-1", &step), 1);
	assert_int_equal(step, 100);
	assert_int_equal(store_event_append_step(st, &ev, UINT32_MAX), 0);
	store_close(st);

	/* Across a restart. */
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(store_token_step_get(st, "D-1", &step), 1);
	assert_int_equal(step, UINT32_MAX);
	assert_int_equal(store_token_step_get(st, "D-2", &step), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 3);

	/* No step without its credential, and then no row either. */
	ev = event_make("", DIR_ENTRY, RES_GRANTED, PASSAGE_PENDING);
	assert_int_equal(store_event_append_step(st, &ev, 5), -1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 3);

	/* When the step cannot be written, the grant row is not either. */
	ev = event_make("D-3", DIR_ENTRY, RES_GRANTED, PASSAGE_PENDING);
	assert_int_equal(sqlite3_exec(store_db(st), "CREATE TRIGGER no_steps "
	    "BEFORE INSERT ON token_steps BEGIN SELECT RAISE(ABORT, 'full');"
	    " END;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_event_append_step(st, &ev, 7), -1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 3);
	assert_int_equal(store_token_step_get(st, "D-3", &step), 0);
	/* And the store goes on working. */
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM events"), 4);
	store_close(st);
}

static void
test_last_grant(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct store_grant g;
	struct event ev;

	assert_int_equal(store_event_last_grant(st, "W-1", &g), 0);
	ev = event_make("W-1", DIR_ENTRY, RES_GRANTED, PASSAGE_PASSED);
	ev.ts_ms = 5000;
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_int_equal(store_event_last_grant(st, "W-1", &g), 1);
	assert_int_equal(g.direction, DIR_ENTRY);
	assert_int_equal(g.ts_ms, 5000);
	assert_int_equal(g.seq, ev.seq);

	/* Not counted: a way released but not used, a denial, an alarm, an
	 * exit button, another credential. */
	ev = event_make("W-1", DIR_EXIT, RES_GRANTED, PASSAGE_NOT_PASSED);
	assert_int_equal(store_event_append(st, &ev), 0);
	ev = event_make("W-1", DIR_EXIT, RES_DENIED, PASSAGE_NONE);
	assert_int_equal(store_event_append(st, &ev), 0);
	ev = event_make("W-1", DIR_EXIT, RES_ALARM, PASSAGE_NONE);
	ev.type = EV_ALARM;
	ev.reason = REASON_ANTI_PASSBACK;
	assert_int_equal(store_event_append(st, &ev), 0);
	ev = event_make("W-1", DIR_EXIT, RES_GRANTED, PASSAGE_PASSED);
	ev.type = EV_BUTTON;
	assert_int_equal(store_event_append(st, &ev), 0);
	ev = event_make("W-2", DIR_EXIT, RES_GRANTED, PASSAGE_PASSED);
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_int_equal(store_event_last_grant(st, "W-1", &g), 1);
	assert_int_equal(g.direction, DIR_ENTRY);
	assert_int_equal(g.ts_ms, 5000);

	/* A pending or unsensed grant counts; the newest wins. */
	ev = event_make("W-1", DIR_EXIT, RES_GRANTED, PASSAGE_PENDING);
	ev.ts_ms = 6000;
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_int_equal(store_event_last_grant(st, "W-1", &g), 1);
	assert_int_equal(g.direction, DIR_EXIT);
	assert_int_equal(g.ts_ms, 6000);
	/* ... until its passage turns out not to have happened. */
	assert_int_equal(store_event_set_passage(st, ev.seq,
	    PASSAGE_NOT_PASSED), 0);
	assert_int_equal(store_event_last_grant(st, "W-1", &g), 1);
	assert_int_equal(g.direction, DIR_ENTRY);

	/* Hostile ids are only data. */
	assert_int_equal(store_event_last_grant(st, "' OR 1=1 --", &g), 0);
	store_close(st);
}

static void
test_subject_full(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct event ev = event_make("C-1", DIR_ENTRY, RES_DENIED,
	    PASSAGE_NONE), got;

	snprintf(ev.subject, sizeof(ev.subject), "********1234");
	snprintf(ev.subject_full, sizeof(ev.subject_full), "079190001234");
	assert_int_equal(store_event_append(st, &ev), 0);
	assert_int_equal(store_event_get(st, ev.seq, &got), 1);
	assert_string_equal(got.subject, "********1234");
	assert_string_equal(got.subject_full, "079190001234");
	store_close(st);
}

static int
csv_import(struct store *st, struct store_fx *fx, char *err, size_t errlen)
{
	FILE *f;
	int n;

	assert_non_null(f = csv_open(fx, "r"));
	n = store_credential_import_csv(st, f, "creds.csv", err, errlen);
	fclose(f);
	return n;
}

static void
csv_write(struct store_fx *fx, const char *text)
{
	FILE *f;

	assert_non_null(f = csv_open(fx, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

#define HEADER11 \
	"id,kind,subject,name,valid_from,valid_until,status,lanes,role,serial," \
	"pubkey\n"

static void
test_csv_round_trip(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	struct credential in[4] = {
		cred_make("A-1", CRED_BADGE, "W-0001"),
		cred_make("D-1", CRED_DYNAMIC, "W-0001"),
		cred_make("S-1", CRED_SIGNED, "W-0001"),
		cred_make("V-1", CRED_CCCD, "079190001234"),
	}, c;
	char err[512];
	FILE *f;

	in[0].valid_from_ms = 1700000000123LL;
	in[0].valid_until_ms = 1800000000000LL;
	snprintf(in[0].name, sizeof(in[0].name), "Lê \"An\", Văn");
	in[1].role = ROLE_VISITOR;
	in[2].serial = 4000000000u;
	snprintf(in[2].lanes, sizeof(in[2].lanes), "1:entry,2");
	/* A card's check hash goes with the list, as enroll-cccd made it. */
	memset(in[3].check_hash, 'e', 64);
	in[3].check_hash[64] = '\0';
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_credential_put(st, &in[i]), 0);
	assert_non_null(f = csv_open(fx, "w"));
	assert_int_equal(store_credential_export_csv(st, f), 0);
	assert_int_equal(fclose(f), 0);
	store_close(st);
	unlink(fx->db);

	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(csv_import(st, fx, err, sizeof(err)), 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(store_credential_find(st, in[i].kind,
		    in[i].subject, &c), 1);
		cred_assert_equal(&c, &in[i]);
	}
	store_close(st);
}

/* Each text must fail to import, with what in its message. */
static void
csv_bad(struct store_fx *fx, const char *text, const char *what)
{
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	char err[512];

	csv_write(fx, text);
	assert_int_equal(csv_import(st, fx, err, sizeof(err)), -1);
	if (strstr(err, what) == NULL)
		fail_msg("error '%s', expected '%s'", err, what);
	assert_int_equal(q_int(st, "SELECT count(*) FROM credentials"), 0);
	store_close(st);
}

static void
test_csv_policy_columns(void **state)
{
	struct store_fx *fx = *state;
	struct credential c;
	char pk[KEY_PK_TEXT], text[512], err[512];
	uint8_t key[32];
	struct store *st;

	memset(key, 0xab, sizeof(key));
	key_pk_to_text(key, pk);
	snprintf(text, sizeof(text), HEADER11
	    "D-1,dynamic,W-0001,An,,,active,*,visitor,,%s\n"
	    "S-1,signed,W-0001,Binh,,,active,*,,7,\n", pk);
	csv_write(fx, text);
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(csv_import(st, fx, err, sizeof(err)), 2);
	assert_int_equal(store_credential_find(st, CRED_DYNAMIC, "W-0001", &c), 1);
	assert_int_equal(c.role, ROLE_VISITOR);
	assert_true(c.has_pubkey);
	assert_memory_equal(c.pubkey, key, sizeof(key));
	assert_int_equal(store_credential_find(st, CRED_SIGNED, "W-0001", &c), 1);
	assert_int_equal(c.role, ROLE_STAFF);
	assert_int_equal(c.serial, 7);
	store_close(st);
	unlink(fx->db);

	csv_bad(fx, HEADER11 "D-1,dynamic,W-0001,An,,,active,*,,,\n", "pubkey");
	csv_bad(fx, HEADER11 "D-1,dynamic,W-0001,An,,,active,*,,,AAAA\n",
	    "pubkey is not");
	csv_bad(fx, HEADER11 "S-1,signed,W-0001,An,,,active,*,boss,,\n", "role");
	csv_bad(fx, HEADER11 "S-1,signed,W-0001,An,,,active,*,,4294967296,\n",
	    "serial");
	csv_bad(fx, HEADER11 "S-1,signed,W-0001,An,,,active,*,,-1,\n", "serial");
	csv_bad(fx, HEADER11 "S-1,signed,W-0001,An,,,active,*,,1x,\n", "serial");
	csv_bad(fx, HEADER11 "S-1,signed,W-0001,An,,,active,*\n",
	    "expected 11 fields");
	csv_bad(fx, HEADER11 "S-1,qr,W-0001,An,,,active,*,,,\n", "kind");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, store_fx_setup, \
    store_fx_teardown)
		T(test_migrates_version_2_keeping_rows),
		T(test_migration_failure_keeps_version_2),
		T(test_credential_policy_fields),
		T(test_token_steps_kept_with_grant),
		T(test_last_grant),
		T(test_subject_full),
		T(test_csv_round_trip),
		T(test_csv_policy_columns),
#undef T
	};

	log_init("test_store_policy", LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
