/*
 * What agg_web.c (the daemon, routing, the page's files), agg_web_api.c
 * (the API: roles, CSRF, bodies, replies), agg_web_sse.c (the live
 * stream), agg_web_auth.c (login and sessions) and agg_web_roles.c (who
 * may do what) share.  Nothing outside src/agg/agg_web*.c includes it.
 */
#ifndef QRGATE_AGG_WEB_PRIVATE_H
#define QRGATE_AGG_WEB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>
#include <sodium.h>

#include "agg_web.h"
#include "loop.h"

#define WEB_FILE_MAX (1024 * 1024)	/* a page file larger is refused */
#define WEB_BODY_MAX (4 * 1024 * 1024)	/* a POST's body larger: 413 */
#define WEB_SSE_CLIENTS 32		/* pages connected at once */
#define WEB_SSE_QUEUE (64 * 1024)	/* bytes queued for one page */
#define WEB_SSE_KEEPALIVE_MS 15000
#define WEB_CONN_LIMIT 128
#define WEB_CONN_TIMEOUT_S 60		/* an idle connection is closed */
/* libmicrohttpd's buffers for one connection: the live stream's writes
 * come out of these, so they bound how much one round sends a page. */
#define WEB_CONN_MEMORY (64 * 1024)
#define WEB_SSE_BLOCK (32 * 1024)
/* Password checks, each tens of milliseconds of the one loop: a short
 * burst, then one a second for everyone together; and an address whose
 * checks failed, one each ten seconds past its own (smaller) burst. */
#define WEB_LOGIN_BURST 10
#define WEB_LOGIN_RATE_MS 1000
#define WEB_LOGIN_PEERS 64		/* addresses remembered */
#define WEB_LOGIN_PEER_BURST 5
#define WEB_LOGIN_PEER_RATE_MS 10000
#define WEB_TOKEN_BYTES 32		/* the session cookie's and CSRF's */
#define WEB_COOKIE "qrgate_session"

/* One file of the console under web_root (agg_web_roles.c's table). */
struct web_page {
	const char *name;		/* under web_root, and "/" + name */
	const char *title;		/* in the navigation; NULL: none */
	unsigned roles;			/* 0: served without a session */
};

extern const struct web_page agg_web_pages[];
extern const size_t agg_web_n_pages;
extern const unsigned agg_web_live_roles;

/* A page file as loaded. */
struct web_file {
	const struct web_page *page;
	const char *type;
	char *data;
	size_t len;
	struct MHD_Response *resp;	/* kept, queued for every request */
};

/* One request: its body as it arrives, and who sent it. */
struct web_req {
	char *body;
	size_t len, cap;
	bool too_big;
	bool looked_up;			/* the session was looked for */
	bool signed_in;
	char sid[2 * crypto_generichash_BYTES + 1];
	struct agg_web_session s;
};

/* One page connected to /events/live. */
struct web_client {
	struct agg_web *w;
	struct MHD_Connection *conn;
	struct web_client *next;
	unsigned roles;			/* its user's */
	char *buf;			/* WEB_SSE_QUEUE bytes */
	size_t off;			/* sent up to here */
	size_t len;			/* queued up to here */
	bool suspended;			/* nothing to send: waits for more */
	bool dropped;			/* too slow: closed at the next chance */
};

struct web_bucket {
	double tokens;
	int64_t refill_ns;
};

struct web_peer {
	unsigned char addr[16];
	bool used;
	struct web_bucket b;
};

struct web_login {
	struct web_bucket all;
	struct web_peer peer[WEB_LOGIN_PEERS];
	int next;			/* the peer slot replaced next */
};

struct agg_web {
	struct loop *loop;
	struct MHD_Daemon *mhd;
	struct loop_fd fd;		/* libmicrohttpd's own epoll fd */
	struct loop_timer run;		/* libmicrohttpd's next timeout */
	struct loop_timer keepalive;
	struct agg_web_source src;
	struct agg_web_config cfg;
	bool tls;
	char *tls_cert, *tls_key;	/* PEM, for libmicrohttpd */
	int port;
	struct web_login login;
	struct web_file *file;		/* agg_web_n_pages of them */
	struct web_client *clients;
	int n_clients;
	bool stopping;
};

/* Has libmicrohttpd run as soon as the loop can (after a resume). */
void agg_web_kick(struct agg_web *w);

/* Adds the headers every response carries (CSP, nosniff...). */
void agg_web_headers_add(struct MHD_Response *r);

/*
 * Queues an answer on conn: body of len bytes (freed after when
 * must_free), of type, with Set-Cookie cookie when not NULL.
 */
enum MHD_Result agg_web_answer(struct MHD_Connection *conn,
    unsigned int status, const char *type, char *body, size_t len,
    bool must_free, const char *cookie);
/* A JSON answer {"error": msg}. */
enum MHD_Result agg_web_error(struct MHD_Connection *conn,
    unsigned int status, const char *msg);

/* GET or POST /api/<what> (agg_web_api.c). */
enum MHD_Result agg_web_api(struct agg_web *w, struct MHD_Connection *conn,
    const char *method, const char *what, struct web_req *rq);
/* Whether a POST comes from this server's pages: its Origin, when
 * present, is this server, and (csrf) its X-CSRF-Token the session's. */
bool agg_web_post_allowed(struct agg_web *w, struct MHD_Connection *conn,
    const struct web_req *rq, bool csrf);

/* Answers GET /events/live on conn: a stream that stays open. */
enum MHD_Result agg_web_sse_open(struct agg_web *w, struct MHD_Connection *conn,
    unsigned roles);
/* Closes every stream at once (agg_web_stop). */
void agg_web_sse_close_all(struct agg_web *w);
/* Every WEB_SSE_KEEPALIVE_MS, a comment line to every page. */
void agg_web_sse_keepalive(struct loop *l, struct loop_timer *t);

/* Sets up the login's rationing.  0, or -1 (libsodium). */
int agg_web_auth_init(struct agg_web *w);
/* Looks for rq's session (its cookie); sets rq->signed_in.  -1 on a
 * storage error. */
int agg_web_session_get(struct agg_web *w, struct MHD_Connection *conn,
    struct web_req *rq);
/* POST /login and POST /logout. */
enum MHD_Result agg_web_login(struct agg_web *w, struct MHD_Connection *conn,
    struct web_req *rq);
enum MHD_Result agg_web_logout(struct agg_web *w, struct MHD_Connection *conn,
    struct web_req *rq);

#endif
