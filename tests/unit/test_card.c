/*
 * Credentials of kind card, send_as and the PIN: what credential_validate()
 * takes, the card text's normalisation, the PIN's hash, the CSV, an MQTT
 * list row and the store carrying them, payload_from_card(), and the
 * decision's pin-required rule.  Card vectors: H10301 FC 68 CN 41551 from
 * Z9 Security's TestBinaryFormatter.cs, as in test_wiegand.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cred_pin.h"
#include "credential.h"
#include "decide.h"
#include "inbound_creds_row.h"
#include "payload_card.h"
#include "store.h"
#include "wiegand.h"

#include "decide_fixture.h"
#include "store_fixture.h"

static void
card_cred(struct credential *c, const char *subject)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->id, "K-1");
	c->kind = CRED_CARD;
	snprintf(c->subject, sizeof(c->subject), "%s", subject);
	strcpy(c->lanes, "*");
}

static int
validate(const struct credential *c, char *err, size_t len)
{
	err[0] = '\0';
	return credential_validate(c, err, len);
}

static void
test_validate_card_subject(void **state)
{
	static const char *const good[] = {
		"h10301:68:41551", "h10301:0:0", "h10306:65535:65535",
		"c1k35:4095:1048575", "h10304:65535:524287", "h10302:99",
		"raw:32:0A1B2C3D", "raw:26:3FFFFFF",
	};
	static const char *const bad[] = {
		"", "68:41551", "h10301:68", "h10301:068:41551",
		"h10301:256:1", "h10301:1:65536", "raw:32:0a1b2c3d",
		"raw:32:A1B2C3D", "raw:26:4000000", "H10301:1:1",
		"h10301:1:1 ", "badge:1", "raw:0:", "h10301:-1:1",
	};
	struct credential c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		card_cred(&c, good[i]);
		if (validate(&c, err, sizeof(err)) != 0)
			fail_msg("%s refused: %s", good[i], err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		card_cred(&c, bad[i]);
		if (validate(&c, err, sizeof(err)) != -1)
			fail_msg("%s taken", bad[i]);
	}
	card_cred(&c, "12:34");
	assert_int_equal(validate(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a card subject is h10301:FACILITY:NUMBER"));
	/* The card's text is no other kind's: a badge keeps its own rule. */
	card_cred(&c, "h10301:68:41551");
	c.kind = CRED_BADGE;
	assert_int_equal(validate(&c, err, sizeof(err)), 0);
}

