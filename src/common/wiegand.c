/*
 * The format table, and decoding and encoding a card by it.
 * Layouts as HID's format documents give them (positions from 0 here,
 * from 1 there); the parity sets are written as masks of positions, the
 * contiguous ones with SPAN() and Corporate 1000's interleaved ones as
 * constants, which tests/unit/test_wiegand.c rebuilds from HID's words.
 */
#include <string.h>

#include "util.h"
#include "wiegand.h"
#include "wiegand_bits.h"

/* Positions a to b, both included, as a cover mask. */
#define SPAN(a, b)	(((UINT64_C(1) << ((b) - (a) + 1)) - 1) << (a))

/*
 * Corporate 1000 35: the second bit is even parity over positions 2 to
 * 33 except every third from 4 (4, 7, ... 31); the last bit is odd
 * parity over 1 to 33 except every third from 3 (3, 6, ... 33), itself
 * covering the second; the first bit is odd parity over all the others,
 * so it is computed last.
 */
#define C1K35_P2	UINT64_C(0x36db6db6c)
#define C1K35_P3	UINT64_C(0x1b6db6db6)

static const struct wiegand_format_desc wiegand_formats[WIEGAND_NFORMATS] = {
	[WIEGAND_H10301] = { "h10301", "HID H10301 26-bit", 26, 1, 8, 9, 16,
	    2, { { 0, false, SPAN(1, 12) }, { 25, true, SPAN(13, 24) } } },
	[WIEGAND_H10306] = { "h10306", "HID H10306 34-bit", 34, 1, 16, 17, 16,
	    2, { { 0, false, SPAN(1, 16) }, { 33, true, SPAN(17, 32) } } },
	[WIEGAND_C1K35] = { "c1k35", "HID Corporate 1000 35-bit", 35,
	    2, 12, 14, 20, 3, { { 1, false, C1K35_P2 },
	    { 34, true, C1K35_P3 }, { 0, true, SPAN(1, 34) } } },
	[WIEGAND_H10304] = { "h10304", "HID H10304 37-bit", 37, 1, 16, 17, 19,
	    2, { { 0, false, SPAN(1, 18) }, { 36, true, SPAN(18, 35) } } },
	[WIEGAND_H10302] = { "h10302", "HID H10302 37-bit", 37, 0, 0, 1, 35,
	    2, { { 0, false, SPAN(1, 18) }, { 36, true, SPAN(18, 35) } } },
	[WIEGAND_RAW] = { "raw", "raw bits", 0, 0, 0, 0, 0, 0, { { 0 } } },
};

static const char *const wiegand_errors[] = {
	[WIEGAND_OK] = "ok",
	[WIEGAND_ESHORT] = "short burst",
	[WIEGAND_ELONG] = "long burst",
	[WIEGAND_ELENGTH] = "unknown length",
	[WIEGAND_EPARITY] = "parity error",
	[WIEGAND_ERANGE] = "value out of range",
	[WIEGAND_EINVAL] = "invalid",
};

/* The number of ones, mod 2, among the positions in cover. */
static int
bits_parity(const uint8_t *bits, uint64_t cover)
{
	int p = 0;

	for (unsigned i = 0; i < 64; i++)
		if (cover >> i & 1)
			p ^= wiegand_bit(bits, i);
	return p;
}

const struct wiegand_format_desc *
wiegand_format_get(enum wiegand_format f)
{
	if ((unsigned)f >= WIEGAND_NFORMATS)
		return NULL;
	return &wiegand_formats[f];
}

int
wiegand_format_by_name(const char *name)
{
	for (size_t f = 0; f < nitems(wiegand_formats); f++)
		if (strcmp(wiegand_formats[f].name, name) == 0)
			return (int)f;
	return -1;
}

const char *
wiegand_strerror(enum wiegand_status s)
{
	if ((unsigned)s >= nitems(wiegand_errors))
		return "unknown error";
	return wiegand_errors[s];
}

void
wiegand_decode_conf_default(struct wiegand_decode_conf *conf)
{
	static const enum wiegand_format order[] = {
		WIEGAND_H10301, WIEGAND_H10306, WIEGAND_C1K35, WIEGAND_H10304,
	};

	memset(conf, 0, sizeof(*conf));
	memcpy(conf->order, order, sizeof(order));
	conf->norder = nitems(order);
	conf->raw_min = 32;
	conf->raw_max = 64;
}

/* Clears the bits of c past its frame's end, so that equal frames are
 * equal bytes. */
static void
card_clear_tail(struct wiegand_card *c)
{
	size_t used = (c->nbits + 7) / 8;

	if (c->nbits % 8)
		c->bits[c->nbits / 8] &= (uint8_t)(0xff00 >> (c->nbits % 8));
	memset(c->bits + used, 0, sizeof(c->bits) - used);
}

