/*
 * Signed credential tokens: what a badge printer or a phone app puts in a
 * QR code so that a copy is worth nothing (dynamic) or can be revoked
 * (badge), and the visitor's pass a gate honours with no credential row.
 * docs/tokens.md specifies the format byte by byte, with test vectors; in
 * short:
 *
 *   text  = "QG1:" base45(body || signature)        (QR alphanumeric mode)
 *   body  = type (1 byte: 1 badge, 2 dynamic, 3 visitor)
 *           id length (1 byte, 1..TOKEN_ID_MAX) || id (printable ASCII)
 *           badge:   serial (u32, big-endian) || expiry (u32 BE, Unix s)
 *           dynamic: step (u32 BE, Unix time / step length)
 *           visitor: not-before (u32 BE) || expiry (u32 BE, Unix s) ||
 *                    lanes length (1 byte, 1..TOKEN_LANES_MAX) || lanes
 *   signature = Ed25519("qrgate-token-v1" || body), 64 bytes
 *
 * A badge is signed by the site's issuer key, a dynamic token by the
 * worker's own key, of which the gate holds only the public half, and a
 * visitor's pass by the site's visitor key (the desk's).
 *
 * Shared by the gate (which reads tokens) and by qrgatectl and the
 * aggregator's visitor desk (which make them).
 */
#ifndef QRGATE_TOKEN_H
#define QRGATE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_PREFIX		"QG1:"
#define TOKEN_ID_MAX		32
#define TOKEN_SIG_BYTES		64
#define TOKEN_PK_BYTES		32
#define TOKEN_SK_BYTES		64
/* A visitor pass's lanes: as a credential's (credential.h), shorter, so
 * that the pass stays a QR code a phone's screen or a label shows well. */
#define TOKEN_LANES_MAX		64
/* type, id length, id, not-before, expiry, lanes length and lanes: the
 * longest body, a visitor's. */
#define TOKEN_BODY_MAX		(2 + TOKEN_ID_MAX + 8 + 1 + TOKEN_LANES_MAX)
/* The longest token text, with its NUL. */
#define TOKEN_TEXT_MAX		(sizeof(TOKEN_PREFIX) + \
	((TOKEN_BODY_MAX + TOKEN_SIG_BYTES + 1) / 2) * 3 + 1)
/* The default time step of dynamic tokens, in seconds. */
#define TOKEN_STEP_S		30

enum token_type { TOKEN_BADGE = 1, TOKEN_DYNAMIC = 2, TOKEN_VISITOR = 3 };

struct token {
	enum token_type type;
	char id[TOKEN_ID_MAX + 1];	/* NUL-terminated */
	uint32_t serial;		/* badge */
	int64_t expires_s;		/* badge, visitor: Unix s, exclusive */
	uint32_t step;			/* dynamic */
	int64_t not_before_s;		/* visitor: Unix s, inclusive */
	char lanes[TOKEN_LANES_MAX + 1];	/* visitor, NUL-terminated */
	uint8_t body[TOKEN_BODY_MAX];	/* the signed bytes, as read */
	size_t body_len;
	uint8_t sig[TOKEN_SIG_BYTES];
};

/*
 * Parses a token's text (exactly len bytes, which may hold anything).
 * Returns 0 when it does not start with TOKEN_PREFIX (not a token), 1 with
 * *t filled when it is well formed (the signature is not checked), -1 when
 * it starts with the prefix but is malformed.
 */
int token_parse(const uint8_t *text, size_t len, struct token *t);

/* True when t's signature verifies against the public key pk. */
bool token_verify(const struct token *t, const uint8_t pk[TOKEN_PK_BYTES]);

/* Whether id (len bytes) may stand in a token: 1..TOKEN_ID_MAX bytes of
 * printable ASCII, no space. */
bool token_id_ok(const char *id, size_t len);

/* Whether lanes (len bytes) may stand in a visitor pass: 1..TOKEN_LANES_MAX
 * bytes of printable ASCII, no space. */
bool token_lanes_ok(const char *lanes, size_t len);

/*
 * Makes a token's text in out (NUL-terminated).  id: 1..TOKEN_ID_MAX
 * printable ASCII bytes.  Returns its length, or -1 (bad id, or out is too
 * small).
 */
int token_badge_make(const char *id, uint32_t serial, int64_t expires_s,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen);
int token_dynamic_make(const char *id, uint32_t step,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen);
/* lanes: 1..TOKEN_LANES_MAX printable ASCII bytes, no space (the lane
 * syntax of credential.h); not_before_s before expires_s. */
int token_visitor_make(const char *id, int64_t not_before_s,
    int64_t expires_s, const char *lanes, const uint8_t sk[TOKEN_SK_BYTES],
    char *out, size_t outlen);

/* The step of Unix time now_s for a step length of step_s seconds. */
uint32_t token_step_of(int64_t now_s, int step_s);

#endif
