/*
 * A card read by a Wiegand reader as the payload the decision takes: the
 * reader's frame decodes to a struct wiegand_card (wiegand.h), and the
 * card's text is what credentials of kind card are stored under.
 */
#ifndef QRGATE_PAYLOAD_CARD_H
#define QRGATE_PAYLOAD_CARD_H

#include "payload.h"
#include "wiegand.h"

/*
 * Fills out as a card's payload: kind CRED_CARD, subject the card's text
 * (wiegand_card_print()).  Returns PAYLOAD_OK, or PAYLOAD_MALFORMED (out
 * cleared, kind CRED_CARD) if card is not a card the text can say, so
 * the caller decides it as a malformed code of that kind.
 */
int payload_from_card(const struct wiegand_card *card, struct payload *out);

#endif