/* Copies a frame into c. */
static void
card_take_bits(struct wiegand_card *c, const uint8_t *bits, unsigned nbits)
{
	memcpy(c->bits, bits, (nbits + 7) / 8);
	c->nbits = nbits;
	card_clear_tail(c);
}

enum wiegand_status
wiegand_decode(const uint8_t *bits, unsigned nbits,
    const struct wiegand_decode_conf *conf, struct wiegand_card *card,
    int *bad_bit)
{
	unsigned shortest = UINT32_MAX, longest = 0;

	if (bad_bit != NULL)
		*bad_bit = -1;
	if (conf->norder > WIEGAND_NFORMATS)
		return WIEGAND_EINVAL;
	if (nbits == 0)
		return WIEGAND_ESHORT;
	if (nbits > WIEGAND_MAX_BITS)
		return WIEGAND_ELONG;
	for (unsigned k = 0; k < conf->norder; k++) {
		const struct wiegand_format_desc *d;

		d = wiegand_format_get(conf->order[k]);
		if (d == NULL || d->nbits == 0)
			return WIEGAND_EINVAL;
		if (d->nbits < shortest)
			shortest = d->nbits;
		if (d->nbits > longest)
			longest = d->nbits;
		if (d->nbits != nbits)
			continue;
		for (unsigned p = 0; p < d->nparity; p++) {
			const struct wiegand_parity *r = &d->parity[p];

			if ((bits_parity(bits, r->cover) ^
			    wiegand_bit(bits, r->pos)) != r->odd) {
				if (bad_bit != NULL)
					*bad_bit = r->pos;
				return WIEGAND_EPARITY;
			}
		}
		memset(card, 0, sizeof(*card));
		card->format = conf->order[k];
		card->facility = (uint32_t)wiegand_bits_get(bits, d->fac_pos,
		    d->fac_len);
		card->number = wiegand_bits_get(bits, d->card_pos,
		    d->card_len);
		card_take_bits(card, bits, nbits);
		return WIEGAND_OK;
	}
	if (conf->raw_min <= conf->raw_max) {
		if (nbits >= conf->raw_min && nbits <= conf->raw_max) {
			memset(card, 0, sizeof(*card));
			card->format = WIEGAND_RAW;
			card_take_bits(card, bits, nbits);
			if (nbits <= 64)
				card->number = wiegand_bits_get(bits, 0, nbits);
			return WIEGAND_OK;
		}
		if (conf->raw_min < shortest)
			shortest = conf->raw_min;
		if (conf->raw_max > longest)
			longest = conf->raw_max;
	}
	if (nbits < shortest)
		return WIEGAND_ESHORT;
	if (nbits > longest)
		return WIEGAND_ELONG;
	return WIEGAND_ELENGTH;
}

enum wiegand_status
wiegand_encode(struct wiegand_card *c)
{
	const struct wiegand_format_desc *d = wiegand_format_get(c->format);

	if (d == NULL)
		return WIEGAND_EINVAL;
	if (c->format == WIEGAND_RAW) {
		if (c->nbits == 0 || c->nbits > WIEGAND_MAX_BITS)
			return WIEGAND_ERANGE;
		if (c->facility != 0)
			return WIEGAND_ERANGE;
		if (c->nbits > 64) {
			c->number = 0;
			card_clear_tail(c);
			return WIEGAND_OK;
		}
		if (!wiegand_fits(c->number, c->nbits))
			return WIEGAND_ERANGE;
		memset(c->bits, 0, sizeof(c->bits));
		wiegand_bits_put(c->bits, 0, c->nbits, c->number);
		return WIEGAND_OK;
	}
	if (!wiegand_fits(c->facility, d->fac_len) ||
	    !wiegand_fits(c->number, d->card_len))
		return WIEGAND_ERANGE;
	memset(c->bits, 0, sizeof(c->bits));
	c->nbits = d->nbits;
	wiegand_bits_put(c->bits, d->fac_pos, d->fac_len, c->facility);
	wiegand_bits_put(c->bits, d->card_pos, d->card_len, c->number);
	for (unsigned p = 0; p < d->nparity; p++) {
		const struct wiegand_parity *r = &d->parity[p];

		wiegand_bits_set(c->bits, r->pos,
		    bits_parity(c->bits, r->cover) ^ r->odd);
	}
	return WIEGAND_OK;
}

bool
wiegand_card_equal(const struct wiegand_card *a, const struct wiegand_card *b)
{
	return a->format == b->format && a->facility == b->facility &&
	    a->number == b->number && a->nbits == b->nbits &&
	    memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}
