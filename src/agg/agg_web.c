/*
 * The aggregator's HTTP server: libmicrohttpd in its epoll mode with no
 * thread of its own, its epoll fd in our loop and its timeout a loop
 * timer, over TLS when given a certificate.  It answers a fixed list of
 * URLs only: the page files of agg_web_roles.c's table, read once at
 * start (no path from a URL ever reaches the file system), each to the
 * roles the table names; the login; the JSON API (agg_web_api.c); and the
 * live stream.
 */
#include "agg_web_private.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "readfile.h"
#include "util.h"

const char *
agg_web_query_get(const struct agg_web_query *q, const char *name)
{
	for (int i = 0; i < q->count; i++)
		if (strcmp(q->name[i], name) == 0)
			return q->value[i];
	return NULL;
}

int
agg_web_port(const struct agg_web *w)
{
	return w->port;
}

void
agg_web_headers_add(struct MHD_Response *r)
{
	/* The page loads nothing from elsewhere and runs no inline script,
	 * so a script injected through a gate's data has nowhere to run. */
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	    "form-action 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static void
web_update_timer(struct agg_web *w)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(w->mhd, &ms) == MHD_YES)
		loop_timer_set(w->loop, &w->run, ms > 60000 ? 60000 : (int64_t)ms);
	else
		loop_timer_cancel(w->loop, &w->run);
}

static void
web_run(struct agg_web *w)
{
	if (MHD_run(w->mhd) != MHD_YES)
		log_warnx("web: libmicrohttpd could not run a round");
	web_update_timer(w);
}

static void
web_fd_cb(struct loop *l, struct loop_fd *f, uint32_t events)
{
	(void)l;
	(void)events;
	web_run(container_of(f, struct agg_web, fd));
}

static void
web_timer_cb(struct loop *l, struct loop_timer *t)
{
	(void)l;
	web_run(container_of(t, struct agg_web, run));
}

void
agg_web_kick(struct agg_web *w)
{
	loop_timer_set(w->loop, &w->run, 0);
}

/* Whether s ends with end. */
static bool
web_ends_with(const char *s, size_t n, const char *end)
{
	size_t e = strlen(end);

	return n >= e && strcmp(s + n - e, end) == 0;
}

/*
 * libmicrohttpd's messages, as warnings, except a send that failed
 * because the browser went away: that is how every live page ends (a tab
 * closed, a reload), so it is not worth a warning each time.  Its send
 * messages end with the error's text (0.9.75's str_conn_error_()); any
 * other error of a send is still a warning.
 */
static void
web_mhd_log(void *arg, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)arg;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (strncmp(fmt, "Failed to send ", 15) == 0 && (web_ends_with(buf, n,
	    "The socket is no longer available for sending") ||
	    web_ends_with(buf, n,
	    "The connection was forcibly closed by remote peer")))
		log_debug("web: a page went away: %s", buf);
	else
		log_warnx("web: %s", buf);
}

static int
web_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes %HH in the path and the query, except %00: libmicrohttpd's own
 * decoder would let "/%00" end the string and match "/".
 */
static size_t
web_unescape(void *arg, struct MHD_Connection *conn, char *s)
{
	char *in = s, *out = s;
	int hi, lo;

	(void)arg;
	(void)conn;
	while (*in != '\0') {
		if (in[0] == '%' && (hi = web_hex(in[1])) >= 0 &&
		    (lo = web_hex(in[2])) >= 0 && (hi | lo) != 0) {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else
			*out++ = *in++;
	}
	*out = '\0';
	return (size_t)(out - s);
}

enum MHD_Result
agg_web_answer(struct MHD_Connection *conn, unsigned int status,
    const char *type, char *body, size_t len, bool must_free,
    const char *cookie)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, must_free ?
	    MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	agg_web_headers_add(r);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD, POST");
	if (cookie != NULL)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
web_text(struct MHD_Connection *conn, unsigned int status, const char *body)
{
	return agg_web_answer(conn, status, "text/plain; charset=utf-8",
	    (char *)body, strlen(body), false, NULL);
}

enum MHD_Result
agg_web_error(struct MHD_Connection *conn, unsigned int status,
    const char *msg)
{
	json_t *j = json_pack("{s:s}", "error", msg);
	char *body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (body == NULL)
		return MHD_NO;
	return agg_web_answer(conn, status, "application/json", body,
	    strlen(body), true, NULL);
}

static enum MHD_Result
web_redirect(struct MHD_Connection *conn, const char *to)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	agg_web_headers_add(r);
	MHD_add_response_header(r, "Location", to);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, MHD_HTTP_SEE_OTHER, r);
	MHD_destroy_response(r);
	return ret;
}

