/*
 * Still images to one 8-bit grey plane.  The format is told by the first
 * bytes: PNG through libpng, JPEG through libjpeg(-turbo), binary PGM by
 * hand because its header is a few numbers.  Every length is checked
 * before it is used, and both libraries report errors through longjmp,
 * so a hostile file costs at most one bounded allocation and a message.
 */
#include "image.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

/* Larger files are refused before they are read to the end. */
#define IMAGE_MAX_FILE		(64u * 1024 * 1024)

/*
 * libjpeg's own limit on progressive scans is none, and each scan walks the
 * whole image: a small hostile file could keep the decoder busy for
 * minutes.  libjpeg-turbo's TurboJPEG API stops at the same number.
 */
#define JPEG_MAX_SCANS		500

/*
 * A progressive JPEG keeps every coefficient of the image in memory; this
 * bounds what a hostile header can make libjpeg allocate.
 */
#define JPEG_MAX_MEMORY		(256L * 1024 * 1024)

static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static void
image_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
image_side_ok(unsigned long w, unsigned long h)
{
	return w > 0 && h > 0 && w <= IMAGE_MAX_SIDE && h <= IMAGE_MAX_SIDE;
}

/* PNG */

struct png_src {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

/*
 * Everything the PNG decoder allocates lives here, in the caller's frame,
 * so that png_decode()'s setjmp() never has to trust a local variable that
 * changed before the longjmp().
 */
struct png_ctx {
	png_structp png;
	png_infop info;
	struct png_src src;
	uint8_t *pixels;
	png_bytep *rows;
	char msg[160];
};

static void
png_on_error(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->msg, sizeof(c->msg), "PNG: %s", msg);
	png_longjmp(png, 1);
}

/* Warnings are about ancillary chunks we do not use; stay quiet. */
static void
png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
png_mem_read(png_structp png, png_bytep data, size_t n)
{
	struct png_src *s = png_get_io_ptr(png);

	if (n > s->len - s->off)
		png_error(png, "truncated data");
	memcpy(data, s->buf + s->off, n);
	s->off += n;
}

static int
png_decode(struct png_ctx *c, struct image *out)
{
	png_uint_32 w, h;
	int depth, ctype;

	c->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c,
	    png_on_error, png_on_warning);
	if (c->png == NULL) {
		snprintf(c->msg, sizeof(c->msg), "PNG: out of memory");
		return -1;
	}
	c->info = png_create_info_struct(c->png);
	if (c->info == NULL) {
		snprintf(c->msg, sizeof(c->msg), "PNG: out of memory");
		return -1;
	}
	if (setjmp(png_jmpbuf(c->png)))
		return -1;

	png_set_read_fn(c->png, &c->src, png_mem_read);
	/*
	 * png_read_info() allocates nothing the size of the image, so the
	 * size is checked after it, where the refusal can say why.
	 */
	png_read_info(c->png, c->info);
	png_get_IHDR(c->png, c->info, &w, &h, &depth, &ctype, NULL, NULL, NULL);
	if (!image_side_ok(w, h)) {
		snprintf(c->msg, sizeof(c->msg), "PNG: size %lux%lu refused",
		    (unsigned long)w, (unsigned long)h);
		return -1;
	}

	/*
	 * Whatever the colour type and depth, ask libpng for 8-bit grey.
	 * Alpha is dropped rather than composited: a code is read from the
	 * colours, and transparency is not part of a camera frame.
	 */
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(c->png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(c->png);
	if (depth == 16)
		png_set_scale_16(c->png);
	if ((ctype & PNG_COLOR_MASK_ALPHA) != 0 ||
	    png_get_valid(c->png, c->info, PNG_INFO_tRNS))
		png_set_strip_alpha(c->png);
	/*
	 * A weighted sum of the stored values, as a camera's luma plane is,
	 * not libpng's default of mixing in linear light after the file's
	 * gamma: that shifts greys by up to 13 levels and loses codes.
	 */
	if ((ctype & PNG_COLOR_MASK_COLOR) != 0) {
		png_set_gamma(c->png, PNG_GAMMA_LINEAR, PNG_GAMMA_LINEAR);
		png_set_rgb_to_gray_fixed(c->png, PNG_ERROR_ACTION_NONE,
		    -1, -1);
	}
	png_set_interlace_handling(c->png);
	png_read_update_info(c->png, c->info);

	if (png_get_channels(c->png, c->info) != 1 ||
	    png_get_bit_depth(c->png, c->info) != 8 ||
	    png_get_rowbytes(c->png, c->info) != w) {
		snprintf(c->msg, sizeof(c->msg),
		    "PNG: cannot convert colour type %d depth %d to grey",
		    ctype, depth);
		return -1;
	}

	c->pixels = malloc((size_t)w * h);
	c->rows = malloc(sizeof(*c->rows) * h);
	if (c->pixels == NULL || c->rows == NULL) {
		snprintf(c->msg, sizeof(c->msg), "PNG: out of memory");
		return -1;
	}
	for (png_uint_32 i = 0; i < h; i++)
		c->rows[i] = c->pixels + (size_t)i * w;
	png_read_image(c->png, c->rows);
	/* Reading up to IEND refuses a file cut after its last IDAT. */
	png_read_end(c->png, NULL);

	out->y = c->pixels;
	out->width = (int)w;
	out->height = (int)h;
	c->pixels = NULL;
	return 0;
}

