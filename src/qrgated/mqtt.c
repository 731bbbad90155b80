/*
 * The client's life: its timers and socket events fed to libmosquitto,
 * what it publishes on connecting (status, subscriptions, discovery,
 * pending alarms), the heartbeat, the alarms that are not log rows, losing
 * the connection and trying again with backoff, a reconnect when the
 * config changes, and the clean stop.  mqtt_connect.c makes each attempt.
 */
#include "mqtt_private.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <mosquitto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "clock.h"
#include "log.h"
#include "mqtt_msg.h"
#include "store_outbox.h"
#include "util.h"

#define MQTT_BACKOFF_MIN_MS	1000
#define MQTT_BACKOFF_MAX_MS	60000
#define MQTT_CLOSE_WAIT_MS	2000

static const char *const mqtt_alarm_names[MQTT_A_COUNT] = {
	[MQTT_A_CAMERA] = "camera",
	[MQTT_A_DATABASE] = "database",
	[MQTT_A_OUTBOX_NEAR_FULL] = "outbox-near-full",
	[MQTT_A_OUTBOX_FULL] = "outbox-full",
	[MQTT_A_CLOCK] = "clock",
	[MQTT_A_CERT_EXPIRING] = "cert-expiring",
	[MQTT_A_READER] = "reader",
};

static const char *const mqtt_topic_suffix[MQTT_T_COUNT] = {
	[MQTT_T_EVENTS] = "events",
	[MQTT_T_STATUS] = "status",
	[MQTT_T_ALARM] = "alarm",
	[MQTT_T_CONFIG_SET] = "config/set",
	[MQTT_T_SITE_CONFIG_SET] = "config/set",
	[MQTT_T_CRED_SET] = "credentials/set",
	[MQTT_T_CRED_PATCH] = "credentials/patch",
	[MQTT_T_CMD] = "cmd",
	[MQTT_T_CONFIG_RESULT] = "config/result",
	[MQTT_T_CRED_RESULT] = "credentials/result",
	[MQTT_T_CMD_RESULT] = "cmd/result",
	[MQTT_T_STEPS] = "steps",
	[MQTT_T_SITE_CRED_SET] = "credentials/set",
	[MQTT_T_SCHED_SET] = "schedules/set",
	[MQTT_T_SITE_SCHED_SET] = "schedules/set",
	[MQTT_T_SCHED_RESULT] = "schedules/result",
};

static const char *
mqtt_state_name(enum mqtt_state s)
{
	switch (s) {
	case MQTT_OFF:
		return "off";
	case MQTT_IDLE:
		return "waiting";
	case MQTT_RESOLVING:
		return "resolving";
	case MQTT_CONNECTING:
		return "connecting";
	case MQTT_UP:
		return "connected";
	}
	return "?";
}

void
mqtt_why_text(struct mqtt *m, const char *what, const char *text)
{
	m->broken = true;
	if (m->why[0] == '\0')
		snprintf(m->why, sizeof(m->why), "%s: %s", what, text);
}

void
mqtt_why_subscribe(struct mqtt *m, const char *topic, int rc)
{
	char what[MQTT_TOPIC_MAX + 16];
	int saved = errno;	/* MOSQ_ERR_ERRNO's, past the snprintf */

	snprintf(what, sizeof(what), "subscribe %s", topic);
	errno = saved;
	mqtt_why(m, what, rc);
}

void
mqtt_why(struct mqtt *m, const char *what, int rc)
{
	const char *text = rc == MOSQ_ERR_ERRNO ? strerror(errno) :
	    mosquitto_strerror(rc);
	SSL *ssl;
	long v;

	/* A refused certificate says why. */
	if (rc == MOSQ_ERR_TLS && m->mosq != NULL &&
	    (ssl = mosquitto_ssl_get(m->mosq)) != NULL &&
	    (v = SSL_get_verify_result(ssl)) != X509_V_OK)
		text = X509_verify_cert_error_string(v);

	mqtt_why_text(m, what, text);
}

void
mqtt_kick(struct mqtt *m)
{
	if (m->state != MQTT_OFF && !m->drain.pending)
		loop_timer_set(m->loop, &m->drain, 0);
}

