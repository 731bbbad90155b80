/*
 * What a credential row must be before anything stores it or sends it to
 * a gate: a gate's store (store_credential_put(), the CSV import, the
 * lists pushed), qrgatectl's CSV push and the aggregator's people list all
 * check with credential_validate(), so that a row one takes the others
 * take too.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cred_pin.h"
#include "credential.h"
#include "keyfile.h"
#include "mask.h"
#include "token.h"

bool
cccd_check_valid(const char *text)
{
	size_t n = strlen(text);

	if (n == 0)
		return true;
	if (n != CCCD_CHECK_HEX - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((text[i] >= '0' && text[i] <= '9') ||
		    (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	return true;
}

/*
 * The rules a credential row obeys beyond what the CHECK constraints can
 * say, applied to every row before it is written (store_credential_put()
 * and the CSV import both call credential_validate()).
 */

/*
 * Checks a text field: terminated within size, UTF-8, and free of control
 * characters other than those allowed (a name may hold line breaks, since
 * CSV lets a quoted field span lines).
 */
static int
cred_text_valid(const char *field, size_t size, const char *allow)
{
	const unsigned char *p = (const unsigned char *)field;

	if (strnlen(field, size) >= size)
		return 0;
	while (*p != '\0') {
		unsigned int c = *p, n, cp, min;

		if (c < 0x80) {
			if ((c < 0x20 || c == 0x7f) && strchr(allow, c) == NULL)
				return 0;
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else
			return 0;
		/* A NUL ends the loop here too: it is not a continuation. */
		for (unsigned int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/*
 * lanes: "" (nowhere), or a comma-separated list of LANE or
 * LANE:DIRECTION, where LANE is "*" or a lane name.  Checked here so a
 * typo is an import error rather than a credential that never opens.
 */
static int
cred_lanes_valid(const char *lanes, char *err, size_t errlen)
{
	const char *p = lanes, *end, *colon;
	char dir[16];
	size_t lane_len;

	if (*p == '\0')
		return 0;
	for (;;) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		colon = memchr(p, ':', (size_t)(end - p));
		lane_len = (size_t)((colon != NULL ? colon : end) - p);
		if (lane_len == 0 || lane_len > 31 ||
		    strcspn(p, " \t\r\n") < lane_len) {
			snprintf(err, errlen, "lanes: bad item '%.*s'",
			    (int)(end - p), p);
			return -1;
		}
		if (colon != NULL) {
			size_t n = (size_t)(end - colon - 1);

			if (n >= sizeof(dir))
				n = sizeof(dir) - 1;
			memcpy(dir, colon + 1, n);
			dir[n] = '\0';
			if (direction_from_name(dir) == -1) {
				snprintf(err, errlen,
				    "lanes: bad direction in '%.*s'",
				    (int)(end - p), p);
				return -1;
			}
		}
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

/*
 * A credential's id goes out with every event, to the broker and the
 * aggregator, where the subject goes masked: an id that held a citizen
 * number would publish it in full.  So an id may hold no run of 12
 * digits (a CCCD number, or one like it, whatever the kind), nor a cccd
 * credential's own number with separators between its digits.  Refused
 * rather than rewritten: the id is IT's key for the credential, which the
 * lists sent later must name again, so it is changed where it is made.
 */
static int
cred_id_citizen_free(const struct credential *c, char *err, size_t errlen)
{
	char digits[sizeof(c->id)];
	size_t n = 0;

	if (mask_has_citizen_number(c->id)) {
		snprintf(err, errlen, "id holds a run of 12 digits, as a "
		    "citizen number: ids are published, so give the "
		    "credential an id of its own");
		return -1;
	}
	for (const char *p = c->id; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	if (c->kind == CRED_CCCD && strstr(digits, c->subject) != NULL) {
		snprintf(err, errlen, "id holds the credential's citizen "
		    "number: ids are published, so give the credential an id "
		    "of its own");
		return -1;
	}
	return 0;
}

bool
credential_card_text_valid(const char *text)
{
	struct wiegand_card card;
	char back[WIEGAND_TEXT_MAX];

	return wiegand_card_parse(text, &card) == WIEGAND_OK &&
	    wiegand_card_print(&card, back, sizeof(back)) >= 0 &&
	    strcmp(back, text) == 0;
}

int
credential_card_text_normalise(const char *in, char *out, size_t outlen)
{
	char buf[WIEGAND_TEXT_MAX];
	struct wiegand_card card;
	size_t n = strlen(in), name_len = strcspn(in, ":");

	if (n >= sizeof(buf))
		return -1;
	/* Format names are lower-case, hex digits upper-case: both are
	 * letters nowhere else, so each part is folded as a whole. */
	for (size_t i = 0; i <= n; i++) {
		char c = in[i];

		if (i < name_len && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (i > name_len && c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		buf[i] = c;
	}
	if (wiegand_card_parse(buf, &card) != WIEGAND_OK ||
	    wiegand_card_print(&card, out, outlen) < 0)
		return -1;
	return 0;
}

/* The card texts and the PIN hash of a credential. */
static int
cred_card_fields_valid(const struct credential *c, char *err, size_t errlen)
{
	if (c->kind == CRED_CARD && !credential_card_text_valid(c->subject)) {
		snprintf(err, errlen, "a card subject is " CRED_CARD_FORM
		    ", upper-case hex, no leading zeros");
		return -1;
	}
	if (strnlen(c->send_as, sizeof(c->send_as)) >= sizeof(c->send_as) ||
	    (c->send_as[0] != '\0' &&
	    !credential_card_text_valid(c->send_as))) {
		snprintf(err, errlen, "send_as is \"\" or a card: "
		    CRED_CARD_FORM ", upper-case hex, no leading zeros");
		return -1;
	}
	if (!cred_pin_hash_valid(c->pin_hash)) {
		snprintf(err, errlen, "pin_hash is \"\" or a PIN hash as "
		    "qrgatectl and the aggregator make (Argon2id, t=%d, "
		    "m=%u KiB)", CRED_PIN_OPSLIMIT, CRED_PIN_MEMLIMIT >> 10);
		return -1;
	}
	if (c->kind != CRED_CARD && c->pin_hash[0] != '\0') {
		snprintf(err, errlen, "only a card credential has a PIN");
		return -1;
	}
	return 0;
}

/* What token_parse() accepts as an id, so that a stored one can match. */
static int
cred_token_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > TOKEN_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			return 0;
	return 1;
}

int
credential_validate(const struct credential *c, char *err,
    size_t errlen)
{
	if (!cred_text_valid(c->id, sizeof(c->id), "")) {
		snprintf(err, errlen,
		    "id is not UTF-8 text of at most %zu bytes",
		    sizeof(c->id) - 1);
		return -1;
	}
	if (c->id[0] == '\0') {
		snprintf(err, errlen, "id is empty");
		return -1;
	}
	if (c->kind <= CRED_NONE || c->kind >= CRED_KIND_COUNT) {
		snprintf(err, errlen,
		    "kind must be badge, cccd, signed, dynamic, visitor or "
		    "card");
		return -1;
	}
	if (!cred_text_valid(c->subject, sizeof(c->subject), "")) {
		snprintf(err, errlen,
		    "subject is not UTF-8 text of at most %zu bytes",
		    sizeof(c->subject) - 1);
		return -1;
	}
	if (c->subject[0] == '\0') {
		snprintf(err, errlen, "subject is empty");
		return -1;
	}
	if (c->kind == CRED_CCCD && (strlen(c->subject) != 12 ||
	    strspn(c->subject, "0123456789") != 12)) {
		snprintf(err, errlen, "a cccd subject is exactly 12 digits");
		return -1;
	}
	if ((c->kind == CRED_SIGNED || c->kind == CRED_DYNAMIC ||
	    c->kind == CRED_VISITOR) && !cred_token_id_valid(c->subject)) {
		snprintf(err, errlen, "a %s subject is a token id: 1 to %d "
		    "printable ASCII characters", cred_kind_name(c->kind),
		    TOKEN_ID_MAX);
		return -1;
	}
	if (cred_card_fields_valid(c, err, errlen) == -1 ||
	    cred_id_citizen_free(c, err, errlen) == -1)
		return -1;
	if (!cccd_check_valid(c->check_hash)) {
		snprintf(err, errlen, "check_hash is \"\" or 64 lower-case hex "
		    "digits");
		return -1;
	}
	if (c->kind != CRED_CCCD && c->check_hash[0] != '\0') {
		snprintf(err, errlen, "only a cccd credential has a check_hash");
		return -1;
	}
	if ((unsigned int)c->role >= ROLE_COUNT) {
		snprintf(err, errlen, "role must be staff or visitor");
		return -1;
	}
	if (c->kind == CRED_DYNAMIC && !c->has_pubkey) {
		snprintf(err, errlen, "a dynamic credential needs a pubkey");
		return -1;
	}
	if (!cred_text_valid(c->group, sizeof(c->group), "")) {
		snprintf(err, errlen,
		    "group is not UTF-8 text of at most %zu bytes",
		    sizeof(c->group) - 1);
		return -1;
	}
	if (c->schedule[0] != '\0' && (memchr(c->schedule, '\0',
	    sizeof(c->schedule)) == NULL || !schedule_name_valid(c->schedule))) {
		snprintf(err, errlen, "schedule is \"\" or a schedule's name "
		    "(letters, digits, '-', '_', '.', at most %d)",
		    SCHED_NAME_LEN - 1);
		return -1;
	}
	if (!cred_text_valid(c->name, sizeof(c->name), "\t\r\n")) {
		snprintf(err, errlen,
		    "name is not UTF-8 text of at most %zu bytes",
		    sizeof(c->name) - 1);
		return -1;
	}
	if (c->valid_from_ms < 0 || c->valid_until_ms < 0) {
		snprintf(err, errlen, "valid_from and valid_until are >= 0");
		return -1;
	}
	if (c->valid_from_ms != 0 && c->valid_until_ms != 0 &&
	    c->valid_until_ms <= c->valid_from_ms) {
		snprintf(err, errlen, "valid_until is not after valid_from");
		return -1;
	}
	if ((unsigned int)c->status >= CRED_STATUS_COUNT) {
		snprintf(err, errlen,
		    "status must be active, suspended or revoked");
		return -1;
	}
	if (!cred_text_valid(c->lanes, sizeof(c->lanes), "")) {
		snprintf(err, errlen, "lanes is not text of at most %zu bytes",
		    sizeof(c->lanes) - 1);
		return -1;
	}
	return cred_lanes_valid(c->lanes, err, errlen);
}

json_t *
credential_json(const struct credential *c)
{
	char pk[KEY_PK_TEXT] = "";
	json_t *o;

	if (c->has_pubkey)
		key_pk_to_text(c->pubkey, pk);
	/* Times as ms, so that every gate takes the same instant. */
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:I, "
	    "s:s, s:s}", "id", c->id, "kind", cred_kind_name(c->kind),
	    "subject", c->subject, "name", c->name, "valid_from",
	    (json_int_t)c->valid_from_ms, "valid_until",
	    (json_int_t)c->valid_until_ms, "status",
	    cred_status_name(c->status), "lanes", c->lanes,
	    "role", cred_role_name(c->role), "serial", (json_int_t)c->serial,
	    "pubkey", pk, "check_hash", c->check_hash);
	/*
	 * Only when set: a gate older than these members refuses a row
	 * with a member it does not know, and so keeps taking every list
	 * that does not use them.
	 */
	if (o != NULL && ((c->send_as[0] != '\0' && json_object_set_new(o,
	    "send_as", json_string(c->send_as)) == -1) ||
	    (c->pin_hash[0] != '\0' && json_object_set_new(o, "pin_hash",
	    json_string(c->pin_hash)) == -1) ||
	    (c->group[0] != '\0' && json_object_set_new(o, "group",
	    json_string(c->group)) == -1) ||
	    (c->schedule[0] != '\0' && json_object_set_new(o, "schedule",
	    json_string(c->schedule)) == -1))) {
		json_decref(o);
		return NULL;
	}
	return o;
}
