/*
 * Commands (inbound_cmd) against a real gate: the file camera, the sim
 * GPIO whose log shows every relay change, and a real SQLite log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "timefmt.h"

#include "gate_fixture.h"
#include "util.h"

struct fx {
	struct gate_fx gf;
	long log_mark;		/* the sim log's length at gpio_mark() */
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	*state = fx;
	return gate_fx_init(&fx->gf, true);
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	gate_fx_done(&fx->gf);
	free(fx);
	return 0;
}

/* Remembers where the sim log ends now. */
static void
gpio_mark(struct fx *fx)
{
	struct stat st;

	assert_int_equal(stat(fx->gf.path[1], &st), 0);
	fx->log_mark = (long)st.st_size;
}

/* True when the sim log got the line "<role> <value>" since gpio_mark(). */
static bool
gpio_changed(struct fx *fx, const char *role, int value)
{
	char line[128], want[64];
	bool found = false;
	FILE *f;

	snprintf(want, sizeof(want), " %s %d\n", role, value);
	assert_non_null(f = fopen(fx->gf.path[1], "r"));
	assert_int_equal(fseek(f, fx->log_mark, SEEK_SET), 0);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL)
			found = true;
	fclose(f);
	return found;
}

/* A command document: cmd, id, the way (or NULL), expiring in ms. */
static json_t *
cmd(struct fx *fx, const char *name, const char *id, const char *way,
    int64_t in_ms, bool retained)
{
	char doc[512];
	json_t *res;

	snprintf(doc, sizeof(doc), "{\"id\": \"%s\", \"cmd\": \"%s\",%s%s%s"
	    " \"expires\": %lld}", id, name, way != NULL ? " \"way\": \"" : "",
	    way != NULL ? way : "", way != NULL ? "\"," : "",
	    (long long)(clock_utc_ms() + in_ms));
	res = inbound_cmd(&fx->gf.gate, (const uint8_t *)doc, strlen(doc),
	    retained);
	assert_non_null(res);
	return res;
}

static json_t *
cmd_text(struct fx *fx, const char *doc)
{
	json_t *res = inbound_cmd(&fx->gf.gate, (const uint8_t *)doc,
	    strlen(doc), false);

	assert_non_null(res);
	return res;
}

static bool
res_ok(const json_t *res)
{
	return json_is_true(json_object_get(res, "ok"));
}

static const char *
res_ignored(const json_t *res)
{
	const char *s = json_string_value(json_object_get(res, "ignored"));

	return s != NULL ? s : "";
}

static const char *
res_reason(const json_t *res)
{
	const char *s = json_string_value(json_object_get(res, "reason"));

	return s != NULL ? s : "";
}

static int
count_remote(const struct event *ev, void *arg)
{
	if (ev->type == EV_REMOTE)
		(*(int *)arg)++;
	return 0;
}

static int
remote_rows(struct fx *fx)
{
	int n = 0;

	assert_int_equal(store_event_foreach(fx->gf.gate.store, 0, count_remote,
	    &n), 0);
	return n;
}

static void
test_cmd_open(void **state)
{
	struct fx *fx = *state;
	json_t *res;

	gpio_mark(fx);
	res = cmd(fx, "open", "c-1", "entry", 60000, false);
	assert_true(res_ok(res));
	assert_string_equal(json_string_value(json_object_get(res, "id")), "c-1");
	assert_string_equal(json_string_value(json_object_get(res, "cmd")),
	    "open");
	json_decref(res);
	assert_int_equal(fx->gf.gate.lane.way[DIR_ENTRY].state, WAY_RELEASED);
	assert_int_equal(fx->gf.gate.lane.way[DIR_EXIT].state, WAY_LOCKED);
	assert_true(gpio_changed(fx, "entry_relay", 1));
	assert_false(gpio_changed(fx, "exit_relay", 1));
	assert_int_equal(remote_rows(fx), 1);

	/* Already released: refused, and said why. */
	res = cmd(fx, "open", "c-2", "entry", 60000, false);
	assert_false(res_ok(res));
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(res, "errors"), 0)), "already released"));
	json_decref(res);

	/* An ISO 8601 expiry does as well. */
	{
		char when[TIMEFMT_LEN], doc[256];

		timefmt_format(clock_utc_ms() + 120000, when, sizeof(when));
		snprintf(doc, sizeof(doc), "{\"id\": \"c-3\", \"cmd\": \"open\","
		    " \"way\": \"exit\", \"expires\": \"%s\"}", when);
		res = cmd_text(fx, doc);
		assert_true(res_ok(res));
		json_decref(res);
	}
	assert_int_equal(fx->gf.gate.lane.way[DIR_EXIT].state, WAY_RELEASED);
	assert_true(gpio_changed(fx, "exit_relay", 1));
}

