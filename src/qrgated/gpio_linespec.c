/*
 * Parsing and printing of one GPIO line spec (see gpio_linespec.h).  The
 * spec is scanned in place as blank-separated tokens, so a hostile spec of
 * any length costs no copy and can overflow nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gpio_linespec.h"
#include "util.h"

struct token {
	const char *s;
	size_t len;
};

static bool
linespec_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Takes the next blank-separated token from *p; false at the end. */
static bool
linespec_token_next(const char **p, struct token *t)
{
	const char *s = *p;

	while (linespec_blank(*s))
		s++;
	if (*s == '\0')
		return false;
	t->s = s;
	while (*s != '\0' && !linespec_blank(*s))
		s++;
	t->len = s - t->s;
	*p = s;
	return true;
}

static bool
linespec_token_is(const struct token *t, const char *word)
{
	return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/*
 * Quotes a piece of the spec for an error message: at most 32 bytes, and
 * control bytes shown as '?', so a message never carries terminal escapes.
 */
static void
linespec_quote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, n = 0, max = 32;

	if (outlen < 1)
		return;
	for (i = 0; i < len && i < max && n + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	out[n] = '\0';
	if (len > max && n + 4 < outlen)
		strcat(out, "...");
}

/* Parses a decimal number of at most 7 digits into *v; false if not one. */
static bool
linespec_number(const char *s, size_t len, long max, int *v)
{
	long n = 0;

	if (len == 0 || len > 7)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		n = n * 10 + (s[i] - '0');
	}
	if (n > max)
		return false;
	*v = (int)n;
	return true;
}

