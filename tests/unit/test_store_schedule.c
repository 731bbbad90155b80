/*
 * Schedules in the store (store_schedule.c, schema 9): profiles checked
 * on the way in, groups, holidays, which schedule a credential has (its
 * own, its group's, one named but not held), a schema 8 database brought
 * up with its credentials kept, and the credential list's group and
 * schedule columns through the CSV, the MQTT row and the store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "inbound_creds_row.h"
#include "store_fixture.h"
#include "store_schedule.h"

static void
badge(struct credential *c, const char *id, const char *group,
    const char *schedule)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->subject, sizeof(c->subject), "%s", id);
	c->kind = CRED_BADGE;
	c->status = CRED_ACTIVE;
	snprintf(c->lanes, sizeof(c->lanes), "*");
	snprintf(c->group, sizeof(c->group), "%s", group);
	snprintf(c->schedule, sizeof(c->schedule), "%s", schedule);
}

static int
count_pair(const char *a, const char *b, void *arg)
{
	(void)a;
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static void
test_store_schedules(void **state)
{
	struct store *st = store_fx_open(*state, STORE_SYNC_FULL);
	struct sched_holidays h;
	struct schedule s;
	struct credential c;
	char err[256];
	int n = 0;

	assert_int_equal(store_schedule_put(st, "day", "mon-fri 07:00-16:00",
	    err, sizeof(err)), 0);
	/* A text that does not read is never stored. */
	assert_int_equal(store_schedule_put(st, "bad", "mon 07:00", err,
	    sizeof(err)), -1);
	assert_int_equal(store_schedule_put(st, "x'; DROP TABLE schedules;--",
	    "mon 07:00-08:00", err, sizeof(err)), -1);
	assert_int_equal(store_schedule_get(st, "bad", &s), 0);
	assert_int_equal(store_schedule_get(st, "day", &s), 1);
	assert_int_equal(s.nspans, 1);
	/* Replaced by name. */
	assert_int_equal(store_schedule_put(st, "day", "daily 06:00-18:00",
	    err, sizeof(err)), 0);
	assert_int_equal(store_schedule_get(st, "day", &s), 1);
	assert_int_equal(s.span[0].days, 0x7f);
	assert_int_equal(store_schedule_foreach(st, count_pair, &n), 0);
	assert_int_equal(n, 1);

	/* Own, group's, none, and one named but not held. */
	assert_int_equal(store_schedule_group_set(st, "Hàn", "day", err,
	    sizeof(err)), 0);
	badge(&c, "A", "", "day");
	assert_int_equal(store_credential_schedule(st, &c, &s), 1);
	badge(&c, "B", "Hàn", "");
	assert_int_equal(store_credential_schedule(st, &c, &s), 1);
	assert_string_equal(s.name, "day");
	badge(&c, "C", "Other", "");
	assert_int_equal(store_credential_schedule(st, &c, &s), 0);
	badge(&c, "D", "Hàn", "night");
	assert_int_equal(store_credential_schedule(st, &c, &s), 2);
	assert_string_equal(s.name, "night");
	assert_int_equal(store_schedule_group_set(st, "Hàn", "", err,
	    sizeof(err)), 0);
	badge(&c, "B", "Hàn", "");
	assert_int_equal(store_credential_schedule(st, &c, &s), 0);
	assert_int_equal(store_schedule_delete(st, "day"), 1);
	assert_int_equal(store_schedule_delete(st, "day"), 0);
	badge(&c, "A", "", "day");
	assert_int_equal(store_credential_schedule(st, &c, &s), 2);

	/* Holidays, checked as dates. */
	assert_int_equal(store_holiday_add(st, "2027-02-06", "Tết", err,
	    sizeof(err)), 0);
	assert_int_equal(store_holiday_add(st, "2027-02-05", "", err,
	    sizeof(err)), 0);
	assert_int_equal(store_holiday_add(st, "2027-02-30", "", err,
	    sizeof(err)), -1);
	assert_int_equal(store_holiday_add(st, "2027-02-07", "a\nb", err,
	    sizeof(err)), -1);
	assert_int_equal(store_holidays_load(st, &h), 0);
	assert_int_equal(h.n, 2);
	assert_true(h.day[0] < h.day[1]);
	assert_int_equal(store_holiday_delete(st, "2027-02-05"), 1);
	assert_int_equal(store_holiday_delete(st, "2027-02-05"), 0);
	store_close(st);
}

