/*
 * wiegand_bits.h: private to the Wiegand codec (wiegand.c, wiegand_text.c):
 * reading and writing the bits of a frame packed as wiegand.h says.
 */
#ifndef QRGATE_WIEGAND_BITS_H
#define QRGATE_WIEGAND_BITS_H

#include <stdbool.h>
#include <stdint.h>

#include "wiegand.h"

static inline void
wiegand_bits_set(uint8_t *bits, unsigned i, int v)
{
	uint8_t m = (uint8_t)(0x80 >> (i % 8));

	if (v)
		bits[i / 8] |= m;
	else
		bits[i / 8] &= (uint8_t)~m;
}

/* len (at most 64) bits from pos, the first the most significant. */
static inline uint64_t
wiegand_bits_get(const uint8_t *bits, unsigned pos, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v = v << 1 | (uint64_t)wiegand_bit(bits, pos + i);
	return v;
}

static inline void
wiegand_bits_put(uint8_t *bits, unsigned pos, unsigned len, uint64_t v)
{
	for (unsigned i = 0; i < len; i++)
		wiegand_bits_set(bits, pos + i, (int)(v >> (len - 1 - i) & 1));
}

/* Whether v fits in len bits. */
static inline bool
wiegand_fits(uint64_t v, unsigned len)
{
	return len >= 64 || v >> len == 0;
}

#endif
