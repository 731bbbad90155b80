/*
 * Signed credential tokens (see token.h and docs/tokens.md for the format).
 * token_parse() reads text from a camera, that is from anyone: it checks
 * every length before it copies, and accepts one spelling of each token
 * only, so the text can be hashed and compared as the token itself.
 */
#include <string.h>

#include <sodium.h>

#include "base45.h"
#include "token.h"

/* Signed before the body, so a signature made for anything else (another
 * protocol with the same key) can never pass for a token's. */
#define TOKEN_CONTEXT		"qrgate-token-v1"
#define TOKEN_CONTEXT_LEN	(sizeof(TOKEN_CONTEXT) - 1)
#define TOKEN_PREFIX_LEN	(sizeof(TOKEN_PREFIX) - 1)
#define TOKEN_RAW_MAX		(TOKEN_BODY_MAX + TOKEN_SIG_BYTES)

_Static_assert(TOKEN_TEXT_MAX >= TOKEN_PREFIX_LEN +
    BASE45_ENCODED_LEN(TOKEN_RAW_MAX) + 1, "TOKEN_TEXT_MAX too small");

bool
token_id_ok(const char *id, size_t len)
{
	if (len < 1 || len > TOKEN_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((uint8_t)id[i] < 0x21 || (uint8_t)id[i] > 0x7e)
			return false;
	return true;
}

static void
token_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
token_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The body's length for a type and an id length, or 0 for no such type. */
static size_t
token_body_len(int type, size_t idlen)
{
	if (type == TOKEN_BADGE)
		return 2 + idlen + 8;
	if (type == TOKEN_DYNAMIC)
		return 2 + idlen + 4;
	return 0;
}

/* The message the signature covers: the context, then the body. */
static size_t
token_message(const uint8_t *body, size_t body_len,
    uint8_t msg[TOKEN_CONTEXT_LEN + TOKEN_BODY_MAX])
{
	memcpy(msg, TOKEN_CONTEXT, TOKEN_CONTEXT_LEN);
	memcpy(msg + TOKEN_CONTEXT_LEN, body, body_len);
	return TOKEN_CONTEXT_LEN + body_len;
}

int
token_parse(const uint8_t *text, size_t len, struct token *t)
{
	uint8_t raw[TOKEN_RAW_MAX];
	size_t idlen, body_len;
	int n;

	memset(t, 0, sizeof(*t));
	if (text == NULL || len < TOKEN_PREFIX_LEN ||
	    memcmp(text, TOKEN_PREFIX, TOKEN_PREFIX_LEN) != 0)
		return 0;
	text += TOKEN_PREFIX_LEN;
	len -= TOKEN_PREFIX_LEN;
	/* Longer than the longest token: refused before decoding. */
	if (len > BASE45_ENCODED_LEN(TOKEN_RAW_MAX) ||
	    (n = base45_decode((const char *)text, len, raw, sizeof(raw))) < 0)
		return -1;
	if ((size_t)n < 2)
		return -1;
	idlen = raw[1];
	if ((body_len = token_body_len(raw[0], idlen)) == 0 ||
	    idlen < 1 || idlen > TOKEN_ID_MAX ||
	    (size_t)n != body_len + TOKEN_SIG_BYTES ||
	    !token_id_ok((const char *)raw + 2, idlen))
		return -1;

	t->type = raw[0];
	memcpy(t->id, raw + 2, idlen);
	t->id[idlen] = '\0';
	if (t->type == TOKEN_BADGE) {
		t->serial = token_get_u32(raw + 2 + idlen);
		t->expires_s = token_get_u32(raw + 2 + idlen + 4);
	} else
		t->step = token_get_u32(raw + 2 + idlen);
	memcpy(t->body, raw, body_len);
	t->body_len = body_len;
	memcpy(t->sig, raw + body_len, TOKEN_SIG_BYTES);
	return 1;
}

bool
token_verify(const struct token *t, const uint8_t pk[TOKEN_PK_BYTES])
{
	uint8_t msg[TOKEN_CONTEXT_LEN + TOKEN_BODY_MAX];
	size_t n;

	if (t->body_len > TOKEN_BODY_MAX || sodium_init() < 0)
		return false;
	n = token_message(t->body, t->body_len, msg);
	return crypto_sign_verify_detached(t->sig, msg, n, pk) == 0;
}

/* Signs body and writes the token's text. */
static int
token_make(const uint8_t *body, size_t body_len,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen)
{
	uint8_t msg[TOKEN_CONTEXT_LEN + TOKEN_BODY_MAX], raw[TOKEN_RAW_MAX];
	size_t n;
	int r;

	if (outlen < TOKEN_PREFIX_LEN + 1 || sodium_init() < 0)
		return -1;
	n = token_message(body, body_len, msg);
	memcpy(raw, body, body_len);
	if (crypto_sign_detached(raw + body_len, NULL, msg, n, sk) != 0)
		return -1;
	memcpy(out, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
	r = base45_encode(raw, body_len + TOKEN_SIG_BYTES,
	    out + TOKEN_PREFIX_LEN, outlen - TOKEN_PREFIX_LEN);
	if (r < 0) {
		out[0] = '\0';
		return -1;
	}
	return (int)TOKEN_PREFIX_LEN + r;
}

/* Writes type, id length and id; returns the offset after them, or 0. */
static size_t
token_head(uint8_t *body, enum token_type type, const char *id)
{
	size_t idlen;

	if (id == NULL)
		return 0;
	idlen = strnlen(id, TOKEN_ID_MAX + 1);
	if (!token_id_ok(id, idlen))
		return 0;
	body[0] = (uint8_t)type;
	body[1] = (uint8_t)idlen;
	memcpy(body + 2, id, idlen);
	return 2 + idlen;
}

int
token_badge_make(const char *id, uint32_t serial, int64_t expires_s,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen)
{
	uint8_t body[TOKEN_BODY_MAX];
	size_t o;

	if (expires_s < 0 || expires_s > UINT32_MAX ||
	    (o = token_head(body, TOKEN_BADGE, id)) == 0)
		return -1;
	token_put_u32(body + o, serial);
	token_put_u32(body + o + 4, (uint32_t)expires_s);
	return token_make(body, o + 8, sk, out, outlen);
}

int
token_dynamic_make(const char *id, uint32_t step,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen)
{
	uint8_t body[TOKEN_BODY_MAX];
	size_t o;

	if ((o = token_head(body, TOKEN_DYNAMIC, id)) == 0)
		return -1;
	token_put_u32(body + o, step);
	return token_make(body, o + 4, sk, out, outlen);
}

uint32_t
token_step_of(int64_t now_s, int step_s)
{
	int64_t step;

	/* A clock before the epoch has no step of its own: it gets the
	 * first, rather than a wrapped-around one. */
	if (now_s < 0 || step_s <= 0)
		return 0;
	step = now_s / step_s;
	return step > UINT32_MAX ? UINT32_MAX : (uint32_t)step;
}
