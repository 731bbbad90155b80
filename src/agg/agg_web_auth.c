/*
 * HTTP basic authentication against a crypto_pwhash_str() hash.  A full
 * check costs tens of milliseconds of the one loop by design, so the
 * credentials that passed are remembered as a keyed digest (never in
 * clear) and the page's many requests after the first cost a hash each.
 * Full checks of unknown credentials are rationed, so that guessing
 * cannot hold the loop: past a short burst, one a second.
 */
#include "agg_web_private.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "log.h"

#define WEB_REALM "qrgate aggregator"

int
agg_web_auth_init(struct web_auth *a, const char *hash)
{
	memset(a, 0, sizeof(*a));
	if (hash[0] != '\0' && strncmp(hash, "$argon2id$", 10) != 0 &&
	    strncmp(hash, "$argon2i$", 9) != 0) {
		log_warnx("web: the password hash is not one crypto_pwhash_str() "
		    "makes (see --hash-password)");
		return -1;
	}
	if (sodium_init() == -1) {
		log_warnx("web: libsodium did not initialise");
		return -1;
	}
	if (strlen(hash) >= sizeof(a->hash)) {
		log_warnx("web: the password hash is too long");
		return -1;
	}
	strcpy(a->hash, hash);
	randombytes_buf(a->key, sizeof(a->key));
	a->tokens = WEB_AUTH_BURST;
	a->refill_ns = clock_mono_ns();
	return 0;
}

void
agg_web_auth_wipe(struct web_auth *a)
{
	sodium_memzero(a, sizeof(*a));
}

static void
auth_peer(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(buf, len, "?");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    buf, (socklen_t)len);
}

/* Whether one more full check is allowed now; takes it if so. */
static bool
auth_ration(struct web_auth *a)
{
	int64_t now = clock_mono_ns();

	a->tokens += (double)(now - a->refill_ns) / (WEB_AUTH_RATE_MS * 1e6);
	if (a->tokens > WEB_AUTH_BURST)
		a->tokens = WEB_AUTH_BURST;
	a->refill_ns = now;
	if (a->tokens < 1)
		return false;
	a->tokens -= 1;
	return true;
}

/* Checks user and pass: from the cache, else in full. */
static bool
auth_verify(struct web_auth *a, struct MHD_Connection *conn,
    const char *user, const char *pass)
{
	unsigned char d[crypto_generichash_BYTES];
	crypto_generichash_state st;
	char peer[INET6_ADDRSTRLEN];
	bool hit = false;

	crypto_generichash_init(&st, a->key, sizeof(a->key), sizeof(d));
	crypto_generichash_update(&st, (const unsigned char *)user,
	    strlen(user) + 1);
	crypto_generichash_update(&st, (const unsigned char *)pass, strlen(pass));
	crypto_generichash_final(&st, d, sizeof(d));
	/* Every slot is compared, each in constant time. */
	for (int i = 0; i < WEB_AUTH_CACHE; i++)
		if (a->used[i] && sodium_memcmp(a->seen[i], d, sizeof(d)) == 0)
			hit = true;
	if (hit)
		return true;
	auth_peer(conn, peer, sizeof(peer));
	if (!auth_ration(a)) {
		log_info("web: too many password attempts; refused %s unchecked",
		    peer);
		return false;
	}
	if (crypto_pwhash_str_verify(a->hash, pass, strlen(pass)) != 0) {
		log_info("web: wrong password from %s", peer);
		return false;
	}
	memcpy(a->seen[a->next], d, sizeof(d));
	a->used[a->next] = true;
	a->next = (a->next + 1) % WEB_AUTH_CACHE;
	return true;
}

bool
agg_web_auth_check(struct web_auth *a, struct MHD_Connection *conn,
    enum MHD_Result *ret)
{
	static const char body[] = "authentication required\n";
	struct MHD_Response *r;
	char *user, *pass = NULL;
	bool ok = false;

	if (a->hash[0] == '\0')
		return true;
	user = MHD_basic_auth_get_username_password(conn, &pass);
	if (user != NULL && pass != NULL)
		ok = auth_verify(a, conn, user, pass);
	if (pass != NULL) {
		sodium_memzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user != NULL)
		MHD_free(user);
	if (ok)
		return true;
	*ret = MHD_NO;
	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return false;
	agg_web_headers_add(r);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	*ret = MHD_queue_basic_auth_fail_response(conn, WEB_REALM, r);
	MHD_destroy_response(r);
	return false;
}
