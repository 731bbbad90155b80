/*
 * The people page's and the muster page's API (COMMON18's contract):
 * HR's list, its changes and badges, what each gate holds, and the muster
 * list for the guards.  Which role may call which is agg_web_roles.c's;
 * each write says what it did in r->audit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_api.h"
#include "agg_people.h"
#include "agg_print.h"
#include "agg_query.h"
#include "agg_xlsx.h"
#include "clock.h"
#include "log.h"
#include "sitetime.h"

/* The people list and what the gates hold, for the page. */
static int
api_people_get(struct agg *a, struct agg_web_reply *r)
{
	json_t *list = agg_people_list(a->db, false);
	json_t *v = agg_people_versions(a->db);

	if (list == NULL || v == NULL) {
		json_decref(list);
		json_decref(v);
		return -1;
	}
	r->json = json_pack("{s:o, s:o}", "people", list, "versions", v);
	return r->json != NULL ? 0 : -1;
}

/* add: the body is the person; edit: the members given change. */
static int
api_people_put(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r, bool create)
{
	json_t *body = agg_api_body(c, r);
	const char *id;
	struct agg_person p;
	char err[300];
	int rc;

	if (body == NULL)
		return 0;
	if ((id = json_string_value(json_object_get(body, "id"))) == NULL) {
		json_decref(body);
		return agg_api_bad(r, "id: the person's id is needed");
	}
	rc = create ? agg_person_from_json(body, &p, err, sizeof(err)) :
	    agg_person_edit(a->db, id, body, &p, err, sizeof(err));
	json_decref(body);
	if (rc == -1 || agg_people_put(a->db, &p, create, clock_utc_ms(), err,
	    sizeof(err)) == -1)
		return agg_api_bad(r, err);
	/* The name, not the subject: a CCCD's is a citizen number. */
	snprintf(r->audit, sizeof(r->audit), "%s %s (%s)", create ?
	    "added" : "changed", p.c.id, p.c.name);
	r->json = json_pack("{s:b, s:s}", "ok", 1, "id", p.c.id);
	return r->json != NULL ? 0 : -1;
}

static int
api_people_status(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	json_t *body = agg_api_body(c, r);
	const char *id, *st;
	char err[300];
	int s;

	if (body == NULL)
		return 0;
	id = json_string_value(json_object_get(body, "id"));
	st = json_string_value(json_object_get(body, "status"));
	if (id == NULL || st == NULL || (s = cred_status_from_name(st)) < 0) {
		json_decref(body);
		return agg_api_bad(r, "{\"id\": ..., \"status\": \"active\", "
		    "\"suspended\" or \"revoked\"} is needed");
	}
	if (agg_people_set_status(a->db, id, s, clock_utc_ms(), err,
	    sizeof(err)) == -1) {
		json_decref(body);
		return agg_api_bad(r, err);
	}
	snprintf(r->audit, sizeof(r->audit), "%s %s", cred_status_name(s), id);
	json_decref(body);
	r->json = json_pack("{s:b}", "ok", 1);
	return r->json != NULL ? 0 : -1;
}

static int
api_people_import(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	char err[512];
	const char *what;
	FILE *f;
	int n;

	if (c->body == NULL || c->body_len == 0 ||
	    (f = fmemopen((void *)c->body, c->body_len, "r")) == NULL)
		return agg_api_bad(r, "the CSV or XLSX is the body");
	/* agg_people_import() tells them apart by content, as here. */
	what = agg_xlsx_is(c->body, c->body_len) ? "the workbook" : "the CSV";
	n = agg_people_import(a->db, f, what, NULL, clock_utc_ms(), err,
	    sizeof(err));
	fclose(f);
	if (n == -1)
		return agg_api_bad(r, err);
	snprintf(r->audit, sizeof(r->audit), "imported %d people from %s", n,
	    agg_xlsx_is(c->body, c->body_len) ? "an XLSX" : "a CSV");
	r->json = json_pack("{s:b, s:i}", "ok", 1, "rows", n);
	return r->json != NULL ? 0 : -1;
}

/* ids from the body's "ids" array or the query's "ids" (commas). */
static int
api_ids(const json_t *list, const char *csv, char ***ids, char **buf)
{
	int n = 0;

	*ids = NULL;
	*buf = NULL;
	if (list != NULL) {
		size_t i;
		json_t *v;

		if ((*ids = calloc(json_array_size(list) + 1,
		    sizeof(**ids))) == NULL)
			return -1;
		json_array_foreach(list, i, v)
			if (json_is_string(v))
				(*ids)[n++] = (char *)json_string_value(v);
		return n;
	}
	if (csv == NULL || (*buf = strdup(csv)) == NULL)
		return 0;
	if ((*ids = calloc(strlen(csv) + 1, sizeof(**ids))) == NULL)
		return -1;
	for (char *p = *buf, *t; (t = strsep(&p, ",")) != NULL;)
		if (*t != '\0')
			(*ids)[n++] = t;
	return n;
}

