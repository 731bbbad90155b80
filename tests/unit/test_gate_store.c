/*
 * The gate against its store, on a real gate and a real SQLite file: a
 * grant's row is committed before the relay moves (read back from a
 * second connection at the moment the relay is driven), a grant whose
 * commit fails (SQLITE_FULL, a read-only database) never moves it and
 * is logged store-error, an exit opens whatever the store says, the rows
 * the store refused are kept and written when it answers again, and a
 * database file deleted, moved or replaced under the gate raises the
 * "database" alarm.  A spy in front of the sim GPIO sees every relay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "clock.h"
#include "gate_private.h"

#include "gate_fixture.h"
#include "scan_fixture.h"
#include "store_private.h"

/*
 * The spy: each time a relay is energised, how many granted rows of that
 * way a second connection finds committed in the database at that very
 * moment.
 */
static struct gpio_ops spy_ops;
static const struct gpio_ops *real_gpio;
static const char *spy_db;
static int relay_on[DIR_COUNT];		/* times each relay was energised */
static int committed_at_relay[DIR_COUNT];	/* -1: could not read */

static int
committed_grants(const char *path, enum direction dir)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE"
	    " result = 'granted' AND direction = ?1", -1, &s, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(s, 1, direction_name(dir), -1,
		    SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return n;
}

static int
spy_set(void *priv, enum gpio_role role, int active)
{
	enum direction dir = role == GPIO_EXIT_RELAY ? DIR_EXIT : DIR_ENTRY;

	if (active && (role == GPIO_ENTRY_RELAY || role == GPIO_EXIT_RELAY)) {
		relay_on[dir]++;
		committed_at_relay[dir] = committed_grants(spy_db, dir);
	}
	return real_gpio->set(priv, role, active);
}

/* The last detail an alarm was raised or cleared with. */
static char alarm_detail[256];

static void
record_alarm(void *arg, const char *name, bool active, const char *detail)
{
	scan_fx_alarm(arg, name, active, detail);
	snprintf(alarm_detail, sizeof(alarm_detail), "%s", detail);
}

/* The stand-in decoder, the alarm recorder and the spy on the gate. */
static void
attach(struct gate_fx *fx)
{
	scan_fx_attach(fx);
	fx->gate.up.alarm = record_alarm;
	alarm_detail[0] = '\0';
	fx->gate.cfg.policy.badge = ACCEPT_YES;
	real_gpio = fx->gate.gpio;
	spy_ops = *real_gpio;
	spy_ops.set = spy_set;
	spy_db = fx->path[0];
	lane_gpio_set(&fx->gate.lane, &spy_ops, fx->gate.gpio_priv);
	memset(relay_on, 0, sizeof(relay_on));
	memset(committed_at_relay, 0, sizeof(committed_at_relay));
}

static int
setup(void **state)
{
	if (gate_fx_setup_exit(state) == -1)
		return -1;
	attach(*state);
	return 0;
}

static int
teardown(void **state)
{
	struct gate_fx *fx = *state;

	scan_fx_detach(fx);
	return gate_fx_teardown(state);
}

static void
input(struct gate_fx *fx, enum gpio_role role, int value)
{
	struct gpio_event ev = { .role = role, .value = value,
		.ts_ns = clock_mono_ns() };

	lane_input(&fx->gate.lane, &ev);
}

/* The badge W-0001, credential B-1. */
static void
badge_add(struct gate_fx *fx)
{
	struct credential c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "B-1");
	c.kind = CRED_BADGE;
	snprintf(c.subject, sizeof(c.subject), "W-0001");
	snprintf(c.name, sizeof(c.name), "An");
	c.status = CRED_ACTIVE;
	snprintf(c.lanes, sizeof(c.lanes), "*");
	assert_int_equal(store_credential_put(fx->gate.store, &c), 0);
}

static void
exec(struct gate_fx *fx, const char *sql)
{
	assert_int_equal(sqlite3_exec(store_db(fx->gate.store), sql, NULL,
	    NULL, NULL), SQLITE_OK);
}

/* One turn of the store's watch, as the loop's timer runs it. */
static void
tick(struct gate_fx *fx)
{
	gate_store_tick(&fx->loop, &fx->gate.store_tick);
}

/* The filler rows of the full database are not scans. */
#define SCANS "type = 'scan'"

#define ROW "type || ':' || direction || ':' || result || ':' || reason || " \
	"':' || passage"

/*
 * At the moment the entry relay is energised, a second connection finds
 * the grant's row committed.
 */
