/*
 * Building the published JSON documents.  Nothing here knows of MQTT
 * connections; mqtt.c and mqtt_drain.c send what these return.
 */
#include "mqtt_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "timefmt.h"
#include "types.h"

/*
 * A JSON string of at most size bytes of s.  jansson refuses text that is
 * not UTF-8 (a gate id from a file written in another charset); then every
 * byte that is not ASCII becomes '?', so the message still goes out.
 */
static json_t *
msg_str(const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	json_t *j = json_stringn(s, n);
	char *copy;

	if (j != NULL || (copy = malloc(n + 1)) == NULL)
		return j;
	for (size_t i = 0; i < n; i++)
		copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	copy[n] = '\0';
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

/* Sets key to a string; json_object_set_new() drops a NULL value. */
static void
msg_put(json_t *o, const char *key, const char *s, size_t size)
{
	json_object_set_new(o, key, msg_str(s, size));
}

#define MSG_PUT(o, k, field)	msg_put((o), (k), (field), sizeof(field))

static void
msg_put_time(json_t *o, int64_t ts_ms)
{
	char t[TIMEFMT_LEN];

	json_object_set_new(o, "time",
	    json_string(timefmt_format(ts_ms, t, sizeof(t))));
	json_object_set_new(o, "ts_ms", json_integer(ts_ms));
}

/* The fields that say where and when: every message has them. */
static json_t *
msg_head(const char *gate, const char *site, const char *lane, int64_t ts_ms)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	msg_put_time(o, ts_ms);
	msg_put(o, "gate", gate, strlen(gate) + 1);
	msg_put(o, "site", site, strlen(site) + 1);
	msg_put(o, "lane", lane, strlen(lane) + 1);
	return o;
}

json_t *
mqtt_msg_event(const struct event *ev, int rev, const char *site)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	MSG_PUT(o, "event_id", ev->event_id);
	json_object_set_new(o, "seq", json_integer(ev->seq));
	json_object_set_new(o, "rev", json_integer(rev));
	msg_put_time(o, ev->ts_ms);
	MSG_PUT(o, "gate", ev->gate);
	msg_put(o, "site", site, strlen(site) + 1);
	MSG_PUT(o, "lane", ev->lane);
	json_object_set_new(o, "direction",
	    json_string(direction_name(ev->direction)));
	json_object_set_new(o, "type", json_string(event_type_name(ev->type)));
	json_object_set_new(o, "kind", json_string(cred_kind_name(ev->kind)));
	MSG_PUT(o, "subject", ev->subject);
	/* No credential id with a citizen number is accepted any more, but
	 * a database from before may hold one: it leaves masked. */
	if (mask_has_citizen_number(ev->credential_id)) {
		char masked[sizeof(ev->credential_id)];

		mask_subject(MASK_LAST4, ev->credential_id, masked,
		    sizeof(masked));
		MSG_PUT(o, "credential_id", masked);
	} else
		MSG_PUT(o, "credential_id", ev->credential_id);
	json_object_set_new(o, "result", json_string(result_name(ev->result)));
	json_object_set_new(o, "reason", json_string(reason_name(ev->reason)));
	json_object_set_new(o, "passage",
	    json_string(passage_name(ev->passage)));
	json_object_set_new(o, "decode_us", json_integer(ev->decode_us));
	json_object_set_new(o, "latency_us", json_integer(ev->latency_us));
	/* How the code was read: "camera", "scanner"; "" for none. */
	MSG_PUT(o, "source", ev->source);
	/* 19 members: fewer means one could not be made. */
	if (json_object_size(o) != 19) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
mqtt_msg_alarm_of_event(const struct event *ev, const char *site)
{
	const char *name;
	json_t *o;

	/* On and off are one alarm, so a consumer keeps one state for it. */
	switch (ev->reason) {
	case REASON_FIRE_ALARM_ON:
	case REASON_FIRE_ALARM_OFF:
		name = "fire-alarm";
		break;
	case REASON_TAMPER_ON:
	case REASON_TAMPER_OFF:
		name = "tamper";
		break;
	case REASON_FIRE_LOOP_FAULT:
	case REASON_FIRE_LOOP_OK:
		name = "fire-loop";
		break;
	case REASON_TAMPER_LOOP_FAULT:
	case REASON_TAMPER_LOOP_OK:
		name = "tamper-loop";
		break;
	case REASON_OPEN_SCHEDULE_ON:
	case REASON_OPEN_SCHEDULE_OFF:
		name = "open-schedule";
		break;
	default:
		name = reason_name(ev->reason);
		break;
	}
	if ((o = msg_head(ev->gate, site, ev->lane, ev->ts_ms)) == NULL)
		return NULL;
	json_object_set_new(o, "alarm", json_string(name));
	json_object_set_new(o, "active",
	    json_boolean(ev->reason != REASON_FIRE_ALARM_OFF &&
	    ev->reason != REASON_TAMPER_OFF &&
	    ev->reason != REASON_FIRE_LOOP_OK &&
	    ev->reason != REASON_TAMPER_LOOP_OK &&
	    ev->reason != REASON_OPEN_SCHEDULE_OFF));
	json_object_set_new(o, "reason", json_string(reason_name(ev->reason)));
	json_object_set_new(o, "direction",
	    json_string(direction_name(ev->direction)));
	MSG_PUT(o, "event_id", ev->event_id);
	json_object_set_new(o, "seq", json_integer(ev->seq));
	return o;
}

