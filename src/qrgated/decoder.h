/*
 * QR decoders behind one ops struct, like the HAL's backends.  A decoder
 * returns the bytes of each code exactly as its error correction produced
 * them: no character-set guessing, no trimming.  Size limits and the
 * hold-off are applied by the caller, the same for every backend.
 */
#ifndef QRGATE_DECODER_H
#define QRGATE_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "camera.h"

#define DECODE_MAX_CODES 8

struct decoded_code {
	const uint8_t *data;	/* valid until the next scan or close */
	size_t len;
};

struct decode_result {
	int count;
	struct decoded_code codes[DECODE_MAX_CODES];
};

struct decoder_ops {
	const char *name;

	/* Returns private state, or NULL with the reason logged. */
	void *(*open)(void);

	/*
	 * Finds the QR codes in one frame.  Returns the number found (also in
	 * out->count), or -1 on error.  Never keeps a pointer to the frame.
	 */
	int (*scan)(void *priv, const struct frame *f, struct decode_result *out);

	void (*close)(void *priv);
};

extern const struct decoder_ops *const decoder_backends[];

extern const struct decoder_ops decoder_zbar_ops;
#ifdef CONFIG_DECODER_ZXING
extern const struct decoder_ops decoder_zxing_ops;
extern const struct decoder_ops decoder_cascade_ops;
/* zxing-cpp with tryHarder: not a backend, a baseline for the bench. */
extern const struct decoder_ops decoder_zxing_harder_ops;
#endif

const struct decoder_ops *decoder_find(const char *name);

#endif
