/*
 * Config pushes from the aggregator (agg_confpush.h).  The check is the
 * gate's own: its table of settings and its rules of what a push may set
 * (confpush.h), over the gate's defaults.  What only a gate can check,
 * how the push goes with its own config file, comes back in its answer.
 *
 * Versions: one more than the highest the targets hold (their statuses'
 * config.gate_version or site_version) or were sent from here, so that
 * pushes made with qrgatectl and from the page follow one another.
 *
 * Key custody: the admin key is read from config_push.admin_key_file
 * for each push and wiped after signing, never kept; without it the page
 * offers the unsigned message, and what comes back signed is checked
 * with the public key exactly as the gates will check it, then published
 * as it is (docs/keys.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agg.h"
#include "agg_confpush.h"
#include "agg_json.h"
#include "clock.h"
#include "confpush.h"
#include "keyfile.h"
#include "log.h"
#include "seal.h"
#include "seal_verify.h"
#include "util.h"

#define CONFPUSH_LIST_MAX	20
#define CONFPUSH_GATES_MAX	256

static json_t *confpush_fail(int *status, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *
confpush_fail(int *status, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*status = code;
	return json_pack("{s:s}", "error", msg);
}

/* A topic level: what a site or gate name may be. */
static bool
confpush_level_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) < 64 &&
	    strpbrk(s, "/+#") == NULL && strcmp(s, "all") != 0;
}

/* Each problem as {"line", "error"}: the line a "NAME:LINE: ..." names. */
static json_t *
confpush_errors(const struct settings_errors *errs, const char *name)
{
	size_t nl = strlen(name);
	json_t *a = json_array();

	for (int i = 0; i < errs->count && i < SETTINGS_MAX_ERRORS; i++) {
		const char *m = errs->msg[i];
		int line = 0;

		if (strncmp(m, name, nl) == 0 && m[nl] == ':')
			line = atoi(m + nl + 1);
		json_array_append_new(a, json_pack("{s:i, s:s}", "line", line,
		    "error", m));
	}
	if (errs->count > SETTINGS_MAX_ERRORS)
		json_array_append_new(a, json_pack("{s:i, s:s}", "line", 0,
		    "error", "and more problems"));
	return a;
}

/*
 * Reads text as a push into settings.  Returns NULL when it checks, or
 * the array of its problems.
 */
static json_t *
confpush_check(const char *name, const char *text, size_t len,
    json_t *settings)
{
	struct settings_errors *errs;
	json_t *out = NULL;
	FILE *f;

	/* Nothing is a push too: it takes back the scope's settings. */
	if (len == 0)
		return NULL;
	if ((errs = calloc(1, sizeof(*errs))) == NULL)
		return json_array();
	if ((f = fmemopen((void *)text, len, "r")) == NULL)
		settings_error_add(errs, "%s: cannot be read", name);
	else {
		confpush_read(f, name, settings, errs);
		fclose(f);
	}
	if (errs->count > 0)
		out = confpush_errors(errs, name);
	free(errs);
	return out;
}

struct confpush_max {
	const char *key;	/* gate_version or site_version */
	int64_t max;
};

static int
confpush_status_row(void *arg, int ncol, const char *const *col)
{
	struct confpush_max *m = arg;
	json_t *doc;
	int64_t v;

	if (ncol < 1 || col[0] == NULL)
		return 0;
	doc = json_loads(col[0], 0, NULL);
	if (agg_json_int(json_object_get(doc, "config"), m->key, &v) &&
	    v > m->max)
		m->max = v;
	json_decref(doc);
	return 0;
}

/* The version of the next push to target (gate, or NULL: the site). */
static int
confpush_next_version(struct agg_db *db, const char *site, const char *gate,
    int64_t *out)
{
	struct agg_db_arg args[] = { AGG_S(site), AGG_S(gate != NULL ? gate :
	    "all") };
	struct confpush_max m = { gate != NULL ? "gate_version" :
	    "site_version", 0 };
	int64_t sent = 0;

	if (agg_db_int(db, "SELECT max(version) FROM config_pushes WHERE "
	    "site = $1 AND target = $2", args, 2, &sent) == -1)
		return -1;
	if (agg_db_run(db, gate != NULL ? "SELECT status FROM gates WHERE "
	    "site = $1 AND gate = $2" : "SELECT status FROM gates WHERE "
	    "site = $1", args, gate != NULL ? 2 : 1, confpush_status_row, &m,
	    NULL) == -1)
		return -1;
	*out = (sent > m.max ? sent : m.max) + 1;
	return 0;
}

