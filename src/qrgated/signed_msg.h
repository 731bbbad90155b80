/*
 * Signed pushes: what IT sends a gate over MQTT (config pushes, credential
 * lists, commands) comes in an envelope signed with the site admin's
 * Ed25519 key (security.admin_key):
 *
 *	{"body": "<the push document, as a JSON string>",
 *	 "sig": "<base64 of the 64-byte detached signature>"}
 *
 * The signature covers SIGNED_MSG_CONTEXT, the topic without its prefix
 * ("site1/gate7/config/set"), a newline and the body's bytes, so that a
 * signed push cannot be moved to another gate, another site or another
 * kind of message.  The body then goes to the inbound.h handlers as it
 * is.  Both ends use this file: the gate opens envelopes, qrgatectl push
 * seals them.
 */
#ifndef QRGATE_SIGNED_MSG_H
#define QRGATE_SIGNED_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "seal.h"

/* Why a message was refused before its handler saw it. */
enum signed_reason {
	SIGNED_OK,
	SIGNED_UNSIGNED,	/* no envelope, and unsigned pushes are off */
	SIGNED_BAD_SIGNATURE,	/* the signature does not verify */
	SIGNED_NO_ADMIN_KEY,	/* no admin key to verify with */
	SIGNED_BAD_ADMIN_KEY,	/* security.admin_key is not a public key */
	SIGNED_MALFORMED,	/* an envelope, but not a well-formed one */
	SIGNED_TOO_LARGE,	/* over the topic's limit, not parsed */
};

/* The reason's name in results and logs: "unsigned", "bad-signature"... */
const char *signed_reason_name(enum signed_reason r);

/* The body a handler gets. */
struct signed_msg {
	const uint8_t *body;
	size_t len;
	bool is_signed;		/* it came in a verified envelope */
	json_t *env;		/* holds the body of an envelope; or NULL */
};

/*
 * Opens payload, received on topic (the prefix stripped), under the
 * security.* settings of c: payloads over max bytes are refused unread;
 * an envelope (a JSON object with a "body" or a "sig" member) must be
 * well-formed and verify with security.admin_key; anything else is
 * unsigned, and taken as the body itself only with
 * security.unsigned_pushes.  Returns SIGNED_OK with m filled in (release
 * it with signed_msg_done()), or the reason, with a message in err.
 */
enum signed_reason signed_msg_open(const struct config *c, const char *topic,
    const uint8_t *payload, size_t len, size_t max, struct signed_msg *m,
    char *err, size_t errlen);

void signed_msg_done(struct signed_msg *m);

#endif
