/*
 * One credential of a list sent over MQTT, as a JSON object: its members
 * read into a struct credential and checked as an imported row is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "inbound_creds_row.h"
#include "keyfile.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* A time: ms since the epoch, a string timefmt_parse() reads, or null,
 * "" or absent for no bound. */
static int
creds_time(const json_t *v, int64_t *ms)
{
	const char *s;

	*ms = 0;
	if (json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*ms = json_integer_value(v);
		return *ms >= 0 ? 0 : -1;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	return *s == '\0' ? 0 : timefmt_parse(s, ms);
}

static int
creds_text(const json_t *v, char *field, size_t size)
{
	if (!json_is_string(v) || json_string_length(v) >= size)
		return -1;
	memcpy(field, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* The text members of a credential object, and where each goes. */
static const struct {
	const char *name;
	size_t offset;
	size_t size;
} creds_texts[] = {
#define CREDS_TEXT(f) { #f, offsetof(struct credential, f), \
	sizeof(((struct credential *)0)->f) }
	CREDS_TEXT(id), CREDS_TEXT(subject), CREDS_TEXT(name), CREDS_TEXT(lanes),
	CREDS_TEXT(check_hash), CREDS_TEXT(send_as), CREDS_TEXT(pin_hash),
	CREDS_TEXT(group), CREDS_TEXT(schedule),
#undef CREDS_TEXT
};

/* A text member into its field.  1 done, 0 not a text member, -1 bad. */
static int
creds_row_text(struct credential *c, const char *name, const json_t *v,
    char *err, size_t errlen)
{
	for (size_t i = 0; i < nitems(creds_texts); i++) {
		if (strcmp(name, creds_texts[i].name) != 0)
			continue;
		if (creds_text(v, (char *)c + creds_texts[i].offset,
		    creds_texts[i].size) == -1) {
			snprintf(err, errlen, "%s: a string of at most %zu "
			    "bytes is needed", name, creds_texts[i].size - 1);
			return -1;
		}
		return 1;
	}
	return 0;
}

/*
 * The members of schema version 3: "role" (staff or visitor), "serial" (a
 * signed badge's, 0 to 2^32-1) and "pubkey" (a dynamic credential's, 44
 * characters of base64, or "" for none).  1 done, 0 not one of them, -1
 * bad (err says why).
 */
static int
creds_row_policy(struct credential *c, const char *name, const json_t *v,
    char *err, size_t errlen)
{
	json_int_t n;
	int r;

	if (strcmp(name, "role") == 0) {
		r = json_is_string(v) ?
		    cred_role_from_name(json_string_value(v)) : -1;
		if (r == -1) {
			snprintf(err, errlen, "role: staff or visitor");
			return -1;
		}
		c->role = r;
	} else if (strcmp(name, "serial") == 0) {
		n = json_is_integer(v) ? json_integer_value(v) : -1;
		if (n < 0 || n > (json_int_t)UINT32_MAX) {
			snprintf(err, errlen, "serial: an integer from 0 to "
			    "4294967295");
			return -1;
		}
		c->serial = (uint32_t)n;
	} else if (strcmp(name, "pubkey") == 0) {
		if (!json_is_string(v)) {
			snprintf(err, errlen, "pubkey: a string");
			return -1;
		}
		c->has_pubkey = json_string_value(v)[0] != '\0';
		if (c->has_pubkey &&
		    key_pk_from_text(json_string_value(v), c->pubkey) == -1) {
			snprintf(err, errlen, "pubkey: not a public key (44 "
			    "characters of base64, 32 bytes)");
			return -1;
		}
	} else
		return 0;
	return 1;
}

int
inbound_cred_row(const json_t *o, struct credential *c, char *err, size_t errlen)
{
	const char *name;
	json_t *v;
	bool have_kind = false, have_status = false;
	int k;

	memset(c, 0, sizeof(*c));
	strcpy(c->lanes, "*");
	if (!json_is_object(o)) {
		snprintf(err, errlen, "a credential is a JSON object");
		return -1;
	}
	json_object_foreach((json_t *)o, name, v) {
		if ((k = creds_row_text(c, name, v, err, errlen)) == -1)
			return -1;
		if (k == 1)
			continue;
		if (strcmp(name, "kind") == 0) {
			k = json_is_string(v) ?
			    cred_kind_from_name(json_string_value(v)) : -1;
			if (k <= CRED_NONE) {
				snprintf(err, errlen, "kind: badge, cccd, "
				    "signed, dynamic, visitor or card");
				return -1;
			}
			c->kind = k;
			have_kind = true;
		} else if (strcmp(name, "status") == 0) {
			k = json_is_string(v) ?
			    cred_status_from_name(json_string_value(v)) : -1;
			if (k == -1) {
				snprintf(err, errlen, "status: active, suspended "
				    "or revoked");
				return -1;
			}
			c->status = k;
			have_status = true;
		} else if ((k = creds_row_policy(c, name, v, err,
		    errlen)) != 0) {
			if (k == -1)
				return -1;
		} else if (strcmp(name, "valid_from") == 0 ||
		    strcmp(name, "valid_until") == 0) {
			if (creds_time(v, strcmp(name, "valid_from") == 0 ?
			    &c->valid_from_ms : &c->valid_until_ms) == -1) {
				snprintf(err, errlen, "%s: ms since the epoch "
				    "or a UTC time (YYYY-MM-DDTHH:MM:SSZ)", name);
				return -1;
			}
		} else {
			/* A misspelt valid_until must not make a credential
			 * valid for ever. */
			snprintf(err, errlen, "%.64s: unknown member", name);
			return -1;
		}
	}
	if (c->id[0] == '\0' || !have_kind || c->subject[0] == '\0' ||
	    !have_status) {
		snprintf(err, errlen, "id, kind, subject and status are needed");
		return -1;
	}
	return credential_validate(c, err, errlen);
}
