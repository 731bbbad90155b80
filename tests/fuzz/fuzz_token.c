/*
 * token_parse() and token_verify(): the signed token texts of signed
 * badges and dynamic codes, with the signature checked against a fixed
 * key (from a fixed seed), as the gate does once it has found the key.
 * A token that parses must keep its fields in range, be the one spelling
 * of its bytes (token.c promises that, so that the text can stand for
 * the token), and a token made with the key from the parsed fields must
 * have the same body and verify (so a parser that reads one thing and
 * verifies another is caught).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base45.h"
#include "token.h"
#include "fuzz.h"

static uint8_t pk[TOKEN_PK_BYTES], sk[TOKEN_SK_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t seed[crypto_sign_SEEDBYTES] = "qrgate fuzz key: not a secret!!";

	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct token t, t2;
	uint8_t raw[TOKEN_BODY_MAX + TOKEN_SIG_BYTES];
	char text[TOKEN_TEXT_MAX];
	int r, n;

	memset(&t, 0xa5, sizeof(t));
	r = token_parse(data, len, &t);
	if (r == 0 || r == -1)
		return 0;
	if (r != 1)
		abort();
	if (memchr(t.id, '\0', sizeof(t.id)) == NULL || t.id[0] == '\0' ||
	    t.body_len == 0 || t.body_len > sizeof(t.body))
		abort();
	(void)token_verify(&t, pk);

	/* The one spelling: the bytes encode back to the same text. */
	memcpy(raw, t.body, t.body_len);
	memcpy(raw + t.body_len, t.sig, sizeof(t.sig));
	n = base45_encode(raw, t.body_len + sizeof(t.sig), text, sizeof(text));
	if (n < 0 || (size_t)n + strlen(TOKEN_PREFIX) != len ||
	    memcmp(text, data + strlen(TOKEN_PREFIX), (size_t)n) != 0)
		abort();

	/* Made again with our key, it must parse to the same fields and
	 * verify; and verify with no other key. */
	if (t.type == TOKEN_BADGE)
		n = token_badge_make(t.id, t.serial, t.expires_s, sk, text,
		    sizeof(text));
	else if (t.type == TOKEN_DYNAMIC)
		n = token_dynamic_make(t.id, t.step, sk, text, sizeof(text));
	else if (t.type == TOKEN_VISITOR) {
		/* A pass that ends before it starts parses (the gate denies
		 * it) but is never made: nothing to make again. */
		if (t.expires_s <= t.not_before_s)
			return 0;
		n = token_visitor_make(t.id, t.not_before_s, t.expires_s,
		    t.lanes, sk, text, sizeof(text));
	} else
		abort();
	if (n < 0 || (size_t)n >= sizeof(text))
		abort();
	if (token_parse((const uint8_t *)text, (size_t)n, &t2) != 1 ||
	    t2.type != t.type || strcmp(t2.id, t.id) != 0 ||
	    t2.body_len != t.body_len ||
	    memcmp(t2.body, t.body, t.body_len) != 0 ||
	    !token_verify(&t2, pk))
		abort();
	if (t.type == TOKEN_BADGE && (t2.serial != t.serial ||
	    t2.expires_s != t.expires_s))
		abort();
	if (t.type == TOKEN_DYNAMIC && t2.step != t.step)
		abort();
	if (t.type == TOKEN_VISITOR && (t2.not_before_s != t.not_before_s ||
	    t2.expires_s != t.expires_s || strcmp(t2.lanes, t.lanes) != 0))
		abort();
	return 0;
}