/* Whether gate is a gate of site the aggregator has heard of. */
static int
confpush_gate_known(struct agg_db *db, const char *site, const char *gate)
{
	struct agg_db_arg args[] = { AGG_S(site), AGG_S(gate) };
	int64_t n = 0;

	if (agg_db_int(db, "SELECT count(*) FROM gates WHERE site = $1 AND "
	    "gate = $2", args, 2, &n) == -1)
		return -1;
	return n > 0;
}

/* The targets' checks; NULL when they are fine, else the refusal. */
static json_t *
confpush_targets_check(struct agg_db *db, const char *site,
    const json_t *gates, int *status)
{
	const json_t *g;
	size_t i;
	int known;

	if (!confpush_level_ok(site))
		return confpush_fail(status, 400, "site: a site's name is "
		    "needed");
	if (gates == NULL)
		return NULL;
	if (!json_is_array(gates) || json_array_size(gates) == 0 ||
	    json_array_size(gates) > CONFPUSH_GATES_MAX)
		return confpush_fail(status, 400, "gates: a list of 1 to %d "
		    "gates, or the whole site, is needed", CONFPUSH_GATES_MAX);
	json_array_foreach(gates, i, g) {
		if (!confpush_level_ok(json_string_value(g)))
			return confpush_fail(status, 400, "gates: a gate's "
			    "name is needed");
		if ((known = confpush_gate_known(db, site,
		    json_string_value(g))) == -1)
			return NULL;
		if (!known)
			return confpush_fail(status, 400, "no gate %s at site "
			    "%s", json_string_value(g), site);
	}
	return NULL;
}

/* One target's unsigned message. */
static json_t *
confpush_message(struct agg_db *db, const char *site, const char *gate,
    const json_t *settings)
{
	char topic[160], *body;
	int64_t version;
	json_t *m;

	if (confpush_next_version(db, site, gate, &version) == -1 ||
	    confpush_topic(site, gate, topic, sizeof(topic)) == -1 ||
	    (body = confpush_body(version, settings)) == NULL)
		return NULL;
	m = json_pack("{s:s, s:s, s:I, s:s}", "target", gate != NULL ? gate :
	    "all", "topic", topic, "version", (json_int_t)version, "body",
	    body);
	free(body);
	return m;
}

json_t *
agg_confpush_prepare(struct agg_db *db, const char *site,
    const json_t *gates, const char *name, const char *text, size_t len,
    int *status)
{
	json_t *settings, *errors, *msgs, *m, *g;
	size_t i;

	*status = 200;
	if ((errors = confpush_targets_check(db, site, gates, status)) != NULL ||
	    *status != 200)
		return errors;
	if (len > AGG_CONFPUSH_TEXT_MAX)
		return confpush_fail(status, 400, "a push of %zu bytes is over "
		    "the gates' limit of %d", len, AGG_CONFPUSH_TEXT_MAX);
	if ((settings = json_object()) == NULL)
		return NULL;
	if ((errors = confpush_check(name, text, len, settings)) != NULL) {
		json_decref(settings);
		*status = 400;
		return json_pack("{s:o}", "errors", errors);
	}
	msgs = json_array();
	if (gates == NULL) {
		if ((m = confpush_message(db, site, NULL, settings)) == NULL)
			goto fail;
		json_array_append_new(msgs, m);
	}
	json_array_foreach(gates, i, g) {
		if ((m = confpush_message(db, site, json_string_value(g),
		    settings)) == NULL)
			goto fail;
		json_array_append_new(msgs, m);
	}
	json_decref(settings);
	return json_pack("{s:o}", "messages", msgs);
fail:
	json_decref(settings);
	json_decref(msgs);
	return NULL;
}

