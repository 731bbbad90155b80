/*
 * Sending the people list to the gates.  At each tick, when the list's
 * edits moved past those last sent, the whole list goes out as a
 * credential snapshot on <prefix>/<site>/all/credentials/set, in chunks
 * of AGG_PUSH_ROWS, each sealed (seal.h) with the aggregator's
 * credentials key, for every site the aggregator follows.  The CLI
 * writes the database only; the daemon sends, so a change made while the
 * broker is away goes out once it is back.
 *
 * The list also carries each visitor pass cancelled and not yet expired,
 * as a revoked credential of kind visitor (agg_visitor_cancelled()).
 *
 * The version: one more than the last sent and than any a gate reports
 * holding (its status's credentials.version), since a gate ignores a list
 * not newer than its own, which qrgatectl push may have set higher.
 *
 * A list of one chunk is retained, so a gate that starts or reconnects
 * later takes it from the broker; a longer one cannot be (the broker
 * keeps the last message of a topic only), and a gate offline then takes
 * the next change's list.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agg.h"
#include "agg_people.h"
#include "agg_visitor.h"
#include "keyfile.h"
#include "log.h"
#include "seal.h"

/*
 * Rows in one chunk: a row is at most about 700 bytes of JSON, so 4000
 * are under 3 MB, within the gate's 4 MiB a message once sealed and
 * escaped.
 */
#define AGG_PUSH_ROWS	4000

int
agg_people_push_init(struct agg *a)
{
	const char *path = a->cfg.people.credentials_key_file;
	char err[256];

	if (path[0] == '\0') {
		log_info("people: no people.credentials_key_file: the list is "
		    "not sent to the gates");
		return 0;
	}
	if (key_sk_read(path, a->creds_sk, err, sizeof(err)) == -1) {
		log_warnx("people: %s", err);
		return -1;
	}
	a->creds_key = true;
	return 0;
}

void
agg_people_push_done(struct agg *a)
{
	sodium_memzero(a->creds_sk, sizeof(a->creds_sk));
	a->creds_key = false;
}

static int
push_site_row(void *arg, int ncol, const char *const *col)
{
	if (ncol >= 1 && col[0] != NULL)
		json_array_append_new(arg, json_string(col[0]));
	return 0;
}

/* The sites to send to: those configured, or with "*" those seen. */
static json_t *
push_sites(struct agg *a)
{
	json_t *sites = json_array();

	if (sites == NULL)
		return NULL;
	for (int i = 0; i < a->cfg.nsites; i++) {
		if (strcmp(a->cfg.sites[i], "*") == 0) {
			json_array_clear(sites);
			if (agg_db_run(a->db, "SELECT DISTINCT site FROM gates "
			    "ORDER BY site", NULL, 0, push_site_row, sites,
			    NULL) != 0) {
				json_decref(sites);
				return NULL;
			}
			break;
		}
		json_array_append_new(sites, json_string(a->cfg.sites[i]));
	}
	return sites;
}

static int
push_version_row(void *arg, int ncol, const char *const *col)
{
	int64_t *max = arg;
	json_t *st, *v;

	if (ncol < 1 || col[0] == NULL ||
	    (st = json_loads(col[0], 0, NULL)) == NULL)
		return 0;
	v = json_object_get(json_object_get(st, "credentials"), "version");
	if (json_is_integer(v) && json_integer_value(v) > *max)
		*max = json_integer_value(v);
	json_decref(st);
	return 0;
}

struct push_rows {
	json_t *rows;
};

static int
push_row(const struct agg_person *p, void *arg)
{
	struct push_rows *r = arg;
	struct credential c = p->c;

	/* The department is the holder's group at the gates, where a
	 * schedule given to it applies (qrgatectl schedule group). */
	memcpy(c.group, p->department, sizeof(c.group));
	c.group[sizeof(c.group) - 1] = '\0';
	return json_array_append_new(r->rows, credential_json(&c));
}

