/*
 * The zbar decoder: zbar's image scanner on the frame's luminance plane,
 * QR only, in binary mode.
 *
 * Binary mode (ZBAR_CFG_BINARY on ZBAR_QRCODE) makes zbar hand back the
 * bytes of byte- and Kanji-mode segments exactly as encoded, instead of
 * guessing a character set (Shift_JIS, ISO 8859-1, Big5 or UTF-8) and
 * converting to UTF-8, which would turn a badge's raw bytes into something
 * else.  What zbar 0.23.92 still does to the bytes in binary mode, from its
 * qrcode/qrdectxt.c:
 *  - A code that declares an ECI character set is still converted from
 *    that set to UTF-8 by iconv, and dropped if the conversion fails:
 *    "caf\xe9" under ECI 3 (ISO 8859-1) comes back as "caf\xc3\xa9", and
 *    invalid UTF-8 under ECI 26 (UTF-8) yields no code at all.  That is the
 *    code's own declaration, not a guess, and zbar offers no way to get the
 *    bytes before conversion.  Badges and CCCD codes carry no ECI.
 *  - A GS1 code (FNC1 first) has its '%' escapes in alphanumeric segments
 *    turned into the group separator 0x1D; an AIM code (FNC1 second) gets
 *    its application indicator prefixed.  That is the standard's meaning.
 *  - Kanji-mode segments come back as their Shift_JIS bytes.
 * Nothing else is changed: NUL bytes and invalid UTF-8 come back as they
 * were encoded, and zbar_symbol_get_data_length() gives the true length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zbar.h>

#include "decoder.h"
#include "log.h"

/*
 * zbar 0.23 never reuses the symbol a QR code was read into: it keeps it
 * in the scanner's recycle lists for ever (mchehab/zbar#258, open), about
 * 150 bytes for every code read, megabytes a month at a busy gate.  The
 * scanner is made afresh after this many codes, which frees them.
 */
#define ZBAR_RENEW_CODES 256

struct zbar_dec {
	zbar_image_scanner_t *scanner;
	zbar_image_t *image;
	int codes_read;		/* by this scanner, since it was made */
	uint8_t *packed;	/* rows of a strided frame, packed */
	size_t packed_cap;
	uint8_t *codes;		/* the bytes handed out by the last scan */
	size_t codes_cap;
};

static void zbar_dec_close(void *priv);

static zbar_image_scanner_t *
zbar_dec_scanner_new(void)
{
	zbar_image_scanner_t *sc;

	if ((sc = zbar_image_scanner_create()) == NULL) {
		log_warnx("zbar: cannot create the scanner");
		return NULL;
	}
	/*
	 * Every symbology off, then QR alone: a gate reads QR codes, and each
	 * linear decoder left on costs time on every frame and can misread
	 * printed text or a barcode on a box as a payload.
	 */
	if (zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0) ||
	    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) ||
	    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1)) {
		log_warnx("zbar: this zbar cannot read QR codes in binary mode");
		zbar_image_scanner_destroy(sc);
		return NULL;
	}
	return sc;
}

static void *
zbar_dec_open(void)
{
	struct zbar_dec *z;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		log_warn("zbar: calloc");
		return NULL;
	}
	if ((z->scanner = zbar_dec_scanner_new()) == NULL ||
	    (z->image = zbar_image_create()) == NULL) {
		zbar_dec_close(z);
		return NULL;
	}
	zbar_image_set_format(z->image, zbar_fourcc('Y', '8', '0', '0'));
	return z;
}

/* A new scanner for the old and its kept symbols; the old stays if none. */
static void
zbar_dec_renew(struct zbar_dec *z)
{
	zbar_image_scanner_t *sc;

	if ((sc = zbar_dec_scanner_new()) == NULL)
		return;
	zbar_image_scanner_destroy(z->scanner);
	z->scanner = sc;
	z->codes_read = 0;
}

/* Grows *buf to at least need bytes, keeping its contents. */
static int
zbar_dec_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	if ((p = realloc(*buf, need)) == NULL) {
		log_warn("zbar: %zu bytes", need);
		return -1;
	}
	*buf = p;
	*cap = need;
	return 0;
}

/*
 * zbar wants a packed plane.  A frame already packed is used in place; a
 * strided one (V4L2 often pads rows) is copied into a buffer kept for the
 * next frame, so the steady state allocates nothing.
 */
