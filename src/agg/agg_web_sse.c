/*
 * The live stream, /events/live, as server-sent events.  Each page has a
 * queue of fixed size; libmicrohttpd takes from it as the page's socket
 * accepts, and the connection is suspended while the queue is empty, so
 * an idle page costs nothing.  A page that does not keep up (its queue
 * full) is dropped rather than let memory grow: its EventSource reconnects
 * and the page reloads the state it missed.
 */
#include "agg_web_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static void
sse_resume(struct web_client *c)
{
	if (c->suspended) {
		c->suspended = false;
		MHD_resume_connection(c->conn);
	}
}

static void
sse_drop(struct web_client *c)
{
	c->dropped = true;
	log_info("web: dropped a live page that fell %d bytes behind",
	    WEB_SSE_QUEUE);
	/* Its socket may be full, so the reader may never run again: a short
	 * timeout closes it then. */
	MHD_set_connection_option(c->conn, MHD_CONNECTION_OPTION_TIMEOUT, 1u);
	sse_resume(c);
}

static void
sse_queue(struct web_client *c, const char *msg, size_t n)
{
	if (c->dropped)
		return;
	if (c->len + n > WEB_SSE_QUEUE && c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len + n > WEB_SSE_QUEUE) {
		sse_drop(c);
		return;
	}
	memcpy(c->buf + c->len, msg, n);
	c->len += n;
	sse_resume(c);
}

static ssize_t
sse_read(void *arg, uint64_t pos, char *buf, size_t max)
{
	struct web_client *c = arg;
	size_t n;

	(void)pos;
	if (c->dropped || c->w->stopping)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (c->off == c->len) {
		/* Nothing to send: wait, off libmicrohttpd's books, for
		 * sse_queue() to resume it. */
		c->off = c->len = 0;
		c->suspended = true;
		MHD_suspend_connection(c->conn);
		return 0;
	}
	n = c->len - c->off;
	if (n > max)
		n = max;
	memcpy(buf, c->buf + c->off, n);
	c->off += n;
	return (ssize_t)n;
}

/* The response is gone with its connection: forget the page. */
static void
sse_free(void *arg)
{
	struct web_client *c = arg;
	struct web_client **pp;

	for (pp = &c->w->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			c->w->n_clients--;
			break;
		}
	}
	free(c->buf);
	free(c);
}

enum MHD_Result
agg_web_sse_open(struct agg_web *w, struct MHD_Connection *conn,
    unsigned roles)
{
	static const char hello[] = "retry: 3000\n: qrgate live\n\n";
	struct MHD_Response *r;
	struct web_client *c;
	enum MHD_Result ret;

	if (w->n_clients >= WEB_SSE_CLIENTS) {
		log_warnx("web: %d live pages already; refusing one more",
		    w->n_clients);
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			return MHD_NO;
		agg_web_headers_add(r);
		ret = MHD_queue_response(conn, MHD_HTTP_SERVICE_UNAVAILABLE, r);
		MHD_destroy_response(r);
		return ret;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->buf = malloc(WEB_SSE_QUEUE)) == NULL) {
		log_warn("web: live page");
		free(c);
		return MHD_NO;
	}
	c->w = w;
	c->conn = conn;
	c->roles = roles;
	memcpy(c->buf, hello, sizeof(hello) - 1);
	c->len = sizeof(hello) - 1;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WEB_SSE_BLOCK,
	    sse_read, c, sse_free);
	if (r == NULL) {
		log_warnx("web: live page: libmicrohttpd made no response");
		free(c->buf);
		free(c);
		return MHD_NO;
	}
	c->next = w->clients;
	w->clients = c;
	w->n_clients++;
	agg_web_headers_add(r);
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* One message of type with data; NULL when it cannot be made (logged). */
static char *
sse_message(const char *type, const json_t *data, int *n)
{
	char *json, *msg;

	/* Compact JSON has no line break, so it is one "data:" line. */
	if ((json = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		log_warnx("web: could not encode a %s event", type);
		return NULL;
	}
	*n = asprintf(&msg, "event: %s\ndata: %s\n\n", type, json);
	free(json);
	if (*n == -1) {
		log_warn("web: %s event", type);
		return NULL;
	}
	if ((size_t)*n > WEB_SSE_QUEUE / 4) {
		log_warnx("web: a %s event of %d bytes is too large to send",
		    type, *n);
		free(msg);
		return NULL;
	}
	return msg;
}

void
agg_web_publish(struct agg_web *w, const char *type, const json_t *data)
{
	size_t tlen = strlen(type);
	char *msg, *masked = NULL;
	json_t *copy;
	int n, mn = 0;

	if (w == NULL || w->clients == NULL)
		return;
	/* The type goes on the "event:" line as is. */
	if (tlen == 0 || tlen > 32 ||
	    strspn(type, "abcdefghijklmnopqrstuvwxyz") != tlen) {
		log_warnx("web: not publishing an event of type \"%.32s\"", type);
		return;
	}
	if ((msg = sse_message(type, data, &n)) == NULL)
		return;
	/* A page whose user may not see names gets the event without. */
	if (json_object_get(data, "name") != NULL &&
	    (copy = json_copy((json_t *)data)) != NULL) {
		json_object_del(copy, "name");
		masked = sse_message(type, copy, &mn);
		json_decref(copy);
	}
	for (struct web_client *c = w->clients; c != NULL; c = c->next) {
		if ((c->roles & AGG_ROLES_NAMES) != 0 ||
		    json_object_get(data, "name") == NULL)
			sse_queue(c, msg, (size_t)n);
		else if (masked != NULL)
			sse_queue(c, masked, (size_t)mn);
	}
	free(msg);
	free(masked);
	agg_web_kick(w);
}

void
agg_web_sse_keepalive(struct loop *l, struct loop_timer *t)
{
	static const char beat[] = ": keep-alive\n\n";
	struct agg_web *w = container_of(t, struct agg_web, keepalive);

	/* A comment line keeps proxies from closing an idle stream, and
	 * shows a page that is gone (its write fails). */
	for (struct web_client *c = w->clients; c != NULL; c = c->next)
		sse_queue(c, beat, sizeof(beat) - 1);
	loop_timer_set(l, t, WEB_SSE_KEEPALIVE_MS);
	if (w->clients != NULL)
		agg_web_kick(w);
}

void
agg_web_sse_close_all(struct agg_web *w)
{
	for (struct web_client *c = w->clients; c != NULL; c = c->next) {
		c->dropped = true;
		sse_resume(c);
	}
}
