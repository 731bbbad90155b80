/*
 * The table of payload parsers.  Order matters: the CCCD parser goes first
 * because its claim (twelve digits, then '|') is narrow, while the badge
 * parser accepts any short run of plain characters.  The token parsers
 * claim only texts with the token prefix, and come before the badge
 * parser so that a token is never taken for a badge id.
 */
#include <string.h>

#include "payload.h"

static const struct payload_parser *const payload_parsers[] = {
	&payload_parser_cccd,
	&payload_parser_signed,
	&payload_parser_dynamic,
	&payload_parser_visitor,
	&payload_parser_badge,
	NULL
};

int
payload_parse(const uint8_t *data, size_t len, struct payload *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = CRED_NONE;
	if (data == NULL && len != 0)
		return PAYLOAD_PASS;

	for (int i = 0; payload_parsers[i] != NULL; i++) {
		const struct payload_parser *p = payload_parsers[i];
		int r = p->parse(data, len, out);

		if (r == PAYLOAD_PASS)
			continue;
		/*
		 * A malformed payload must not carry half-parsed fields into
		 * the log: only the kind survives.
		 */
		if (r != PAYLOAD_OK) {
			memset(out, 0, sizeof(*out));
			r = PAYLOAD_MALFORMED;
		}
		out->kind = p->kind;
		return r;
	}
	memset(out, 0, sizeof(*out));
	out->kind = CRED_NONE;
	return PAYLOAD_PASS;
}