static void
test_grant_committed_before_relay(void **state)
{
	struct gate_fx *fx = *state;

	badge_add(fx);
	show(fx, "W-0001");
	assert_int_equal(relay_on[DIR_ENTRY], 1);
	assert_int_equal(committed_at_relay[DIR_ENTRY], 1);
	/* The same for an exit opened by its button. */
	input(fx, GPIO_EXIT_BUTTON, 1);
	assert_int_equal(relay_on[DIR_EXIT], 1);
	assert_int_equal(committed_at_relay[DIR_EXIT], 1);
	assert_string_equal(rows(fx, ROW), "scan:entry:granted:granted:pending "
	    "button:exit:granted:exit-button:pending");
}

/*
 * SQLITE_FULL: the database may not grow past the pages it has, and they
 * are filled with rows smaller than any scan's.  The grant is refused
 * store-error, the relay never moves, and the refusal is written once
 * the database may grow again.
 */
static void
test_grant_full_database_never_moves_relay(void **state)
{
	struct gate_fx *fx = *state;
	char sql[64];
	struct event ev;
	int i, pages = 0;
	sqlite3_stmt *s;

	badge_add(fx);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->gate.store),
	    "PRAGMA page_count", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	pages = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", pages);
	exec(fx, sql);
	for (i = 0; i < 10000; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.result = RES_ALARM;
		ev.reason = REASON_FORCED;
		ev.type = EV_ALARM;
		if (store_event_append(fx->gate.store, &ev) == -1)
			break;
	}
	assert_true(i < 10000);
	assert_string_equal(store_errmsg(fx->gate.store),
	    "database or disk is full");

	show(fx, "W-0001");
	assert_int_equal(relay_on[DIR_ENTRY], 0);
	assert_int_equal(fx->gate.n.grants, 0);
	assert_int_equal(fx->gate.n.denials, 1);
	assert_true(fx->gate.n.store_errors >= 1);
	assert_string_equal(alarms, "database:1");
	assert_int_equal(fx->gate.kept_n, 1);
	assert_string_equal(rows_where(fx, ROW, SCANS), "");
	/* Still full: the watch writes nothing and clears nothing. */
	tick(fx);
	assert_int_equal(fx->gate.kept_n, 1);
	assert_string_equal(alarms, "database:1");

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", pages + 100);
	exec(fx, sql);
	tick(fx);
	assert_int_equal(fx->gate.kept_n, 0);
	assert_string_equal(rows_where(fx, ROW, SCANS),
	    "scan:entry:denied:store-error:none");
	assert_string_equal(rows_where(fx, "credential_id || ' ' || subject",
	    SCANS), "B-1 **0001");
	assert_string_equal(alarms, "database:1 database:0");
	assert_int_equal(relay_on[DIR_ENTRY], 0);
}

/* A read-only database: the same, and an entry opened remotely is
 * refused too, while the exit, its button and the fire alarm open. */
static void
test_read_only_database(void **state)
{
	struct gate_fx *fx = *state;
	char err[128];

	badge_add(fx);
	exec(fx, "PRAGMA query_only = 1");
	show(fx, "W-0001");
	assert_int_equal(relay_on[DIR_ENTRY], 0);
	assert_int_equal(fx->gate.n.grants, 0);
	assert_string_equal(alarms, "database:1");

	/* Not an escape route: an entry without its row stays locked. */
	assert_int_equal(gate_remote_open(&fx->gate, DIR_ENTRY, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "log cannot be written"));
	assert_int_equal(relay_on[DIR_ENTRY], 0);
	/* An exit opens whatever the store says. */
	assert_int_equal(gate_remote_open(&fx->gate, DIR_EXIT, err,
	    sizeof(err)), 0);
	assert_int_equal(relay_on[DIR_EXIT], 1);
	assert_true(lane_way_busy(&fx->gate.lane, DIR_EXIT));
	/* Its passage is recorded on the kept row. */
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_false(lane_way_busy(&fx->gate.lane, DIR_EXIT));
	input(fx, GPIO_EXIT_BUTTON, 1);
	assert_int_equal(relay_on[DIR_EXIT], 2);
	input(fx, GPIO_FIRE_ALARM, 1);
	assert_int_equal(relay_on[DIR_ENTRY], 1);
	input(fx, GPIO_FIRE_ALARM, 0);
	assert_int_equal(fx->gate.kept_n, 6);
	assert_string_equal(rows(fx, ROW), "");

	exec(fx, "PRAGMA query_only = 0");
	tick(fx);
	assert_int_equal(fx->gate.kept_n, 0);
	assert_string_equal(rows(fx, ROW),
	    "scan:entry:denied:store-error:none "
	    "remote:entry:denied:store-error:none "
	    "remote:exit:granted:remote-open:passed "
	    "button:exit:granted:exit-button:unsensed "
	    "alarm:entry:alarm:fire-alarm-on:none "
	    "alarm:entry:alarm:fire-alarm-off:none");
	assert_string_equal(alarms, "database:1 database:0");
}

