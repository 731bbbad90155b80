/*
 * The visitor desk's web API (agg_visitor.h for the register): which role
 * may call each is src/agg/agg_web_roles.c's table, checked before these
 * run.  The document is whole only for the tracer role, and every such
 * view or export is written to the audit table.
 *
 *	GET  visitors [?from=T&to=T]	the register, newest first
 *	POST visitor-add {name, document_kind, document, host, purpose,
 *	     lanes, until}		register; {"visitor": {...}}
 *	GET  visitor-pass ?id=ID	the pass as a PNG
 *	POST visitor-cancel {id}	cancel a pass
 *	GET  visitor-export ?format=csv|xlsx [&from=T&to=T]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agg.h"
#include "agg_api.h"
#include "agg_visitor.h"
#include "clock.h"
#include "keyfile.h"
#include "log.h"
#include "qrpng.h"
#include "sitetime.h"
#include "timefmt.h"

#define AGG_PASS_PNG_SCALE	8

/* A status other than 400, with {"error": msg}. */
static int
agg_visitor_bad(struct agg_web_reply *r, int status, const char *msg)
{
	r->status = status;
	r->json = json_pack("{s:s}", "error", msg);
	return r->json == NULL ? -1 : 0;
}

/* A string member of o into dst; "" when absent.  -1 when not a string
 * or too long. */
