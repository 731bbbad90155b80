/*
 * The aggregator's HTTP server: libmicrohttpd in its epoll mode with no
 * thread of its own, its epoll fd in our loop and its timeout a loop
 * timer.  It answers a fixed list of URLs only: the three page files read
 * once at start (no path from a URL ever reaches the file system), the
 * JSON API through the aggregator's source, and the live stream.
 */
#include "agg_web_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static const struct web_file web_files[WEB_FILES] = {
	{ "index.html", "text/html; charset=utf-8", NULL, 0, NULL },
	{ "app.js", "text/javascript; charset=utf-8", NULL, 0, NULL },
	{ "style.css", "text/css; charset=utf-8", NULL, 0, NULL },
};

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

static enum MHD_Result
web_reply(struct MHD_Connection *conn, unsigned int status,
    const char *type, const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	agg_web_headers_add(r);
	MHD_add_response_header(r, "Content-Type", type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

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

static enum MHD_Result
web_api(struct agg_web *w, struct MHD_Connection *conn, const char *what)
{
	struct agg_web_query q = { .count = 0 };
	struct MHD_Response *r;
	enum MHD_Result ret;
	int status = 200;
	json_t *j;
	char *body;
	size_t n = strspn(what, "abcdefghijklmnopqrstuvwxyz");

	if (n == 0 || n > 32 || what[n] != '\0' || w->src.api == NULL)
		return web_reply(conn, MHD_HTTP_NOT_FOUND, "application/json",
		    "{\"error\":\"not found\"}");
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, web_query_add, &q);
	if (q.count > (int)nitems(q.name))
		return web_reply(conn, MHD_HTTP_BAD_REQUEST, "application/json",
		    "{\"error\":\"too many parameters\"}");
	if ((j = w->src.api(w->src.arg, what, &q, &status)) == NULL)
		return web_reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "application/json", "{\"error\":\"internal error\"}");
	body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (body == NULL)
		return web_reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "application/json", "{\"error\":\"internal error\"}");
	r = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	agg_web_headers_add(r);
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status < 100 || status > 599)
		status = 500;
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
web_request(void *arg, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct agg_web *w = arg;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return web_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "text/plain; charset=utf-8", "method not allowed\n");
	/* The first call comes with the headers alone; an answer then would
	 * make libmicrohttpd close the connection after it, so the page's
	 * requests could not share one. */
	if (*con_cls == NULL) {
		*con_cls = w;
		return MHD_YES;
	}
	if (!agg_web_auth_check(&w->auth, conn, &ret))
		return ret;
	if (strcmp(url, "/") == 0)
		return MHD_queue_response(conn, MHD_HTTP_OK, w->file[0].resp);
	for (int i = 1; i < WEB_FILES; i++)
		if (url[0] == '/' && strcmp(url + 1, w->file[i].name) == 0)
			return MHD_queue_response(conn, MHD_HTTP_OK,
			    w->file[i].resp);
	if (strncmp(url, "/api/", 5) == 0)
		return web_api(w, conn, url + 5);
	if (strcmp(url, "/events/live") == 0) {
		if (strcmp(method, "HEAD") == 0)
			return web_reply(conn, MHD_HTTP_OK,
			    "text/event-stream", "");
		return agg_web_sse_open(w, conn);
	}
	return web_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
	    "not found\n");
}

/* Reads web_root/name whole: the page is three small files, read once. */
static int
web_file_load(struct web_file *f, const char *root)
{
	char path[512];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, f->name) >=
	    sizeof(path)) {
		log_warnx("web: web_root %s: name too long", root);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("web: %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > WEB_FILE_MAX) {
		log_warnx("web: %s: not a regular file of at most %d bytes",
		    path, WEB_FILE_MAX);
		close(fd);
		return -1;
	}
	if ((f->data = malloc((size_t)st.st_size + 1)) == NULL) {
		log_warn("web: %s", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, f->data + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("web: reading %s", path);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	f->len = got;
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
web_listen(const struct agg_web_config *cfg, int *port)
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
	if (!loopback && cfg->password_hash[0] == '\0') {
		log_warnx("web: refusing to serve on %s without a password "
		    "(set a password hash, or bind to loopback)", bind_addr);
		return -1;
	}
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
	int lfd;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warn("web");
		return NULL;
	}
	w->loop = l;
	w->src = *src;
	w->fd.fd = -1;
	w->fd.cb = web_fd_cb;
	w->run.cb = web_timer_cb;
	w->keepalive.cb = agg_web_sse_keepalive;
	memcpy(w->file, web_files, sizeof(w->file));
	if (agg_web_auth_init(&w->auth, cfg->password_hash) == -1)
		goto fail;
	for (int i = 0; i < WEB_FILES; i++)
		if (web_file_load(&w->file[i], cfg->web_root) == -1)
			goto fail;
	if ((lfd = web_listen(cfg, &w->port)) == -1)
		goto fail;
	/* No thread: MHD_run() from our loop when its epoll fd is ready. */
	w->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, web_request, w,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, lfd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
	    MHD_OPTION_UNESCAPE_CALLBACK, web_unescape, NULL,
	    MHD_OPTION_END);
	if (w->mhd == NULL) {
		log_warnx("web: libmicrohttpd did not start");
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
	    cfg->password_hash[0] != '\0' ? ", with a password" : "");
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
	for (int i = 0; i < WEB_FILES; i++) {
		if (w->file[i].resp != NULL)
			MHD_destroy_response(w->file[i].resp);
		free(w->file[i].data);
	}
	agg_web_auth_wipe(&w->auth);
	free(w);
}
