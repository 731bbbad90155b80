/*
 * span.h: a counted piece of a string, [p, p + n), as the list parsers
 * (a credential's lanes, a schedule's text) cut it, trimmed in place.
 */
#ifndef QRGATE_SPAN_H
#define QRGATE_SPAN_H

#include <stddef.h>

/* Trims spaces and tabs from both ends of [*p, *p + *n). */
static inline void
span_trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

#endif
