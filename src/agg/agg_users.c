/*
 * The console's users, sessions and audit rows, in the aggregator's
 * database.  Ids are taken as the largest plus one inside the statement
 * that inserts, which both backends accept, and the aggregator is the
 * one writer (a user command and the daemon at once is a rare race the
 * primary key turns into an error, never a duplicate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agg_users.h"
#include "clock.h"
#include "log.h"
#include "timefmt.h"

bool
agg_user_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < sizeof(((struct agg_web_user *)0)->name) &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._@-") == n;
}

static int
user_hash(const char *password, char *hash)
{
	if (password[0] == '\0' || strlen(password) > 255)
		return AGG_USER_BAD;
	if (sodium_init() == -1 || crypto_pwhash_str(hash, password,
	    strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_warnx("users: could not hash a password (memory?)");
		return -1;
	}
	return 0;
}

int
agg_user_add(struct agg_db *db, const char *name, unsigned roles,
    const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	struct agg_db_arg a[4];
	int64_t n = 0;
	int rc;

	if (!agg_user_name_ok(name) || (roles & ~AGG_ROLES_ALL) != 0)
		return AGG_USER_BAD;
	if ((rc = user_hash(password, hash)) != 0)
		return rc;
	a[0] = AGG_S(name);
	a[1] = AGG_I((int64_t)roles);
	a[2] = AGG_S(hash);
	a[3] = AGG_I(clock_utc_ms());
	if (agg_db_run(db, "INSERT INTO users (id, name, roles, hash, "
	    "disabled, created_ms) SELECT COALESCE(MAX(id), 0) + 1, "
	    "CAST($1 AS TEXT), CAST($2 AS INTEGER), CAST($3 AS TEXT), 0, "
	    "CAST($4 AS BIGINT) FROM users WHERE true "
	    "ON CONFLICT (name) DO NOTHING",
	    a, 4, NULL, NULL, &n) == -1)
		return -1;
	return n == 1 ? 0 : AGG_USER_EXISTS;
}

/* One UPDATE or DELETE naming a user by $1: 0, AGG_USER_NONE or -1. */
static int
user_change(struct agg_db *db, const char *sql, const struct agg_db_arg *a,
    int nargs)
{
	int64_t n = 0;

	if (agg_db_run(db, sql, a, nargs, NULL, NULL, &n) == -1)
		return -1;
	return n > 0 ? 0 : AGG_USER_NONE;
}

/* A user's sessions end (new password, disabled, deleted). */
static int
user_sessions_end(struct agg_db *db, const char *name)
{
	struct agg_db_arg a[] = { AGG_S(name) };

	return agg_db_run(db, "DELETE FROM sessions WHERE user_id IN "
	    "(SELECT id FROM users WHERE name = $1)", a, 1, NULL, NULL, NULL);
}

int
agg_user_roles(struct agg_db *db, const char *name, unsigned roles)
{
	struct agg_db_arg a[] = { AGG_S(name), AGG_I((int64_t)roles) };

	if ((roles & ~AGG_ROLES_ALL) != 0)
		return AGG_USER_BAD;
	return user_change(db, "UPDATE users SET roles = $2 WHERE name = $1",
	    a, 2);
}

int
agg_user_passwd(struct agg_db *db, const char *name, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	struct agg_db_arg a[2];
	int rc;

	if ((rc = user_hash(password, hash)) != 0)
		return rc;
	a[0] = AGG_S(name);
	a[1] = AGG_S(hash);
	if ((rc = user_change(db, "UPDATE users SET hash = $2 WHERE name = $1",
	    a, 2)) != 0)
		return rc;
	return user_sessions_end(db, name);
}

int
agg_user_disable(struct agg_db *db, const char *name, bool disabled)
{
	struct agg_db_arg a[] = { AGG_S(name), AGG_I(disabled) };
	int rc;

	if ((rc = user_change(db, "UPDATE users SET disabled = $2 "
	    "WHERE name = $1", a, 2)) != 0)
		return rc;
	return disabled ? user_sessions_end(db, name) : 0;
}

int
agg_user_del(struct agg_db *db, const char *name)
{
	struct agg_db_arg a[] = { AGG_S(name) };

	if (user_sessions_end(db, name) == -1)
		return -1;
	return user_change(db, "DELETE FROM users WHERE name = $1", a, 1);
}

