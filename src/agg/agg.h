/*
 * The aggregator daemon's parts and what they share: the loop, the
 * configuration, the database, the web side and the MQTT client.  Ingest
 * (agg_ingest.c) stores events exactly once and watches each gate's
 * sequence for gaps; the registry (agg_registry.c) keeps each gate's state
 * and the alarms; queries (agg_query.c) answer the CLI and the web API.
 */
#ifndef QRGATE_AGG_H
#define QRGATE_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "agg_config.h"
#include "agg_db.h"
#include "agg_web.h"
#include "loop.h"

struct agg_mqtt;

/* What ingest counted since start; logged on exit and served as "stats". */
struct agg_stats {
	int64_t messages;	/* every message received */
	int64_t stored;		/* new events */
	int64_t updated;	/* a higher rev of a stored event */
	int64_t duplicates;	/* dropped: already stored */
	int64_t rejected;	/* malformed, not the gate its topic names,
				 * or another gate's event id */
	int64_t gaps_opened;
	int64_t gaps_closed;
	int64_t db_errors;
};

struct agg {
	struct loop *loop;
	struct agg_config cfg;
	struct agg_db *db;
	struct agg_web *web;		/* NULL: not serving */
	struct agg_mqtt *mqtt;
	struct loop_timer tick;		/* stale gates, momentary alarms */
	bool headcount_dirty;		/* publish the headcount at the tick */
	struct agg_stats stats;
	/* people.credentials_key_file's secret key, read at start (the
	 * list is sent every change); wiped at exit. */
	uint8_t creds_sk[64];
	bool creds_key;
};

/* Which of a gate's topics a message came on. */
enum agg_topic { AGG_T_EVENTS, AGG_T_STATUS, AGG_T_ALARM };

/*
 * One message from the broker (agg_mqtt.c calls this).  site and gate are
 * those of the topic.  retained: the broker's stored copy, not live.
 * Returns 0 when handled (stored, or dropped as duplicate or malformed),
 * -1 on a database error.
 */
int agg_ingest_message(struct agg *a, enum agg_topic t, const char *site,
    const char *gate, const char *payload, size_t len, bool retained);

/* An event document: 0, or -1 on a database error. */
int agg_ingest_event(struct agg *a, const char *site, const char *gate,
    json_t *doc);

/* A status document (online, offline, the last will). */
int agg_registry_status(struct agg *a, const char *site, const char *gate,
    json_t *doc, bool retained);
/* An alarm document. */
int agg_registry_alarm(struct agg *a, const char *site, const char *gate,
    json_t *doc);
/*
 * The periodic work: gates whose heartbeat is older than three intervals
 * become stale; momentary alarms older than alarm_hold_s end.
 */
void agg_registry_tick(struct agg *a, int64_t now_ms);

/* The web side's api callback (struct agg_web_source; agg_api.c). */
int agg_api(void *arg, const struct agg_web_call *c, struct agg_web_reply *r);

/* The MQTT client on the loop (agg_mqtt.c). */
struct agg_mqtt *agg_mqtt_start(struct agg *a);
void agg_mqtt_stop(struct agg_mqtt *m);
/* The people list's push (agg_people_push.c): reads the keys at start
 * (-1: a key file named that does not read), then each tick sends the
 * list when it changed. */
int agg_people_push_init(struct agg *a);
/* Wipes the key agg_people_push_init() read. */
void agg_people_push_done(struct agg *a);
void agg_people_push_tick(struct agg *a, int64_t now_ms);

/*
 * Publishes payload on <prefix>/<topic> at QoS 1 on the aggregator's own
 * connection, retained when retain.  0 once handed to libmosquitto, or -1
 * with a message in err (not connected, or the publish failed).
 */
int agg_mqtt_publish(struct agg_mqtt *m, const char *topic,
    const char *payload, size_t len, bool retain, char *err, size_t errlen);

#endif