/* A schema 8 gate's credentials survive the move to 9, with no group or
 * schedule. */
static void
test_store_migrates_version_8(void **state)
{
	struct store_fx *fx = *state;
	struct credential c;
	struct store *st;
	sqlite3 *h;

	st = store_fx_open(fx, STORE_SYNC_FULL);
	badge(&c, "W-1", "", "");
	assert_int_equal(store_credential_put(st, &c), 0);
	store_close(st);
	/* Back to schema 8: its credentials table, as 7 -> 8 made it. */
	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN;"
	    "CREATE TABLE c8 AS SELECT id, kind, subject, name, valid_from,"
	    " valid_until, status, lanes, role, serial, pubkey, check_hash,"
	    " send_as, pin_hash FROM credentials;"
	    "DROP TABLE credentials; ALTER TABLE c8 RENAME TO credentials;"
	    "DROP TABLE schedules; DROP TABLE schedule_groups;"
	    "DROP TABLE holidays; PRAGMA user_version = 8; COMMIT;", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	st = store_fx_open(fx, STORE_SYNC_FULL);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "W-1", &c), 1);
	assert_string_equal(c.group, "");
	assert_string_equal(c.schedule, "");
	badge(&c, "W-2", "Hàn", "day");
	assert_int_equal(store_credential_put(st, &c), 0);
	assert_int_equal(store_credential_find(st, CRED_BADGE, "W-2", &c), 1);
	assert_string_equal(c.group, "Hàn");
	assert_string_equal(c.schedule, "day");
	store_close(st);
}

static int
csv_keep(const struct credential *c, int line, void *arg, char *msg,
    size_t msglen)
{
	(void)line;
	(void)msg;
	(void)msglen;
	*(struct credential *)arg = *c;
	return 0;
}

/* The CSV's columns 15 and 16, the MQTT row's members, and a bad
 * schedule name refused by both with its line. */
static void
test_credential_list_columns(void **state)
{
	static const char good[] = "id,kind,subject,name,valid_from,"
	    "valid_until,status,lanes,role,serial,pubkey,check_hash,send_as,"
	    "pin_hash,group,schedule\nW-1,badge,W-1,An,,,active,*,staff,0,,,,,"
	    "Hàn,day-shift\n";
	static const char bad[] = "id,kind,subject,name,valid_from,"
	    "valid_until,status,lanes,role,serial,pubkey,check_hash,send_as,"
	    "pin_hash,group,schedule\nW-1,badge,W-1,An,,,active,*,staff,0,,,,,"
	    "Hàn,day shift\n";
	struct credential c;
	json_t *o;
	char err[256];
	FILE *f;

	(void)state;
	f = fmemopen((void *)good, sizeof(good) - 1, "r");
	assert_int_equal(cred_csv_read(f, "l.csv", csv_keep, &c, err,
	    sizeof(err)), 1);
	fclose(f);
	assert_string_equal(c.group, "Hàn");
	assert_string_equal(c.schedule, "day-shift");
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(cred_csv_read(f, "l.csv", csv_keep, &c, err,
	    sizeof(err)), -1);
	fclose(f);
	assert_non_null(strstr(err, "l.csv:2: schedule is"));

	badge(&c, "W-1", "Hàn", "day-shift");
	assert_non_null(o = credential_json(&c));
	assert_string_equal(json_string_value(json_object_get(o, "schedule")),
	    "day-shift");
	memset(&c, 0, sizeof(c));
	assert_int_equal(inbound_cred_row(o, &c, err, sizeof(err)), 0);
	assert_string_equal(c.group, "Hàn");
	assert_string_equal(c.schedule, "day-shift");
	json_object_set_new(o, "schedule", json_string("../x"));
	assert_int_equal(inbound_cred_row(o, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schedule is"));
	json_decref(o);
	/* None: no member, so an older gate still takes the row. */
	badge(&c, "W-1", "", "");
	assert_non_null(o = credential_json(&c));
	assert_null(json_object_get(o, "schedule"));
	assert_null(json_object_get(o, "group"));
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_schedules,
		    store_fx_setup, store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_store_migrates_version_8,
		    store_fx_setup, store_fx_teardown),
		cmocka_unit_test(test_credential_list_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