static void
users_time(json_t *o, const char *key, const char *col)
{
	char buf[32];
	int64_t ms = strtoll(col, NULL, 10);

	timefmt_format(ms, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

static int
user_list_row(void *arg, int ncol, const char *const *col)
{
	json_t *o;

	(void)ncol;
	o = json_pack("{s:I, s:s, s:o, s:b}", "id",
	    (json_int_t)strtoll(col[0], NULL, 10), "name", col[1],
	    "roles", agg_web_roles_json((unsigned)strtoul(col[2], NULL, 10)),
	    "disabled", strcmp(col[3], "0") != 0);
	if (o == NULL)
		return -1;
	users_time(o, "created", col[4]);
	json_array_append_new(arg, o);
	return 0;
}

json_t *
agg_user_list(struct agg_db *db)
{
	json_t *a = json_array();

	if (a == NULL || agg_db_run(db, "SELECT id, name, roles, disabled, "
	    "created_ms FROM users ORDER BY name", NULL, 0, user_list_row, a,
	    NULL) != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int
agg_audit_add(struct agg_db *db, int64_t now_ms,
    const struct agg_web_user *who, const char *what, const char *detail)
{
	struct agg_db_arg a[] = {
		AGG_I(now_ms), AGG_I(who != NULL ? who->id : 0),
		AGG_S(who != NULL ? who->name : "cli"), AGG_S(what),
		AGG_S(detail),
	};

	return agg_db_run(db, "INSERT INTO audit (id, ts_ms, user_id, "
	    "user_name, what, detail) SELECT COALESCE(MAX(id), 0) + 1, "
	    "CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS TEXT), "
	    "CAST($4 AS TEXT), CAST($5 AS TEXT) FROM audit", a, 5, NULL, NULL,
	    NULL);
}

static int
audit_row(void *arg, int ncol, const char *const *col)
{
	json_t *o;

	(void)ncol;
	o = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id",
	    (json_int_t)strtoll(col[0], NULL, 10), "ts_ms",
	    (json_int_t)strtoll(col[1], NULL, 10), "user", col[2], "what",
	    col[3], "detail", col[4]);
	if (o == NULL)
		return -1;
	users_time(o, "time", col[1]);
	json_array_append_new(arg, o);
	return 0;
}

json_t *
agg_audit_list(struct agg_db *db, int64_t limit)
{
	struct agg_db_arg a[] = { AGG_I(limit) };
	json_t *rows = json_array();

	if (rows == NULL || agg_db_run(db, "SELECT id, ts_ms, user_name, "
	    "what, detail FROM audit ORDER BY id DESC LIMIT $1", a, 1,
	    audit_row, rows, NULL) != 0) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

/* The web side's callbacks. */

struct user_found {
	struct agg_web_user *u;
	char *hash;
	size_t hash_len;
};

static int
user_find_row(void *arg, int ncol, const char *const *col)
{
	struct user_found *f = arg;

	(void)ncol;
	f->u->id = strtoll(col[0], NULL, 10);
	snprintf(f->u->name, sizeof(f->u->name), "%s", col[1]);
	f->u->roles = (unsigned)strtoul(col[2], NULL, 10);
	if (f->hash != NULL)
		snprintf(f->hash, f->hash_len, "%s", col[3]);
	return 1;
}

static int
users_find(void *arg, const char *name, struct agg_web_user *u, char *hash,
    size_t hash_len)
{
	struct user_found f = { u, hash, hash_len };
	struct agg_db_arg a[] = { AGG_S(name) };

	return agg_db_run(arg, "SELECT id, name, roles, hash FROM users "
	    "WHERE name = $1 AND disabled = 0", a, 1, user_find_row, &f, NULL);
}

static int
users_count(void *arg, int64_t *n)
{
	return agg_db_int(arg, "SELECT count(*) FROM users WHERE disabled = 0",
	    NULL, 0, n) == -1 ? -1 : 0;
}

static int
users_session_add(void *arg, const char *id, int64_t user_id,
    const char *csrf, int64_t now_ms)
{
	struct agg_db_arg a[] = { AGG_S(id), AGG_I(user_id), AGG_S(csrf),
	    AGG_I(now_ms) };

	return agg_db_run(arg, "INSERT INTO sessions (id, user_id, csrf, "
	    "created_ms, seen_ms) VALUES ($1, $2, $3, $4, $4)", a, 4, NULL,
	    NULL, NULL);
}

static int
session_row(void *arg, int ncol, const char *const *col)
{
	struct agg_web_session *s = arg;

	(void)ncol;
	s->user.id = strtoll(col[0], NULL, 10);
	snprintf(s->user.name, sizeof(s->user.name), "%s", col[1]);
	s->user.roles = (unsigned)strtoul(col[2], NULL, 10);
	snprintf(s->csrf, sizeof(s->csrf), "%s", col[3]);
	s->created_ms = strtoll(col[4], NULL, 10);
	s->seen_ms = strtoll(col[5], NULL, 10);
	return 1;
}

/* The user as it is now: roles changed take effect at the next call. */
static int
users_session_find(void *arg, const char *id, struct agg_web_session *s)
{
	struct agg_db_arg a[] = { AGG_S(id) };

	return agg_db_run(arg, "SELECT u.id, u.name, u.roles, s.csrf, "
	    "s.created_ms, s.seen_ms FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE s.id = $1 AND u.disabled = 0", a, 1,
	    session_row, s, NULL);
}

static int
users_session_seen(void *arg, const char *id, int64_t now_ms)
{
	struct agg_db_arg a[] = { AGG_S(id), AGG_I(now_ms) };

	return agg_db_run(arg, "UPDATE sessions SET seen_ms = $2 WHERE id = $1",
	    a, 2, NULL, NULL, NULL);
}

static int
users_session_del(void *arg, const char *id)
{
	struct agg_db_arg a[] = { AGG_S(id) };

	return agg_db_run(arg, "DELETE FROM sessions WHERE id = $1", a, 1,
	    NULL, NULL, NULL);
}

static int
users_session_purge(void *arg, int64_t created_ms, int64_t seen_ms)
{
	struct agg_db_arg a[] = { AGG_I(created_ms), AGG_I(seen_ms) };

	return agg_db_run(arg, "DELETE FROM sessions WHERE created_ms < $1 "
	    "OR seen_ms < $2", a, 2, NULL, NULL, NULL);
}

void
agg_users_source(struct agg_web_source *src, struct agg_db *db)
{
	src->user_find = users_find;
	src->users_count = users_count;
	src->session_add = users_session_add;
	src->session_find = users_session_find;
	src->session_seen = users_session_seen;
	src->session_del = users_session_del;
	src->session_purge = users_session_purge;
	src->accounts_arg = db;
}
