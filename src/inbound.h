/*
 * What IT and security staff send a gate over MQTT: config pushes,
 * credential lists and commands.  Each handler takes one message, changes
 * the gate all at once or not at all, and returns the result document to
 * publish on the matching .../result topic (a new reference), or NULL when
 * nothing is to be published.  The handlers know nothing of MQTT itself:
 * the client (mqtt.c) subscribes, dispatches and publishes.
 */
#ifndef QRGATE_INBOUND_H
#define QRGATE_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct gate;

/* Which config push a message is: this gate's own, or the site-wide one. */
enum push_scope { PUSH_SITE, PUSH_GATE };

/* config/set and qrgate/<site>/all/config/set. */
json_t *inbound_config_set(struct gate *g, enum push_scope scope,
    const uint8_t *payload, size_t len);

/* credentials/set: a snapshot, possibly in numbered chunks. */
json_t *inbound_credentials_set(struct gate *g, const uint8_t *payload, size_t len);

/* credentials/patch: add, update, remove. */
json_t *inbound_credentials_patch(struct gate *g, const uint8_t *payload, size_t len);

/* cmd: open, lockdown, release, normal.  retained: the broker replayed a
 * retained message, which is never acted on. */
json_t *inbound_cmd(struct gate *g, const uint8_t *payload, size_t len, bool retained);

#endif
