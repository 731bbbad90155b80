/*
 * The console's API, /api/<what>: a session, then the roles table
 * (agg_web_roles.c: 404 for a what it does not name, 403 for a role it
 * does not give), then for a POST the session's CSRF token and this
 * server as its origin, and only then the aggregator's handler.  Its
 * reply goes out as JSON, or as a file (a download when it is named).
 */
#include "agg_web_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define WEB_WHAT_MAX 48

static enum MHD_Result
web_query_add(void *arg, enum MHD_ValueKind kind, const char *name,
    const char *value)
{
	struct agg_web_query *q = arg;

	(void)kind;
	if (q->count == (int)nitems(q->name)) {
		q->count++;	/* one too many: the caller answers 400 */
		return MHD_NO;
	}
	q->name[q->count] = name;
	q->value[q->count] = value != NULL ? value : "";
	q->count++;
	return MHD_YES;
}

/*
 * The Origin a browser sends with a POST must be this server, as the
 * request's Host names it: a page elsewhere cannot make its browser
 * send our Host with its own Origin.  Without an Origin (curl, an old
 * browser) the CSRF token alone decides.
 */
static bool
web_origin_ok(struct agg_web *w, struct MHD_Connection *conn)
{
	const char *origin, *host;
	char want[320];

	origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (origin == NULL)
		return true;
	host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (host == NULL || strpbrk(host, "/@ ") != NULL)
		return false;
	snprintf(want, sizeof(want), "%s://%s", w->tls ? "https" : "http",
	    host);
	/* Behind a TLS proxy the browser's origin is https. */
	if (!w->tls && strncmp(origin, "https://", 8) == 0)
		snprintf(want, sizeof(want), "https://%s", host);
	return strcmp(origin, want) == 0;
}

bool
agg_web_post_allowed(struct agg_web *w, struct MHD_Connection *conn,
    const struct web_req *rq, bool csrf)
{
	const char *token;

	if (!web_origin_ok(w, conn))
		return false;
	if (!csrf)
		return true;
	token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-CSRF-Token");
	return rq->signed_in && token != NULL &&
	    strlen(token) == strlen(rq->s.csrf) &&
	    sodium_memcmp(token, rq->s.csrf, strlen(token)) == 0;
}

/* GET /api/session: who, their roles, the CSRF token, their pages. */
static json_t *
web_session_json(const struct web_req *rq)
{
	json_t *pages = json_array();

	for (size_t i = 0; pages != NULL && i < agg_web_n_pages; i++) {
		const struct web_page *p = &agg_web_pages[i];

		if (p->title != NULL && (rq->s.user.roles & p->roles) != 0)
			json_array_append_new(pages, json_pack("{s:s+, s:s}",
			    "href", "/", strcmp(p->name, "index.html") == 0 ?
			    "" : p->name, "title", p->title));
	}
	return json_pack("{s:s, s:o, s:s, s:o}", "user", rq->s.user.name,
	    "roles", agg_web_roles_json(rq->s.user.roles), "csrf", rq->s.csrf,
	    "pages", pages);
}

static enum MHD_Result
web_json_answer(struct MHD_Connection *conn, int status, json_t *j)
{
	char *body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(j);
	if (body == NULL)
		return agg_web_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error");
	if (status < 100 || status > 599)
		status = 500;
	return agg_web_answer(conn, (unsigned int)status, "application/json",
	    body, strlen(body), true, NULL);
}

/* A file reply: its type, and for a download its name. */
static enum MHD_Result
web_file_answer(struct MHD_Connection *conn, struct agg_web_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char disp[160];

	resp = MHD_create_response_from_buffer(r->len, r->data,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(r->data);
		return MHD_NO;
	}
	r->data = NULL;
	agg_web_headers_add(resp);
	MHD_add_response_header(resp, "Content-Type", r->type[0] != '\0' ?
	    r->type : "application/octet-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	/* A name of the handler's, but checked: no quote, no line break. */
	if (r->filename[0] != '\0' && strspn(r->filename, "abcdefghijklmnop"
	    "qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	    strlen(r->filename)) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
		    r->filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	ret = MHD_queue_response(conn, r->status > 0 ? (unsigned int)r->status :
	    MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
agg_web_api(struct agg_web *w, struct MHD_Connection *conn,
    const char *method, const char *what, struct web_req *rq)
{
	struct agg_web_query q = { .count = 0 };
	struct agg_web_reply r = { .status = 200 };
	struct agg_web_call c;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t n = strspn(what, "abcdefghijklmnopqrstuvwxyz0123456789-");
	unsigned roles;

	if (n == 0 || n > WEB_WHAT_MAX || what[n] != '\0' ||
	    (roles = agg_web_roles_of(m, what)) == 0)
		return agg_web_error(conn, MHD_HTTP_NOT_FOUND, "not found");
	if (!rq->signed_in)
		return agg_web_error(conn, MHD_HTTP_UNAUTHORIZED,
		    "sign in first");
	if ((rq->s.user.roles & roles) == 0)
		return agg_web_error(conn, MHD_HTTP_FORBIDDEN,
		    "not for your roles");
	if (strcmp(m, "POST") == 0 && !agg_web_post_allowed(w, conn, rq, true))
		return agg_web_error(conn, MHD_HTTP_FORBIDDEN,
		    "no valid CSRF token, or another origin");
	if (strcmp(what, "session") == 0)
		return web_json_answer(conn, 200, web_session_json(rq));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, web_query_add, &q);
	if (q.count > (int)nitems(q.name))
		return agg_web_error(conn, MHD_HTTP_BAD_REQUEST,
		    "too many parameters");
	c = (struct agg_web_call){ .method = m, .what = what, .q = &q,
	    .body = strcmp(m, "POST") == 0 ? (rq->body != NULL ? rq->body : "")
	    : NULL, .body_len = rq->len, .who = &rq->s.user };
	if (w->src.api(w->src.arg, &c, &r) == -1) {
		json_decref(r.json);
		free(r.data);
		return agg_web_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error");
	}
	if (r.status == 0)
		r.status = 200;
	if (r.data != NULL) {
		json_decref(r.json);
		return web_file_answer(conn, &r);
	}
	if (r.json == NULL)
		r.json = json_object();
	return web_json_answer(conn, r.status, r.json);
}
