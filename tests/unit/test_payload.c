/*
 * The QR payload parsers: the CCCD and badge formats, their claims, every
 * malformation the CCCD parser must catch, its UTF-8 validation (against a
 * table and against an independent decoder, exhaustively over short
 * sequences), hostile input of every shape, and the signed token
 * parsers' claims.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "payload.h"
#include "util.h"

#define CCCD_1	"079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|Nữ|" \
		"12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|01022021"
#define CCCD_2	"001201009876||Trần Văn Đức|02092001|Nam|Thôn Đông, Xã Yên Phụ|" \
		"10042024|extra1|extra2"

/*
 * Parses exactly len bytes from a heap copy of that size, so that
 * AddressSanitizer reports any read past the end.
 */
static int
parse_n(const void *data, size_t len, struct payload *out)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, data, len);
	r = payload_parse(copy, len, out);
	free(copy);
	return r;
}

static int
parse_s(const char *s, struct payload *out)
{
	return parse_n(s, strlen(s), out);
}

/* Every string in *p is terminated within its array, whatever happened. */
static void
assert_terminated(const struct payload *p)
{
	assert_non_null(memchr(p->subject, '\0', sizeof(p->subject)));
	assert_non_null(memchr(p->name, '\0', sizeof(p->name)));
	assert_non_null(memchr(p->birth, '\0', sizeof(p->birth)));
	assert_non_null(memchr(p->issued, '\0', sizeof(p->issued)));
}

/* A CCCD payload in which one field is replaced; the others are valid. */
static int
parse_cccd_with(int field, const char *value, struct payload *out)
{
	const char *f[7] = {
		"079190001234", "123456789", "Nguyễn Thị Hồng Nhung",
		"15081990", "Nữ", "12 Lê Lợi", "01022021",
	};
	char buf[1024];

	f[field] = value;
	snprintf(buf, sizeof(buf), "%s|%s|%s|%s|%s|%s|%s",
	    f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
	return parse_s(buf, out);
}

static void
assert_cccd_malformed(int field, const char *value)
{
	struct payload p;

	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_cccd_with(field, value, &p), PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_CCCD);
	/* Nothing half-parsed is passed on. */
	assert_string_equal(p.subject, "");
	assert_string_equal(p.name, "");
	assert_string_equal(p.birth, "");
	assert_string_equal(p.issued, "");
}

