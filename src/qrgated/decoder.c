/*
 * The table of QR decoders built into this binary, in the manner of the
 * HAL's backends.c.  zbar is the one every build has; another decoder is
 * added here under its own CONFIG_DECODER_<NAME> when the Makefile finds
 * its library.
 */
#include <stddef.h>
#include <string.h>

#include "decoder.h"

const struct decoder_ops *const decoder_backends[] = {
	&decoder_zbar_ops,
#ifdef CONFIG_DECODER_ZXING
	&decoder_zxing_ops,
	&decoder_cascade_ops,
#endif
	NULL
};

const struct decoder_ops *
decoder_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (int i = 0; decoder_backends[i] != NULL; i++)
		if (strcmp(decoder_backends[i]->name, name) == 0)
			return decoder_backends[i];
	return NULL;
}
