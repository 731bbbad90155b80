/*
 * Getting connected: the broker's name looked up without waiting, one
 * fresh libmosquitto handle per attempt with every option and the last
 * will, TLS with the broker's name checked, and the TCP connection made in
 * the background.
 *
 * libmosquitto 2.0's mosquitto_connect_async() connects without blocking
 * but calls getaddrinfo() itself, which may wait seconds on DNS.  So the
 * name is looked up here with getaddrinfo_a(), polled from a timer, and
 * libmosquitto only ever gets a numeric address.  With TLS the broker's
 * certificate is then checked against the configured name by OpenSSL
 * (X509_VERIFY_PARAM_set1_host on the connection), in place of
 * libmosquitto's own check, which would compare it with the address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <mosquitto.h>

#include "log.h"
#include "mqtt_private.h"
#include "mqtt_tls.h"
#include "mqtt_msg.h"

#define MQTT_RESOLVE_POLL_MS	50

/*
 * TLS: libmosquitto loads the CA, certificate and key; its own check of
 * the broker's name is off, since it would compare the certificate with
 * the numeric address it was given.  mqtt_tls_name() puts the configured
 * name in its place.  (Handing libmosquitto 2.0.11 our own SSL_CTX
 * instead does not work: its verify callback then rejects every chain.)
 */
static int
mqtt_tls_setup(struct mqtt *m)
{
	const struct config_mqtt *c = &m->cfg;
	int rc;

	mqtt_cert_load(m);
	mqtt_cert_check(m);
	rc = mosquitto_tls_set(m->mosq, c->ca_file, NULL,
	    c->cert_file[0] != '\0' ? c->cert_file : NULL,
	    c->key_file[0] != '\0' ? c->key_file : NULL, NULL);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_tls_insecure_set(m->mosq, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		mqtt_why(m, "TLS files (mqtt.ca_file, cert_file, key_file)",
		    rc);
		return -1;
	}
	return 0;
}

/* Right after the connect call, before the loop reads anything more
 * (mqtt_tls.h says why). */
static void
mqtt_tls_name(struct mqtt *m)
{
	m->tls_name.host = m->cfg.host;
	if (mqtt_tls_name_check(&m->tls_name, m->mosq) == -1)
		m->broken = true;
}

/* A fresh handle with every option, the will and the callbacks. */
static int
mqtt_handle_new(struct mqtt *m)
{
	const struct config_mqtt *c = &m->cfg;
	const char *id = c->client_id[0] != '\0' ? c->client_id : m->gate_id;
	int send_max = 2 * c->inflight_max + 16;
	char *will;
	size_t len;
	int rc;

	if ((m->mosq = mosquitto_new(id, true, m)) == NULL) {
		mqtt_why(m, "new client", MOSQ_ERR_NOMEM);
		return -1;
	}
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	    c->protocol == MQTT_PROTO_5 ? MQTT_PROTOCOL_V5 :
	    MQTT_PROTOCOL_V311);
	/* Outbox rows, with room for status, alarms and results beside them. */
	mosquitto_int_option(m->mosq, MOSQ_OPT_SEND_MAXIMUM,
	    send_max > 65535 ? 65535 : send_max);
	mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (c->username[0] != '\0' &&
	    (rc = mosquitto_username_pw_set(m->mosq, c->username,
	    c->password[0] != '\0' ? c->password : NULL)) != MOSQ_ERR_SUCCESS) {
		mqtt_why(m, "user name", rc);
		return -1;
	}
	will = mqtt_msg_text(mqtt_msg_offline(m->gate_id, m->site, m->lane,
	    false, 0), &len);
	if (will == NULL) {
		mqtt_why(m, "last will", MOSQ_ERR_NOMEM);
		return -1;
	}
	rc = mosquitto_will_set(m->mosq, m->topic[MQTT_T_STATUS], (int)len,
	    will, 1, true);
	free(will);
	if (rc != MOSQ_ERR_SUCCESS) {
		mqtt_why(m, "last will", rc);
		return -1;
	}
	if (c->tls && mqtt_tls_setup(m) == -1)
		return -1;
	mqtt_callbacks_set(m);
	return 0;
}

