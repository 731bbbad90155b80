/*
 * The check hash of a CCCD card.  A CCCD's number is printed on the card
 * and photocopied everywhere, so a code made up from the number alone
 * must not open as its holder.  When a card is enrolled from its own code
 * (qrgatectl cred enroll-cccd), its credential keeps a keyed hash of what
 * else the card says (name, date of birth, date of issue); a scanned code
 * whose fields do not give the same hash is not that card.
 *
 * The key is a site secret (security.cccd_key_file) shared by the back
 * office and every gate: without it the hash cannot be made up from a
 * guessed name and dates, and it says nothing about the holder to anyone
 * who reads a credential list.  A photocopy of the card still matches:
 * the hash tells a made-up code from the card, not the card from a copy.
 */
#ifndef QRGATE_CCCD_CHECK_H
#define QRGATE_CCCD_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "credential.h"
#include "keyfile.h"
#include "payload.h"


/*
 * The check hash of a parsed CCCD payload (pl->kind CRED_CCCD, as
 * payload_parse() filled it) with key, as hex in out.  The name is taken
 * with leading and trailing spaces dropped, each run of spaces made one
 * and ASCII letters in upper case; the number and both dates as parsed.
 */
void cccd_check_hash(const uint8_t key[KEY_SECRET_BYTES],
    const struct payload *pl, char out[CCCD_CHECK_HEX]);

/*
 * Whether the card pl is the one whose check hash was stored: true when
 * check_hash is "" (none enrolled); otherwise false without a key (key
 * NULL), else whether the hashes are equal (compared in constant time).
 */
bool cccd_check_match(const uint8_t *key, const struct payload *pl,
    const char *check_hash);

#endif
