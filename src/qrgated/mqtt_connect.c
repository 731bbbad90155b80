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
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "mqtt_private.h"
#include "mqtt_msg.h"

#define MQTT_RESOLVE_POLL_MS	50

static bool
mqtt_host_numeric(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

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

static void
mqtt_tls_not_named(struct mqtt *m)
{
	m->broken = true;
	snprintf(m->why, sizeof(m->why), "the broker's certificate "
	    "does not name %.100s", m->cfg.host);
}

/*
 * OpenSSL's verdict on the broker's certificate, kept while the handshake
 * runs: by the time libmosquitto reports the failed read, it has closed
 * the connection and freed what said why ("Protocol error" is all that
 * remains).
 */
static int
mqtt_tls_verify(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mqtt *m = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int err = X509_STORE_CTX_get_error(store);

	if (ok || m == NULL || m->why[0] != '\0')
		return ok;
	if (err == X509_V_ERR_HOSTNAME_MISMATCH ||
	    err == X509_V_ERR_IP_ADDRESS_MISMATCH)
		mqtt_tls_not_named(m);
	else
		mqtt_why_text(m, "the broker's certificate",
		    X509_verify_cert_error_string(err));
	return ok;
}

/*
 * Right after the connect call, before the loop reads anything more: the
 * handshake checks mqtt.host against the broker's certificate from here
 * on (OpenSSL's X509_check_host), and mqtt_tls_verify() keeps why it
 * refused one.  The connect call ran the handshake's first step; had the
 * certificate come back already (a broker on the same machine), it was
 * verified without the name, so it is checked now.
 */
static int
mqtt_tls_name(struct mqtt *m)
{
	const char *host = m->cfg.host;
	bool numeric = mqtt_host_numeric(host);
	SSL *ssl = mosquitto_ssl_get(m->mosq);
	X509_VERIFY_PARAM *param;
	X509 *peer;
	int ok;

	if (ssl == NULL) {
		mqtt_why(m, "TLS", MOSQ_ERR_TLS);
		return -1;
	}
	SSL_set_app_data(ssl, m);
	SSL_set_verify(ssl, SSL_VERIFY_PEER, mqtt_tls_verify);
	param = SSL_get0_param(ssl);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	ok = numeric ? X509_VERIFY_PARAM_set1_ip_asc(param, host) :
	    X509_VERIFY_PARAM_set1_host(param, host, 0);
	if (ok == 1 && (peer = SSL_get0_peer_certificate(ssl)) != NULL)
		ok = numeric ? X509_check_ip_asc(peer, host, 0) :
		    X509_check_host(peer, host, 0,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
	if (ok != 1) {
		mqtt_tls_not_named(m);
		return -1;
	}
	return 0;
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
