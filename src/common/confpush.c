/*
 * Config pushes as others make them (confpush.h): the gate's rules of
 * what a push may set, which the gate (push.c) and the aggregator's
 * check share, and the reading of a push written as INI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confpush.h"
#include "util.h"

/*
 * Settings a push may not change.  The rule: a push may change how the
 * gate decides and how long its outputs act (lane timings, policy, the
 * hold-off, retention, logging), never what the gate opens or drives,
 * nor whom it trusts.  Files, devices and backends are the install's:
 * a push naming another camera source, GPIO chip or line, or sim log
 * could blind the gate, drive another pin, or write where it should not,
 * from wherever the site admin's key is used.  The database and the
 * control socket are opened once, at start, so gate_reload() cannot
 * apply them; the gate's id and site and the mqtt section are what the
 * push itself came through, and a wrong value pushed there would leave
 * no way to push the fix.  The security section holds the key that
 * checks pushes: a push that could replace it, or turn unsigned pushes
 * on, would make every later push whatever its sender wants.  All of
 * them belong in the config file.  key NULL: the whole section.  A new
 * setting that names a file, a device or a backend goes here too
 * (test_inbound_config checks every such name of the table).
 */
static const struct {
	const char *section;
	const char *key;
	const char *why;
} push_refused[] = {
	{ "camera", "backend", "chooses this gate's camera hardware" },
	{ "camera", "source", "names a device or file of this gate" },
	{ "reader", "backend", "chooses this gate's reader hardware" },
	{ "reader", "device", "names a device of this gate" },
	{ "screen", "backend", "chooses this gate's screen hardware" },
	{ "screen", "directory", "names a directory of this gate" },
	{ "screen", "device", "names a device of this gate" },
	{ "sound", "backend", "chooses this gate's sound hardware" },
	{ "sound", "directory", "names a directory of this gate" },
	{ "sound", "device", "names a device of this gate" },
	{ "gpio", NULL, "drives this gate's hardware lines" },
	{ "supervision", "fire_loop", "names a device of this gate" },
	{ "supervision", "tamper_loop", "names a device of this gate" },
	{ "store", "path", "takes effect only at a restart" },
	{ "store", "synchronous", "takes effect only at a restart" },
	{ "control", NULL, "takes effect only at a restart" },
	{ "gate", "id", "names this gate's MQTT topics" },
	{ "gate", "site", "names this gate's MQTT topics" },
	{ "mqtt", NULL, "is the uplink that pushes come through" },
	{ "security", NULL, "holds the keys that pushes are checked with" },
};

const char *
confpush_refused(const char *section, const char *key)
{
	for (size_t i = 0; i < nitems(push_refused); i++)
		if (strcmp(push_refused[i].section, section) == 0 &&
		    (push_refused[i].key == NULL ||
		    strcmp(push_refused[i].key, key) == 0))
			return push_refused[i].why;
	return NULL;
}

/* settings_read()'s visitor: the rules of pushes, then the setting kept. */
static int
confpush_took(void *arg, const char *section, const char *key,
    const char *value, char *msg, size_t msglen)
{
	json_t *settings = arg;
	const char *why;
	char name[160];

	if ((why = confpush_refused(section, key)) != NULL) {
		snprintf(msg, msglen, "%s: set it in the gate's config file, "
		    "not in a push", why);
		return -1;
	}
	snprintf(name, sizeof(name), "%s.%s", section, key);
	if (json_object_set_new(settings, name, json_string(value)) == -1) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	return 0;
}

int
confpush_read(FILE *f, const char *name, json_t *settings,
    struct settings_errors *errs)
{
	const struct settings_visit visit = { confpush_took, settings };
	void *scratch;
	int n;

	/* The defaults are only somewhere for the table to put values. */
	if ((scratch = malloc(gate_config_size)) == NULL) {
		memset(errs, 0, sizeof(*errs));
		settings_error_add(errs, "%s: out of memory", name);
		return errs->count;
	}
	settings_defaults(gate_settings, scratch, gate_config_size);
	n = settings_read(gate_settings, scratch, f, name, &visit, errs);
	free(scratch);
	return n;
}

char *
confpush_body(int64_t version, const json_t *settings)
{
	json_t *doc;
	char *text;

	doc = json_pack("{s:O, s:I}", "settings", settings, "version",
	    (json_int_t)version);
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;
	json_decref(doc);
	return text;
}

int
confpush_topic(const char *site, const char *gate, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/config/set", site,
	    gate != NULL ? gate : "all");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
