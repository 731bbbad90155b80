/*
 * The JSON documents the gate publishes over MQTT: events, alarms, its
 * status, and the optional Home Assistant discovery configs.  Their field
 * names are part of the product (docs/mqtt.md lists them) and are only ever
 * added to.  Each builder returns a new reference, or NULL when out of
 * memory; text that is not valid UTF-8 is published with '?' for each byte
 * that is not ASCII, never dropped.
 */
#ifndef QRGATE_MQTT_MSG_H
#define QRGATE_MQTT_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store.h"

/*
 * An event message: the row as it is now, and rev (0: the decision, 1: its
 * passage update).  Consumers keep the highest rev of each event_id.
 */
json_t *mqtt_msg_event(const struct event *ev, int rev, const char *site);

/* The alarm message of a log row of type alarm (fire alarm, forced,
 * held-open). */
json_t *mqtt_msg_alarm_of_event(const struct event *ev, const char *site);

/* The alarm message of an alarm that is not a log row. */
json_t *mqtt_msg_alarm(const char *gate, const char *site, const char *lane,
    const char *name, bool active, const char *detail, int64_t ts_ms);

/* Turns the gate's status document into the "online" status message. */
json_t *mqtt_msg_status(json_t *status, int64_t now_ms);

/* The "offline" status: the last will (clean false, no time), or the one
 * a clean stop publishes. */
json_t *mqtt_msg_offline(const char *gate, const char *site, const char *lane,
    bool clean, int64_t now_ms);

/* Where Home Assistant discovery configs point. */
struct mqtt_ha {
	const char *gate;
	const char *site;
	const char *status_topic;
	const char *events_topic;
	const char *cmd_topic;
};

/* homeassistant/<component>/<gate>_<object>/config, with the gate id made
 * of the characters Home Assistant allows.  0, or -1 when it is too long. */
int mqtt_msg_ha_topic(char *buf, size_t len, const char *component,
    const char *gate, const char *object);
/*
 * A binary sensor of class lock for way ("entry" or "exit"): on while the
 * way is released or free.  Not a lock entity: that would need a fixed
 * command payload, and a command needs a fresh id and expiry each time.
 */
json_t *mqtt_msg_ha_way(const struct mqtt_ha *ha, const char *way);
/* A sensor: "last_decision", "grants" or "denials"; NULL for another. */
json_t *mqtt_msg_ha_sensor(const struct mqtt_ha *ha, const char *what);

/* A dynamic step granted here, for the site's other gates:
 * {"credential_id": ID, "step": N} (inbound.h reads it). */
json_t *mqtt_msg_step(const char *credential_id, uint32_t step);

/* Compact text of doc, which it releases; NULL when out of memory. */
char *mqtt_msg_text(json_t *doc, size_t *len);

#endif
