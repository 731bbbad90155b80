/*
 * The MQTT client, inside the daemon's one loop: libmosquitto without its
 * thread, its socket in epoll, a tick each second for keepalives.  It
 * publishes the outbox (store_outbox.h) as events, the gate's status and
 * its alarms and the dynamic steps it grants, and hands config pushes,
 * credential lists, commands and the site's other gates' steps to the
 * inbound handlers (inbound.h).  The lane never waits on it: a
 * decision only writes SQLite and arms a timer here.
 *
 * Each connection attempt gets a fresh libmosquitto handle with a clean
 * session: the broker keeps nothing for the gate and libmosquitto resends
 * nothing by itself, so the outbox alone says what is still to be sent,
 * and a command queued at the broker while the gate was away is never
 * executed late.
 *
 * Errors, in every mqtt*.c file: a function returns -1 (NULL for a
 * pointer).  Trouble with the connection is never logged where it
 * happens: mqtt_why() marks it broken with the first reason, and
 * mqtt_lost() logs that reason once, in the line that says when the next
 * attempt is.  Any other failure is logged once by the function that
 * knows why; the store's own failures (the outbox) the store has logged,
 * and the client only acts on them.  The builders of mqtt_msg.h return
 * NULL or -1 and log nothing: their one reason is memory, which the
 * publisher logs with the topic.
 */
#ifndef QRGATE_MQTT_H
#define QRGATE_MQTT_H

#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "gate.h"
#include "loop.h"
#include "mqtt_tls.h"

struct mosquitto;

enum mqtt_state {
	MQTT_OFF,		/* mqtt.enabled is false, or closed */
	MQTT_IDLE,		/* waiting for the next attempt */
	MQTT_RESOLVING,		/* looking the broker's name up */
	MQTT_CONNECTING,	/* TCP, TLS and CONNECT under way */
	MQTT_UP,		/* the broker accepted the connection */
};

enum mqtt_topic {
	MQTT_T_EVENTS,
	MQTT_T_STATUS,
	MQTT_T_ALARM,
	MQTT_T_CONFIG_SET,
	MQTT_T_SITE_CONFIG_SET,	/* <prefix>/<site>/all/config/set */
	MQTT_T_CRED_SET,
	MQTT_T_CRED_PATCH,
	MQTT_T_CMD,
	MQTT_T_CONFIG_RESULT,
	MQTT_T_CRED_RESULT,
	MQTT_T_CMD_RESULT,
	MQTT_T_STEPS,		/* dynamic steps this gate granted */
	MQTT_T_SITE_CRED_SET,	/* <prefix>/<site>/all/credentials/set */
	MQTT_T_SCHED_SET,	/* this gate's schedules */
	MQTT_T_SITE_SCHED_SET,	/* <prefix>/<site>/all/schedules/set */
	MQTT_T_SCHED_RESULT,
	MQTT_T_COUNT
};

/* Alarms that are not log rows, kept as states. */
enum mqtt_alarm {
	MQTT_A_CAMERA,
	MQTT_A_DATABASE,
	MQTT_A_OUTBOX_NEAR_FULL,
	MQTT_A_OUTBOX_FULL,
	MQTT_A_CLOCK,		/* not synchronised while dynamic tokens come */
	MQTT_A_CERT_EXPIRING,	/* mqtt.cert_file near its end (mqtt_cert.c) */
	MQTT_A_READER,		/* the [reader] lost or not opened */
	MQTT_A_COUNT
};

#define MQTT_TICK_MS 1000		/* keepalive and connection timeouts */
#define MQTT_TOPIC_MAX 256
#define MQTT_INFLIGHT_LIMIT 1000	/* the largest mqtt.inflight_max */
#define MQTT_ACK_BATCH 256		/* acked rows deleted at once */
#define MQTT_ADDRS 8
#define MQTT_STEP_QUEUE 32	/* steps granted, not yet handed over */

/* An outbox row's message handed to libmosquitto, until its PUBACK. */
struct mqtt_slot {
	int mid;
	int64_t id;
};

/* A dynamic step granted here, waiting for the step timer. */
struct mqtt_step_out {
	char id[64];		/* the credential's id */
	uint32_t step;
};

struct mqtt_alarm_state {
	bool active;
	bool sent;		/* the state last published */
	int64_t ts_ms;
	char detail[96];
};

struct mqtt {
	struct loop *loop;
	struct gate *gate;
	struct config_mqtt cfg;
	char gate_id[64];
	char site[64];
	char lane[32];
	char topic[MQTT_T_COUNT][MQTT_TOPIC_MAX];

	enum mqtt_state state;
	struct mosquitto *mosq;
	struct loop_fd fd;
	uint32_t fd_events;
	bool broken;		/* a call failed: torn down at the settle */
	char why[160];		/* why, for the log */
	struct mqtt_tls_name tls_name;	/* the broker's name, checked */
	int backoff_ms;
	struct loop_timer tick;		/* keepalive; polls a lookup */
	struct loop_timer retry;	/* the next attempt; a restart */
	struct loop_timer beat;		/* the status heartbeat */
	struct loop_timer drain;	/* send more of the outbox, now */

	/* A changed config waits here for the retry timer to apply it. */
	bool restart;
	struct config next;

	/* The broker's addresses, looked up with getaddrinfo_a(). */
	struct gaicb gai;
	struct gaicb *gai_list[1];
	struct addrinfo gai_hints;
	char gai_host[256];
	bool gai_busy;
	char addr[MQTT_ADDRS][INET6_ADDRSTRLEN];
	int n_addr;
	int addr_next;

	/* The outbox in flight on this connection. */
	struct mqtt_slot slot[2 * MQTT_INFLIGHT_LIMIT];
	int n_slot;
	int n_rows;		/* outbox rows with a slot */
	int64_t last_sent_id;
	int64_t acked[MQTT_ACK_BATCH];
	int n_acked;
	int64_t depth;		/* outbox rows, at the last check */

	/* Dynamic steps (mqtt_step.c): granted here, sent by the step
	 * timer; and those of the site's other gates, on step_sub. */
	struct loop_timer step_timer;
	struct mqtt_step_out step_q[MQTT_STEP_QUEUE];
	int n_step_q;
	char step_sub[MQTT_TOPIC_MAX];	/* <prefix>/<site>/+/steps */
	uint64_t steps_sent;	/* handed to libmosquitto */
	uint64_t steps_lost;	/* granted while not connected */
	uint64_t steps_taken;	/* received and recorded */
	uint64_t steps_refused;	/* received and refused */

	struct mqtt_alarm_state alarm[MQTT_A_COUNT];
	int offline_mid;
	bool offline_acked;
	uint64_t published;	/* outbox messages acknowledged */
	uint64_t refused;	/* ... that the broker refused (MQTT 5) */
	uint64_t connects;

	/* mqtt.cert_file's end, read at each attempt (mqtt_cert.c). */
	int64_t cert_not_after;	/* Unix seconds; 0: no certificate */
};

/*
 * Attaches the client to g (g->up) and, when mqtt.enabled, starts
 * connecting.  A broker that cannot be reached is retried for ever, with
 * backoff; it never stops the gate.  Returns 0, or -1 if libmosquitto
 * cannot be initialised.
 */
int mqtt_open(struct mqtt *m, struct loop *l, struct gate *g);

/*
 * Publishes the retained "offline" status when connected, waits for its
 * acknowledgement for two seconds at most, disconnects and detaches from
 * the gate.  Before gate_close(): it reads the gate's store.
 */
void mqtt_close(struct mqtt *m);

#endif
