/*
 * The signed envelope of a push (signed_msg.h says what it is and how a
 * gate opens it): what qrgatectl push and the aggregator send a gate is
 *
 *	{"body": "<the push document, as a JSON string>",
 *	 "sig": "<base64 of the 64-byte detached signature>"}
 *
 * signed over SIGNED_MSG_CONTEXT, the topic without its prefix, a newline
 * and the body's bytes.
 */
#ifndef QRGATE_SEAL_H
#define QRGATE_SEAL_H

#include <stddef.h>
#include <stdint.h>

/* What the signed bytes begin with: a signature made for anything else
 * (a badge token, a later format) never verifies as a push. */
#define SIGNED_MSG_CONTEXT	"qrgate-push-v1\n"

/* Base64 of a 64-byte signature, without its NUL. */
#define SIGNED_SIG_TEXT_LEN	88

/*
 * The bytes a signature covers: the context, the topic, a newline, the
 * body.  malloc'd, *n its length; NULL when out of memory.
 */
uint8_t *signed_msg_input(const char *topic, const uint8_t *body, size_t len,
    size_t *n);

/*
 * The envelope of body for topic (the prefix stripped), signed with the
 * libsodium secret key sk: compact JSON text, malloc'd.  NULL with a
 * message in err when body is not UTF-8 text (a JSON string cannot hold
 * it) or out of memory.
 */
char *signed_msg_seal(const char *topic, const uint8_t *body, size_t len,
    const uint8_t sk[64], char *err, size_t errlen);

#endif
