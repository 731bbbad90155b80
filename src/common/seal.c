/*
 * Sealing a push in its signed envelope (seal.h): qrgatectl push and the
 * aggregator's credential pushes seal, the gate opens (signed_msg.c);
 * both build the signed bytes with signed_msg_input().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "seal.h"

_Static_assert(SIGNED_SIG_TEXT_LEN == sodium_base64_ENCODED_LEN(
    crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL) - 1,
    "the signature's base64 length");

/*
 * The bytes a signature covers: the context, the topic, a newline, the
 * body.  malloc'd; NULL when out of memory or when the sum would not fit
 * a size_t (the check also shows gcc 14 the buffer is never one byte).
 */
uint8_t *
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

char *
signed_msg_seal(const char *topic, const uint8_t *body, size_t len,
    const uint8_t sk[64], char *err, size_t errlen)
{
	uint8_t sig[crypto_sign_BYTES], *in;
	char sig_text[SIGNED_SIG_TEXT_LEN + 1], *text;
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
