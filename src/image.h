/*
 * Still images as one 8-bit grey plane: PNG (libpng), JPEG (libjpeg-turbo)
 * and binary PGM (P5), told apart by their first bytes, not by file name.
 * Used by the file camera and by `qrgatectl scan`, so both see the same
 * pixels.
 */
#ifndef QRGATE_IMAGE_H
#define QRGATE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct image {
	uint8_t *y;		/* width * height bytes, rows packed */
	int width;
	int height;
};

/* Images larger than this in either side are refused, never allocated. */
#define IMAGE_MAX_SIDE 8192

/*
 * Each returns 0 with *out filled (free it with image_free()), or -1 with
 * a one-line reason in err (no partial image is left behind).
 */
int image_load(const char *path, struct image *out, char *err, size_t errlen);
int image_load_mem(const uint8_t *buf, size_t len, struct image *out,
    char *err, size_t errlen);

void image_free(struct image *img);

#endif
