/*
 * Masking of identities in the log: the log answers "who was here" through
 * the credential id, while the subject itself (a national ID number) is
 * shown only as much as the site's configuration allows.
 */
#ifndef QRGATE_MASK_H
#define QRGATE_MASK_H

#include <stdbool.h>
#include <stddef.h>

enum mask_mode {
	MASK_LAST4,		/* "*********1234" */
	MASK_NONE,		/* the subject as it is */
	MASK_MODE_COUNT
};

/* Writes the masked subject to out (always NUL-terminated). */
void mask_subject(enum mask_mode mode, const char *subject, char *out, size_t outlen);

/*
 * Writes a holder's name as initials to out (always NUL-terminated): the
 * whole first character of each word, UTF-8 safe, each followed by ". ",
 * e.g. "Nguyen Van An" -> "N. V. A.".  Words are split on spaces, tabs
 * and line breaks.  A first byte that begins no valid UTF-8 character is
 * shown as '?'.  An initial that does not fit is left out whole.
 */
void mask_name_initials(const char *name, char *out, size_t outlen);

/*
 * Whether s holds a run of 12 digits, as a CCCD number does: such text
 * must not be published (a credential id, an error about one).
 */
bool mask_has_citizen_number(const char *s);

#endif
