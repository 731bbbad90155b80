/*
 * The check hash of a CCCD card (cccd_check.h): BLAKE2b keyed with the
 * site's secret over a label, the number, the name and the two dates,
 * each ended by a NUL, which none of them can hold, so no two different
 * cards give the same input.
 */
#include <string.h>

#include <sodium.h>

#include "cccd_check.h"

#define CCCD_CHECK_BYTES	32
/* Names the input's layout, so that a later one never collides. */
#define CCCD_CHECK_LABEL	"qrgate cccd check 1"

_Static_assert(CCCD_CHECK_HEX == CCCD_CHECK_BYTES * 2 + 1,
    "CCCD_CHECK_HEX is the hex of CCCD_CHECK_BYTES");
_Static_assert(KEY_SECRET_BYTES >= crypto_generichash_KEYBYTES_MIN &&
    KEY_SECRET_BYTES <= crypto_generichash_KEYBYTES_MAX,
    "a site secret is a BLAKE2b key");

static void
cccd_check_field(crypto_generichash_state *h, const char *s, size_t n)
{
	crypto_generichash_update(h, (const unsigned char *)s, n);
	crypto_generichash_update(h, (const unsigned char *)"", 1);
}

/*
 * The name as it is compared: a card read twice gives the same bytes,
 * but a name typed by hand from the card may differ in its spaces or in
 * the case of its ASCII letters.
 */
static size_t
cccd_check_name(const char *name, char *out, size_t size)
{
	size_t n = 0;
	bool space = false;

	/* Never longer than name: each space written stands for one read. */
	if (strlen(name) >= size) {
		out[0] = '\0';
		return 0;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == ' ') {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') :
		    *p;
	}
	out[n] = '\0';
	return n;
}

void
cccd_check_hash(const uint8_t key[KEY_SECRET_BYTES], const struct payload *pl,
    char out[CCCD_CHECK_HEX])
{
	crypto_generichash_state h;
	uint8_t md[CCCD_CHECK_BYTES];
	char name[sizeof(pl->name)];
	size_t n;

	n = cccd_check_name(pl->name, name, sizeof(name));
	crypto_generichash_init(&h, key, KEY_SECRET_BYTES, sizeof(md));
	cccd_check_field(&h, CCCD_CHECK_LABEL, strlen(CCCD_CHECK_LABEL));
	cccd_check_field(&h, pl->subject, strlen(pl->subject));
	cccd_check_field(&h, name, n);
	cccd_check_field(&h, pl->birth, strlen(pl->birth));
	cccd_check_field(&h, pl->issued, strlen(pl->issued));
	crypto_generichash_final(&h, md, sizeof(md));
	sodium_bin2hex(out, CCCD_CHECK_HEX, md, sizeof(md));
	sodium_memzero(name, sizeof(name));
	sodium_memzero(&h, sizeof(h));
}

bool
cccd_check_match(const uint8_t *key, const struct payload *pl,
    const char *check_hash)
{
	char got[CCCD_CHECK_HEX];
	bool ok;

	if (check_hash[0] == '\0')
		return true;
	if (key == NULL || strlen(check_hash) != CCCD_CHECK_HEX - 1)
		return false;
	cccd_check_hash(key, pl, got);
	ok = sodium_memcmp(got, check_hash, CCCD_CHECK_HEX - 1) == 0;
	sodium_memzero(got, sizeof(got));
	return ok;
}
