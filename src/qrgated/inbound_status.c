/*
 * What a gate says of its pushes, in its status (`qrgatectl status`, the
 * MQTT status message, the aggregator's `gates`): which config versions
 * (this gate's own and the site-wide one, each on its own) and which
 * credential list version it holds, and what the last message of each
 * kind came to.  The versions are what the store keeps; the last results
 * are kept in memory only, as they say what happened since the start.
 *
 * IT pushing to a whole site wants to see each gate's answer without
 * having been subscribed when it was given: the result topics only reach
 * who listened at the time, the status is retained.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "mask.h"
#include "push.h"

/*
 * Masks each run of 12 or more digits of s but its last 4, as subjects
 * are masked: the store's refusal of a card held twice names the card,
 * and the status is retained on the broker and kept by the aggregator.
 */
static void
inbound_mask_numbers(char *s)
{
	size_t run;

	if (!mask_has_citizen_number(s))
		return;
	for (char *p = s; *p != '\0'; p += run == 0 ? 1 : run) {
		for (run = 0; p[run] >= '0' && p[run] <= '9'; run++)
			;
		if (run >= 12)
			memset(p, '*', run - 4);
	}
}

/* The first problem of a refusal, as one line of text. */
static void
inbound_first_error(const json_t *result, char *buf, size_t len)
{
	const json_t *e = json_array_get(json_object_get(result, "errors"), 0);
	const char *msg = json_string_value(json_object_get(result, "error"));
	char where[64] = "";

	buf[0] = '\0';
	if (json_is_string(e))
		msg = json_string_value(e);
	else if (json_is_object(e)) {
		/* A credential row's problem names its chunk and index. */
		const json_t *chunk = json_object_get(e, "chunk");
		const json_t *index = json_object_get(e, "index");
		const char *op = json_string_value(json_object_get(e, "op"));

		if (json_is_integer(chunk) && json_is_integer(index))
			snprintf(where, sizeof(where), "chunk %lld row %lld: ",
			    (long long)json_integer_value(chunk),
			    (long long)json_integer_value(index));
		else if (op != NULL && json_is_integer(index))
			snprintf(where, sizeof(where), "%s %lld: ", op,
			    (long long)json_integer_value(index));
		msg = json_string_value(json_object_get(e, "error"));
	}
	if (msg != NULL)
		snprintf(buf, len, "%s%s", where, msg);
	inbound_mask_numbers(buf);
}

json_t *
inbound_last_of(const json_t *result, enum push_scope scope, int64_t ts_ms)
{
	const json_t *version = json_object_get(result, "version");
	const json_t *chunk = json_object_get(result, "chunk");
	const char *reason = json_string_value(json_object_get(result,
	    "reason"));
	const char *what;
	char err[320];
	json_t *o;

	if (json_is_true(json_object_get(result, "ok")))
		/* A snapshot's last chunk says how many rows it applied, a
		 * patch what it added, a config push which settings. */
		what = json_object_get(result, "applied") != NULL ||
		    json_object_get(result, "added") != NULL ? "applied" :
		    "staging";
	else if (json_object_get(result, "ignored") != NULL)
		what = "ignored";
	else
		what = "refused";
	o = json_pack("{s:s, s:O, s:s, s:I}", "scope", scope == PUSH_SITE ?
	    "site" : "gate", "version", json_is_integer(version) ?
	    (json_t *)version : json_null(), "result", what,
	    "ts_ms", (json_int_t)ts_ms);
	if (o == NULL)
		return NULL;
	if (json_is_integer(chunk))
		json_object_set_new(o, "chunk", json_integer(
		    json_integer_value(chunk)));
	if (strcmp(what, "ignored") == 0 || strcmp(what, "refused") == 0)
		json_object_set_new(o, "reason", json_string(reason != NULL ?
		    reason : "invalid"));
	if (strcmp(what, "refused") == 0) {
		inbound_first_error(result, err, sizeof(err));
		if (err[0] != '\0')
			json_object_set_new(o, "error", inbound_json_string(err));
	}
	return o;
}

void
inbound_note(struct gate *g, enum inbound_kind kind, enum push_scope scope,
    const json_t *result)
{
	struct inbound_state *is;
	json_t **last, *o;

	if (result == NULL || (is = inbound_state_get(g)) == NULL)
		return;
	if ((o = inbound_last_of(result, scope, clock_utc_ms())) == NULL) {
		log_warnx("inbound: out of memory");
		return;
	}
	last = kind == INBOUND_CONFIG ? &is->config_last : &is->cred_last;
	json_decref(*last);
	*last = o;
}

void
inbound_status(const struct gate *g, json_t *status)
{
	const struct inbound_state *is = g->inbound;
	json_t *config, *creds;

	config = json_pack("{s:I, s:I}",
	    "gate_version", (json_int_t)(is != NULL ? is->gate.version : 0),
	    "site_version", (json_int_t)(is != NULL ? is->site.version : 0));
	creds = json_pack("{s:I}", "version", (json_int_t)g->cred_version);
	if (config != NULL && is != NULL && is->config_last != NULL)
		json_object_set(config, "last", is->config_last);
	if (creds != NULL && is != NULL && is->cred_last != NULL)
		json_object_set(creds, "last", is->cred_last);
	json_object_set_new(status, "config", config);
	json_object_set_new(status, "credentials", creds);
	/* The schedules pushed last, and whether lane.open_schedule holds
	 * the lane free now. */
	json_object_set_new(status, "schedules", json_pack("{s:I, s:b}",
	    "version", (json_int_t)g->sched_version, "open_period",
	    g->lane.sched_hold));
}
