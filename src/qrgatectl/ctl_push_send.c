/*
 * qrgatectl push's MQTT client: a short-lived client of its own, so it
 * runs libmosquitto's own loop.  It returns once the broker acknowledged
 * every message or, with --wait-result, once the gate answered on the
 * result topic (subscribed before publishing, so that the answer cannot
 * come first).
 *
 * A site-wide push with --wait-result waits for every gate of the site:
 * those are the gates whose status the broker keeps (each gate publishes
 * it retained, so it comes with the subscription, before the broker
 * acknowledges the push), and any other that answers.  Each gate's answer
 * is one line; a gate that did not answer in time is one too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>

#include "ctl_push.h"

static void
push_on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct push_client *pc = arg;

	(void)mosq;
	pc->conn_rc = rc;
	pc->connected = rc == 0;
	if (rc != 0)
		pc->lost = true;
}

static void
push_on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	struct push_client *pc = arg;

	(void)mosq;
	(void)rc;
	pc->lost = true;
}

static void
push_on_subscribe(struct mosquitto *mosq, void *arg, int mid, int n,
    const int *qos)
{
	struct push_client *pc = arg;

	(void)mosq;
	(void)mid;
	/* 0x80: the broker refused the subscription (its ACL). */
	if (n != 1 || qos[0] == 0x80)
		pc->lost = true;
	else if (++pc->subs_acked == pc->subs_wanted)
		pc->subscribed = true;
}

/* Whether every gate waited for has answered, once all was sent. */
static void
push_check_answered(struct push_client *pc)
{
	const char *gate;
	json_t *v;

	if (!pc->acked)
		return;
	if (pc->gate != NULL) {
		pc->answered = json_object_get(pc->answers, pc->gate) != NULL;
		return;
	}
	if (json_object_size(pc->known) == 0)
		return;
	json_object_foreach(pc->known, gate, v)
		if (json_object_get(pc->answers, gate) == NULL)
			return;
	pc->answered = true;
}

static void
push_on_publish(struct mosquitto *mosq, void *arg, int mid)
{
	struct push_client *pc = arg;

	(void)mosq;
	for (int i = 0; i < pc->n_mids; i++)
		if (pc->mids[i] == mid && ++pc->n_acked == pc->n_mids)
			pc->acked = true;
	push_check_answered(pc);
}

/* The gate of <prefix>/<site>/<gate>/..., into buf; -1 if none. */
static int
push_topic_gate(const struct push_client *pc, const char *topic, char *buf,
    size_t len)
{
	size_t pl = strlen(pc->prefix), sl = strlen(pc->site), n;
	const char *g = topic + pl + 1 + sl + 1, *end;

	if (strlen(topic) <= pl + sl + 2 || (end = strchr(g, '/')) == NULL ||
	    (n = (size_t)(end - g)) == 0 || n >= len)
		return -1;
	memcpy(buf, g, n);
	buf[n] = '\0';
	return 0;
}

/* Whether an answer is a gate's last word on what was sent. */
static bool
push_answer_final(const struct push_client *pc, const json_t *doc)
{
	const char *ignored = json_string_value(json_object_get(doc,
	    "ignored"));

	if (!pc->chunked)
		return true;
	if (json_is_true(json_object_get(doc, "ok")))
		return json_object_get(doc, "applied") != NULL;
	/* A chunk the broker delivered twice says nothing of the list. */
	return ignored == NULL || strcmp(ignored, "duplicate") != 0;
}

static bool
push_topic_is(const char *sub, const char *topic)
{
	bool match = false;

	return sub != NULL && mosquitto_topic_matches_sub(sub, topic,
	    &match) == MOSQ_ERR_SUCCESS && match;
}

/*
 * A result on our topic is ours when it names our id or version, or
 * neither: a message refused before its handler (a bad signature) has
 * nothing to name it by.  A status tells a gate of the site.
 */
