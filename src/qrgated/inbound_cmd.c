/*
 * Commands over MQTT: open a way once, lockdown, release (every way held
 * free, as the fire alarm does) and back to normal.  A command moves
 * people or locks them out, so anything doubtful is not acted on: a
 * retained message (the broker would replay it at every reconnect), one
 * already executed, one expired, one without an expiry or with one far
 * ahead (a copied message would stay useful for too long).
 */
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "push.h"
#include "timefmt.h"
#include "util.h"

#define CMD_MAX_PAYLOAD		4096
/* The furthest ahead an expiry may be. */
#define CMD_MAX_AHEAD_MS	(10 * 60 * 1000)
/*
 * An executed id is forgotten only once its expiry is this far behind the
 * time floor (gatetime.h).  The gate's now never falls below the floor,
 * so such a command is refused as expired for ever, whatever the clock
 * does next; the margin covers the floor in memory being ahead of the one
 * written down (GATETIME_SAVE_MS) when the gate stops without writing it.
 */
#define CMD_FORGET_MARGIN_MS	(10 * 60 * 1000)

enum cmd_kind { CMD_OPEN, CMD_LOCKDOWN, CMD_RELEASE, CMD_NORMAL, CMD_COUNT };

static const char *const cmd_names[CMD_COUNT] = {
	[CMD_OPEN] = "open", [CMD_LOCKDOWN] = "lockdown",
	[CMD_RELEASE] = "release", [CMD_NORMAL] = "normal",
};

/* The command's expiry: ms since the epoch or a UTC time.  0 or -1. */
static int
cmd_expires(const json_t *v, int64_t *ms)
{
	if (json_is_integer(v)) {
		*ms = json_integer_value(v);
		return *ms > 0 ? 0 : -1;
	}
	if (json_is_string(v))
		return timefmt_parse(json_string_value(v), ms);
	return -1;
}

static json_t *
cmd_result(const char *id, const char *cmd, const char *ignored,
    json_t *errors)
{
	json_t *res = json_pack("{s:b, s:o}", "ok", ignored == NULL &&
	    errors == NULL, "id", id != NULL ? json_string(id) : json_null());

	if (res == NULL) {
		json_decref(errors);
		return NULL;
	}
	if (cmd != NULL)
		json_object_set_new(res, "cmd", json_string(cmd));
	/* "reason" names every refusal the way the envelope's checks do
	 * (signed_msg.h): a command id seen before is a replay. */
	if (ignored != NULL) {
		json_object_set_new(res, "ignored", json_string(ignored));
		json_object_set_new(res, "reason", json_string(strcmp(ignored,
		    "duplicate") == 0 ? "replayed" : ignored));
	}
	if (errors != NULL)
		json_object_set_new(res, "errors", errors);
	return res;
}

