/*
 * Wiegand keypads: a key a burst, gathered into a PIN.
 *
 * Readers with a keypad (HID's, most Chinese ones) send each key as its
 * own short burst: 4 bits, the key's value (0 to 9, * as 10, # as 11),
 * or 8 bits, the complement of those 4 bits and then the 4 bits, so that
 * a burst that lost or gained a bit on the way is seen.  A PIN ends with
 * # or when the keys stop: the timeout is the caller's timer, set to
 * wiegand_pin_deadline(); * clears what was typed, as on HID's readers.
 *
 * A key that cannot be read voids the PIN being typed rather than being
 * left out of it: a PIN missing one digit must not pass for a shorter
 * PIN (esp-rfid #649 reads keypad digits partially).
 */
#ifndef QRGATE_WIEGAND_KEYPAD_H
#define QRGATE_WIEGAND_KEYPAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define WIEGAND_KEY_STAR	10
#define WIEGAND_KEY_HASH	11

/* The longest PIN kept; a longer one is void. */
#define WIEGAND_PIN_MAX		12

/*
 * The key of a 4- or 8-bit burst (packed as in wiegand.h): 0 to 11, or
 * -1 if nbits is neither, the value is not a key (12 to 15), or the
 * upper half of an 8-bit burst is not the complement of the lower.
 */
int wiegand_key_decode(const uint8_t *bits, unsigned nbits);

struct wiegand_pin {
	int64_t timeout_ns;	/* after the last key */
	int64_t last_ns;	/* private */
	bool active;		/* private: keys since the last take */
	bool bad;		/* private: a key could not be read */
	unsigned len;		/* private */
	char digits[WIEGAND_PIN_MAX];	/* private */
};

enum wiegand_pin_event {
	WIEGAND_PIN_MORE,	/* typed so far; take it at the deadline */
	WIEGAND_PIN_READY,	/* # pressed: take it now */
	WIEGAND_PIN_CLEARED,	/* * pressed: nothing typed */
};

void wiegand_pin_init(struct wiegand_pin *pin, int64_t timeout_ns);

/*
 * One key (wiegand_key_decode()'s result, -1 included) at now_ns, on the
 * clock the deadline is on.  A key after the deadline starts a new PIN:
 * what was typed before the pause, not taken in time, is dropped.
 */
enum wiegand_pin_event wiegand_pin_key(struct wiegand_pin *pin, int key,
    int64_t now_ns);

/* When the PIN being typed times out, or -1 if none is. */
int64_t wiegand_pin_deadline(const struct wiegand_pin *pin);

/*
 * Takes the PIN typed (at # or at the deadline) into out as a
 * NUL-terminated string of digits and starts afresh.  Returns its length
 * (0 if nothing was typed), or -1 if it is void (a key could not be read,
 * more than WIEGAND_PIN_MAX digits) or out is too small.
 */
int wiegand_pin_take(struct wiegand_pin *pin, char *out, size_t outlen);

#endif