/* One attempt on one numeric address; TCP connects in the background. */
static void
mqtt_connect_addr(struct mqtt *m, const char *addr)
{
	int rc;

	log_debug("mqtt: connecting to %s (%s) port %d", m->cfg.host, addr,
	    m->cfg.port);
	if (mqtt_handle_new(m) == 0 &&
	    (rc = mosquitto_connect_bind_async(m->mosq, addr, m->cfg.port,
	    m->cfg.keepalive_s, NULL)) != MOSQ_ERR_SUCCESS)
		mqtt_why(m, addr, rc);
	if (!m->broken && m->cfg.tls)
		mqtt_tls_name(m);
	if (!m->broken) {
		m->fd.fd = mosquitto_socket(m->mosq);
		m->fd_events = EPOLLIN;
		if (loop_fd_add(m->loop, &m->fd, EPOLLIN) == -1)
			mqtt_why(m, "epoll", MOSQ_ERR_ERRNO);
	}
	if (m->broken) {
		m->fd.fd = -1;
		mqtt_lost(m);
		return;
	}
	m->state = MQTT_CONNECTING;
	/* keepalive_s without CONNACK drops the attempt (loop_misc). */
	loop_timer_set(m->loop, &m->tick, MQTT_TICK_MS);
	mqtt_settle(m);
}

static void
mqtt_resolve_start(struct mqtt *m)
{
	int rc;

	m->state = MQTT_RESOLVING;
	loop_timer_set(m->loop, &m->tick, MQTT_RESOLVE_POLL_MS);
	/* An earlier lookup first: it owns gai_host. */
	if (m->gai_busy)
		return;
	snprintf(m->gai_host, sizeof(m->gai_host), "%s", m->cfg.host);
	m->gai_hints = (struct addrinfo){ .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM };
	m->gai = (struct gaicb){ .ar_name = m->gai_host,
	    .ar_request = &m->gai_hints };
	m->gai_list[0] = &m->gai;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, m->gai_list, 1, NULL)) != 0) {
		loop_timer_cancel(m->loop, &m->tick);
		mqtt_why_text(m, "lookup", gai_strerror(rc));
		mqtt_lost(m);
		return;
	}
	m->gai_busy = true;
}

/* The next address, looking the name up again once all were tried. */
void
mqtt_connect_start(struct mqtt *m)
{
	/* A numeric host fits: inet_pton() took it. */
	if (m->n_addr == 0 && mqtt_host_numeric(m->cfg.host)) {
		memcpy(m->addr[0], m->cfg.host, strlen(m->cfg.host) + 1);
		m->n_addr = 1;
		m->addr_next = 0;
	}
	if (m->addr_next < m->n_addr)
		mqtt_connect_addr(m, m->addr[m->addr_next++]);
	else
		mqtt_resolve_start(m);
}

/* A lookup finished (r is gai_error()): keep its addresses. */
static void
mqtt_resolve_done(struct mqtt *m, int r)
{
	struct addrinfo *ai, *res = m->gai.ar_result;

	m->gai_busy = false;
	m->n_addr = m->addr_next = 0;
	for (ai = res; r == 0 && ai != NULL && m->n_addr < MQTT_ADDRS;
	    ai = ai->ai_next) {
		const struct sockaddr_in *in = (void *)ai->ai_addr;
		const struct sockaddr_in6 *in6 = (void *)ai->ai_addr;
		const void *a = ai->ai_family == AF_INET ?
		    (const void *)&in->sin_addr : (const void *)&in6->sin6_addr;

		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    inet_ntop(ai->ai_family, a, m->addr[m->n_addr],
		    sizeof(m->addr[0])) != NULL)
			m->n_addr++;
	}
	if (res != NULL)
		freeaddrinfo(res);
	m->gai.ar_result = NULL;
	/* Closed, or connecting to a numeric host meanwhile. */
	if (m->state != MQTT_RESOLVING)
		return;
	/* A restart changed the host while this lookup was out. */
	if (strcmp(m->gai_host, m->cfg.host) != 0) {
		m->n_addr = 0;
		mqtt_resolve_start(m);
		return;
	}
	if (m->n_addr == 0) {
		mqtt_why_text(m, "lookup", r != 0 ? gai_strerror(r) :
		    "no address");
		mqtt_lost(m);
		return;
	}
	mqtt_connect_start(m);
}

void
mqtt_resolve_poll(struct mqtt *m)
{
	int rc = gai_error(&m->gai);

	if (rc == EAI_INPROGRESS)
		loop_timer_set(m->loop, &m->tick, MQTT_RESOLVE_POLL_MS);
	else
		mqtt_resolve_done(m, rc);
}