static bool
linespec_name_valid(const char *s, size_t len)
{
	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(isalnum(ch) || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

/* Parses "[CHIP:]LINE" into lc. */
static int
linespec_parse_line(const struct token *t, struct gpio_line_config *lc,
    char *err, size_t errlen)
{
	const char *colon = memchr(t->s, ':', t->len);
	const char *line = t->s;
	size_t linelen = t->len;
	char q[40];

	if (colon != NULL) {
		size_t chiplen = colon - t->s;

		linespec_quote(t->s, t->len, q, sizeof(q));
		if (chiplen == 0) {
			snprintf(err, errlen, "\"%s\": empty chip before ':'", q);
			return -1;
		}
		if (chiplen >= sizeof(lc->chip)) {
			snprintf(err, errlen, "\"%s\": chip name longer than %zu "
			    "characters", q, sizeof(lc->chip) - 1);
			return -1;
		}
		for (size_t i = 0; i < chiplen; i++) {
			unsigned char ch = (unsigned char)t->s[i];

			if (ch < 0x20 || ch == 0x7f) {
				snprintf(err, errlen, "\"%s\": control character "
				    "in the chip name", q);
				return -1;
			}
		}
		line = colon + 1;
		linelen = t->len - chiplen - 1;
		if (memchr(line, ':', linelen) != NULL) {
			snprintf(err, errlen, "\"%s\": more than one ':'", q);
			return -1;
		}
		if (linelen == 0) {
			snprintf(err, errlen, "\"%s\": no line after the chip", q);
			return -1;
		}
		memcpy(lc->chip, t->s, chiplen);
		lc->chip[chiplen] = '\0';
	}

	linespec_quote(line, linelen, q, sizeof(q));
	if (isdigit((unsigned char)line[0])) {
		if (!linespec_number(line, linelen, GPIO_LINESPEC_MAX_OFFSET,
		    &lc->offset)) {
			snprintf(err, errlen, "\"%s\" is not a line offset "
			    "(0..%d)", q, GPIO_LINESPEC_MAX_OFFSET);
			return -1;
		}
		return 0;
	}
	if (!linespec_name_valid(line, linelen)) {
		snprintf(err, errlen, "\"%s\" is neither a line offset nor "
		    "a line name", q);
		return -1;
	}
	if (linelen >= sizeof(lc->name)) {
		snprintf(err, errlen, "line name \"%s\" longer than %zu "
		    "characters", q, sizeof(lc->name) - 1);
		return -1;
	}
	lc->offset = -1;
	memcpy(lc->name, line, linelen);
	lc->name[linelen] = '\0';
	return 0;
}

/* Applies one flag token to lc. */
static int
linespec_parse_flag(const struct token *t, bool input,
    struct gpio_line_config *lc, bool *seen_bias, bool *seen_debounce,
    char *err, size_t errlen)
{
	static const struct {
		const char *word;
		enum gpio_bias bias;
	} biases[] = {
		{ "pull-up", GPIO_BIAS_PULL_UP },
		{ "pull-down", GPIO_BIAS_PULL_DOWN },
		{ "bias-disable", GPIO_BIAS_DISABLED },
	};
	static const char debounce[] = "debounce=";
	size_t dlen = sizeof(debounce) - 1;
	char q[40];

	linespec_quote(t->s, t->len, q, sizeof(q));
	if (linespec_token_is(t, "active-low")) {
		if (lc->active_low) {
			snprintf(err, errlen, "active-low given twice");
			return -1;
		}
		lc->active_low = true;
		return 0;
	}
	for (size_t i = 0; i < nitems(biases); i++) {
		if (!linespec_token_is(t, biases[i].word))
			continue;
		if (!input) {
			snprintf(err, errlen, "%s is for input lines only", q);
			return -1;
		}
		if (*seen_bias) {
			snprintf(err, errlen, "%s: more than one bias flag", q);
			return -1;
		}
		*seen_bias = true;
		lc->bias = biases[i].bias;
		return 0;
	}
	if (t->len >= dlen && memcmp(t->s, debounce, dlen) == 0) {
		if (!input) {
			snprintf(err, errlen, "debounce is for input lines only");
			return -1;
		}
		if (*seen_debounce) {
			snprintf(err, errlen, "debounce given twice");
			return -1;
		}
		if (!linespec_number(t->s + dlen, t->len - dlen,
		    GPIO_LINESPEC_MAX_DEBOUNCE, &lc->debounce_us)) {
			snprintf(err, errlen, "\"%s\": debounce must be "
			    "microseconds, 0..%d", q, GPIO_LINESPEC_MAX_DEBOUNCE);
			return -1;
		}
		*seen_debounce = true;
		return 0;
	}
	snprintf(err, errlen, "unknown flag \"%s\" (active-low, pull-up, "
	    "pull-down, bias-disable, debounce=US)", q);
	return -1;
}

int
gpio_linespec_parse(const char *spec, bool input,
    struct gpio_line_config *out, char *err, size_t errlen)
{
	struct gpio_line_config lc;
	struct token t;
	const char *p = spec;
	bool seen_bias = false, seen_debounce = false;

	memset(&lc, 0, sizeof(lc));
	lc.offset = -1;
	lc.bias = GPIO_BIAS_AS_IS;
	if (!linespec_token_next(&p, &t)) {
		*out = lc;	/* empty: not wired */
		return 0;
	}
	if (linespec_parse_line(&t, &lc, err, errlen) == -1)
		return -1;
	while (linespec_token_next(&p, &t))
		if (linespec_parse_flag(&t, input, &lc, &seen_bias,
		    &seen_debounce, err, errlen) == -1)
			return -1;
	lc.used = true;
	*out = lc;
	return 0;
}

int
gpio_linespec_format(const struct gpio_line_config *lc, char *buf,
    size_t len)
{
	static const char *const bias_words[] = {
		[GPIO_BIAS_AS_IS] = "",
		[GPIO_BIAS_DISABLED] = " bias-disable",
		[GPIO_BIAS_PULL_UP] = " pull-up",
		[GPIO_BIAS_PULL_DOWN] = " pull-down",
	};
	char line[16], debounce[32] = "";
	const char *bias = "";
	int n;

	if (!lc->used) {
		if (len > 0)
			buf[0] = '\0';
		return len > 0 ? 0 : -1;
	}
	if (lc->offset >= 0)
		snprintf(line, sizeof(line), "%d", lc->offset);
	if ((unsigned)lc->bias < nitems(bias_words))
		bias = bias_words[lc->bias];
	if (lc->debounce_us > 0)
		snprintf(debounce, sizeof(debounce), " debounce=%d",
		    lc->debounce_us);
	n = snprintf(buf, len, "%s%s%s%s%s%s", lc->chip,
	    lc->chip[0] != '\0' ? ":" : "",
	    lc->offset >= 0 ? line : lc->name,
	    lc->active_low ? " active-low" : "", bias, debounce);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}
