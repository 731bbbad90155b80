/*
 * The CCCD check hash (cccd_check.c) and the site secret's file it is
 * keyed with (keyfile.c): the card enrolled matches, a code made up from
 * its number with any other name or date does not, and without the key
 * nothing enrolled matches.
 */
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

#include "cccd_check.h"
#include "keyfile.h"
#include "payload.h"
#include "util.h"

#define CARD	"079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|Nữ|" \
		"12 Lê Lợi, Phường Bến Nghé, Quận 1|01022021"

static uint8_t key[KEY_SECRET_BYTES], other_key[KEY_SECRET_BYTES];

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(other_key, sizeof(other_key));
	return 0;
}

static void
parse(const char *text, struct payload *p)
{
	assert_int_equal(payload_parse((const uint8_t *)text, strlen(text), p),
	    PAYLOAD_OK);
	assert_int_equal(p->kind, CRED_CCCD);
}

/* The hash of the enrolled card, as enroll-cccd stores it. */
static void
enrolled(char hash[CCCD_CHECK_HEX])
{
	struct payload p;

	parse(CARD, &p);
	cccd_check_hash(key, &p, hash);
	assert_true(cccd_check_valid(hash));
	assert_int_equal(strlen(hash), CCCD_CHECK_HEX - 1);
}

static void
test_same_card_matches(void **state)
{
	char hash[CCCD_CHECK_HEX];
	struct payload p;

	(void)state;
	enrolled(hash);
	parse(CARD, &p);
	assert_true(cccd_check_match(key, &p, hash));
	/* The sex, the address, the old number are not in it: a card read
	 * again with those damaged is still the card. */
	parse("079190001234||Nguyễn Thị Hồng Nhung|15081990|Nam|elsewhere|"
	    "01022021|2024 extra", &p);
	assert_true(cccd_check_match(key, &p, hash));
	/* Spaces and the case of ASCII letters, as a hand would type them. */
	parse("079190001234||  nguyễn Thị  Hồng NHUNG |15081990|Nữ|x|01022021",
	    &p);
	assert_true(cccd_check_match(key, &p, hash));
}

static void
test_made_up_code_does_not_match(void **state)
{
	static const char *const forged[] = {
		/* The number with any name, as the red team did. */
		"079190001234||Nguyen Van A|01011990|Nam|x|01012021",
		/* Each checked field wrong alone. */
		"079190001234|123456789|Nguyễn Thị Hồng Nhưng|15081990|Nữ|x|"
		    "01022021",
		"079190001234|123456789|Nguyễn Thị Hồng Nhung|16081990|Nữ|x|"
		    "01022021",
		"079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|Nữ|x|"
		    "02022021",
		/* The same fields under another number: the hash is the
		 * card's, not the holder's. */
		"079190001235|123456789|Nguyễn Thị Hồng Nhung|15081990|Nữ|x|"
		    "01022021",
		/* Fields moved across their separators. */
		"079190001234||Nguyễn Thị Hồng|15081990|Nữ|x|01022021",
	};
	char hash[CCCD_CHECK_HEX];
	struct payload p;

	(void)state;
	enrolled(hash);
	for (size_t i = 0; i < nitems(forged); i++) {
		parse(forged[i], &p);
		if (cccd_check_match(key, &p, hash))
			fail_msg("made-up code %zu matched", i);
	}
	/* The right card checked with another site's key. */
	parse(CARD, &p);
	assert_false(cccd_check_match(other_key, &p, hash));
}

static void
test_missing_key(void **state)
{
	char hash[CCCD_CHECK_HEX];
	struct payload p;

	(void)state;
	enrolled(hash);
	parse(CARD, &p);
	/* A hash and no key to check it: not the card, whatever it is. */
	assert_false(cccd_check_match(NULL, &p, hash));
	/* No hash enrolled: the number alone opens, key or not (the
	 * credentials of before, or of a list without hashes). */
	assert_true(cccd_check_match(NULL, &p, ""));
	assert_true(cccd_check_match(key, &p, ""));
	/* A damaged stored hash never matches. */
	hash[10] = '\0';
	assert_false(cccd_check_match(key, &p, hash));
}

static void
test_valid_text(void **state)
{
	char hash[CCCD_CHECK_HEX];

	(void)state;
	enrolled(hash);
	assert_true(cccd_check_valid(""));
	assert_true(cccd_check_valid(hash));
	hash[0] = 'A';		/* upper case: not as written */
	assert_false(cccd_check_valid(hash));
	hash[0] = 'g';
	assert_false(cccd_check_valid(hash));
	hash[63] = '\0';
	hash[0] = '0';
	assert_false(cccd_check_valid(hash));
	/* The card's fields are never a check hash. */
	assert_false(cccd_check_valid("Nguyễn Thị Hồng Nhung|15081990"));
}

/* The site secret's file: made 0600, read back, refused when others
 * could read it or when it is not 32 bytes. */
static void
test_secret_file(void **state)
{
	char dir[] = "/tmp/test_cccd_check.XXXXXX", path[64], bad[64];
	char err[512];
	uint8_t k1[KEY_SECRET_BYTES], k2[KEY_SECRET_BYTES];
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cccd.key", dir);
	snprintf(bad, sizeof(bad), "%s/bad.key", dir);
	assert_int_equal(key_secret_create(path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(key_secret_read(path, k1, err, sizeof(err)), 0);
	assert_int_equal(key_secret_read(path, k2, err, sizeof(err)), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	/* Never over an existing file. */
	assert_int_equal(key_secret_create(path, err, sizeof(err)), -1);

	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(key_secret_read(path, k1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mode 0640"));

	/* Five bytes of base64 are no site secret. */
	assert_non_null(f = fopen(bad, "w"));
	fputs("c2hvcnQ=\n", f);
	fclose(f);
	assert_int_equal(chmod(bad, 0600), 0);
	assert_int_equal(key_secret_read(bad, k1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a qrgate secret"));
	assert_int_equal(key_secret_read("/nonexistent/cccd.key", k1, err,
	    sizeof(err)), -1);

	unlink(path);
	unlink(bad);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_card_matches),
		cmocka_unit_test(test_made_up_code_does_not_match),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_valid_text),
		cmocka_unit_test(test_secret_file),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
