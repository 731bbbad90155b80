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

/* Base64 of a 64-byte signature, without its NUL. */
#define SIG_TEXT_LEN	(sodium_base64_ENCODED_LEN(crypto_sign_BYTES, \
	sodium_base64_VARIANT_ORIGINAL) - 1)

const char *
signed_reason_name(enum signed_reason r)
{
	if ((size_t)r >= sizeof(signed_reason_names) /
	    sizeof(signed_reason_names[0]))
		return "?";
	return signed_reason_names[r];
}

/*
 * The bytes a signature covers: the context, the topic, a newline, the
 * body.  malloc'd; NULL when out of memory or when the sum would not fit
 * a size_t (the check also shows gcc 14 the buffer is never one byte).
 */
static uint8_t *
signed_msg_input(const char *topic, const uint8_t *body, size_t len,
    size_t *n)
{
	size_t ctx = sizeof(SIGNED_MSG_CONTEXT) - 1, tl = strlen(topic);
	uint8_t *buf;

	if (len > SIZE_MAX - ctx - 1 || tl > SIZE_MAX - ctx - 1 - len)
		return NULL;
	*n = ctx + tl + 1 + len;
	if ((buf = malloc(*n)) == NULL)
		return NULL;
	memcpy(buf, SIGNED_MSG_CONTEXT, ctx);
	memcpy(buf + ctx, topic, tl);
	buf[ctx + tl] = '\n';
	if (len > 0)
		memcpy(buf + ctx + tl + 1, body, len);
	return buf;
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
	if (json_string_length(s) != SIG_TEXT_LEN ||
	    sodium_base642bin(sig, crypto_sign_BYTES, text, SIG_TEXT_LEN, NULL,
	    &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != crypto_sign_BYTES || end != text + SIG_TEXT_LEN) {
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

char *
signed_msg_seal(const char *topic, const uint8_t *body, size_t len,
    const uint8_t sk[64], char *err, size_t errlen)
{
	uint8_t sig[crypto_sign_BYTES], *in;
	char sig_text[SIG_TEXT_LEN + 1], *text;
	json_t *env, *b;
	size_t n;

	/* A JSON string holds UTF-8 text without NUL bytes, and the gate
	 * verifies the bytes it decodes from it. */
	if ((b = json_stringn((const char *)body, len)) == NULL ||
	    memchr(body, '\0', len) != NULL) {
		json_decref(b);
		snprintf(err, errlen, "the body is not UTF-8 text");
		return NULL;
	}
	if ((in = signed_msg_input(topic, body, len, &n)) == NULL) {
		json_decref(b);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	crypto_sign_detached(sig, NULL, in, n, sk);
	free(in);
	sodium_bin2base64(sig_text, sizeof(sig_text), sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
	env = json_pack("{s:o, s:s}", "body", b, "sig", sig_text);
	text = env != NULL ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	if (text == NULL)
		snprintf(err, errlen, "out of memory");
	return text;
}