/* A usable command id: 1 to 63 bytes of printable text, else NULL. */
static const char *
cmd_id(const json_t *doc)
{
	const json_t *v = json_object_get(doc, "id");
	const char *id = json_string_value(v);

	if (id == NULL || id[0] == '\0' ||
	    json_string_length(v) >= INBOUND_CMD_ID_MAX)
		return NULL;
	for (const char *p = id; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return id;
}

json_t *
inbound_cmd(struct gate *g, const uint8_t *payload, size_t len, bool retained)
{
	static const char *const known[] = { "id", "cmd", "way", "expires" };
	json_error_t jerr;
	json_t *doc = NULL, *errors, *v, *res;
	const char *id = NULL, *name, *cmd = NULL;
	enum cmd_kind kind = CMD_COUNT;
	int way = -1, seen;
	int64_t expires = 0, now;
	char err[256];

	if ((errors = json_array()) == NULL)
		return NULL;
	if (len > CMD_MAX_PAYLOAD)
		inbound_error_add(errors, "a command of %zu bytes is over the "
		    "limit of %d", len, CMD_MAX_PAYLOAD);
	else if ((doc = json_loadb((const char *)payload, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		inbound_error_add(errors, "not JSON: %s", jerr.text);
	else if (!json_is_object(doc))
		inbound_error_add(errors, "a command is a JSON object");
	else
		id = cmd_id(doc);

	/*
	 * Before anything else: whatever it says, it is not acted on.  Only
	 * a copy the broker kept carries the flag: a command published
	 * retained while the gate is connected arrives without it and runs,
	 * once; its id then bars the kept copy too (store_cmd_seen()).
	 */
	if (retained) {
		res = cmd_result(id, NULL, "retained", NULL);
		goto done;
	}
	if (json_array_size(errors) > 0)
		goto reject;
	if (id == NULL)
		inbound_error_add(errors, "id: a string of 1 to %d printable "
		    "bytes is needed", INBOUND_CMD_ID_MAX - 1);
	json_object_foreach(doc, name, v) {
		size_t i;

		for (i = 0; i < nitems(known); i++)
			if (strcmp(name, known[i]) == 0)
				break;
		if (i == nitems(known))
			inbound_error_add(errors, "%.64s: unknown member", name);
	}
	v = json_object_get(doc, "cmd");
	for (int k = 0; k < CMD_COUNT && json_is_string(v); k++)
		if (strcmp(json_string_value(v), cmd_names[k]) == 0)
			kind = k;
	if (kind == CMD_COUNT)
		inbound_error_add(errors, "cmd: open, lockdown, release or "
		    "normal");
	else
		cmd = cmd_names[kind];
	v = json_object_get(doc, "way");
	if (kind == CMD_OPEN) {
		way = json_is_string(v) ?
		    direction_from_name(json_string_value(v)) : -1;
		if (way == -1)
			inbound_error_add(errors, "way: entry or exit");
	} else if (v != NULL && kind != CMD_COUNT)
		inbound_error_add(errors, "way: only for open");
	if (cmd_expires(json_object_get(doc, "expires"), &expires) == -1)
		inbound_error_add(errors, "expires: ms since the epoch or a UTC "
		    "time (YYYY-MM-DDTHH:MM:SSZ) is needed");
	if (json_array_size(errors) > 0)
		goto reject;

	/* The ids executed are in the store until their expiry is behind
	 * the time floor, so a copy of a command is refused even after a
	 * restart or a clock step; if the store cannot say, nothing is
	 * done. */
	if ((seen = store_cmd_seen(g->store, id)) != 0) {
		if (seen == -1) {
			inbound_error_add(errors, "the store cannot be read");
			goto reject;
		}
		res = cmd_result(id, cmd, "duplicate", NULL);
		goto done;
	}
	/* The gate's now: a clock set back cannot make it valid again. */
	now = gate_clock_now(g);
	if (expires <= now) {
		res = cmd_result(id, cmd, "expired", NULL);
		goto done;
	}
	if (expires > now + CMD_MAX_AHEAD_MS) {
		inbound_error_add(errors, "expires: more than %d minutes ahead",
		    CMD_MAX_AHEAD_MS / 60000);
		goto reject;
	}
	/* Counted as executed even if the gate cannot do it now: a late
	 * redelivery must not open a way nobody is waiting at. */
	if (store_cmd_record(g->store, id, expires, gate_clock_floor(g) -
	    CMD_FORGET_MARGIN_MS) == -1) {
		inbound_error_add(errors, "the store cannot be written");
		goto reject;
	}

	log_info("command %s (id %s)", cmd, id);
	switch (kind) {
	case CMD_OPEN:
		if (gate_remote_open(g, way, err, sizeof(err)) == -1) {
			inbound_error_add(errors, "%s", err);
			goto reject;
		}
		break;
	case CMD_LOCKDOWN:
		/* Ends a release too (gate_set_lockdown). */
		gate_set_lockdown(g, true);
		break;
	case CMD_RELEASE:
		gate_set_lockdown(g, false);
		gate_set_release(g, true);
		break;
	case CMD_NORMAL:
	case CMD_COUNT:
		gate_set_lockdown(g, false);
		gate_set_release(g, false);
		break;
	}
	res = cmd_result(id, cmd, NULL, NULL);
	goto done;
reject:
	log_warnx("command %s refused", cmd != NULL ? cmd : "?");
	res = cmd_result(id, cmd, NULL, errors);
	errors = NULL;
done:
	json_decref(errors);
	json_decref(doc);
	return res;
}