int
mqtt_publish_doc(struct mqtt *m, enum mqtt_topic t, json_t *doc, bool retain,
    int *mid)
{
	size_t len;
	char *text = mqtt_msg_text(doc, &len);
	int rc;

	if (text == NULL) {
		log_warnx("mqtt: a %s message could not be built",
		    mqtt_topic_suffix[t]);
		return -1;
	}
	rc = mosquitto_publish(m->mosq, mid, m->topic[t], (int)len, text, 1,
	    retain);
	free(text);
	if (rc != MOSQ_ERR_SUCCESS) {
		mqtt_why(m, "publish", rc);
		return -1;
	}
	/* Outside libmosquitto's callbacks the publish wrote what the socket
	 * took; the rest waits for EPOLLOUT, which the settle asks for. */
	mqtt_kick(m);
	return 0;
}

void
mqtt_status_publish(struct mqtt *m)
{
	mqtt_publish_doc(m, MQTT_T_STATUS, mqtt_msg_status(
	    gate_status_json(m->gate), clock_utc_ms()), true, NULL);
}

static void
mqtt_alarm_publish(struct mqtt *m, enum mqtt_alarm a)
{
	struct mqtt_alarm_state *s = &m->alarm[a];
	json_t *doc = mqtt_msg_alarm(m->gate_id, m->site, m->lane,
	    mqtt_alarm_names[a], s->active, s->detail, s->ts_ms);

	if (mqtt_publish_doc(m, MQTT_T_ALARM, doc, false, NULL) == 0)
		s->sent = s->active;
}

void
mqtt_alarm_set(struct mqtt *m, enum mqtt_alarm a, bool active,
    const char *detail)
{
	struct mqtt_alarm_state *s = &m->alarm[a];

	if (s->active == active)
		return;
	s->active = active;
	s->ts_ms = clock_utc_ms();
	snprintf(s->detail, sizeof(s->detail), "%s", detail);
	if (active)
		log_warnx("ALARM %s: %s", mqtt_alarm_names[a], detail);
	else
		log_info("alarm %s over: %s", mqtt_alarm_names[a], detail);
	if (m->state == MQTT_UP)
		mqtt_alarm_publish(m, a);
}

void
mqtt_alarm_detail(struct mqtt *m, enum mqtt_alarm a, const char *detail)
{
	struct mqtt_alarm_state *s = &m->alarm[a];

	if (!s->active || strcmp(s->detail, detail) == 0)
		return;
	s->ts_ms = clock_utc_ms();
	snprintf(s->detail, sizeof(s->detail), "%s", detail);
	log_warnx("ALARM %s: %s", mqtt_alarm_names[a], detail);
	if (m->state == MQTT_UP)
		mqtt_alarm_publish(m, a);
	else
		s->sent = false;	/* published again on connecting */
}

/* Home Assistant discovery, retained: a sensor per way, three more. */
static void
mqtt_ha_publish(struct mqtt *m)
{
	static const struct {
		const char *component;
		const char *object;
	} items[] = {
		{ "binary_sensor", "entry" }, { "binary_sensor", "exit" },
		{ "sensor", "last_decision" }, { "sensor", "grants" },
		{ "sensor", "denials" },
	};
	struct mqtt_ha ha = {
		.gate = m->gate_id, .site = m->site,
		.status_topic = m->topic[MQTT_T_STATUS],
		.events_topic = m->topic[MQTT_T_EVENTS],
		.cmd_topic = m->topic[MQTT_T_CMD],
	};
	char topic[MQTT_TOPIC_MAX], *text = NULL;
	size_t len;
	int rc;

	for (size_t i = 0; i < nitems(items); i++) {
		const char *what = items[i].object;
		int way = direction_from_name(what);

		if (way != -1 && !lane_way_enabled(&m->gate->lane, way))
			continue;
		if (mqtt_msg_ha_topic(topic, sizeof(topic), items[i].component,
		    m->gate_id, what) == -1 ||
		    (text = mqtt_msg_text(way != -1 ?
		    mqtt_msg_ha_way(&ha, what) : mqtt_msg_ha_sensor(&ha, what),
		    &len)) == NULL) {
			log_warnx("mqtt: Home Assistant config for %s not made",
			    what);
			continue;
		}
		if ((rc = mosquitto_publish(m->mosq, NULL, topic, (int)len,
		    text, 1, true)) != MOSQ_ERR_SUCCESS)
			mqtt_why(m, "publish", rc);
		free(text);
	}
}