/* Keeps what was published, for the list and the next version. */
static int
confpush_keep(struct agg *a, const char *site, const char *target,
    int64_t version, const char *signer, const char *who, const char *body)
{
	struct agg_db_arg args[] = { AGG_S(site), AGG_S(target),
	    AGG_I(version), AGG_S(signer), AGG_S(who != NULL ? who : ""),
	    AGG_I(clock_utc_ms()), AGG_S(body) };

	return agg_db_run(a->db, "INSERT INTO config_pushes (site, target, "
	    "version, signed_by, who, sent_ms, body) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7) ON CONFLICT (site, target, version) DO UPDATE SET "
	    "signed_by = excluded.signed_by, who = excluded.who, sent_ms = "
	    "excluded.sent_ms, body = excluded.body", args, 7, NULL, NULL,
	    NULL);
}

json_t *
agg_confpush_send(struct agg *a, const char *site, const json_t *gates,
    const char *text, size_t len, const char *who, int *status)
{
	const char *file = a->cfg.config_push.admin_key_file;
	json_t *res, *msgs, *m, *sent;
	char err[256], *env;
	uint8_t sk[64];
	size_t i;

	if (file[0] == '\0')
		return confpush_fail(status, 409, "this aggregator does not hold "
		    "the admin key (config_push.admin_key_file): download the "
		    "unsigned message, sign it offline (qrgatectl push config "
		    "--sign-only) and upload it");
	res = agg_confpush_prepare(a->db, site, gates, "config", text, len,
	    status);
	if (res == NULL || *status != 200)
		return res;
	if (sodium_init() < 0 || key_sk_read(file, sk, err, sizeof(err)) == -1) {
		log_warnx("config push: %s", err);
		json_decref(res);
		return confpush_fail(status, 409, "the admin key: %s", err);
	}
	msgs = json_object_get(res, "messages");
	sent = json_array();
	json_array_foreach(msgs, i, m) {
		const char *topic = json_string_value(json_object_get(m,
		    "topic"));
		const char *body = json_string_value(json_object_get(m, "body"));
		const char *target = json_string_value(json_object_get(m,
		    "target"));
		json_int_t version = json_integer_value(json_object_get(m,
		    "version"));

		env = signed_msg_seal(topic, (const uint8_t *)body,
		    strlen(body), sk, err, sizeof(err));
		if (env == NULL || agg_mqtt_publish(a->mqtt, topic, env,
		    strlen(env), err, sizeof(err)) == -1) {
			/* What was sent stays sent, and kept: only a push
			 * of which nothing went is a refusal. */
			free(env);
			if (i == 0)
				*status = 409;
			json_object_set_new(res, "error", json_string(err));
			break;
		}
		free(env);
		log_info("config push: %s version %lld signed here and sent "
		    "(by %s)", topic, (long long)version, who != NULL ? who :
		    "?");
		if (confpush_keep(a, site, target, version, "aggregator", who,
		    body) == -1) {
			sodium_memzero(sk, sizeof(sk));
			json_decref(sent);
			json_decref(res);
			return NULL;
		}
		json_array_append_new(sent, json_pack("{s:s, s:I}", "target",
		    target, "version", version));
	}
	sodium_memzero(sk, sizeof(sk));
	json_object_del(res, "messages");
	json_object_set_new(res, "pushes", sent);
	return res;
}

