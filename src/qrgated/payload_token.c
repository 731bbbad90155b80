/*
 * Signed tokens as payloads: a badge token (kind signed), a dynamic
 * token (kind dynamic) or a visitor's pass (kind visitor).  Only the form
 * is checked here; the signature needs the key the configuration or the
 * credential list holds for the id, which the decision looks up.  Anything with the token prefix that is not a well formed
 * token is claimed as a malformed signed token, so that it is logged as
 * malformed rather than as an unknown format.
 */
#include <stdbool.h>
#include <string.h>

#include "payload.h"

_Static_assert(TOKEN_ID_MAX < sizeof(((struct payload *)0)->subject),
    "a token id and its NUL must fit the subject");

/*
 * Claims a well formed token of type want as kind.  A text with the
 * prefix that is no token at all is claimed as malformed only when
 * malformed_too: by the signed parser, which comes first.
 */
static int
payload_token_claim(const uint8_t *data, size_t len, struct payload *out,
    enum token_type want, enum cred_kind kind, bool malformed_too)
{
	struct token t;
	int r = token_parse(data, len, &t);

	if (r == 0)
		return PAYLOAD_PASS;
	if (r < 0)
		return malformed_too ? PAYLOAD_MALFORMED : PAYLOAD_PASS;
	if (t.type != want)
		return PAYLOAD_PASS;
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	memcpy(out->subject, t.id, sizeof(t.id));
	out->token = t;
	return PAYLOAD_OK;
}

static int
payload_signed_parse(const uint8_t *data, size_t len, struct payload *out)
{
	return payload_token_claim(data, len, out, TOKEN_BADGE, CRED_SIGNED,
	    true);
}

static int
payload_dynamic_parse(const uint8_t *data, size_t len, struct payload *out)
{
	return payload_token_claim(data, len, out, TOKEN_DYNAMIC,
	    CRED_DYNAMIC, false);
}

static int
payload_visitor_parse(const uint8_t *data, size_t len, struct payload *out)
{
	return payload_token_claim(data, len, out, TOKEN_VISITOR,
	    CRED_VISITOR, false);
}

const struct payload_parser payload_parser_signed = {
	.name = "signed",
	.kind = CRED_SIGNED,
	.parse = payload_signed_parse,
};

const struct payload_parser payload_parser_dynamic = {
	.name = "dynamic",
	.kind = CRED_DYNAMIC,
	.parse = payload_dynamic_parse,
};

const struct payload_parser payload_parser_visitor = {
	.name = "visitor",
	.kind = CRED_VISITOR,
	.parse = payload_visitor_parse,
};
