/*
 * The broker's certificate checked against the name a client was
 * configured with, while libmosquitto connects to one numeric address of
 * it: the gate and the aggregator look the name up themselves, to try
 * each of its addresses in turn, and libmosquitto's own check would then
 * compare the certificate with the address.
 */
#ifndef QRGATE_MQTT_TLS_H
#define QRGATE_MQTT_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct mosquitto;

struct mqtt_tls_name {
	const char *host;	/* the configured name, or an address */
	char why[160];		/* why the certificate was refused, or "" */
};

/* True for an IPv4 or IPv6 address written out. */
bool mqtt_host_numeric(const char *host);

/*
 * Right after mosquitto_connect_async() on a handle whose TLS files are
 * set and whose own name check is off (mosquitto_tls_insecure_set): from
 * here on the handshake checks n->host, and keeps in n->why why it
 * refused a certificate (libmosquitto reports only "Protocol error", once
 * it has freed what said why).  The connect call ran the handshake's
 * first step; a certificate that came back already (a broker on the same
 * machine) was verified without the name, so it is checked now.  -1, with
 * n->why set, when the connection cannot go on.  n must outlive the
 * connection.
 */
int mqtt_tls_name_check(struct mqtt_tls_name *n, struct mosquitto *mosq);

#endif
