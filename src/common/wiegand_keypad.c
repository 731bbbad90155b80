/*
 * Keypad bursts and the PIN they make.  The 8-bit form's check is the
 * whole point of it: a burst whose halves disagree is a bad key, never
 * its lower half alone.
 */
#include <string.h>

#include "wiegand.h"
#include "wiegand_keypad.h"

int
wiegand_key_decode(const uint8_t *bits, unsigned nbits)
{
	unsigned key;

	if (nbits == 4)
		key = bits[0] >> 4;
	else if (nbits == 8) {
		key = bits[0] & 0xf;
		if ((bits[0] >> 4) != (~key & 0xf))
			return -1;
	} else
		return -1;
	return key <= WIEGAND_KEY_HASH ? (int)key : -1;
}

void
wiegand_pin_init(struct wiegand_pin *pin, int64_t timeout_ns)
{
	memset(pin, 0, sizeof(*pin));
	pin->timeout_ns = timeout_ns;
}

static void
pin_clear(struct wiegand_pin *pin)
{
	pin->active = false;
	pin->bad = false;
	pin->len = 0;
	memset(pin->digits, 0, sizeof(pin->digits));
}

enum wiegand_pin_event
wiegand_pin_key(struct wiegand_pin *pin, int key, int64_t now_ns)
{
	/* An entry whose deadline passed before the caller's timer took it
	 * is not continued: digits typed after a pause belong to a new PIN. */
	if (pin->active && now_ns - pin->last_ns >= pin->timeout_ns)
		pin_clear(pin);
	if (key == WIEGAND_KEY_STAR) {
		pin_clear(pin);
		return WIEGAND_PIN_CLEARED;
	}
	pin->active = true;
	pin->last_ns = now_ns;
	if (key == WIEGAND_KEY_HASH)
		return WIEGAND_PIN_READY;
	if (key < 0 || key > 9 || pin->len == WIEGAND_PIN_MAX)
		pin->bad = true;
	else
		pin->digits[pin->len++] = (char)('0' + key);
	return WIEGAND_PIN_MORE;
}

int64_t
wiegand_pin_deadline(const struct wiegand_pin *pin)
{
	if (!pin->active)
		return -1;
	return pin->last_ns + pin->timeout_ns;
}

int
wiegand_pin_take(struct wiegand_pin *pin, char *out, size_t outlen)
{
	int n = (int)pin->len;

	if (pin->bad || outlen <= pin->len)
		n = -1;
	else {
		memcpy(out, pin->digits, pin->len);
		out[pin->len] = '\0';
	}
	pin_clear(pin);
	return n;
}
