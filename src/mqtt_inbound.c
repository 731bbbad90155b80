/*
 * What comes in: one table of the subscribed topics, each with the largest
 * message it takes, the inbound.h handler it goes to and the topic its
 * result is published on.  This is the whole wiring between MQTT and the
 * handlers.
 */
#include <mosquitto.h>
#include <string.h>

#include "inbound.h"
#include "log.h"
#include "mqtt.h"

static json_t *
route_config_gate(struct gate *g, const struct mosquitto_message *msg)
{
	return inbound_config_set(g, PUSH_GATE, msg->payload,
	    (size_t)msg->payloadlen);
}

static json_t *
route_config_site(struct gate *g, const struct mosquitto_message *msg)
{
	return inbound_config_set(g, PUSH_SITE, msg->payload,
	    (size_t)msg->payloadlen);
}

static json_t *
route_cred_set(struct gate *g, const struct mosquitto_message *msg)
{
	return inbound_credentials_set(g, msg->payload,
	    (size_t)msg->payloadlen);
}

static json_t *
route_cred_patch(struct gate *g, const struct mosquitto_message *msg)
{
	return inbound_credentials_patch(g, msg->payload,
	    (size_t)msg->payloadlen);
}

static json_t *
route_cmd(struct gate *g, const struct mosquitto_message *msg)
{
	return inbound_cmd(g, msg->payload, (size_t)msg->payloadlen,
	    msg->retain);
}

#define KIB(n)	((n) * 1024)
#define MIB(n)	((n) * 1024 * 1024)

/*
 * The limits, refused here before any parsing: a config push is a few
 * settings, a command one line, and a credential chunk at most what
 * inbound_creds.c takes (about 25,000 rows: jansson holds a document many
 * times its size, so larger lists come in chunks).  The broker's
 * max_packet_size in config/mosquitto-site.conf is the largest of them
 * plus headers.
 */
static const struct mqtt_route {
	enum mqtt_topic topic;
	int max;
	enum mqtt_topic result;
	json_t *(*handle)(struct gate *, const struct mosquitto_message *);
} mqtt_routes[] = {
	{ MQTT_T_CONFIG_SET, KIB(64), MQTT_T_CONFIG_RESULT, route_config_gate },
	{ MQTT_T_SITE_CONFIG_SET, KIB(64), MQTT_T_CONFIG_RESULT,
	    route_config_site },
	{ MQTT_T_CRED_SET, MIB(4), MQTT_T_CRED_RESULT, route_cred_set },
	{ MQTT_T_CRED_PATCH, MIB(4), MQTT_T_CRED_RESULT, route_cred_patch },
	{ MQTT_T_CMD, KIB(4), MQTT_T_CMD_RESULT, route_cmd },
};

#define N_ROUTES (sizeof(mqtt_routes) / sizeof(mqtt_routes[0]))

int
mqtt_inbound_subscribe(struct mqtt *m)
{
	const char *topic;
	int rc;

	for (size_t i = 0; i < N_ROUTES; i++) {
		topic = m->topic[mqtt_routes[i].topic];
		rc = mosquitto_subscribe(m->mosq, NULL, topic, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			m->broken = true;
			log_warnx("mqtt: subscribe %s: %s", topic,
			    mosquitto_strerror(rc));
			return -1;
		}
	}
	return 0;
}

void
mqtt_inbound_dispatch(struct mqtt *m, const struct mosquitto_message *msg)
{
	const struct mqtt_route *r = NULL;
	json_t *result;

	for (size_t i = 0; i < N_ROUTES; i++)
		if (strcmp(msg->topic, m->topic[mqtt_routes[i].topic]) == 0)
			r = &mqtt_routes[i];
	if (r == NULL) {
		log_debug("mqtt: message on %s ignored", msg->topic);
		return;
	}
	if (msg->payloadlen > r->max) {
		log_warnx("mqtt: %s: a message of %d bytes is over the limit "
		    "of %d; ignored", msg->topic, msg->payloadlen, r->max);
		result = json_pack("{s:b, s:s, s:i}", "ok", 0,
		    "error", "too large", "limit", r->max);
	} else
		result = r->handle(m->gate, msg);
	if (result != NULL)
		mqtt_publish_doc(m, r->result, result, false, NULL);
}