static void
test_cccd_committed_first(void **state)
{
	struct payload p;

	(void)state;
	assert_int_equal(parse_s(CCCD_1, &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_CCCD);
	assert_string_equal(p.subject, "079190001234");
	assert_string_equal(p.name, "Nguyễn Thị Hồng Nhung");
	assert_string_equal(p.birth, "1990-08-15");
	assert_string_equal(p.issued, "2021-02-01");
}

static void
test_cccd_committed_second(void **state)
{
	struct payload p;

	(void)state;
	assert_int_equal(parse_s(CCCD_2, &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_CCCD);
	assert_string_equal(p.subject, "001201009876");
	assert_string_equal(p.name, "Trần Văn Đức");
	assert_string_equal(p.birth, "2001-09-02");
	assert_string_equal(p.issued, "2024-04-10");
}

static void
test_cccd_parser_direct(void **state)
{
	struct payload p;
	const char *s = CCCD_1;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(payload_parser_cccd.parse((const uint8_t *)s,
	    strlen(s), &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_CCCD);
	assert_string_equal(p.subject, "079190001234");
	assert_string_equal(payload_parser_cccd.name, "cccd");
	assert_int_equal(payload_parser_cccd.kind, CRED_CCCD);
	assert_string_equal(payload_parser_badge.name, "badge");
	assert_int_equal(payload_parser_badge.kind, CRED_BADGE);
	/* The badge parser passes on a CCCD payload ('|', spaces, UTF-8). */
	assert_int_equal(payload_parser_badge.parse((const uint8_t *)s,
	    strlen(s), &p), PAYLOAD_PASS);
}

static void
test_cccd_dates(void **state)
{
	struct payload p;

	(void)state;
	assert_cccd_malformed(3, "31022000");		/* 31 Feb */
	assert_cccd_malformed(3, "30022000");
	assert_cccd_malformed(3, "29021900");		/* not leap: century */
	assert_cccd_malformed(3, "29022023");
	assert_cccd_malformed(3, "31042000");		/* April has 30 */
	assert_cccd_malformed(3, "31062000");
	assert_cccd_malformed(3, "31092000");
	assert_cccd_malformed(3, "31112000");
	assert_cccd_malformed(3, "01132000");		/* month 13 */
	assert_cccd_malformed(3, "01002000");		/* month 0 */
	assert_cccd_malformed(3, "00012000");		/* day 0 */
	assert_cccd_malformed(3, "32012000");
	assert_cccd_malformed(3, "31121899");		/* year < 1900 */
	assert_cccd_malformed(3, "01012101");		/* year > 2100 */
	assert_cccd_malformed(3, "1508199");		/* 7 digits */
	assert_cccd_malformed(3, "150819900");		/* 9 digits */
	assert_cccd_malformed(3, "1508199O");		/* a letter O */
	assert_cccd_malformed(3, "15-08-1990");
	assert_cccd_malformed(3, "");
	assert_cccd_malformed(3, " 15081990");
	assert_cccd_malformed(6, "31022021");		/* the issue date too */
	assert_cccd_malformed(6, "");
	assert_cccd_malformed(6, "0102202");

	assert_int_equal(parse_cccd_with(3, "29022000", &p), PAYLOAD_OK);
	assert_string_equal(p.birth, "2000-02-29");
	assert_int_equal(parse_cccd_with(3, "29022024", &p), PAYLOAD_OK);
	assert_string_equal(p.birth, "2024-02-29");
	assert_int_equal(parse_cccd_with(3, "01011900", &p), PAYLOAD_OK);
	assert_string_equal(p.birth, "1900-01-01");
	assert_int_equal(parse_cccd_with(3, "31122100", &p), PAYLOAD_OK);
	assert_string_equal(p.birth, "2100-12-31");
	assert_int_equal(parse_cccd_with(3, "30042000", &p), PAYLOAD_OK);
	assert_string_equal(p.birth, "2000-04-30");
	assert_int_equal(parse_cccd_with(6, "31122024", &p), PAYLOAD_OK);
	assert_string_equal(p.issued, "2024-12-31");
}

static void
test_cccd_old_id(void **state)
{
	struct payload p;

	(void)state;
	assert_cccd_malformed(1, "12345678");		/* 8 digits */
	assert_cccd_malformed(1, "1234567890");		/* 10 digits */
	assert_cccd_malformed(1, "12345678A");
	assert_cccd_malformed(1, " 23456789");
	assert_cccd_malformed(1, "079190001234");
	assert_int_equal(parse_cccd_with(1, "", &p), PAYLOAD_OK);
	assert_int_equal(parse_cccd_with(1, "000000000", &p), PAYLOAD_OK);
}

static void
test_cccd_field_count(void **state)
{
	struct payload p;

	(void)state;
	/* Six fields: the issue date is missing. */
	assert_int_equal(parse_s("079190001234|123456789|Nguyễn Văn A|"
	    "15081990|Nam|12 Lê Lợi", &p), PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_CCCD);
	assert_int_equal(parse_s("079190001234|", &p), PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_CCCD);
	assert_int_equal(parse_s("079190001234||||||", &p),
	    PAYLOAD_MALFORMED);
	/* Exactly seven, and seven with an empty trailing eighth. */
	assert_int_equal(parse_s("079190001234||A|15081990|||01022021", &p),
	    PAYLOAD_OK);
	assert_string_equal(p.name, "A");
	assert_int_equal(parse_s("079190001234||A|15081990|||01022021|", &p),
	    PAYLOAD_OK);
}

static void
test_cccd_nul(void **state)
{
	static const char in_address[] = "079190001234|123456789|Nguyễn Văn A|"
	    "15081990|Nam|12 L\0 Lợi|01022021";
	static const char in_extra[] = "079190001234||A|15081990|Nam|X|"
	    "01022021|ok\0";
	static const char at_end[] = "079190001234||A|15081990|Nam|X|01022021";
	struct payload p;

	(void)state;
	assert_int_equal(parse_n(in_address, sizeof(in_address) - 1, &p),
	    PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_CCCD);
	assert_int_equal(parse_n(in_extra, sizeof(in_extra) - 1, &p),
	    PAYLOAD_MALFORMED);
	/* The terminating NUL of the C string, counted in len. */
	assert_int_equal(parse_n(at_end, sizeof(at_end), &p),
	    PAYLOAD_MALFORMED);
	assert_int_equal(parse_n(at_end, sizeof(at_end) - 1, &p), PAYLOAD_OK);
}

static void
test_cccd_name(void **state)
{
	char name[200];
	struct payload p;

	(void)state;
	assert_cccd_malformed(2, "");
	assert_cccd_malformed(2, "Nguy\xff" "n");
	assert_cccd_malformed(2, "Nguy\xe1\xbb" "n");	/* truncated ễ */
	assert_cccd_malformed(2, "A\tB");
	assert_cccd_malformed(2, "A\nB");
	assert_cccd_malformed(2, "\x1b[31mRed");
	assert_cccd_malformed(2, "A\x7f");

	/* 127 bytes fit name[128]; 128 do not. */
	memset(name, 'N', 127);
	name[127] = '\0';
	assert_int_equal(parse_cccd_with(2, name, &p), PAYLOAD_OK);
	assert_int_equal(strlen(p.name), 127);
	name[127] = 'N';
	name[128] = '\0';
	assert_cccd_malformed(2, name);

	/* 63 two-byte characters (126 bytes) fit. */
	for (int i = 0; i < 63; i++)
		memcpy(name + 2 * i, "Đ", 2);
	name[126] = '\0';
	assert_int_equal(parse_cccd_with(2, name, &p), PAYLOAD_OK);
	assert_string_equal(p.name, name);
	/* 64 (128 bytes) do not. */
	memcpy(name + 126, "Đ", 3);
	assert_cccd_malformed(2, name);

	/* Spaces and punctuation are text, not controls. */
	assert_int_equal(parse_cccd_with(2, " O'Brien-Nguyễn ", &p),
	    PAYLOAD_OK);
	assert_string_equal(p.name, " O'Brien-Nguyễn ");
}

static void
test_cccd_claim(void **state)
{
	struct payload p;
	const char *s = "07919000123|123456789|Nguyễn Văn A|15081990|Nam|X|"
	    "01022021";

	(void)state;
	/* 11 digits: not a CCCD; the badge parser passes it too ('|'). */
	assert_int_equal(payload_parser_cccd.parse((const uint8_t *)s,
	    strlen(s), &p), PAYLOAD_PASS);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_s(s, &p), PAYLOAD_PASS);
	assert_int_equal(p.kind, CRED_NONE);
	assert_string_equal(p.subject, "");
	assert_terminated(&p);

	/* 13 digits, a letter among the 12, a leading space: not claimed. */
	assert_int_equal(parse_s("0791900012345|123456789|A|15081990|Nam|X|"
	    "01022021", &p), PAYLOAD_PASS);
	assert_int_equal(parse_s("07919000123A|123456789|A|15081990|Nam|X|"
	    "01022021", &p), PAYLOAD_PASS);
	assert_int_equal(parse_s(" 079190001234|123456789|A|15081990|Nam|X|"
	    "01022021", &p), PAYLOAD_PASS);
	assert_int_equal(parse_s("|079190001234", &p), PAYLOAD_PASS);

	/* Twelve digits without '|': not a CCCD, but a valid badge id. */
	assert_int_equal(payload_parser_cccd.parse(
	    (const uint8_t *)"079190001234", 12, &p), PAYLOAD_PASS);
	assert_int_equal(parse_s("079190001234", &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_BADGE);
	assert_string_equal(p.subject, "079190001234");
}

static void
test_badge_ok(void **state)
{
	static const char *const ok[] = {
		"W-0001", "w.1_2-3", "A", "0", "-", ".", "_",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",	/* 32 */
		"abcdefghijklmnopqrstuvwxyz012345",
		"6789.-_",
	};
	struct payload p;

	(void)state;
	for (size_t i = 0; i < nitems(ok); i++) {
		memset(&p, 0x5a, sizeof(p));
		assert_int_equal(parse_s(ok[i], &p), PAYLOAD_OK);
		assert_int_equal(p.kind, CRED_BADGE);
		assert_string_equal(p.subject, ok[i]);
		assert_string_equal(p.name, "");
		assert_string_equal(p.birth, "");
		assert_string_equal(p.issued, "");
	}
}

static void
test_badge_pass(void **state)
{
	static const char *const pass[] = {
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg",	/* 33 */
		"W 0001", "W-0001'; DROP TABLE events; --", "$(reboot)",
		"`id`", "W-0001\n", "\"W-0001\"", "W/0001", "W+1", "W:1",
		"W-0001 ", " W-0001", "Đức", "W\xff", "W\x80", "W|1", "W,1",
		"%s%s%n", "..\\..", "W\t1",
	};
	static const char nul_admin[] = "W-0001\0admin";
	struct payload p;

	(void)state;
	for (size_t i = 0; i < nitems(pass); i++) {
		memset(&p, 0x5a, sizeof(p));
		assert_int_equal(parse_s(pass[i], &p), PAYLOAD_PASS);
		assert_int_equal(p.kind, CRED_NONE);
		assert_string_equal(p.subject, "");
		assert_terminated(&p);
	}
	assert_int_equal(sizeof(nul_admin) - 1, 12);
	assert_int_equal(parse_n(nul_admin, 12, &p), PAYLOAD_PASS);
	assert_int_equal(p.kind, CRED_NONE);
	assert_int_equal(parse_n("\0", 1, &p), PAYLOAD_PASS);
}

static void
test_empty(void **state)
{
	struct payload p;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_n("", 0, &p), PAYLOAD_PASS);
	assert_int_equal(p.kind, CRED_NONE);
	assert_terminated(&p);
	assert_int_equal(payload_parse(NULL, 0, &p), PAYLOAD_PASS);
	assert_int_equal(payload_parser_badge.parse(NULL, 0, &p),
	    PAYLOAD_PASS);
	assert_int_equal(payload_parser_cccd.parse(NULL, 0, &p),
	    PAYLOAD_PASS);
}

static void
test_long(void **state)
{
	size_t n = 2900;
	char *buf = malloc(n + 200);
	struct payload p;

	(void)state;
	assert_non_null(buf);
	memset(buf, 'A', n);
	assert_int_equal(parse_n(buf, n, &p), PAYLOAD_PASS);
	assert_int_equal(p.kind, CRED_NONE);

	/* A CCCD claim followed by a wall of 'A': one field only. */
	memcpy(buf, "079190001234|", 13);
	assert_int_equal(parse_n(buf, n, &p), PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_CCCD);

	/* A claim followed by thousands of '|'. */
	memset(buf + 13, '|', n - 13);
	assert_int_equal(parse_n(buf, n, &p), PAYLOAD_MALFORMED);

	/* A valid card with a huge extra field is still valid. */
	strcpy(buf, CCCD_1 "|");
	memset(buf + strlen(buf), 'x', n - strlen(buf));
	assert_int_equal(parse_n(buf, n, &p), PAYLOAD_OK);
	assert_string_equal(p.subject, "079190001234");
	free(buf);
}

/* Embeds seq in a name, "A" seq "B", and parses the card. */
static int
parse_name_seq(const uint8_t *seq, size_t n, struct payload *p)
{
	static const char head[] = "079190001234||A";
	static const char tail[] = "B|15081990|Nam|X|01022021";
	uint8_t buf[128];

	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1, seq, n);
	memcpy(buf + sizeof(head) - 1 + n, tail, sizeof(tail) - 1);
	return parse_n(buf, sizeof(head) - 1 + n + sizeof(tail) - 1, p);
}

static void
test_utf8_table(void **state)
{
	static const struct {
		const char *seq;
		int ok;
	} t[] = {
		{ "~", 1 },
		{ "\xc2\xa0", 1 },		/* U+00A0, first non-C1 */
		{ "\xc3\xa9", 1 },
		{ "\xdf\xbf", 1 },		/* U+07FF */
		{ "\xe0\xa0\x80", 1 },		/* U+0800 */
		{ "\xe1\xbb\x85", 1 },		/* ễ */
		{ "\xed\x9f\xbf", 1 },		/* U+D7FF */
		{ "\xee\x80\x80", 1 },		/* U+E000 */
		{ "\xef\xbf\xbf", 1 },		/* U+FFFF */
		{ "\xf0\x90\x80\x80", 1 },	/* U+10000 */
		{ "\xf0\x9f\x98\x80", 1 },	/* an emoji */
		{ "\xf3\xbf\xbf\xbf", 1 },
		{ "\xf4\x8f\xbf\xbf", 1 },	/* U+10FFFF */

		{ "\xc0\x80", 0 },		/* overlong NUL */
		{ "\xc0\xaf", 0 },		/* overlong '/' */
		{ "\xc1\xbf", 0 },
		{ "\xe0\x80\x80", 0 },		/* overlong */
		{ "\xe0\x9f\xbf", 0 },		/* overlong U+07FF */
		{ "\xf0\x80\x80\x80", 0 },
		{ "\xf0\x8f\xbf\xbf", 0 },	/* overlong U+FFFF */
		{ "\xed\xa0\x80", 0 },		/* U+D800, a surrogate */
		{ "\xed\xbf\xbf", 0 },		/* U+DFFF */
		{ "\xed\xa0\xbd\xed\xb8\x80", 0 },	/* CESU-8 pair */
		{ "\xf4\x90\x80\x80", 0 },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 0 },
		{ "\xf7\xbf\xbf\xbf", 0 },
		{ "\xf8\x88\x80\x80\x80", 0 },	/* 5 bytes */
		{ "\xfc\x84\x80\x80\x80\x80", 0 },
		{ "\xfe", 0 },
		{ "\xff", 0 },
		{ "\x80", 0 },			/* lone continuation */
		{ "\xbf", 0 },
		{ "\xc3", 0 },			/* truncated, then 'B' */
		{ "\xe2\x82", 0 },		/* truncated € */
		{ "\xf0\x9f\x98", 0 },
		{ "\xe2\x28\xa1", 0 },		/* bad second byte */
		{ "\xe2\x82\x28", 0 },		/* bad third byte */
		{ "\xf0\x9f\x28\x80", 0 },
		{ "\xc3\xa9\xa9", 0 },		/* extra continuation */

		{ "\x01", 0 },			/* controls */
		{ "\x1f", 0 },
		{ "\x7f", 0 },
		{ "\xc2\x80", 0 },		/* U+0080, C1 */
		{ "\xc2\x9f", 0 },		/* U+009F, C1 */
		{ "\xc2\x85", 0 },		/* NEL */
	};
	struct payload p;

	(void)state;
	for (size_t i = 0; i < nitems(t); i++) {
		const uint8_t *s = (const uint8_t *)t[i].seq;
		int r = parse_name_seq(s, strlen(t[i].seq), &p);

		if (r != (t[i].ok ? PAYLOAD_OK : PAYLOAD_MALFORMED))
			fail_msg("sequence %zu: got %d", i, r);
	}
	/* A sequence cut by the end of the name field. */
	assert_int_equal(parse_s("079190001234||A\xe2\x82|15081990|Nam|X|"
	    "01022021", &p), PAYLOAD_MALFORMED);
	assert_int_equal(parse_s("079190001234||A\xf0|15081990|Nam|X|"
	    "01022021", &p), PAYLOAD_MALFORMED);
}