/* Seals and publishes chunk i of rows [from, to) for site. */
static int
push_chunk(struct agg *a, const char *site, json_t *rows, size_t from,
    size_t to, int i, int n, int64_t version)
{
	char topic[256], err[256], *body, *env;
	json_t *doc, *part = json_array();
	int rc = -1;

	for (size_t k = from; k < to; k++)
		json_array_append(part, json_array_get(rows, k));
	doc = json_pack("{s:I, s:i, s:i, s:o}", "version", (json_int_t)version,
	    "chunk", i, "chunks", n, "credentials", part);
	if (doc == NULL || (body = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		return -1;
	}
	json_decref(doc);
	snprintf(topic, sizeof(topic), "%s/all/credentials/set", site);
	if ((env = signed_msg_seal(topic, (const uint8_t *)body, strlen(body),
	    a->creds_sk, err, sizeof(err))) == NULL)
		log_warnx("people: %s", err);
	/* Not connected: said at the next tick's try, not each second. */
	else if ((rc = agg_mqtt_publish(a->mqtt, topic, env, strlen(env),
	    n == 1, err, sizeof(err))) == -1)
		log_debug("people: %s", err);
	free(env);
	free(body);
	return rc;
}

void
agg_people_push_tick(struct agg *a, int64_t now_ms)
{
	struct agg_people_state st;
	struct push_rows r = { NULL };
	json_t *sites = NULL, *sv;
	int64_t version, held = 0;
	size_t nrows, npeople, i;
	int n;

	if (!a->creds_key || agg_people_state(a->db, &st) == -1 ||
	    st.edits == 0 || st.edits == st.pushed_edits)
		return;
	if (agg_db_run(a->db, "SELECT status FROM gates", NULL, 0,
	    push_version_row, &held, NULL) != 0 ||
	    (sites = push_sites(a)) == NULL || json_array_size(sites) == 0 ||
	    (r.rows = json_array()) == NULL ||
	    agg_people_foreach(a->db, push_row, &r) != 0)
		goto done;
	npeople = json_array_size(r.rows);
	if (agg_visitor_cancelled(a->db, now_ms, r.rows) == -1)
		goto done;
	version = (st.version > held ? st.version : held) + 1;
	nrows = json_array_size(r.rows);
	n = nrows == 0 ? 1 : (int)((nrows + AGG_PUSH_ROWS - 1) / AGG_PUSH_ROWS);
	json_array_foreach(sites, i, sv) {
		const char *site = json_string_value(sv);

		for (int c = 0; c < n; c++) {
			size_t from = (size_t)c * AGG_PUSH_ROWS;
			size_t to = from + AGG_PUSH_ROWS < nrows ?
			    from + AGG_PUSH_ROWS : nrows;

			/* Not connected: tried again at the next tick. */
			if (push_chunk(a, site, r.rows, from, to, c, n,
			    version) == -1)
				goto done;
		}
		log_info("people: list version %lld (%zu people, %zu passes "
		    "cancelled, %d chunks) sent to the gates of %s",
		    (long long)version, npeople, nrows - npeople, n, site);
	}
	{
		struct agg_db_arg args[] = { AGG_I(st.edits), AGG_I(version),
		    AGG_I(now_ms) };

		if (agg_db_run(a->db, "UPDATE people_state SET pushed_edits = "
		    "$1, version = $2, pushed_ms = $3 WHERE id = 1", args, 3,
		    NULL, NULL, NULL) == -1)
			log_warnx("people: version %lld sent, but not noted",
			    (long long)version);
	}
done:
	json_decref(r.rows);
	json_decref(sites);
}

struct versions {
	json_t *gates;
	int64_t version;
};

static int
versions_row(void *arg, int ncol, const char *const *col)
{
	struct versions *vs = arg;
	json_t *st, *v;

	if (ncol < 4)
		return 0;
	st = col[3] != NULL ? json_loads(col[3], 0, NULL) : NULL;
	v = json_object_get(json_object_get(st, "credentials"), "version");
	json_array_append_new(vs->gates, json_pack("{s:s, s:s, s:s, s:o, "
	    "s:b}", "site", col[0] ? col[0] : "", "gate", col[1] ? col[1] : "",
	    "state", col[2] ? col[2] : "", "version", json_is_integer(v) ?
	    json_integer(json_integer_value(v)) : json_null(), "current",
	    vs->version > 0 && json_is_integer(v) &&
	    json_integer_value(v) == vs->version));
	json_decref(st);
	return 0;
}

json_t *
agg_people_versions(struct agg_db *db)
{
	struct agg_people_state st;
	struct versions vs = { json_array(), 0 };

	if (vs.gates == NULL || agg_people_state(db, &st) == -1) {
		json_decref(vs.gates);
		return NULL;
	}
	vs.version = st.version;
	if (agg_db_run(db, "SELECT site, gate, state, status FROM gates "
	    "ORDER BY site, gate", NULL, 0, versions_row, &vs, NULL) != 0) {
		json_decref(vs.gates);
		return NULL;
	}
	return json_pack("{s:I, s:b, s:I, s:I, s:o}", "version",
	    (json_int_t)st.version, "pending", st.edits != st.pushed_edits,
	    "edits", (json_int_t)st.edits, "pushed_ms",
	    (json_int_t)st.pushed_ms, "gates", vs.gates);
}
