/*
 * What comes in: one table of the subscribed topics, each with the largest
 * message it takes, the inbound.h handler it goes to and the topic its
 * result is published on.  This is the whole wiring between MQTT and the
 * handlers, and the one place where what comes in is checked against the
 * admin key (signed_msg.h) before a handler reads it.  The one exception,
 * the other gates' dynamic steps (mqtt_step.c), is unsigned because a
 * step can only make the gate refuse a token.
 */
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "mqtt_private.h"
#include "push.h"
#include "signed_msg.h"
#include "util.h"

static json_t *
route_config_gate(struct gate *g, const struct signed_msg *sm, bool retained)
{
	(void)retained;
	return inbound_config_set(g, PUSH_GATE, sm->body, sm->len);
}

static json_t *
route_config_site(struct gate *g, const struct signed_msg *sm, bool retained)
{
	(void)retained;
	return inbound_config_set(g, PUSH_SITE, sm->body, sm->len);
}

static json_t *
route_cred_set(struct gate *g, const struct signed_msg *sm, bool retained)
{
	(void)retained;
	return inbound_credentials_set(g, sm->body, sm->len);
}

static json_t *
route_cred_patch(struct gate *g, const struct signed_msg *sm, bool retained)
{
	(void)retained;
	return inbound_credentials_patch(g, sm->body, sm->len);
}

static json_t *
route_sched_set(struct gate *g, const struct signed_msg *sm, bool retained)
{
	(void)retained;
	return inbound_schedules_set(g, sm->body, sm->len);
}

static json_t *
route_cmd(struct gate *g, const struct signed_msg *sm, bool retained)
{
	return inbound_cmd(g, sm->body, sm->len, retained);
}

#define KIB(n)	((n) * 1024)
#define MIB(n)	((n) * 1024 * 1024)

/*
 * The limits, refused here before any parsing, on the message as it
 * comes, envelope included: a config push is a few
 * settings, a command one line, and a credential chunk at most what
 * inbound_creds.c takes (about 25,000 rows: jansson holds a document many
 * times its size, so larger lists come in chunks).  The broker's
 * max_packet_size in config/mosquitto-site.conf is the largest of them
 * plus headers.
 *
 * A site-wide credential list is the same snapshot as a gate's own, on
 * <prefix>/<site>/all/credentials/set: it replaces the gate's whole set,
 * and its version is compared with the set's whichever topic that came
 * through.  Results are noted (inbound_note()) for the status, which is
 * published again at once so that the aggregator sees each gate's answer.
 */
static const struct mqtt_route {
	enum mqtt_topic topic;
	int max;
	enum mqtt_topic result;
	json_t *(*handle)(struct gate *, const struct signed_msg *, bool);
	bool noted;		/* its result goes into the status */
	enum inbound_kind kind;
	enum push_scope scope;
} mqtt_routes[] = {
	{ MQTT_T_CONFIG_SET, KIB(64), MQTT_T_CONFIG_RESULT, route_config_gate,
	    true, INBOUND_CONFIG, PUSH_GATE },
	{ MQTT_T_SITE_CONFIG_SET, KIB(64), MQTT_T_CONFIG_RESULT,
	    route_config_site, true, INBOUND_CONFIG, PUSH_SITE },
	{ MQTT_T_CRED_SET, MIB(4), MQTT_T_CRED_RESULT, route_cred_set,
	    true, INBOUND_CREDENTIALS, PUSH_GATE },
	{ MQTT_T_SITE_CRED_SET, MIB(4), MQTT_T_CRED_RESULT,
	    route_cred_set, true, INBOUND_CREDENTIALS, PUSH_SITE },
	{ MQTT_T_CRED_PATCH, MIB(4), MQTT_T_CRED_RESULT, route_cred_patch,
	    true, INBOUND_CREDENTIALS, PUSH_GATE },
	{ MQTT_T_CMD, KIB(4), MQTT_T_CMD_RESULT, route_cmd, false, 0, 0 },
	{ MQTT_T_SCHED_SET, KIB(256), MQTT_T_SCHED_RESULT, route_sched_set,
	    false, 0, 0 },
	{ MQTT_T_SITE_SCHED_SET, KIB(256), MQTT_T_SCHED_RESULT,
	    route_sched_set, false, 0, 0 },
};

#define N_ROUTES (nitems(mqtt_routes))