static const uint8_t *
zbar_dec_pack(struct zbar_dec *z, const struct frame *f)
{
	size_t w = (size_t)f->width, h = (size_t)f->height;

	if (f->stride == f->width)
		return f->y;
	if (zbar_dec_reserve(&z->packed, &z->packed_cap, w * h) == -1)
		return NULL;
	for (size_t r = 0; r < h; r++)
		memcpy(z->packed + r * w, f->y + r * (size_t)f->stride, w);
	return z->packed;
}

static int
zbar_dec_scan(void *priv, const struct frame *f, struct decode_result *out)
{
	struct zbar_dec *z = priv;
	const zbar_symbol_t *sym;
	const uint8_t *plane;
	size_t total = 0, off = 0;
	int n;

	out->count = 0;
	if (f == NULL || f->y == NULL || f->width <= 0 || f->height <= 0 ||
	    f->stride < f->width ||
	    (size_t)f->width > SIZE_MAX / (size_t)f->height) {
		errno = EINVAL;
		log_warnx("zbar: bad frame %dx%d stride %d",
		    f ? f->width : 0, f ? f->height : 0, f ? f->stride : 0);
		return -1;
	}
	if ((plane = zbar_dec_pack(z, f)) == NULL)
		return -1;

	zbar_image_set_size(z->image, (unsigned)f->width, (unsigned)f->height);
	zbar_image_set_data(z->image, plane,
	    (unsigned long)f->width * (unsigned long)f->height, NULL);
	n = zbar_scan_image(z->scanner, z->image);
	if (n < 0) {
		log_warnx("zbar: scan failed on frame %llu",
		    (unsigned long long)f->seq);
		zbar_image_set_data(z->image, NULL, 0, NULL);
		return -1;
	}

	/*
	 * Two passes: size the storage first, so no pointer handed out is
	 * moved by a later realloc.  Each code is followed by a NUL that is
	 * not part of its length, for callers that log it.  Incomplete
	 * structured-append groups (ZBAR_PARTIAL) are not a code's bytes and
	 * are skipped.
	 */
	for (sym = zbar_image_first_symbol(z->image); sym != NULL;
	    sym = zbar_symbol_next(sym))
		if (zbar_symbol_get_type(sym) == ZBAR_QRCODE)
			total += zbar_symbol_get_data_length(sym) + 1;
	if (zbar_dec_reserve(&z->codes, &z->codes_cap, total + 1) == -1) {
		zbar_image_scanner_recycle_image(z->scanner, z->image);
		zbar_image_set_data(z->image, NULL, 0, NULL);
		return -1;
	}
	for (sym = zbar_image_first_symbol(z->image); sym != NULL;
	    sym = zbar_symbol_next(sym)) {
		size_t len;

		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
			continue;
		if (out->count == DECODE_MAX_CODES) {
			log_debug("zbar: more than %d codes in frame %llu",
			    DECODE_MAX_CODES, (unsigned long long)f->seq);
			break;
		}
		len = zbar_symbol_get_data_length(sym);
		memcpy(z->codes + off, zbar_symbol_get_data(sym), len);
		z->codes[off + len] = '\0';
		out->codes[out->count].data = z->codes + off;
		out->codes[out->count].len = len;
		out->count++;
		off += len + 1;
	}

	/* Let go of the symbols and of the frame's pixels now. */
	zbar_image_scanner_recycle_image(z->scanner, z->image);
	zbar_image_set_data(z->image, NULL, 0, NULL);
	z->codes_read += n;
	if (z->codes_read >= ZBAR_RENEW_CODES)
		zbar_dec_renew(z);
	return out->count;
}

static void
zbar_dec_close(void *priv)
{
	struct zbar_dec *z = priv;

	if (z == NULL)
		return;
	if (z->image != NULL)
		zbar_image_destroy(z->image);
	if (z->scanner != NULL)
		zbar_image_scanner_destroy(z->scanner);
	free(z->packed);
	free(z->codes);
	free(z);
}

const struct decoder_ops decoder_zbar_ops = {
	.name = "zbar",
	.open = zbar_dec_open,
	.scan = zbar_dec_scan,
	.close = zbar_dec_close,
};
