/*
 * The aggregator's MQTT client, inside the one loop as the gate's is:
 * libmosquitto without its thread, its socket in epoll, a tick each second
 * for keepalives, and a fresh handle for each connection attempt.
 *
 * Unlike the gate it keeps a session: a fixed client id and clean session
 * off, with QoS 1 subscriptions, so the broker queues the gates' messages
 * while the aggregator is down or restarting, and sends them when it is
 * back.  (The broker's max_queued_messages bounds that queue.)
 *
 * The broker's name is looked up here, and each of its addresses tried in
 * turn (libmosquitto's own lookup connects to the first address only, in
 * the background: on Debian 13, localhost's ::1, where a broker on
 * 127.0.0.1 is not).  With TLS the certificate is then checked against
 * the name (mqtt_tls.h).  The lookup blocks, as libmosquitto's did: a site
 * server names its broker by address or in /etc/hosts.
 *
 * The messages of one read round are stored in one transaction.
 * libmosquitto acknowledges a QoS 1 message as it hands it over, so they
 * are kept until the transaction commits: a database that fails is tried
 * again each second with the same messages, and nothing more is read
 * meanwhile.  What a crash between acknowledging and committing loses (a
 * round at most, milliseconds) shows as a gap in the gate's sequence.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <mosquitto.h>

#include "agg.h"
#include "log.h"
#include "mqtt_tls.h"
#include "util.h"

#define AGG_ROUND_MAX	256
#define AGG_ADDR_MAX	8
#define AGG_TICK_MS	1000
#define AGG_BACKOFF_MAX_MS 30000

struct agg_msg {
	enum agg_topic topic;
	char site[64];
	char gate[64];
	char *payload;
	size_t len;
	bool retained;
};

struct agg_mqtt {
	struct agg *a;
	struct mosquitto *mosq;
	struct loop_fd fd;
	uint32_t fd_events;
	struct loop_timer tick;
	struct loop_timer retry;
	int64_t backoff_ms;
	bool up;
	bool broken;
	int subacks;		/* SUBACKs still to come */
	char why[160];
	/* The broker's addresses, the next one to try. */
	char addr[AGG_ADDR_MAX][INET6_ADDRSTRLEN];
	int n_addr;
	int addr_next;
	struct mqtt_tls_name tls_name;
	/* The round being stored, or waiting to be stored again. */
	struct agg_msg round[AGG_ROUND_MAX];
	int nround;
	bool round_failed;
};

static void agg_mqtt_connect(struct agg_mqtt *m);

