/*
 * The QR code on the back of a Vietnamese chip ID card (CCCD):
 *
 *	ID12|oldID9|name|DDMMYYYY|sex|address|DDMMYYYY
 *
 * the 12-digit citizen number, the old 9-digit CMND number or nothing, the
 * holder's name, date of birth, sex, address and date of issue.  Cards
 * issued from 2024 append more fields, which are tolerated and ignored.
 *
 * The parser claims a payload as soon as its first field is twelve digits
 * followed by '|': from there on, anything wrong is reported as malformed
 * rather than passed to the badge parser, so a damaged ID card is logged
 * as what it is.
 */
#include <string.h>

#include "payload.h"

#define CCCD_ID_LEN	12
#define CCCD_OLD_ID_LEN	9
#define CCCD_DATE_LEN	8
#define CCCD_FIELDS	7	/* the fields read; later ones are ignored */

enum cccd_field {
	CCCD_F_ID, CCCD_F_OLD_ID, CCCD_F_NAME, CCCD_F_BIRTH, CCCD_F_SEX,
	CCCD_F_ADDRESS, CCCD_F_ISSUED,
};

struct cccd_span {
	const uint8_t *p;
	size_t n;
};

_Static_assert(CCCD_ID_LEN < sizeof(((struct payload *)0)->subject),
    "the citizen number and its NUL must fit the subject");
_Static_assert(sizeof(((struct payload *)0)->birth) == 11 &&
    sizeof(((struct payload *)0)->issued) == 11,
    "dates are stored as YYYY-MM-DD and a NUL");

static int
cccd_digits(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/*
 * Decodes one UTF-8 sequence from p (n > 0 bytes available) into *cp.
 * Returns its length, or 0 when it is not well formed: the byte ranges are
 * those of Unicode's table of well-formed sequences (3-7), which rules out
 * overlong forms, UTF-16 surrogates and anything above U+10FFFF.
 */
static size_t
cccd_utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t c = p[0];
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above: beyond U+10FFFF */
	} else
		return 0;	/* a continuation byte, C0, C1 or F5..FF */

	if (n < len)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	*cp = (*cp << 6) | (p[1] & 0x3f);
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return len;
}

/*
 * A name is shown on screens and written to the log, so it must be valid
 * UTF-8 without control characters (C0, DEL or C1), which could forge log
 * lines or terminal escapes.
 */
static int
cccd_text_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = cccd_utf8_next(p + i, n - i, &cp);

		if (l == 0)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		i += l;
	}
	return 1;
}

static int
cccd_leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Converts DDMMYYYY, a real calendar date in 1900..2100, to YYYY-MM-DD. */
static int
cccd_date(const struct cccd_span *f, char out[11])
{
	static const unsigned char mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	const uint8_t *p = f->p;
	unsigned int d, m, y, dmax;

	if (f->n != CCCD_DATE_LEN || !cccd_digits(p, f->n))
		return -1;
	d = (p[0] - '0') * 10u + (p[1] - '0');
	m = (p[2] - '0') * 10u + (p[3] - '0');
	y = (p[4] - '0') * 1000u + (p[5] - '0') * 100u +
	    (p[6] - '0') * 10u + (p[7] - '0');
	if (y < 1900 || y > 2100 || m < 1 || m > 12)
		return -1;
	dmax = mdays[m - 1] + (m == 2 && cccd_leap(y));
	if (d < 1 || d > dmax)
		return -1;

	memcpy(out, p + 4, 4);
	out[4] = '-';
	memcpy(out + 5, p + 2, 2);
	out[7] = '-';
	memcpy(out + 8, p, 2);
	out[10] = '\0';
	return 0;
}

static int
cccd_parse(const uint8_t *data, size_t len, struct payload *out)
{
	struct cccd_span f[CCCD_FIELDS];
	char birth[11], issued[11];
	const uint8_t *bar;
	size_t nfields = 0, start = 0;

	if (data == NULL)
		return PAYLOAD_PASS;
	bar = memchr(data, '|', len);
	if (bar == NULL || (size_t)(bar - data) != CCCD_ID_LEN ||
	    !cccd_digits(data, CCCD_ID_LEN))
		return PAYLOAD_PASS;

	/* Claimed: from here every failure is MALFORMED. */
	memset(out, 0, sizeof(*out));
	out->kind = CRED_CCCD;
	if (memchr(data, '\0', len) != NULL)
		return PAYLOAD_MALFORMED;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && data[i] != '|')
			continue;
		if (nfields < CCCD_FIELDS) {
			f[nfields].p = data + start;
			f[nfields].n = i - start;
		}
		nfields++;
		start = i + 1;
	}
	if (nfields < CCCD_FIELDS)
		return PAYLOAD_MALFORMED;

	if (f[CCCD_F_OLD_ID].n != 0 &&
	    (f[CCCD_F_OLD_ID].n != CCCD_OLD_ID_LEN ||
	    !cccd_digits(f[CCCD_F_OLD_ID].p, f[CCCD_F_OLD_ID].n)))
		return PAYLOAD_MALFORMED;

	if (f[CCCD_F_NAME].n == 0 || f[CCCD_F_NAME].n >= sizeof(out->name) ||
	    !cccd_text_ok(f[CCCD_F_NAME].p, f[CCCD_F_NAME].n))
		return PAYLOAD_MALFORMED;

	if (cccd_date(&f[CCCD_F_BIRTH], birth) == -1 ||
	    cccd_date(&f[CCCD_F_ISSUED], issued) == -1)
		return PAYLOAD_MALFORMED;

	memcpy(out->subject, data, CCCD_ID_LEN);
	out->subject[CCCD_ID_LEN] = '\0';
	memcpy(out->name, f[CCCD_F_NAME].p, f[CCCD_F_NAME].n);
	out->name[f[CCCD_F_NAME].n] = '\0';
	memcpy(out->birth, birth, sizeof(out->birth));
	memcpy(out->issued, issued, sizeof(out->issued));
	return PAYLOAD_OK;
}

const struct payload_parser payload_parser_cccd = {
	.name = "cccd",
	.kind = CRED_CCCD,
	.parse = cccd_parse,
};
