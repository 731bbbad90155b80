/*
 * The MQTT client's private API, for mqtt*.c only: the client is one
 * module in several files (the connection in mqtt.c and mqtt_connect.c,
 * the outbox in mqtt_drain.c, dynamic steps in mqtt_step.c, the
 * subscriptions in mqtt_inbound.c), and these are the calls between them.
 * The rest of the daemon uses mqtt.h.
 */
#ifndef QRGATE_MQTT_PRIVATE_H
#define QRGATE_MQTT_PRIVATE_H

#include <jansson.h>

#include "mqtt.h"

struct mosquitto_message;

/* Mark the connection broken, keeping the first reason ("what: text")
 * for mqtt_lost()'s one log line.  rc is libmosquitto's. */
void mqtt_why(struct mqtt *m, const char *what, int rc);
void mqtt_why_text(struct mqtt *m, const char *what, const char *text);
void mqtt_why_subscribe(struct mqtt *m, const char *topic, int rc);
/* After each call into libmosquitto: tears a broken connection down and
 * schedules the next attempt, or follows libmosquitto's wish to write. */
void mqtt_settle(struct mqtt *m);
void mqtt_lost(struct mqtt *m);
void mqtt_callbacks_set(struct mqtt *m);

/* Publishes doc (released) on topic t at QoS 1.  mid may be NULL.
 * Returns -1 when doc could not be built (NULL: out of memory; logged
 * here) or libmosquitto refused it (the connection is marked broken). */
int mqtt_publish_doc(struct mqtt *m, enum mqtt_topic t, json_t *doc,
    bool retain, int *mid);
void mqtt_alarm_set(struct mqtt *m, enum mqtt_alarm a, bool active,
    const char *detail);
/* An active alarm whose detail changed (a count of days): logged and
 * published again, still active. */
void mqtt_alarm_detail(struct mqtt *m, enum mqtt_alarm a, const char *detail);
/* Publishes the gate's status (retained) now: at each heartbeat, and
 * after a push changed what it reports. */
void mqtt_status_publish(struct mqtt *m);
/* Arms the drain timer: the outbox is looked at on the next round. */
void mqtt_kick(struct mqtt *m);

/* mqtt_connect.c: one attempt, on the next address or after a lookup. */
void mqtt_connect_start(struct mqtt *m);
void mqtt_resolve_poll(struct mqtt *m);

/* mqtt_drain.c: the outbox. */
void mqtt_drain_run(struct mqtt *m);
void mqtt_drain_acked(struct mqtt *m, int mid, int reason_code);
void mqtt_drain_flush(struct mqtt *m);
void mqtt_drain_reset(struct mqtt *m);

/* mqtt_step.c: dynamic steps, out to the site and in from it. */
void mqtt_step_open(struct mqtt *m);
void mqtt_step_granted(void *arg, const char *credential_id, uint32_t step);
void mqtt_step_reset(struct mqtt *m);
int mqtt_step_subscribe(struct mqtt *m);
/* True when msg came on a step topic (and was handled). */
bool mqtt_step_dispatch(struct mqtt *m, const struct mosquitto_message *msg);

/* mqtt_cert.c: the client certificate's end, as an alarm and in status.
 * load reads mqtt.cert_file (at each attempt, since a renewal replaces
 * it); check raises or clears "cert-expiring". */
void mqtt_cert_load(struct mqtt *m);
void mqtt_cert_check(struct mqtt *m);
void mqtt_cert_status(struct mqtt *m, json_t *mqtt_status);

/* mqtt_inbound.c: subscriptions and the dispatch to inbound.h. */
int mqtt_inbound_subscribe(struct mqtt *m);
void mqtt_inbound_dispatch(struct mqtt *m, const struct mosquitto_message *msg);

#endif
