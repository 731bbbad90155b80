/*
 * A credential object of an MQTT credential list (inbound_creds.c):
 *
 *   {"id": ..., "kind": "badge"|"cccd"|"signed"|"dynamic"|"visitor"|"card",
 *    "subject": ...,
 *    "status": "active"|"suspended"|"revoked", "name": ..., "lanes": ...,
 *    "valid_from": T, "valid_until": T, "role": "staff"|"visitor",
 *    "serial": 0..4294967295, "pubkey": "<44 characters of base64>",
 *    "check_hash": "<64 hex digits>"|"", "send_as": "<card text>"|"",
 *    "pin_hash": "<Argon2id hash text>"|"", "group": ...,
 *    "schedule": "<a schedule's name>"|""}
 *
 * id, kind, subject and status are needed; T is ms since the epoch, a UTC
 * time, or null or "" for no bound.  check_hash is a cccd card's
 * (cccd_check.h), never the card's fields themselves; pin_hash a card's
 * PIN's hash (cred_pin.h), never the PIN.  Any other member is an error,
 * so a misspelt one is never silently ignored.
 */
#ifndef QRGATE_INBOUND_CREDS_ROW_H
#define QRGATE_INBOUND_CREDS_ROW_H

#include <stddef.h>

#include <jansson.h>

#include "credential.h"

/*
 * Reads the object o into c and checks it with credential_validate().
 * Returns 0, or -1 with the first problem in err.
 */
int inbound_cred_row(const json_t *o, struct credential *c, char *err,
    size_t errlen);

#endif
