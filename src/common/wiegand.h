/*
 * Wiegand card formats: a frame of bits as a reader sends it turned into
 * a format, a facility code and a card number, and back; and the text a
 * card is stored and logged as.  Pure logic: the lines, their timing and
 * keypads live in wiegand_frame.h, wiegand_keypad.h and wiegand_plan.h.
 *
 * A frame is packed first bit first: bit 0 of the frame (the first bit
 * on the wire) is the most significant bit of bits[0].  Positions below
 * count from 0 at that first bit, as HID's format documents count from 1:
 * "bit 1" there is position 0 here.
 *
 * Every format is one row of a table (wiegand.c): its length, its
 * fields and its parity bits, each parity bit a set of positions it
 * covers.  Where two formats share a length (H10304 and H10302 are both
 * 37 bits, with the same parity bits, so the bits alone cannot tell them
 * apart) the site's order of preference decides, and the first format of
 * that length in the order is the only one tried: a frame that fails its
 * parity is noise, never a second guess in another layout.
 */
#ifndef QRGATE_WIEGAND_H
#define QRGATE_WIEGAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The longest frame kept.  64 bits covers every card format in use
 * (a 7-byte UID with its two parity bits is 58); 128 leaves room for the
 * readers that send an 8-byte UID with parity (66) or a 64-bit UID and a
 * header, at 16 bytes a frame and no allocation.
 */
#define WIEGAND_MAX_BITS	128
#define WIEGAND_MAX_BYTES	(WIEGAND_MAX_BITS / 8)

/* The longest card text (wiegand_card_print()), with its NUL:
 * "raw:128:" and 32 hex digits. */
#define WIEGAND_TEXT_MAX	48

enum wiegand_format {
	WIEGAND_H10301,		/* 26-bit: 8-bit facility, 16-bit card */
	WIEGAND_H10306,		/* 34-bit: 16-bit facility, 16-bit card */
	WIEGAND_C1K35,		/* 35-bit HID Corporate 1000 */
	WIEGAND_H10304,		/* 37-bit: 16-bit facility, 19-bit card */
	WIEGAND_H10302,		/* 37-bit: 35-bit card, no facility */
	WIEGAND_RAW,		/* any length, no parity: the bits are all */
	WIEGAND_NFORMATS
};

enum wiegand_status {
	WIEGAND_OK = 0,
	WIEGAND_ESHORT,		/* fewer bits than any accepted length */
	WIEGAND_ELONG,		/* more bits than any accepted length */
	WIEGAND_ELENGTH,	/* a length between, that nothing accepts */
	WIEGAND_EPARITY,	/* a parity bit does not match */
	WIEGAND_ERANGE,		/* encode: a value does not fit its field */
	WIEGAND_EINVAL		/* a bad argument: unknown format, bad text */
};

/* One parity bit: the bit at pos makes the number of ones among itself
 * and the positions in cover even, or odd. */
struct wiegand_parity {
	uint8_t pos;
	bool odd;
	uint64_t cover;		/* bit i set: position i counts */
};

#define WIEGAND_MAX_PARITY	3

/* One format: where its fields and parity bits sit. */
struct wiegand_format_desc {
	const char *name;	/* in card texts: "h10301" */
	const char *title;	/* for people: "HID H10301 26-bit" */
	uint8_t nbits;		/* 0: any (raw) */
	uint8_t fac_pos, fac_len;	/* fac_len 0: no facility code */
	uint8_t card_pos, card_len;
	uint8_t nparity;
	/* In the order they are computed: one that covers another parity
	 * bit (Corporate 1000's first) comes after it. */
	struct wiegand_parity parity[WIEGAND_MAX_PARITY];
};

/* A card: its format and fields, and the frame it is sent as. */
struct wiegand_card {
	enum wiegand_format format;
	uint32_t facility;	/* 0 when the format has none */
	uint64_t number;	/* raw: the bits as a number, up to 64 bits */
	unsigned nbits;
	uint8_t bits[WIEGAND_MAX_BYTES];	/* unused bits are 0 */
};

