/*
 * A card's text, and the list of formats a site prefers: what the
 * credential store, the logs and the settings hold.  One spelling for
 * each: a card's text is its key in the store, so two texts for one card
 * would be two credentials.
 */
#include <stdio.h>
#include <string.h>

#include "wiegand.h"
#include "wiegand_bits.h"

static const char hexdigits[] = "0123456789ABCDEF";

int
wiegand_card_print(const struct wiegand_card *c, char *out, size_t outlen)
{
	const struct wiegand_format_desc *d = wiegand_format_get(c->format);
	unsigned ndig, pad;
	size_t o;
	int n;

	if (d == NULL || outlen == 0)
		return -1;
	if (c->format != WIEGAND_RAW) {
		if (!wiegand_fits(c->facility, d->fac_len) ||
		    !wiegand_fits(c->number, d->card_len))
			return -1;
		if (d->fac_len > 0)
			n = snprintf(out, outlen, "%s:%lu:%llu", d->name,
			    (unsigned long)c->facility,
			    (unsigned long long)c->number);
		else
			n = snprintf(out, outlen, "%s:%llu", d->name,
			    (unsigned long long)c->number);
		return n < 0 || (size_t)n >= outlen ? -1 : n;
	}
	if (c->nbits == 0 || c->nbits > WIEGAND_MAX_BITS)
		return -1;
	n = snprintf(out, outlen, "raw:%u:", c->nbits);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	o = (size_t)n;
	/* The frame as a number: the first digit holds the bits the others
	 * leave over, zeros in front. */
	ndig = (c->nbits + 3) / 4;
	pad = ndig * 4 - c->nbits;
	if (o + ndig >= outlen)
		return -1;
	for (unsigned k = 0; k < ndig; k++) {
		unsigned v = 0;

		for (unsigned j = 0; j < 4; j++) {
			unsigned t = k * 4 + j;

			v = v << 1 | (t < pad ? 0 :
			    (unsigned)wiegand_bit(c->bits, t - pad));
		}
		out[o++] = hexdigits[v];
	}
	out[o] = '\0';
	return (int)o;
}

/* A decimal number at *s up to max, without sign or leading zero; *s is
 * moved past it.  0 or -1. */
static int
parse_dec(const char **s, uint64_t max, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' &&
	    p[1] <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned dig = (unsigned)(*p - '0');

		if (n > (max - dig) / 10)
			return -1;
		n = n * 10 + dig;
	}
	*s = p;
	*v = n;
	return 0;
}

static int
hex_value(char ch)
{
	const char *p;

	if (ch == '\0' || (p = strchr(hexdigits, ch)) == NULL)
		return -1;
	return (int)(p - hexdigits);
}

static enum wiegand_status
parse_raw(const char *s, struct wiegand_card *c)
{
	uint64_t nbits;
	unsigned ndig, pad;

	if (parse_dec(&s, WIEGAND_MAX_BITS, &nbits) == -1 || nbits == 0 ||
	    *s++ != ':')
		return WIEGAND_EINVAL;
	ndig = ((unsigned)nbits + 3) / 4;
	pad = ndig * 4 - (unsigned)nbits;
	if (strlen(s) != ndig)
		return WIEGAND_EINVAL;
	for (unsigned k = 0; k < ndig; k++) {
		int v = hex_value(s[k]);

		if (v < 0)
			return WIEGAND_EINVAL;
		for (unsigned j = 0; j < 4; j++) {
			unsigned t = k * 4 + j;
			int b = v >> (3 - j) & 1;

			if (t < pad) {
				if (b)
					return WIEGAND_ERANGE;
			} else
				wiegand_bits_set(c->bits, t - pad, b);
		}
	}
	c->format = WIEGAND_RAW;
	c->nbits = (unsigned)nbits;
	if (c->nbits <= 64)
		c->number = wiegand_bits_get(c->bits, 0, c->nbits);
	return WIEGAND_OK;
}

enum wiegand_status
wiegand_card_parse(const char *text, struct wiegand_card *c)
{
	const struct wiegand_format_desc *d = NULL;
	const char *colon = strchr(text, ':');
	uint64_t fac = 0, num;
	char name[16];
	int f;

	memset(c, 0, sizeof(*c));
	if (colon == NULL || (size_t)(colon - text) >= sizeof(name))
		return WIEGAND_EINVAL;
	memcpy(name, text, (size_t)(colon - text));
	name[colon - text] = '\0';
	if ((f = wiegand_format_by_name(name)) == -1)
		return WIEGAND_EINVAL;
	if (f == WIEGAND_RAW)
		return parse_raw(colon + 1, c);
	d = wiegand_format_get((enum wiegand_format)f);
	text = colon + 1;
	if (d->fac_len > 0 && (parse_dec(&text, UINT32_MAX, &fac) == -1 ||
	    *text++ != ':'))
		return WIEGAND_EINVAL;
	if (parse_dec(&text, UINT64_MAX, &num) == -1 || *text != '\0')
		return WIEGAND_EINVAL;
	c->format = (enum wiegand_format)f;
	c->facility = (uint32_t)fac;
	c->number = num;
	return wiegand_encode(c);
}

int
wiegand_format_list_parse(const char *text, struct wiegand_decode_conf *conf)
{
	enum wiegand_format order[WIEGAND_NFORMATS];
	unsigned n = 0;
	bool seen[WIEGAND_NFORMATS] = { false };

	while (*text != '\0') {
		const char *end = strchr(text, ',');
		size_t len = end != NULL ? (size_t)(end - text) : strlen(text);
		char name[16];
		int f;

		if (len == 0 || len >= sizeof(name))
			return -1;
		memcpy(name, text, len);
		name[len] = '\0';
		f = wiegand_format_by_name(name);
		if (f == -1 || f == WIEGAND_RAW || seen[f])
			return -1;
		seen[f] = true;
		order[n++] = (enum wiegand_format)f;
		text += len;
		if (*text == ',' && *++text == '\0')
			return -1;
	}
	memcpy(conf->order, order, n * sizeof(order[0]));
	conf->norder = n;
	return 0;
}

int
wiegand_format_list_print(const struct wiegand_decode_conf *conf, char *out,
    size_t outlen)
{
	bool seen[WIEGAND_NFORMATS] = { false };
	size_t o = 0;

	if (outlen == 0 || conf->norder > WIEGAND_NFORMATS)
		return -1;
	out[0] = '\0';
	for (unsigned k = 0; k < conf->norder; k++) {
		const struct wiegand_format_desc *d;
		int n;

		d = wiegand_format_get(conf->order[k]);
		if (d == NULL || conf->order[k] == WIEGAND_RAW ||
		    seen[conf->order[k]])
			return -1;
		seen[conf->order[k]] = true;
		n = snprintf(out + o, outlen - o, "%s%s", k ? "," : "",
		    d->name);
		if (n < 0 || (size_t)n >= outlen - o)
			return -1;
		o += (size_t)n;
	}
	return (int)o;
}