/* The page file named name (without the '/'); NULL if none. */
static struct web_file *
web_file_find(struct agg_web *w, const char *name)
{
	for (size_t i = 0; i < agg_web_n_pages; i++)
		if (strcmp(w->file[i].page->name, name) == 0)
			return &w->file[i];
	return NULL;
}

/*
 * "/": the live page for whom may see it, else the first page of the
 * navigation this user may see, else a page that says there is none;
 * the login page without a session.
 */
static enum MHD_Result
web_home(struct agg_web *w, struct MHD_Connection *conn,
    const struct web_req *rq)
{
	struct web_file *f = web_file_find(w, "index.html");
	char to[96];

	if (!rq->signed_in)
		return web_redirect(conn, "/login.html");
	if (f != NULL && (rq->s.user.roles & f->page->roles) != 0)
		return MHD_queue_response(conn, MHD_HTTP_OK, f->resp);
	for (size_t i = 0; i < agg_web_n_pages; i++) {
		const struct web_page *p = &agg_web_pages[i];

		if (p->title != NULL && (rq->s.user.roles & p->roles) != 0) {
			snprintf(to, sizeof(to), "/%s", p->name);
			return web_redirect(conn, to);
		}
	}
	return web_redirect(conn, "/home.html");
}

/* A page file: to anyone (roles 0), or to a session with its roles. */
static enum MHD_Result
web_page_serve(struct MHD_Connection *conn, const struct web_req *rq,
    struct web_file *f)
{
	if (f->page->roles == 0)
		return MHD_queue_response(conn, MHD_HTTP_OK, f->resp);
	/* A page to the login page; a script or a style is no page. */
	if (!rq->signed_in)
		return web_ends_with(f->page->name, strlen(f->page->name),
		    ".html") ? web_redirect(conn, "/login.html") :
		    web_text(conn, MHD_HTTP_UNAUTHORIZED, "sign in first\n");
	if ((rq->s.user.roles & f->page->roles) == 0)
		return web_text(conn, MHD_HTTP_FORBIDDEN,
		    "not for your roles\n");
	return MHD_queue_response(conn, MHD_HTTP_OK, f->resp);
}

