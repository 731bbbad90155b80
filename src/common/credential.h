#ifndef QRGATE_CREDENTIAL_H
#define QRGATE_CREDENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cred_pin.h"
#include "schedule.h"
#include "types.h"
#include "wiegand.h"

/*
 * One credential as the gate stores it.  lanes says where it may be used:
 * a comma-separated list of LANE or LANE:DIRECTION items, where LANE may be
 * "*" for every lane, e.g. "*" or "A:entry,B".  An empty list allows none.
 * For the token kinds (signed, dynamic) subject is the id the token
 * carries, and for a card its text (wiegand_card_print()), so every kind
 * is found by (kind, subject).
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
	char send_as[WIEGAND_TEXT_MAX];	/* any kind: the card text sent on
				 * to a controller as Wiegand after a
				 * grant; "": none */
	char pin_hash[CRED_PIN_HASH_MAX];	/* card: the PIN's hash
				 * (cred_pin.h); "": the card alone opens */
	char group[64];		/* the holder's group (a department), UTF-8;
				 * its schedule applies when the credential
				 * names none; "": none */
	char schedule[SCHED_NAME_LEN];	/* the name of the schedule that
				 * says when it may enter (schedule.h);
				 * "": its group's, if any */
};

/* Whether text is a card exactly as wiegand_card_print() writes it, so
 * that a stored card and a card read are the same text. */
bool credential_card_text_valid(const char *text);

/*
 * A card text as people type it: hex digits and the format's name in
 * either case.  Writes the one spelling credential_card_text_valid()
 * takes into out and returns 0, or -1 if in is not a card.
 */
int credential_card_text_normalise(const char *in, char *out, size_t outlen);

/* The form of a card text, for error messages. */
#define CRED_CARD_FORM \
	"h10301:FACILITY:NUMBER (also h10306, c1k35, h10304), " \
	"h10302:NUMBER, or raw:NBITS:HEX"

/* A CCCD check hash (cccd_check.h): 32 bytes of BLAKE2b in lower-case
 * hex, and a NUL. */
#define CCCD_CHECK_HEX	65

/* Whether text is a check hash as stored: "" or 64 lower-case hex digits. */
bool cccd_check_valid(const char *text);

/*
 * Checks c as every store and list checks a row (credential.c): kind and
 * status known, id and subject non-empty, a CCCD subject exactly 12
 * digits, a card's subject and any send_as a card text, a pin_hash only on
 * a card and of cred_pin_hash()'s form, text NUL-terminated within its field, UTF-8 without control
 * characters, lanes well formed, valid_until after valid_from.  0, or -1
 * with the reason in err.
 */
int credential_validate(const struct credential *c, char *err,
    size_t errlen);

/*
 * Reads a credential CSV (cred_csv.c; header line: id,kind,subject,name,
 * valid_from,valid_until,status,lanes, optionally followed by
 * role,serial,pubkey[,check_hash[,send_as,pin_hash[,group,schedule]]];
 * times as YYYY-MM-DD or
 * YYYY-MM-DDTHH:MM:SS in site.timezone, or with Z, or empty): each row
 * checked with credential_validate(), then given to row(c, its line, arg,
 * msg, msglen), which returns 0, or -1 with its reason in msg.  Returns
 * the number of rows, or -1 at the first problem with "FILE:LINE:
 * message" in err.  The gate's import, qrgatectl's push and the
 * aggregator's people import all read with it.
 */
/*
 * A row as a gate's credential list carries it (inbound_creds_row.h):
 * qrgatectl push and the aggregator's people list send these.  c must
 * have passed credential_validate() (its text is UTF-8).  NULL when out
 * of memory.
 */
json_t *credential_json(const struct credential *c);

/* The CSV's columns, in order, as its header line names them. */
#define CRED_CSV_FIELDS	16
extern const char *const cred_csv_header[CRED_CSV_FIELDS];

int cred_csv_read(FILE *f, const char *fname,
    int (*row)(const struct credential *c, int line, void *arg, char *msg,
    size_t msglen), void *arg, char *err, size_t errlen);

#endif