/*
 * An independent reading of UTF-8: decode by the lead byte's count of
 * leading ones, then reject by value (too small for its length, a
 * surrogate, above U+10FFFF) and controls.  It shares no code or method
 * with the parser's table of byte ranges.
 */
static int
ref_text_ok(const uint8_t *s, size_t n)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t len = 0;
		uint32_t cp;

		while (len < 8 && (c & (0x80 >> len)))
			len++;
		if (len == 0)
			len = 1;
		else if (len == 1 || len > 4)
			return 0;
		if (i + len > n)
			return 0;
		cp = len == 1 ? c : (c & (0x7f >> len));
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min[len] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		i += len;
	}
	return 1;
}

static void
check_against_ref(const uint8_t *seq, size_t n)
{
	uint8_t name[8];
	struct payload p;
	int want, got;

	/* '|' and NUL change the fields; they are tested elsewhere. */
	for (size_t i = 0; i < n; i++)
		if (seq[i] == '|' || seq[i] == '\0')
			return;
	name[0] = 'A';
	memcpy(name + 1, seq, n);
	name[n + 1] = 'B';
	want = ref_text_ok(name, n + 2) ? PAYLOAD_OK : PAYLOAD_MALFORMED;
	got = parse_name_seq(seq, n, &p);
	if (got != want)
		fail_msg("%zu bytes %02x %02x %02x %02x: got %d, want %d", n,
		    seq[0], n > 1 ? seq[1] : 0, n > 2 ? seq[2] : 0,
		    n > 3 ? seq[3] : 0, got, want);
}