static int
image_png(const uint8_t *buf, size_t len, struct image *out, char *err,
    size_t errlen)
{
	struct png_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.src.buf = buf;
	c.src.len = len;
	rc = png_decode(&c, out);
	if (c.png != NULL)
		png_destroy_read_struct(&c.png, c.info != NULL ? &c.info : NULL,
		    NULL);
	free(c.rows);
	free(c.pixels);
	if (rc == -1)
		image_err(err, errlen, "%s", c.msg);
	return rc;
}

/* JPEG */

/* As for PNG: what must survive a longjmp() lives outside jpeg_decode(). */
struct jpeg_ctx {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr jerr;
	struct jpeg_progress_mgr progress;
	jmp_buf jmp;
	uint8_t *pixels;	/* image_jpeg()'s own plane */
	size_t cap;
	bool late_warnings_ok;	/* see image_jpeg_decode_grey() */
	bool rows_done;		/* every row has been decoded */
	char msg[JMSG_LENGTH_MAX + 8];
};

static void
jpeg_on_error(j_common_ptr ci)
{
	struct jpeg_ctx *c = ci->client_data;
	char buf[JMSG_LENGTH_MAX];

	(*ci->err->format_message)(ci, buf);
	snprintf(c->msg, sizeof(c->msg), "JPEG: %s", buf);
	longjmp(c->jmp, 1);
}

/*
 * libjpeg only warns about corrupt data (a truncated file gets a fake end
 * marker and grey rows), so warnings are errors here: a frame with made-up
 * rows is not one we want to decide on.  Once every row is out, a warning
 * can only be about what follows them (padding before the end marker),
 * which changes no pixel; a camera stream may accept that.  Trace messages
 * are dropped.
 */
static void
jpeg_on_message(j_common_ptr ci, int level)
{
	struct jpeg_ctx *c = ci->client_data;

	if (level < 0 && !(c->late_warnings_ok && c->rows_done))
		jpeg_on_error(ci);
}

static void
jpeg_on_progress(j_common_ptr ci)
{
	struct jpeg_ctx *c = ci->client_data;

	if (ci->is_decompressor &&
	    ((j_decompress_ptr)ci)->input_scan_number > JPEG_MAX_SCANS) {
		snprintf(c->msg, sizeof(c->msg), "JPEG: more than %d scans",
		    JPEG_MAX_SCANS);
		longjmp(c->jmp, 1);
	}
}

/*
 * Decodes into *plane, grown to *cap bytes when too small.  *wp and *hp:
 * the size wanted (0: any) in, the size decoded out.  Only c and what the
 * pointers point to change after setjmp(), so a longjmp() loses nothing.
 */