/*
 * A way released for a kept row that is written before its passage
 * ends: the passage goes to the written row.
 */
static void
test_passage_follows_kept_row(void **state)
{
	struct gate_fx *fx = *state;

	exec(fx, "PRAGMA query_only = 1");
	input(fx, GPIO_EXIT_BUTTON, 1);
	assert_int_equal(relay_on[DIR_EXIT], 1);
	assert_true(fx->gate.lane.way[DIR_EXIT].seq < 0);
	exec(fx, "PRAGMA query_only = 0");
	tick(fx);
	assert_int_equal(fx->gate.lane.way[DIR_EXIT].seq, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_string_equal(rows(fx, ROW),
	    "button:exit:granted:exit-button:passed");
	assert_int_equal(fx->gate.kept_n, 0);
}

/* Kept rows are bounded: past GATE_KEPT_MAX a row is only in the
 * journal, and the gate goes on. */
static void
test_kept_rows_bounded(void **state)
{
	struct gate_fx *fx = *state;
	struct event ev;

	exec(fx, "PRAGMA query_only = 1");
	for (int i = 0; i < GATE_KEPT_MAX + 5; i++) {
		gate_event_init(&fx->gate, &ev, EV_ALARM, DIR_ENTRY);
		ev.result = RES_ALARM;
		ev.reason = REASON_FORCED;
		assert_int_equal(gate_event_commit(&fx->gate, &ev), -1);
	}
	assert_int_equal(fx->gate.kept_n, GATE_KEPT_MAX);
	assert_int_equal(fx->gate.n.store_errors, GATE_KEPT_MAX + 5);
	exec(fx, "PRAGMA query_only = 0");
	tick(fx);
	assert_string_equal(rows(fx, "count(*)"), "64");
	assert_string_equal(alarms, "database:1 database:0");
}

static void
file_move(struct gate_fx *fx, const char *from_suffix, const char *to_suffix)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];

	snprintf(from, sizeof(from), "%s%s", fx->path[0], from_suffix);
	snprintf(to, sizeof(to), "%s%s", fx->path[0], to_suffix);
	assert_int_equal(rename(from, to), 0);
}

/*
 * The database moved away under the gate: noticed at the next watch,
 * "database" raised, the watchdog no longer fed, codes denied
 * store-error without moving the relay, the exit still opens.  Moved
 * back, the rows kept meanwhile are written and the alarm clears.
 */
