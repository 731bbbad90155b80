/*
 * Badges: a signed token for a person's signed credential, with the
 * site's issuer key (people.issuer_key_file), as qrgatectl badge makes
 * it (token.h), printed as cards (agg_print.h).  A new serial for a lost
 * badge is one edit of the people list: once the gates take it, every
 * token of the old serial is denied serial-revoked.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agg_people.h"
#include "agg_print.h"
#include "clock.h"
#include "keyfile.h"
#include "token.h"

/*
 * The badge token of p, signed with sk: valid until the person's
 * valid_until, or badge_days from now.
 */
static int
people_token(const struct agg_person *p, const uint8_t sk[64],
    int badge_days, char *out, size_t len)
{
	int64_t exp = p->c.valid_until_ms != 0 ? p->c.valid_until_ms / 1000 :
	    clock_utc_ms() / 1000 + (int64_t)badge_days * 86400;

	if (exp > UINT32_MAX)
		exp = UINT32_MAX;
	return token_badge_make(p->c.subject, p->c.serial, exp, sk, out, len);
}

int
agg_people_badges(struct agg_db *db, const struct agg_config *cfg,
    char *const *ids, int n, bool new_serial, FILE *pdf,
    const char *png, json_t *out, char *err, size_t errlen)
{
	struct agg_card *cards = calloc((size_t)n + 1, sizeof(*cards));
	struct agg_person *ps = calloc((size_t)n + 1, sizeof(*ps));
	char (*tok)[TOKEN_TEXT_MAX] = calloc((size_t)n + 1, sizeof(*tok));
	char path[1024];
	uint8_t sk[64];
	uint32_t serial;
	int rc = -1, found;

	if (cards == NULL || ps == NULL || tok == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (cfg->people.issuer_key_file[0] == '\0') {
		snprintf(err, errlen, "no people.issuer_key_file: badges are "
		    "signed with the site's issuer key");
		goto done;
	}
	if (key_sk_read(cfg->people.issuer_key_file, sk, err, errlen) == -1)
		goto done;
	for (int i = 0; i < n; i++) {
		if (new_serial && agg_people_new_serial(db, ids[i], &serial,
		    clock_utc_ms(), err, errlen) == -1)
			goto done;
		if ((found = agg_people_get(db, ids[i], &ps[i])) != 1) {
			snprintf(err, errlen, "%s: %s", ids[i], found == 0 ?
			    "no one has that id" : "database error");
			goto done;
		}
		if (ps[i].c.kind != CRED_SIGNED) {
			snprintf(err, errlen, "%s is a %s credential: a badge "
			    "is a signed one", ids[i],
			    cred_kind_name(ps[i].c.kind));
			goto done;
		}
		if (people_token(&ps[i], sk, cfg->people.badge_days, tok[i],
		    sizeof(tok[i])) < 0) {
			snprintf(err, errlen, "%s: the token could not be made",
			    ids[i]);
			goto done;
		}
		cards[i] = (struct agg_card){ ps[i].c.name, ps[i].c.id,
		    ps[i].department, tok[i] };
		json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:s}",
		    "id", ps[i].c.id, "name", ps[i].c.name, "serial",
		    (json_int_t)ps[i].c.serial, "token", tok[i]));
		if (png != NULL) {
			snprintf(path, sizeof(path), "%s/%s.png", png,
			    ps[i].c.id);
			if (agg_print_card_png(path, &cards[i], 300, err,
			    errlen) == -1)
				goto done;
		}
	}
	if (pdf != NULL && agg_print_cards_pdf(pdf, "the PDF", cards,
	    (size_t)n, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	sodium_memzero(sk, sizeof(sk));
	free(cards);
	free(ps);
	free(tok);
	return rc;
}
