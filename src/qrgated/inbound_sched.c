/*
 * Schedules over MQTT (docs/schedules.md): the site's profiles, its
 * groups' profiles and its holidays, as one signed document on
 * <prefix>/<site>/all/schedules/set (or a gate's own .../schedules/set):
 *
 *	{"version": N,
 *	 "schedules": {"day": "mon-fri 07:00-16:00; grace 15", ...},
 *	 "groups": {"Welding": "day", ...},
 *	 "holidays": {"2027-02-06": "Tet", ...}}
 *
 * It replaces all three at once, or nothing: every member is checked
 * before the store is touched.  The version only goes up, whichever
 * topic it came through: a version not above the one in use is a replay
 * or a rollback, refused and logged, so an old list cannot reopen a shift
 * that was closed.  Any member not named above is an error, so a
 * misspelt one is never silently ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "push.h"
#include "schedule.h"
#include "store_schedule.h"

/* A site's profiles and a few years of holidays: far below this. */
#define SCHED_MAX_PAYLOAD	(256 * 1024)
#define SCHED_MAX_PROFILES	256
#define SCHED_MAX_GROUPS	1024

struct sched_doc {
	struct sched_pair *list[3];
	size_t n[3];
	json_t *errors;
};

enum { SD_SCHEDULES, SD_GROUPS, SD_HOLIDAYS };

static const char *const sched_members[3] = {
	"schedules", "groups", "holidays",
};
static const size_t sched_max[3] = {
	SCHED_MAX_PROFILES, SCHED_MAX_GROUPS, SCHED_HOLIDAYS_MAX,
};

/* Checks one pair of member m.  0, or -1 with the problem added. */
static int
sched_pair_check(struct sched_doc *d, int m, const char *key,
    const char *value)
{
	struct sched_holidays one = { 0 };
	struct schedule s;
	char msg[200];

	switch (m) {
	case SD_SCHEDULES:
		if (schedule_parse(key, value, &s, msg, sizeof(msg)) == 0)
			return 0;
		break;
	case SD_GROUPS:
		if (key[0] != '\0' && strlen(key) < 64 &&
		    schedule_name_valid(value))
			return 0;
		snprintf(msg, sizeof(msg), "a group of 1 to 63 bytes and a "
		    "schedule's name are needed");
		break;
	default:
		if (schedule_holiday_add(&one, key, msg, sizeof(msg)) == 0) {
			if (strlen(value) <= 127 &&
			    strpbrk(value, "\r\n") == NULL)
				return 0;
			snprintf(msg, sizeof(msg), "a description is one line "
			    "of at most 127 bytes");
		}
		break;
	}
	inbound_error_add(d->errors, "%s: %.64s: %s", sched_members[m], key,
	    msg);
	return -1;
}

/* Member m of doc into d->list[m], checked.  0, or -1 (told). */
static int
sched_member(struct sched_doc *d, const json_t *doc, int m)
{
	const json_t *o = json_object_get(doc, sched_members[m]);
	const char *key;
	json_t *v;
	int bad = 0;

	if (o == NULL)
		return 0;	/* none: an empty list */
	if (!json_is_object(o) || json_object_size(o) > sched_max[m]) {
		inbound_error_add(d->errors, "%s: an object of at most %zu "
		    "members is needed", sched_members[m], sched_max[m]);
		return -1;
	}
	if ((d->list[m] = calloc(json_object_size(o) + 1,
	    sizeof(*d->list[m]))) == NULL) {
		inbound_error_add(d->errors, "out of memory");
		return -1;
	}
	json_object_foreach((json_t *)o, key, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) !=
		    json_string_length(v)) {
			inbound_error_add(d->errors, "%s: %.64s: a string is "
			    "needed", sched_members[m], key);
			bad = -1;
			continue;
		}
		if (sched_pair_check(d, m, key, json_string_value(v)) == -1) {
			bad = -1;
			continue;
		}
		d->list[m][d->n[m]].key = key;
		d->list[m][d->n[m]++].value = json_string_value(v);
	}
	return bad;
}

static json_t *
sched_result(bool ok, int64_t version, const char *ignored, json_t *errors)
{
	json_t *res = json_pack("{s:b, s:o}", "ok", ok, "version",
	    version > 0 ? json_integer(version) : json_null());

	if (res != NULL && ignored != NULL)
		json_object_set_new(res, "ignored", json_string(ignored));
	if (res != NULL && errors != NULL && json_array_size(errors) > 0)
		json_object_set(res, "errors", errors);
	return res;
}

json_t *
inbound_schedules_set(struct gate *g, const uint8_t *payload, size_t len)
{
	struct sched_doc d = { .errors = json_array() };
	json_t *doc = NULL, *v, *res = NULL;
	int64_t version = 0, current = 0;
	json_error_t jerr;
	const char *name;
	char err[256];
	int bad = 0;

	if (d.errors == NULL)
		return NULL;
	if (len > SCHED_MAX_PAYLOAD)
		inbound_error_add(d.errors, "a message of %zu bytes is over "
		    "the limit of %d", len, SCHED_MAX_PAYLOAD);
	else if ((doc = json_loadb((const char *)payload, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL || !json_is_object(doc))
		inbound_error_add(d.errors, "not a JSON object: %s",
		    doc == NULL ? jerr.text : "another type");
	if (json_array_size(d.errors) > 0)
		goto refused;
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		inbound_error_add(d.errors, "version: an integer from 1 is "
		    "needed");
		goto refused;
	}
	version = json_integer_value(v);
	json_object_foreach(doc, name, v)
		if (strcmp(name, "version") != 0 &&
		    strcmp(name, sched_members[0]) != 0 &&
		    strcmp(name, sched_members[1]) != 0 &&
		    strcmp(name, sched_members[2]) != 0) {
			inbound_error_add(d.errors, "%.64s: unknown member",
			    name);
			bad = -1;
		}
	if (store_meta_get(g->store, STORE_SCHEDULES_VERSION, &current) == -1) {
		inbound_error_add(d.errors, "the store could not be read");
		goto refused;
	}
	if (version <= current) {
		log_warnx("schedules: version %lld refused: version %lld is in "
		    "use (a replay or a rollback)", (long long)version,
		    (long long)current);
		res = sched_result(false, version, "stale", NULL);
		if (res != NULL)
			json_object_set_new(res, "current",
			    json_integer(current));
		goto done;
	}
	for (int m = 0; m < 3; m++)
		if (sched_member(&d, doc, m) == -1)
			bad = -1;
	if (bad == -1)
		goto refused;
	if (store_schedule_replace(g->store, version, d.list[0], d.n[0],
	    d.list[1], d.n[1], d.list[2], d.n[2], err, sizeof(err)) == -1) {
		inbound_error_add(d.errors, "%s", err);
		goto refused;
	}
	g->sched_version = version;
	log_info("schedules: version %lld in use: %zu schedules, %zu groups, "
	    "%zu holidays", (long long)version, d.n[0], d.n[1], d.n[2]);
	res = sched_result(true, version, NULL, NULL);
	goto done;
refused:
	log_warnx("schedules: version %lld refused (%zu problems)",
	    (long long)version, json_array_size(d.errors));
	res = sched_result(false, version, NULL, d.errors);
done:
	for (int m = 0; m < 3; m++)
		free(d.list[m]);
	json_decref(d.errors);
	json_decref(doc);
	return res;
}
