/*
 * Masking of subjects for the log.  Lengths are counted in bytes, since
 * subjects are ASCII digits or badge ids; a subject with any other byte is
 * masked whole, because its last four bytes could be part of a character
 * and no useful, safe suffix can be shown.
 */
#include <string.h>

#include "mask.h"

#define MASK_KEEP	4	/* characters MASK_LAST4 shows */

static int
mask_is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

void
mask_subject(enum mask_mode mode, const char *subject, char *out, size_t outlen)
{
	size_t n, keep = 0, w;

	if (out == NULL || outlen == 0)
		return;
	if (subject == NULL)
		subject = "";
	n = strlen(subject);
	w = n < outlen - 1 ? n : outlen - 1;

	if (mode == MASK_NONE) {
		memcpy(out, subject, w);
		out[w] = '\0';
		return;
	}

	/*
	 * MASK_LAST4, and any mode we do not know, which is masked whole.
	 * A subject of four characters or fewer is masked whole too, so a
	 * short id is never shown complete.
	 */
	if (mode == MASK_LAST4 && n > MASK_KEEP && mask_is_ascii(subject, n))
		keep = MASK_KEEP;
	for (size_t i = 0; i < w; i++)
		out[i] = i < n - keep ? '*' : subject[i];
	out[w] = '\0';
}

/* The length of the valid UTF-8 character at p, or 0. */
static size_t
mask_utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned int cp, min;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	/* A NUL stops here too: it is no continuation byte. */
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
mask_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
mask_name_initials(const char *name, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(name != NULL ? name : "");
	size_t w = 0, n;

	if (out == NULL || outlen == 0)
		return;
	out[0] = '\0';
	while (*p != '\0') {
		while (mask_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		n = mask_utf8_len(p);
		/* The initial, '.', and a space before it unless first. */
		if (w + (w > 0) + (n > 0 ? n : 1) + 1 >= outlen)
			break;
		if (w > 0)
			out[w++] = ' ';
		if (n > 0)
			memcpy(out + w, p, n);
		else
			out[w] = '?';
		w += n > 0 ? n : 1;
		out[w++] = '.';
		out[w] = '\0';
		/* The rest of the word, whatever its bytes. */
		while (*p != '\0' && !mask_is_space(*p))
			p++;
	}
}

bool
mask_has_citizen_number(const char *s)
{
	size_t run = 0;

	for (; *s != '\0'; s++) {
		run = *s >= '0' && *s <= '9' ? run + 1 : 0;
		if (run == 12)
			return true;
	}
	return false;
}
