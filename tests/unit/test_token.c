/*
 * Signed tokens, base45, key files and QR images: the published test
 * vectors (fixed seeds, so Ed25519's deterministic signatures give fixed
 * texts), every way token_parse() refuses a text, signatures that must
 * not verify, the RFC 9285 examples, key files that must be refused, and
 * PNGs and terminal drawings that zbar must read back to the same text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "base45.h"
#include "decoder.h"
#include "image.h"
#include "keyfile.h"
#include "qrpng.h"
#include "token.h"
#include "util.h"

extern const struct decoder_ops decoder_zbar_ops;

/* The test vectors of docs/tokens.md. */
#define ISSUER_PK_HEX \
	"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define ISSUER_PK_B64	"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
#define WORKER_PK_HEX \
	"29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"
#define WORKER_PK_B64	"Kay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc="
#define BADGE_TEXT	"QG1: 5001B646Y86000PJ0UZR+CG0FMUS54*7ONCH/M4CT+XK." \
	"UMZJT*:417W7HC7HSV:25$D3EK0*KT8EATQA5HRIE57V06G4+P.H0PVAHLG:T97W9Z4" \
	"LDWSC0"
#define BADGE_BODY_HEX	"010557303030310000000370dbd880"
#define DYNAMIC_TEXT	"QG1:MB001B646$86UTOZDO6JFU1HRDL0%0W:E/:GN$7EE9O8NS+" \
	"8L69*DC%9UX$PI.RBZPZXV.KV1+9RR5.04L$O1.V+9A V74$S0/OXQURNI6*JK5330"
#define DYNAMIC_BODY_HEX "0205573030303103c30fc0"
#define DESK_PK_HEX \
	"2543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9559d"
#define DESK_PK_B64	"JUO5L/EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0="
#define VISITOR_TEXT	"QG1:IH0B+ANF69L67467463W5646BB6UZRUAG8%R900YA8YG81" \
	"$CKWE0FFTMFLDOY47OGCG:A585WH0QLB%EKIRMJ$NJ:J-4RM95-1W.KV+OB1.GMX342" \
	"C2V4HYHI$DJCESRRECKNZJB$GD4TEC44M730"
#define VISITOR_BODY_HEX "030f562d32303330303130312d3030303170dbd88070dc4900" \
	"09412c423a656e747279"

struct keys {
	uint8_t ipk[32], isk[64];	/* issuer: seed 00..1f */
	uint8_t wpk[32], wsk[64];	/* worker: seed 20..3f */
	uint8_t dpk[32], dsk[64];	/* visitor desk: seed 40..5f */
};

static void
keys_make(struct keys *k)
{
	uint8_t seed[32];

	assert_true(sodium_init() >= 0);
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	assert_int_equal(crypto_sign_seed_keypair(k->ipk, k->isk, seed), 0);
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x20 + i);
	assert_int_equal(crypto_sign_seed_keypair(k->wpk, k->wsk, seed), 0);
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x40 + i);
	assert_int_equal(crypto_sign_seed_keypair(k->dpk, k->dsk, seed), 0);
}

static void
hex_of(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/*
 * Parses exactly len bytes from a heap copy of that size, so that
 * AddressSanitizer reports any read past the end.
 */
static int
parse_n(const void *text, size_t len, struct token *t)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, len);
	r = token_parse(copy, len, t);
	free(copy);
	return r;
}

static int
parse_s(const char *s, struct token *t)
{
	return parse_n(s, strlen(s), t);
}

/* "QG1:" and the base45 of raw: a token text of any bytes. */
static int
text_of_raw(const uint8_t *raw, size_t n, char *out, size_t outlen)
{
	memcpy(out, TOKEN_PREFIX, 4);
	return base45_encode(raw, n, out + 4, outlen - 4);
}

/* --- base45 --- */

static void
test_base45_rfc(void **state)
{
	static const struct { const char *bin, *txt; } v[] = {
		{ "AB", "BB8" },
		{ "Hello!!", "%69 VD92EX0" },
		{ "base-45", "UJCLQE7W581" },
		{ "ietf!", "QED8WEX0" },
		{ "", "" },
	};
	char out[64];
	uint8_t bin[64];

	(void)state;
	for (size_t i = 0; i < nitems(v); i++) {
		size_t n = strlen(v[i].bin);

		assert_int_equal(base45_encode((const uint8_t *)v[i].bin, n,
		    out, sizeof(out)), (int)strlen(v[i].txt));
		assert_string_equal(out, v[i].txt);
		assert_int_equal(base45_decode(v[i].txt, strlen(v[i].txt), bin,
		    sizeof(bin)), (int)n);
		assert_memory_equal(bin, v[i].bin, n);
	}
}

static void
test_base45_roundtrip(void **state)
{
	uint8_t in[200], back[200];
	char txt[301];
	uint8_t seed[randombytes_SEEDBYTES] = { 45 };

	(void)state;
	assert_true(sodium_init() >= 0);
	randombytes_buf_deterministic(in, sizeof(in), seed);
	/* The extremes of each group, too. */
	in[0] = in[1] = 0xff;
	in[2] = in[3] = 0x00;
	for (size_t n = 0; n <= sizeof(in); n++) {
		int k = base45_encode(in, n, txt, sizeof(txt));

		assert_int_equal(k, (int)BASE45_ENCODED_LEN(n));
		assert_int_equal(strlen(txt), (size_t)k);
		assert_int_equal(base45_decode(txt, (size_t)k, back,
		    sizeof(back)), (int)n);
		assert_memory_equal(back, in, n);
	}
	/* 0xffff is the largest triple, "FGW". */
	assert_int_equal(base45_encode(in, 2, txt, sizeof(txt)), 3);
	assert_string_equal(txt, "FGW");
}