static void
push_on_message(struct mosquitto *mosq, void *arg,
    const struct mosquitto_message *msg)
{
	struct push_client *pc = arg;
	char gate[128];
	json_t *doc, *id, *v;
	const char *state;

	(void)mosq;
	if (push_topic_gate(pc, msg->topic, gate, sizeof(gate)) == -1)
		return;
	doc = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return;
	}
	if (push_topic_is(pc->status_topic, msg->topic)) {
		state = json_string_value(json_object_get(doc, "state"));
		json_object_set_new(pc->known, gate,
		    json_string(state != NULL ? state : "unknown"));
		json_decref(doc);
		push_check_answered(pc);
		return;
	}
	if (pc->n_mids == 0 || !push_topic_is(pc->result_topic, msg->topic) ||
	    json_object_get(pc->answers, gate) != NULL) {
		json_decref(doc);
		return;
	}
	id = json_object_get(doc, "id");
	v = json_object_get(doc, "version");
	if ((json_is_string(id) && (pc->id == NULL ||
	    strcmp(json_string_value(id), pc->id) != 0)) ||
	    (json_is_integer(v) && json_integer_value(v) != pc->version) ||
	    !push_answer_final(pc, doc)) {
		json_decref(doc);
		return;
	}
	json_object_set_new(pc->answers, gate, doc);
	push_check_answered(pc);
}

/* Runs libmosquitto's loop until *flag, a lost connection or deadline;
 * quiet: the deadline is no error of its own. */
static int
push_loop_until(struct mosquitto *mosq, struct push_client *pc,
    const bool *flag, const struct timespec *deadline, const char *what,
    bool quiet)
{
	struct timespec now;
	int rc;

	while (!*flag && !pc->lost) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline->tv_sec || (now.tv_sec ==
		    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec)) {
			if (!quiet)
				fprintf(stderr, "qrgatectl: timed out waiting "
				    "for %s\n", what);
			return -1;
		}
		rc = mosquitto_loop(mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "qrgatectl: waiting for %s: %s\n", what,
			    mosquitto_strerror(rc));
			return -1;
		}
	}
	if (!*flag) {
		fprintf(stderr, "qrgatectl: waiting for %s: %s\n", what,
		    pc->conn_rc != 0 ? mosquitto_connack_string(pc->conn_rc) :
		    "the broker refused or closed the connection");
		return -1;
	}
	return 0;
}

static int
push_subscribe(struct mosquitto *mosq, struct push_client *pc,
    const char *topic)
{
	int rc;

	if ((rc = mosquitto_subscribe(mosq, NULL, topic, 1)) !=
	    MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: subscribe %s: %s\n", topic,
		    mosquitto_strerror(rc));
		return -1;
	}
	pc->subs_wanted++;
	return 0;
}