static void
test_utf8_exhaustive(void **state)
{
	static const uint8_t some[] = {
		0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff,
	};
	uint8_t s[4];

	(void)state;
	for (int a = 0; a < 256; a++) {
		s[0] = a;
		check_against_ref(s, 1);
		for (int b = 0; b < 256; b++) {
			s[1] = b;
			check_against_ref(s, 2);
			if (a < 0xc0)
				continue;
			for (size_t c = 0; c < sizeof(some); c++) {
				s[2] = some[c];
				check_against_ref(s, 3);
				if (a < 0xf0)
					continue;
				for (size_t d = 0; d < sizeof(some); d++) {
					s[3] = some[d];
					check_against_ref(s, 4);
				}
			}
		}
	}
	/* Every three-byte sequence led by E0..EF. */
	for (int a = 0xe0; a <= 0xef; a++)
		for (int b = 0; b < 256; b++)
			for (int c = 0; c < 256; c += 3) {
				s[0] = a;
				s[1] = b;
				s[2] = c;
				check_against_ref(s, 3);
			}
}

/*
 * Random payloads over an alphabet chosen to reach every branch: digits,
 * '|', NUL, UTF-8 lead and continuation bytes, badge characters.  Each is
 * parsed from an exactly sized heap buffer; the results must be coherent.
 */
