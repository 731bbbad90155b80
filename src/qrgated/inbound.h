/*
 * What IT and security staff send a gate over MQTT: config pushes,
 * credential lists and commands.  Each handler takes one message, changes
 * the gate all at once or not at all, and returns the result document to
 * publish on the matching .../result topic (a new reference), or NULL when
 * nothing is to be published.  The handlers know nothing of MQTT itself:
 * the client (mqtt.c) subscribes, dispatches and publishes.
 */
#ifndef QRGATE_INBOUND_H
#define QRGATE_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct gate;

/* Which config push a message is: this gate's own, or the site-wide one. */
enum push_scope { PUSH_SITE, PUSH_GATE };

/* config/set and qrgate/<site>/all/config/set. */
json_t *inbound_config_set(struct gate *g, enum push_scope scope,
    const uint8_t *payload, size_t len);

/* credentials/set: a snapshot, possibly in numbered chunks. */
json_t *inbound_credentials_set(struct gate *g, const uint8_t *payload, size_t len);

/* credentials/patch: add, update, remove. */
json_t *inbound_credentials_patch(struct gate *g, const uint8_t *payload, size_t len);

/* schedules/set: the site's schedules, groups and holidays, all at once
 * (inbound_sched.c); the version only goes up. */
json_t *inbound_schedules_set(struct gate *g, const uint8_t *payload,
    size_t len);

/* cmd: open, lockdown, release, normal.  retained: the broker replayed a
 * retained message, which is never acted on. */
json_t *inbound_cmd(struct gate *g, const uint8_t *payload, size_t len, bool retained);

/*
 * Dynamic tokens across a site: a gate that grants a dynamic token
 * publishes {"credential_id": ID, "step": N} on its own
 * <prefix>/<site>/<gate>/steps topic, and every other gate of the site
 * raises that credential's recorded step (store_token_step_raise()), so the
 * same token is refused "replayed" there too.  Not signed: a received
 * step can only make a gate refuse a token, never grant one, and only a
 * step this gate would itself take now (the current one or one either
 * side) is recorded.
 */
#define INBOUND_STEP_MAX	256	/* the largest step message, bytes */

struct inbound_step {
	char credential_id[64];	/* IT's id, 1 to 63 bytes, no control */
	uint32_t step;
};

enum inbound_step_result {
	INBOUND_STEP_RAISED,	/* recorded: the step is refused here now */
	INBOUND_STEP_IGNORED,	/* well formed, nothing to do: an old step,
				 * or a credential this gate does not hold */
	INBOUND_STEP_REFUSED,	/* malformed, retained, ahead of this gate's
				 * clock, or the store failed: logged */
};

/*
 * Parses a step message: a JSON object of exactly the members
 * credential_id (a string of 1 to 63 bytes, no control character) and
 * step (an integer 0 to 2^32 - 1), at most INBOUND_STEP_MAX bytes.
 * Returns 0 with *out, or -1 with err.
 */
int inbound_step_parse(const uint8_t *payload, size_t len,
    struct inbound_step *out, char *err, size_t errlen);

/* A step message from gate from (its topic's gate id). */
enum inbound_step_result inbound_step(struct gate *g, const char *from,
    const uint8_t *payload, size_t len, bool retained);

struct config;

/*
 * The config of the file and -o, which pushes are merged over.  The daemon
 * calls it after gate_open() and after each SIGHUP reload that
 * gate_reload() applied; pushes accepted earlier are then applied again
 * over the new base, or logged and left out if they no longer fit it.
 */
void inbound_set_base(struct gate *g, const struct config *base);

/*
 * Once after gate_open() and inbound_set_base(): re-applies the persisted
 * site and gate pushes (one that no longer validates is logged and
 * skipped) and reads the credential-set version.  Returns 0, or -1 if the
 * store could not be read.
 */
int inbound_restore(struct gate *g);

/*
 * What the gate says of its pushes (inbound_status.c): each result the
 * client publishes is noted, so that the status can tell which config
 * and credential versions the gate holds and what the last message of
 * each kind came to, without asking the broker.
 */
enum inbound_kind { INBOUND_CONFIG, INBOUND_CREDENTIALS };

/*
 * The summary of result, a handler's answer or a refusal before it (as
 * published on .../result), to a message of scope: {"scope", "version"
 * (null when the message named none), "result": "applied", "staging" (a
 * chunk of a snapshot kept, more to come), "ignored" (a replay, an older
 * version...) or "refused", "reason" (for ignored and refused), "error"
 * (the first problem, for refused), "chunk" and "ts_ms"}.  NULL only
 * when out of memory.
 */
json_t *inbound_last_of(const json_t *result, enum push_scope scope,
    int64_t ts_ms);

/* Keeps inbound_last_of(result) as the last message of kind. */
void inbound_note(struct gate *g, enum inbound_kind kind,
    enum push_scope scope, const json_t *result);

/*
 * Adds to a status document "config": {"gate_version", "site_version",
 * "last"} and "credentials": {"version", "last"} ("last" absent before
 * the first message since the start), and "schedules": {"version",
 * "open_period"}.
 */
void inbound_status(const struct gate *g, json_t *status);

/* Frees what the handlers keep between messages.  Before gate_close(). */
void inbound_close(struct gate *g);

#endif
