/*
 * Signed credential tokens: what a badge printer or a phone app puts in a
 * QR code so that a copy is worth nothing (dynamic) or can be revoked
 * (badge).  docs/tokens.md specifies the format byte by byte, with test
 * vectors; in short:
 *
 *   text  = "QG1:" base45(body || signature)        (QR alphanumeric mode)
 *   body  = type (1 byte: 1 badge, 2 dynamic)
 *           id length (1 byte, 1..TOKEN_ID_MAX) || id (printable ASCII)
 *           badge:   serial (u32, big-endian) || expiry (u32 BE, Unix s)
 *           dynamic: step (u32 BE, Unix time / step length)
 *   signature = Ed25519("qrgate-token-v1" || body), 64 bytes
 *
 * A badge is signed by the site's issuer key, a dynamic token by the
 * worker's own key, of which the gate holds only the public half.
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
/* type, id length, id, serial and expiry: the longest body. */
#define TOKEN_BODY_MAX		(2 + TOKEN_ID_MAX + 8)
/* The longest token text, with its NUL. */
#define TOKEN_TEXT_MAX		(sizeof(TOKEN_PREFIX) + \
	((TOKEN_BODY_MAX + TOKEN_SIG_BYTES + 1) / 2) * 3 + 1)
/* The default time step of dynamic tokens, in seconds. */
#define TOKEN_STEP_S		30

enum token_type { TOKEN_BADGE = 1, TOKEN_DYNAMIC = 2 };

struct token {
	enum token_type type;
	char id[TOKEN_ID_MAX + 1];	/* NUL-terminated */
	uint32_t serial;		/* badge */
	int64_t expires_s;		/* badge: Unix s, exclusive */
	uint32_t step;			/* dynamic */
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

/*
 * Makes a token's text in out (NUL-terminated).  id: 1..TOKEN_ID_MAX
 * printable ASCII bytes.  Returns its length, or -1 (bad id, or out is too
 * small).
 */
int token_badge_make(const char *id, uint32_t serial, int64_t expires_s,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen);
int token_dynamic_make(const char *id, uint32_t step,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen);

/* The step of Unix time now_s for a step length of step_s seconds. */
uint32_t token_step_of(int64_t now_s, int step_s);

#endif