/* The public key that checks what was signed offline. */
static int
confpush_admin_pk(const struct agg_config *c, uint8_t pk[32], char *err,
    size_t errlen)
{
	uint8_t sk[64];

	const char *file = c->config_push.admin_key_file;

	if (c->config_push.admin_key[0] != '\0') {
		if (key_pk_from_text(c->config_push.admin_key, pk) == 0)
			return 0;
		snprintf(err, errlen, "config_push.admin_key is not a public "
		    "key");
		return -1;
	}
	if (file[0] == '\0') {
		snprintf(err, errlen, "no config_push.admin_key to check a "
		    "signed message with");
		return -1;
	}
	if (sodium_init() < 0 || key_sk_read(file, sk, err, errlen) == -1)
		return -1;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

/*
 * The settings of a signed document as the INI text they came from, so
 * that they are checked by the same reading as what is written on the
 * page.  NULL when a value is not text of one line (not what the page
 * makes).
 */
static char *
confpush_doc_ini(const json_t *settings, size_t *len)
{
	const char *name, *dot, *v;
	json_t *value;
	char *buf = NULL;
	FILE *f;

	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	json_object_foreach((json_t *)settings, name, value) {
		v = json_string_value(value);
		dot = strchr(name, '.');
		if (v == NULL || dot == NULL || strpbrk(v, "\r\n") != NULL ||
		    strpbrk(name, "[]=\r\n") != NULL) {
			fclose(f);
			free(buf);
			return NULL;
		}
		fprintf(f, "[%.*s]\n%s = %s\n", (int)(dot - name), name,
		    dot + 1, v);
	}
	fclose(f);
	return buf;
}

json_t *
agg_confpush_upload(struct agg *a, const char *site, const char *gate,
    const char *env, size_t len, const char *who, int *status)
{
	json_t *res, *gates = NULL, *doc, *settings, *errors;
	const json_t *v;
	char topic[160], err[256], *body = NULL, *ini;
	uint8_t pk[32];
	size_t blen, ilen;

	*status = 200;
	if (gate != NULL && (gates = json_pack("[s]", gate)) == NULL)
		return NULL;
	res = confpush_targets_check(a->db, site, gates, status);
	json_decref(gates);
	if (res != NULL || *status != 200)
		return res;
	if (confpush_admin_pk(&a->cfg, pk, err, sizeof(err)) == -1)
		return confpush_fail(status, 409, "%s", err);
	if (confpush_topic(site, gate, topic, sizeof(topic)) == -1)
		return confpush_fail(status, 400, "site or gate too long");
	if (len > AGG_CONFPUSH_TEXT_MAX * 2 || seal_verify(topic, env, len, pk,
	    &body, &blen, err, sizeof(err)) == -1)
		return confpush_fail(status, 400, "refused: %s",
		    len > AGG_CONFPUSH_TEXT_MAX * 2 ? "too large" : err);
	doc = json_loadb(body, blen, JSON_REJECT_DUPLICATES, NULL);
	v = json_object_get(doc, "version");
	settings = json_object_get(doc, "settings");
	ini = json_is_object(settings) ? confpush_doc_ini(settings, &ilen) :
	    NULL;
	if (!json_is_integer(v) || json_integer_value(v) <= 0 || ini == NULL ||
	    json_object_size(doc) != 2) {
		json_decref(doc);
		free(body);
		free(ini);
		return confpush_fail(status, 400, "refused: the signed body is "
		    "not a config push as this page makes them");
	}
	settings = json_object();
	errors = confpush_check("signed", ini, ilen, settings);
	json_decref(settings);
	free(ini);
	if (errors != NULL) {
		json_decref(doc);
		free(body);
		*status = 400;
		return json_pack("{s:o}", "errors", errors);
	}
	if (agg_mqtt_publish(a->mqtt, topic, env, len, err, sizeof(err)) == -1) {
		json_decref(doc);
		free(body);
		return confpush_fail(status, 409, "%s", err);
	}
	log_info("config push: %s version %lld signed offline and sent (by "
	    "%s)", topic, (long long)json_integer_value(v), who != NULL ? who :
	    "?");
	if (confpush_keep(a, site, gate != NULL ? gate : "all",
	    json_integer_value(v), "offline", who, body) == -1)
		res = NULL;
	else
		res = json_pack("{s:[{s:s, s:I}]}", "pushes", "target",
		    gate != NULL ? gate : "all", "version", json_integer_value(v));
	json_decref(doc);
	free(body);
	return res;
}

/* One gate's answer to a push of scope ("gate" or "site") and version,
 * from its status. */
static void
confpush_answer(json_t *g, const char *scope, int64_t version,
    const char *status_text)
{
	json_t *status = json_loads(status_text, 0, NULL);
	json_t *config = json_object_get(status, "config");
	json_t *last = json_object_get(config, "last");
	const char *lscope = agg_json_str(last, "scope");
	char key[16];
	int64_t held = 0, lv = 0;
	const char *answer = "waiting";

	snprintf(key, sizeof(key), "%s_version", scope);
	agg_json_int(config, key, &held);
	agg_json_int(last, "version", &lv);
	/* A push sent again is ignored as replayed by a gate that holds
	 * it: held says more than that last word. */
	if (lscope != NULL && strcmp(lscope, scope) == 0 && lv == version &&
	    agg_json_str(last, "result") != NULL && !(held == version &&
	    strcmp(agg_json_str(last, "result"), "ignored") == 0)) {
		answer = agg_json_str(last, "result");
		if (agg_json_str(last, "reason") != NULL)
			json_object_set(g, "reason", json_object_get(last,
			    "reason"));
		if (agg_json_str(last, "error") != NULL)
			json_object_set(g, "error", json_object_get(last,
			    "error"));
		json_object_set(g, "ts_ms", json_object_get(last, "ts_ms"));
	} else if (held == version)
		answer = "applied";
	else if (held > version || (lscope != NULL &&
	    strcmp(lscope, scope) == 0 && lv > version))
		answer = "superseded";
	json_object_set_new(g, "answer", json_string(answer));
	json_object_set_new(g, "holds", json_integer(held));
	json_decref(status);
}

static int
confpush_push_row(void *arg, int ncol, const char *const *col)
{
	json_t *doc, *p;

	if (ncol < 7)
		return 1;
	doc = json_loads(col[6], 0, NULL);
	p = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:O}", "site", col[0],
	    "target", col[1], "version", (json_int_t)strtoll(col[2], NULL, 10),
	    "signed_by", col[3], "who", col[4], "sent_ms",
	    (json_int_t)strtoll(col[5], NULL, 10), "settings",
	    json_is_object(json_object_get(doc, "settings")) ?
	    json_object_get(doc, "settings") : json_null());
	json_decref(doc);
	json_array_append_new(arg, p);
	return 0;
}

