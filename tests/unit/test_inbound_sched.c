/*
 * Schedules over MQTT (inbound_sched.c), at the handler: a document is
 * taken whole or not at all, its version only goes up (a replay and a
 * rollback change nothing), and hostile documents (not JSON, unknown
 * members, wrong types, bad profiles, dates and names, bytes at random)
 * are refused with their problems, never half applied, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gate_fixture.h"
#include "store_schedule.h"

/* Sends doc; returns the result's "ok", keeping the result in *out if
 * out is not NULL. */
static bool
send(struct gate_fx *fx, const char *doc, json_t **out)
{
	json_t *res = inbound_schedules_set(&fx->gate, (const uint8_t *)doc,
	    strlen(doc));
	bool ok;

	assert_non_null(res);
	ok = json_is_true(json_object_get(res, "ok"));
	if (out != NULL)
		*out = res;
	else
		json_decref(res);
	return ok;
}

static int
count_cb(const char *a, const char *b, void *arg)
{
	(void)a;
	(void)b;
	(*(int *)arg)++;
	return 0;
}

/* "schedules groups holidays version" as counts, for before/after. */
static void
state(struct gate_fx *fx, char *buf, size_t len)
{
	int n[3] = { 0, 0, 0 };
	int64_t v = 0;

	assert_int_equal(store_schedule_foreach(fx->gate.store, count_cb,
	    &n[0]), 0);
	assert_int_equal(store_schedule_group_foreach(fx->gate.store, count_cb,
	    &n[1]), 0);
	assert_int_equal(store_holiday_foreach(fx->gate.store, count_cb,
	    &n[2]), 0);
	assert_true(store_meta_get(fx->gate.store, STORE_SCHEDULES_VERSION,
	    &v) >= 0);
	snprintf(buf, len, "%d %d %d %lld", n[0], n[1], n[2], (long long)v);
}

static void
test_sched_push_versions(void **state_)
{
	struct gate_fx *fx = *state_;
	char before[64], after[64];
	json_t *res;

	assert_true(send(fx, "{\"version\":5,\"schedules\":{\"day\":"
	    "\"mon-fri 07:00-16:00\",\"night\":\"daily 22:00-06:00\"},"
	    "\"groups\":{\"Hàn\":\"day\"},\"holidays\":{\"2027-02-06\":"
	    "\"Tết\"}}", NULL));
	state(fx, before, sizeof(before));
	assert_string_equal(before, "2 1 1 5");
	/* The same version, and an older one: refused, nothing changed. */
	assert_false(send(fx, "{\"version\":5,\"schedules\":{}}", &res));
	assert_string_equal(json_string_value(json_object_get(res, "ignored")),
	    "stale");
	assert_int_equal(json_integer_value(json_object_get(res, "current")),
	    5);
	json_decref(res);
	assert_false(send(fx, "{\"version\":4}", NULL));
	state(fx, after, sizeof(after));
	assert_string_equal(after, before);
	/* A newer one replaces all three, an empty member empties. */
	assert_true(send(fx, "{\"version\":6,\"schedules\":{\"day\":"
	    "\"daily 06:00-18:00\"}}", NULL));
	state(fx, after, sizeof(after));
	assert_string_equal(after, "1 0 0 6");
}

static void
test_sched_push_hostile(void **state_)
{
	static const char *const bad[] = {
		"", "[]", "nul", "{\"version\":0}", "{\"version\":\"9\"}",
		"{\"version\":9,\"schedule\":{}}",
		"{\"version\":9,\"schedules\":[]}",
		"{\"version\":9,\"schedules\":{\"a\":1}}",
		"{\"version\":9,\"schedules\":{\"a b\":\"mon 07:00-08:00\"}}",
		"{\"version\":9,\"schedules\":{\"a\":\"mon 07:00-08:00\","
		    "\"b\":\"mon 7:00-8:00\"}}",
		"{\"version\":9,\"schedules\":{\"a\":\"mon 07:00\\u0000-08:00\"}}",
		"{\"version\":9,\"groups\":{\"\":\"a\"}}",
		"{\"version\":9,\"groups\":{\"g\":\"a b\"}}",
		"{\"version\":9,\"holidays\":{\"2027-02-30\":\"\"}}",
		"{\"version\":9,\"holidays\":{\"2027-02-03\":\"a\\nb\"}}",
		"{\"version\":9,\"version\":10}",
	};
	struct gate_fx *fx = *state_;
	char before[64], after[64], doc[96];
	json_t *res;

	assert_true(send(fx, "{\"version\":8,\"schedules\":{\"day\":"
	    "\"mon-fri 07:00-16:00\"}}", NULL));
	state(fx, before, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(send(fx, bad[i], &res));
		if (json_array_size(json_object_get(res, "errors")) == 0)
			print_message("no errors for %s\n", bad[i]);
		assert_true(json_array_size(json_object_get(res,
		    "errors")) > 0);
		json_decref(res);
	}
	srand(20);
	for (int round = 0; round < 2000; round++) {
		static const char alphabet[] = "{}\":,version9schedules"
		    "groupsholidays[] mon07:-";
		size_t n = (size_t)rand() % (sizeof(doc) - 1);

		for (size_t i = 0; i < n; i++)
			doc[i] = alphabet[(size_t)rand() %
			    (sizeof(alphabet) - 1)];
		doc[n] = '\0';
		res = inbound_schedules_set(&fx->gate, (const uint8_t *)doc, n);
		assert_non_null(res);
		json_decref(res);
	}
	state(fx, after, sizeof(after));
	assert_string_equal(after, before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sched_push_versions,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_sched_push_hostile,
		    gate_fx_setup, gate_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
