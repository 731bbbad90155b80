/*
 * The small text parsers, one per input chosen by its first byte:
 *	0  timefmt_parse()		times in pushes; and sitetime_parse(),
 *					times people type (in Europe/Berlin,
 *					for its summer time)
 *	1  timefmt_parse_since()	... relative; sitetime_parse_since()
 *	2  gpio_linespec_parse()	line specs (config file, pushes), output
 *	3  gpio_linespec_parse()	... input
 *	4  key_pk_from_text()		public keys (config, credential lists)
 *	5  base45_decode()		the body of every token
 * Each must give back what it read: a time formats and parses to the same
 * instant, a line spec formats and parses to the same line, a key
 * encodes and decodes to the same bytes, and base45 text decodes to
 * bytes that encode to the very same text (one spelling per value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base45.h"
#include "gpio_linespec.h"
#include "keyfile.h"
#include "sitetime.h"
#include "timefmt.h"
#include "fuzz.h"

/* Fixed, so that a relative time means the same in every run. */
#define FUZZ_NOW_MS	1767225600000LL

static void
check_time(int64_t ms)
{
	char buf[TIMEFMT_LEN];
	int64_t back;

	if (ms < 0 || timefmt_parse(timefmt_format(ms, buf, sizeof(buf)),
	    &back) != 0 || back != ms)
		abort();
}

/* A table's time reads back as the same second, or, when written in
 * UTC, as the same millisecond. */
static void
check_site_time(int64_t ms)
{
	char buf[TIMEFMT_LEN], msg[200];
	int64_t back;

	if (ms < 0 || sitetime_parse(sitetime_format(ms, buf, sizeof(buf)),
	    &back, msg, sizeof(msg)) != 0 ||
	    (back != ms && back != ms - ms % 1000))
		abort();
}

static void
check_linespec(const char *s, bool input)
{
	struct gpio_line_config lc, lc2;
	char err[256], buf[256];

	memset(&lc, 0, sizeof(lc));
	if (gpio_linespec_parse(s, input, &lc, err, sizeof(err)) != 0)
		return;
	memset(&lc2, 0, sizeof(lc2));
	if (gpio_linespec_format(&lc, buf, sizeof(buf)) != 0 ||
	    gpio_linespec_parse(buf, input, &lc2, err, sizeof(err)) != 0)
		abort();
	if (lc2.used != lc.used || strcmp(lc2.chip, lc.chip) != 0 ||
	    lc2.offset != lc.offset || strcmp(lc2.name, lc.name) != 0 ||
	    lc2.active_low != lc.active_low || lc2.bias != lc.bias ||
	    lc2.debounce_us != lc.debounce_us)
		abort();
}

static void
check_key(const char *s)
{
	uint8_t pk[32], pk2[32];
	char text[KEY_PK_TEXT];

	if (key_pk_from_text(s, pk) != 0)
		return;
	key_pk_to_text(pk, text);
	if (key_pk_from_text(text, pk2) != 0 || memcmp(pk, pk2, 32) != 0)
		abort();
}

static void
check_base45(const uint8_t *data, size_t len)
{
	uint8_t out[4096];
	char *text;
	int n;

	if (len > sizeof(out) ||
	    (n = base45_decode((const char *)data, len, out, sizeof(out))) < 0)
		return;
	if ((text = malloc(len + 1)) == NULL)
		abort();
	if (base45_encode(out, (size_t)n, text, len + 1) != (int)len ||
	    memcmp(text, data, len) != 0)
		abort();
	free(text);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char msg[200];

	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	if (sitetime_zone_use("Europe/Berlin", msg, sizeof(msg)) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char msg[200];
	int64_t ms;
	char *s;

	if (len < 1)
		return 0;
	if (data[0] % 6 == 5) {
		check_base45(data + 1, len - 1);
		return 0;
	}
	s = fuzz_strndup(data + 1, len - 1);
	switch (data[0] % 6) {
	case 0:
		if (timefmt_parse(s, &ms) == 0)
			check_time(ms);
		if (sitetime_parse(s, &ms, msg, sizeof(msg)) == 0)
			check_site_time(ms);
		break;
	case 1:
		(void)timefmt_parse_since(s, FUZZ_NOW_MS, &ms);
		(void)sitetime_parse_since(s, FUZZ_NOW_MS, &ms, msg,
		    sizeof(msg));
		break;
	case 2:
	case 3:
		check_linespec(s, data[0] % 6 == 3);
		break;
	case 4:
		check_key(s);
		break;
	}
	free(s);
	return 0;
}