static void
agg_mqtt_why(struct agg_mqtt *m, const char *what, int rc)
{
	if (m->broken)
		return;
	m->broken = true;
	snprintf(m->why, sizeof(m->why), "%s: %s", what,
	    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
}

/*
 * "<prefix>/<site>/<gate>/<events|status|alarm>": the site and gate, or
 * -1 for a topic of another shape.
 */
static int
agg_topic_parse(const char *prefix, const char *topic, struct agg_msg *msg)
{
	size_t plen = strlen(prefix);
	const char *p = topic + plen + 1, *slash, *suffix;

	if (strncmp(topic, prefix, plen) != 0 || topic[plen] != '/')
		return -1;
	if ((slash = strchr(p, '/')) == NULL || slash == p ||
	    (size_t)(slash - p) >= sizeof(msg->site))
		return -1;
	memcpy(msg->site, p, slash - p);
	msg->site[slash - p] = '\0';
	p = slash + 1;
	if ((slash = strchr(p, '/')) == NULL || slash == p ||
	    (size_t)(slash - p) >= sizeof(msg->gate))
		return -1;
	memcpy(msg->gate, p, slash - p);
	msg->gate[slash - p] = '\0';
	suffix = slash + 1;
	if (strcmp(suffix, "events") == 0)
		msg->topic = AGG_T_EVENTS;
	else if (strcmp(suffix, "status") == 0)
		msg->topic = AGG_T_STATUS;
	else if (strcmp(suffix, "alarm") == 0)
		msg->topic = AGG_T_ALARM;
	else
		return -1;
	return 0;
}

/* Runs inside libmosquitto: the message joins the round. */
static void
agg_on_message(struct mosquitto *mosq, void *arg,
    const struct mosquitto_message *msg)
{
	struct agg_mqtt *m = arg;
	struct agg_msg *r;

	(void)mosq;
	if (m->nround == AGG_ROUND_MAX) {
		/* Cannot happen: a round reads at most that many packets. */
		log_warnx("mqtt: round full: message on %s dropped",
		    msg->topic);
		return;
	}
	r = &m->round[m->nround];
	if (agg_topic_parse(m->a->cfg.broker.topic_prefix, msg->topic,
	    r) == -1) {
		log_debug("mqtt: ignoring %s", msg->topic);
		return;
	}
	if ((r->payload = malloc(msg->payloadlen + 1)) == NULL) {
		log_warn("mqtt: message on %s dropped", msg->topic);
		return;
	}
	memcpy(r->payload, msg->payload, msg->payloadlen);
	r->payload[msg->payloadlen] = '\0';
	r->len = msg->payloadlen;
	r->retained = msg->retain;
	m->nround++;
}

static void
agg_round_clear(struct agg_mqtt *m)
{
	for (int i = 0; i < m->nround; i++)
		free(m->round[i].payload);
	m->nround = 0;
	m->round_failed = false;
}

/* One message in a transaction of its own: 0, or -1. */
static int
agg_msg_store(struct agg *a, const struct agg_msg *r)
{
	if (agg_db_begin(a->db) == -1)
		return -1;
	if (agg_ingest_message(a, r->topic, r->site, r->gate, r->payload,
	    r->len, r->retained) == -1 || agg_db_commit(a->db) == -1) {
		agg_db_rollback(a->db);
		return -1;
	}
	return 0;
}

/*
 * Stores the round in one transaction: 0, or -1 to try again later.  A
 * round that failed is tried again one message at a time, so that one
 * message the database refuses for good (logged, and dropped) cannot
 * hold up the others; while the database does not answer at all, the
 * round waits.
 */
static int
agg_round_store(struct agg_mqtt *m)
{
	struct agg *a = m->a;
	int64_t one;
	int i;

	if (m->nround == 0)
		return 0;
	if (m->round_failed) {
		if (agg_db_int(a->db, "SELECT 1", NULL, 0, &one) != 1)
			return -1;
		for (i = 0; i < m->nround; i++)
			if (agg_msg_store(a, &m->round[i]) == -1)
				log_warnx("%s/%s: a message the database "
				    "refuses: dropped", m->round[i].site,
				    m->round[i].gate);
		log_info("db: back; the waiting messages are stored");
		agg_round_clear(m);
		return 0;
	}
	if (agg_db_begin(a->db) == -1)
		goto fail;
	for (i = 0; i < m->nround; i++) {
		struct agg_msg *r = &m->round[i];

		if (agg_ingest_message(a, r->topic, r->site, r->gate,
		    r->payload, r->len, r->retained) == -1)
			break;
	}
	if (i < m->nround || agg_db_commit(a->db) == -1) {
		agg_db_rollback(a->db);
		goto fail;
	}
	agg_round_clear(m);
	return 0;
fail:
	log_warnx("db: %d messages not stored; trying again each second",
	    m->nround);
	m->round_failed = true;
	return -1;
}

static void
agg_on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct agg_mqtt *m = arg;
	const struct agg_config *c = &m->a->cfg;
	static const char *const suffix[] = { "events", "status", "alarm" };
	char topic[256];

	if (rc != 0) {
		m->broken = true;
		snprintf(m->why, sizeof(m->why), "the broker refused: %s",
		    mosquitto_connack_string(rc));
		return;
	}
	m->up = true;
	m->backoff_ms = 1000;
	m->subacks = c->nsites * 3;
	log_info("mqtt: connected to %s port %d", c->broker.host,
	    c->broker.port);
	/* Subscribing again is harmless with a kept session, and needed
	 * the first time or after the broker lost it. */
	for (int s = 0; s < c->nsites; s++)
		for (int i = 0; i < 3; i++) {
			snprintf(topic, sizeof(topic), "%s/%s/+/%s",
			    c->broker.topic_prefix,
			    strcmp(c->sites[s], "*") == 0 ? "+" : c->sites[s],
			    suffix[i]);
			if ((rc = mosquitto_subscribe(mosq, NULL, topic,
			    1)) != MOSQ_ERR_SUCCESS) {
				agg_mqtt_why(m, "subscribe", rc);
				return;
			}
		}
}

