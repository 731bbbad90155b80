/*
 * A credential's PIN, the second factor of card + PIN: kept only as a
 * salted Argon2id hash (libsodium's crypto_pwhash_str), made where the
 * PIN is typed in (qrgatectl, the aggregator) and checked where it is
 * typed at the gate.  The PIN itself is never stored, logged or sent.
 *
 * What the hash defends, and what it cannot: a PIN of 4 to 8 digits has
 * at most 10^8 values, so whoever holds a copy of a list can find one
 * person's PIN by trying them all, whatever the hash.  The hash keeps the
 * PIN out of sight of everyone who reads a list, a backup, a store or an
 * MQTT list push in passing; its salt makes equal PINs look different
 * and rules out precomputed tables; its cost (CRED_PIN_OPSLIMIT,
 * CRED_PIN_MEMLIMIT) makes recovering the PINs of a whole site slow.
 * The card is the first factor: a PIN only matters with the card.
 */
#ifndef QRGATE_CRED_PIN_H
#define QRGATE_CRED_PIN_H

#include <stdbool.h>

/* crypto_pwhash_STRBYTES: the hash text and its NUL. */
#define CRED_PIN_HASH_MAX	128

#define CRED_PIN_MIN_DIGITS	4
#define CRED_PIN_MAX_DIGITS	8

/*
 * The cost of one hash: 2 passes over 8 MiB.  A gate checks a PIN on its
 * event loop, so one check must stay in the tens of milliseconds on a
 * Raspberry Pi; libsodium's "interactive" 64 MiB would take most of a
 * second there, for no gain against a 10^8 search.
 */
#define CRED_PIN_OPSLIMIT	2
#define CRED_PIN_MEMLIMIT	(8u << 20)

/* Whether pin is a PIN: 4 to 8 decimal digits, nothing else. */
bool cred_pin_valid(const char *pin);

/*
 * Hashes pin (which must be cred_pin_valid()) into out, a fresh salt
 * each time.  0, or -1 if pin is not a PIN or out of memory.
 */
int cred_pin_hash(const char *pin, char out[CRED_PIN_HASH_MAX]);

/* Whether text is a PIN hash as stored: "" (no PIN) or an Argon2id hash
 * text as cred_pin_hash() writes, of exactly its cost. */
bool cred_pin_hash_valid(const char *text);

/*
 * Whether pin matches hash.  False for a hash of "" (no PIN: nothing to
 * match) and for anything that is not a PIN, so a caller never grants on
 * a mistake.
 */
bool cred_pin_verify(const char *hash, const char *pin);

#endif
