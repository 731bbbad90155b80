/*
 * Hashing and checking a credential's PIN (cred_pin.h) with libsodium.
 */
#include <string.h>

#include <sodium.h>

#include "cred_pin.h"

_Static_assert(CRED_PIN_HASH_MAX == crypto_pwhash_STRBYTES,
    "CRED_PIN_HASH_MAX is libsodium's hash text size");

bool
cred_pin_valid(const char *pin)
{
	size_t n = strlen(pin);

	return n >= CRED_PIN_MIN_DIGITS && n <= CRED_PIN_MAX_DIGITS &&
	    strspn(pin, "0123456789") == n;
}

int
cred_pin_hash(const char *pin, char out[CRED_PIN_HASH_MAX])
{
	out[0] = '\0';
	if (!cred_pin_valid(pin) || sodium_init() == -1)
		return -1;
	if (crypto_pwhash_str_alg(out, pin, strlen(pin), CRED_PIN_OPSLIMIT,
	    CRED_PIN_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

bool
cred_pin_hash_valid(const char *text)
{
	size_t n = strnlen(text, CRED_PIN_HASH_MAX);

	if (n == 0)
		return true;
	if (n >= CRED_PIN_HASH_MAX ||
	    strncmp(text, crypto_pwhash_argon2id_STRPREFIX,
	    strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x21 || text[i] > 0x7e)
			return false;
	/* 0: libsodium reads it and its cost is exactly ours.  Another
	 * cost is refused, not only a malformed text: a list could
	 * otherwise make a gate spend gigabytes or minutes on one PIN. */
	return crypto_pwhash_str_needs_rehash(text, CRED_PIN_OPSLIMIT,
	    CRED_PIN_MEMLIMIT) == 0;
}

bool
cred_pin_verify(const char *hash, const char *pin)
{
	if (hash[0] == '\0' || !cred_pin_valid(pin) ||
	    !cred_pin_hash_valid(hash) || sodium_init() == -1)
		return false;
	return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}
