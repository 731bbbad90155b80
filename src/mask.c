/*
 * Masking of subjects for the log.  Lengths are counted in bytes, since
 * subjects are ASCII digits or badge ids; a subject with any other byte is
 * masked whole, because its last four bytes could be part of a character
 * and no useful, safe suffix can be shown.
 */
#include <string.h>

#include "mask.h"

#define MASK_KEEP	4	/* characters MASK_LAST4 shows */

static const char *const mask_mode_names[MASK_MODE_COUNT] = {
	"last4", "none",
};

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

const char *
mask_mode_name(enum mask_mode m)
{
	return ((int)m >= 0 && m < MASK_MODE_COUNT) ? mask_mode_names[m] : "?";
}

int
mask_mode_from_name(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < MASK_MODE_COUNT; i++)
		if (strcmp(mask_mode_names[i], s) == 0)
			return i;
	return -1;
}