static void
test_base45_bad(void **state)
{
	static const char *const bad[] = {
		"A",		/* a dangling single character */
		"BB8A",		/* ... after a good triple */
		"GGW",		/* 65536: over 0xffff */
		":::",		/* 91124 */
		"V5",		/* 256: a pair over 0xff */
		"::",
		"bb8",		/* lower case is not in the alphabet */
		"BB#",
		"BB\x80",
		"B_8",
	};
	uint8_t out[8];
	char txt[8];

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_equal(base45_decode(bad[i], strlen(bad[i]), out,
		    sizeof(out)), -1);
	/* A NUL inside is a character like any other outside the set. */
	assert_int_equal(base45_decode("BB\0", 3, out, sizeof(out)), -1);
	/* "FF" is 15+15*45 = 690: over 255 too; "65" is 5*45+6 = 231. */
	assert_int_equal(base45_decode("FF", 2, out, sizeof(out)), -1);
	assert_int_equal(base45_decode("65", 2, out, sizeof(out)), 1);
	assert_int_equal(out[0], 231);
	assert_int_equal(base45_decode("U5", 2, out, sizeof(out)), 1);
	assert_int_equal(out[0], 255);
	/* Too small an output, each way. */
	assert_int_equal(base45_decode("BB8", 3, out, 1), -1);
	assert_int_equal(base45_decode("BB8", 3, out, 2), 2);
	assert_int_equal(base45_encode((const uint8_t *)"AB", 2, txt, 3), -1);
	assert_int_equal(base45_encode((const uint8_t *)"AB", 2, txt, 4), 3);
}

/* --- the test vectors --- */

static void
test_vector_keys(void **state)
{
	struct keys k;
	char hex[65], b64[KEY_PK_TEXT];

	(void)state;
	keys_make(&k);
	hex_of(k.ipk, 32, hex);
	assert_string_equal(hex, ISSUER_PK_HEX);
	hex_of(k.wpk, 32, hex);
	assert_string_equal(hex, WORKER_PK_HEX);
	key_pk_to_text(k.ipk, b64);
	assert_string_equal(b64, ISSUER_PK_B64);
	key_pk_to_text(k.wpk, b64);
	assert_string_equal(b64, WORKER_PK_B64);
}

static void
test_vector_badge(void **state)
{
	struct keys k;
	struct token t;
	char text[TOKEN_TEXT_MAX], hex[2 * TOKEN_BODY_MAX + 1];

	(void)state;
	keys_make(&k);
	assert_int_equal(token_badge_make("W0001", 3, 1893456000, k.isk, text,
	    sizeof(text)), (int)strlen(BADGE_TEXT));
	assert_string_equal(text, BADGE_TEXT);

	assert_int_equal(parse_s(BADGE_TEXT, &t), 1);
	assert_int_equal(t.type, TOKEN_BADGE);
	assert_string_equal(t.id, "W0001");
	assert_int_equal(t.serial, 3);
	assert_int_equal(t.expires_s, 1893456000);
	assert_int_equal(t.step, 0);
	hex_of(t.body, t.body_len, hex);
	assert_string_equal(hex, BADGE_BODY_HEX);
	assert_true(token_verify(&t, k.ipk));
	/* The worker's key did not sign it. */
	assert_false(token_verify(&t, k.wpk));
}

static void
test_vector_dynamic(void **state)
{
	struct keys k;
	struct token t;
	char text[TOKEN_TEXT_MAX], hex[2 * TOKEN_BODY_MAX + 1];

	(void)state;
	keys_make(&k);
	/* Step 63115200 of 30 s is 2030-01-01T00:00:00Z. */
	assert_int_equal(token_step_of(1893456000, 30), 63115200);
	assert_int_equal(token_dynamic_make("W0001", 63115200, k.wsk, text,
	    sizeof(text)), (int)strlen(DYNAMIC_TEXT));
	assert_string_equal(text, DYNAMIC_TEXT);

	assert_int_equal(parse_s(DYNAMIC_TEXT, &t), 1);
	assert_int_equal(t.type, TOKEN_DYNAMIC);
	assert_string_equal(t.id, "W0001");
	assert_int_equal(t.step, 63115200);
	assert_int_equal(t.serial, 0);
	assert_int_equal(t.expires_s, 0);
	hex_of(t.body, t.body_len, hex);
	assert_string_equal(hex, DYNAMIC_BODY_HEX);
	assert_true(token_verify(&t, k.wpk));
	assert_false(token_verify(&t, k.ipk));
}

static void
test_vector_visitor(void **state)
{
	struct keys k;
	struct token t;
	char text[TOKEN_TEXT_MAX], hex[2 * TOKEN_BODY_MAX + 1], b64[KEY_PK_TEXT];

	(void)state;
	keys_make(&k);
	hex_of(k.dpk, 32, hex);
	assert_string_equal(hex, DESK_PK_HEX);
	key_pk_to_text(k.dpk, b64);
	assert_string_equal(b64, DESK_PK_B64);
	/* 2030-01-01T00:00:00Z for eight hours, lanes A and B's entry. */
	assert_int_equal(token_visitor_make("V-20300101-0001", 1893456000,
	    1893456000 + 28800, "A,B:entry", k.dsk, text, sizeof(text)),
	    (int)strlen(VISITOR_TEXT));
	assert_string_equal(text, VISITOR_TEXT);

	assert_int_equal(parse_s(VISITOR_TEXT, &t), 1);
	assert_int_equal(t.type, TOKEN_VISITOR);
	assert_string_equal(t.id, "V-20300101-0001");
	assert_int_equal(t.not_before_s, 1893456000);
	assert_int_equal(t.expires_s, 1893456000 + 28800);
	assert_string_equal(t.lanes, "A,B:entry");
	assert_int_equal(t.serial, 0);
	assert_int_equal(t.step, 0);
	hex_of(t.body, t.body_len, hex);
	assert_string_equal(hex, VISITOR_BODY_HEX);
	assert_true(token_verify(&t, k.dpk));
	/* Only the desk's key made it: not the issuer's. */
	assert_false(token_verify(&t, k.ipk));
}

