/*
 * QR codes made by libqrencode, written by libpng or as terminal text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>
#include <qrencode.h>

#include "qrpng.h"

#define QRPNG_DARK	0
#define QRPNG_LIGHT	255

static bool
qrpng_alnum(const char *text)
{
	for (const char *p = text; *p != '\0'; p++)
		if (strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:",
		    *p) == NULL)
			return false;
	return true;
}

/* The code of text, or NULL with a message in err. */
static QRcode *
qrpng_encode(const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	QRinput *in;
	QRcode *qr = NULL;

	if (len == 0 || len > 7089) {
		snprintf(err, errlen, "cannot encode %zu characters as a QR "
		    "code", len);
		return NULL;
	}
	/*
	 * One alphanumeric segment, rather than libqrencode's own split into
	 * modes: the code then has the mode docs/tokens.md promises.
	 */
	if (qrpng_alnum(text)) {
		if ((in = QRinput_new2(0, QR_ECLEVEL_M)) != NULL &&
		    QRinput_append(in, QR_MODE_AN, (int)len,
		    (const unsigned char *)text) == 0)
			qr = QRcode_encodeInput(in);
		QRinput_free(in);
	} else
		qr = QRcode_encodeData((int)len, (const unsigned char *)text,
		    0, QR_ECLEVEL_M);
	if (qr == NULL)
		snprintf(err, errlen, "cannot encode %zu characters as a QR "
		    "code: %s", len, strerror(errno));
	return qr;
}

/* Whether module (x, y) of the code with its quiet zone is dark. */
static bool
qrpng_dark(const QRcode *qr, int x, int y)
{
	x -= QRPNG_QUIET;
	y -= QRPNG_QUIET;
	return x >= 0 && y >= 0 && x < qr->width && y < qr->width &&
	    (qr->data[y * qr->width + x] & 1);
}

/* libpng reports errors by longjmp; this keeps its message for err. */
struct qrpng_png_err {
	char msg[128];
};

static void
qrpng_png_error(png_structp png, png_const_charp msg)
{
	struct qrpng_png_err *e = png_get_error_ptr(png);

	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void
qrpng_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int
qrpng_png_write(FILE *f, const QRcode *qr, int scale, char *msg,
    size_t msglen)
{
	struct qrpng_png_err e = { "out of memory" };
	int side = (qr->width + 2 * QRPNG_QUIET) * scale;
	png_structp png;
	png_infop info = NULL;
	uint8_t *row;

	if ((row = malloc((size_t)side)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e,
	    qrpng_png_error, qrpng_png_warning);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL)
		goto fail;
	if (setjmp(png_jmpbuf(png)))
		goto fail;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < side; y++) {
		for (int x = 0; x < side; x++)
			row[x] = qrpng_dark(qr, x / scale, y / scale) ?
			    QRPNG_DARK : QRPNG_LIGHT;
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;

fail:
	snprintf(msg, msglen, "%s", e.msg);
	png_destroy_write_struct(&png, &info);
	free(row);
	return -1;
}

/* The code of text, for a PNG of scale pixels a module; NULL with err. */
static QRcode *
qrpng_scaled(const char *text, int scale, char *err, size_t errlen)
{
	if (scale < 1 || scale > QRPNG_SCALE_MAX) {
		snprintf(err, errlen, "scale %d not in 1..%d", scale,
		    QRPNG_SCALE_MAX);
		return NULL;
	}
	return qrpng_encode(text, err, errlen);
}

int
qrpng_write(const char *path, const char *text, int scale, char *err,
    size_t errlen)
{
	char msg[160];
	QRcode *qr;
	FILE *f;
	int r;

	if ((qr = qrpng_scaled(text, scale, err, errlen)) == NULL)
		return -1;
	if ((f = fopen(path, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		QRcode_free(qr);
		return -1;
	}
	r = qrpng_png_write(f, qr, scale, msg, sizeof(msg));
	QRcode_free(qr);
	if (r == -1)
		snprintf(err, errlen, "%s: %s", path, msg);
	if (fclose(f) == EOF && r == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	if (r == -1)
		unlink(path);
	return r;
}

int
qrpng_write_mem(const char *text, int scale, char **png, size_t *len,
    char *err, size_t errlen)
{
	QRcode *qr;
	FILE *f;
	int r;

	*png = NULL;
	*len = 0;
	if ((qr = qrpng_scaled(text, scale, err, errlen)) == NULL)
		return -1;
	if ((f = open_memstream(png, len)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		QRcode_free(qr);
		return -1;
	}
	r = qrpng_png_write(f, qr, scale, err, errlen);
	QRcode_free(qr);
	if (fclose(f) == EOF && r == 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		r = -1;
	}
	if (r == -1) {
		free(*png);
		*png = NULL;
		*len = 0;
	}
	return r;
}

int
qrpng_draw(FILE *f, const char *text, char *err, size_t errlen)
{
	/* Indexed by (top dark) | (bottom dark) << 1, drawn in black. */
	static const char *const cell[4] = {
		" ", "\u2580", "\u2584", "\u2588"
	};
	QRcode *qr;
	int side;

	if ((qr = qrpng_encode(text, err, errlen)) == NULL)
		return -1;
	side = qr->width + 2 * QRPNG_QUIET;
	for (int y = 0; y < side; y += 2) {
		fputs("\033[30;47m", f);
		for (int x = 0; x < side; x++)
			fputs(cell[qrpng_dark(qr, x, y) |
			    qrpng_dark(qr, x, y + 1) << 1], f);
		fputs("\033[0m\n", f);
	}
	QRcode_free(qr);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot write the code: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

uint8_t *
qrpng_modules(const char *text, int *width, char *err, size_t errlen)
{
	QRcode *qr;
	uint8_t *m;

	if ((qr = qrpng_encode(text, err, errlen)) == NULL)
		return NULL;
	if ((m = malloc((size_t)qr->width * (size_t)qr->width)) == NULL)
		snprintf(err, errlen, "out of memory");
	else {
		for (int i = 0; i < qr->width * qr->width; i++)
			m[i] = qr->data[i] & 1;
		*width = qr->width;
	}
	QRcode_free(qr);
	return m;
}
