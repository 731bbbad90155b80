/*
 * QR payload kinds.  A table of parsers, tried in order; each either claims
 * the payload (valid or malformed) or passes.  Later kinds (signed tokens)
 * are one more entry in the table.
 */
#ifndef QRGATE_PAYLOAD_H
#define QRGATE_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "token.h"
#include "types.h"

struct payload {
	enum cred_kind kind;
	char subject[64];	/* what credentials are matched on: the badge
				 * id, or the CCCD's 12-digit number */
	char name[128];		/* CCCD: holder's name (UTF-8); else "" */
	char birth[11];		/* CCCD: YYYY-MM-DD; else "" */
	char issued[11];	/* CCCD: YYYY-MM-DD; else "" */
	struct token token;	/* signed, dynamic: the parsed token, whose
				 * signature the gate verifies once it has
				 * the key (subject is token.id) */
};

enum payload_match {
	PAYLOAD_PASS = 0,	/* not this kind */
	PAYLOAD_OK = 1,		/* this kind, valid: *out filled */
	PAYLOAD_MALFORMED = -1,	/* this kind, but invalid */
};

struct payload_parser {
	const char *name;
	enum cred_kind kind;
	/* Returns an enum payload_match; reads exactly len bytes, which may
	 * hold NULs and need not be valid UTF-8. */
	int (*parse)(const uint8_t *data, size_t len, struct payload *out);
};

extern const struct payload_parser payload_parser_cccd;
extern const struct payload_parser payload_parser_badge;
extern const struct payload_parser payload_parser_signed;
extern const struct payload_parser payload_parser_dynamic;
extern const struct payload_parser payload_parser_visitor;

/*
 * Tries every parser in order.  Returns PAYLOAD_OK with *out filled,
 * PAYLOAD_MALFORMED (a parser claimed it but found it invalid; out->kind
 * says which), or PAYLOAD_PASS (no parser knows it: unknown-format).
 */
int payload_parse(const uint8_t *data, size_t len, struct payload *out);

#endif
