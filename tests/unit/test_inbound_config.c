/*
 * Config pushes (inbound_config_set) against a real gate: the file camera
 * on images/blank.png, the sim GPIO and a real SQLite file in a fresh
 * directory, through gate_open() and gate_reload() as the daemon uses them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "push.h"
#include "store_private.h"
#include "store_sync.h"

#include "gate_fixture.h"
#include "util.h"

static json_t *
push(struct gate_fx *fx, enum push_scope scope, const char *doc)
{
	json_t *res = inbound_config_set(&fx->gate, scope,
	    (const uint8_t *)doc, strlen(doc));

	assert_non_null(res);
	return res;
}

static bool
res_ok(const json_t *res)
{
	return json_is_true(json_object_get(res, "ok"));
}

static const char *
res_reason(const json_t *res)
{
	const char *r = json_string_value(json_object_get(res, "reason"));

	return r != NULL ? r : "(none)";
}

static size_t
res_errors(const json_t *res)
{
	return json_array_size(json_object_get(res, "errors"));
}

/* True when some error message of res contains text. */
static bool
res_error_has(const json_t *res, const char *text)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(res, "errors"), i, e)
		if (strstr(json_string_value(e), text) != NULL)
			return true;
	return false;
}

static bool
array_has(const json_t *a, const char *s)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e)
		if (strcmp(json_string_value(e), s) == 0)
			return true;
	return false;
}

/* The persisted push of scope: its version, or 0 when none; doc gets
 * the document. */
