/*
 * qrgatectl scan [--json] FILE...: decodes image files the way the daemon
 * decodes camera frames (image_load(), a packed frame, the configured
 * decoder), so an operator can check what the gate would read from a
 * badge or a photo.  It decides nothing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <sodium.h>

#include "ctl.h"
#include "decoder.h"
#include "image.h"
#include "payload.h"

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 if the
 * bytes there are not one: overlong forms, surrogates and code points past
 * U+10FFFF are refused, as RFC 3629 says.  *cp gets the code point.
 */
static size_t
utf8_seq(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * The bytes as a JSON string.  jansson takes only valid UTF-8, and a NUL
 * inside a string would cut it short for many readers, so each invalid
 * byte and each NUL becomes U+FFFD; the "hex" member keeps the truth.
 */
static json_t *
scan_json_text(const uint8_t *data, size_t len)
{
	static const char repl[] = "\xef\xbf\xbd";
	json_t *j;
	char *buf;
	size_t o = 0, n;
	uint32_t cp;

	if (memchr(data, '\0', len) == NULL &&
	    (j = json_stringn((const char *)data, len)) != NULL)
		return j;
	/* Each input byte yields at most 3 output bytes. */
	if ((buf = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += n) {
		if ((n = utf8_seq(data + i, len - i, &cp)) == 0 || cp == 0) {
			memcpy(buf + o, repl, 3);
			o += 3;
			n = 1;
		} else {
			memcpy(buf + o, data + i, n);
			o += n;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

static json_t *
scan_json_hex(const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	json_t *j;
	char *buf;

	if ((buf = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = digits[data[i] >> 4];
		buf[2 * i + 1] = digits[data[i] & 0xf];
	}
	j = json_stringn(buf, len * 2);
	free(buf);
	return j;
}

/*
 * Prints bytes for a terminal: well-formed UTF-8 as it is, but control
 * characters (C0, DEL, C1), the backslash and any invalid byte as \xNN,
 * so no payload can move the cursor or pass for another payload.
 */
static void
scan_print_escaped(FILE *f, const uint8_t *data, size_t len)
{
	size_t n;
	uint32_t cp;

	for (size_t i = 0; i < len; i += n) {
		n = utf8_seq(data + i, len - i, &cp);
		if (n == 0 || cp < 0x20 || cp == '\\' || (cp >= 0x7f && cp < 0xa0)) {
			if (n == 0)
				n = 1;
			for (size_t k = 0; k < n; k++)
				fprintf(f, "\\x%02x", data[i + k]);
		} else
			fwrite(data + i, 1, n, f);
	}
}

static void
scan_print_json(json_t *obj)
{
	if (obj == NULL || json_dumpf(obj, stdout, JSON_COMPACT) == -1)
		fputs("{\"error\":\"out of memory\"}", stdout);
	fputc('\n', stdout);
	json_decref(obj);
}

static int64_t
scan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* msg names the file already, as image_load()'s reasons do. */
static void
scan_report_error(const char *path, const char *msg, bool json)
{
	if (json) {
		json_t *obj = json_object();

		json_object_set_new(obj, "file",
		    scan_json_text((const uint8_t *)path, strlen(path)));
		json_object_set_new(obj, "error", scan_json_text(
		    (const uint8_t *)msg, strlen(msg)));
		scan_print_json(obj);
	} else {
		fputs("qrgatectl scan: ", stderr);
		scan_print_escaped(stderr, (const uint8_t *)msg, strlen(msg));
		fputc('\n', stderr);
	}
}

static void
scan_report(const char *path, const struct decode_result *r, int64_t us,
    bool json)
{
	if (json) {
		json_t *obj = json_object(), *codes = json_array();

		for (int i = 0; i < r->count; i++) {
			json_t *code = json_object();

			json_object_set_new(code, "text",
			    scan_json_text(r->codes[i].data, r->codes[i].len));
			json_object_set_new(code, "hex",
			    scan_json_hex(r->codes[i].data, r->codes[i].len));
			json_array_append_new(codes, code);
		}
		json_object_set_new(obj, "file",
		    scan_json_text((const uint8_t *)path, strlen(path)));
		json_object_set_new(obj, "codes", codes);
		json_object_set_new(obj, "decode_us", json_integer(us));
		scan_print_json(obj);
		return;
	}
	scan_print_escaped(stdout, (const uint8_t *)path, strlen(path));
	printf(": %d code(s), %lld us\n", r->count, (long long)us);
	for (int i = 0; i < r->count; i++) {
		fputs("  ", stdout);
		scan_print_escaped(stdout, r->codes[i].data, r->codes[i].len);
		fputc('\n', stdout);
	}
}

/* Decodes one file; returns 0, or 1 when it could not be read or scanned. */
static int
scan_file(const struct decoder_ops *dec, void *priv, const char *path,
    uint64_t seq, bool json)
{
	struct image img;
	struct frame f;
	struct decode_result r;
	char err[256];
	int64_t t0, t1;
	int n;

	if (image_load(path, &img, err, sizeof(err)) == -1) {
		scan_report_error(path, err, json);
		return 1;
	}
	f.y = img.y;
	f.width = img.width;
	f.height = img.height;
	f.stride = img.width;
	f.seq = seq;
	f.ts_ns = t0 = scan_now_ns();
	n = dec->scan(priv, &f, &r);
	t1 = scan_now_ns();
	image_free(&img);
	if (n < 0) {
		snprintf(err, sizeof(err), "%s: the %s decoder failed", path,
		    dec->name);
		scan_report_error(path, err, json);
		return 1;
	}
	scan_report(path, &r, (t1 - t0) / 1000, json);
	return 0;
}

int
ctl_scan(struct ctl *c, int argc, char **argv)
{
	const struct decoder_ops *dec;
	void *priv;
	bool json = false;
	int i, status = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--json") != 0) {
			fprintf(stderr, "qrgatectl scan: unknown option %s\n",
			    argv[i]);
			goto usage;
		}
		json = true;
	}
	if (i == argc)
		goto usage;

	if ((dec = decoder_find(c->cfg.decoder.backend)) == NULL) {
		fprintf(stderr, "qrgatectl scan: no decoder called \"%s\" in "
		    "this build\n", c->cfg.decoder.backend);
		return 1;
	}
	if ((priv = dec->open()) == NULL)
		return 1;
	for (uint64_t seq = 0; i < argc; i++, seq++)
		if (scan_file(dec, priv, argv[i], seq, json) != 0)
			status = 1;
	dec->close(priv);
	fflush(stdout);
	return status;

usage:
	fprintf(stderr, "usage: qrgatectl scan [--json] FILE...\n");
	return 2;
}

/*
 * For cred enroll-cccd: the one CCCD card in the image at path, parsed
 * into *pl.  Returns 0, or -1 with the reason in err (no code, none a
 * card, a damaged card, more than one).  The card's text is not printed:
 * it holds the holder's number, name and address.
 */
int
ctl_scan_cccd(struct ctl *c, const char *path, struct payload *pl, char *err,
    size_t errlen)
{
	const struct decoder_ops *dec;
	struct decode_result r;
	struct payload p;
	struct image img;
	struct frame f;
	void *priv;
	int n, cards = 0, damaged = 0;

	if ((dec = decoder_find(c->cfg.decoder.backend)) == NULL) {
		snprintf(err, errlen, "no decoder called \"%s\" in this build",
		    c->cfg.decoder.backend);
		return -1;
	}
	if (image_load(path, &img, err, errlen) == -1)
		return -1;
	if ((priv = dec->open()) == NULL) {
		image_free(&img);
		snprintf(err, errlen, "the %s decoder would not open",
		    dec->name);
		return -1;
	}
	memset(&f, 0, sizeof(f));
	f.y = img.y;
	f.width = img.width;
	f.height = img.height;
	f.stride = img.width;
	f.ts_ns = scan_now_ns();
	n = dec->scan(priv, &f, &r);
	for (int i = 0; i < n; i++) {
		switch (payload_parse(r.codes[i].data, r.codes[i].len, &p)) {
		case PAYLOAD_OK:
			if (p.kind == CRED_CCCD && cards++ == 0)
				*pl = p;
			break;
		case PAYLOAD_MALFORMED:
			damaged += p.kind == CRED_CCCD;
			break;
		}
	}
	sodium_memzero(&p, sizeof(p));
	dec->close(priv);
	image_free(&img);
	if (n < 0)
		snprintf(err, errlen, "%s: the %s decoder failed", path,
		    dec->name);
	else if (cards > 1)
		snprintf(err, errlen, "%s: %d CCCD cards in one image: show "
		    "one at a time", path, cards);
	else if (cards == 0 && damaged > 0)
		snprintf(err, errlen, "%s: the CCCD code is damaged (not "
		    "number|old id|name|DDMMYYYY|sex|address|DDMMYYYY)", path);
	else if (cards == 0)
		snprintf(err, errlen, "%s: %d code(s) read, no CCCD card among "
		    "them", path, n);
	if (n < 0 || cards != 1) {
		sodium_memzero(pl, sizeof(*pl));
		return -1;
	}
	return 0;
}
