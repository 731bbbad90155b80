/*
 * The zxing-cpp decoder: a thin C++ shim behind the C decoder ops, like
 * the libcamera camera.  No exception leaves it.
 *
 * Bytes: Result::bytes() is the content after error correction without
 * any character-set conversion (zxing-cpp 1.4, Content.h): byte-mode
 * segments as encoded, NULs and invalid UTF-8 included; Kanji-mode
 * segments as their Shift_JIS bytes; an ECI designator is recorded beside
 * the bytes, not applied to them, so "caf\xe9" under ECI 3 comes back as
 * the four bytes encoded (zbar converts it to UTF-8 instead: see
 * decoder_zbar.c).  GS1 '%' escapes become 0x1D, as in zbar.  A part of a
 * structured-append group is not a whole payload and is skipped, as zbar
 * skips an incomplete group.
 *
 * Two configurations: decoder_zxing_ops is zxing-cpp as its authors tune
 * it for speed (QR only, tryHarder off), the "zxing" backend;
 * decoder_zxing_harder_ops (tryHarder on) is not a backend, only a
 * baseline for the bench.  Both take the frame with its stride, in place.
 *
 * Versions: zxing-cpp 1.x (Debian 12) and 2.x (Debian 13, today's
 * Raspberry Pi OS), picked at build time from pkg-config's version
 * (QRGATE_ZXING_API, as QRGATE_GPIOD_API for libgpiod).  2.0 renamed
 * DecodeHints to ReaderOptions and Result(s) to Barcode(s), keeping the
 * old names as deprecated aliases; the calls used here are the same in
 * both.  Each version's own defaults stand (2.x also tries the inverted
 * image, which 1.x cannot).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exception>
#include <new>

/* Result::text() as UTF-8; only bytes() is used, but this quiets 1.4. */
#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

extern "C" {
#include "decoder.h"
#include "log.h"
}

using namespace ZXing;

#ifndef QRGATE_ZXING_API
#error "QRGATE_ZXING_API (zxing-cpp's major version) comes from the Makefile"
#elif QRGATE_ZXING_API >= 2
typedef ReaderOptions zx_options;
typedef Barcode zx_result;
typedef Barcodes zx_results;
#else
typedef DecodeHints zx_options;
typedef Result zx_result;
typedef Results zx_results;
#endif

struct zxing_dec {
	zx_options hints;
	uint8_t *codes;		/* the bytes handed out by the last scan */
	size_t codes_cap;
};

static void *
zxing_dec_open_hints(bool harder)
{
	struct zxing_dec *z;

	try {
		z = new zxing_dec();
		z->hints.setFormats(BarcodeFormat::QRCode);
		z->hints.setTryHarder(harder);
		z->hints.setMaxNumberOfSymbols(DECODE_MAX_CODES);
		z->codes = NULL;
		z->codes_cap = 0;
	} catch (const std::exception &e) {
		log_warnx("zxing: cannot set up: %s", e.what());
		return NULL;
	}
	return z;
}

static void *
zxing_dec_open(void)
{
	return zxing_dec_open_hints(false);
}

static void *
zxing_dec_open_harder(void)
{
	return zxing_dec_open_hints(true);
}

static int
zxing_dec_reserve(struct zxing_dec *z, size_t need)
{
	uint8_t *p;

	if (need <= z->codes_cap)
		return 0;
	if ((p = (uint8_t *)realloc(z->codes, need)) == NULL) {
		log_warn("zxing: %zu bytes", need);
		return -1;
	}
	z->codes = p;
	z->codes_cap = need;
	return 0;
}

/*
 * Copies the valid, whole codes out of results.  Sized first, so no
 * pointer handed out moves; each code is followed by a NUL outside its
 * length, for callers that log it.
 */
static int
zxing_dec_copy(struct zxing_dec *z, const zx_results &results,
    struct decode_result *out)
{
	size_t total = 1, off = 0;

	for (const zx_result &r : results)
		if (r.isValid() && !r.isPartOfSequence())
			total += r.bytes().size() + 1;
	if (zxing_dec_reserve(z, total) == -1)
		return -1;
	for (const zx_result &r : results) {
		const ByteArray &b = r.bytes();

		if (!r.isValid() || r.isPartOfSequence())
			continue;
		if (out->count == DECODE_MAX_CODES)
			break;
		if (!b.empty())
			memcpy(z->codes + off, b.data(), b.size());
		z->codes[off + b.size()] = '\0';
		out->codes[out->count].data = z->codes + off;
		out->codes[out->count].len = b.size();
		out->count++;
		off += b.size() + 1;
	}
	return out->count;
}

static int
zxing_dec_scan(void *priv, const struct frame *f, struct decode_result *out)
{
	struct zxing_dec *z = (struct zxing_dec *)priv;

	out->count = 0;
	if (f == NULL || f->y == NULL || f->width <= 0 || f->height <= 0 ||
	    f->stride < f->width) {
		errno = EINVAL;
		log_warnx("zxing: bad frame %dx%d stride %d",
		    f ? f->width : 0, f ? f->height : 0, f ? f->stride : 0);
		return -1;
	}
	try {
		ImageView iv(f->y, f->width, f->height, ImageFormat::Lum,
		    f->stride);
		zx_results results = ReadBarcodes(iv, z->hints);

		return zxing_dec_copy(z, results, out);
	} catch (const std::bad_alloc &) {
		errno = ENOMEM;
		log_warnx("zxing: out of memory on frame %llu",
		    (unsigned long long)f->seq);
	} catch (const std::exception &e) {
		log_warnx("zxing: frame %llu: %s", (unsigned long long)f->seq,
		    e.what());
	}
	out->count = 0;
	return -1;
}

static void
zxing_dec_close(void *priv)
{
	struct zxing_dec *z = (struct zxing_dec *)priv;

	if (z == NULL)
		return;
	free(z->codes);
	delete z;
}

extern "C" const struct decoder_ops decoder_zxing_ops = {
	.name = "zxing",
	.open = zxing_dec_open,
	.scan = zxing_dec_scan,
	.close = zxing_dec_close,
};

extern "C" const struct decoder_ops decoder_zxing_harder_ops = {
	.name = "zxing-harder",
	.open = zxing_dec_open_harder,
	.scan = zxing_dec_scan,
	.close = zxing_dec_close,
};
