/*
 * Signing in and sessions.  A password is checked against the user's
 * crypto_pwhash_str() hash, which costs tens of milliseconds of the one
 * loop by design, so the checks are rationed: past a short burst, one a
 * second for everyone together (the loop's share), and, for an address
 * whose checks failed, one each ten seconds past its own burst (the
 * guessing).  A name that is no user costs a check too, against a fixed
 * hash, so that the answer's time does not tell which names exist.
 *
 * A session is a random token in an HttpOnly, SameSite=Strict cookie;
 * the database keeps only its digest, so a copy of the database opens no
 * session, and a cookie of another aggregator finds nothing in this
 * one's.  It ends when unused for session_idle_min, and session_hours
 * after it began, whatever its use.
 */
#include "agg_web_private.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "log.h"

/* crypto_pwhash_str() of a random password nobody kept. */
static const char web_nobody_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$+c8RQLHHKBBOHBBJKlo6Gg$"
    "C05FpCtCF5r3oZ2VGK5MX6OM/2eyXqcx5vayJQsFgS0";

/* A session is marked used at most this often: a write per request
 * would be a write per live page's call. */
#define WEB_SEEN_EVERY_MS 60000

int
agg_web_auth_init(struct agg_web *w)
{
	if (sodium_init() == -1) {
		log_warnx("web: libsodium did not initialise");
		return -1;
	}
	memset(&w->login, 0, sizeof(w->login));
	w->login.all.tokens = WEB_LOGIN_BURST;
	w->login.all.refill_ns = clock_mono_ns();
	return 0;
}

static void
auth_hex(const unsigned char *b, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, b, n);
}

/* The digest the database keeps of a session's token. */
static void
auth_sid(const char *token, char *sid)
{
	unsigned char d[crypto_generichash_BYTES];

	crypto_generichash(d, sizeof(d), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	auth_hex(d, sizeof(d), sid);
}

/* The session token of conn's cookie, when it has one of our shape. */
static const char *
auth_cookie(struct MHD_Connection *conn)
{
	const char *t = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
	    WEB_COOKIE);

	if (t == NULL || strlen(t) != 2 * WEB_TOKEN_BYTES ||
	    strspn(t, "0123456789abcdef") != 2 * WEB_TOKEN_BYTES)
		return NULL;
	return t;
}

int
agg_web_session_get(struct agg_web *w, struct MHD_Connection *conn,
    struct web_req *rq)
{
	const char *token;
	int64_t now = clock_utc_ms();
	int rc;

	if (rq->looked_up)
		return 0;
	rq->looked_up = true;
	rq->signed_in = false;
	if ((token = auth_cookie(conn)) == NULL)
		return 0;
	auth_sid(token, rq->sid);
	if ((rc = w->src.session_find(w->src.accounts_arg, rq->sid, &rq->s)) != 1)
		return rc;
	if (now - rq->s.created_ms >= (int64_t)w->cfg.session_hours * 3600000 ||
	    now - rq->s.seen_ms >= (int64_t)w->cfg.session_idle_min * 60000)
		return w->src.session_del(w->src.accounts_arg, rq->sid) == -1 ? -1 : 0;
	if (now - rq->s.seen_ms >= WEB_SEEN_EVERY_MS &&
	    w->src.session_seen(w->src.accounts_arg, rq->sid, now) == -1)
		return -1;
	rq->signed_in = true;
	return 0;
}

static void
auth_peer(struct MHD_Connection *conn, unsigned char addr[16], char *buf,
    size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	memset(addr, 0, 16);
	snprintf(buf, len, "?");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		memcpy(addr, &in->sin_addr, 4);
		inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t)len);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		memcpy(addr, &in6->sin6_addr, 16);
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)len);
	}
}

/* Refills b at one token per rate_ms up to burst; whether one is left. */
static bool
auth_bucket(struct web_bucket *b, int burst, int rate_ms, int64_t now)
{
	b->tokens += (double)(now - b->refill_ns) / (rate_ms * 1e6);
	if (b->tokens > burst)
		b->tokens = burst;
	b->refill_ns = now;
	return b->tokens >= 1;
}

/* The bucket of an address, a new full one when not remembered. */
static struct web_bucket *
auth_peer_bucket(struct web_login *l, const unsigned char addr[16],
    int64_t now)
{
	struct web_peer *p;

	for (int i = 0; i < WEB_LOGIN_PEERS; i++)
		if (l->peer[i].used && memcmp(l->peer[i].addr, addr, 16) == 0)
			return &l->peer[i].b;
	p = &l->peer[l->next];
	l->next = (l->next + 1) % WEB_LOGIN_PEERS;
	memcpy(p->addr, addr, 16);
	p->used = true;
	p->b.tokens = WEB_LOGIN_PEER_BURST;
	p->b.refill_ns = now;
	return &p->b;
}

/* {"name", "password"} of a login's body; false if not that. */
static bool
auth_body(const struct web_req *rq, char *name, size_t nlen, char *pass,
    size_t plen)
{
	json_t *j = rq->body != NULL ? json_loadb(rq->body, rq->len, 0,
	    NULL) : NULL;
	const char *n = json_string_value(json_object_get(j, "name"));
	const char *p = json_string_value(json_object_get(j, "password"));
	bool ok = n != NULL && p != NULL && n[0] != '\0' && strlen(n) < nlen &&
	    strlen(p) < plen;

	if (ok) {
		strcpy(name, n);
		strcpy(pass, p);
	}
	if (p != NULL)
		sodium_memzero((char *)p, strlen(p));
	json_decref(j);
	return ok;
}

