/*
 * What agg_web.c (the daemon, routing, the page's files), agg_web_sse.c
 * (the live stream) and agg_web_auth.c (basic authentication) share.
 * Nothing outside src/agg/agg_web*.c includes it.
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

#define WEB_FILES 3
#define WEB_FILE_MAX (1024 * 1024)	/* a page file larger is refused */
#define WEB_SSE_CLIENTS 32		/* pages connected at once */
#define WEB_SSE_QUEUE (64 * 1024)	/* bytes queued for one page */
#define WEB_SSE_KEEPALIVE_MS 15000
#define WEB_CONN_LIMIT 128
#define WEB_CONN_TIMEOUT_S 60		/* an idle connection is closed */
/* libmicrohttpd's buffers for one connection: the live stream's writes
 * come out of these, so they bound how much one round sends a page. */
#define WEB_CONN_MEMORY (64 * 1024)
#define WEB_SSE_BLOCK (32 * 1024)
#define WEB_AUTH_CACHE 8		/* credentials that passed, by digest */
#define WEB_AUTH_BURST 5		/* full checks of new credentials... */
#define WEB_AUTH_RATE_MS 1000		/* ...then one per this, at most */

struct web_file {
	const char *name;		/* under web_root, and "/" + name */
	const char *type;
	char *data;
	size_t len;
	struct MHD_Response *resp;	/* kept, queued for every request */
};

/* One page connected to /events/live. */
struct web_client {
	struct agg_web *w;
	struct MHD_Connection *conn;
	struct web_client *next;
	char *buf;			/* WEB_SSE_QUEUE bytes */
	size_t off;			/* sent up to here */
	size_t len;			/* queued up to here */
	bool suspended;			/* nothing to send: waits for more */
	bool dropped;			/* too slow: closed at the next chance */
};

struct web_auth {
	char hash[192];			/* crypto_pwhash_str(); "": none */
	unsigned char key[crypto_generichash_KEYBYTES];
	unsigned char seen[WEB_AUTH_CACHE][crypto_generichash_BYTES];
	bool used[WEB_AUTH_CACHE];
	int next;			/* the cache slot replaced next */
	double tokens;			/* full checks allowed now */
	int64_t refill_ns;
};

struct agg_web {
	struct loop *loop;
	struct MHD_Daemon *mhd;
	struct loop_fd fd;		/* libmicrohttpd's own epoll fd */
	struct loop_timer run;		/* libmicrohttpd's next timeout */
	struct loop_timer keepalive;
	struct agg_web_source src;
	int port;
	struct web_auth auth;
	struct web_file file[WEB_FILES];
	struct web_client *clients;
	int n_clients;
	bool stopping;
};

/* Has libmicrohttpd run as soon as the loop can (after a resume). */
void agg_web_kick(struct agg_web *w);

/* Adds the headers every response carries (CSP, nosniff...). */
void agg_web_headers_add(struct MHD_Response *r);

/* Answers GET /events/live on conn: a stream that stays open. */
enum MHD_Result agg_web_sse_open(struct agg_web *w, struct MHD_Connection *conn);
/* Closes every stream at once (agg_web_stop). */
void agg_web_sse_close_all(struct agg_web *w);
/* Every WEB_SSE_KEEPALIVE_MS, a comment line to every page. */
void agg_web_sse_keepalive(struct loop *l, struct loop_timer *t);

/* Sets up w->auth with hash ("": none).  Returns 0, or -1 if the hash
 * is not one crypto_pwhash_str() makes. */
int agg_web_auth_init(struct web_auth *a, const char *hash);
/* Whether conn may be answered; when not, a 401 was queued on it or the
 * call failed, and *ret is what to return to libmicrohttpd. */
bool agg_web_auth_check(struct web_auth *a, struct MHD_Connection *conn,
    enum MHD_Result *ret);
void agg_web_auth_wipe(struct web_auth *a);

#endif