static int
jpeg_decode(struct jpeg_ctx *c, const uint8_t *buf, size_t len,
    uint8_t **plane, size_t *cap, int *wp, int *hp)
{
	struct jpeg_decompress_struct *ci = &c->cinfo;
	JDIMENSION w, h;
	uint8_t *p;
	size_t need;

	ci->err = jpeg_std_error(&c->jerr);
	c->jerr.error_exit = jpeg_on_error;
	c->jerr.emit_message = jpeg_on_message;
	ci->client_data = c;
	if (setjmp(c->jmp))
		return -1;

	jpeg_create_decompress(ci);
	ci->mem->max_memory_to_use = JPEG_MAX_MEMORY;
	c->progress.progress_monitor = jpeg_on_progress;
	ci->progress = &c->progress;
	jpeg_mem_src(ci, buf, (unsigned long)len);
	jpeg_read_header(ci, TRUE);
	if (!image_side_ok(ci->image_width, ci->image_height)) {
		snprintf(c->msg, sizeof(c->msg), "JPEG: size %lux%lu refused",
		    (unsigned long)ci->image_width,
		    (unsigned long)ci->image_height);
		return -1;
	}
	if (*wp > 0 && *hp > 0 && (ci->image_width != (JDIMENSION)*wp ||
	    ci->image_height != (JDIMENSION)*hp)) {
		snprintf(c->msg, sizeof(c->msg), "JPEG: size %lux%lu, not "
		    "the %dx%d expected", (unsigned long)ci->image_width,
		    (unsigned long)ci->image_height, *wp, *hp);
		return -1;
	}
	ci->out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(ci);
	w = ci->output_width;
	h = ci->output_height;
	if (ci->output_components != 1 || !image_side_ok(w, h)) {
		snprintf(c->msg, sizeof(c->msg), "JPEG: unexpected output");
		return -1;
	}

	need = (size_t)w * h;
	if (need > *cap) {
		if ((p = realloc(*plane, need)) == NULL) {
			snprintf(c->msg, sizeof(c->msg), "JPEG: out of memory");
			return -1;
		}
		*plane = p;
		*cap = need;
	}
	while (ci->output_scanline < h) {
		JSAMPROW row = *plane + (size_t)ci->output_scanline * w;

		/* Only a suspending source returns 0; ours never should. */
		if (jpeg_read_scanlines(ci, &row, 1) != 1) {
			snprintf(c->msg, sizeof(c->msg), "JPEG: decoder stalled");
			return -1;
		}
	}
	c->rows_done = true;
	jpeg_finish_decompress(ci);

	*wp = (int)w;
	*hp = (int)h;
	return 0;
}

static int
image_jpeg(const uint8_t *buf, size_t len, struct image *out, char *err,
    size_t errlen)
{
	struct jpeg_ctx *c;
	int w = 0, h = 0;
	int rc;

	/* Kept off the stack: libjpeg's structs and jmp_buf are large. */
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		image_err(err, errlen, "JPEG: out of memory");
		return -1;
	}
	rc = jpeg_decode(c, buf, len, &c->pixels, &c->cap, &w, &h);
	jpeg_destroy_decompress(&c->cinfo);
	if (rc == 0) {
		out->y = c->pixels;
		out->width = w;
		out->height = h;
		c->pixels = NULL;
	}
	free(c->pixels);
	if (rc == -1)
		image_err(err, errlen, "%s", c->msg);
	free(c);
	return rc;
}

int
image_jpeg_decode_grey(const uint8_t *buf, size_t len, uint8_t **plane,
    size_t *cap, int *w, int *h, char *err, size_t errlen)
{
	struct jpeg_ctx *c;
	int rc;

	if (*w < 0 || *h < 0) {
		image_err(err, errlen, "JPEG: bad expected size");
		return -1;
	}
	if (buf == NULL || len < 3 || buf[0] != 0xff || buf[1] != 0xd8 ||
	    buf[2] != 0xff) {
		image_err(err, errlen, "JPEG: no start of image");
		return -1;
	}
	/*
	 * A frame cut short is torn, even when its cut falls after the last
	 * row's data: whether libjpeg notices depends on how far its decoder
	 * reads ahead, which differs between x86 and ARM.  So the end marker
	 * must be there, after which a driver may pad with zeros.
	 */
	while (len > 4 && buf[len - 1] == 0x00)
		len--;
	if (buf[len - 2] != 0xff || buf[len - 1] != 0xd9) {
		image_err(err, errlen, "JPEG: no end of image (torn frame)");
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		image_err(err, errlen, "JPEG: out of memory");
		return -1;
	}
	c->late_warnings_ok = true;
	rc = jpeg_decode(c, buf, len, plane, cap, w, h);
	jpeg_destroy_decompress(&c->cinfo);
	if (rc == -1)
		image_err(err, errlen, "%s", c->msg);
	free(c);
	return rc;
}

/* PGM */

static int
pgm_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

/*
 * One header number after whitespace and '#' comments.  Values are capped
 * well above IMAGE_MAX_SIDE and 65535 so that they cannot overflow.
 */
static int
pgm_number(const uint8_t *buf, size_t len, size_t *off, unsigned *val)
{
	size_t i = *off;
	unsigned v = 0;

	for (;;) {
		if (i >= len)
			return -1;
		if (buf[i] == '#') {
			while (i < len && buf[i] != '\n' && buf[i] != '\r')
				i++;
		} else if (pgm_space(buf[i]))
			i++;
		else
			break;
	}
	if (buf[i] < '0' || buf[i] > '9')
		return -1;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (unsigned)(buf[i] - '0');
		if (v > 1000000)
			return -1;
	}
	*off = i;
	*val = v;
	return 0;
}