static enum MHD_Result
auth_new_session(struct agg_web *w, struct MHD_Connection *conn,
    const struct agg_web_user *u)
{
	unsigned char tb[WEB_TOKEN_BYTES], cb[WEB_TOKEN_BYTES];
	char token[2 * WEB_TOKEN_BYTES + 1], csrf[2 * WEB_TOKEN_BYTES + 1];
	char sid[2 * crypto_generichash_BYTES + 1], cookie[256];
	int64_t now = clock_utc_ms();
	json_t *j;
	char *body;

	randombytes_buf(tb, sizeof(tb));
	randombytes_buf(cb, sizeof(cb));
	auth_hex(tb, sizeof(tb), token);
	auth_hex(cb, sizeof(cb), csrf);
	auth_sid(token, sid);
	if (w->src.session_purge(w->src.accounts_arg,
	    now - (int64_t)w->cfg.session_hours * 3600000,
	    now - (int64_t)w->cfg.session_idle_min * 60000) == -1 ||
	    w->src.session_add(w->src.accounts_arg, sid, u->id, csrf, now) == -1)
		return agg_web_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error");
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=%d%s", WEB_COOKIE, token,
	    w->cfg.session_hours * 3600, w->tls ? "; Secure" : "");
	sodium_memzero(token, sizeof(token));
	j = json_pack("{s:s, s:o, s:s}", "user", u->name, "roles",
	    agg_web_roles_json(u->roles), "csrf", csrf);
	body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (body == NULL)
		return MHD_NO;
	return agg_web_answer(conn, MHD_HTTP_OK, "application/json", body,
	    strlen(body), true, cookie);
}

enum MHD_Result
agg_web_login(struct agg_web *w, struct MHD_Connection *conn,
    struct web_req *rq)
{
	char name[64], pass[256], peer[INET6_ADDRSTRLEN];
	char hash[crypto_pwhash_STRBYTES];
	unsigned char addr[16];
	struct agg_web_user u;
	struct web_bucket *pb;
	int64_t now = clock_mono_ns();
	enum MHD_Result ret;
	int found;
	bool ok;

	if (!agg_web_post_allowed(w, conn, rq, false))
		return agg_web_error(conn, MHD_HTTP_FORBIDDEN,
		    "another origin");
	if (!auth_body(rq, name, sizeof(name), pass, sizeof(pass)))
		return agg_web_error(conn, MHD_HTTP_BAD_REQUEST,
		    "send {\"name\", \"password\"}");
	auth_peer(conn, addr, peer, sizeof(peer));
	pb = auth_peer_bucket(&w->login, addr, now);
	if (!auth_bucket(pb, WEB_LOGIN_PEER_BURST, WEB_LOGIN_PEER_RATE_MS,
	    now) || !auth_bucket(&w->login.all, WEB_LOGIN_BURST,
	    w->cfg.login_rate_ms > 0 ? w->cfg.login_rate_ms : WEB_LOGIN_RATE_MS,
	    now)) {
		sodium_memzero(pass, sizeof(pass));
		log_info("web: too many sign-ins; refused %s unchecked", peer);
		return agg_web_error(conn, MHD_HTTP_TOO_MANY_REQUESTS,
		    "too many attempts: wait a few seconds");
	}
	w->login.all.tokens -= 1;
	found = w->src.user_find(w->src.accounts_arg, name, &u, hash, sizeof(hash));
	if (found == -1) {
		sodium_memzero(pass, sizeof(pass));
		return agg_web_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error");
	}
	ok = crypto_pwhash_str_verify(found == 1 ? hash : web_nobody_hash,
	    pass, strlen(pass)) == 0 && found == 1;
	sodium_memzero(pass, sizeof(pass));
	if (!ok) {
		/* Only failures use up an address's own allowance. */
		pb->tokens -= 1;
		log_info("web: wrong name or password from %s", peer);
		return agg_web_error(conn, MHD_HTTP_UNAUTHORIZED,
		    "wrong name or password");
	}
	ret = auth_new_session(w, conn, &u);
	log_info("web: %s signed in from %s", u.name, peer);
	return ret;
}

enum MHD_Result
agg_web_logout(struct agg_web *w, struct MHD_Connection *conn,
    struct web_req *rq)
{
	char cookie[128];

	if (!agg_web_post_allowed(w, conn, rq, true))
		return agg_web_error(conn, MHD_HTTP_FORBIDDEN,
		    "no valid CSRF token, or another origin");
	if (w->src.session_del(w->src.accounts_arg, rq->sid) == -1)
		return agg_web_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error");
	snprintf(cookie, sizeof(cookie), "%s=; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=0%s", WEB_COOKIE, w->tls ? "; Secure" :
	    "");
	return agg_web_answer(conn, MHD_HTTP_OK, "application/json",
	    (char *)"{}", 2, false, cookie);
}
