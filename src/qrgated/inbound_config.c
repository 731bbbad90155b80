/*
 * Config pushes over MQTT: a site-wide document and this gate's own, each
 * a complete set of overrides of the file's config that replaces the
 * previous push of its scope.  A push is checked whole, applied with
 * gate_reload() (all or nothing) and kept in the store so that a restart
 * applies it again.
 *
 * g->config_version is the sum of the site and gate versions in effect:
 * each scope's version only grows, so the sum grows with every push
 * applied, whichever scope it came from.  It stays in the status as
 * "config_version" for what already reads it; the status's "config"
 * object (inbound_status.c) shows each scope's version on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "push.h"
#include "store_schedule.h"
#include "store_sync.h"
#include "util.h"

static const char *
scope_name(enum push_scope scope)
{
	return scope == PUSH_SITE ? "site" : "gate";
}

struct inbound_state *
inbound_state_get(struct gate *g)
{
	if (g->inbound == NULL) {
		if ((g->inbound = calloc(1, sizeof(*g->inbound))) == NULL) {
			log_warn("inbound");
			return NULL;
		}
		g->inbound->g = g;
		g->inbound->base = g->cfg;
	}
	return g->inbound;
}

void
inbound_close(struct gate *g)
{
	if (g->inbound == NULL)
		return;
	/* A set not dropped yet goes at the next swap. */
	if (g->loop != NULL)
		loop_timer_cancel(g->loop, &g->inbound->cleanup);
	json_decref(g->inbound->site.settings);
	json_decref(g->inbound->gate.settings);
	json_decref(g->inbound->config_last);
	json_decref(g->inbound->cred_last);
	free(g->inbound);
	g->inbound = NULL;
}

/* Version 0 leaves the scope without a push, but its seen version
 * stays: see push_doc. */
static void
push_doc_set(struct push_doc *d, int64_t version, json_t *settings)
{
	json_decref(d->settings);
	d->version = version;
	if (version > d->seen)
		d->seen = version;
	d->settings = settings != NULL ? json_incref(settings) : NULL;
}

static void
inbound_config_version_update(struct gate *g)
{
	g->config_version = g->inbound->site.version + g->inbound->gate.version;
}

/* Logs each message of errors, after what. */
static void
inbound_errors_log(const char *what, const json_t *errors)
{
	size_t i;
	json_t *e;

	json_array_foreach(errors, i, e)
		log_warnx("%s: %s", what, json_string_value(e));
}

/*
 * Applies base + site + gate, leaving out, in this order, the gate push,
 * the site push, then both, until one combination is valid and
 * gate_reload() takes it.  A push left out is forgotten (its row stays in
 * the store, and is tried again at the next restart).  For a new base
 * (SIGHUP) and at start.
 */
static void
inbound_config_reapply(struct gate *g, const char *why)
{
	struct inbound_state *is = g->inbound;
	static const struct {
		bool site, gate;
	} tries[] = {
		{ true, true }, { true, false }, { false, true }, { false, false },
	};
	struct config cfg;
	char err[256], what[64];
	json_t *errors;

	for (size_t i = 0; i < nitems(tries); i++) {
		json_t *site = tries[i].site ? is->site.settings : NULL;
		json_t *gate = tries[i].gate ? is->gate.settings : NULL;

		/* Naming a scope that has no push is the same as leaving
		 * it out: another combination covers it. */
		if ((tries[i].site && site == NULL) ||
		    (tries[i].gate && gate == NULL))
			continue;
		if ((errors = json_array()) == NULL)
			return;
		snprintf(what, sizeof(what), "%s: config pushes", why);
		if (push_merge(&is->base, site, gate, &cfg, errors) > 0) {
			inbound_errors_log(what, errors);
			json_decref(errors);
			continue;
		}
		json_decref(errors);
		if (memcmp(&cfg, &g->cfg, sizeof(cfg)) != 0 &&
		    gate_reload(g, &cfg, err, sizeof(err)) == -1) {
			log_warnx("%s: %s", what, err);
			continue;
		}
		if (site == NULL && is->site.version != 0) {
			log_warnx("%s: site push version %lld left out", why,
			    (long long)is->site.version);
			push_doc_set(&is->site, 0, NULL);
		}
		if (gate == NULL && is->gate.version != 0) {
			log_warnx("%s: gate push version %lld left out", why,
			    (long long)is->gate.version);
			push_doc_set(&is->gate, 0, NULL);
		}
		inbound_config_version_update(g);
		return;
	}
	log_warnx("%s: not even the file's config could be applied", why);
}