/* CONNACK: from here the session is ours.  Runs inside libmosquitto. */
static void
mqtt_on_connect(struct mosquitto *mosq, void *arg, int rc, int flags,
    const mosquitto_property *props)
{
	struct mqtt *m = arg;

	(void)mosq;
	(void)flags;
	(void)props;
	if (rc != 0) {
		mqtt_why_text(m, "the broker refused",
		    m->cfg.protocol == MQTT_PROTO_5 ?
		    mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
		return;
	}
	m->state = MQTT_UP;
	m->backoff_ms = MQTT_BACKOFF_MIN_MS;
	m->connects++;
	gate_uplink_offline(m->gate, false);
	log_info("mqtt: connected to %s port %d", m->cfg.host, m->cfg.port);
	mqtt_status_publish(m);
	if (mqtt_inbound_subscribe(m) == -1)
		return;
	if (m->cfg.ha_discovery)
		mqtt_ha_publish(m);
	for (int a = 0; a < MQTT_A_COUNT; a++)
		if (m->alarm[a].active != m->alarm[a].sent)
			mqtt_alarm_publish(m, a);
	/* Everything not acknowledged is sent again, oldest first. */
	m->last_sent_id = 0;
	loop_timer_set(m->loop, &m->beat, (int64_t)m->cfg.heartbeat_s * 1000);
	mqtt_kick(m);
}

static void
mqtt_on_disconnect(struct mosquitto *mosq, void *arg, int rc,
    const mosquitto_property *props)
{
	struct mqtt *m = arg;

	(void)mosq;
	(void)props;
	mqtt_why(m, "disconnected", rc == 0 ? MOSQ_ERR_CONN_LOST : rc);
}

static void
mqtt_on_publish(struct mosquitto *mosq, void *arg, int mid, int reason,
    const mosquitto_property *props)
{
	struct mqtt *m = arg;

	(void)mosq;
	(void)props;
	if (mid == m->offline_mid)
		m->offline_acked = true;
	else
		mqtt_drain_acked(m, mid, reason);
}

static void
mqtt_on_message(struct mosquitto *mosq, void *arg,
    const struct mosquitto_message *msg, const mosquitto_property *props)
{
	(void)mosq;
	(void)props;
	mqtt_inbound_dispatch(arg, msg);
}

static void
mqtt_on_log(struct mosquitto *mosq, void *arg, int level, const char *text)
{
	(void)mosq;
	(void)arg;
	/* TLS failures are explained only here. */
	if (level == MOSQ_LOG_ERR)
		log_info("mqtt: %s", text);
	else
		log_debug("mqtt: %s", text);
}

void
mqtt_callbacks_set(struct mqtt *m)
{
	mosquitto_connect_v5_callback_set(m->mosq, mqtt_on_connect);
	mosquitto_disconnect_v5_callback_set(m->mosq, mqtt_on_disconnect);
	mosquitto_publish_v5_callback_set(m->mosq, mqtt_on_publish);
	mosquitto_message_v5_callback_set(m->mosq, mqtt_on_message);
	mosquitto_log_callback_set(m->mosq, mqtt_on_log);
}

/* Forgets the connection; the outbox rows in flight are sent again later. */
static void
mqtt_teardown(struct mqtt *m)
{
	loop_timer_cancel(m->loop, &m->tick);
	loop_timer_cancel(m->loop, &m->beat);
	loop_timer_cancel(m->loop, &m->drain);
	mqtt_step_reset(m);
	if (m->mosq != NULL) {
		/* libmosquitto may have closed the socket already: the loop's
		 * epoll_ctl then fails quietly. */
		if (m->fd.fd >= 0)
			loop_fd_del(m->loop, &m->fd);
		mosquitto_destroy(m->mosq);
		m->mosq = NULL;
	}
	m->fd.fd = -1;
	m->fd_events = 0;
	mqtt_drain_reset(m);
	m->broken = false;
	m->why[0] = '\0';
	m->tls_name.why[0] = '\0';
}

/* The next attempt, after the backoff plus up to half of it again, so
 * that the gates of a site do not all come back in the same second. */
static void
mqtt_retry_schedule(struct mqtt *m)
{
	int64_t ms = m->backoff_ms + randombytes_uniform(m->backoff_ms / 2 + 1);

	m->state = MQTT_IDLE;
	loop_timer_set(m->loop, &m->retry, ms);
	m->backoff_ms = m->backoff_ms * 2 > MQTT_BACKOFF_MAX_MS ?
	    MQTT_BACKOFF_MAX_MS : m->backoff_ms * 2;
}

void
mqtt_lost(struct mqtt *m)
{
	bool was_up = m->state == MQTT_UP;
	char why[sizeof(m->why)];

	gate_uplink_offline(m->gate, true);
	/* The broker's certificate refused: that, not what followed. */
	snprintf(why, sizeof(why), "%s", m->tls_name.why[0] != '\0' ?
	    m->tls_name.why : m->why[0] != '\0' ? m->why : "closed");
	mqtt_teardown(m);
	/* The name has another address to try: at once. */
	if (!was_up && m->addr_next < m->n_addr) {
		log_debug("mqtt: %s: %s", m->addr[m->addr_next - 1], why);
		m->state = MQTT_IDLE;
		loop_timer_set(m->loop, &m->retry, 0);
		return;
	}
	if (was_up) {
		m->backoff_ms = MQTT_BACKOFF_MIN_MS;
		/* The name may point elsewhere now. */
		m->n_addr = 0;
	}
	mqtt_retry_schedule(m);
	log_warnx("mqtt: %s %s port %d: %s; retrying in %lld ms",
	    was_up ? "lost" : "could not connect to", m->cfg.host, m->cfg.port,
	    why, (long long)loop_timer_remaining(&m->retry));
}

/* After each call into libmosquitto: tear down, or follow its wishes. */
void
mqtt_settle(struct mqtt *m)
{
	uint32_t want;

	if (m->mosq == NULL)
		return;
	if (!m->broken && mosquitto_socket(m->mosq) != m->fd.fd)
		mqtt_why(m, "socket", MOSQ_ERR_NO_CONN);
	if (m->broken) {
		mqtt_lost(m);
		return;
	}
	want = EPOLLIN | (mosquitto_want_write(m->mosq) ? EPOLLOUT : 0);
	if (want != m->fd_events && loop_fd_mod(m->loop, &m->fd, want) == 0)
		m->fd_events = want;
}

static void
mqtt_fd_event(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct mqtt *m = container_of(fd, struct mqtt, fd);
	int rc;

	(void)l;
	(void)events;
	/* Reading also steps a TLS handshake, whichever way it waits. */
	rc = mosquitto_loop_read(m->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS)
		mqtt_why(m, "read", rc);
	else if (m->mosq != NULL && mosquitto_want_write(m->mosq) &&
	    (rc = mosquitto_loop_write(m->mosq, 1)) != MOSQ_ERR_SUCCESS)
		mqtt_why(m, "write", rc);
	mqtt_settle(m);
}

static void
mqtt_tick(struct loop *l, struct loop_timer *t)
{
	struct mqtt *m = container_of(t, struct mqtt, tick);
	int rc;

	/* A lookup still out after a restart shares the timer with the
	 * connection that did not need it. */
	if (m->gai_busy)
		mqtt_resolve_poll(m);
	if (m->mosq == NULL)
		return;
	if ((rc = mosquitto_loop_misc(m->mosq)) != MOSQ_ERR_SUCCESS)
		mqtt_why(m, m->state == MQTT_UP ? "keepalive" : "no answer",
		    rc);
	if (m->n_acked > 0)
		mqtt_drain_flush(m);
	/* Also retries an outbox that could not be read. */
	if (m->state == MQTT_UP)
		mqtt_kick(m);
	mqtt_settle(m);
	if (m->mosq != NULL)
		loop_timer_set(l, t, MQTT_TICK_MS);
}

static void
mqtt_beat(struct loop *l, struct loop_timer *t)
{
	struct mqtt *m = container_of(t, struct mqtt, beat);

	if (m->state != MQTT_UP)
		return;
	mqtt_cert_check(m);
	mqtt_status_publish(m);
	loop_timer_set(l, t, (int64_t)m->cfg.heartbeat_s * 1000);
}

static void
mqtt_drain_timer(struct loop *l, struct loop_timer *t)
{
	struct mqtt *m = container_of(t, struct mqtt, drain);

	(void)l;
	mqtt_drain_run(m);
	mqtt_settle(m);
}

static void
mqtt_topics_make(struct mqtt *m)
{
	for (int t = 0; t < MQTT_T_COUNT; t++)
		snprintf(m->topic[t], sizeof(m->topic[t]), "%s/%s/%s/%s",
		    m->cfg.topic_prefix, m->site,
		    t == MQTT_T_SITE_CONFIG_SET || t == MQTT_T_SITE_CRED_SET ||
		    t == MQTT_T_SITE_SCHED_SET ?
		    "all" : m->gate_id,
		    mqtt_topic_suffix[t]);
}

/* Takes cfg's settings and, when enabled, connects at once. */
static void
mqtt_configure(struct mqtt *m, const struct config *cfg)
{
	m->cfg = cfg->mqtt;
	snprintf(m->gate_id, sizeof(m->gate_id), "%s", cfg->gate.id);
	snprintf(m->site, sizeof(m->site), "%s", cfg->gate.site);
	snprintf(m->lane, sizeof(m->lane), "%s", cfg->gate.lane);
	mqtt_topics_make(m);
	m->n_addr = m->addr_next = 0;
	m->backoff_ms = MQTT_BACKOFF_MIN_MS;
	m->state = MQTT_OFF;
	/* Offline until connected; no uplink wanted is not offline. */
	gate_uplink_offline(m->gate, m->cfg.enabled);
	if (!m->cfg.enabled)
		return;
	m->state = MQTT_IDLE;
	loop_timer_set(m->loop, &m->retry, 0);
}

/*
 * Ends the connection without waiting: "offline" and DISCONNECT are
 * written if the socket takes them, and it always does for so little.
 */
static void
mqtt_stop(struct mqtt *m)
{
	if (m->state == MQTT_UP && m->mosq != NULL) {
		mqtt_publish_doc(m, MQTT_T_STATUS, mqtt_msg_offline(m->gate_id,
		    m->site, m->lane, true, clock_utc_ms()), true, NULL);
		mosquitto_disconnect(m->mosq);
		mosquitto_loop_write(m->mosq, 1);
	}
	mqtt_teardown(m);
	m->state = MQTT_OFF;
}

static void
mqtt_retry(struct loop *l, struct loop_timer *t)
{
	struct mqtt *m = container_of(t, struct mqtt, retry);

	(void)l;
	if (m->restart) {
		m->restart = false;
		log_info("mqtt: settings changed: %s", m->next.mqtt.enabled ?
		    "reconnecting" : "disconnecting");
		mqtt_stop(m);
		mqtt_configure(m, &m->next);
		return;
	}
	if (m->state == MQTT_IDLE)
		mqtt_connect_start(m);
}

/* The gate's hooks (struct gate_uplink). */

static void
mqtt_on_rows(void *arg)
{
	mqtt_kick(arg);
}

static void
mqtt_on_alarm(void *arg, const char *name, bool active, const char *detail)
{
	struct mqtt *m = arg;

	for (int a = 0; a < MQTT_A_COUNT; a++)
		if (strcmp(name, mqtt_alarm_names[a]) == 0)
			mqtt_alarm_set(m, a, active, detail);
}

static void
mqtt_on_config(void *arg, const struct config *cfg)
{
	struct mqtt *m = arg;

	/* A reload may pass through other configs on its way back to this
	 * one: only the last one counts. */
	if (memcmp(&m->cfg, &cfg->mqtt, sizeof(m->cfg)) == 0 &&
	    strcmp(m->gate_id, cfg->gate.id) == 0 &&
	    strcmp(m->site, cfg->gate.site) == 0 &&
	    strcmp(m->lane, cfg->gate.lane) == 0) {
		m->restart = false;
		return;
	}
	/* Maybe inside a message callback: applied from the retry timer. */
	m->next = *cfg;
	m->restart = true;
	loop_timer_set(m->loop, &m->retry, 0);
}

static void
mqtt_on_status(void *arg, json_t *status)
{
	struct mqtt *m = arg;
	json_t *counters = json_object_get(status, "counters");
	int64_t max = 0;

	store_outbox_depth(m->gate->store, &m->depth, &max);
	if (counters != NULL)
		json_object_set_new(counters, "outbox", json_integer(m->depth));
	json_object_set_new(status, "mqtt", json_pack("{s:s, s:s, s:i, s:I,"
	    " s:I, s:i, s:I, s:I, s:I}",
	    "state", mqtt_state_name(m->state),
	    "host", m->cfg.host, "port", m->cfg.port,
	    "outbox", (json_int_t)m->depth, "outbox_max", (json_int_t)max,
	    "inflight", m->n_rows,
	    "published", (json_int_t)m->published,
	    "refused", (json_int_t)m->refused,
	    "connects", (json_int_t)m->connects));
	json_object_set_new(json_object_get(status, "mqtt"), "steps",
	    json_pack("{s:I, s:I, s:I, s:I}",
	    "sent", (json_int_t)m->steps_sent,
	    "lost", (json_int_t)m->steps_lost,
	    "taken", (json_int_t)m->steps_taken,
	    "refused", (json_int_t)m->steps_refused));
	mqtt_cert_status(m, json_object_get(status, "mqtt"));
}

int
mqtt_open(struct mqtt *m, struct loop *l, struct gate *g)
{
	static bool lib_ready;

	memset(m, 0, sizeof(*m));
	m->loop = l;
	m->gate = g;
	m->fd.fd = -1;
	m->fd.cb = mqtt_fd_event;
	m->tick.cb = mqtt_tick;
	m->retry.cb = mqtt_retry;
	m->beat.cb = mqtt_beat;
	m->drain.cb = mqtt_drain_timer;
	mqtt_step_open(m);
	m->offline_mid = -1;
	if (!lib_ready && mosquitto_lib_init() != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: libmosquitto could not be initialised");
		return -1;
	}
	lib_ready = true;
	g->up = (struct gate_uplink){
		.rows = mqtt_on_rows, .alarm = mqtt_on_alarm,
		.config = mqtt_on_config, .status = mqtt_on_status,
		.step = mqtt_step_granted, .arg = m,
	};
	mqtt_configure(m, &g->cfg);
	return 0;
}

/* At the stop only: waits, two seconds at most, for "offline"'s PUBACK. */
static void
mqtt_close_wait(struct mqtt *m)
{
	int64_t deadline = clock_mono_ns() + MQTT_CLOSE_WAIT_MS * 1000000LL;
	struct pollfd p;
	int64_t left;

	while (!m->offline_acked && !m->broken && m->mosq != NULL &&
	    (left = (deadline - clock_mono_ns()) / 1000000) > 0) {
		p = (struct pollfd){ .fd = mosquitto_socket(m->mosq),
		    .events = POLLIN |
		    (mosquitto_want_write(m->mosq) ? POLLOUT : 0) };
		if (p.fd < 0 ||
		    (poll(&p, 1, (int)left) == -1 && errno != EINTR))
			break;
		if (p.revents == 0)
			continue;
		if (mosquitto_loop_read(m->mosq, 1) != MOSQ_ERR_SUCCESS ||
		    (mosquitto_want_write(m->mosq) &&
		    mosquitto_loop_write(m->mosq, 1) != MOSQ_ERR_SUCCESS))
			break;
	}
}

void
mqtt_close(struct mqtt *m)
{
	if (m->loop == NULL)
		return;
	loop_timer_cancel(m->loop, &m->retry);
	if (m->state == MQTT_UP && m->mosq != NULL) {
		m->offline_acked = false;
		json_t *doc = mqtt_msg_offline(m->gate_id, m->site, m->lane,
		    true, clock_utc_ms());

		if (mqtt_publish_doc(m, MQTT_T_STATUS, doc, true,
		    &m->offline_mid) == 0)
			mqtt_close_wait(m);
		/* Without its acknowledgement, no DISCONNECT: the broker
		 * then publishes the last will instead. */
		if (m->offline_acked) {
			log_info("mqtt: offline status published");
			mosquitto_disconnect(m->mosq);
			mosquitto_loop_write(m->mosq, 1);
		} else
			log_warnx("mqtt: offline status not acknowledged; "
			    "leaving it to the last will");
	}
	mqtt_drain_flush(m);
	mqtt_teardown(m);
	if (m->gai_busy)
		gai_cancel(&m->gai);
	m->state = MQTT_OFF;
	gate_uplink_offline(m->gate, false);
	m->gate->up = (struct gate_uplink){ 0 };
	m->loop = NULL;
}
