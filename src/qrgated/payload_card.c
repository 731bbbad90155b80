/*
 * From a decoded Wiegand card to a payload (payload_card.h).  Not one of
 * payload_parse()'s parsers: a card never comes as the bytes of a code,
 * and a code whose text looks like a card's is not a card, so that
 * printing "h10301:12:3456" as a QR code opens nothing.
 */
#include <string.h>

#include "payload_card.h"

_Static_assert(WIEGAND_TEXT_MAX <= sizeof(((struct payload *)0)->subject),
    "a card's text must fit the subject");

int
payload_from_card(const struct wiegand_card *card, struct payload *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = CRED_CARD;
	if (card == NULL || wiegand_card_print(card, out->subject,
	    sizeof(out->subject)) < 0) {
		out->subject[0] = '\0';
		return PAYLOAD_MALFORMED;
	}
	return PAYLOAD_OK;
}