json_t *
mqtt_msg_alarm(const char *gate, const char *site, const char *lane,
    const char *name, bool active, const char *detail, int64_t ts_ms)
{
	json_t *o = msg_head(gate, site, lane, ts_ms);

	if (o == NULL)
		return NULL;
	msg_put(o, "alarm", name, strlen(name) + 1);
	json_object_set_new(o, "active", json_boolean(active));
	msg_put(o, "detail", detail, strlen(detail) + 1);
	return o;
}

json_t *
mqtt_msg_status(json_t *status, int64_t now_ms)
{
	if (status == NULL)
		return NULL;
	json_object_set_new(status, "state", json_string("online"));
	msg_put_time(status, now_ms);
	return status;
}

json_t *
mqtt_msg_step(const char *credential_id, uint32_t step)
{
	/* Exactly the two members inbound_step_parse() takes; an id that is
	 * not UTF-8 (the store never holds one) builds nothing. */
	return json_pack("{s:s, s:I}", "credential_id", credential_id,
	    "step", (json_int_t)step);
}

json_t *
mqtt_msg_offline(const char *gate, const char *site, const char *lane,
    bool clean, int64_t now_ms)
{
	json_t *o = msg_head(gate, site, lane, now_ms);

	if (o == NULL)
		return NULL;
	/* The will is written at connect time: a time there would lie. */
	if (!clean) {
		json_object_del(o, "time");
		json_object_del(o, "ts_ms");
	}
	json_object_set_new(o, "state", json_string("offline"));
	json_object_set_new(o, "clean", json_boolean(clean));
	json_object_set_new(o, "version", json_string(QRGATE_VERSION));
	return o;
}

int
mqtt_msg_ha_topic(char *buf, size_t len, const char *component,
    const char *gate, const char *object)
{
	int n = snprintf(buf, len, "homeassistant/%s/%s_%s/config", component,
	    gate, object);
	char *p;

	if (n < 0 || (size_t)n >= len)
		return -1;
	/* Home Assistant takes [a-zA-Z0-9_-] in the object id. */
	p = buf + strlen("homeassistant/") + strlen(component) + 1;
	for (size_t i = 0; i < strlen(gate); i++, p++)
		if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			*p = '_';
	return 0;
}

static json_t *
msg_ha_base(const struct mqtt_ha *ha, const char *object, const char *name,
    const char *state_topic, const char *template)
{
	char uid[200], dev[200], devname[100];

	snprintf(uid, sizeof(uid), "qrgate_%s_%s_%s", ha->site, ha->gate,
	    object);
	snprintf(dev, sizeof(dev), "qrgate_%s_%s", ha->site, ha->gate);
	snprintf(devname, sizeof(devname), "qrgate %s", ha->gate);
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s}],"
	    " s:{s:[s], s:s, s:s, s:s, s:s}}",
	    "name", name,
	    "unique_id", uid,
	    "state_topic", state_topic,
	    "value_template", template,
	    "availability",
	    "topic", ha->status_topic,
	    "value_template", "{{ value_json.state }}",
	    "payload_available", "online",
	    "payload_not_available", "offline",
	    "device",
	    "identifiers", dev, "name", devname, "manufacturer", "qrgate",
	    "model", "qrgated", "sw_version", QRGATE_VERSION);
}

json_t *
mqtt_msg_ha_way(const struct mqtt_ha *ha, const char *way)
{
	char template[128];
	json_t *o;

	if (strcmp(way, "entry") != 0 && strcmp(way, "exit") != 0)
		return NULL;
	snprintf(template, sizeof(template),
	    "{{ 'OFF' if value_json.ways.%s == 'locked' else 'ON' }}", way);
	if ((o = msg_ha_base(ha, way, way, ha->status_topic, template)) == NULL)
		return NULL;
	json_object_set_new(o, "device_class", json_string("lock"));
	return o;
}

json_t *
mqtt_msg_ha_sensor(const struct mqtt_ha *ha, const char *what)
{
	json_t *o;

	if (strcmp(what, "last_decision") == 0) {
		o = msg_ha_base(ha, what, "last decision", ha->events_topic,
		    "{{ value_json.reason }}");
		if (o != NULL)
			json_object_set_new(o, "json_attributes_topic",
			    json_string(ha->events_topic));
		return o;
	}
	if (strcmp(what, "grants") != 0 && strcmp(what, "denials") != 0)
		return NULL;
	o = msg_ha_base(ha, what, what, ha->status_topic,
	    strcmp(what, "grants") == 0 ? "{{ value_json.counters.grants }}" :
	    "{{ value_json.counters.denials }}");
	if (o != NULL)
		json_object_set_new(o, "state_class",
		    json_string("total_increasing"));
	return o;
}

char *
mqtt_msg_text(json_t *doc, size_t *len)
{
	char *text;

	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text != NULL)
		*len = strlen(text);
	return text;
}
