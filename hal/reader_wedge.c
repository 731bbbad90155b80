/*
 * Key events to codes (reader_wedge.h).
 *
 * Why the US layout: a HID scanner does not send characters but the key
 * positions that type them on the layout it is set to, and every scanner
 * we know leaves the factory set to US (a Honeywell, Zebra or Newland
 * manual's first "keyboard country" barcode is USA).  The QR payloads the
 * gate reads (badge ids, tokens in base64url, CCCD digits and '|') are
 * ASCII, which the US layout types without dead keys.  A site whose
 * scanners are set to another layout would get a second table here, and
 * a reader.keymap setting choosing it (reader_config then carries the
 * table); until then such a scanner is set back to US with its manual's
 * barcode.  Non-ASCII bytes (a CCCD's Vietnamese name) cannot be typed
 * this way at all: a scanner sends them as Alt+keypad digits, which this
 * table does not read, and the name's bytes come out missing; the CCCD
 * check then fails, as it should, for a code not read whole.  A serial
 * scanner (reader_tty.c) passes every byte as it is.
 */
#include <linux/input-event-codes.h>

#include "reader_wedge.h"
#include "util.h"

/* [code] = { unshifted, shifted }; 0: types nothing. */
static const char reader_us_keys[][2] = {
	[KEY_1] = { '1', '!' }, [KEY_2] = { '2', '@' },
	[KEY_3] = { '3', '#' }, [KEY_4] = { '4', '$' },
	[KEY_5] = { '5', '%' }, [KEY_6] = { '6', '^' },
	[KEY_7] = { '7', '&' }, [KEY_8] = { '8', '*' },
	[KEY_9] = { '9', '(' }, [KEY_0] = { '0', ')' },
	[KEY_MINUS] = { '-', '_' }, [KEY_EQUAL] = { '=', '+' },
	[KEY_TAB] = { '\t', '\t' },
	[KEY_Q] = { 'q', 'Q' }, [KEY_W] = { 'w', 'W' }, [KEY_E] = { 'e', 'E' },
	[KEY_R] = { 'r', 'R' }, [KEY_T] = { 't', 'T' }, [KEY_Y] = { 'y', 'Y' },
	[KEY_U] = { 'u', 'U' }, [KEY_I] = { 'i', 'I' }, [KEY_O] = { 'o', 'O' },
	[KEY_P] = { 'p', 'P' },
	[KEY_LEFTBRACE] = { '[', '{' }, [KEY_RIGHTBRACE] = { ']', '}' },
	[KEY_ENTER] = { '\n', '\n' },
	[KEY_A] = { 'a', 'A' }, [KEY_S] = { 's', 'S' }, [KEY_D] = { 'd', 'D' },
	[KEY_F] = { 'f', 'F' }, [KEY_G] = { 'g', 'G' }, [KEY_H] = { 'h', 'H' },
	[KEY_J] = { 'j', 'J' }, [KEY_K] = { 'k', 'K' }, [KEY_L] = { 'l', 'L' },
	[KEY_SEMICOLON] = { ';', ':' }, [KEY_APOSTROPHE] = { '\'', '"' },
	[KEY_GRAVE] = { '`', '~' }, [KEY_BACKSLASH] = { '\\', '|' },
	[KEY_Z] = { 'z', 'Z' }, [KEY_X] = { 'x', 'X' }, [KEY_C] = { 'c', 'C' },
	[KEY_V] = { 'v', 'V' }, [KEY_B] = { 'b', 'B' }, [KEY_N] = { 'n', 'N' },
	[KEY_M] = { 'm', 'M' },
	[KEY_COMMA] = { ',', '<' }, [KEY_DOT] = { '.', '>' },
	[KEY_SLASH] = { '/', '?' },
	/* The keypad as with Num Lock on, which scanners assume. */
	[KEY_KPASTERISK] = { '*', '*' }, [KEY_SPACE] = { ' ', ' ' },
	[KEY_KP7] = { '7', '7' }, [KEY_KP8] = { '8', '8' },
	[KEY_KP9] = { '9', '9' }, [KEY_KPMINUS] = { '-', '-' },
	[KEY_KP4] = { '4', '4' }, [KEY_KP5] = { '5', '5' },
	[KEY_KP6] = { '6', '6' }, [KEY_KPPLUS] = { '+', '+' },
	[KEY_KP1] = { '1', '1' }, [KEY_KP2] = { '2', '2' },
	[KEY_KP3] = { '3', '3' }, [KEY_KP0] = { '0', '0' },
	[KEY_KPDOT] = { '.', '.' },
	[KEY_KPENTER] = { '\n', '\n' }, [KEY_KPSLASH] = { '/', '/' },
};

int
reader_wedge_char(unsigned int code, bool shift)
{
	char c;

	if (code >= nitems(reader_us_keys))
		return -1;
	c = reader_us_keys[code][shift ? 1 : 0];
	return c == 0 ? -1 : (unsigned char)c;
}

void
reader_wedge_init(struct reader_wedge *w, size_t max, int gap_ms)
{
	w->shift[0] = w->shift[1] = false;
	reader_frame_init(&w->fr, max, gap_ms);
}

int
reader_wedge_key(struct reader_wedge *w, unsigned int code, int value,
    int64_t ts_ns)
{
	int c;

	if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT) {
		w->shift[code == KEY_RIGHTSHIFT] = value != 0;
		return READER_WEDGE_MORE;
	}
	/* A scanner types each key once; an autorepeat would be a key held
	 * on a real keyboard, not part of a code. */
	if (value != 1)
		return READER_WEDGE_MORE;
	/* Caps Lock is not followed: a scanner types capitals with shift,
	 * and the lock's state belongs to whatever keyboard set it. */
	if ((c = reader_wedge_char(code, w->shift[0] || w->shift[1])) == -1)
		return READER_WEDGE_MORE;
	if (c == '\n')
		return reader_frame_end(&w->fr) ? READER_WEDGE_ENDED :
		    READER_WEDGE_MORE;
	return reader_frame_add(&w->fr, (uint8_t)c, ts_ns) ?
	    READER_WEDGE_PAUSED : READER_WEDGE_MORE;
}
