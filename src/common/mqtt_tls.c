/*
 * The broker's certificate and the configured name (mqtt_tls.h says
 * why).  OpenSSL does the checking: X509_VERIFY_PARAM_set1_host (or
 * _ip_asc) on the connection, X509_check_host for a certificate already
 * received.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <mosquitto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mqtt_tls.h"

bool
mqtt_host_numeric(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

static void
mqtt_tls_not_named(struct mqtt_tls_name *n)
{
	snprintf(n->why, sizeof(n->why), "the broker's certificate "
	    "does not name %.100s", n->host);
}

/* OpenSSL's verdict, kept while the handshake runs. */
static int
mqtt_tls_verify(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mqtt_tls_name *n = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int err = X509_STORE_CTX_get_error(store);

	if (ok || n == NULL || n->why[0] != '\0')
		return ok;
	if (err == X509_V_ERR_HOSTNAME_MISMATCH ||
	    err == X509_V_ERR_IP_ADDRESS_MISMATCH)
		mqtt_tls_not_named(n);
	else
		snprintf(n->why, sizeof(n->why), "the broker's certificate: "
		    "%s", X509_verify_cert_error_string(err));
	return ok;
}

int
mqtt_tls_name_check(struct mqtt_tls_name *n, struct mosquitto *mosq)
{
	bool numeric = mqtt_host_numeric(n->host);
	SSL *ssl = mosquitto_ssl_get(mosq);
	X509_VERIFY_PARAM *param;
	X509 *peer;
	int ok;

	n->why[0] = '\0';
	if (ssl == NULL) {
		snprintf(n->why, sizeof(n->why), "TLS: no connection");
		return -1;
	}
	/* Index 0 is the application's own (libmosquitto takes another). */
	SSL_set_app_data(ssl, n);
	SSL_set_verify(ssl, SSL_VERIFY_PEER, mqtt_tls_verify);
	param = SSL_get0_param(ssl);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	ok = numeric ? X509_VERIFY_PARAM_set1_ip_asc(param, n->host) :
	    X509_VERIFY_PARAM_set1_host(param, n->host, 0);
	if (ok == 1 && (peer = SSL_get0_peer_certificate(ssl)) != NULL)
		ok = numeric ? X509_check_ip_asc(peer, n->host, 0) :
		    X509_check_host(peer, n->host, 0,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
	if (ok != 1) {
		mqtt_tls_not_named(n);
		return -1;
	}
	return 0;
}
