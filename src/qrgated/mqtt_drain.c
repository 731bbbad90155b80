/*
 * Sending the outbox: at most mqtt.inflight_max rows in flight, read in id
 * order after the last one sent on this connection, each deleted once the
 * broker's PUBACK came back.  Deletes are batched (one transaction, one
 * sync, for up to MQTT_ACK_BATCH rows): a delete lost in a crash only
 * means a message is sent twice, which consumers drop by event_id and rev.
 * On a new connection everything still in the outbox is sent again from
 * the oldest row, so nothing the broker did not acknowledge is lost.
 */
#include <stdio.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "log.h"
#include "mqtt_private.h"
#include "mqtt_msg.h"
#include "store_outbox.h"
#include "util.h"

/* MQTT 5 reason codes from 0x80 up refuse a message. */
#define MQTT_RC_REFUSED 0x80

/* A refusal that sending the message again would only repeat. */
static bool
mqtt_refusal_final(int reason_code)
{
	return reason_code == MQTT_RC_NOT_AUTHORIZED ||
	    reason_code == MQTT_RC_TOPIC_NAME_INVALID ||
	    reason_code == MQTT_RC_PACKET_TOO_LARGE ||
	    reason_code == MQTT_RC_PAYLOAD_FORMAT_INVALID;
}

static void
mqtt_slot_add(struct mqtt *m, int mid, int64_t id)
{
	/* The table is sized for two slots a row (event and alarm), and
	 * rows are read only while fewer than inflight_max are out. */
	if (m->n_slot < (int)nitems(m->slot))
		m->slot[m->n_slot++] = (struct mqtt_slot){ .mid = mid,
		    .id = id };
}

static void
mqtt_acked_add(struct mqtt *m, int64_t id)
{
	if (m->n_acked == MQTT_ACK_BATCH)
		mqtt_drain_flush(m);
	m->acked[m->n_acked++] = id;
}

void
mqtt_drain_flush(struct mqtt *m)
{
	if (m->n_acked == 0)
		return;
	/* On failure (the store logged it) the rows stay and are sent
	 * again: duplicates, not losses. */
	(void)store_outbox_delete(m->gate->store, m->acked, m->n_acked);
	m->n_acked = 0;
}

void
mqtt_drain_reset(struct mqtt *m)
{
	mqtt_drain_flush(m);
	m->n_slot = 0;
	m->n_rows = 0;
	m->last_sent_id = 0;
}

void
mqtt_drain_acked(struct mqtt *m, int mid, int reason_code)
{
	int64_t id;
	int i;

	for (i = 0; i < m->n_slot && m->slot[i].mid != mid; i++)
		;
	/* Status, alarms and results are not outbox rows. */
	if (i == m->n_slot)
		return;
	id = m->slot[i].id;
	if (reason_code >= MQTT_RC_REFUSED &&
	    !mqtt_refusal_final(reason_code)) {
		/* A quota, a passing trouble: the row stays, and the next
		 * connection sends it again. */
		mqtt_why_text(m, "the broker refused a message for now",
		    mosquitto_reason_string(reason_code));
		return;
	}
	m->slot[i] = m->slot[--m->n_slot];
	if (reason_code >= MQTT_RC_REFUSED) {
		/* Sending it again would be refused again; the event stays
		 * in the log. */
		if (m->refused++ == 0)
			log_warnx("mqtt: the broker refused an event message "
			    "(%s); such messages are dropped from the outbox",
			    mosquitto_reason_string(reason_code));
	} else
		m->published++;
	/* An alarm row has two messages: both must be in. */
	for (i = 0; i < m->n_slot; i++)
		if (m->slot[i].id == id)
			return;
	m->n_rows--;
	mqtt_acked_add(m, id);
	mqtt_kick(m);
}

/* Raises and clears the outbox alarms, with some hysteresis. */
static void
mqtt_outbox_check(struct mqtt *m)
{
	int64_t depth, max;
	char detail[96];

	if (store_outbox_depth(m->gate->store, &depth, &max) == -1)
		return;
	m->depth = depth;
	if (max <= 0)
		return;
	snprintf(detail, sizeof(detail), "%lld of %lld messages waiting",
	    (long long)depth, (long long)max);
	if (depth * 10 >= max * 9)
		mqtt_alarm_set(m, MQTT_A_OUTBOX_NEAR_FULL, true, detail);
	else if (depth * 10 < max * 8)
		mqtt_alarm_set(m, MQTT_A_OUTBOX_NEAR_FULL, false, detail);
	if (depth >= max)
		mqtt_alarm_set(m, MQTT_A_OUTBOX_FULL, true, detail);
	else if (depth * 10 < max * 9)
		mqtt_alarm_set(m, MQTT_A_OUTBOX_FULL, false, detail);
}

static int
mqtt_drain_row(int64_t id, int rev, const struct event *ev, void *arg)
{
	struct mqtt *m = arg;
	int mid;

	m->last_sent_id = id;
	if (ev == NULL) {
		log_warnx("mqtt: outbox row %lld: its event cannot be read; "
		    "dropped", (long long)id);
		mqtt_acked_add(m, id);
		return 0;
	}
	if (mqtt_publish_doc(m, MQTT_T_EVENTS, mqtt_msg_event(ev, rev, m->site),
	    false, &mid) == -1)
		return m->broken ? 1 : 0;
	m->n_rows++;
	mqtt_slot_add(m, mid, id);
	if (ev->type == EV_ALARM && rev == OUTBOX_REV_DECISION &&
	    mqtt_publish_doc(m, MQTT_T_ALARM,
	    mqtt_msg_alarm_of_event(ev, m->site), false, &mid) == 0)
		mqtt_slot_add(m, mid, id);
	return m->broken ? 1 : 0;
}

void
mqtt_drain_run(struct mqtt *m)
{
	int room;

	mqtt_outbox_check(m);
	if (m->state != MQTT_UP || m->mosq == NULL || m->broken)
		return;
	/* Idle pipe: every acknowledgement is in, write them down now. */
	if (m->n_acked >= MQTT_ACK_BATCH / 2 ||
	    (m->n_rows == 0 && m->n_acked > 0))
		mqtt_drain_flush(m);
	/* On failure (the store logged it) the next round tries again. */
	room = m->cfg.inflight_max - m->n_rows;
	if (room > 0)
		(void)store_outbox_next(m->gate->store, m->last_sent_id, room,
		    mqtt_drain_row, m);
}
