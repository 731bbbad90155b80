/*
 * Legacy printed badges: the whole payload is the badge id.  The character
 * set is deliberately narrow (letters, digits, '.', '_', '-'), so anything
 * with quotes, spaces, shell or SQL syntax never becomes a badge and is
 * logged as unknown-format instead.
 */
#include <string.h>

#include "payload.h"

#define BADGE_ID_MAX	32

_Static_assert(BADGE_ID_MAX < sizeof(((struct payload *)0)->subject),
    "a badge id and its NUL must fit the subject");

static int
badge_char_ok(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static int
badge_parse(const uint8_t *data, size_t len, struct payload *out)
{
	if (data == NULL || len == 0 || len > BADGE_ID_MAX)
		return PAYLOAD_PASS;
	for (size_t i = 0; i < len; i++)
		if (!badge_char_ok(data[i]))
			return PAYLOAD_PASS;

	memset(out, 0, sizeof(*out));
	out->kind = CRED_BADGE;
	memcpy(out->subject, data, len);
	out->subject[len] = '\0';
	return PAYLOAD_OK;
}

const struct payload_parser payload_parser_badge = {
	.name = "badge",
	.kind = CRED_BADGE,
	.parse = badge_parse,
};