/* Not acted on: retained, expired, already executed. */
static void
test_cmd_ignored(void **state)
{
	struct fx *fx = *state;
	json_t *res;

	gpio_mark(fx);
	res = cmd(fx, "open", "r-1", "entry", 60000, true);
	assert_false(res_ok(res));
	assert_string_equal(res_ignored(res), "retained");
	assert_string_equal(json_string_value(json_object_get(res, "id")), "r-1");
	json_decref(res);
	/* Even a malformed one. */
	res = inbound_cmd(&fx->gf.gate, (const uint8_t *)"{", 1, true);
	assert_string_equal(res_ignored(res), "retained");
	assert_true(json_is_null(json_object_get(res, "id")));
	json_decref(res);

	res = cmd(fx, "open", "e-1", "entry", -1, false);
	assert_string_equal(res_ignored(res), "expired");
	assert_string_equal(res_reason(res), "expired");
	json_decref(res);
	res = cmd(fx, "open", "e-2", "entry", 0, false);
	assert_string_equal(res_ignored(res), "expired");
	json_decref(res);
	assert_int_equal(fx->gf.gate.lane.way[DIR_ENTRY].state, WAY_LOCKED);
	assert_false(gpio_changed(fx, "entry_relay", 1));
	assert_int_equal(remote_rows(fx), 0);

	res = cmd(fx, "lockdown", "d-1", NULL, 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	res = cmd(fx, "normal", "d-2", NULL, 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	assert_false(fx->gf.gate.lockdown);
	res = cmd(fx, "lockdown", "d-1", NULL, 60000, false);
	assert_string_equal(res_ignored(res), "duplicate");
	assert_string_equal(res_reason(res), "replayed");
	json_decref(res);
	assert_false(fx->gf.gate.lockdown);
}

static void
test_cmd_too_far_ahead(void **state)
{
	struct fx *fx = *state;
	json_t *res;

	res = cmd(fx, "lockdown", "f-1", NULL, 11 * 60000, false);
	assert_false(res_ok(res));
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(res, "errors"), 0)), "10 minutes"));
	json_decref(res);
	assert_false(fx->gf.gate.lockdown);

	/* Refused, not executed: the id may come again, done right. */
	res = cmd(fx, "lockdown", "f-1", NULL, 9 * 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	assert_true(fx->gf.gate.lockdown);
}

