/*
 * The gate's own client certificate (mqtt.cert_file) and its end: a gate
 * whose certificate expires is shut out by the broker, and nothing at the
 * gate itself would say so beforehand.  "cert-expiring" is raised
 * mqtt.cert_warn_days before the end, with the days left, and the status
 * shows the end whatever the setting.  The file is read at each
 * connection attempt (the certificate libmosquitto then loads), so that a
 * renewed certificate clears the alarm at the next connection.
 */
#include "mqtt_private.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "clock.h"
#include "log.h"

#define MQTT_CERT_DAY_S		86400

void
mqtt_cert_load(struct mqtt *m)
{
	const ASN1_TIME *end;
	struct tm tm;
	X509 *crt;
	FILE *f;

	m->cert_not_after = 0;
	if (m->cfg.cert_file[0] == '\0')
		return;
	if ((f = fopen(m->cfg.cert_file, "r")) == NULL)
		return;		/* libmosquitto says why, next */
	crt = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (crt == NULL)
		return;
	if ((end = X509_get0_notAfter(crt)) != NULL &&
	    ASN1_TIME_to_tm(end, &tm) == 1)
		m->cert_not_after = (int64_t)timegm(&tm);
	X509_free(crt);
}

/* Whole days from now to the end, rounded down (-1: ended today). */
static int64_t
mqtt_cert_days_left(const struct mqtt *m)
{
	int64_t left = m->cert_not_after - clock_utc_ms() / 1000;

	return left >= 0 ? left / MQTT_CERT_DAY_S :
	    -((-left + MQTT_CERT_DAY_S - 1) / MQTT_CERT_DAY_S);
}

static void
mqtt_cert_end_text(const struct mqtt *m, char *buf, size_t size)
{
	time_t t = (time_t)m->cert_not_after;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "?");
}

void
mqtt_cert_check(struct mqtt *m)
{
	char detail[96], end[32];
	int64_t days;

	if (m->cert_not_after == 0 || m->cfg.cert_warn_days == 0) {
		mqtt_alarm_set(m, MQTT_A_CERT_EXPIRING, false,
		    "no client certificate to watch");
		return;
	}
	days = mqtt_cert_days_left(m);
	mqtt_cert_end_text(m, end, sizeof(end));
	if (days < m->cfg.cert_warn_days) {
		if (days < 0)
			snprintf(detail, sizeof(detail), "client certificate "
			    "expired %s", end);
		else
			snprintf(detail, sizeof(detail), "client certificate "
			    "expires in %lld days, %s", (long long)days, end);
		/* A new count of days is news: published again, the alarm
		 * still the one that began. */
		mqtt_alarm_detail(m, MQTT_A_CERT_EXPIRING, detail);
		mqtt_alarm_set(m, MQTT_A_CERT_EXPIRING, true, detail);
	} else {
		snprintf(detail, sizeof(detail), "client certificate valid "
		    "until %s", end);
		mqtt_alarm_set(m, MQTT_A_CERT_EXPIRING, false, detail);
	}
}

void
mqtt_cert_status(struct mqtt *m, json_t *st)
{
	char end[32];

	if (st == NULL || m->cert_not_after == 0)
		return;
	mqtt_cert_end_text(m, end, sizeof(end));
	json_object_set_new(st, "cert", json_pack("{s:s, s:I, s:b}",
	    "not_after", end, "days_left", (json_int_t)mqtt_cert_days_left(m),
	    "expiring", m->alarm[MQTT_A_CERT_EXPIRING].active));
}
