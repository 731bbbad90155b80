/*
 * Dynamic steps across the site (inbound.h says why).  Out: the gate's
 * hook only queues the step and arms a timer, so a grant never waits on
 * the network; the timer publishes each step at QoS 1, not retained, on
 * this gate's .../steps.  A step granted while the broker is unreachable
 * is not kept: it is worth something for a minute or two only (the token
 * expires with it), and the outbox would deliver it long after.  In: every
 * gate of the site subscribes to <prefix>/<site>/+/steps and hands the
 * other gates' steps to inbound_step(); its own are ignored.
 */
#include <mosquitto.h>
#include <stdio.h>
#include <string.h>

#include "inbound.h"
#include "log.h"
#include "mqtt_private.h"
#include "mqtt_msg.h"
#include "util.h"

static void
mqtt_step_send(struct loop *l, struct loop_timer *t)
{
	struct mqtt *m = container_of(t, struct mqtt, step_timer);

	(void)l;
	for (int i = 0; i < m->n_step_q; i++) {
		if (m->state != MQTT_UP || m->mosq == NULL) {
			m->steps_lost += (uint64_t)(m->n_step_q - i);
			break;
		}
		if (mqtt_publish_doc(m, MQTT_T_STEPS, mqtt_msg_step(
		    m->step_q[i].id, m->step_q[i].step), false, NULL) == 0)
			m->steps_sent++;
		else
			m->steps_lost++;
	}
	m->n_step_q = 0;
	mqtt_settle(m);
}

void
mqtt_step_open(struct mqtt *m)
{
	m->step_timer.cb = mqtt_step_send;
}

/* The gate's hook (struct gate_uplink): a dynamic grant is committed. */
void
mqtt_step_granted(void *arg, const char *credential_id, uint32_t step)
{
	struct mqtt *m = arg;
	struct mqtt_step_out *q;

	if (m->state != MQTT_UP || m->n_step_q == MQTT_STEP_QUEUE) {
		m->steps_lost++;
		log_debug("mqtt: step of %s not sent: %s", credential_id,
		    m->state != MQTT_UP ? "not connected" : "queue full");
		return;
	}
	q = &m->step_q[m->n_step_q++];
	snprintf(q->id, sizeof(q->id), "%s", credential_id);
	q->step = step;
	if (!m->step_timer.pending)
		loop_timer_set(m->loop, &m->step_timer, 0);
}

/* A lost connection: what is queued is lost with it. */
void
mqtt_step_reset(struct mqtt *m)
{
	if (m->loop != NULL)
		loop_timer_cancel(m->loop, &m->step_timer);
	m->steps_lost += (uint64_t)m->n_step_q;
	m->n_step_q = 0;
}

int
mqtt_step_subscribe(struct mqtt *m)
{
	int rc;

	snprintf(m->step_sub, sizeof(m->step_sub), "%s/%s/+/steps",
	    m->cfg.topic_prefix, m->site);
	rc = mosquitto_subscribe(m->mosq, NULL, m->step_sub, 1);
	if (rc != MOSQ_ERR_SUCCESS) {
		mqtt_why_subscribe(m, m->step_sub, rc);
		return -1;
	}
	return 0;
}

/*
 * The gate id of a topic <prefix>/<site>/<gate>/steps, copied to gate;
 * -1 when topic is not one of those.
 */
static int
mqtt_step_gate(const struct mqtt *m, const char *topic, char *gate,
    size_t len)
{
	size_t pl = strlen(m->cfg.topic_prefix), sl = strlen(m->site), gl;
	const char *g, *end;

	if (strncmp(topic, m->cfg.topic_prefix, pl) != 0 || topic[pl] != '/' ||
	    strncmp(topic + pl + 1, m->site, sl) != 0 ||
	    topic[pl + 1 + sl] != '/')
		return -1;
	g = topic + pl + 1 + sl + 1;
	if ((end = strchr(g, '/')) == NULL || strcmp(end, "/steps") != 0)
		return -1;
	gl = (size_t)(end - g);
	if (gl == 0 || gl >= len)
		return -1;
	memcpy(gate, g, gl);
	gate[gl] = '\0';
	return 0;
}

bool
mqtt_step_dispatch(struct mqtt *m, const struct mosquitto_message *msg)
{
	char from[64];

	if (m->step_sub[0] == '\0' ||
	    mqtt_step_gate(m, msg->topic, from, sizeof(from)) == -1)
		return false;
	/* Its own steps are in its store already. */
	if (strcmp(from, m->gate_id) == 0)
		return true;
	switch (inbound_step(m->gate, from, msg->payload,
	    msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0, msg->retain)) {
	case INBOUND_STEP_RAISED:
		m->steps_taken++;
		break;
	case INBOUND_STEP_REFUSED:
		m->steps_refused++;
		break;
	case INBOUND_STEP_IGNORED:
		break;
	}
	return true;
}
