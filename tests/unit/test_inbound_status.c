/*
 * What a gate says of its pushes (inbound_status.c): each kind of result
 * the handlers and the envelope check give, summed up as the status's
 * "last", and the versions of the status's "config" and "credentials".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "push.h"

/* inbound_last_of(TEXT) as compact text with sorted keys. */
static char *
last_of(const char *text, enum push_scope scope)
{
	json_t *res = json_loads(text, 0, NULL), *o;
	char *s;

	assert_non_null(res);
	o = inbound_last_of(res, scope, 1000);
	assert_non_null(o);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	json_decref(res);
	return s;
}

static void
expect_last(const char *result, enum push_scope scope, const char *want)
{
	char *got = last_of(result, scope);

	assert_string_equal(got, want);
	free(got);
}

static void
test_results(void **state)
{
	(void)state;
	/* A snapshot's last chunk, a chunk before it, a patch. */
	expect_last("{\"ok\":true,\"version\":5,\"chunk\":2,\"staged\":10,"
	    "\"applied\":25}", PUSH_SITE,
	    "{\"chunk\":2,\"result\":\"applied\",\"scope\":\"site\","
	    "\"ts_ms\":1000,\"version\":5}");
	expect_last("{\"ok\":true,\"version\":5,\"chunk\":0,\"staged\":10}",
	    PUSH_GATE, "{\"chunk\":0,\"result\":\"staging\",\"scope\":\"gate\","
	    "\"ts_ms\":1000,\"version\":5}");
	expect_last("{\"ok\":true,\"version\":6,\"added\":[],\"updated\":[],"
	    "\"removed\":[]}", PUSH_GATE, "{\"result\":\"applied\","
	    "\"scope\":\"gate\",\"ts_ms\":1000,\"version\":6}");
	/* A config push taken. */
	expect_last("{\"ok\":true,\"version\":3,\"scope\":\"site\","
	    "\"applied\":[\"lane.pulse_ms\"]}", PUSH_SITE,
	    "{\"result\":\"applied\",\"scope\":\"site\",\"ts_ms\":1000,"
	    "\"version\":3}");
	/* Ignored: the reason, no error. */
	expect_last("{\"ok\":false,\"ignored\":\"stale\",\"reason\":"
	    "\"replayed\",\"version\":5,\"chunk\":0,\"current\":5}", PUSH_SITE,
	    "{\"chunk\":0,\"reason\":\"replayed\",\"result\":\"ignored\","
	    "\"scope\":\"site\",\"ts_ms\":1000,\"version\":5}");
	/* A bad row: where it is, and why. */
	expect_last("{\"ok\":false,\"version\":7,\"chunk\":1,\"errors\":[{"
	    "\"chunk\":1,\"index\":4,\"id\":\"X\",\"error\":\"status: active, "
	    "suspended or revoked\"}],\"error_count\":1}", PUSH_GATE,
	    "{\"chunk\":1,\"error\":\"chunk 1 row 4: status: active, "
	    "suspended or revoked\",\"reason\":\"invalid\",\"result\":"
	    "\"refused\",\"scope\":\"gate\",\"ts_ms\":1000,\"version\":7}");
	/* A patch's bad row names its list. */
	expect_last("{\"ok\":false,\"version\":8,\"errors\":[{\"op\":\"add\","
	    "\"index\":0,\"error\":\"kind: badge\"}],\"error_count\":1}",
	    PUSH_GATE, "{\"error\":\"add 0: kind: badge\",\"reason\":"
	    "\"invalid\",\"result\":\"refused\",\"scope\":\"gate\",\"ts_ms\":"
	    "1000,\"version\":8}");
	/* A config push refused: its errors are text. */
	expect_last("{\"ok\":false,\"version\":4,\"scope\":\"gate\","
	    "\"errors\":[\"lane.pulse_ms: out of range\"]}", PUSH_GATE,
	    "{\"error\":\"lane.pulse_ms: out of range\",\"reason\":"
	    "\"invalid\",\"result\":\"refused\",\"scope\":\"gate\",\"ts_ms\":"
	    "1000,\"version\":4}");
	/* A card held twice: its number is not repeated whole. */
	expect_last("{\"ok\":false,\"version\":9,\"chunk\":0,\"errors\":[{"
	    "\"chunk\":0,\"index\":1,\"error\":\"cccd 001234567890 already "
	    "belongs to credential A; 0012345678901234\"}],\"error_count\":1}",
	    PUSH_SITE, "{\"chunk\":0,\"error\":\"chunk 0 row 1: cccd "
	    "********7890 already belongs to credential A; ************1234\","
	    "\"reason\":\"invalid\",\"result\":\"refused\",\"scope\":"
	    "\"site\",\"ts_ms\":1000,\"version\":9}");
	/* Refused before the handler: no version to name. */
	expect_last("{\"ok\":false,\"reason\":\"bad-signature\",\"error\":"
	    "\"the signature does not verify\"}", PUSH_SITE,
	    "{\"error\":\"the signature does not verify\",\"reason\":"
	    "\"bad-signature\",\"result\":\"refused\",\"scope\":\"site\","
	    "\"ts_ms\":1000,\"version\":null}");
}

static void
test_status(void **state)
{
	struct gate g;
	json_t *st;
	char *s;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.cred_version = 9;
	g.sched_version = 20270101000000;
	/* No push since the start: the versions, no "last". */
	st = json_object();
	inbound_status(&g, st);
	s = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"config\":{\"gate_version\":0,"
	    "\"site_version\":0},\"credentials\":{\"version\":9},"
	    "\"schedules\":{\"open_period\":false,\"version\":"
	    "20270101000000}}");
	free(s);
	json_decref(st);

	assert_non_null(inbound_state_get(&g));
	g.inbound->gate.version = 3;
	g.inbound->site.version = 1;
	g.inbound->cred_last = json_pack("{s:s}", "result", "applied");
	g.lane.sched_hold = true;
	st = json_object();
	inbound_status(&g, st);
	s = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"config\":{\"gate_version\":3,"
	    "\"site_version\":1},\"credentials\":{\"last\":{\"result\":"
	    "\"applied\"},\"version\":9},\"schedules\":{\"open_period\":"
	    "true,\"version\":20270101000000}}");
	free(s);
	json_decref(st);
	inbound_close(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
