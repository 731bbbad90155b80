/*
 * The aggregator's HTTP side (libmicrohttpd, driven from the one event
 * loop): the site console, several small pages from web_root sharing
 * common.js, server-sent events at /events/live, and the JSON API the
 * pages and scripts use.  Everything but the login page needs a session:
 * a user of the aggregator's database signs in with a password (kept as
 * a libsodium crypto_pwhash_str() hash), gets a random session cookie
 * and a CSRF token, and may then call what the roles table
 * (agg_web_roles.c) gives its roles.  Bound beyond loopback it refuses to
 * start without a user, and without HTTPS unless told plain HTTP is
 * wanted (a TLS proxy in front).
 *
 * The web side knows nothing of storage: what it serves, and the users
 * and sessions, come from the aggregator through struct agg_web_source.
 *
 * Errors, in every agg_web*.c file: a function returns -1 (NULL for a
 * pointer) and has logged why, once, with "web: "; its callers only act
 * (agg_web_start() gives up, and the aggregator stops).  A request is
 * different: its trouble is its answer (a status, or MHD_NO, on which
 * libmicrohttpd drops the connection), logged only when it is the
 * aggregator's (a live page refused or out of memory), never per
 * refused request; a wrong password is logged as such by the login.
 * agg_web_publish() has no answer: what it cannot send it logs and drops.
 */
#ifndef QRGATE_AGG_WEB_H
#define QRGATE_AGG_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct loop;
struct agg_web;

/*
 * Roles: a user holds any set.  Which role may call what is one table,
 * agg_web_roles.c.
 */
#define AGG_ROLE_GUARD		0x01	/* live page, muster, visitor desk */
#define AGG_ROLE_HR		0x02	/* people, badges */
#define AGG_ROLE_SECURITY	0x04	/* alarms, events, gates */
#define AGG_ROLE_IT		0x08	/* gates, config and credential pushes */
#define AGG_ROLE_TRACER		0x10	/* full subjects, traces */
#define AGG_ROLE_ADMIN		0x20	/* users */
#define AGG_ROLES_ALL		0x3f
/* Who is shown people's names; IT sees masked subjects and no names. */
#define AGG_ROLES_NAMES	(AGG_ROLE_GUARD | AGG_ROLE_HR | AGG_ROLE_SECURITY | \
	AGG_ROLE_TRACER)

struct agg_web_user {
	int64_t id;
	char name[64];
	unsigned roles;
};

struct agg_web_config {
	char bind[64];		/* address; default "127.0.0.1" */
	int port;		/* 0: an ephemeral port (tests) */
	char web_root[256];	/* directory of the pages */
	char cert_file[256];	/* PEM; with key_file: HTTPS */
	char key_file[256];
	bool plain_http;	/* beyond loopback without HTTPS: a proxy's */
	int session_idle_min;	/* a session unused this long ends */
	int session_hours;	/* and any session after this long */
	int login_rate_ms;	/* tests: one password check for everyone
				 * per this past the burst; 0: 1000 */
};

/* One query string, as name/value pairs (decoded). */
struct agg_web_query {
	int count;
	const char *name[16];
	const char *value[16];
};

/* Looks up name in q; NULL when absent. */
const char *agg_web_query_get(const struct agg_web_query *q, const char *name);

/* One API call, as the roles table let it through. */
struct agg_web_call {
	const char *method;		/* "GET" or "POST" */
	const char *what;		/* the path after /api/: [a-z0-9-]+ */
	const struct agg_web_query *q;
	const char *body;		/* a POST's raw body (NUL-terminated
					 * too), JSON or CSV; NULL on GET */
	size_t body_len;
	const struct agg_web_user *who;
};

/*
 * Its answer: json (a new reference, taken by the web side), or a file in
 * data (malloc'd, freed by the web side) of type, named filename for a
 * download (Content-Disposition: attachment).  audit, when not empty, is
 * written to the audit table as what who did (see agg_api.c).
 */
struct agg_web_reply {
	int status;			/* 200 when left 0 */
	json_t *json;
	char *data;
	size_t len;
	char type[96];			/* the XLSX type is 65 characters */
	char filename[96];
	char audit[256];
};

/* A session as stored: its user as the users table has it now. */
struct agg_web_session {
	struct agg_web_user user;
	char csrf[65];			/* hex */
	int64_t created_ms;
	int64_t seen_ms;
};

struct agg_web_source {
	/*
	 * The API: one call, the caller's roles already checked.  Fills r
	 * (status 400 with {"error": ...} for bad input, 404 for nothing
	 * there) and returns 0; -1 means 500.
	 */
	int (*api)(void *arg, const struct agg_web_call *c,
	    struct agg_web_reply *r);
	/*
	 * The accounts, called with accounts_arg.  Each returns -1 on a
	 * storage error (logged).
	 * user_find: an enabled user by name and its password hash: 1, or
	 * 0 when there is none.  users_count: how many enabled users.
	 * Sessions are keyed by id, the hex digest of the cookie's token
	 * (the token itself is never stored).  session_find: 1 and *s, or 0
	 * when there is none or its user is gone or disabled.  session_seen
	 * records a use; session_del ends one; session_purge ends those
	 * created before created_ms or unused since seen_ms.
	 */
	int (*user_find)(void *arg, const char *name, struct agg_web_user *u,
	    char *hash, size_t hash_len);
	int (*users_count)(void *arg, int64_t *n);
	int (*session_add)(void *arg, const char *id, int64_t user_id,
	    const char *csrf, int64_t now_ms);
	int (*session_find)(void *arg, const char *id,
	    struct agg_web_session *s);
	int (*session_seen)(void *arg, const char *id, int64_t now_ms);
	int (*session_del)(void *arg, const char *id);
	int (*session_purge)(void *arg, int64_t created_ms, int64_t seen_ms);
	void *arg;			/* api's */
	void *accounts_arg;
};

/*
 * The roles table (agg_web_roles.c): which roles may call method what.
 * Returns the roles, or 0 when no line has it (404).
 */
unsigned agg_web_roles_of(const char *method, const char *what);

/* "guard,hr" to AGG_ROLE_GUARD | AGG_ROLE_HR: 0, or -1 on an unknown
 * name (an empty list is no role). */
int agg_web_roles_parse(const char *s, unsigned *roles);
/* The roles as "guard,hr" into buf. */
void agg_web_roles_format(unsigned roles, char *buf, size_t len);
/* The roles as a JSON array of names. */
json_t *agg_web_roles_json(unsigned roles);

/*
 * Starts serving on the loop.  Returns NULL with the reason logged (port
 * taken, non-loopback bind without a user or without HTTPS, web_root
 * unreadable, a bad certificate).
 */
struct agg_web *agg_web_start(struct loop *l, const struct agg_web_config *cfg,
    const struct agg_web_source *src);

/* The port actually bound (for port 0). */
int agg_web_port(const struct agg_web *w);

/*
 * Sends one server-sent event to every page connected to /events/live:
 * type is "event" (a decision or lane event), "gate" (a gate's state
 * changed), "alarm" (an alarm began or ended) or "headcount".  A page
 * whose user holds no AGG_ROLES_NAMES role gets data without its "name".
 */
void agg_web_publish(struct agg_web *w, const char *type, const json_t *data);

void agg_web_stop(struct agg_web *w);

#endif
