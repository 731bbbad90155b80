/*
 * Config pushes: a JSON object of "section.key": value settings, merged
 * key by key over the config of the file (the site-wide push first, then
 * this gate's own, so the gate's wins where both name a key), each value
 * taken through config_set() in its text form exactly as the file's would
 * be.  Also the state the inbound handlers keep between messages, which
 * struct gate points to.
 */
#ifndef QRGATE_PUSH_H
#define QRGATE_PUSH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "loop.h"

struct gate;

/* A config push document is at most this long. */
#define PUSH_MAX_PAYLOAD	(64 * 1024)

/* The longest command id. */
#define INBOUND_CMD_ID_MAX	64

/* The push of one scope that is in effect. */
struct push_doc {
	int64_t version;	/* 0: none */
	json_t *settings;	/* {"section.key": value, ...}, or NULL */
	/* The highest version ever accepted for the scope, as the store
	 * keeps it: still there when its push is left out (it no longer
	 * fits the file's config), so that an older push never comes back. */
	int64_t seen;
};

/* What the inbound handlers keep between messages (gate->inbound). */
struct inbound_state {
	struct gate *g;
	struct config base;	/* the file's and -o's, pushes not applied */
	struct push_doc site;
	struct push_doc gate;
	/* Drops the credential set a snapshot replaced, a moment after. */
	struct loop_timer cleanup;
	/* What the last message of each kind came to, for the status
	 * (inbound_status.c); NULL: none since the start. */
	json_t *config_last;
	json_t *cred_last;
};

/*
 * g->inbound, created on first use with the running config as its base.
 * NULL when out of memory (logged).
 */
struct inbound_state *inbound_state_get(struct gate *g);

/*
 * A JSON string of s.  Text cut from a longer message may end inside a
 * UTF-8 character, which jansson refuses: then every byte that is not
 * ASCII becomes '?'.  NULL only when out of memory.
 */
json_t *inbound_json_string(const char *s);

/* Appends one printf-formatted message to errors, a JSON array. */
void inbound_error_add(json_t *errors, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Sets each setting of settings on c.  Appends to errors (a JSON array)
 * one message for each key that is malformed, unknown or not for pushes
 * (store.path, store.synchronous and control.*, which take effect only at
 * a restart; gate.id, gate.site and mqtt.*, which the push came through;
 * security.*, which checks the push), and each value of a JSON type without a text form or refused by
 * config_set().  Returns the number of problems.
 */
int push_settings_apply(struct config *c, const json_t *settings,
    json_t *errors);

/* The checks between settings that config_load() makes, on a whole
 * config.  Appends each problem to errors; returns their number. */
int push_config_check(const struct config *c, json_t *errors);

/*
 * out = base with site, then gate, applied over it (either may be NULL),
 * then checked as a whole.  Returns the number of problems (appended to
 * errors); out is usable only when it is 0.
 */
int push_merge(const struct config *base, const json_t *site,
    const json_t *gate, struct config *out, json_t *errors);

#endif