/* Keeps what of a POST's body has come, up to WEB_BODY_MAX. */
static void
web_body_add(struct web_req *rq, const char *data, size_t n)
{
	char *p;
	size_t cap;

	if (rq->too_big)
		return;
	if (rq->len + n > WEB_BODY_MAX) {
		rq->too_big = true;
		free(rq->body);
		rq->body = NULL;
		rq->len = rq->cap = 0;
		return;
	}
	if (rq->len + n + 1 > rq->cap) {
		cap = rq->cap > 0 ? rq->cap : 4096;
		while (cap < rq->len + n + 1)
			cap *= 2;
		if ((p = realloc(rq->body, cap)) == NULL) {
			rq->too_big = true;
			return;
		}
		rq->body = p;
		rq->cap = cap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	rq->body[rq->len] = '\0';
}

static void
web_completed(void *arg, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web_req *rq = *con_cls;

	(void)arg;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	/* A login's body holds a password. */
	if (rq->body != NULL)
		sodium_memzero(rq->body, rq->cap);
	free(rq->body);
	sodium_memzero(rq, sizeof(*rq));
	free(rq);
	*con_cls = NULL;
}

static enum MHD_Result
web_request(void *arg, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct agg_web *w = arg;
	struct web_req *rq = *con_cls;
	struct web_file *f;
	bool post = strcmp(method, "POST") == 0;

	(void)version;
	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return web_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n");
	/* The first call comes with the headers alone; an answer then would
	 * make libmicrohttpd close the connection after it, so the page's
	 * requests could not share one. */
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		web_body_add(rq, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->too_big)
		return agg_web_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "body too large");
	if (agg_web_session_get(w, conn, rq) == -1)
		return agg_web_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error");
	if (strncmp(url, "/api/", 5) == 0)
		return agg_web_api(w, conn, method, url + 5, rq);
	if (strcmp(url, "/login") == 0 && post)
		return agg_web_login(w, conn, rq);
	if (strcmp(url, "/logout") == 0 && post)
		return agg_web_logout(w, conn, rq);
	if (post)
		return web_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n");
	if (strcmp(url, "/") == 0)
		return web_home(w, conn, rq);
	/* index.html is "/" only. */
	if (url[0] == '/' && strcmp(url + 1, "index.html") != 0 &&
	    (f = web_file_find(w, url + 1)) != NULL)
		return web_page_serve(conn, rq, f);
	if (strcmp(url, "/events/live") == 0) {
		if (!rq->signed_in)
			return web_text(conn, MHD_HTTP_UNAUTHORIZED,
			    "sign in first\n");
		if ((rq->s.user.roles & agg_web_live_roles) == 0)
			return web_text(conn, MHD_HTTP_FORBIDDEN,
			    "not for your roles\n");
		if (strcmp(method, "HEAD") == 0)
			return agg_web_answer(conn, MHD_HTTP_OK,
			    "text/event-stream", (char *)"", 0, false, NULL);
		return agg_web_sse_open(w, conn, rq->s.user.roles);
	}
	return web_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* Reads path whole, at most max bytes: the page files, the certificate
 * and its key, read once. */
static int
web_read_file(const char *path, size_t max, char **data, size_t *len)
{
	if (read_file(path, max, data, len) == -1) {
		log_warn("web: %s (a regular file of at most %zu bytes)", path,
		    max);
		return -1;
	}
	return 0;
}

static const char *
web_type_of(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".png", "image/png" },
		{ ".svg", "image/svg+xml" },
	};

	for (size_t i = 0; i < nitems(types); i++)
		if (web_ends_with(name, strlen(name), types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* Reads web_root/name whole: the pages are small files, read once. */
static int
web_file_load(struct web_file *f, const char *root)
{
	char path[512];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root,
	    f->page->name) >= sizeof(path)) {
		log_warnx("web: web_root %s: name too long", root);
		return -1;
	}
	if (web_read_file(path, WEB_FILE_MAX, &f->data, &f->len) == -1)
		return -1;
	f->type = web_type_of(f->page->name);
	f->resp = MHD_create_response_from_buffer(f->len, f->data,
	    MHD_RESPMEM_PERSISTENT);
	if (f->resp == NULL) {
		log_warnx("web: %s: libmicrohttpd made no response of it",
		    path);
		return -1;
	}
	agg_web_headers_add(f->resp);
	MHD_add_response_header(f->resp, "Content-Type", f->type);
	MHD_add_response_header(f->resp, "Cache-Control", "no-cache");
	return 0;
}

/*
 * Beyond loopback, a password crosses the network: refused without a
 * user to sign in as (the old password_hash rule's equivalent), and
 * without HTTPS unless plain_http says a TLS proxy is in front.
 */
static int
web_wide_refused(struct agg_web *w, const char *bind_addr)
{
	int64_t users = 0;

	if (w->src.users_count == NULL ||
	    w->src.users_count(w->src.accounts_arg, &users) == -1)
		return -1;
	if (users == 0) {
		log_warnx("web: refusing to serve on %s without a user "
		    "(qrgate-aggregator user add, or bind to loopback)",
		    bind_addr);
		return -1;
	}
	if (!w->tls && !w->cfg.plain_http) {
		log_warnx("web: refusing to serve on %s without HTTPS (set "
		    "web.cert_file and web.key_file, or web.plain_http behind "
		    "a TLS proxy)", bind_addr);
		return -1;
	}
	return 0;
}

/* The certificate and its key, when set: both or neither. */
static int
web_tls_load(struct agg_web *w, const struct agg_web_config *cfg)
{
	size_t len;

	if (cfg->cert_file[0] == '\0' && cfg->key_file[0] == '\0')
		return 0;
	if (cfg->cert_file[0] == '\0' || cfg->key_file[0] == '\0') {
		log_warnx("web: HTTPS needs both web.cert_file and "
		    "web.key_file");
		return -1;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		log_warnx("web: this libmicrohttpd has no TLS: serve plain "
		    "HTTP on loopback behind a TLS proxy (docs/console.md)");
		return -1;
	}
	if (web_read_file(cfg->cert_file, WEB_FILE_MAX, &w->tls_cert,
	    &len) == -1 ||
	    web_read_file(cfg->key_file, WEB_FILE_MAX, &w->tls_key, &len) == -1)
		return -1;
	w->tls = true;
	return 0;
}

/* Parses bind into ss; sets *loopback.  Numeric addresses only: a name
 * could resolve to a different address tomorrow. */