static void
test_card_text_normalise(void **state)
{
	char out[WIEGAND_TEXT_MAX];

	(void)state;
	assert_int_equal(credential_card_text_normalise("raw:32:0a1b2c3d", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "raw:32:0A1B2C3D");
	assert_int_equal(credential_card_text_normalise("H10301:68:41551", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "h10301:68:41551");
	assert_int_equal(credential_card_text_normalise("RAW:8:ff", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "raw:8:FF");
	/* Case is all it forgives. */
	assert_int_equal(credential_card_text_normalise("h10301:068:1", out,
	    sizeof(out)), -1);
	assert_int_equal(credential_card_text_normalise("raw:8:fff", out,
	    sizeof(out)), -1);
	assert_int_equal(credential_card_text_normalise("", out,
	    sizeof(out)), -1);
	assert_int_equal(credential_card_text_normalise(
	    "raw:128:000000000000000000000000000000000000000000000001", out,
	    sizeof(out)), -1);
}

static void
test_validate_send_as(void **state)
{
	struct credential c;
	char err[256];

	(void)state;
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "B-1");
	c.kind = CRED_BADGE;
	strcpy(c.subject, "W-0001");
	strcpy(c.send_as, "h10301:12:3456");
	assert_int_equal(validate(&c, err, sizeof(err)), 0);
	strcpy(c.send_as, "raw:8:ff");
	assert_int_equal(validate(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "send_as is \"\" or a card"));
	strcpy(c.send_as, "W-0001");
	assert_int_equal(validate(&c, err, sizeof(err)), -1);
	/* Unterminated within its field. */
	memset(c.send_as, 'h', sizeof(c.send_as));
	assert_int_equal(validate(&c, err, sizeof(err)), -1);
}

static void
test_pin_hash_verify(void **state)
{
	char h[CRED_PIN_HASH_MAX], h2[CRED_PIN_HASH_MAX];

	(void)state;
	assert_true(cred_pin_valid("1234"));
	assert_true(cred_pin_valid("12345678"));
	assert_false(cred_pin_valid("123"));
	assert_false(cred_pin_valid("123456789"));
	assert_false(cred_pin_valid("12a4"));
	assert_false(cred_pin_valid(""));
	assert_int_equal(cred_pin_hash("123", h), -1);
	assert_string_equal(h, "");

	assert_int_equal(cred_pin_hash("482916", h), 0);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_null(strstr(h, "482916"));
	assert_true(cred_pin_hash_valid(h));
	assert_true(cred_pin_verify(h, "482916"));
	assert_false(cred_pin_verify(h, "482917"));
	assert_false(cred_pin_verify(h, "48291"));
	assert_false(cred_pin_verify("", "482916"));
	/* Salted: the same PIN hashes differently each time. */
	assert_int_equal(cred_pin_hash("482916", h2), 0);
	assert_string_not_equal(h, h2);
	assert_true(cred_pin_verify(h2, "482916"));

	assert_true(cred_pin_hash_valid(""));
	assert_false(cred_pin_hash_valid("482916"));
	assert_false(cred_pin_hash_valid("$argon2id$v=19$m=8192,t=2,p=1$xx"));
	/* Another cost is refused: a list must not set a gate's work. */
	assert_false(cred_pin_hash_valid("$argon2id$v=19$m=4194304,t=2,p=1$"
	    "tSYSjBFE2mUaC5PviULSWQ$bCESAbzT++XJwpq4GOcTi/EFVTm/5i82pSar8F5tQVw"));
	assert_true(cred_pin_hash_valid("$argon2id$v=19$m=8192,t=2,p=1$"
	    "tSYSjBFE2mUaC5PviULSWQ$bCESAbzT++XJwpq4GOcTi/EFVTm/5i82pSar8F5tQVw"));
}

static void
test_validate_pin_only_on_cards(void **state)
{
	struct credential c;
	char err[256];

	(void)state;
	card_cred(&c, "h10301:68:41551");
	assert_int_equal(cred_pin_hash("1234", c.pin_hash), 0);
	assert_int_equal(validate(&c, err, sizeof(err)), 0);
	c.kind = CRED_BADGE;
	strcpy(c.subject, "W-0001");
	assert_int_equal(validate(&c, err, sizeof(err)), -1);
	assert_string_equal(err, "only a card credential has a PIN");
	card_cred(&c, "h10301:68:41551");
	strcpy(c.pin_hash, "1234");
	assert_int_equal(validate(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pin_hash is \"\" or a PIN hash"));
}

/* cred_csv_read()'s row callback: keeps the rows. */
struct rows {
	struct credential c[4];
	int n;
};

static int
keep_row(const struct credential *c, int line, void *arg, char *msg,
    size_t msglen)
{
	struct rows *r = arg;

	(void)line, (void)msg, (void)msglen;
	assert_true(r->n < 4);
	r->c[r->n++] = *c;
	return 0;
}

static int
read_csv(const char *text, struct rows *r, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	assert_non_null(f);
	memset(r, 0, sizeof(*r));
	n = cred_csv_read(f, "t.csv", keep_row, r, err, errlen);
	fclose(f);
	return n;
}

#define HEADER14 "id,kind,subject,name,valid_from,valid_until,status," \
	"lanes,role,serial,pubkey,check_hash,send_as,pin_hash\n"

static void
test_csv_round_trip(void **state)
{
	struct store_fx *fx = *state;
	struct credential c, got;
	struct rows r;
	char err[512], *buf = NULL;
	size_t len = 0;
	struct store *st;
	FILE *f;

	card_cred(&c, "raw:32:0A1B2C3D");
	strcpy(c.name, "Thẻ, \"một\"");
	strcpy(c.send_as, "h10301:68:41551");
	assert_int_equal(cred_pin_hash("2468", c.pin_hash), 0);
	st = store_fx_open(fx, STORE_SYNC_NORMAL);
	assert_int_equal(store_credential_put(st, &c), 0);
	/* The store gives back what it was given. */
	assert_int_equal(store_credential_find(st, CRED_CARD,
	    "raw:32:0A1B2C3D", &got), 1);
	cred_assert_equal(&c, &got);
	assert_true(cred_pin_verify(got.pin_hash, "2468"));
	assert_int_equal(store_credential_find(st, CRED_BADGE,
	    "raw:32:0A1B2C3D", &got), 0);
	/* Exported and read back: the same credential. */
	f = open_memstream(&buf, &len);
	assert_int_equal(store_credential_export_csv(st, f), 0);
	fclose(f);
	store_close(st);
	assert_int_equal(read_csv(buf, &r, err, sizeof(err)), 1);
	cred_assert_equal(&c, &r.c[0]);
	free(buf);

	/* Typed by people: lower-case hex is the card; a 12-column list
	 * has no send_as. */
	assert_int_equal(read_csv(HEADER14 "K-2,card,raw:8:ab,,,,active,*,,,,,"
	    "raw:4:f,\n", &r, err, sizeof(err)), 1);
	assert_string_equal(r.c[0].subject, "raw:8:AB");
	assert_string_equal(r.c[0].send_as, "raw:4:F");
	assert_int_equal(read_csv("id,kind,subject,name,valid_from,"
	    "valid_until,status,lanes,role,serial,pubkey,check_hash\n"
	    "K-3,card,h10302:7,,,,active,*,,,,\n", &r, err, sizeof(err)), 1);
	assert_string_equal(r.c[0].send_as, "");
	assert_string_equal(r.c[0].pin_hash, "");
	/* A card that is not one, with its line and the form. */
	assert_int_equal(read_csv(HEADER14 "K-4,card,h10301:1:1,,,,active,*,,,,"
	    ",,\nK-5,card,h10301:256:1,,,,active,*,,,,,,\n", &r, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "t.csv:3: a card subject is h10301:"));
	assert_int_equal(read_csv(HEADER14 "K-4,card,h10301:1:1,,,,active,*,,,,"
	    ",,1234\n", &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.csv:2: pin_hash is"));
}

static void
test_mqtt_row(void **state)
{
	struct credential c, back;
	char err[256], *text;
	json_t *o;

	(void)state;
	card_cred(&c, "h10304:1000:300000");
	strcpy(c.send_as, "raw:26:3FFFFFF");
	assert_int_equal(cred_pin_hash("13579", c.pin_hash), 0);
	/* What the aggregator sends, read back by the gate. */
	o = credential_json(&c);
	assert_non_null(o);
	assert_int_equal(inbound_cred_row(o, &back, err, sizeof(err)), 0);
	cred_assert_equal(&c, &back);
	json_decref(o);

	/* A row without them omits them, so older gates still take it. */
	c.send_as[0] = '\0';
	c.pin_hash[0] = '\0';
	o = credential_json(&c);
	assert_null(json_object_get(o, "send_as"));
	assert_null(json_object_get(o, "pin_hash"));
	json_decref(o);

	o = json_pack("{s:s, s:s, s:s, s:s}", "id", "K-9", "kind", "card",
	    "subject", "raw:8:ab", "status", "active");
	assert_int_equal(inbound_cred_row(o, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a card subject is"));
	json_object_set_new(o, "subject", json_string("raw:8:AB"));
	assert_int_equal(inbound_cred_row(o, &back, err, sizeof(err)), 0);
	json_object_set_new(o, "send_as", json_string("nope"));
	assert_int_equal(inbound_cred_row(o, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "send_as is"));
	json_object_set_new(o, "send_as", json_string(""));
	json_object_set_new(o, "pin_hash", json_string("1234"));
	assert_int_equal(inbound_cred_row(o, &back, err, sizeof(err)), -1);
	text = json_dumps(o, 0);
	assert_non_null(text);
	free(text);
	json_decref(o);
}

static void
test_payload_from_card(void **state)
{
	static const char bits26[] = "00100010010100010010011111";
	struct wiegand_decode_conf conf;
	struct wiegand_card card;
	struct payload pl;
	uint8_t bits[WIEGAND_MAX_BYTES] = { 0 };

	(void)state;
	for (unsigned i = 0; i < sizeof(bits26) - 1; i++)
		if (bits26[i] == '1')
			bits[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	wiegand_decode_conf_default(&conf);
	assert_int_equal(wiegand_decode(bits, 26, &conf, &card, NULL),
	    WIEGAND_OK);
	memset(&pl, 0x5a, sizeof(pl));
	assert_int_equal(payload_from_card(&card, &pl), PAYLOAD_OK);
	assert_int_equal(pl.kind, CRED_CARD);
	assert_string_equal(pl.subject, "h10301:68:41551");
	assert_string_equal(pl.name, "");

	/* A raw card, and the text the credential is stored under. */
	memset(&card, 0, sizeof(card));
	assert_int_equal(wiegand_card_parse("raw:32:0A1B2C3D", &card),
	    WIEGAND_OK);
	assert_int_equal(payload_from_card(&card, &pl), PAYLOAD_OK);
	assert_string_equal(pl.subject, "raw:32:0A1B2C3D");
	assert_true(credential_card_text_valid(pl.subject));

	/* Not a card: malformed, of kind card, with no subject. */
	card.format = WIEGAND_NFORMATS;
	assert_int_equal(payload_from_card(&card, &pl), PAYLOAD_MALFORMED);
	assert_int_equal(pl.kind, CRED_CARD);
	assert_string_equal(pl.subject, "");
	assert_int_equal(payload_from_card(NULL, &pl), PAYLOAD_MALFORMED);
}

static void
card_fixture(struct fixture *f)
{
	fixture_init(f);
	f->payload.kind = CRED_CARD;
	strcpy(f->payload.subject, "h10301:68:41551");
	f->cred.kind = CRED_CARD;
	strcpy(f->cred.subject, "h10301:68:41551");
}

static void
test_decide_card(void **state)
{
	struct fixture f;

	(void)state;
	/* A card is a plain badge: known, valid, allowed. */
	card_fixture(&f);
	assert_int_equal(run(&f), REASON_GRANTED);
	f.policy.accept[CRED_CARD] = ACCEPT_NO;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	/* A badge of the same text is not the card. */
	card_fixture(&f);
	f.cred.kind = CRED_BADGE;
	assert_int_equal(run(&f), REASON_UNKNOWN);
	/* With a PIN, the card alone is denied; with it, granted. */
	card_fixture(&f);
	strcpy(f.cred.pin_hash, "$argon2id$any");
	assert_int_equal(run(&f), REASON_PIN_REQUIRED);
	f.in.pin_ok = true;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* Revoked still says revoked only once the PIN is in. */
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_REVOKED);
	assert_string_equal(reason_name(REASON_PIN_REQUIRED), "pin-required");
	assert_string_equal(cred_kind_name(CRED_CARD), "card");
	assert_int_equal(cred_kind_from_name("card"), CRED_CARD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_card_subject),
		cmocka_unit_test(test_card_text_normalise),
		cmocka_unit_test(test_validate_send_as),
		cmocka_unit_test(test_pin_hash_verify),
		cmocka_unit_test(test_validate_pin_only_on_cards),
		cmocka_unit_test_setup_teardown(test_csv_round_trip,
		    store_fx_setup, store_fx_teardown),
		cmocka_unit_test(test_mqtt_row),
		cmocka_unit_test(test_payload_from_card),
		cmocka_unit_test(test_decide_card),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
