/*
 * The console's accounts, sessions and audit table in the aggregator's
 * database (agg_users.c), for the web side's source, the user commands
 * and the API's handlers alike.  Each function returns -1 on a database
 * error (logged) unless it says otherwise.
 */
#ifndef QRGATE_AGG_USERS_H
#define QRGATE_AGG_USERS_H

#include <stdint.h>

#include <jansson.h>

#include "agg_db.h"
#include "agg_web.h"

/* What agg_user_* report beyond 0 and -1. */
#define AGG_USER_EXISTS		-2	/* add: the name is taken */
#define AGG_USER_NONE		-3	/* no such user */
#define AGG_USER_BAD		-4	/* a name or password not allowed */

/* A name: 1 to 63 of [A-Za-z0-9._@-]. */
bool agg_user_name_ok(const char *name);

/* Adds a user with password (hashed here: tens of milliseconds). */
int agg_user_add(struct agg_db *db, const char *name, unsigned roles,
    const char *password);
int agg_user_roles(struct agg_db *db, const char *name, unsigned roles);
/* A new password; the user's sessions end. */
int agg_user_passwd(struct agg_db *db, const char *name, const char *password);
/* Disabled (or enabled again); a disabled user's sessions end. */
int agg_user_disable(struct agg_db *db, const char *name, bool disabled);
/* Deletes the user and its sessions (its audit rows stay). */
int agg_user_del(struct agg_db *db, const char *name);
/* [{"id", "name", "roles": [...], "disabled", "created"}]; NULL on error. */
json_t *agg_user_list(struct agg_db *db);

/* One audit row: who (NULL: the command line, as "cli") did what. */
int agg_audit_add(struct agg_db *db, int64_t now_ms,
    const struct agg_web_user *who, const char *what, const char *detail);
/* The newest rows first, at most limit; NULL on error. */
json_t *agg_audit_list(struct agg_db *db, int64_t limit);

/* The web side's account callbacks over db: sets them in src, and
 * src->accounts_arg to db. */
void agg_users_source(struct agg_web_source *src, struct agg_db *db);

#endif
