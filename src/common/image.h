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

/*
 * Decodes one JPEG in memory (a camera's MJPEG frame) to 8-bit grey, rows
 * packed, into *plane, which is grown with realloc() only when the image
 * needs more than *cap bytes, so a stream of frames reuses one buffer.
 * On entry *w and *h are the size the image must have (refused from its
 * header, before anything is allocated), or 0 for any size up to
 * IMAGE_MAX_SIDE; on success they are its size.  Huffman tables missing
 * from the frame, as many webcams send it, are libjpeg's standard ones.
 * Unlike image_load(), a warning about bytes after the last row (some
 * webcams pad a frame before its end marker) is not an error: every pixel
 * came from the data.  Returns 0, or -1 with a one-line reason in err;
 * then *plane stays allocated (free() it when done) but its bytes are
 * undefined.
 */
int image_jpeg_decode_grey(const uint8_t *buf, size_t len, uint8_t **plane,
    size_t *cap, int *w, int *h, char *err, size_t errlen);

#endif