static void
test_random(void **state)
{
	static const uint8_t alpha[] = {
		'0', '1', '9', '|', '|', '\0', 'A', '-', ' ', 0xc3, 0xa9,
		0xe1, 0xbb, 0x85, 0xed, 0xa0, 0xf4, 0x90, 0xff, 0x80,
	};
	uint32_t x = 12345;
	uint8_t buf[200];
	struct payload p;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t n, lead = 0;
		int r;

		x = x * 1103515245u + 12345u;
		n = (x >> 8) % sizeof(buf);
		/* Half of them start like a card, to get past the claim. */
		if (i % 2 == 0 && n >= 13) {
			memcpy(buf, "079190001234|", 13);
			lead = 13;
		}
		for (size_t k = lead; k < n; k++) {
			x = x * 1103515245u + 12345u;
			buf[k] = alpha[(x >> 16) % sizeof(alpha)];
		}
		memset(&p, 0x5a, sizeof(p));
		r = parse_n(buf, n, &p);
		assert_terminated(&p);
		if (r == PAYLOAD_PASS) {
			assert_int_equal(p.kind, CRED_NONE);
		} else if (r == PAYLOAD_MALFORMED) {
			assert_int_equal(p.kind, CRED_CCCD);
			assert_string_equal(p.subject, "");
		} else {
			assert_int_equal(r, PAYLOAD_OK);
			assert_true(strlen(p.subject) > 0);
			assert_memory_equal(p.subject, buf, strlen(p.subject));
			if (p.kind == CRED_CCCD) {
				assert_int_equal(strlen(p.subject), 12);
				assert_int_equal(strlen(p.birth), 10);
				assert_int_equal(strlen(p.issued), 10);
			} else {
				assert_int_equal(p.kind, CRED_BADGE);
				assert_int_equal(strlen(p.subject), n);
			}
		}
	}
}

