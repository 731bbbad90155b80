/*
 * Base45 (RFC 9285): bytes as text in QR's alphanumeric character set,
 * so a code in alphanumeric mode carries them at 5.5 bits a character.
 * Two bytes become three characters, a last odd byte two.
 */
#ifndef QRGATE_BASE45_H
#define QRGATE_BASE45_H

#include <stddef.h>
#include <stdint.h>

/* The text length of n bytes, without a NUL. */
#define BASE45_ENCODED_LEN(n)	((n) / 2 * 3 + (n) % 2 * 2)

/*
 * Encodes len bytes into out, NUL-terminated.  Returns the text's length,
 * or -1 if out (outlen bytes) is too small.
 */
int base45_encode(const uint8_t *in, size_t len, char *out, size_t outlen);

/*
 * Decodes exactly len characters into out.  Returns the number of bytes,
 * or -1 if the text is not base45 (a character outside the alphabet, a
 * triple over 65535, a pair over 255, a dangling single character) or out
 * (outlen bytes) is too small.
 */
int base45_decode(const char *in, size_t len, uint8_t *out, size_t outlen);

#endif