/*
 * Visitor bodies that must not parse: lanes of no length, longer than
 * TOKEN_LANES_MAX, with a space or a control byte, a lanes length past the
 * end, and one byte too many.  Each is signed, so only the form refuses.
 */
static void
test_parse_visitor_bad(void **state)
{
	struct keys k;
	struct token t;
	uint8_t body[200], raw[300];
	char text[TOKEN_TEXT_MAX * 2];
	size_t o;
	struct {
		const char *lanes;
		int lanes_len;	/* the length byte; -1: the lanes' own */
		int extra;	/* bytes after the lanes */
		int want;
	} cases[] = {
		{ "A", -1, 0, 1 },	/* the good one: the loop can pass */
		{ "", -1, 0, -1 },
		{ "A B", -1, 0, -1 },
		{ "A\tB", -1, 0, -1 },
		{ "A", 2, 0, -1 },	/* says 2, holds 1 */
		{ "AB", 1, 0, -1 },	/* says 1, holds 2 */
		{ "A", -1, 1, -1 },
		{ "0123456789012345678901234567890123456789012345678901234"
		  "567890123", -1, 0, 1 },	/* 64: the longest */
		{ "0123456789012345678901234567890123456789012345678901234"
		  "5678901234", -1, 0, -1 },	/* 65 */
	};

	(void)state;
	keys_make(&k);
	for (size_t c = 0; c < nitems(cases); c++) {
		size_t ln = strlen(cases[c].lanes);
		uint8_t msg[15 + sizeof(body)];
		size_t n;

		body[0] = TOKEN_VISITOR;
		body[1] = 1;
		body[2] = 'V';
		memset(body + 3, 0, 8);
		body[3] = 0x70;
		body[7] = 0x71;
		body[11] = (uint8_t)(cases[c].lanes_len < 0 ? (int)ln :
		    cases[c].lanes_len);
		memcpy(body + 12, cases[c].lanes, ln);
		o = 12 + ln;
		memset(body + o, 'X', (size_t)cases[c].extra);
		o += (size_t)cases[c].extra;
		memcpy(msg, "qrgate-token-v1", 15);
		memcpy(msg + 15, body, o);
		memcpy(raw, body, o);
		assert_int_equal(crypto_sign_detached(raw + o, NULL, msg, 15 + o,
		    k.dsk), 0);
		n = o + 64;
		assert_true(text_of_raw(raw, n, text, sizeof(text)) > 0);
		assert_int_equal(parse_n(text, strlen(text), &t),
		    cases[c].want);
		if (cases[c].want == 1)
			assert_true(token_verify(&t, k.dpk));
	}
	/* Cut anywhere, it is malformed, never read past its end. */
	for (size_t n = 4; n < strlen(VISITOR_TEXT); n++)
		assert_int_equal(parse_n(VISITOR_TEXT, n, &t), -1);
}

static void
test_make_visitor_refuses(void **state)
{
	struct keys k;
	char text[TOKEN_TEXT_MAX];
	char long_lanes[TOKEN_LANES_MAX + 2];

	(void)state;
	keys_make(&k);
	memset(long_lanes, 'A', sizeof(long_lanes) - 1);
	long_lanes[sizeof(long_lanes) - 1] = '\0';
	/* Ends no later than it starts. */
	assert_int_equal(token_visitor_make("V-1", 100, 100, "*", k.dsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", 100, 99, "*", k.dsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", -1, 99, "*", k.dsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", 0, (int64_t)UINT32_MAX + 1,
	    "*", k.dsk, text, sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", 0, 99, "", k.dsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", 0, 99, "A, B", k.dsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", 0, 99, long_lanes, k.dsk,
	    text, sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V-1", 0, 99, NULL, k.dsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_visitor_make("V 1", 0, 99, "*", k.dsk, text,
	    sizeof(text)), -1);
	/* Too small a buffer. */
	assert_int_equal(token_visitor_make("V-1", 0, 99, "*", k.dsk, text,
	    20), -1);
	/* The longest pass, the longest token of all, fits TOKEN_TEXT_MAX. */
	long_lanes[TOKEN_LANES_MAX] = '\0';
	assert_int_equal(token_visitor_make("V-012345678901234567890123456789",
	    0, 99, long_lanes, k.dsk, text, sizeof(text)),
	    (int)(4 + BASE45_ENCODED_LEN(TOKEN_BODY_MAX + TOKEN_SIG_BYTES)));
	assert_true(strlen(text) < TOKEN_TEXT_MAX);
}

/* --- tampering --- */

