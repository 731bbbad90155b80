/*
 * The aggregator's HTTP side (libmicrohttpd, driven from the one event
 * loop): the live page for security staff (plain HTML, CSS and a little
 * JavaScript from web_root, server-sent events at /events/live), and the
 * JSON API the page and scripts use.  It binds to loopback by default;
 * bound elsewhere it refuses to start without a password, which it keeps
 * only as a libsodium crypto_pwhash_str() hash and asks for with HTTP
 * basic authentication.
 *
 * The web side knows nothing of storage: what it serves comes from the
 * aggregator through struct agg_web_source.
 *
 * Errors, in every agg_web*.c file: a function returns -1 (NULL for a
 * pointer) and has logged why, once, with "web: "; its callers only act
 * (agg_web_start() gives up, and the aggregator stops).  A request is
 * different: its trouble is its answer (a status, or MHD_NO, on which
 * libmicrohttpd drops the connection), logged only when it is the
 * aggregator's (a live page refused or out of memory), never per
 * refused request; a wrong password is logged as such by the
 * authentication.  agg_web_publish() has no answer: what it cannot send
 * it logs and drops.
 */
#ifndef QRGATE_AGG_WEB_H
#define QRGATE_AGG_WEB_H

#include <stdbool.h>

#include <jansson.h>

struct loop;
struct agg_web;

struct agg_web_config {
	char bind[64];		/* address; default "127.0.0.1" */
	int port;		/* 0: an ephemeral port (tests) */
	char password_hash[192];/* crypto_pwhash_str(); "": no password */
	char web_root[256];	/* directory of index.html, app.js, style.css */
};

/* One query string, as name/value pairs (decoded). */
struct agg_web_query {
	int count;
	const char *name[16];
	const char *value[16];
};

/* Looks up name in q; NULL when absent. */
const char *agg_web_query_get(const struct agg_web_query *q, const char *name);

struct agg_web_source {
	/*
	 * GET /api/<what>: "gates", "alarms", "headcount", "recent", "trace",
	 * "inside", "events", "daily".  Returns a new JSON reference and sets
	 * *status (200, or 400 with {"error": ...} for bad parameters, 404
	 * for an unknown what); NULL means 500.
	 */
	json_t *(*api)(void *arg, const char *what,
	    const struct agg_web_query *q, int *status);
	void *arg;
};

/*
 * Starts serving on the loop.  Returns NULL with the reason logged (port
 * taken, non-loopback bind without a password, web_root unreadable).
 */
struct agg_web *agg_web_start(struct loop *l, const struct agg_web_config *cfg,
    const struct agg_web_source *src);

/* The port actually bound (for port 0). */
int agg_web_port(const struct agg_web *w);

/*
 * Sends one server-sent event to every page connected to /events/live:
 * type is "event" (a decision or lane event), "gate" (a gate's state
 * changed), "alarm" (an alarm began or ended) or "headcount".
 */
void agg_web_publish(struct agg_web *w, const char *type, const json_t *data);

void agg_web_stop(struct agg_web *w);

#endif