void
inbound_set_base(struct gate *g, const struct config *base)
{
	struct inbound_state *is = inbound_state_get(g);

	if (is == NULL)
		return;
	is->base = *base;
	if (is->site.settings != NULL || is->gate.settings != NULL)
		inbound_config_reapply(g, "new config file");
}

/*
 * Reads the push kept for scope into d.  One that no longer reads as a
 * valid document (the table of settings changed since) is logged and left
 * out.  Returns 0, or -1 if the store could not be read.
 */
static int
inbound_config_load(struct gate *g, enum push_scope scope, struct push_doc *d)
{
	const char *name = scope_name(scope);
	struct config scratch = g->inbound->base;
	json_error_t jerr;
	json_t *doc, *settings, *errors;
	int64_t version;
	char *text, what[64];
	int r;

	if ((r = store_sync_push_get(g->store, name, &version, &text)) != 1)
		return r;
	/* Even a push skipped below was accepted once: nothing older may
	 * be taken after a restart. */
	d->seen = version;
	doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	settings = json_object_get(doc, "settings");
	if (!json_is_object(settings)) {
		log_warnx("restore: %s push version %lld is not a push "
		    "document; skipped", name, (long long)version);
		json_decref(doc);
		return 0;
	}
	if ((errors = json_array()) == NULL) {
		json_decref(doc);
		return -1;
	}
	if (push_settings_apply(&scratch, settings, errors) > 0) {
		snprintf(what, sizeof(what), "restore: %s push version %lld",
		    name, (long long)version);
		inbound_errors_log(what, errors);
		log_warnx("%s: skipped", what);
	} else
		push_doc_set(d, version, settings);
	json_decref(errors);
	json_decref(doc);
	return 0;
}

int
inbound_restore(struct gate *g)
{
	struct inbound_state *is = inbound_state_get(g);
	struct sync_state st;

	if (is == NULL || store_sync_init(g->store) == -1 ||
	    store_sync_state(g->store, &st) == -1)
		return -1;
	g->cred_version = st.cred_version;
	if (store_meta_get(g->store, STORE_SCHEDULES_VERSION,
	    &g->sched_version) == -1)
		return -1;
	if (inbound_config_load(g, PUSH_SITE, &is->site) == -1 ||
	    inbound_config_load(g, PUSH_GATE, &is->gate) == -1)
		return -1;
	if (is->site.settings != NULL || is->gate.settings != NULL)
		inbound_config_reapply(g, "restore");
	if (is->site.version != 0 || is->gate.version != 0)
		log_info("config pushes applied: site %lld, gate %lld",
		    (long long)is->site.version, (long long)is->gate.version);
	return 0;
}

static json_t *
inbound_config_rejected(enum push_scope scope, json_t *version, json_t *errors)
{
	return json_pack("{s:b, s:o, s:s, s:o}", "ok", 0,
	    "version", version != NULL ? json_incref(version) : json_null(),
	    "scope", scope_name(scope), "errors", errors);
}

/* The keys of settings that took effect: all but, for a site push, those
 * the gate push names too. */
static json_t *
inbound_config_applied(const json_t *settings, const json_t *shadow,
    json_t **overridden)
{
	json_t *applied = json_array(), *v;
	const char *key;

	*overridden = json_array();
	json_object_foreach((json_t *)settings, key, v) {
		if (shadow != NULL && json_object_get(shadow, key) != NULL)
			json_array_append_new(*overridden, json_string(key));
		else
			json_array_append_new(applied, json_string(key));
	}
	return applied;
}