/* Every bit of body and signature, flipped alone, breaks the token. */
static void
test_flip_bits(void **state)
{
	static const char *const texts[] = { BADGE_TEXT, DYNAMIC_TEXT };
	const uint8_t *pk;
	struct keys k;
	struct token t;
	uint8_t raw[TOKEN_BODY_MAX + TOKEN_SIG_BYTES];
	char text[TOKEN_TEXT_MAX];
	int n;

	(void)state;
	keys_make(&k);
	for (int w = 0; w < 2; w++) {
		pk = w == 0 ? k.ipk : k.wpk;
		n = base45_decode(texts[w] + 4, strlen(texts[w]) - 4, raw,
		    sizeof(raw));
		assert_true(n > 0);
		for (int i = 0; i < n; i++)
			for (int b = 0; b < 8; b++) {
				raw[i] ^= (uint8_t)(1 << b);
				assert_true(text_of_raw(raw, (size_t)n, text,
				    sizeof(text)) > 0);
				if (parse_s(text, &t) == 1)
					assert_false(token_verify(&t, pk));
				raw[i] ^= (uint8_t)(1 << b);
			}
		/* Unflipped, it still verifies: the loop tested something. */
		assert_true(text_of_raw(raw, (size_t)n, text, sizeof(text)) > 0);
		assert_int_equal(parse_s(text, &t), 1);
		assert_true(token_verify(&t, pk));
	}
}