int
mqtt_inbound_subscribe(struct mqtt *m)
{
	const char *topic;
	int rc;

	for (size_t i = 0; i < N_ROUTES; i++) {
		/*
		 * A broker clears the retain flag of a message it passes on
		 * live, so a command published retained would run once
		 * before its kept copy is refused.  MQTT 5 lets a
		 * subscription keep the flag as published: then a retained
		 * command never runs.  Pushes may be retained (a gate
		 * started later takes them), so only commands ask.
		 */
		int opts = m->cfg.protocol == MQTT_PROTO_5 &&
		    mqtt_routes[i].topic == MQTT_T_CMD ?
		    MQTT_SUB_OPT_RETAIN_AS_PUBLISHED : 0;

		topic = m->topic[mqtt_routes[i].topic];
		rc = mosquitto_subscribe_v5(m->mosq, NULL, topic, 1, opts, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			mqtt_why_subscribe(m, topic, rc);
			return -1;
		}
	}
	return mqtt_step_subscribe(m);
}

/*
 * Every refusal says why in "reason", as the envelope's checks do.  The
 * credential handlers say "ignored": "stale" for a version not newer than
 * the set in use: the same version again is a replay, an older one a
 * rollback.
 */
static void
mqtt_inbound_reason_add(json_t *res)
{
	const char *ignored = json_string_value(json_object_get(res, "ignored"));
	json_t *v = json_object_get(res, "version");
	json_t *cur = json_object_get(res, "current");
	const char *reason;

	if (ignored == NULL || json_object_get(res, "reason") != NULL)
		return;
	if (strcmp(ignored, "stale") == 0 && json_is_integer(v) &&
	    json_is_integer(cur))
		reason = json_integer_value(v) < json_integer_value(cur) ?
		    "rolled-back" : "replayed";
	else if (strcmp(ignored, "duplicate") == 0 ||
	    strcmp(ignored, "stale") == 0)
		reason = "replayed";
	else
		reason = ignored;
	json_object_set_new(res, "reason", json_string(reason));
}

/* A message refused before its handler: nothing changed. */
static json_t *
mqtt_inbound_refused(enum signed_reason r, const char *err, int max)
{
	json_t *res;

	/* The answer to an oversized message keeps the form it had before
	 * messages were signed. */
	if (r == SIGNED_TOO_LARGE)
		return json_pack("{s:b, s:s, s:s, s:i}", "ok", 0, "reason",
		    signed_reason_name(r), "error", "too large", "limit", max);
	res = json_pack("{s:b, s:s}", "ok", 0, "reason", signed_reason_name(r));
	if (res != NULL && err[0] != '\0')
		json_object_set_new(res, "error", inbound_json_string(err));
	return res;
}

void
mqtt_inbound_dispatch(struct mqtt *m, const struct mosquitto_message *msg)
{
	const struct mqtt_route *r = NULL;
	const char *topic = msg->topic;
	size_t pl = strlen(m->cfg.topic_prefix);
	struct signed_msg sm;
	enum signed_reason why;
	char err[256];
	json_t *result;
	bool noted;

	/* The site's steps are not signed: they can only tighten. */
	if (mqtt_step_dispatch(m, msg))
		return;
	for (size_t i = 0; i < N_ROUTES; i++)
		if (strcmp(msg->topic, m->topic[mqtt_routes[i].topic]) == 0)
			r = &mqtt_routes[i];
	if (r == NULL) {
		log_debug("mqtt: message on %s ignored", msg->topic);
		return;
	}
	/* What the signature covers: the topic without the prefix, which
	 * each site may choose. */
	if (strncmp(topic, m->cfg.topic_prefix, pl) == 0 && topic[pl] == '/')
		topic += pl + 1;
	why = signed_msg_open_for(&m->gate->cfg, topic,
	    r->kind == INBOUND_CREDENTIALS, msg->payload,
	    msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0, (size_t)r->max,
	    &sm, err, sizeof(err));
	if (why != SIGNED_OK) {
		log_warnx("mqtt: %s: %s; refused (%s)", msg->topic, err,
		    signed_reason_name(why));
		result = mqtt_inbound_refused(why, err, r->max);
	} else {
		result = r->handle(m->gate, &sm, msg->retain);
		signed_msg_done(&sm);
		if (result != NULL)
			mqtt_inbound_reason_add(result);
	}
	if (result == NULL)
		return;
	/* A retained push the broker hands over again at each reconnect,
	 * and ignored as held already, is no news: the status keeps what
	 * the last push sent came to. */
	noted = r->noted && !(msg->retain &&
	    json_object_get(result, "ignored") != NULL);
	if (noted)
		inbound_note(m->gate, r->kind, r->scope, result);
	mqtt_publish_doc(m, r->result, result, false, NULL);
	if (noted)
		mqtt_status_publish(m);
}
