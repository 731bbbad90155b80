/*
 * Base45 as RFC 9285 defines it, strictly: every character in the
 * alphabet, every group within range, and the length never 1 mod 3, so
 * each byte string has exactly one text and each text at most one byte
 * string.  A token's text must not have two spellings that decode alike.
 */
#include <limits.h>

#include "base45.h"

static const char base45_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* The value of character c, or -1. */
static int
base45_value(char c)
{
	for (int i = 0; i < 45; i++)
		if (base45_alphabet[i] == c)
			return i;
	return -1;
}

int
base45_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	size_t n = BASE45_ENCODED_LEN(len), o = 0;

	if (len > (SIZE_MAX - 1) / 2 || n >= outlen || n > INT_MAX)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		unsigned v = in[i];
		int digits = 2;

		if (i + 1 < len) {
			v = v * 256 + in[i + 1];
			digits = 3;
		}
		for (int d = 0; d < digits; d++) {
			out[o++] = base45_alphabet[v % 45];
			v /= 45;
		}
	}
	out[o] = '\0';
	return (int)o;
}

int
base45_decode(const char *in, size_t len, uint8_t *out, size_t outlen)
{
	size_t o = 0;

	if (len % 3 == 1 || len / 3 * 2 + len % 3 / 2 > outlen ||
	    len / 3 * 2 > INT_MAX)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		size_t digits = len - i >= 3 ? 3 : 2;
		unsigned v = 0, scale = 1;

		for (size_t d = 0; d < digits; d++) {
			int c = base45_value(in[i + d]);

			if (c < 0)
				return -1;
			v += (unsigned)c * scale;
			scale *= 45;
		}
		if (digits == 3) {
			if (v > 0xffff)
				return -1;
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
		} else {
			if (v > 0xff)
				return -1;
			out[o++] = (uint8_t)v;
		}
	}
	return (int)o;
}