/* Logged once all are granted: from then on the broker queues for us. */
static void
agg_on_subscribe(struct mosquitto *mosq, void *arg, int mid, int n,
    const int *granted)
{
	struct agg_mqtt *m = arg;

	(void)mosq;
	(void)mid;
	for (int i = 0; i < n; i++)
		if (granted[i] > 1) {
			agg_mqtt_why(m, "subscription refused",
			    MOSQ_ERR_ACL_DENIED);
			return;
		}
	if (--m->subacks == 0)
		log_info("mqtt: subscribed to %d topics", m->a->cfg.nsites * 3);
}

static void
agg_on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	(void)mosq;
	agg_mqtt_why(arg, "disconnected", rc == 0 ? MOSQ_ERR_CONN_LOST : rc);
}

static void
agg_on_log(struct mosquitto *mosq, void *arg, int level, const char *text)
{
	(void)mosq;
	(void)arg;
	if (level == MOSQ_LOG_ERR)
		log_info("mqtt: %s", text);
}

static void
agg_mqtt_teardown(struct agg_mqtt *m)
{
	loop_timer_cancel(m->a->loop, &m->tick);
	if (m->mosq != NULL) {
		if (m->fd.fd >= 0)
			loop_fd_del(m->a->loop, &m->fd);
		mosquitto_destroy(m->mosq);
		m->mosq = NULL;
	}
	m->fd.fd = -1;
	m->fd_events = 0;
	m->up = false;
	m->broken = false;
	m->why[0] = '\0';
	m->tls_name.why[0] = '\0';
}

/* The broker's addresses, every one of them, in getaddrinfo()'s order. */
static int
agg_mqtt_resolve(struct agg_mqtt *m)
{
	const struct agg_config *c = &m->a->cfg;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int rc;

	m->n_addr = m->addr_next = 0;
	if ((rc = getaddrinfo(c->broker.host, NULL, &hints, &res)) != 0) {
		m->broken = true;
		snprintf(m->why, sizeof(m->why), "lookup: %s",
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && m->n_addr < AGG_ADDR_MAX; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    inet_ntop(ai->ai_family, a, m->addr[m->n_addr],
		    sizeof(m->addr[0])) != NULL)
			m->n_addr++;
	}
	freeaddrinfo(res);
	if (m->n_addr == 0) {
		m->broken = true;
		snprintf(m->why, sizeof(m->why), "lookup: no address");
		return -1;
	}
	return 0;
}

static void
agg_mqtt_lost(struct agg_mqtt *m)
{
	const struct agg_config *c = &m->a->cfg;
	bool was_up = m->up;
	char why[sizeof(m->why)];

	/* The broker's certificate refused: that, not what followed. */
	snprintf(why, sizeof(why), "%s", m->tls_name.why[0] != '\0' ?
	    m->tls_name.why : m->why[0] != '\0' ? m->why : "closed");
	agg_mqtt_teardown(m);
	/* The name has another address to try: at once. */
	if (!was_up && m->addr_next < m->n_addr) {
		log_debug("mqtt: %s: %s", m->addr[m->addr_next - 1], why);
		loop_timer_set(m->a->loop, &m->retry, 0);
		return;
	}
	/* The next round looks the name up again: it may point elsewhere. */
	m->n_addr = 0;
	log_warnx("mqtt: %s %s port %d: %s; retrying in %lld ms",
	    was_up ? "lost" : "could not connect to", c->broker.host,
	    c->broker.port, why, (long long)m->backoff_ms);
	loop_timer_set(m->a->loop, &m->retry, m->backoff_ms);
	m->backoff_ms = m->backoff_ms * 2 > AGG_BACKOFF_MAX_MS ?
	    AGG_BACKOFF_MAX_MS : m->backoff_ms * 2;
}

/* After each call into libmosquitto: tear down, or follow its wishes.
 * While a round waits for the database nothing more is read. */