static int
api_people_badge(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r, bool pdf)
{
	json_t *body = NULL, *out;
	char **ids, *buf, err[512], *data = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int n, rc;

	if (!pdf && (body = agg_api_body(c, r)) == NULL)
		return 0;
	out = json_array();

	n = api_ids(json_object_get(body, "ids"), pdf ? agg_web_query_get(
	    c->q, "ids") : NULL, &ids, &buf);
	if (n <= 0) {
		free(ids);
		free(buf);
		json_decref(body);
		json_decref(out);
		return agg_api_bad(r, "ids: the people's ids are needed");
	}
	if (pdf && (f = open_memstream(&data, &len)) == NULL) {
		snprintf(err, sizeof(err), "out of memory");
		rc = -1;
	} else
		rc = agg_people_badges(a->db, &a->cfg, ids, n, !pdf &&
		    json_is_true(json_object_get(body, "new_serial")), f, NULL,
		    out, err, sizeof(err));
	if (f != NULL)
		fclose(f);
	if (rc == 0 && !pdf)
		snprintf(r->audit, sizeof(r->audit), "badge%s for %s%s",
		    json_is_true(json_object_get(body, "new_serial")) ?
		    " with a new serial" : "", ids[0], n > 1 ? " and others" :
		    "");
	free(ids);
	free(buf);
	json_decref(body);
	if (rc == -1) {
		free(data);
		json_decref(out);
		return agg_api_bad(r, err);
	}
	if (pdf) {
		json_decref(out);
		r->data = data;
		r->len = len;
		snprintf(r->type, sizeof(r->type), "application/pdf");
		snprintf(r->filename, sizeof(r->filename), "badges.pdf");
		return 0;
	}
	r->json = json_pack("{s:o}", "badges", out);
	return r->json != NULL ? 0 : -1;
}

static int
api_muster(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r, bool pdf)
{
	struct agg_query_ctx ctx = {
		.db = a->db, .tracing = false,
		.heartbeat_s = a->cfg.heartbeat_s,
		.inside_hours = a->cfg.inside_hours, .now_ms = clock_utc_ms(),
	};
	const char *site = agg_web_query_get(c->q, "site");
	json_t *doc = agg_muster(&ctx, site != NULL ? site : "");
	char title[200], now[64], err[300];
	FILE *f;
	int rc;

	if (doc == NULL)
		return -1;
	if (!pdf) {
		r->json = doc;
		return 0;
	}
	sitetime_format(ctx.now_ms, now, sizeof(now));
	snprintf(title, sizeof(title), "Muster list%s%s, %s",
	    site != NULL ? ": " : "", site != NULL ? site : "", now);
	if ((f = open_memstream(&r->data, &r->len)) == NULL) {
		json_decref(doc);
		return -1;
	}
	rc = agg_print_muster_pdf(f, "the muster list", doc, title, err,
	    sizeof(err));
	fclose(f);
	json_decref(doc);
	if (rc == -1) {
		free(r->data);
		r->data = NULL;
		log_warnx("muster: %s", err);
		return -1;
	}
	snprintf(r->type, sizeof(r->type), "application/pdf");
	snprintf(r->filename, sizeof(r->filename), "muster.pdf");
	return 0;
}

int
agg_people_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	bool post = strcmp(c->method, "POST") == 0;

	if (strcmp(c->what, "people") == 0 && !post)
		return api_people_get(a, r);
	if (strcmp(c->what, "people-versions") == 0 && !post) {
		r->json = agg_people_versions(a->db);
		return r->json != NULL ? 0 : -1;
	}
	if (strcmp(c->what, "people-add") == 0 && post)
		return api_people_put(a, c, r, true);
	if (strcmp(c->what, "people-edit") == 0 && post)
		return api_people_put(a, c, r, false);
	if (strcmp(c->what, "people-status") == 0 && post)
		return api_people_status(a, c, r);
	if (strcmp(c->what, "people-import") == 0 && post)
		return api_people_import(a, c, r);
	if (strcmp(c->what, "people-badge") == 0 && post)
		return api_people_badge(a, c, r, false);
	if (strcmp(c->what, "people-badges") == 0 && !post)
		return api_people_badge(a, c, r, true);
	if (strcmp(c->what, "muster") == 0 && !post)
		return api_muster(a, c, r, false);
	if (strcmp(c->what, "muster-pdf") == 0 && !post)
		return api_muster(a, c, r, true);
	return agg_api_bad(r, "no such call");
}
