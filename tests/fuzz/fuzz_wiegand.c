/*
 * The Wiegand parsers, one per input chosen by its first byte:
 *	0  wiegand_card_parse()		a card's text (credential lists, CSV,
 *					the CLI)
 *	1  wiegand_decode()		a frame: the next byte its length,
 *					the rest its bits
 *	2  wiegand_asm_edge()		edges: each two bytes a line (top
 *					bit) and a time step, then keys
 * A card that parses prints back to the very text (one spelling per
 * card), encodes to the bits it holds and decodes from them to itself; a
 * frame that decodes prints and parses back to the same card; the
 * assembler's frames stay within their bounds, and the keypad and PIN
 * take whatever the frames are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wiegand.h"
#include "wiegand_frame.h"
#include "wiegand_keypad.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	return 0;
}

/* c prints, parses back to itself, and decodes from its bits to itself
 * with its own format first. */
static void
check_card(const struct wiegand_card *c, const char *text)
{
	struct wiegand_decode_conf conf;
	struct wiegand_card back, enc;
	char out[WIEGAND_TEXT_MAX];
	int n;

	n = wiegand_card_print(c, out, sizeof(out));
	if (n <= 0 || (size_t)n >= sizeof(out) ||
	    (text != NULL && strcmp(out, text) != 0))
		abort();
	if (wiegand_card_parse(out, &back) != WIEGAND_OK ||
	    !wiegand_card_equal(c, &back))
		abort();
	enc = *c;
	if (wiegand_encode(&enc) != WIEGAND_OK || !wiegand_card_equal(c, &enc))
		abort();
	wiegand_decode_conf_default(&conf);
	if (c->format == WIEGAND_RAW) {
		conf.norder = 0;
		conf.raw_min = 1;
		conf.raw_max = WIEGAND_MAX_BITS;
	} else {
		conf.order[0] = c->format;
		conf.norder = 1;
	}
	if (wiegand_decode(c->bits, c->nbits, &conf, &back, NULL) !=
	    WIEGAND_OK || !wiegand_card_equal(c, &back))
		abort();
}

static void
fuzz_text(const uint8_t *data, size_t len)
{
	struct wiegand_card c;
	char text[256];

	if (len >= sizeof(text))
		return;
	memcpy(text, data, len);
	text[len] = '\0';
	if (wiegand_card_parse(text, &c) == WIEGAND_OK)
		check_card(&c, text);
}

static void
fuzz_frame(const uint8_t *data, size_t len)
{
	struct wiegand_decode_conf conf;
	struct wiegand_card c;
	uint8_t bits[WIEGAND_MAX_BYTES] = { 0 };
	unsigned nbits;
	int bad, r;

	if (len < 1)
		return;
	nbits = data[0];
	memcpy(bits, data + 1, len - 1 < sizeof(bits) ? len - 1 :
	    sizeof(bits));
	wiegand_decode_conf_default(&conf);
	conf.raw_max = WIEGAND_MAX_BITS;
	r = wiegand_decode(bits, nbits, &conf, &c, &bad);
	if (r == WIEGAND_OK)
		check_card(&c, NULL);
	else if ((r == WIEGAND_EPARITY) != (bad >= 0 && (unsigned)bad < nbits))
		abort();
	(void)wiegand_key_decode(bits, nbits);
}

static void
fuzz_edges(const uint8_t *data, size_t len)
{
	struct wiegand_frame_conf fc;
	struct wiegand_frame done;
	struct wiegand_pin pin;
	struct wiegand_asm a;
	char out[WIEGAND_PIN_MAX + 1];
	int64_t t = 0;

	wiegand_frame_conf_default(&fc);
	fc.gap_ns = 25;
	fc.min_spacing_ns = 2;
	if (wiegand_asm_init(&a, &fc) != 0)
		abort();
	wiegand_pin_init(&pin, 1000);
	for (size_t i = 0; i + 1 < len; i += 2) {
		int line = data[i] >> 7;
		int r;

		/* Mostly forward, sometimes back. */
		t += (int64_t)(data[i] & 0x3f) - (data[i] & 0x40 ? 8 : 0);
		r = wiegand_asm_edge(&a, line, t, &done);
		if (r == 0 && data[i + 1] == 0xff)
			r = wiegand_asm_expire(&a, INT64_MAX, &done);
		if (r < 0 || r > 1)
			abort();
		if (r == 0)
			continue;
		if (done.nbits > fc.max_bits || done.nbits > done.edges ||
		    (done.edges > fc.max_bits) !=
		    ((done.flags & WIEGAND_FRAME_LONG) != 0) ||
		    (done.edges < fc.min_bits) !=
		    ((done.flags & WIEGAND_FRAME_SHORT) != 0))
			abort();
		switch (wiegand_pin_key(&pin, wiegand_key_decode(done.bits,
		    done.nbits), t)) {
		case WIEGAND_PIN_READY:
			if (wiegand_pin_take(&pin, out, sizeof(out)) >
			    WIEGAND_PIN_MAX)
				abort();
			break;
		case WIEGAND_PIN_MORE:
		case WIEGAND_PIN_CLEARED:
			break;
		default:
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_text(data + 1, len - 1);
		break;
	case 1:
		fuzz_frame(data + 1, len - 1);
		break;
	default:
		fuzz_edges(data + 1, len - 1);
		break;
	}
	return 0;
}