static int64_t
persisted(struct gate_fx *fx, const char *scope, char *doc, size_t len)
{
	sqlite3_stmt *s;
	int64_t v = 0;

	assert_int_equal(sqlite3_prepare_v2(store_db(fx->gate.store),
	    "SELECT version, document FROM sync_pushes WHERE scope = ?1", -1,
	    &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, scope, -1, SQLITE_STATIC);
	doc[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		snprintf(doc, len, "%s", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return v;
}

static void
test_push_applied(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	char doc[1024];
	json_t *res;

	assert_int_equal(g->cfg.lane.pulse_ms, 5000);
	res = push(fx, PUSH_GATE, "{\"version\": 7, \"settings\": {"
	    "\"lane.pulse_ms\": 3000, \"decoder.holdoff_ms\": \"1000\","
	    " \"policy.badge\": true, \"camera.fps\": 5.0}}");
	assert_true(res_ok(res));
	assert_int_equal(json_integer_value(json_object_get(res, "version")), 7);
	assert_string_equal(json_string_value(json_object_get(res, "scope")),
	    "gate");
	assert_int_equal(json_array_size(json_object_get(res, "applied")), 4);
	assert_true(array_has(json_object_get(res, "applied"), "lane.pulse_ms"));
	json_decref(res);

	/* The running gate took it: config, lane and camera. */
	assert_int_equal(g->cfg.lane.pulse_ms, 3000);
	assert_int_equal(g->lane.p.pulse_ms, 3000);
	assert_int_equal(g->cfg.decoder.holdoff_ms, 1000);
	assert_true(g->cfg.policy.badge);
	assert_int_equal(g->cfg.camera.fps, 5);
	assert_int_equal(g->config_version, 7);

	assert_int_equal(persisted(fx, "gate", doc, sizeof(doc)), 7);
	assert_non_null(strstr(doc, "\"lane.pulse_ms\":3000"));
	assert_int_equal(persisted(fx, "site", doc, sizeof(doc)), 0);
}

/* Each bad document: every problem listed, nothing changed, nothing kept. */
static void
test_push_rejected(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	struct config before;
	char doc[64];
	json_t *res;

	memcpy(&before, &g->cfg, sizeof(before));
	res = push(fx, PUSH_GATE, "{\"version\": 2, \"settings\": {"
	    "\"lane.pulse_ms\": [3000],"		/* wrong type */
	    " \"lane.deny_ms\": 99999,"			/* out of range */
	    " \"lane.colour\": \"red\","		/* unknown key */
	    " \"nosuch.key\": 1,"			/* unknown section */
	    " \"store.path\": \"/tmp/x.db\","		/* restart only */
	    " \"control.socket\": \"/tmp/x.sock\","	/* restart only */
	    " \"mqtt.host\": \"evil\","			/* the uplink's own */
	    " \"pulse_ms\": 1,"				/* not section.key */
	    " \"lane.buzzer_ms\": true,"		/* bool for an int */
	    " \"lane.held_open_s\": null,"		/* no text form */
	    " \"lane.entry\": false}}");		/* fine on its own */
	assert_false(res_ok(res));
	assert_int_equal(json_integer_value(json_object_get(res, "version")), 2);
	assert_int_equal(res_errors(res), 10);
	assert_true(res_error_has(res, "lane.pulse_ms: an array"));
	assert_true(res_error_has(res, "out of range"));
	assert_true(res_error_has(res, "unknown key lane.colour"));
	assert_true(res_error_has(res, "unknown section [nosuch]"));
	assert_true(res_error_has(res, "store.path takes effect only at a "
	    "restart"));
	assert_true(res_error_has(res, "control.socket"));
	assert_true(res_error_has(res, "mqtt.host"));
	assert_true(res_error_has(res, "pulse_ms: a setting is named"));
	assert_true(res_error_has(res, "lane.buzzer_ms: \"true\" is not an "
	    "integer"));
	assert_true(res_error_has(res, "lane.held_open_s: null"));
	json_decref(res);
	assert_memory_equal(&before, &g->cfg, sizeof(before));
	assert_int_equal(g->config_version, 0);
	assert_int_equal(persisted(fx, "gate", doc, sizeof(doc)), 0);

	/* Between settings: valid alone, not together. */
	res = push(fx, PUSH_GATE, "{\"version\": 2, \"settings\": {"
	    "\"lane.entry\": false, \"lane.exit\": false}}");
	assert_false(res_ok(res));
	assert_true(res_error_has(res, "both false"));
	json_decref(res);
	assert_memory_equal(&before, &g->cfg, sizeof(before));
}

static void
test_push_malformed(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	static const char *const bad[] = {
		"not json",
		"[1, 2]",
		"{\"settings\": {}}",
		"{\"version\": 0, \"settings\": {}}",
		"{\"version\": -3, \"settings\": {}}",
		"{\"version\": \"4\", \"settings\": {}}",
		"{\"version\": 1.5, \"settings\": {}}",
		"{\"version\": 4}",
		"{\"version\": 4, \"settings\": [\"lane.pulse_ms\"]}",
		"{\"version\": 4, \"settings\": {}, \"extra\": 1}",
		/* A key given twice would leave which one wins to chance. */
		"{\"version\": 4, \"settings\": {\"lane.pulse_ms\": 300,"
		    " \"lane.pulse_ms\": 400}}",
		"{\"version\": 4, \"settings\": {\"lane.pulse_ms\": 300}",
	};
	static const char nul[] = "{\"version\": 9,\0 \"settings\": {}}";
	struct config before;
	size_t big = 1024 * 1024;
	char *huge;
	json_t *res;

	memcpy(&before, &g->cfg, sizeof(before));
	for (size_t i = 0; i < nitems(bad); i++) {
		res = push(fx, PUSH_SITE, bad[i]);
		if (res_ok(res) || res_errors(res) == 0)
			fail_msg("accepted: %s", bad[i]);
		json_decref(res);
	}

	/* 1 MB: refused before it is parsed. */
	assert_non_null(huge = malloc(big));
	memset(huge, ' ', big);
	memcpy(huge, "{\"version\": 9, \"settings\": {}}", 30);
	res = inbound_config_set(g, PUSH_GATE, (const uint8_t *)huge, big);
	assert_false(res_ok(res));
	assert_true(res_error_has(res, "over the limit"));
	assert_true(json_is_null(json_object_get(res, "version")));
	json_decref(res);
	free(huge);

	/* A NUL byte inside the payload. */
	res = inbound_config_set(g, PUSH_GATE, (const uint8_t *)nul,
	    sizeof(nul) - 1);
	assert_false(res_ok(res));
	json_decref(res);

	/* A key with control characters comes back without them. */
	res = push(fx, PUSH_GATE, "{\"version\": 9, \"settings\": "
	    "{\"lane.\\u001b[31mx\": 1}}");
	assert_false(res_ok(res));
	assert_int_equal(res_errors(res), 1);
	assert_null(strchr(json_string_value(json_array_get(
	    json_object_get(res, "errors"), 0)), 0x1b));
	json_decref(res);

	assert_memory_equal(&before, &g->cfg, sizeof(before));
	assert_int_equal(g->config_version, 0);
}

/* gate_reload() refuses (the camera cannot open): nothing changes. */
static void
test_push_reload_fails(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	struct config before, base;
	char doc[64];
	json_t *res;

	/* A push may not name a camera (push.c), so the camera that cannot
	 * open is the base's: a file whose source went away. */
	memcpy(&before, &g->cfg, sizeof(before));
	memcpy(&base, &fx->base, sizeof(base));
	gate_fx_set(&base, "camera", "source", "/nonexistent/none.png");
	inbound_set_base(g, &base);
	res = push(fx, PUSH_GATE, "{\"version\": 3, \"settings\": {"
	    "\"lane.pulse_ms\": 1234}}");
	assert_false(res_ok(res));
	assert_true(res_error_has(res, "could not be opened"));
	json_decref(res);
	assert_memory_equal(&before, &g->cfg, sizeof(before));
	assert_int_equal(persisted(fx, "gate", doc, sizeof(doc)), 0);

	/* Not counted as seen: the same version, fixed, is taken. */
	inbound_set_base(g, &fx->base);
	res = push(fx, PUSH_GATE, "{\"version\": 3, \"settings\": {"
	    "\"lane.pulse_ms\": 1234}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 1234);
}

static void
test_push_stale(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	json_t *res;

	res = push(fx, PUSH_GATE, "{\"version\": 5, \"settings\": "
	    "{\"lane.pulse_ms\": 2000}}");
	assert_true(res_ok(res));
	json_decref(res);

	/* The same version again (a retained replay), and an older one:
	 * ignored even when they would not validate. */
	res = push(fx, PUSH_GATE, "{\"version\": 5, \"settings\": "
	    "{\"lane.pulse_ms\": 3000}}");
	assert_false(res_ok(res));
	assert_string_equal(json_string_value(json_object_get(res, "ignored")),
	    "stale");
	assert_string_equal(res_reason(res), "replayed");
	assert_int_equal(json_integer_value(json_object_get(res, "current")), 5);
	json_decref(res);
	res = push(fx, PUSH_GATE, "{\"version\": 4, \"settings\": "
	    "{\"lane.nosuch\": 3000}}");
	assert_string_equal(json_string_value(json_object_get(res, "ignored")),
	    "stale");
	assert_string_equal(res_reason(res), "rolled-back");
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 2000);
	assert_int_equal(g->config_version, 5);

	/* Each scope counts its own versions. */
	res = push(fx, PUSH_SITE, "{\"version\": 1, \"settings\": "
	    "{\"lane.deny_ms\": 100}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->config_version, 6);
}

static void
test_push_merge(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	json_t *res;

	res = push(fx, PUSH_SITE, "{\"version\": 1, \"settings\": {"
	    "\"lane.pulse_ms\": 3000, \"lane.deny_ms\": 500}}");
	assert_true(res_ok(res));
	json_decref(res);
	res = push(fx, PUSH_GATE, "{\"version\": 1, \"settings\": {"
	    "\"lane.pulse_ms\": 4000}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 4000);
	assert_int_equal(g->cfg.lane.deny_ms, 500);
	assert_int_equal(g->config_version, 2);

	/* A new site document replaces the old one; the gate's key still
	 * wins, and the result says so. */
	res = push(fx, PUSH_SITE, "{\"version\": 2, \"settings\": {"
	    "\"lane.pulse_ms\": 3500, \"lane.buzzer_ms\": 100}}");
	assert_true(res_ok(res));
	assert_true(array_has(json_object_get(res, "applied"), "lane.buzzer_ms"));
	assert_false(array_has(json_object_get(res, "applied"), "lane.pulse_ms"));
	assert_true(array_has(json_object_get(res, "overridden"),
	    "lane.pulse_ms"));
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 4000);
	assert_int_equal(g->cfg.lane.buzzer_ms, 100);
	assert_int_equal(g->cfg.lane.deny_ms, 1500);	/* the file's again */
	assert_int_equal(g->config_version, 3);

	/* An empty gate document hands the key back to the site. */
	res = push(fx, PUSH_GATE, "{\"version\": 2, \"settings\": {}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 3500);

	/* A site push that only the gate's keys would make invalid. */
	res = push(fx, PUSH_GATE, "{\"version\": 3, \"settings\": {"
	    "\"lane.exit\": false}}");
	assert_true(res_ok(res));
	json_decref(res);
	res = push(fx, PUSH_SITE, "{\"version\": 3, \"settings\": {"
	    "\"camera.direction\": \"exit\"}}");
	assert_false(res_ok(res));
	assert_true(res_error_has(res, "camera.direction is exit"));
	json_decref(res);
	assert_int_equal(g->cfg.camera.direction, DIR_ENTRY);
}

static void
test_push_restore(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	json_t *res;

	res = push(fx, PUSH_SITE, "{\"version\": 10, \"settings\": {"
	    "\"lane.deny_ms\": 700, \"lane.pulse_ms\": 900}}");
	assert_true(res_ok(res));
	json_decref(res);
	res = push(fx, PUSH_GATE, "{\"version\": 4, \"settings\": {"
	    "\"lane.pulse_ms\": 800}}");
	assert_true(res_ok(res));
	json_decref(res);

	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(g->cfg.lane.deny_ms, 700);
	assert_int_equal(g->cfg.lane.pulse_ms, 800);
	assert_int_equal(g->lane.p.pulse_ms, 800);
	assert_int_equal(g->config_version, 14);

	/* The broker's retained copy, replayed after the restart. */
	res = push(fx, PUSH_GATE, "{\"version\": 4, \"settings\": {"
	    "\"lane.pulse_ms\": 800}}");
	assert_string_equal(json_string_value(json_object_get(res, "ignored")),
	    "stale");
	assert_string_equal(res_reason(res), "replayed");
	json_decref(res);
	res = push(fx, PUSH_SITE, "{\"version\": 9, \"settings\": {"
	    "\"lane.deny_ms\": 100}}");
	assert_false(res_ok(res));
	assert_string_equal(res_reason(res), "rolled-back");
	assert_int_equal(json_integer_value(json_object_get(res, "current")),
	    10);
	json_decref(res);
	assert_int_equal(g->cfg.lane.deny_ms, 700);
}

/*
 * A kept push that is skipped at a restart, or left out under a new base,
 * still bars every version up to its own: otherwise an older push, copied
 * off the broker, would be taken again.
 */
static void
test_push_no_rollback_after_skip(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	json_t *res;

	assert_int_equal(store_sync_push_put(g->store, "gate", 6,
	    "{\"version\":6,\"settings\":{\"lane.pulse_ms\":1}}"), 0);
	assert_int_equal(store_sync_push_put(g->store, "site", 3, "{bad"), 0);
	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(g->config_version, 0);
	res = push(fx, PUSH_GATE, "{\"version\": 5, \"settings\": {"
	    "\"lane.pulse_ms\": 2000}}");
	assert_string_equal(res_reason(res), "rolled-back");
	json_decref(res);
	res = push(fx, PUSH_GATE, "{\"version\": 6, \"settings\": {"
	    "\"lane.pulse_ms\": 2000}}");
	assert_string_equal(res_reason(res), "replayed");
	json_decref(res);
	res = push(fx, PUSH_SITE, "{\"version\": 3, \"settings\": {"
	    "\"lane.deny_ms\": 200}}");
	assert_string_equal(res_reason(res), "replayed");
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 5000);
	assert_int_equal(g->cfg.lane.deny_ms, 1500);
	/* A newer one is taken. */
	res = push(fx, PUSH_GATE, "{\"version\": 7, \"settings\": {"
	    "\"lane.pulse_ms\": 2000}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 2000);
}

/* No push may change the keys that pushes are checked with. */
static void
test_push_security_refused(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	json_t *res;

	res = push(fx, PUSH_GATE, "{\"version\": 1, \"settings\": {"
	    "\"security.admin_key\": \"\","
	    "\"security.unsigned_pushes\": true,"
	    "\"security.issuer_key\": \"\"}}");
	assert_false(res_ok(res));
	assert_int_equal(res_errors(res), 3);
	assert_true(res_error_has(res, "security.admin_key"));
	assert_true(res_error_has(res, "security.unsigned_pushes"));
	json_decref(res);
	res = push(fx, PUSH_SITE, "{\"version\": 1, \"settings\": {"
	    "\"security.unsigned_pushes\": true}}");
	assert_false(res_ok(res));
	json_decref(res);
	assert_false(g->cfg.security.unsigned_pushes);
	assert_int_equal(g->config_version, 0);
}

/* A kept push that no longer validates is skipped, the other applied. */
static void
test_push_restore_skips_invalid(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	json_t *res;

	res = push(fx, PUSH_SITE, "{\"version\": 2, \"settings\": {"
	    "\"lane.deny_ms\": 700}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(store_sync_push_put(g->store, "gate", 6,
	    "{\"version\":6,\"settings\":{\"lane.pulse_ms\":1}}"), 0);

	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(g->cfg.lane.deny_ms, 700);
	assert_int_equal(g->cfg.lane.pulse_ms, 5000);
	assert_int_equal(g->config_version, 2);

	/* Not JSON at all: skipped too. */
	assert_int_equal(store_sync_push_put(g->store, "site", 3, "{bad"), 0);
	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(g->cfg.lane.deny_ms, 1500);
	assert_int_equal(g->config_version, 0);
}

/* A new base (SIGHUP): the pushes stay on top of it. */
static void
test_push_new_base(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	struct config base = fx->base;
	char err[256];
	json_t *res;

	res = push(fx, PUSH_GATE, "{\"version\": 1, \"settings\": {"
	    "\"lane.pulse_ms\": 3000}}");
	assert_true(res_ok(res));
	json_decref(res);

	/* As qrgated's reload: the file's config first, then the base. */
	gate_fx_set(&base, "lane", "deny_ms", "300");
	gate_fx_set(&base, "lane", "pulse_ms", "6000");
	assert_int_equal(gate_reload(g, &base, err, sizeof(err)), 0);
	inbound_set_base(g, &base);
	assert_int_equal(g->cfg.lane.deny_ms, 300);
	assert_int_equal(g->cfg.lane.pulse_ms, 3000);
	assert_int_equal(g->config_version, 1);

	/* A base the push no longer fits: the push is left out. */
	res = push(fx, PUSH_GATE, "{\"version\": 2, \"settings\": {"
	    "\"lane.exit\": false}}");
	assert_true(res_ok(res));
	json_decref(res);
	gate_fx_set(&base, "camera", "direction", "exit");
	assert_int_equal(gate_reload(g, &base, err, sizeof(err)), 0);
	inbound_set_base(g, &base);
	assert_true(g->cfg.lane.exit);
	assert_int_equal(g->cfg.camera.direction, DIR_EXIT);
	assert_int_equal(g->config_version, 0);
	/* Left out, it still bars its own version and older ones. */
	res = push(fx, PUSH_GATE, "{\"version\": 2, \"settings\": {}}");
	assert_string_equal(res_reason(res), "replayed");
	json_decref(res);
	res = push(fx, PUSH_GATE, "{\"version\": 1, \"settings\": {}}");
	assert_string_equal(res_reason(res), "rolled-back");
	json_decref(res);
}

/*
 * A code held in view stays held across a reload (issue 12, row 7: five
 * SIGHUPs made six grants): the same config again, as a SIGHUP without
 * an edit does, and a push that changes the window.
 */
static void
test_reload_keeps_holdoff(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	struct config cfg = g->cfg;
	const uint8_t code[] = "W-0001";
	int64_t t = clock_mono_ns();
	char err[256];
	json_t *res;

	assert_true(holdoff_admit(&g->holdoff, code, sizeof(code) - 1, t));
	assert_int_equal(gate_reload(g, &cfg, err, sizeof(err)), 0);
	assert_false(holdoff_admit(&g->holdoff, code, sizeof(code) - 1,
	    t + 100000000));
	res = push(fx, PUSH_GATE, "{\"version\": 1, \"settings\": {"
	    "\"decoder.holdoff_ms\": 2000}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->holdoff.window_ns, INT64_C(2000000000));
	assert_false(holdoff_admit(&g->holdoff, code, sizeof(code) - 1,
	    t + 200000000));
	/* Taken away for longer than the window: a new showing. */
	assert_true(holdoff_admit(&g->holdoff, code, sizeof(code) - 1,
	    t + 2300000000));
}

/*
 * What the gate opens or drives is the install's (issue 12, row 13: a
 * signed push could set camera.source, gpio.chip, gpio.backend and
 * gpio.sim_log): such a push is refused whole, each setting named.
 */
static void
test_push_devices_refused(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	struct config before;
	json_t *res;

	memcpy(&before, &g->cfg, sizeof(before));
	res = push(fx, PUSH_GATE, "{\"version\": 1, \"settings\": {"
	    "\"camera.source\": \"/dev/video1\","
	    " \"camera.backend\": \"file\","
	    " \"gpio.chip\": \"gpiochip1\","
	    " \"gpio.backend\": \"sim\","
	    " \"gpio.sim_log\": \"/tmp/x.log\","
	    " \"gpio.entry_relay\": \"4\","
	    " \"lane.pulse_ms\": 3000}}");
	assert_false(res_ok(res));
	assert_int_equal(res_errors(res), 6);
	assert_true(res_error_has(res, "camera.source names a device or file "
	    "of this gate: set it in the config file, not in a push"));
	assert_true(res_error_has(res, "camera.backend"));
	assert_true(res_error_has(res, "gpio.chip drives this gate's "
	    "hardware lines"));
	assert_true(res_error_has(res, "gpio.backend"));
	assert_true(res_error_has(res, "gpio.sim_log"));
	assert_true(res_error_has(res, "gpio.entry_relay"));
	json_decref(res);
	assert_memory_equal(&before, &g->cfg, sizeof(before));
	assert_int_equal(g->config_version, 0);
}

/* A setting that names a file, a device, a socket, a backend or a key. */
static bool
names_what_gate_opens(const char *section, const char *key)
{
	static const char *const whole[] = { "gpio", "control", "mqtt",
	    "security" };
	static const char *const keys[] = { "backend", "source", "path",
	    "socket", "chip", "group", "host", "device" };
	size_t n = strlen(key);

	for (size_t i = 0; i < nitems(whole); i++)
		if (strcmp(section, whole[i]) == 0)
			return true;
	/* The decoder is code inside qrgated: it opens nothing. */
	if (strcmp(section, "decoder") == 0)
		return false;
	for (size_t i = 0; i < nitems(keys); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return strncmp(key, "sim_", 4) == 0 ||
	    (n > 5 && strcmp(key + n - 5, "_file") == 0) ||
	    (n > 4 && strcmp(key + n - 4, "_key") == 0) ||
	    (n > 5 && strcmp(key + n - 5, "_path") == 0);
}

/*
 * Through the whole table of settings, as qrgated -E prints it: every
 * setting that names what the gate opens is refused, each at its default
 * (a valid value), so a new one added to the table without its entry in
 * push.c fails here; and what a site admin tunes is taken.
 */
static void
test_push_every_device_setting_refused(void **state)
{
	struct gate_fx *fx = *state;
	struct gate *g = &fx->gate;
	char *text = NULL, *line, *save, *d, section[32] = "", key[64];
	char want[160];
	size_t len = 0;
	int refused = 0, version = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *res, *settings;

	assert_non_null(f);
	config_write_example(f);
	assert_int_equal(fclose(f), 0);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *eq;

		if (line[0] == '[') {
			snprintf(section, sizeof(section), "%.*s",
			    (int)strcspn(line + 1, "]"), line + 1);
			continue;
		}
		if (line[0] == '#' || (eq = strstr(line, " =")) == NULL)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - line), line);
		if (!names_what_gate_opens(section, key))
			continue;
		snprintf(want, sizeof(want), "%s.%s", section, key);
		settings = json_object();
		json_object_set_new(settings, want,
		    json_string(eq[2] == ' ' ? eq + 3 : ""));
		res = json_pack("{s:i, s:o}", "version", ++version, "settings",
		    settings);
		d = json_dumps(res, JSON_COMPACT);
		json_decref(res);
		res = push(fx, PUSH_GATE, d);
		free(d);
		if (res_ok(res) || !res_error_has(res, want) ||
		    !res_error_has(res, "not in a push"))
			fail_msg("a push may set %s: %s", want,
			    json_string_value(json_array_get(json_object_get(res,
			    "errors"), 0)));
		json_decref(res);
		refused++;
	}
	free(text);
	/* gpio alone has more than ten; the table was read. */
	assert_true(refused > 20);
	assert_int_equal(g->config_version, 0);

	/* What a site admin tunes from afar is taken. */
	res = push(fx, PUSH_GATE, "{\"version\": 900, \"settings\": {"
	    "\"lane.pulse_ms\": 4000, \"lane.deny_ms\": 1000,"
	    " \"policy.badge\": true, \"policy.antipassback\": \"soft\","
	    " \"decoder.holdoff_ms\": 2000, \"decoder.backend\": \"zbar\","
	    " \"camera.fps\": 10, \"camera.stall_ms\": 4000,"
	    " \"store.retention_days\": 60, \"store.mask\": \"last4\","
	    " \"log.level\": \"info\", \"gate.lane\": \"2\"}}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(g->cfg.lane.pulse_ms, 4000);
	assert_int_equal(g->config_version, 900);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_push_applied,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_rejected,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_malformed,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_reload_fails,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_stale,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_merge,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_restore,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_restore_skips_invalid,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_new_base,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_no_rollback_after_skip,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_security_refused,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_holdoff,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_push_devices_refused,
		    gate_fx_setup_exit, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_push_every_device_setting_refused,
		    gate_fx_setup_exit, gate_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