/* The test vectors of docs/tokens.md (tests/unit/test_token.c checks their
 * signatures; here only the parsers' claims matter). */
#define TOKEN_BADGE_TEXT "QG1: 5001B646Y86000PJ0UZR+CG0FMUS54*7ONCH/M4CT+XK." \
	"UMZJT*:417W7HC7HSV:25$D3EK0*KT8EATQA5HRIE57V06G4+P.H0PVAHLG:T97W9Z4" \
	"LDWSC0"
#define TOKEN_DYNAMIC_TEXT "QG1:MB001B646$86UTOZDO6JFU1HRDL0%0W:E/:GN$7EE9O8" \
	"NS+8L69*DC%9UX$PI.RBZPZXV.KV1+9RR5.04L$O1.V+9A V74$S0/OXQURNI6*JK5330"
#define TOKEN_VISITOR_TEXT "QG1:IH0B+ANF69L67467463W5646BB6UZRUAG8%R900YA8YG81" \
	"$CKWE0FFTMFLDOY47OGCG:A585WH0QLB%EKIRMJ$NJ:J-4RM95-1W.KV+OB1.GMX342" \
	"C2V4HYHI$DJCESRRECKNZJB$GD4TEC44M730"

static void
test_token_ok(void **state)
{
	struct payload p;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_s(TOKEN_BADGE_TEXT, &p), PAYLOAD_OK);
	assert_terminated(&p);
	assert_int_equal(p.kind, CRED_SIGNED);
	assert_string_equal(p.subject, "W0001");
	assert_string_equal(p.name, "");
	assert_int_equal(p.token.type, TOKEN_BADGE);
	assert_string_equal(p.token.id, "W0001");
	assert_int_equal(p.token.serial, 3);
	assert_int_equal(p.token.expires_s, 1893456000);
	assert_int_equal(p.token.body_len, 15);

	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_s(TOKEN_DYNAMIC_TEXT, &p), PAYLOAD_OK);
	assert_terminated(&p);
	assert_int_equal(p.kind, CRED_DYNAMIC);
	assert_string_equal(p.subject, "W0001");
	assert_int_equal(p.token.type, TOKEN_DYNAMIC);
	assert_int_equal(p.token.step, 63115200);
	assert_int_equal(p.token.body_len, 11);

	/* A visitor's pass: its id is the subject, not a badge's. */
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_s(TOKEN_VISITOR_TEXT, &p), PAYLOAD_OK);
	assert_terminated(&p);
	assert_int_equal(p.kind, CRED_VISITOR);
	assert_string_equal(p.subject, "V-20300101-0001");
	assert_int_equal(p.token.type, TOKEN_VISITOR);
	assert_string_equal(p.token.lanes, "A,B:entry");
	assert_int_equal(p.token.not_before_s, 1893456000);
	assert_int_equal(p.token.expires_s, 1893456000 + 28800);
	assert_int_equal(payload_parser_visitor.kind, CRED_VISITOR);
	assert_int_equal(payload_parser_visitor.parse(
	    (const uint8_t *)TOKEN_BADGE_TEXT, strlen(TOKEN_BADGE_TEXT), &p),
	    PAYLOAD_PASS);
	assert_int_equal(payload_parser_dynamic.parse(
	    (const uint8_t *)TOKEN_VISITOR_TEXT, strlen(TOKEN_VISITOR_TEXT), &p),
	    PAYLOAD_PASS);
}