static void
test_database_moved_away(void **state)
{
	struct gate_fx *fx = *state;
	char why[128];

	badge_add(fx);
	tick(fx);
	assert_true(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_string_equal(alarms, "");
	file_move(fx, "", ".moved");
	tick(fx);
	assert_string_equal(alarms, "database:1");
	assert_int_equal(fx->gate.n.store_errors, 1);
	assert_false(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_non_null(strstr(why, "deleted or moved"));
	/* Raised once, counted once, however long it lasts. */
	tick(fx);
	assert_string_equal(alarms, "database:1");
	assert_int_equal(fx->gate.n.store_errors, 1);

	show(fx, "W-0001");
	assert_int_equal(relay_on[DIR_ENTRY], 0);
	assert_int_equal(fx->gate.n.grants, 0);
	input(fx, GPIO_EXIT_BUTTON, 1);
	assert_int_equal(relay_on[DIR_EXIT], 1);
	assert_int_equal(fx->gate.kept_n, 2);

	file_move(fx, ".moved", "");
	tick(fx);
	assert_true(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_int_equal(fx->gate.kept_n, 0);
	assert_string_equal(rows(fx, ROW), "scan:entry:denied:store-error:none "
	    "button:exit:granted:exit-button:pending");
	assert_string_equal(alarms, "database:1 database:0");
}

/* Its -wal deleted, or the database replaced by another file: the same
 * alarm, and nothing more is written into the files that are gone. */
static void
test_wal_deleted_and_file_replaced(void **state)
{
	struct gate_fx *fx = *state;
	char wal[PATH_MAX + 8], why[128];
	FILE *f;

	badge_add(fx);
	snprintf(wal, sizeof(wal), "%s-wal", fx->path[0]);
	assert_int_equal(unlink(wal), 0);
	show(fx, "W-0001");
	assert_int_equal(relay_on[DIR_ENTRY], 0);
	assert_false(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_non_null(strstr(why, "-wal"));
	assert_string_equal(alarms, "database:1");

	/* Another file under the database's name. */
	file_move(fx, "", ".old");
	assert_non_null(f = fopen(fx->path[0], "w"));
	fclose(f);
	assert_false(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_non_null(strstr(why, "replaced"));
	tick(fx);
	assert_string_equal(alarms, "database:1");
	assert_true(fx->gate.n.store_errors >= 1);
}

/* The bytes of file path, whole (at most len - 1), NUL-terminated. */
static size_t
file_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/*
 * A database that is not one at start: the gate starts on an empty one,
 * the old file kept, unchanged, under PATH.unreadable-STAMP; "database"
 * raised and kept up (codes unknown, the exit opens) until a credential
 * list arrives.
 */
static void
test_unreadable_database_set_aside(void **state)
{
	static const char list[] = "{\"version\": 3, \"chunk\": 0, "
	    "\"chunks\": 1, \"credentials\": [{\"id\": \"B-1\", "
	    "\"kind\": \"badge\", \"subject\": \"W-0001\", "
	    "\"status\": \"active\"}]}";
	static const char garbage[] = "this is not a database, but it was one "
	    "before a bad sector; keep it, it may be recoverable\n";
	struct gate_fx *fx = *state;
	char buf[512], wal[PATH_MAX + 8];
	const char *name;
	json_t *res;
	FILE *f;

	badge_add(fx);
	scan_fx_detach(fx);	/* the stand-in decoder has no close */
	gate_fx_close(fx);
	snprintf(wal, sizeof(wal), "%s-wal", fx->path[0]);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", fx->path[0]);
	unlink(wal);
	assert_non_null(f = fopen(fx->path[0], "w"));
	assert_int_equal(fputs(garbage, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);

	gate_fx_open(fx);
	attach(fx);
	assert_int_equal(strncmp(fx->gate.store_aside, fx->path[0],
	    strlen(fx->path[0])), 0);
	name = fx->gate.store_aside + strlen(fx->path[0]);
	assert_int_equal(strncmp(name, ".unreadable-", 12), 0);
	assert_int_equal(strlen(name + 12), 16);	/* YYYYmmddTHHMMSSZ */
	assert_int_equal(name[12 + 8], 'T');
	assert_int_equal(name[12 + 15], 'Z');
	assert_int_equal(file_read(fx->gate.store_aside, buf, sizeof(buf)),
	    strlen(garbage));
	assert_string_equal(buf, garbage);

	/* Raised at the first tick, when the uplink is there to carry it. */
	assert_string_equal(alarms, "");
	tick(fx);
	assert_string_equal(alarms, "database:1");
	assert_non_null(strstr(alarm_detail, "unreadable at start"));
	assert_non_null(strstr(alarm_detail, strrchr(fx->gate.store_aside,
	    '/') + 1));

	/* No credentials: unknown, no entry; the exit opens. */
	show(fx, "W-0001");
	assert_int_equal(relay_on[DIR_ENTRY], 0);
	assert_string_equal(rows(fx, ROW), "scan:entry:denied:unknown:none");
	input(fx, GPIO_EXIT_BUTTON, 1);
	assert_int_equal(relay_on[DIR_EXIT], 1);
	assert_int_equal(fx->gate.kept_n, 0);

	/* Every row written, yet the alarm stays: the gate still knows no
	 * one.  A restart does not hide it. */
	tick(fx);
	tick(fx);
	assert_string_equal(alarms, "database:1");
	snprintf(buf, sizeof(buf), "%s", fx->gate.store_aside);
	scan_fx_detach(fx);
	gate_fx_close(fx);
	gate_fx_open(fx);
	attach(fx);
	assert_string_equal(fx->gate.store_aside, buf);
	tick(fx);
	assert_string_equal(alarms, "database:1");

	/* A credential list arrives: over. */
	res = inbound_credentials_set(&fx->gate, (const uint8_t *)list,
	    strlen(list));
	assert_non_null(res);
	assert_true(json_is_true(json_object_get(res, "ok")));
	json_decref(res);
	tick(fx);
	assert_string_equal(alarms, "database:1 database:0");
	assert_string_equal(fx->gate.store_aside, "");
	/* Over for good: not raised again at the next start. */
	scan_fx_detach(fx);
	gate_fx_close(fx);
	gate_fx_open(fx);
	attach(fx);
	tick(fx);
	assert_string_equal(alarms, "");
	assert_string_equal(fx->gate.store_aside, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_grant_committed_before_relay),
		T(test_grant_full_database_never_moves_relay),
		T(test_read_only_database),
		T(test_passage_follows_kept_row),
		T(test_kept_rows_bounded),
		T(test_database_moved_away),
		T(test_wal_deleted_and_file_replaced),
		T(test_unreadable_database_set_aside),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