static void
agg_mqtt_settle(struct agg_mqtt *m)
{
	uint32_t want;

	if (m->mosq == NULL)
		return;
	if (!m->broken && mosquitto_socket(m->mosq) != m->fd.fd)
		agg_mqtt_why(m, "socket", MOSQ_ERR_NO_CONN);
	if (m->broken) {
		agg_mqtt_lost(m);
		return;
	}
	want = (m->round_failed ? 0 : EPOLLIN) |
	    (mosquitto_want_write(m->mosq) ? EPOLLOUT : 0);
	if (want != m->fd_events && loop_fd_mod(m->a->loop, &m->fd,
	    want) == 0)
		m->fd_events = want;
}

static bool
agg_fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

static void
agg_mqtt_fd_event(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct agg_mqtt *m = container_of(fd, struct agg_mqtt, fd);
	int rc = MOSQ_ERR_SUCCESS, n = 0;

	(void)l;
	/*
	 * A round waiting for the database reads nothing more; a connection
	 * that hangs up meanwhile is dropped (the broker keeps the session)
	 * rather than reported by epoll again and again.
	 */
	if (m->round_failed && (events & (EPOLLHUP | EPOLLERR)))
		agg_mqtt_why(m, "hang-up", MOSQ_ERR_CONN_LOST);
	else if (!m->round_failed &&
	    (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		/* A round: what is there now, up to AGG_ROUND_MAX packets
		 * (each packet one message at most). */
		do {
			rc = mosquitto_loop_read(m->mosq, 1);
		} while (rc == MOSQ_ERR_SUCCESS && ++n < AGG_ROUND_MAX &&
		    m->nround < AGG_ROUND_MAX &&
		    agg_fd_readable(mosquitto_socket(m->mosq)));
		(void)agg_round_store(m);
		if (rc != MOSQ_ERR_SUCCESS)
			agg_mqtt_why(m, "read", rc);
	}
	if (!m->broken && m->mosq != NULL && mosquitto_want_write(m->mosq) &&
	    (rc = mosquitto_loop_write(m->mosq, 1)) != MOSQ_ERR_SUCCESS)
		agg_mqtt_why(m, "write", rc);
	agg_mqtt_settle(m);
}

static void
agg_mqtt_tick(struct loop *l, struct loop_timer *t)
{
	struct agg_mqtt *m = container_of(t, struct agg_mqtt, tick);
	int rc;

	if (m->round_failed)
		(void)agg_round_store(m);
	if (m->mosq == NULL)
		return;
	if ((rc = mosquitto_loop_misc(m->mosq)) != MOSQ_ERR_SUCCESS)
		agg_mqtt_why(m, m->up ? "keepalive" : "no answer", rc);
	agg_mqtt_settle(m);
	if (m->mosq != NULL)
		loop_timer_set(l, t, AGG_TICK_MS);
}

static void
agg_mqtt_retry(struct loop *l, struct loop_timer *t)
{
	(void)l;
	agg_mqtt_connect(container_of(t, struct agg_mqtt, retry));
}

static void
agg_mqtt_connect(struct agg_mqtt *m)
{
	const struct agg_config *c = &m->a->cfg;
	int rc;

	/* A round still unstored is stored before anything new is read. */
	if (m->round_failed && agg_round_store(m) == -1) {
		loop_timer_set(m->a->loop, &m->retry, AGG_TICK_MS);
		return;
	}
	if ((m->mosq = mosquitto_new(c->broker.client_id, false, m)) == NULL) {
		agg_mqtt_why(m, "new", MOSQ_ERR_NOMEM);
		goto fail;
	}
	mosquitto_connect_callback_set(m->mosq, agg_on_connect);
	mosquitto_disconnect_callback_set(m->mosq, agg_on_disconnect);
	mosquitto_message_callback_set(m->mosq, agg_on_message);
	mosquitto_subscribe_callback_set(m->mosq, agg_on_subscribe);
	mosquitto_log_callback_set(m->mosq, agg_on_log);
	if (c->broker.username[0] != '\0' &&
	    (rc = mosquitto_username_pw_set(m->mosq, c->broker.username,
	    c->broker.password[0] != '\0' ? c->broker.password : NULL)) !=
	    MOSQ_ERR_SUCCESS) {
		agg_mqtt_why(m, "credentials", rc);
		goto fail;
	}
	/* Its own check of the name is off: it would compare the
	 * certificate with the address (mqtt_tls_name_check, below). */
	if (c->broker.tls && ((rc = mosquitto_tls_set(m->mosq,
	    c->broker.ca_file, NULL,
	    c->broker.cert_file[0] != '\0' ? c->broker.cert_file : NULL,
	    c->broker.key_file[0] != '\0' ? c->broker.key_file : NULL,
	    NULL)) != MOSQ_ERR_SUCCESS ||
	    (rc = mosquitto_tls_insecure_set(m->mosq, true)) !=
	    MOSQ_ERR_SUCCESS)) {
		agg_mqtt_why(m, "TLS files", rc);
		goto fail;
	}
	if (m->addr_next >= m->n_addr && agg_mqtt_resolve(m) == -1)
		goto fail;
	if ((rc = mosquitto_connect_async(m->mosq, m->addr[m->addr_next++],
	    c->broker.port, c->broker.keepalive_s)) != MOSQ_ERR_SUCCESS) {
		agg_mqtt_why(m, "connect", rc);
		goto fail;
	}
	m->tls_name.host = c->broker.host;
	if (c->broker.tls && mqtt_tls_name_check(&m->tls_name, m->mosq) == -1) {
		m->broken = true;
		goto fail;
	}
	m->fd.fd = mosquitto_socket(m->mosq);
	m->fd.cb = agg_mqtt_fd_event;
	m->fd_events = EPOLLIN | EPOLLOUT;
	if (loop_fd_add(m->a->loop, &m->fd, m->fd_events) == -1) {
		m->fd.fd = -1;
		agg_mqtt_why(m, "epoll", MOSQ_ERR_ERRNO);
		goto fail;
	}
	loop_timer_set(m->a->loop, &m->tick, AGG_TICK_MS);
	return;
fail:
	if (m->mosq == NULL)
		m->broken = true;
	agg_mqtt_lost(m);
}

int
agg_mqtt_publish(struct agg_mqtt *m, const char *topic, const char *payload,
    size_t len, char *err, size_t errlen)
{
	char full[512];
	int rc;

	if (m == NULL || m->mosq == NULL || !m->up) {
		snprintf(err, errlen, "not connected to the broker");
		return -1;
	}
	if ((size_t)snprintf(full, sizeof(full), "%s/%s",
	    m->a->cfg.broker.topic_prefix, topic) >= sizeof(full) ||
	    len > INT32_MAX) {
		snprintf(err, errlen, "topic or message too long");
		return -1;
	}
	/* QoS 1, not retained, as qrgatectl push sends. */
	rc = mosquitto_publish(m->mosq, NULL, full, (int)len, payload, 1,
	    false);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "publish %s: %s", full,
		    mosquitto_strerror(rc));
		agg_mqtt_why(m, "publish", rc);
	}
	agg_mqtt_settle(m);
	return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

struct agg_mqtt *
agg_mqtt_start(struct agg *a)
{
	static bool lib_ready;
	struct agg_mqtt *m;

	if (!lib_ready && mosquitto_lib_init() != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: libmosquitto would not start");
		return NULL;
	}
	lib_ready = true;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("mqtt");
		return NULL;
	}
	m->a = a;
	m->fd.fd = -1;
	m->tick.cb = agg_mqtt_tick;
	m->retry.cb = agg_mqtt_retry;
	m->backoff_ms = 1000;
	agg_mqtt_connect(m);
	return m;
}

/*
 * Stores what was read, then disconnects cleanly: the broker keeps the
 * session and queues for it until the next start.
 */
void
agg_mqtt_stop(struct agg_mqtt *m)
{
	if (m == NULL)
		return;
	(void)agg_round_store(m);
	loop_timer_cancel(m->a->loop, &m->retry);
	if (m->mosq != NULL && m->up) {
		mosquitto_disconnect(m->mosq);
		mosquitto_loop_write(m->mosq, 1);
	}
	agg_mqtt_teardown(m);
	agg_round_clear(m);
	free(m);
}