/* Every character changed to every other one of the alphabet. */
static void
test_flip_chars(void **state)
{
	static const char alphabet[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	struct keys k;
	struct token t;
	char text[TOKEN_TEXT_MAX];
	size_t len = strlen(BADGE_TEXT);
	int verified = 0;

	(void)state;
	keys_make(&k);
	memcpy(text, BADGE_TEXT, len + 1);
	for (size_t i = 0; i < len; i++) {
		char was = text[i];

		for (size_t a = 0; a < 45; a++) {
			if (alphabet[a] == was)
				continue;
			text[i] = alphabet[a];
			if (parse_n(text, len, &t) == 1 &&
			    token_verify(&t, k.ipk))
				verified++;
		}
		text[i] = was;
	}
	assert_int_equal(verified, 0);
	assert_int_equal(parse_n(text, len, &t), 1);
	assert_true(token_verify(&t, k.ipk));
}

static void
test_wrong_key(void **state)
{
	struct keys k;
	struct token t;
	char text[TOKEN_TEXT_MAX];
	uint8_t zero[32] = { 0 };

	(void)state;
	keys_make(&k);
	/* Signed by the worker, as though a badge: the issuer's key fails. */
	assert_true(token_badge_make("W0001", 3, 1893456000, k.wsk, text,
	    sizeof(text)) > 0);
	assert_int_equal(parse_s(text, &t), 1);
	assert_false(token_verify(&t, k.ipk));
	assert_true(token_verify(&t, k.wpk));
	assert_false(token_verify(&t, zero));
	/* A body longer than any token's is refused before verifying. */
	t.body_len = TOKEN_BODY_MAX + 1;
	assert_false(token_verify(&t, k.wpk));
}

/* The same signature over another body: the body is what is signed. */
static void
test_swapped_signature(void **state)
{
	struct keys k;
	struct token a, b;
	uint8_t raw[TOKEN_BODY_MAX + TOKEN_SIG_BYTES];
	char text[TOKEN_TEXT_MAX];

	(void)state;
	keys_make(&k);
	assert_true(token_badge_make("W0001", 4, 1893456000, k.isk, text,
	    sizeof(text)) > 0);
	assert_int_equal(parse_s(text, &a), 1);
	assert_int_equal(parse_s(BADGE_TEXT, &b), 1);
	assert_true(token_verify(&a, k.ipk));
	memcpy(raw, b.body, b.body_len);
	memcpy(raw + b.body_len, a.sig, TOKEN_SIG_BYTES);
	assert_true(text_of_raw(raw, b.body_len + TOKEN_SIG_BYTES, text,
	    sizeof(text)) > 0);
	assert_int_equal(parse_s(text, &b), 1);
	assert_false(token_verify(&b, k.ipk));
}

/* --- parsing --- */

static void
test_parse_not_token(void **state)
{
	struct token t;

	(void)state;
	assert_int_equal(parse_s("", &t), 0);
	assert_int_equal(parse_s("Q", &t), 0);
	assert_int_equal(parse_s("QG1", &t), 0);
	assert_int_equal(parse_s("W0001", &t), 0);
	assert_int_equal(parse_s("qg1:MB001B646", &t), 0);
	assert_int_equal(parse_s("QG2:MB001B646", &t), 0);
	assert_int_equal(parse_s(" QG1:MB001B646", &t), 0);
	assert_int_equal(parse_n("QG\0:", 4, &t), 0);
	assert_int_equal(token_parse(NULL, 0, &t), 0);
	assert_int_equal(token_parse(NULL, 10, &t), 0);
}

static void
test_parse_truncated(void **state)
{
	static const char *const texts[] = { BADGE_TEXT, DYNAMIC_TEXT };
	struct token t;

	(void)state;
	for (int w = 0; w < 2; w++) {
		size_t len = strlen(texts[w]);

		for (size_t n = 0; n < len; n++)
			assert_int_equal(parse_n(texts[w], n, &t),
			    n < 4 ? 0 : -1);
		assert_int_equal(parse_n(texts[w], len, &t), 1);
	}
}

static void
test_parse_trailing(void **state)
{
	static const char *const tails[] = {
		"0", "00", "000", "0000", " ", "\n", "\0", "BB8",
	};
	struct token t;
	uint8_t raw[TOKEN_BODY_MAX + TOKEN_SIG_BYTES + 2];
	char text[TOKEN_TEXT_MAX + 16];
	size_t len = strlen(BADGE_TEXT);
	int n;

	(void)state;
	for (size_t i = 0; i < nitems(tails); i++) {
		size_t tl = strlen(tails[i]) ? strlen(tails[i]) : 1;

		memcpy(text, BADGE_TEXT, len);
		memcpy(text + len, tails[i], tl);
		assert_int_equal(parse_n(text, len + tl, &t), -1);
	}
	/* One byte more, properly encoded, is still one byte too many. */
	n = base45_decode(BADGE_TEXT + 4, len - 4, raw, sizeof(raw));
	assert_true(n > 0);
	for (int extra = 1; extra <= 2; extra++) {
		raw[n + extra - 1] = 0;
		assert_true(text_of_raw(raw, (size_t)(n + extra), text,
		    sizeof(text)) > 0);
		assert_int_equal(parse_s(text, &t), -1);
	}
	/* And one less is short. */
	assert_true(text_of_raw(raw, (size_t)(n - 1), text, sizeof(text)) > 0);
	assert_int_equal(parse_s(text, &t), -1);
}

static void
test_parse_bad_base45(void **state)
{
	struct token t;
	char text[TOKEN_TEXT_MAX], big[4 + 3 * 200];
	size_t len = strlen(DYNAMIC_TEXT);

	(void)state;
	assert_int_equal(parse_s("QG1:", &t), -1);
	assert_int_equal(parse_s("QG1:A", &t), -1);
	assert_int_equal(parse_s("QG1:GGW", &t), -1);
	/* A lower-case letter, a NUL and a byte over 0x7f inside. */
	memcpy(text, DYNAMIC_TEXT, len);
	text[10] = 'b';
	assert_int_equal(parse_n(text, len, &t), -1);
	text[10] = '\0';
	assert_int_equal(parse_n(text, len, &t), -1);
	text[10] = (char)0xc3;
	assert_int_equal(parse_n(text, len, &t), -1);
	/* Far too long, though every group is valid. */
	memset(big, '0', sizeof(big));
	memcpy(big, TOKEN_PREFIX, 4);
	assert_int_equal(parse_n(big, sizeof(big), &t), -1);
}

/*
 * Builds a token's raw bytes field by field, with a signature of zeros:
 * parse only checks the form, so the form alone decides.
 */
static int
parse_raw(int type, int idlen, const char *id, size_t tail, struct token *t)
{
	uint8_t raw[2 + 255 + 8 + TOKEN_SIG_BYTES];
	char text[4 + BASE45_ENCODED_LEN(sizeof(raw)) + 1];
	size_t n = 0;

	raw[n++] = (uint8_t)type;
	raw[n++] = (uint8_t)idlen;
	memcpy(raw + n, id, strlen(id));
	n += strlen(id);
	memset(raw + n, 0, tail + TOKEN_SIG_BYTES);
	n += tail + TOKEN_SIG_BYTES;
	assert_true(text_of_raw(raw, n, text, sizeof(text)) > 0);
	return parse_s(text, t);
}

static void
test_parse_fields(void **state)
{
	char id33[34];
	struct token t;

	(void)state;
	memset(id33, 'A', 33);
	id33[33] = '\0';
	assert_int_equal(parse_raw(1, 5, "W0001", 8, &t), 1);
	assert_int_equal(parse_raw(2, 5, "W0001", 4, &t), 1);
	/* Each type with the other's length. */
	assert_int_equal(parse_raw(1, 5, "W0001", 4, &t), -1);
	assert_int_equal(parse_raw(2, 5, "W0001", 8, &t), -1);
	/* No such type. */
	assert_int_equal(parse_raw(0, 5, "W0001", 8, &t), -1);
	assert_int_equal(parse_raw(3, 5, "W0001", 8, &t), -1);
	assert_int_equal(parse_raw(0xff, 5, "W0001", 4, &t), -1);
	/* Id lengths: none, the most, one more, and one that lies. */
	assert_int_equal(parse_raw(1, 0, "", 8, &t), -1);
	assert_int_equal(parse_raw(1, 32, id33 + 1, 8, &t), 1);
	assert_string_equal(t.id, id33 + 1);
	assert_int_equal(parse_raw(1, 33, id33, 8, &t), -1);
	assert_int_equal(parse_raw(1, 4, "W0001", 8, &t), -1);
	assert_int_equal(parse_raw(1, 6, "W0001", 8, &t), -1);
	assert_int_equal(parse_raw(1, 255, "W0001", 8, &t), -1);
	/* Id characters: 0x21..0x7e only. */
	assert_int_equal(parse_raw(1, 3, "!~A", 8, &t), 1);
	assert_int_equal(parse_raw(1, 3, "A A", 8, &t), -1);
	assert_int_equal(parse_raw(1, 3, "A\x7f" "A", 8, &t), -1);
	assert_int_equal(parse_raw(1, 3, "A\x1f" "A", 8, &t), -1);
	assert_int_equal(parse_raw(1, 3, "A\xc3\xa9", 8, &t), -1);
	/* Only the type byte, and nothing at all after the prefix. */
	assert_int_equal(parse_s("QG1:1", &t), -1);
	assert_int_equal(parse_s("QG1:10", &t), -1);
}

/* Random texts after the prefix never crash and never pass as tokens
 * that verify; the sanitizer build checks every read. */
static void
test_parse_hostile(void **state)
{
	static const char alphabet[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	uint8_t seed[randombytes_SEEDBYTES] = { 7 }, rnd[4 + 200];
	struct keys k;
	struct token t;

	(void)state;
	keys_make(&k);
	for (int i = 0; i < 3000; i++) {
		size_t len = 4 + (size_t)(i % 200);

		seed[1] = (uint8_t)i;
		seed[2] = (uint8_t)(i >> 8);
		randombytes_buf_deterministic(rnd, sizeof(rnd), seed);
		memcpy(rnd, TOKEN_PREFIX, 4);
		/* Half in the alphabet, so decoding gets further. */
		if (i % 2)
			for (size_t j = 4; j < len; j++)
				rnd[j] = (uint8_t)alphabet[rnd[j] % 45];
		if (parse_n(rnd, len, &t) == 1) {
			assert_false(token_verify(&t, k.ipk));
			assert_non_null(memchr(t.id, '\0', sizeof(t.id)));
		}
	}
}

/* --- making --- */

static void
test_make_refuses(void **state)
{
	struct keys k;
	char text[TOKEN_TEXT_MAX], id33[34], id32[33];

	(void)state;
	keys_make(&k);
	memset(id33, 'A', 33);
	id33[33] = '\0';
	memcpy(id32, id33, 33);
	id32[32] = '\0';
	assert_int_equal(token_badge_make(id33, 1, 1, k.isk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_dynamic_make(id33, 1, k.wsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_badge_make("", 1, 1, k.isk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_badge_make(NULL, 1, 1, k.isk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_badge_make("W 1", 1, 1, k.isk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_dynamic_make("W\n1", 1, k.wsk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_badge_make("W1", 1, -1, k.isk, text,
	    sizeof(text)), -1);
	assert_int_equal(token_badge_make("W1", 1, (int64_t)UINT32_MAX + 1,
	    k.isk, text, sizeof(text)), -1);
	/* The longest badge (163 characters) fits its length and a NUL, and
	 * one byte less not. */
	assert_int_equal(token_badge_make(id32, UINT32_MAX, UINT32_MAX, k.isk,
	    text, 164), 163);
	assert_int_equal(token_badge_make(id32, 1, 1, k.isk, text, 163), -1);
	assert_string_equal(text, "");
	assert_int_equal(token_dynamic_make("W0001", 1, k.wsk, text, 3), -1);
}

static void
test_step_of(void **state)
{
	(void)state;
	assert_int_equal(token_step_of(0, 30), 0);
	assert_int_equal(token_step_of(29, 30), 0);
	assert_int_equal(token_step_of(30, 30), 1);
	assert_int_equal(token_step_of(1893456029, 30), 63115200);
	assert_int_equal(token_step_of(1893456030, 30), 63115201);
	assert_int_equal(token_step_of(1893456000, 5), 378691200);
	assert_int_equal(token_step_of(-1, 30), 0);
	assert_int_equal(token_step_of(100, 0), 0);
	assert_int_equal(token_step_of(100, -30), 0);
	assert_int_equal(token_step_of(INT64_MAX, 1), UINT32_MAX);
}

/* --- key files --- */

struct tmp {
	char dir[64];
	char path[128], pub[128];
};

static void
tmp_make(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/qrgate-token-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/issuer", t->dir);
	snprintf(t->pub, sizeof(t->pub), "%s/issuer.pub", t->dir);
}

static void
tmp_remove(struct tmp *t, const char *const *names)
{
	char p[192];

	for (; *names != NULL; names++) {
		snprintf(p, sizeof(p), "%s/%s", t->dir, *names);
		unlink(p);
	}
	assert_int_equal(rmdir(t->dir), 0);
}

static void
file_put(const char *path, mode_t mode, const void *buf, size_t len)
{
	FILE *f;

	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static size_t
file_get(const char *path, char *buf, size_t size)
{
	FILE *f;
	size_t n;

	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static void
test_keyfile_create(void **state)
{
	static const char *const names[] = { "issuer", "issuer.pub", NULL };
	struct tmp t;
	struct stat st;
	uint8_t sk[64], pk[32];
	char err[256], before[256], after[256], pub[64];

	(void)state;
	tmp_make(&t);
	assert_int_equal(key_pair_create(t.path, err, sizeof(err)), 0);
	assert_int_equal(stat(t.path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* One line of base64: 88 characters and a newline. */
	assert_int_equal(file_get(t.path, before, sizeof(before)), 89);
	assert_int_equal(before[88], '\n');
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), 0);
	/* The .pub holds the public half of the secret key. */
	assert_int_equal(file_get(t.pub, pub, sizeof(pub)), 45);
	assert_int_equal(pub[44], '\n');
	pub[44] = '\0';
	assert_int_equal(key_pk_from_text(pub, pk), 0);
	assert_memory_equal(pk, sk + 32, 32);

	/* Never over an existing key, and the key is left as it was. */
	assert_int_equal(key_pair_create(t.path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(EEXIST)));
	file_get(t.path, after, sizeof(after));
	assert_string_equal(after, before);
	/* Nor over a secret key alone, and no .pub is made for it. */
	assert_int_equal(unlink(t.pub), 0);
	assert_int_equal(key_pair_create(t.path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(EEXIST)));
	file_get(t.path, after, sizeof(after));
	assert_string_equal(after, before);
	assert_int_equal(access(t.pub, F_OK), -1);
	/* Nor over a .pub alone, and then no secret key is left. */
	assert_int_equal(rename(t.path, t.pub), 0);
	assert_int_equal(key_pair_create(t.path, err, sizeof(err)), -1);
	assert_int_equal(access(t.path, F_OK), -1);
	/* A directory that does not exist. */
	snprintf(before, sizeof(before), "%s/no/such", t.dir);
	assert_int_equal(key_pair_create(before, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no/such"));
	tmp_remove(&t, names);
}

static void
test_keyfile_read_refuses(void **state)
{
	static const char *const names[] = { "issuer", "issuer.pub", "dir",
	    NULL };
	struct keys k;
	struct tmp t;
	uint8_t sk[64], bad[64];
	char err[256], text[128], dir[192];

	(void)state;
	keys_make(&k);
	tmp_make(&t);
	sodium_bin2base64(text, sizeof(text), k.isk, 64,
	    sodium_base64_VARIANT_ORIGINAL);
	/* The file as keygen writes it, and without the newline. */
	file_put(t.path, 0600, text, strlen(text));
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), 0);
	assert_memory_equal(sk, k.isk, 64);
	strcat(text, "\n");
	file_put(t.path, 0400, text, strlen(text));
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), 0);
	/* Readable (or writable) by others: refused, whatever it holds. */
	static const mode_t modes[] = { 0644, 0640, 0604, 0620, 0602, 0610,
	    0601 };
	for (size_t i = 0; i < nitems(modes); i++) {
		assert_int_equal(chmod(t.path, modes[i]), 0);
		memset(err, 0, sizeof(err));
		assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "chmod 600"));
	}
	/* Not a key: empty, garbage, two newlines, the public key, a
	 * secret key whose halves disagree. */
	file_put(t.path, 0600, "", 0);
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
	file_put(t.path, 0600, "hello\n", 6);
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a qrgate secret key"));
	strcat(text, "\n");
	file_put(t.path, 0600, text, strlen(text));
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
	file_put(t.path, 0600, ISSUER_PK_B64 "\n", 45);
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
	memcpy(bad, k.isk, 32);
	memcpy(bad + 32, k.wpk, 32);
	sodium_bin2base64(text, sizeof(text), bad, 64,
	    sodium_base64_VARIANT_ORIGINAL);
	file_put(t.path, 0600, text, strlen(text));
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
	/* A huge file. */
	{
		char big[4096];

		memset(big, 'A', sizeof(big));
		file_put(t.path, 0600, big, sizeof(big));
		assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)),
		    -1);
	}
	/* Missing, and a directory. */
	assert_int_equal(unlink(t.path), 0);
	assert_int_equal(key_sk_read(t.path, sk, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(ENOENT)));
	snprintf(dir, sizeof(dir), "%s/dir", t.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(key_sk_read(dir, sk, err, sizeof(err)), -1);
	assert_int_equal(rmdir(dir), 0);
	tmp_remove(&t, names);
}

static void
test_key_pk_text(void **state)
{
	struct keys k;
	uint8_t pk[32];
	char text[KEY_PK_TEXT], bad[64];

	(void)state;
	keys_make(&k);
	assert_int_equal(key_pk_from_text(ISSUER_PK_B64, pk), 0);
	assert_memory_equal(pk, k.ipk, 32);
	key_pk_to_text(k.wpk, text);
	assert_int_equal(key_pk_from_text(text, pk), 0);
	assert_memory_equal(pk, k.wpk, 32);

	assert_int_equal(key_pk_from_text(NULL, pk), -1);
	assert_int_equal(key_pk_from_text("", pk), -1);
	/* Without its padding, with a newline, with a blank. */
	snprintf(bad, sizeof(bad), "%.43s", ISSUER_PK_B64);
	assert_int_equal(key_pk_from_text(bad, pk), -1);
	snprintf(bad, sizeof(bad), "%s\n", ISSUER_PK_B64);
	assert_int_equal(key_pk_from_text(bad, pk), -1);
	snprintf(bad, sizeof(bad), " %s", ISSUER_PK_B64);
	assert_int_equal(key_pk_from_text(bad, pk), -1);
	/* URL-safe base64 is another alphabet. */
	snprintf(bad, sizeof(bad), "%s", ISSUER_PK_B64);
	*strchr(bad, '/') = '_';
	assert_int_equal(key_pk_from_text(bad, pk), -1);
	/* Non-zero padding bits: "...Mbg=" is canonical, "...Mbh=" not. */
	snprintf(bad, sizeof(bad), "%s", ISSUER_PK_B64);
	bad[42] = 'h';
	assert_int_equal(key_pk_from_text(bad, pk), -1);
	/* 33 bytes' worth. */
	assert_int_equal(key_pk_from_text(
	    "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbgA", pk), -1);
}

/* --- QR codes --- */

/* Decodes a grey image with zbar; returns the number of codes. */
static int
zbar_scan(const uint8_t *y, int w, int h, struct decode_result *r,
    void **priv)
{
	struct frame f = { .y = y, .width = w, .height = h, .stride = w };

	*priv = decoder_zbar_ops.open();
	assert_non_null(*priv);
	return decoder_zbar_ops.scan(*priv, &f, r);
}

static void
png_roundtrip(const char *path, const char *text, int scale)
{
	struct decode_result r;
	struct image img;
	char err[256];
	void *priv;

	assert_int_equal(qrpng_write(path, text, scale, err, sizeof(err)), 0);
	assert_int_equal(image_load(path, &img, err, sizeof(err)), 0);
	assert_int_equal(img.width, img.height);
	/* The quiet zone: the first rows and columns are light. */
	for (int i = 0; i < QRPNG_QUIET * scale; i++) {
		assert_int_equal(img.y[i], 255);
		assert_int_equal(img.y[(size_t)i * img.width], 255);
	}
	assert_int_equal(img.width % scale, 0);
	assert_int_equal(zbar_scan(img.y, img.width, img.height, &r, &priv), 1);
	assert_int_equal(r.codes[0].len, strlen(text));
	assert_memory_equal(r.codes[0].data, text, strlen(text));
	decoder_zbar_ops.close(priv);
	image_free(&img);
	assert_int_equal(unlink(path), 0);
}

static void
test_qrpng_roundtrip(void **state)
{
	static const char *const names[] = { NULL };
	struct tmp t;
	char path[192], err[256];

	(void)state;
	tmp_make(&t);
	snprintf(path, sizeof(path), "%s/code.png", t.dir);
	png_roundtrip(path, BADGE_TEXT, 4);
	png_roundtrip(path, DYNAMIC_TEXT, 1 + 2);
	/* Not alphanumeric: 8-bit mode, the bytes as they are. */
	png_roundtrip(path, "hello, world", 8);
	/* Refusals, and no file left behind. */
	assert_int_equal(qrpng_write(path, "A", 0, err, sizeof(err)), -1);
	assert_int_equal(qrpng_write(path, "A", QRPNG_SCALE_MAX + 1, err,
	    sizeof(err)), -1);
	assert_int_equal(qrpng_write(path, "", 4, err, sizeof(err)), -1);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/no/code.png", t.dir);
	assert_int_equal(qrpng_write(path, "A", 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no/code.png"));
	tmp_remove(&t, names);
}

/*
 * Reads a terminal drawing back into modules (two rows a line, from the
 * half blocks), renders them at 4 pixels a module, and decodes that: the
 * drawing is a code zbar can read, quiet zone included.
 */
static void
test_qrpng_draw(void **state)
{
	static const char head[] = "\033[30;47m", tail[] = "\033[0m\n";
	struct decode_result r;
	char *buf = NULL, err[256];
	size_t size = 0;
	FILE *f;
	uint8_t *px;
	int lines = 0, side = -1, scale = 4;
	const char *p, *nl;
	void *priv;

	(void)state;
	assert_non_null(f = open_memstream(&buf, &size));
	assert_int_equal(qrpng_draw(f, DYNAMIC_TEXT, err, sizeof(err)), 0);
	assert_int_equal(fclose(f), 0);

	/* Each line: colours, side cells, reset. */
	for (p = buf; *p != '\0'; p = nl + 1, lines++) {
		int cells = 0;
		const char *q;

		assert_non_null(nl = strchr(p, '\n'));
		assert_memory_equal(p, head, strlen(head));
		assert_memory_equal(nl + 1 - strlen(tail), tail, strlen(tail));
		for (q = p + strlen(head); q < nl + 1 - strlen(tail); cells++)
			q += *q == ' ' ? 1 : 3;
		if (side == -1)
			side = cells;
		assert_int_equal(cells, side);
	}
	/*
	 * Version 5 (37 modules) and the quiet zone: its 117 characters fit
	 * version 5-M only in alphanumeric mode (122 characters; 8-bit mode
	 * would need version 7), so this also checks the mode.
	 */
	assert_int_equal(side, 37 + 2 * QRPNG_QUIET);
	assert_int_equal(lines, (side + 1) / 2);

	assert_non_null(px = malloc((size_t)side * scale * lines * 2 * scale));
	p = buf;
	for (int l = 0; l < lines; l++) {
		const char *q = p + strlen(head);

		for (int x = 0; x < side; x++) {
			int top = 0, bottom = 0;

			if (*q == ' ')
				q++;
			else {
				top = strncmp(q, "\u2580", 3) == 0 ||
				    strncmp(q, "\u2588", 3) == 0;
				bottom = strncmp(q, "\u2584", 3) == 0 ||
				    strncmp(q, "\u2588", 3) == 0;
				assert_true(top || bottom);
				q += 3;
			}
			for (int dy = 0; dy < scale; dy++)
				for (int dx = 0; dx < scale; dx++) {
					size_t w = (size_t)side * scale;

					px[((size_t)(2 * l) * scale + dy) * w +
					    (size_t)x * scale + dx] =
					    top ? 0 : 255;
					px[((size_t)(2 * l + 1) * scale + dy) *
					    w + (size_t)x * scale + dx] =
					    bottom ? 0 : 255;
				}
		}
		p = strchr(p, '\n') + 1;
	}
	assert_int_equal(zbar_scan(px, side * scale, lines * 2 * scale, &r,
	    &priv), 1);
	assert_int_equal(r.codes[0].len, strlen(DYNAMIC_TEXT));
	assert_memory_equal(r.codes[0].data, DYNAMIC_TEXT,
	    strlen(DYNAMIC_TEXT));
	decoder_zbar_ops.close(priv);
	free(px);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base45_rfc),
		cmocka_unit_test(test_base45_roundtrip),
		cmocka_unit_test(test_base45_bad),
		cmocka_unit_test(test_vector_keys),
		cmocka_unit_test(test_vector_badge),
		cmocka_unit_test(test_vector_dynamic),
		cmocka_unit_test(test_vector_visitor),
		cmocka_unit_test(test_parse_visitor_bad),
		cmocka_unit_test(test_make_visitor_refuses),
		cmocka_unit_test(test_flip_bits),
		cmocka_unit_test(test_flip_chars),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_swapped_signature),
		cmocka_unit_test(test_parse_not_token),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_trailing),
		cmocka_unit_test(test_parse_bad_base45),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_make_refuses),
		cmocka_unit_test(test_step_of),
		cmocka_unit_test(test_keyfile_create),
		cmocka_unit_test(test_keyfile_read_refuses),
		cmocka_unit_test(test_key_pk_text),
		cmocka_unit_test(test_qrpng_roundtrip),
		cmocka_unit_test(test_qrpng_draw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