json_t *
inbound_config_set(struct gate *g, enum push_scope scope,
    const uint8_t *payload, size_t len)
{
	struct inbound_state *is;
	struct push_doc *d;
	struct config cfg, old;
	json_error_t jerr;
	json_t *doc = NULL, *version = NULL, *settings, *errors, *res;
	json_t *applied, *overridden, *v;
	const char *key, *reason;
	char err[256], *text;
	int64_t n, cur;

	if ((errors = json_array()) == NULL)
		return NULL;
	if (len > PUSH_MAX_PAYLOAD) {
		inbound_error_add(errors, "a push of %zu bytes is over the limit "
		    "of %d", len, PUSH_MAX_PAYLOAD);
		goto reject;
	}
	if ((doc = json_loadb((const char *)payload, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		inbound_error_add(errors, "not JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		goto reject;
	}
	if (!json_is_object(doc)) {
		inbound_error_add(errors, "a push is a JSON object");
		goto reject;
	}
	version = json_object_get(doc, "version");
	if (!json_is_integer(version) || json_integer_value(version) <= 0) {
		inbound_error_add(errors, "version: an integer > 0 is needed");
		version = NULL;
		goto reject;
	}
	n = json_integer_value(version);
	if ((is = inbound_state_get(g)) == NULL) {
		inbound_error_add(errors, "out of memory");
		goto reject;
	}
	d = scope == PUSH_SITE ? &is->site : &is->gate;
	/*
	 * Versions only go up, through restarts too (seen is kept in the
	 * store), so that a push copied off the broker cannot be sent again
	 * or undo a later one.  A retained push replayed at each reconnect
	 * lands here too, which is why a replay is only noted.
	 */
	cur = d->seen > d->version ? d->seen : d->version;
	if (n <= cur) {
		reason = n == cur ? "replayed" : "rolled-back";
		if (n == cur)
			log_info("config: %s push version %lld again; ignored",
			    scope_name(scope), (long long)n);
		else
			log_warnx("config: %s push version %lld is older than "
			    "version %lld; refused (rolled-back)",
			    scope_name(scope), (long long)n, (long long)cur);
		res = json_pack("{s:b, s:s, s:s, s:I, s:s, s:I}", "ok", 0,
		    "ignored", "stale", "reason", reason, "version",
		    (json_int_t)n, "scope", scope_name(scope), "current",
		    (json_int_t)cur);
		json_decref(errors);
		json_decref(doc);
		return res;
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "version") != 0 && strcmp(key, "settings") != 0)
			inbound_error_add(errors, "%.64s: unknown member (a push "
			    "has version and settings)", key);
	}
	settings = json_object_get(doc, "settings");
	if (!json_is_object(settings))
		inbound_error_add(errors, "settings: an object of "
		    "\"section.key\": value is needed");
	else {
		/* Each setting alone first, so that every bad one is told. */
		cfg = is->base;
		push_settings_apply(&cfg, settings, errors);
	}
	if (json_array_size(errors) > 0)
		goto reject;
	if (push_merge(&is->base, scope == PUSH_SITE ? settings :
	    is->site.settings, scope == PUSH_GATE ? settings :
	    is->gate.settings, &cfg, errors) > 0)
		goto reject;

	old = g->cfg;
	if (gate_reload(g, &cfg, err, sizeof(err)) == -1) {
		inbound_error_add(errors, "%s", err);
		goto reject;
	}
	/* Kept before it counts as accepted: a push that a restart would
	 * forget is undone. */
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL || store_sync_push_put(g->store, scope_name(scope), n,
	    text) == -1) {
		free(text);
		if (gate_reload(g, &old, err, sizeof(err)) == -1)
			log_warnx("config push: not saved, and the config before "
			    "it could not be put back: %s", err);
		inbound_error_add(errors, "the push could not be saved; not "
		    "applied");
		goto reject;
	}
	free(text);
	push_doc_set(d, n, settings);
	inbound_config_version_update(g);
	applied = inbound_config_applied(settings, scope == PUSH_SITE ?
	    is->gate.settings : NULL, &overridden);
	log_info("config: %s push version %lld applied (%zu settings)",
	    scope_name(scope), (long long)n, json_object_size(settings));
	res = json_pack("{s:b, s:I, s:s, s:o}", "ok", 1, "version",
	    (json_int_t)n, "scope", scope_name(scope), "applied", applied);
	if (res != NULL && json_array_size(overridden) > 0)
		json_object_set(res, "overridden", overridden);
	json_decref(overridden);
	json_decref(errors);
	json_decref(doc);
	return res;
reject:
	log_warnx("config: %s push refused (%zu problems)", scope_name(scope),
	    json_array_size(errors));
	res = inbound_config_rejected(scope, version, errors);
	json_decref(doc);
	return res;
}
