/*
 * The published documents: the event schema member by member, the alarm
 * mapping, status and will, Home Assistant discovery, and text that is
 * hostile or not UTF-8 still making valid JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mqtt_msg.h"
#include "util.h"

static struct event
event_make(void)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = 42;
	snprintf(ev.event_id, sizeof(ev.event_id), "0123456789abcdef0123456789abcdef");
	ev.ts_ms = 1767225600123LL;	/* 2026-01-01T00:00:00.123Z */
	snprintf(ev.gate, sizeof(ev.gate), "g1");
	snprintf(ev.lane, sizeof(ev.lane), "A");
	ev.direction = DIR_EXIT;
	ev.type = EV_SCAN;
	ev.kind = CRED_CCCD;
	snprintf(ev.credential_id, sizeof(ev.credential_id), "C-1");
	snprintf(ev.subject, sizeof(ev.subject), "********1234");
	ev.result = RES_GRANTED;
	ev.reason = REASON_GRANTED;
	ev.passage = PASSAGE_PASSED;
	ev.decode_us = 5000;
	ev.latency_us = 6000;
	snprintf(ev.source, sizeof(ev.source), "scanner");
	return ev;
}

/* Through text and back: what a subscriber would parse. */
static json_t *
roundtrip(json_t *doc)
{
	size_t len = 0;
	char *text = mqtt_msg_text(doc, &len);
	json_error_t err;
	json_t *back;

	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	assert_null(strchr(text, '\n'));
	back = json_loads(text, 0, &err);
	free(text);
	assert_non_null(back);
	return back;
}

static const char *
str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	assert_non_null(v);
	return v;
}

static json_int_t
num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
test_event_schema(void **state)
{
	static const char *const keys[] = {
		"event_id", "seq", "rev", "time", "ts_ms", "gate", "site",
		"lane", "direction", "type", "kind", "subject", "credential_id",
		"result", "reason", "passage", "decode_us", "latency_us",
		"source",
	};
	struct event ev = event_make();
	json_t *o;

	(void)state;
	o = roundtrip(mqtt_msg_event(&ev, 1, "s1"));
	assert_int_equal(json_object_size(o), nitems(keys));
	for (size_t i = 0; i < nitems(keys); i++)
		assert_non_null(json_object_get(o, keys[i]));
	assert_string_equal(str(o, "event_id"), ev.event_id);
	assert_int_equal(num(o, "seq"), 42);
	assert_int_equal(num(o, "rev"), 1);
	assert_string_equal(str(o, "time"), "2026-01-01T00:00:00.123Z");
	assert_int_equal(num(o, "ts_ms"), 1767225600123LL);
	assert_string_equal(str(o, "gate"), "g1");
	assert_string_equal(str(o, "site"), "s1");
	assert_string_equal(str(o, "lane"), "A");
	assert_string_equal(str(o, "direction"), "exit");
	assert_string_equal(str(o, "type"), "scan");
	assert_string_equal(str(o, "kind"), "cccd");
	assert_string_equal(str(o, "subject"), "********1234");
	assert_string_equal(str(o, "credential_id"), "C-1");
	assert_string_equal(str(o, "result"), "granted");
	assert_string_equal(str(o, "reason"), "granted");
	assert_string_equal(str(o, "passage"), "passed");
	assert_int_equal(num(o, "decode_us"), 5000);
	assert_int_equal(num(o, "latency_us"), 6000);
	assert_string_equal(str(o, "source"), "scanner");
	json_decref(o);

	/* No scan: -1 stays -1. */
	ev.decode_us = ev.latency_us = -1;
	o = roundtrip(mqtt_msg_event(&ev, 0, "s1"));
	assert_int_equal(num(o, "decode_us"), -1);
	assert_int_equal(num(o, "rev"), 0);
	json_decref(o);
}

/* Quotes, backslashes and control characters are escaped, never raw;
 * bytes that are not UTF-8 become '?' and the message still goes out. */
