/*
 * The envelope of signed pushes (signed_msg.h): checked here, in one
 * place, before any handler parses a byte of what is inside.
 */
#include "signed_msg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyfile.h"

static const char *const signed_reason_names[] = {
	[SIGNED_OK] = "ok",
	[SIGNED_UNSIGNED] = "unsigned",
	[SIGNED_BAD_SIGNATURE] = "bad-signature",
	[SIGNED_NO_ADMIN_KEY] = "no-admin-key",
	[SIGNED_BAD_ADMIN_KEY] = "bad-admin-key",
	[SIGNED_MALFORMED] = "malformed",
	[SIGNED_TOO_LARGE] = "too-large",
};

const char *
signed_reason_name(enum signed_reason r)
{
	if ((size_t)r >= sizeof(signed_reason_names) /
	    sizeof(signed_reason_names[0]))
		return "?";
	return signed_reason_names[r];
}

/*
 * payload as a JSON object that is an envelope, or NULL when it is not
 * one (not JSON, not an object, or neither member): that is an unsigned
 * push, which its handler may still refuse as not JSON.
 */
static json_t *
signed_msg_envelope(const uint8_t *payload, size_t len)
{
	json_t *doc;

	doc = json_loadb((const char *)payload, len, JSON_REJECT_DUPLICATES,
	    NULL);
	if (json_is_object(doc) && (json_object_get(doc, "body") != NULL ||
	    json_object_get(doc, "sig") != NULL))
		return doc;
	json_decref(doc);
	return NULL;
}

/* Checks the envelope's members and decodes its signature. */
static enum signed_reason
signed_msg_parse(const json_t *env, uint8_t sig[crypto_sign_BYTES],
    char *err, size_t errlen)
{
	const json_t *body = json_object_get(env, "body");
	const json_t *s = json_object_get(env, "sig");
	const char *name, *text, *end;
	json_t *v;
	size_t n;

	json_object_foreach((json_t *)env, name, v) {
		if (strcmp(name, "body") != 0 && strcmp(name, "sig") != 0) {
			snprintf(err, errlen, "%.64s: unknown member (an "
			    "envelope has body and sig)", name);
			return SIGNED_MALFORMED;
		}
	}
	if (!json_is_string(body)) {
		snprintf(err, errlen, "body: the push document as a JSON "
		    "string is needed");
		return SIGNED_MALFORMED;
	}
	if (!json_is_string(s)) {
		snprintf(err, errlen, "sig: a base64 string is needed");
		return SIGNED_MALFORMED;
	}
	text = json_string_value(s);
	if (json_string_length(s) != SIGNED_SIG_TEXT_LEN ||
	    sodium_base642bin(sig, crypto_sign_BYTES, text, SIGNED_SIG_TEXT_LEN, NULL,
	    &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != crypto_sign_BYTES || end != text + SIGNED_SIG_TEXT_LEN) {
		snprintf(err, errlen, "sig: not the base64 of a %d-byte "
		    "signature", crypto_sign_BYTES);
		return SIGNED_MALFORMED;
	}
	return SIGNED_OK;
}

static enum signed_reason
signed_msg_verify(const char *topic, const json_t *env, const uint8_t *pk,
    char *err, size_t errlen)
{
	const json_t *body = json_object_get(env, "body");
	uint8_t sig[crypto_sign_BYTES], *in;
	enum signed_reason r;
	size_t n;
	int ok;

	if ((r = signed_msg_parse(env, sig, err, errlen)) != SIGNED_OK)
		return r;
	in = signed_msg_input(topic, (const uint8_t *)json_string_value(body),
	    json_string_length(body), &n);
	if (in == NULL) {
		/* Not the sender's fault, but nothing unchecked goes on. */
		snprintf(err, errlen, "out of memory");
		return SIGNED_MALFORMED;
	}
	ok = crypto_sign_verify_detached(sig, in, n, pk) == 0;
	free(in);
	if (!ok) {
		snprintf(err, errlen, "the signature is not the admin key's "
		    "for this body on %.128s", topic);
		return SIGNED_BAD_SIGNATURE;
	}
	return SIGNED_OK;
}

enum signed_reason
signed_msg_open(const struct config *c, const char *topic,
    const uint8_t *payload, size_t len, size_t max, struct signed_msg *m,
    char *err, size_t errlen)
{
	const char *key = c->security.admin_key;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	enum signed_reason r;
	json_t *env;

	memset(m, 0, sizeof(*m));
	err[0] = '\0';
	if (len > max) {
		snprintf(err, errlen, "a message of %zu bytes is over the "
		    "limit of %zu", len, max);
		return SIGNED_TOO_LARGE;
	}
	/* A key that does not read refuses everything: guessing what was
	 * meant would open the gate to whoever reads the log. */
	if (key[0] != '\0' && key_pk_from_text(key, pk) == -1) {
		snprintf(err, errlen, "security.admin_key is not a public "
		    "key: every push is refused");
		return SIGNED_BAD_ADMIN_KEY;
	}
	if ((env = signed_msg_envelope(payload, len)) == NULL) {
		if (c->security.unsigned_pushes) {
			m->body = payload;
			m->len = len;
			return SIGNED_OK;
		}
		if (key[0] == '\0') {
			snprintf(err, errlen, "no security.admin_key: pushes "
			    "are refused");
			return SIGNED_NO_ADMIN_KEY;
		}
		snprintf(err, errlen, "not signed");
		return SIGNED_UNSIGNED;
	}
	/* An envelope whose signature cannot be checked is not taken on
	 * trust, even where unsigned pushes are. */
	if (key[0] == '\0') {
		json_decref(env);
		snprintf(err, errlen, "no security.admin_key to check the "
		    "signature with");
		return SIGNED_NO_ADMIN_KEY;
	}
	if ((r = signed_msg_verify(topic, env, pk, err, errlen)) != SIGNED_OK) {
		json_decref(env);
		return r;
	}
	m->env = env;
	m->body = (const uint8_t *)json_string_value(json_object_get(env,
	    "body"));
	m->len = json_string_length(json_object_get(env, "body"));
	m->is_signed = true;
	return SIGNED_OK;
}

void
signed_msg_done(struct signed_msg *m)
{
	json_decref(m->env);
	memset(m, 0, sizeof(*m));
}
