/*
 * Checking a sealed push before it is sent (seal_verify.h).  Stricter
 * than a gate needs to be: nothing but an envelope is taken, since what
 * is checked here is published as it is.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "seal.h"
#include "seal_verify.h"

int
seal_verify(const char *topic, const char *env, size_t envlen,
    const uint8_t pk[32], char **body, size_t *len, char *err,
    size_t errlen)
{
	uint8_t sig[crypto_sign_BYTES], *in = NULL;
	const json_t *b, *s;
	size_t n, signed_len;
	json_t *doc;
	int rc = -1;

	doc = json_loadb(env, envlen, JSON_REJECT_DUPLICATES, NULL);
	b = json_object_get(doc, "body");
	s = json_object_get(doc, "sig");
	if (!json_is_string(b) || !json_is_string(s) ||
	    json_object_size(doc) != 2) {
		snprintf(err, errlen, "not a signed message ({\"body\": ..., "
		    "\"sig\": ...})");
		goto done;
	}
	if (json_string_length(s) != SIGNED_SIG_TEXT_LEN ||
	    sodium_base642bin(sig, sizeof(sig), json_string_value(s),
	    SIGNED_SIG_TEXT_LEN, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof(sig)) {
		snprintf(err, errlen, "sig is not a signature in base64");
		goto done;
	}
	if ((in = signed_msg_input(topic, (const uint8_t *)json_string_value(b),
	    json_string_length(b), &signed_len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (crypto_sign_verify_detached(sig, in, signed_len, pk) != 0) {
		snprintf(err, errlen, "the signature is not the admin key's "
		    "for this body on %.128s", topic);
		goto done;
	}
	*len = json_string_length(b);
	if ((*body = malloc(*len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	memcpy(*body, json_string_value(b), *len + 1);
	rc = 0;
done:
	free(in);
	json_decref(doc);
	return rc;
}