int
push_send(const struct ctl *c, const struct push_opts *o, const char *topic,
    char *const *env, int n, struct push_client *pc)
{
	const struct config_mqtt *mc = &c->cfg.mqtt;
	struct mosquitto *mosq;
	struct timespec deadline;
	char client_id[64];
	int rc, status = 1;

	snprintf(client_id, sizeof(client_id), "qrgatectl-push-%ld",
	    (long)getpid());
	if ((pc->mids = calloc((size_t)n, sizeof(*pc->mids))) == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		return 1;
	}
	mosquitto_lib_init();
	if ((mosq = mosquitto_new(client_id, true, pc)) == NULL) {
		fprintf(stderr, "qrgatectl: mosquitto_new: %s\n",
		    strerror(errno));
		goto done;
	}
	mosquitto_connect_callback_set(mosq, push_on_connect);
	mosquitto_disconnect_callback_set(mosq, push_on_disconnect);
	mosquitto_subscribe_callback_set(mosq, push_on_subscribe);
	mosquitto_publish_callback_set(mosq, push_on_publish);
	mosquitto_message_callback_set(mosq, push_on_message);
	if (mc->username[0] != '\0' && (rc = mosquitto_username_pw_set(mosq,
	    mc->username, mc->password[0] != '\0' ? mc->password : NULL)) !=
	    MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: %s\n", mosquitto_strerror(rc));
		goto done;
	}
	/* Without a CA file, the system's CAs; libmosquitto checks the
	 * broker's name against o->host. */
	if (o->tls && (rc = mosquitto_tls_set(mosq, o->cafile,
	    o->cafile == NULL ? "/etc/ssl/certs" : NULL, o->cert, o->keyfile,
	    NULL)) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: TLS: %s\n", mosquitto_strerror(rc));
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += o->timeout_s;
	if ((rc = mosquitto_connect(mosq, o->host, o->port, 30)) !=
	    MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: %s:%d: %s\n", o->host, o->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
		goto done;
	}
	if (push_loop_until(mosq, pc, &pc->connected, &deadline,
	    "the broker's CONNACK", false) == -1)
		goto done;
	if (o->wait) {
		if (push_subscribe(mosq, pc, pc->result_topic) == -1 ||
		    (pc->status_topic != NULL &&
		    push_subscribe(mosq, pc, pc->status_topic) == -1))
			goto done;
		if (push_loop_until(mosq, pc, &pc->subscribed, &deadline,
		    "the subscription to the result", false) == -1)
			goto done;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = mosquitto_publish(mosq, &pc->mids[i], topic,
		    (int)strlen(env[i]), env[i], 1, false)) !=
		    MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "qrgatectl: publish %s: %s\n", topic,
			    mosquitto_strerror(rc));
			goto done;
		}
		pc->n_mids = i + 1;
	}
	if (push_loop_until(mosq, pc, &pc->acked, &deadline,
	    "the broker's PUBACK", false) == -1)
		goto done;
	push_check_answered(pc);
	if (!o->wait) {
		status = 0;
		goto done;
	}
	/* Site-wide, the time running out is an answer too: which gates
	 * gave none is printed. */
	if (push_loop_until(mosq, pc, &pc->answered, &deadline,
	    "the gate's result", pc->gate == NULL) == -1 &&
	    (pc->gate != NULL || pc->lost))
		goto done;
	status = 0;
done:
	if (mosq != NULL) {
		if (pc->connected && !pc->lost)
			mosquitto_disconnect(mosq);
		mosquitto_destroy(mosq);
	}
	mosquitto_lib_cleanup();
	return status;
}

int
push_print_site(const struct push_opts *o, struct push_client *pc)
{
	json_t *gates = json_array(), *line, *a, *v;
	const char *gate;
	char *text;
	size_t i;
	int status = 0;

	json_object_foreach(pc->known, gate, v)
		json_array_append_new(gates, json_string(gate));
	json_object_foreach(pc->answers, gate, v)
		if (json_object_get(pc->known, gate) == NULL)
			json_array_append_new(gates, json_string(gate));
	if (json_array_size(gates) == 0) {
		fprintf(stderr, "qrgatectl: no gate of site %s answered, and "
		    "none has a status on the broker\n", o->site);
		json_decref(gates);
		return 1;
	}
	/* Sorted by name: a few gates, an insertion sort is enough. */
	for (i = 1; i < json_array_size(gates); i++)
		for (size_t k = i; k > 0 && strcmp(json_string_value(
		    json_array_get(gates, k - 1)), json_string_value(
		    json_array_get(gates, k))) > 0; k--) {
			v = json_incref(json_array_get(gates, k));
			json_array_set(gates, k, json_array_get(gates, k - 1));
			json_array_set_new(gates, k - 1, v);
		}
	json_array_foreach(gates, i, v) {
		gate = json_string_value(v);
		line = json_pack("{s:s}", "gate", gate);
		if ((a = json_object_get(pc->answers, gate)) != NULL)
			json_object_update(line, a);
		else {
			char why[96];

			snprintf(why, sizeof(why), "no answer within %d s%s",
			    o->timeout_s, json_object_get(pc->known, gate) !=
			    NULL && strcmp(json_string_value(json_object_get(
			    pc->known, gate)), "online") != 0 ?
			    " (the gate is offline)" : "");
			json_object_set_new(line, "ok", json_false());
			json_object_set_new(line, "reason",
			    json_string("no-answer"));
			json_object_set_new(line, "error", json_string(why));
		}
		if (!json_is_true(json_object_get(line, "ok")))
			status = 1;
		text = json_dumps(line, JSON_COMPACT);
		printf("%s\n", text != NULL ? text : "");
		free(text);
		json_decref(line);
	}
	json_decref(gates);
	return status;
}