struct confpush_gates {
	json_t *list;
	const char *scope;
	int64_t version;
};

static int
confpush_gate_row(void *arg, int ncol, const char *const *col)
{
	struct confpush_gates *cg = arg;
	json_t *g;

	if (ncol < 3)
		return 1;
	g = json_pack("{s:s, s:s}", "gate", col[0], "state", col[1]);
	confpush_answer(g, cg->scope, cg->version, col[2] != NULL ? col[2] :
	    "{}");
	json_array_append_new(cg->list, g);
	return 0;
}

json_t *
agg_confpush_list(struct agg *a, const char *site, int *status)
{
	struct agg_db_arg one[] = { AGG_S(site != NULL ? site : "") };
	json_t *pushes = json_array(), *p;
	size_t i;

	*status = 200;
	if (agg_db_run(a->db, site != NULL ? "SELECT site, target, version, "
	    "signed_by, who, sent_ms, body FROM config_pushes WHERE site = $1 "
	    "ORDER BY sent_ms DESC, version DESC LIMIT 20" : "SELECT site, "
	    "target, version, signed_by, who, sent_ms, body FROM config_pushes "
	    "ORDER BY sent_ms DESC, version DESC LIMIT 20", one,
	    site != NULL ? 1 : 0, confpush_push_row, pushes, NULL) == -1) {
		json_decref(pushes);
		return NULL;
	}
	json_array_foreach(pushes, i, p) {
		const char *target = agg_json_str(p, "target");
		struct agg_db_arg args[] = { AGG_S(agg_json_str(p, "site")),
		    AGG_S(target) };
		struct confpush_gates cg = { json_array(),
		    strcmp(target, "all") == 0 ? "site" : "gate",
		    json_integer_value(json_object_get(p, "version")) };

		if (agg_db_run(a->db, strcmp(target, "all") == 0 ? "SELECT "
		    "gate, state, status FROM gates WHERE site = $1 ORDER BY "
		    "gate" : "SELECT gate, state, status FROM gates WHERE "
		    "site = $1 AND gate = $2", args, strcmp(target, "all") == 0 ?
		    1 : 2, confpush_gate_row, &cg, NULL) == -1) {
			json_decref(cg.list);
			json_decref(pushes);
			return NULL;
		}
		json_object_set_new(p, "gates", cg.list);
	}
	return json_pack("{s:b, s:b, s:o}", "signs",
	    a->cfg.config_push.admin_key_file[0] != '\0', "checks",
	    a->cfg.config_push.admin_key[0] != '\0' ||
	    a->cfg.config_push.admin_key_file[0] != '\0', "pushes", pushes);
}