static int
agg_visitor_member(json_t *o, const char *key, char *dst, size_t len)
{
	json_t *v = json_object_get(o, key);

	dst[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= len)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* A time from the page: "" (the default), local text in site.timezone
 * (an <input type=datetime-local>), or ms. */
static int
agg_visitor_member_time(json_t *o, const char *key, int64_t *ms)
{
	json_t *v = json_object_get(o, key);
	char msg[200];

	*ms = 0;
	if (v == NULL || json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*ms = json_integer_value(v);
		return 0;
	}
	return json_is_string(v) && sitetime_parse(json_string_value(v), ms,
	    msg, sizeof(msg)) == 0 ? 0 : -1;
}

/* The tracer sees documents whole; every other role masked. */
static bool
agg_visitor_full(const struct agg_web_call *c)
{
	return c->who != NULL && (c->who->roles & AGG_ROLE_TRACER) != 0;
}

/* ?from=T&to=T, in site.timezone or ms; 0 when absent. */
static int
agg_visitor_span(const struct agg_web_call *c, int64_t *from, int64_t *to)
{
	const char *f = agg_web_query_get(c->q, "from");
	const char *t = agg_web_query_get(c->q, "to");
	char msg[200];

	*from = *to = 0;
	return (f != NULL && sitetime_parse(f, from, msg, sizeof(msg)) == -1) ||
	    (t != NULL && sitetime_parse(t, to, msg, sizeof(msg)) == -1) ?
	    -1 : 0;
}

static int
agg_visitor_api_list(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	int64_t from, to;
	bool full = agg_visitor_full(c);

	if (agg_visitor_span(c, &from, &to) == -1)
		return agg_api_bad(r, "from, to: a time");
	if ((r->json = agg_visitor_list(a->db, from, to, full,
	    clock_utc_ms())) == NULL)
		return -1;
	/* Only a view that showed a document is one to audit. */
	if (full && json_array_size(r->json) > 0)
		snprintf(r->audit, sizeof(r->audit), "viewed the visitor "
		    "register with documents whole (%zu)",
		    json_array_size(r->json));
	r->status = 200;
	return 0;
}

static int
agg_visitor_api_add(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	struct agg_visitor_policy p = { a->cfg.visitor.lanes,
	    a->cfg.visitor.max_s };
	struct agg_visitor v;
	char err[256];
	bool dberr;
	json_t *body, *j;

	memset(&v, 0, sizeof(v));
	if ((body = agg_api_body(c, r)) == NULL)
		return 0;
	if (agg_visitor_member(body, "name", v.name, sizeof(v.name)) == -1 ||
	    agg_visitor_member(body, "document_kind", v.doc_kind,
	    sizeof(v.doc_kind)) == -1 ||
	    agg_visitor_member(body, "document", v.doc_number,
	    sizeof(v.doc_number)) == -1 ||
	    agg_visitor_member(body, "host", v.host, sizeof(v.host)) == -1 ||
	    agg_visitor_member(body, "purpose", v.purpose,
	    sizeof(v.purpose)) == -1 ||
	    agg_visitor_member(body, "lanes", v.lanes, sizeof(v.lanes)) == -1 ||
	    agg_visitor_member_time(body, "from", &v.from_ms) == -1 ||
	    agg_visitor_member_time(body, "until", &v.until_ms) == -1) {
		json_decref(body);
		return agg_api_bad(r, "a field is not text, too long, "
		    "or not a time");
	}
	json_decref(body);
	if (v.doc_kind[0] == '\0')
		snprintf(v.doc_kind, sizeof(v.doc_kind), "cccd");
	snprintf(v.registered_by, sizeof(v.registered_by), "%s", c->who->name);
	if (agg_visitor_add(a->db, &p, &v, clock_utc_ms(), err, sizeof(err),
	    &dberr) == -1) {
		sodium_memzero(&v, sizeof(v));
		return dberr ? -1 : agg_api_bad(r, err);
	}
	j = agg_visitor_json(&v, agg_visitor_full(c), clock_utc_ms());
	snprintf(r->audit, sizeof(r->audit), "visitor add %s", v.id);
	sodium_memzero(&v, sizeof(v));
	if (j == NULL || (r->json = json_pack("{s:o}", "visitor", j)) == NULL)
		return -1;
	r->status = 200;
	return 0;
}

/* The visit id of ?id= or {"id"}: one of ours or nothing. */
static int
agg_visitor_api_pass(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	const char *id = agg_web_query_get(c->q, "id");
	uint8_t sk[TOKEN_SK_BYTES];
	char text[TOKEN_TEXT_MAX], err[512];
	struct agg_visitor v;
	int rc;

	if (id == NULL)
		return agg_api_bad(r, "id is needed");
	if ((rc = agg_visitor_get(a->db, id, &v)) == -1)
		return -1;
	if (rc == 0 || v.cancelled_ms != 0)
		return agg_visitor_bad(r, 404, "no such visit, or cancelled");
	if (a->cfg.visitor.key_file[0] == '\0')
		return agg_visitor_bad(r, 409, "no visitor.key_file: the desk "
		    "makes no pass");
	if (key_sk_read(a->cfg.visitor.key_file, sk, err, sizeof(err)) == -1) {
		log_warnx("visitor.key_file: %s", err);
		return agg_visitor_bad(r, 500, "the visitor key cannot be read");
	}
	rc = agg_visitor_pass(&v, sk, text, sizeof(text));
	sodium_memzero(sk, sizeof(sk));
	if (rc == -1 || qrpng_write_mem(text, AGG_PASS_PNG_SCALE, &r->data,
	    &r->len, err, sizeof(err)) == -1)
		return -1;
	snprintf(r->type, sizeof(r->type), "image/png");
	r->status = 200;
	return 0;
}

static int
agg_visitor_api_cancel(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	char id[AGG_VISITOR_ID_LEN];
	json_t *body;
	int rc;

	if ((body = agg_api_body(c, r)) == NULL)
		return 0;
	rc = agg_visitor_member(body, "id", id, sizeof(id));
	json_decref(body);
	if (rc == -1 || id[0] == '\0')
		return agg_api_bad(r, "id is needed");
	if ((rc = agg_visitor_cancel(a->db, id, c->who->name,
	    clock_utc_ms())) == -1)
		return -1;
	if (rc == 0)
		return agg_visitor_bad(r, 404, "no such visit, or cancelled "
		    "already");
	snprintf(r->audit, sizeof(r->audit), "visitor cancel %s", id);
	r->json = json_pack("{s:s, s:b}", "id", id, "cancelled", 1);
	r->status = 200;
	return r->json == NULL ? -1 : 0;
}

static int
agg_visitor_api_export(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	const char *fmt = agg_web_query_get(c->q, "format");
	bool full = agg_visitor_full(c), xlsx;
	int64_t from, to;
	char day[TIMEFMT_LEN];
	json_t *list;
	int rc;

	if (fmt == NULL || (strcmp(fmt, "csv") != 0 &&
	    strcmp(fmt, "xlsx") != 0))
		return agg_api_bad(r, "format: csv or xlsx");
	xlsx = strcmp(fmt, "xlsx") == 0;
	if (agg_visitor_span(c, &from, &to) == -1)
		return agg_api_bad(r, "from, to: a time");
	if ((list = agg_visitor_list(a->db, from, to, full,
	    clock_utc_ms())) == NULL)
		return -1;
	rc = xlsx ? agg_visitor_xlsx(list, &r->data, &r->len) :
	    agg_visitor_csv(list, &r->data, &r->len);
	if (rc == 0 && full && json_array_size(list) > 0)
		snprintf(r->audit, sizeof(r->audit), "exported the visitor "
		    "register with documents whole (%s, %zu)", fmt,
		    json_array_size(list));
	json_decref(list);
	if (rc == -1)
		return -1;
	snprintf(r->type, sizeof(r->type), "%s", xlsx ?
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" :
	    "text/csv; charset=utf-8");
	sitetime_format(clock_utc_ms(), day, sizeof(day));
	snprintf(r->filename, sizeof(r->filename), "visitors-%.10s.%s", day,
	    fmt);
	r->status = 200;
	return 0;
}

/* Which call: the route table sent every visitor* what here. */
int
agg_visitor_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	if (strcmp(c->what, "visitors") == 0)
		return agg_visitor_api_list(a, c, r);
	if (strcmp(c->what, "visitor-add") == 0)
		return agg_visitor_api_add(a, c, r);
	if (strcmp(c->what, "visitor-pass") == 0)
		return agg_visitor_api_pass(a, c, r);
	if (strcmp(c->what, "visitor-cancel") == 0)
		return agg_visitor_api_cancel(a, c, r);
	if (strcmp(c->what, "visitor-export") == 0)
		return agg_visitor_api_export(a, c, r);
	return agg_visitor_bad(r, 404, "no such question");
}