/* Each token parser alone: it claims its own type only. */
static void
test_token_parsers_direct(void **state)
{
	const uint8_t *b = (const uint8_t *)TOKEN_BADGE_TEXT;
	const uint8_t *d = (const uint8_t *)TOKEN_DYNAMIC_TEXT;
	size_t bl = strlen(TOKEN_BADGE_TEXT), dl = strlen(TOKEN_DYNAMIC_TEXT);
	struct payload p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(payload_parser_signed.kind, CRED_SIGNED);
	assert_int_equal(payload_parser_dynamic.kind, CRED_DYNAMIC);
	assert_int_equal(payload_parser_signed.parse(b, bl, &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_SIGNED);
	assert_int_equal(payload_parser_signed.parse(d, dl, &p), PAYLOAD_PASS);
	assert_int_equal(payload_parser_dynamic.parse(d, dl, &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_DYNAMIC);
	assert_int_equal(payload_parser_dynamic.parse(b, bl, &p), PAYLOAD_PASS);
	/* A malformed token is the signed parser's claim alone. */
	assert_int_equal(payload_parser_signed.parse((const uint8_t *)"QG1:A",
	    5, &p), PAYLOAD_MALFORMED);
	assert_int_equal(payload_parser_dynamic.parse((const uint8_t *)"QG1:A",
	    5, &p), PAYLOAD_PASS);
	/* Neither takes what is no token. */
	assert_int_equal(payload_parser_signed.parse((const uint8_t *)"W0001",
	    5, &p), PAYLOAD_PASS);
	assert_int_equal(payload_parser_dynamic.parse((const uint8_t *)"W0001",
	    5, &p), PAYLOAD_PASS);
	assert_int_equal(payload_parser_signed.parse(NULL, 0, &p),
	    PAYLOAD_PASS);
	/* The badge parser would not take a token either (':' and ' '),
	 * but the table must not depend on that. */
	assert_int_equal(payload_parser_badge.parse(b, bl, &p), PAYLOAD_PASS);
}

static void
test_token_malformed(void **state)
{
	static const char *const bad[] = {
		"QG1:",			/* nothing after the prefix */
		"QG1:A",		/* a dangling base45 character */
		"QG1:GGW",		/* a triple over 0xffff */
		"QG1:mb001b646",	/* lower case */
		"QG1:W0001",		/* base45, but no token */
	};
	char buf[TOKEN_TEXT_MAX + 4];
	struct payload p;
	size_t len;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		memset(&p, 0x5a, sizeof(p));
		assert_int_equal(parse_s(bad[i], &p), PAYLOAD_MALFORMED);
		assert_terminated(&p);
		assert_int_equal(p.kind, CRED_SIGNED);
		assert_string_equal(p.subject, "");
		assert_int_equal(p.token.body_len, 0);
	}
	/* Truncated, or with a byte more: a malformed signed token, even
	 * when what is left was a dynamic one. */
	len = strlen(TOKEN_DYNAMIC_TEXT);
	assert_int_equal(parse_n(TOKEN_DYNAMIC_TEXT, len - 1, &p),
	    PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_SIGNED);
	memcpy(buf, TOKEN_DYNAMIC_TEXT, len);
	buf[len] = '0';
	assert_int_equal(parse_n(buf, len + 1, &p), PAYLOAD_MALFORMED);
	buf[len] = '\0';
	assert_int_equal(parse_n(buf, len + 1, &p), PAYLOAD_MALFORMED);
	assert_int_equal(p.kind, CRED_SIGNED);
	/* Without the exact prefix it is not a token: badge or unknown. */
	assert_int_equal(parse_s("QG1", &p), PAYLOAD_OK);
	assert_int_equal(p.kind, CRED_BADGE);
	assert_int_equal(parse_s("qg1:MB001B646", &p), PAYLOAD_PASS);
	assert_int_equal(p.kind, CRED_NONE);
	assert_int_equal(parse_s("QG2:MB001B646", &p), PAYLOAD_PASS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cccd_committed_first),
		cmocka_unit_test(test_cccd_committed_second),
		cmocka_unit_test(test_cccd_parser_direct),
		cmocka_unit_test(test_cccd_dates),
		cmocka_unit_test(test_cccd_old_id),
		cmocka_unit_test(test_cccd_field_count),
		cmocka_unit_test(test_cccd_nul),
		cmocka_unit_test(test_cccd_name),
		cmocka_unit_test(test_cccd_claim),
		cmocka_unit_test(test_badge_ok),
		cmocka_unit_test(test_badge_pass),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_utf8_table),
		cmocka_unit_test(test_utf8_exhaustive),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_token_ok),
		cmocka_unit_test(test_token_parsers_direct),
		cmocka_unit_test(test_token_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