static void
test_hostile_text(void **state)
{
	struct event ev = event_make();
	json_t *o;

	(void)state;
	snprintf(ev.subject, sizeof(ev.subject), "a\"b\\c\n}{\x01");
	snprintf(ev.credential_id, sizeof(ev.credential_id), "\xc3\x28\xff-id");
	snprintf(ev.gate, sizeof(ev.gate), "g\xe9te");	/* Latin-1 */
	o = roundtrip(mqtt_msg_event(&ev, 0, "s\xff"));
	assert_string_equal(str(o, "subject"), "a\"b\\c\n}{\x01");
	assert_string_equal(str(o, "credential_id"), "?(?-id");
	assert_string_equal(str(o, "gate"), "g?te");
	assert_string_equal(str(o, "site"), "s?");
	json_decref(o);

	/* A field filled to the brim, without its NUL, is read no further. */
	memset(ev.subject, 'x', sizeof(ev.subject));
	o = roundtrip(mqtt_msg_event(&ev, 0, "s1"));
	assert_int_equal(strlen(str(o, "subject")), sizeof(ev.subject));
	json_decref(o);
}

/* A credential id from before ids were checked, holding a citizen
 * number, leaves masked. */
static void
test_citizen_number_id_masked(void **state)
{
	struct event ev = event_make();
	json_t *o;

	(void)state;
	snprintf(ev.credential_id, sizeof(ev.credential_id), "C-079190001234");
	o = roundtrip(mqtt_msg_event(&ev, 0, "s1"));
	assert_string_equal(str(o, "credential_id"), "**********1234");
	json_decref(o);
}

static void
test_alarm_of_event(void **state)
{
	static const struct {
		enum reason reason;
		const char *alarm;
		bool active;
	} cases[] = {
		{ REASON_FIRE_ALARM_ON, "fire-alarm", true },
		{ REASON_FIRE_ALARM_OFF, "fire-alarm", false },
		{ REASON_FORCED, "forced", true },
		{ REASON_HELD_OPEN, "held-open", true },
		{ REASON_TAMPER_ON, "tamper", true },
		{ REASON_TAMPER_OFF, "tamper", false },
		{ REASON_FIRE_LOOP_FAULT, "fire-loop", true },
		{ REASON_FIRE_LOOP_OK, "fire-loop", false },
		{ REASON_TAMPER_LOOP_FAULT, "tamper-loop", true },
		{ REASON_TAMPER_LOOP_OK, "tamper-loop", false },
	};
	struct event ev = event_make();
	json_t *o;

	(void)state;
	ev.type = EV_ALARM;
	ev.result = RES_ALARM;
	for (size_t i = 0; i < nitems(cases); i++) {
		ev.reason = cases[i].reason;
		o = roundtrip(mqtt_msg_alarm_of_event(&ev, "s1"));
		assert_string_equal(str(o, "alarm"), cases[i].alarm);
		assert_int_equal(json_is_true(json_object_get(o, "active")), cases[i].active);
		assert_string_equal(str(o, "reason"), reason_name(cases[i].reason));
		assert_string_equal(str(o, "event_id"), ev.event_id);
		assert_int_equal(num(o, "seq"), 42);
		assert_string_equal(str(o, "site"), "s1");
		assert_string_equal(str(o, "direction"), "exit");
		assert_string_equal(str(o, "time"), "2026-01-01T00:00:00.123Z");
		json_decref(o);
	}
}

static void
test_alarm_direct(void **state)
{
	json_t *o;

	(void)state;
	o = roundtrip(mqtt_msg_alarm("g1", "s1", "A", "camera", true, "lost",
	    1767225600123LL));
	assert_string_equal(str(o, "alarm"), "camera");
	assert_true(json_is_true(json_object_get(o, "active")));
	assert_string_equal(str(o, "detail"), "lost");
	assert_string_equal(str(o, "gate"), "g1");
	assert_string_equal(str(o, "lane"), "A");
	assert_int_equal(num(o, "ts_ms"), 1767225600123LL);
	assert_null(json_object_get(o, "event_id"));
	json_decref(o);
}