static int
image_pgm(const uint8_t *buf, size_t len, struct image *out, char *err,
    size_t errlen)
{
	size_t off = 2, n;
	unsigned w, h, maxval;
	uint8_t *px;

	if (len < 3 || (!pgm_space(buf[2]) && buf[2] != '#') ||
	    pgm_number(buf, len, &off, &w) == -1 ||
	    pgm_number(buf, len, &off, &h) == -1 ||
	    pgm_number(buf, len, &off, &maxval) == -1) {
		image_err(err, errlen, "PGM: bad header");
		return -1;
	}
	/* Exactly one whitespace byte separates the header from the raster. */
	if (off >= len || !pgm_space(buf[off])) {
		image_err(err, errlen, "PGM: bad header");
		return -1;
	}
	off++;
	if (!image_side_ok(w, h)) {
		image_err(err, errlen, "PGM: size %ux%u refused", w, h);
		return -1;
	}
	if (maxval == 0 || maxval > 255) {
		image_err(err, errlen, "PGM: maxval %u not supported "
		    "(1 to 255 only)", maxval);
		return -1;
	}
	n = (size_t)w * h;
	if (len - off < n) {
		image_err(err, errlen, "PGM: truncated data (%zu of %zu bytes)",
		    len - off, n);
		return -1;
	}
	if ((px = malloc(n)) == NULL) {
		image_err(err, errlen, "PGM: out of memory");
		return -1;
	}
	if (maxval == 255)
		memcpy(px, buf + off, n);
	else {
		/* Samples above maxval are invalid; treat them as white. */
		for (size_t i = 0; i < n; i++) {
			unsigned v = buf[off + i];

			if (v > maxval)
				v = maxval;
			px[i] = (uint8_t)((v * 255 + maxval / 2) / maxval);
		}
	}
	out->y = px;
	out->width = (int)w;
	out->height = (int)h;
	return 0;
}

int
image_load_mem(const uint8_t *buf, size_t len, struct image *out, char *err,
    size_t errlen)
{
	out->y = NULL;
	out->width = 0;
	out->height = 0;
	if (buf == NULL || len == 0) {
		image_err(err, errlen, "empty image data");
		return -1;
	}
	if (len >= sizeof(png_magic) &&
	    memcmp(buf, png_magic, sizeof(png_magic)) == 0)
		return image_png(buf, len, out, err, errlen);
	if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
		return image_jpeg(buf, len, out, err, errlen);
	if (len >= 2 && buf[0] == 'P' && buf[1] == '5')
		return image_pgm(buf, len, out, err, errlen);
	image_err(err, errlen, "not a PNG, JPEG or binary PGM image");
	return -1;
}

/* Reads a whole file of at most IMAGE_MAX_FILE bytes. */
static int
image_file_read(const char *path, uint8_t **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, ncap;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		image_err(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		image_err(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		image_err(err, errlen, "is a directory");
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)IMAGE_MAX_FILE)
		goto toolarge;
	for (;;) {
		if (len == cap) {
			/* One byte over the limit tells a file at it from one past it. */
			if (cap > IMAGE_MAX_FILE)
				goto toolarge;
			if (cap == 0)
				ncap = S_ISREG(st.st_mode) ?
				    (size_t)st.st_size + 1 : 65536;
			else
				ncap = cap * 2;
			if (ncap > IMAGE_MAX_FILE + 1)
				ncap = IMAGE_MAX_FILE + 1;
			if ((nbuf = realloc(buf, ncap)) == NULL) {
				image_err(err, errlen, "out of memory");
				goto fail;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			image_err(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > IMAGE_MAX_FILE)
		goto toolarge;
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;

toolarge:
	image_err(err, errlen, "file larger than %u bytes", IMAGE_MAX_FILE);
fail:
	free(buf);
	close(fd);
	return -1;
}

int
image_load(const char *path, struct image *out, char *err, size_t errlen)
{
	char why[256];
	uint8_t *buf;
	size_t len;
	int rc;

	out->y = NULL;
	out->width = 0;
	out->height = 0;
	if (image_file_read(path, &buf, &len, why, sizeof(why)) == -1) {
		image_err(err, errlen, "%s: %s", path, why);
		return -1;
	}
	rc = image_load_mem(buf, len, out, why, sizeof(why));
	free(buf);
	if (rc == -1)
		image_err(err, errlen, "%s: %s", path, why);
	return rc;
}

void
image_free(struct image *img)
{
	if (img == NULL)
		return;
	free(img->y);
	img->y = NULL;
	img->width = 0;
	img->height = 0;
}