static void
test_cmd_lockdown_normal(void **state)
{
	struct fx *fx = *state;
	json_t *res;

	res = cmd(fx, "lockdown", "l-1", NULL, 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	assert_true(fx->gf.gate.lockdown);
	res = cmd(fx, "normal", "l-2", NULL, 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	assert_false(fx->gf.gate.lockdown);
}

static void
test_cmd_release(void **state)
{
	struct fx *fx = *state;
	struct lane *ln = &fx->gf.gate.lane;
	json_t *res;

	/* A way released for someone is taken over by the hold. */
	res = cmd(fx, "open", "o-1", "entry", 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	res = cmd(fx, "lockdown", "h-0", NULL, 60000, false);
	json_decref(res);

	gpio_mark(fx);
	res = cmd(fx, "release", "h-1", NULL, 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	assert_false(fx->gf.gate.lockdown);
	assert_int_equal(ln->way[DIR_ENTRY].state, WAY_FREE);
	assert_int_equal(ln->way[DIR_EXIT].state, WAY_FREE);
	assert_true(gpio_changed(fx, "exit_relay", 1));
	assert_false(gpio_changed(fx, "entry_relay", 0));
	/* No window closes a held way. */
	assert_int_equal(loop_timer_remaining(&ln->way[DIR_ENTRY].window), -1);

	gpio_mark(fx);
	res = cmd(fx, "normal", "h-2", NULL, 60000, false);
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(ln->way[DIR_ENTRY].state, WAY_LOCKED);
	assert_int_equal(ln->way[DIR_EXIT].state, WAY_LOCKED);
	assert_true(gpio_changed(fx, "entry_relay", 0));
	assert_true(gpio_changed(fx, "exit_relay", 0));
	assert_true(gpio_changed(fx, "green_led", 0));

	/* Lockdown ends a hold too. */
	res = cmd(fx, "release", "h-3", NULL, 60000, false);
	json_decref(res);
	assert_int_equal(ln->way[DIR_EXIT].state, WAY_FREE);
	res = cmd(fx, "lockdown", "h-4", NULL, 60000, false);
	json_decref(res);
	assert_true(fx->gf.gate.lockdown);
	assert_int_equal(ln->way[DIR_EXIT].state, WAY_LOCKED);
}

static void
test_cmd_malformed(void **state)
{
	struct fx *fx = *state;
	char doc[512], long_id[80], big[5000];
	long long later = (long long)clock_utc_ms() + 60000;
	static const char *const fmt[] = {
		"{\"id\": \"m\", \"cmd\": \"explode\", \"expires\": %lld}",
		"{\"id\": \"m\", \"cmd\": \"open\", \"expires\": %lld}",
		"{\"id\": \"m\", \"cmd\": \"open\", \"way\": \"up\", \"expires\": %lld}",
		"{\"id\": \"m\", \"cmd\": \"lockdown\", \"way\": \"entry\","
		    " \"expires\": %lld}",
		"{\"id\": \"m\", \"cmd\": \"lockdown\"}",
		"{\"id\": \"m\", \"cmd\": \"lockdown\", \"expires\": \"soon\"}",
		"{\"id\": \"m\", \"cmd\": \"lockdown\", \"expires\": -5}",
		"{\"cmd\": \"lockdown\", \"expires\": %lld}",
		"{\"id\": \"\", \"cmd\": \"lockdown\", \"expires\": %lld}",
		"{\"id\": 7, \"cmd\": \"lockdown\", \"expires\": %lld}",
		"{\"id\": \"a\\u0007b\", \"cmd\": \"lockdown\", \"expires\": %lld}",
		"{\"id\": \"m\", \"cmd\": \"lockdown\", \"expires\": %lld, \"by\": 1}",
		"{\"id\": \"m\", \"id\": \"n\", \"cmd\": \"lockdown\", \"expires\": %lld}",
		"[\"lockdown\"]",
		"lockdown",
	};
	json_t *res;

	for (size_t i = 0; i < nitems(fmt); i++) {
		snprintf(doc, sizeof(doc), fmt[i], later);
		res = cmd_text(fx, doc);
		if (res_ok(res) || json_array_size(json_object_get(res,
		    "errors")) == 0)
			fail_msg("accepted: %s", doc);
		json_decref(res);
	}
	memset(long_id, 'x', 64);
	long_id[64] = '\0';
	res = cmd(fx, "lockdown", long_id, NULL, 60000, false);
	assert_false(res_ok(res));
	json_decref(res);
	/* A valid command, padded past the limit. */
	snprintf(doc, sizeof(doc), "{\"id\": \"big\", \"cmd\": \"lockdown\","
	    " \"expires\": %lld}", later);
	memset(big, ' ', sizeof(big));
	memcpy(big, doc, strlen(doc));
	res = inbound_cmd(&fx->gf.gate, (const uint8_t *)big, sizeof(big),
	    false);
	assert_false(res_ok(res));
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(res, "errors"), 0)), "over the limit"));
	json_decref(res);
	assert_false(fx->gf.gate.lockdown);
	assert_int_equal(fx->gf.gate.lane.way[DIR_ENTRY].state, WAY_LOCKED);
}

/* Open on a way this gate does not run. */
static void
test_cmd_open_disabled_way(void **state)
{
	struct fx *fx = *state;
	struct config cfg = fx->gf.base;
	char err[256];
	json_t *res;

	gate_fx_set(&cfg, "lane", "exit", "false");
	assert_int_equal(gate_reload(&fx->gf.gate, &cfg, err, sizeof(err)), 0);
	res = cmd(fx, "open", "x-1", "exit", 60000, false);
	assert_false(res_ok(res));
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(res, "errors"), 0)), "not enabled"));
	json_decref(res);
	assert_int_equal(remote_rows(fx), 0);
}

/* Every id is remembered until its command expires, however many come. */
static void
test_cmd_id_memory(void **state)
{
	struct fx *fx = *state;
	char id[32];
	json_t *res;

	for (int i = 0; i < 600; i++) {
		snprintf(id, sizeof(id), "n-%d", i);
		res = cmd(fx, "normal", id, NULL, 60000, false);
		assert_true(res_ok(res));
		json_decref(res);
	}
	res = cmd(fx, "normal", "n-599", NULL, 60000, false);
	assert_string_equal(res_ignored(res), "duplicate");
	json_decref(res);
	res = cmd(fx, "normal", "n-100", NULL, 60000, false);
	assert_string_equal(res_ignored(res), "duplicate");
	json_decref(res);
	res = cmd(fx, "normal", "n-0", NULL, 60000, false);
	assert_string_equal(res_ignored(res), "duplicate");
	json_decref(res);
	/* Expired ones are forgotten at the next command. */
	assert_int_equal(store_cmd_record(fx->gf.gate.store, "old", 1, 2), 0);
	assert_int_equal(store_cmd_seen(fx->gf.gate.store, "old"), 0);
	assert_int_equal(store_cmd_seen(fx->gf.gate.store, "n-0"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cmd_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_too_far_ahead, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_lockdown_normal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_malformed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_open_disabled_way, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_id_memory, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