static void
test_status_and_will(void **state)
{
	json_t *o;

	(void)state;
	assert_null(mqtt_msg_status(NULL, 0));
	o = roundtrip(mqtt_msg_status(json_pack("{s:s}", "gate", "g1"), 1767225600123LL));
	assert_string_equal(str(o, "state"), "online");
	assert_string_equal(str(o, "gate"), "g1");
	assert_string_equal(str(o, "time"), "2026-01-01T00:00:00.123Z");
	json_decref(o);

	/* The will is written at connect time: it carries no time. */
	o = roundtrip(mqtt_msg_offline("g1", "s1", "A", false, 1767225600123LL));
	assert_string_equal(str(o, "state"), "offline");
	assert_true(json_is_false(json_object_get(o, "clean")));
	assert_null(json_object_get(o, "time"));
	assert_null(json_object_get(o, "ts_ms"));
	assert_string_equal(str(o, "gate"), "g1");
	assert_string_equal(str(o, "version"), QRGATE_VERSION);
	json_decref(o);
	o = roundtrip(mqtt_msg_offline("g1", "s1", "A", true, 1767225600123LL));
	assert_true(json_is_true(json_object_get(o, "clean")));
	assert_int_equal(num(o, "ts_ms"), 1767225600123LL);
	json_decref(o);
}

static void
test_ha_discovery(void **state)
{
	struct mqtt_ha ha = {
		.gate = "g1", .site = "s1",
		.status_topic = "q/s1/g1/status", .events_topic = "q/s1/g1/events",
		.cmd_topic = "q/s1/g1/cmd",
	};
	char topic[80], small[20];
	json_t *o;

	(void)state;
	assert_int_equal(mqtt_msg_ha_topic(topic, sizeof(topic), "binary_sensor",
	    "gate.1/x", "entry"), 0);
	assert_string_equal(topic, "homeassistant/binary_sensor/gate_1_x_entry/config");
	assert_int_equal(mqtt_msg_ha_topic(small, sizeof(small), "sensor", "g1",
	    "grants"), -1);

	o = roundtrip(mqtt_msg_ha_way(&ha, "entry"));
	assert_string_equal(str(o, "device_class"), "lock");
	assert_string_equal(str(o, "state_topic"), "q/s1/g1/status");
	assert_non_null(strstr(str(o, "value_template"), "value_json.ways.entry"));
	assert_string_equal(str(o, "unique_id"), "qrgate_s1_g1_entry");
	assert_null(json_object_get(o, "command_topic"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "availability"), 0), "topic")), "q/s1/g1/status");
	json_decref(o);
	assert_null(mqtt_msg_ha_way(&ha, "sideways"));

	o = roundtrip(mqtt_msg_ha_sensor(&ha, "last_decision"));
	assert_string_equal(str(o, "state_topic"), "q/s1/g1/events");
	assert_string_equal(str(o, "json_attributes_topic"), "q/s1/g1/events");
	json_decref(o);
	o = roundtrip(mqtt_msg_ha_sensor(&ha, "denials"));
	assert_non_null(strstr(str(o, "value_template"), "counters.denials"));
	assert_string_equal(str(o, "state_class"), "total_increasing");
	json_decref(o);
	assert_null(mqtt_msg_ha_sensor(&ha, "secrets"));
}

static void
test_text_of_null(void **state)
{
	size_t len = 99;

	(void)state;
	assert_null(mqtt_msg_text(NULL, &len));
	assert_int_equal(len, 99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_schema),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_citizen_number_id_masked),
		cmocka_unit_test(test_alarm_of_event),
		cmocka_unit_test(test_alarm_direct),
		cmocka_unit_test(test_status_and_will),
		cmocka_unit_test(test_ha_discovery),
		cmocka_unit_test(test_text_of_null),
	};

	log_init("test_mqtt_msg", LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