static int
web_addr_parse(const char *bind, int port, struct sockaddr_storage *ss,
    socklen_t *len, bool *loopback)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, bind, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, bind, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		return 0;
	}
	log_warnx("web: bind %s: not a numeric IPv4 or IPv6 address", bind);
	return -1;
}

static int
web_listen(struct agg_web *w, const struct agg_web_config *cfg, int *port)
{
	const char *bind_addr = cfg->bind[0] != '\0' ? cfg->bind : "127.0.0.1";
	struct sockaddr_storage ss;
	socklen_t len;
	bool loopback;
	int fd, one = 1;

	if (cfg->port < 0 || cfg->port > 65535) {
		log_warnx("web: port %d out of range", cfg->port);
		return -1;
	}
	if (web_addr_parse(bind_addr, cfg->port, &ss, &len, &loopback) == -1)
		return -1;
	if (!loopback && web_wide_refused(w, bind_addr) == -1)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("web: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 64) == -1) {
		log_warn("web: %s port %d", bind_addr, cfg->port);
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		log_warn("web: getsockname");
		close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

struct agg_web *
agg_web_start(struct loop *l, const struct agg_web_config *cfg,
    const struct agg_web_source *src)
{
	const union MHD_DaemonInfo *info;
	struct agg_web *w;
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG;
	int lfd;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->file = calloc(agg_web_n_pages, sizeof(*w->file))) == NULL) {
		log_warn("web");
		free(w);
		return NULL;
	}
	w->loop = l;
	w->src = *src;
	w->cfg = *cfg;
	w->fd.fd = -1;
	w->fd.cb = web_fd_cb;
	w->run.cb = web_timer_cb;
	w->keepalive.cb = agg_web_sse_keepalive;
	for (size_t i = 0; i < agg_web_n_pages; i++)
		w->file[i].page = &agg_web_pages[i];
	if (agg_web_auth_init(w) == -1 || web_tls_load(w, cfg) == -1)
		goto fail;
	for (size_t i = 0; i < agg_web_n_pages; i++)
		if (web_file_load(&w->file[i], cfg->web_root) == -1)
			goto fail;
	if ((lfd = web_listen(w, cfg, &w->port)) == -1)
		goto fail;
	if (w->tls)
		flags |= MHD_USE_TLS;
	/* No thread: MHD_run() from our loop when its epoll fd is ready. */
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, web_request, w,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, lfd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
	    MHD_OPTION_UNESCAPE_CALLBACK, web_unescape, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, NULL,
	    w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, w->tls_cert,
	    MHD_OPTION_HTTPS_MEM_KEY, w->tls_key,
	    MHD_OPTION_END);
	if (w->mhd == NULL) {
		log_warnx("web: libmicrohttpd did not start%s", w->tls ?
		    " (is the certificate or key unreadable as PEM?)" : "");
		close(lfd);
		goto fail;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		log_warnx("web: libmicrohttpd has no epoll fd");
		goto fail;
	}
	w->fd.fd = info->epoll_fd;
	if (loop_fd_add(l, &w->fd, EPOLLIN) == -1)
		goto fail;
	loop_timer_set(l, &w->keepalive, WEB_SSE_KEEPALIVE_MS);
	web_update_timer(w);
	log_info("web: serving on %s port %d%s",
	    cfg->bind[0] != '\0' ? cfg->bind : "127.0.0.1", w->port,
	    w->tls ? ", HTTPS" : "");
	return w;
fail:
	agg_web_stop(w);
	return NULL;
}

void
agg_web_stop(struct agg_web *w)
{
	if (w == NULL)
		return;
	w->stopping = true;
	loop_timer_cancel(w->loop, &w->run);
	loop_timer_cancel(w->loop, &w->keepalive);
	if (w->fd.fd != -1)
		loop_fd_del(w->loop, &w->fd);
	if (w->mhd != NULL) {
		agg_web_sse_close_all(w);
		MHD_stop_daemon(w->mhd);
	}
	for (size_t i = 0; i < agg_web_n_pages; i++) {
		if (w->file[i].resp != NULL)
			MHD_destroy_response(w->file[i].resp);
		free(w->file[i].data);
	}
	free(w->file);
	free(w->tls_cert);
	if (w->tls_key != NULL) {
		sodium_memzero(w->tls_key, strlen(w->tls_key));
		free(w->tls_key);
	}
	sodium_memzero(&w->login, sizeof(w->login));
	free(w);
}