/*
 * What the decoder accepts: the formats to try, in order of preference,
 * and the lengths kept as raw cards when no listed format has them.
 */
struct wiegand_decode_conf {
	enum wiegand_format order[WIEGAND_NFORMATS];
	unsigned norder;
	unsigned raw_min, raw_max;	/* raw_min > raw_max: no raw cards */
};

/* Bit i of a frame. */
static inline int
wiegand_bit(const uint8_t *bits, unsigned i)
{
	return bits[i / 8] >> (7 - i % 8) & 1;
}

/* The row of format f, or NULL if f is not a format. */
const struct wiegand_format_desc *wiegand_format_get(enum wiegand_format f);
/* The format named name ("h10301"...), or -1. */
int wiegand_format_by_name(const char *name);

/*
 * The default: H10301, H10306, Corporate 1000 35, H10304 (so 37 bits
 * are H10304, as sites mostly issue), and raw cards of 32 to 64 bits,
 * which is what readers that pass a card's UID send (esp-rfid #556).
 */
void wiegand_decode_conf_default(struct wiegand_decode_conf *conf);

/*
 * Decodes nbits bits (packed as above) with conf.  WIEGAND_OK with the
 * card in *card; or an error, and for WIEGAND_EPARITY the position of the
 * first parity bit that fails in *bad_bit (may be NULL).  The first
 * format in conf->order of that length decides; failing that a length in
 * conf's raw range is a raw card.
 */
enum wiegand_status wiegand_decode(const uint8_t *bits, unsigned nbits,
    const struct wiegand_decode_conf *conf, struct wiegand_card *card,
    int *bad_bit);

/*
 * Fills c->bits and c->nbits from c->format, c->facility and c->number,
 * parity bits computed.  A raw card of up to 64 bits takes c->nbits and
 * is c->number in that many bits; a longer one keeps c->bits as they
 * are, past its end cleared, and has number 0.
 * WIEGAND_ERANGE if a value does not fit its field.
 */
enum wiegand_status wiegand_encode(struct wiegand_card *c);

/*
 * A card as text, one spelling per card: "h10301:FAC:CARD" (decimal),
 * "h10302:CARD" for a format without facility code, "raw:NBITS:HEX"
 * (the frame as a number, first bit most significant, upper-case, as
 * many digits as nbits needs).  Returns the length, or -1 if c is not
 * a card or out is too small.
 */
int wiegand_card_print(const struct wiegand_card *c, char *out, size_t outlen);
/*
 * Parses what wiegand_card_print() writes, and only that: no signs,
 * spaces, leading zeros or lower-case hex.  Fills *c, bits included.
 * WIEGAND_OK, WIEGAND_EINVAL or WIEGAND_ERANGE.
 */
enum wiegand_status wiegand_card_parse(const char *text,
    struct wiegand_card *c);

/*
 * A site's order of preference as text: format names, most preferred
 * first, separated by commas, no spaces, each once, raw not among them
 * ("h10301,h10306,c1k35,h10304"); "" lists none.  Sets conf->order and
 * conf->norder and returns 0, or returns -1 leaving conf as it was.
 */
int wiegand_format_list_parse(const char *text,
    struct wiegand_decode_conf *conf);
/* conf->order as that text.  Returns the length, or -1 if out is too
 * small or the order is not one wiegand_format_list_parse() takes. */
int wiegand_format_list_print(const struct wiegand_decode_conf *conf,
    char *out, size_t outlen);

/* Whether two cards are the same card: same format, fields and bits. */
bool wiegand_card_equal(const struct wiegand_card *a,
    const struct wiegand_card *b);

/* A word for a status, for logs: "parity error"... */
const char *wiegand_strerror(enum wiegand_status s);

#endif
