#ifndef QRGATE_CREDENTIAL_H
#define QRGATE_CREDENTIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"

/*
 * One credential as the gate stores it.  lanes says where it may be used:
 * a comma-separated list of LANE or LANE:DIRECTION items, where LANE may be
 * "*" for every lane, e.g. "*" or "A:entry,B".  An empty list allows none.
 * For the token kinds (signed, dynamic) subject is the id the token
 * carries, so every kind is found by (kind, subject).
 */
struct credential {
	char id[64];		/* IT's key for the credential, unique */
	enum cred_kind kind;
	char subject[64];	/* badge id or 12-digit CCCD number */
	char name[128];		/* display name, UTF-8 */
	int64_t valid_from_ms;	/* UTC ms; 0: no lower bound */
	int64_t valid_until_ms;	/* UTC ms, exclusive; 0: no upper bound */
	enum cred_status status;
	char lanes[128];
	enum cred_role role;	/* staff or visitor */
	uint32_t serial;	/* signed: the badge serial now issued; a token
				 * of any other serial is serial-revoked */
	bool has_pubkey;	/* dynamic: pubkey holds the worker's key */
	uint8_t pubkey[32];	/* Ed25519 public key */
	char check_hash[65];	/* cccd: the card's check hash (cccd_check.h)
				 * in hex; "": none, the number alone opens */
};

#endif
