/*
 * The console's API on the aggregator's side: which handler answers
 * which what (one line each), and the audit rows of what was done.
 */
#include <stdio.h>
#include <string.h>

#include "agg_api.h"
#include "agg_query.h"
#include "agg_users.h"
#include "clock.h"
#include "log.h"
#include "util.h"

static int api_site(struct agg *, const struct agg_web_call *,
    struct agg_web_reply *);
static int api_stats(struct agg *, const struct agg_web_call *,
    struct agg_web_reply *);
static int api_audit(struct agg *, const struct agg_web_call *,
    struct agg_web_reply *);
static int api_query(struct agg *, const struct agg_web_call *,
    struct agg_web_reply *);

/*
 * A line answers the what equal to its prefix, or starting with it and
 * a '-' ("user" answers "user-add").  Which roles may call a what is
 * agg_web_roles.c's, not this table's.
 */
static const struct {
	const char *prefix;
	agg_api_fn fn;
} agg_api_routes[] = {
	{ "site", api_site },
	{ "stats", api_stats },
	{ "audit", api_audit },
	{ "users", agg_users_api },
	{ "user", agg_users_api },
	{ "visitors", agg_visitor_api },
	{ "visitor", agg_visitor_api },
	{ "people", agg_people_api },
	{ "muster", agg_people_api },
	{ "config", agg_confpush_api },
	{ "attendance", agg_attendance_api },
	{ "trace", api_query },
	{ "inside", api_query },
	{ "headcount", api_query },
	{ "events", api_query },
	{ "recent", api_query },
	{ "daily", api_query },
	{ "gates", api_query },
	{ "alarms", api_query },
	{ "gaps", api_query },
};

int
agg_api_bad(struct agg_web_reply *r, const char *why)
{
	r->status = 400;
	json_decref(r->json);
	r->json = json_pack("{s:s}", "error", why);
	return r->json != NULL ? 0 : -1;
}

json_t *
agg_api_body(const struct agg_web_call *c, struct agg_web_reply *r)
{
	json_t *j = NULL;

	if (c->body != NULL)
		j = json_loadb(c->body, c->body_len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		agg_api_bad(r, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static int
api_site(struct agg *a, const struct agg_web_call *c, struct agg_web_reply *r)
{
	(void)c;
	/* The page shows its times in the site's zone, not the browser's. */
	r->json = json_pack("{s:s}", "timezone", a->cfg.site.timezone);
	return r->json != NULL ? 0 : -1;
}

static int
api_stats(struct agg *a, const struct agg_web_call *c, struct agg_web_reply *r)
{
	(void)c;
	r->json = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
	    "messages", (json_int_t)a->stats.messages,
	    "stored", (json_int_t)a->stats.stored,
	    "updated", (json_int_t)a->stats.updated,
	    "duplicates", (json_int_t)a->stats.duplicates,
	    "rejected", (json_int_t)a->stats.rejected,
	    "gaps_opened", (json_int_t)a->stats.gaps_opened,
	    "gaps_closed", (json_int_t)a->stats.gaps_closed,
	    "db_errors", (json_int_t)a->stats.db_errors,
	    "db", agg_db_backend(a->db));
	return r->json != NULL ? 0 : -1;
}

static int
api_audit(struct agg *a, const struct agg_web_call *c, struct agg_web_reply *r)
{
	const char *lim = agg_web_query_get(c->q, "limit");
	char *end;
	long long n = 500;

	if (lim != NULL) {
		n = strtoll(lim, &end, 10);
		if (*lim == '\0' || *end != '\0' || n < 1 || n > 10000)
			return agg_api_bad(r, "bad limit (1 to 10000)");
	}
	r->json = agg_audit_list(a->db, n);
	return r->json != NULL ? 0 : -1;
}

/* Whether j holds a full subject anywhere. */
static bool
api_has_full(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			if ((strcmp(k, "subject_full") == 0 &&
			    json_is_string(v) && json_string_length(v) > 0) ||
			    api_has_full(v))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (api_has_full(v))
				return true;
	}
	return false;
}

/*
 * The questions of agg_query.c.  Full subjects only to the tracer (and
 * only with aggregator.tracing), each view of them audited; what was
 * asked for is written masked, its last four characters kept.
 */
static int
api_query(struct agg *a, const struct agg_web_call *c, struct agg_web_reply *r)
{
	struct agg_query_ctx ctx = {
		.db = a->db,
		.tracing = a->cfg.tracing && (c->who->roles & AGG_ROLE_TRACER),
		.heartbeat_s = a->cfg.heartbeat_s,
		.inside_hours = a->cfg.inside_hours, .now_ms = clock_utc_ms(),
	};
	const char *subject;
	char masked[80];
	size_t n, i;

	if ((r->json = agg_query_api(&ctx, c->what, c->q, &r->status)) == NULL)
		return -1;
	if (!ctx.tracing || r->status != 200 || !api_has_full(r->json))
		return 0;
	subject = agg_web_query_get(c->q, "subject");
	n = subject != NULL ? strlen(subject) : 0;
	if (n >= sizeof(masked))
		n = sizeof(masked) - 1;
	for (i = 0; i < n; i++)
		masked[i] = i + 4 < n ? '*' : subject[i];
	masked[n] = '\0';
	snprintf(r->audit, sizeof(r->audit), "viewed full subjects: %s%s%s",
	    c->what, n > 0 ? " " : "", masked);
	return 0;
}

/* The handler of c->what: 0, -1, or -2 when no line answers it. */
static int
api_dispatch(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	size_t n;

	for (size_t i = 0; i < nitems(agg_api_routes); i++) {
		n = strlen(agg_api_routes[i].prefix);
		if (strncmp(c->what, agg_api_routes[i].prefix, n) == 0 &&
		    (c->what[n] == '\0' || c->what[n] == '-'))
			return agg_api_routes[i].fn(a, c, r);
	}
	return -2;
}

/*
 * A POST runs in one transaction with its audit row: both or neither.
 * (So a handler does not BEGIN on its own.)  A POST refused (4xx) or
 * failed leaves nothing, its audit row included.
 */
int
agg_api(void *arg, const struct agg_web_call *c, struct agg_web_reply *r)
{
	struct agg *a = arg;
	bool post = strcmp(c->method, "POST") == 0;
	int rc;

	if (post && agg_db_begin(a->db) == -1)
		return -1;
	rc = api_dispatch(a, c, r);
	if (rc == -2) {
		r->status = 404;
		r->json = json_pack("{s:s}", "error", "no such question");
		rc = r->json != NULL ? 0 : -1;
	}
	if (r->status == 0)
		r->status = 200;
	if (post && (rc == -1 || r->status < 200 || r->status >= 300)) {
		agg_db_rollback(a->db);
		return rc;
	}
	if (rc == -1)
		return -1;
	if (r->audit[0] == '\0' && post)
		snprintf(r->audit, sizeof(r->audit), "POST %s", c->what);
	if (r->audit[0] != '\0' && agg_audit_add(a->db, clock_utc_ms(), c->who,
	    c->what, r->audit) == -1) {
		if (post)
			agg_db_rollback(a->db);
		return -1;
	}
	if (post && agg_db_commit(a->db) == -1) {
		agg_db_rollback(a->db);
		return -1;
	}
	return 0;
}
