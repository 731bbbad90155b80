/*
 * The credentials table's statements (store.h): lookups by card, the
 * upsert by id the importers share, listing and deletion.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keyfile.h"
#include "log.h"
#include "store.h"
#include "store_private.h"
#include "store_schema.h"

#define CRED_COLUMNS STORE_CRED_COLUMNS

static int
store_credential_row(struct store *st, sqlite3_stmt *s, struct credential *c)
{
	const unsigned char *pk;
	int kind, status, role;
	int64_t serial;

	memset(c, 0, sizeof(*c));
	COLUMN_COPY(s, 0, c->id);
	kind = store_column_enum(s, 1, cred_kind_from_name);
	COLUMN_COPY(s, 2, c->subject);
	COLUMN_COPY(s, 3, c->name);
	c->valid_from_ms = sqlite3_column_int64(s, 4);
	c->valid_until_ms = sqlite3_column_int64(s, 5);
	status = store_column_enum(s, 6, cred_status_from_name);
	COLUMN_COPY(s, 7, c->lanes);
	role = store_column_enum(s, 8, cred_role_from_name);
	serial = sqlite3_column_int64(s, 9);
	pk = sqlite3_column_text(s, 10);
	COLUMN_COPY(s, 11, c->check_hash);
	COLUMN_COPY(s, 12, c->send_as);
	COLUMN_COPY(s, 13, c->pin_hash);
	COLUMN_COPY(s, 14, c->group);
	COLUMN_COPY(s, 15, c->schedule);
	if (kind == -1 || status == -1 || role == -1) {
		log_warnx("%s: credential %s: unknown kind, status or role",
		    st->path, c->id);
		return -1;
	}
	c->kind = kind;
	c->status = status;
	c->role = role;
	/* The CHECK keeps it in range; a hand-edited row is refused. */
	if (serial < 0 || serial > UINT32_MAX) {
		log_warnx("%s: credential %s: serial out of range", st->path,
		    c->id);
		return -1;
	}
	c->serial = (uint32_t)serial;
	if (pk != NULL && pk[0] != '\0') {
		if (key_pk_from_text((const char *)pk, c->pubkey) == -1) {
			log_warnx("%s: credential %s: pubkey is not a key",
			    st->path, c->id);
			return -1;
		}
		c->has_pubkey = true;
	}
	return 0;
}

int
store_credential_find(struct store *st, enum cred_kind kind,
    const char *subject, struct credential *out)
{
	sqlite3_stmt *s = st->stmt[ST_CRED_FIND];
	int rc, ret;

	if (kind <= CRED_NONE || kind >= CRED_KIND_COUNT)
		return 0;
	/* The file the credentials came from is gone (store_files_check):
	 * what the connection still reads is nobody's list any more. */
	if (st->gone)
		return -1;
	if (store_bind_name(s, 1, cred_kind_name(kind)) != SQLITE_OK ||
	    store_bind_name(s, 2, subject) != SQLITE_OK) {
		store_fail_bind(st, s);
		log_warnx("%s: credential lookup: %s", st->path, st->errmsg);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = store_credential_row(st, s, out) == 0 ? 1 : -1;
	else if (rc == SQLITE_DONE)
		ret = 0;
	else {
		log_warnx("%s: credential lookup: %s", st->path,
		    sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
store_credential_bind(sqlite3_stmt *s, const struct credential *c)
{
	char pk[KEY_PK_TEXT] = "";

	if (c->has_pubkey)
		key_pk_to_text(c->pubkey, pk);
	/* pk is on this stack: SQLite copies it. */
	return BIND_FIELD(s, 1, c->id) != SQLITE_OK ||
	    store_bind_name(s, 2, cred_kind_name(c->kind)) != SQLITE_OK ||
	    BIND_FIELD(s, 3, c->subject) != SQLITE_OK ||
	    BIND_FIELD(s, 4, c->name) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, c->valid_from_ms) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, c->valid_until_ms) != SQLITE_OK ||
	    store_bind_name(s, 7, cred_status_name(c->status)) != SQLITE_OK ||
	    BIND_FIELD(s, 8, c->lanes) != SQLITE_OK ||
	    store_bind_name(s, 9, cred_role_name(c->role)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 10, c->serial) != SQLITE_OK ||
	    sqlite3_bind_text(s, 11, pk, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    BIND_FIELD(s, 12, c->check_hash) != SQLITE_OK ||
	    BIND_FIELD(s, 13, c->send_as) != SQLITE_OK ||
	    BIND_FIELD(s, 14, c->pin_hash) != SQLITE_OK ||
	    BIND_FIELD(s, 15, c->group) != SQLITE_OK ||
	    BIND_FIELD(s, 16, c->schedule) != SQLITE_OK ? -1 : 0;
}

/*
 * Writes one (already valid) credential.  On failure err says why, in
 * words an operator can act on for the usual case: the card already
 * belongs to another id.
 */
int
store_credential_write(struct store *st, const struct credential *c,
    char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[ST_CRED_PUT];
	struct credential other;

	if (store_credential_bind(s, c) == -1) {
		store_fail_bind(st, s);
		snprintf(err, errlen, "%s", st->errmsg);
		return -1;
	}
	if (store_run(st, s) == SQLITE_DONE)
		return 0;
	if (st->errcode == SQLITE_CONSTRAINT_UNIQUE &&
	    store_credential_find(st, c->kind, c->subject, &other) == 1)
		snprintf(err, errlen, "%s %s already belongs to credential %s",
		    cred_kind_name(c->kind), c->subject, other.id);
	else
		snprintf(err, errlen, "%s", st->errmsg);
	return -1;
}

int
store_credential_put(struct store *st, const struct credential *c)
{
	char err[256];

	if (credential_validate(c, err, sizeof(err)) == -1 ||
	    store_credential_write(st, c, err, sizeof(err)) == -1) {
		log_warnx("%s: credential %.63s: %s", st->path, c->id, err);
		return -1;
	}
	return 0;
}

int
store_credential_delete(struct store *st, const char *id)
{
	sqlite3_stmt *s;
	int ret = -1;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM credentials WHERE id = ?1",
	    -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (store_bind_name(s, 1, id) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE)
		ret = sqlite3_changes(st->db) > 0 ? 1 : 0;
	else
		log_warnx("%s: delete credential: %s", st->path,
		    sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return ret;
}

int
store_credential_foreach(struct store *st,
    int (*cb)(const struct credential *c, void *arg), void *arg)
{
	sqlite3_stmt *s;
	struct credential c;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT " CRED_COLUMNS
	    " FROM credentials ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_credential_row(st, s, &c) == -1) {
			ret = -1;
			break;
		}
		if (cb(&c, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("%s: list credentials: %s", st->path,
		    sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}
