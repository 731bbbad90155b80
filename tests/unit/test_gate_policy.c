/*
 * The gate's side of the policy (gate_scan.c) on a real gate: the facts
 * it gathers for decide() (signatures with the right key, the clock, the
 * token steps, the last grant), the rows it writes (the grant with its
 * step, the soft anti-passback and repeated-denial alarms, subject_full),
 * and the "clock" alarm told to the uplink.  A stand-in decoder hands the
 * gate the codes, so no image is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <time.h>

#include <sys/stat.h>

#include "cccd_check.h"
#include "clock.h"
#include "gate_private.h"
#include "keyfile.h"
#include "token.h"

#include "gate_fixture.h"
#include "scan_fixture.h"

static struct {
	uint8_t pk[TOKEN_PK_BYTES];
	uint8_t sk[TOKEN_SK_BYTES];
} worker, issuer, stranger;

static int
setup(void **state)
{
	struct gate_fx *fx;

	if (gate_fx_setup(state) == -1)
		return -1;
	fx = *state;
	scan_fx_attach(fx);
	crypto_sign_keypair(worker.pk, worker.sk);
	crypto_sign_keypair(issuer.pk, issuer.sk);
	crypto_sign_keypair(stranger.pk, stranger.sk);
	return 0;
}

static int
teardown(void **state)
{
	struct gate_fx *fx = *state;

	scan_fx_detach(fx);
	return gate_fx_teardown(state);
}

/* The tests edit the gate's config in place: this takes it up as a
 * reload does. */
static void
reconfigure(struct gate_fx *fx)
{
	gate_scan_configure(&fx->gate, &fx->gate.cfg);
}

static void
cred_add(struct gate_fx *fx, const char *id, enum cred_kind kind,
    const char *subject)
{
	struct credential c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.kind = kind;
	snprintf(c.subject, sizeof(c.subject), "%s", subject);
	snprintf(c.name, sizeof(c.name), "Nguyễn Văn An");
	c.status = CRED_ACTIVE;
	snprintf(c.lanes, sizeof(c.lanes), "*");
	c.serial = 2;
	c.has_pubkey = kind == CRED_DYNAMIC;
	memcpy(c.pubkey, worker.pk, sizeof(c.pubkey));
	assert_int_equal(store_credential_put(fx->gate.store, &c), 0);
}

static uint32_t
step_now(struct gate_fx *fx)
{
	return token_step_of(time(NULL), fx->gate.cfg.policy.token_step_s);
}

static void
dynamic_token(uint32_t step, const uint8_t *sk, char *out, size_t len)
{
	assert_true(token_dynamic_make("W-1", step, sk, out, len) > 0);
}

static void
test_unsynced_clock_alarm(void **state)
{
	struct gate_fx *fx = *state;
	char tok[TOKEN_TEXT_MAX];

	fx->gate.cfg.policy.clock = CLOCK_SYNC_ASSUME_UNSYNCED;
	cred_add(fx, "D-1", CRED_DYNAMIC, "W-1");
	dynamic_token(step_now(fx), worker.sk, tok, sizeof(tok));
	/* A badge does not ask about the clock; the once-a-second check
	 * (gate_clock.c, not run here) or the first dynamic token does. */
	cred_add(fx, "B-1", CRED_BADGE, "W-0001");
	fx->gate.cfg.policy.badge = ACCEPT_YES;
	show(fx, "W-0001");
	assert_string_equal(alarms, "");
	show(fx, tok);
	show(fx, tok);
	assert_string_equal(rows(fx, "reason"),
	    "granted clock-unsynced clock-unsynced");
	/* Raised once, however many tokens or checks meet the clock. */
	assert_string_equal(alarms, "clock:1");
	assert_false(gate_clock_check(&fx->gate));
	show(fx, NULL);
	assert_string_equal(alarms, "clock:1");
	/* Once the clock is synchronised the check clears it. */
	fx->gate.cfg.policy.clock = CLOCK_SYNC_ASSUME_SYNCED;
	assert_true(gate_clock_check(&fx->gate));
	assert_string_equal(alarms, "clock:1 clock:0");
	assert_true(gate_clock_check(&fx->gate));
	show(fx, NULL);
	assert_string_equal(alarms, "clock:1 clock:0");
	/* Accepted anyway when the site says so, and then no alarm. */
	fx->gate.cfg.policy.clock = CLOCK_SYNC_ASSUME_UNSYNCED;
	fx->gate.cfg.policy.unsynced_dynamic = true;
	show(fx, tok);
	assert_string_equal(rows(fx, "reason"),
	    "granted clock-unsynced clock-unsynced lane-busy");
}

/*
 * The gate's now is never below its time floor: with the floor 200 days
 * past the wall clock (as after a start with the clock 200 days behind),
 * a badge that ends 100 days from the wall clock's date has ended, and
 * the row is stamped with the gate's time.  The clock behind the floor
 * is not trusted, even when taken as synchronised.
 */
static void
test_time_floor_under_now(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c;
	int64_t wall = clock_utc_ms(), floor = wall + 200 * 86400000LL;
	char col[64];

	fx->gate.cfg.policy.clock = CLOCK_SYNC_ASSUME_SYNCED;
	fx->gate.cfg.policy.badge = ACCEPT_YES;
	cred_add(fx, "B-1", CRED_BADGE, "W-0001");
	assert_int_equal(store_credential_find(fx->gate.store, CRED_BADGE,
	    "W-0001", &c), 1);
	c.valid_until_ms = wall + 100 * 86400000LL;
	assert_int_equal(store_credential_put(fx->gate.store, &c), 0);
	show(fx, "W-0001");
	gatetime_init(&fx->gate.time, floor);
	assert_false(gate_clock_check(&fx->gate));
	assert_string_equal(alarms, "clock:1");
	assert_true(gate_clock_now(&fx->gate) >= floor);
	show(fx, "W-0001");
	assert_string_equal(rows(fx, "reason"), "granted expired");
	snprintf(col, sizeof(col), "ts_ms >= %lld", (long long)floor);
	assert_string_equal(rows(fx, col), "0 1");
}

static void
test_dynamic_step_kept_with_grant(void **state)
{
	struct gate_fx *fx = *state;
	char tok[TOKEN_TEXT_MAX], forged[TOKEN_TEXT_MAX], old[TOKEN_TEXT_MAX];
	uint32_t now = step_now(fx);
	int64_t step;

	fx->gate.cfg.policy.clock = CLOCK_SYNC_ASSUME_SYNCED;
	cred_add(fx, "D-1", CRED_DYNAMIC, "W-1");
	dynamic_token(now, worker.sk, tok, sizeof(tok));
	dynamic_token(now, stranger.sk, forged, sizeof(forged));
	dynamic_token(now - 5, worker.sk, old, sizeof(old));
	show(fx, forged);
	assert_int_equal(store_token_step_get(fx->gate.store, "D-1", &step), 0);
	show(fx, tok);
	assert_int_equal(store_token_step_get(fx->gate.store, "D-1", &step), 1);
	assert_int_equal(step, now);
	show(fx, tok);
	show(fx, old);
	assert_string_equal(rows(fx, "reason"),
	    "bad-signature granted replayed expired");
	assert_string_equal(rows(fx, "kind"), "dynamic dynamic dynamic dynamic");
	assert_string_equal(rows(fx, "credential_id"), "D-1 D-1 D-1 D-1");
	/* A step is only ever recorded with its grant. */
	assert_int_equal(store_token_step_get(fx->gate.store, "D-1", &step), 1);
	assert_int_equal(step, now);
}

static void
test_signed_badge_needs_issuer_key(void **state)
{
	struct gate_fx *fx = *state;
	char good[TOKEN_TEXT_MAX], old_serial[TOKEN_TEXT_MAX];
	char pk[KEY_PK_TEXT];

	cred_add(fx, "S-1", CRED_SIGNED, "W-1");
	assert_true(token_badge_make("W-1", 2, time(NULL) + 3600, issuer.sk,
	    good, sizeof(good)) > 0);
	assert_true(token_badge_make("W-1", 1, time(NULL) + 3600, issuer.sk,
	    old_serial, sizeof(old_serial)) > 0);
	/* No issuer key, then a key that is not one, then another key. */
	show(fx, good);
	snprintf(fx->gate.cfg.security.issuer_key,
	    sizeof(fx->gate.cfg.security.issuer_key), "not a key");
	reconfigure(fx);
	show(fx, good);
	key_pk_to_text(stranger.pk, pk);
	snprintf(fx->gate.cfg.security.issuer_key,
	    sizeof(fx->gate.cfg.security.issuer_key), "%s", pk);
	reconfigure(fx);
	show(fx, good);
	key_pk_to_text(issuer.pk, pk);
	snprintf(fx->gate.cfg.security.issuer_key,
	    sizeof(fx->gate.cfg.security.issuer_key), "%s", pk);
	reconfigure(fx);
	show(fx, old_serial);
	show(fx, good);
	assert_string_equal(rows(fx, "reason"), "bad-signature bad-signature "
	    "bad-signature serial-revoked granted");
}

static void
test_soft_antipassback_alarm_row(void **state)
{
	struct gate_fx *fx = *state;
	struct event ev;

	fx->gate.cfg.policy.badge = ACCEPT_YES;
	fx->gate.cfg.policy.antipassback = APB_SOFT;
	cred_add(fx, "B-1", CRED_BADGE, "W-0001");
	/* An earlier entry whose way was used. */
	gate_event_init(&fx->gate, &ev, EV_SCAN, DIR_ENTRY);
	snprintf(ev.credential_id, sizeof(ev.credential_id), "B-1");
	ev.result = RES_GRANTED;
	ev.reason = REASON_GRANTED;
	ev.passage = PASSAGE_PASSED;
	assert_int_equal(store_event_append(fx->gate.store, &ev), 0);
	show(fx, "W-0001");
	assert_string_equal(rows(fx, "type || ':' || result || ':' || reason"),
	    "scan:granted:granted scan:granted:granted "
	    "alarm:alarm:anti-passback");
	assert_string_equal(rows(fx, "credential_id"), "B-1 B-1 B-1");
	/* hard refuses it, and writes no alarm. */
	fx->gate.cfg.policy.antipassback = APB_HARD;
	show(fx, "W-0001");
	assert_string_equal(rows(fx, "reason"),
	    "granted granted anti-passback anti-passback");
}

static void
test_repeated_denials(void **state)
{
	struct gate_fx *fx = *state;

	fx->gate.cfg.policy.badge = ACCEPT_YES;
	fx->gate.cfg.policy.deny_code_max = 2;
	fx->gate.cfg.policy.deny_lane_max = 4;
	fx->gate.cfg.policy.deny_slow_s = 3600;
	reconfigure(fx);
	show(fx, "W-9999");
	show(fx, "W-9999");
	show(fx, "W-9999");
	/* Another code is not slowed, but counts for the lane. */
	show(fx, "W-8888");
	assert_string_equal(rows(fx, "type || ':' || reason"),
	    "scan:unknown scan:unknown alarm:repeated-denials scan:slowed "
	    "scan:unknown alarm:repeated-denials");
	/* The code's alarm names the code; the lane's names none. */
	assert_string_equal(rows(fx, "payload_hash = (SELECT payload_hash "
	    "FROM events WHERE seq = 1)"), "1 1 1 1 0 0");
	assert_string_equal(rows(fx, "length(payload_hash)"),
	    "16 16 16 16 16 0");
	/* Denials that say nothing of the code are not counted. */
	fx->gate.cfg.policy.deny_lane_max = 0;
	reconfigure(fx);
	gate_set_lockdown(&fx->gate, true);
	show(fx, "W-7777");
	show(fx, "W-7777");
	show(fx, "W-7777");
	assert_int_equal(fx->gate.n.alarms, 2);
}

static void
test_trace_full(void **state)
{
	struct gate_fx *fx = *state;

	fx->gate.cfg.policy.badge = ACCEPT_YES;
	show(fx, "W-9999");
	fx->gate.cfg.store.trace_full = true;
	show(fx, "W-9998");
	/* Nothing to trace in a code no parser knows. */
	show(fx, "https://example.com");
	assert_string_equal(rows(fx, "subject || '|' || subject_full"),
	    "**9999| **9998|W-9998 |");
}

#define CARD	"079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|Nữ|" \
		"12 Lê Lợi, Quận 1|01022021"
/* The number of CARD with a name and dates of the forger's choosing. */
#define FORGED	"079190001234||Nguyen Van A|01011990|Nam|x|01012021"

/* A CCCD credential for CARD's number; role visitor or staff. */
static void
cccd_add(struct gate_fx *fx, const char *id, enum cred_role role,
    const char *check_hash)
{
	struct credential c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.kind = CRED_CCCD;
	snprintf(c.subject, sizeof(c.subject), "079190001234");
	c.status = CRED_ACTIVE;
	c.role = role;
	snprintf(c.lanes, sizeof(c.lanes), "*");
	snprintf(c.check_hash, sizeof(c.check_hash), "%s", check_hash);
	assert_int_equal(store_credential_put(fx->gate.store, &c), 0);
}

/*
 * Issue 12, row 4: the number is printed on the card, so by default a
 * CCCD opens for visitors only; a staff holder's card is refused.
 */
static void
test_cccd_default_visitors_only(void **state)
{
	struct gate_fx *fx = *state;

	cccd_add(fx, "S-1", ROLE_STAFF, "");
	show(fx, FORGED);
	show(fx, NULL);
	cccd_add(fx, "S-1", ROLE_VISITOR, "");
	show(fx, CARD);
	assert_string_equal(rows(fx, "reason"), "visitors-only granted");
	assert_int_equal(fx->gate.n.grants, 1);
}

/*
 * Issue 12, row 4: a card enrolled from its code opens only for a code
 * with its name and dates; a code made up from the number is unknown,
 * and so is every code of it while the gate has no key to check with.
 */
static void
test_cccd_check_hash_at_gate(void **state)
{
	struct gate_fx *fx = *state;
	uint8_t key[KEY_SECRET_BYTES];
	/* The config's own field holds the path, as a file would set it. */
	char *path = fx->gate.cfg.security.cccd_key_file;
	size_t size = sizeof(fx->gate.cfg.security.cccd_key_file);
	char hash[CCCD_CHECK_HEX], err[512];
	struct payload p;

	assert_true((size_t)snprintf(path, size, "%s/cccd.key", fx->dir) <
	    size);
	assert_int_equal(key_secret_create(path, err, sizeof(err)), 0);
	assert_int_equal(key_secret_read(path, key, err, sizeof(err)), 0);
	assert_int_equal(payload_parse((const uint8_t *)CARD, strlen(CARD),
	    &p), PAYLOAD_OK);
	cccd_check_hash(key, &p, hash);
	cccd_add(fx, "V-1", ROLE_VISITOR, hash);
	reconfigure(fx);
	show(fx, FORGED);
	show(fx, CARD);
	/* A key file others can read is no key. */
	assert_int_equal(chmod(path, 0644), 0);
	reconfigure(fx);
	show(fx, NULL);
	show(fx, CARD);
	/* No key: the enrolled card cannot be told from a made-up one. */
	assert_int_equal(unlink(path), 0);
	path[0] = '\0';
	reconfigure(fx);
	show(fx, NULL);
	show(fx, CARD);
	assert_string_equal(rows(fx, "reason || ':' || credential_id"),
	    "unknown:V-1 granted:V-1 unknown:V-1 unknown:V-1");
	assert_int_equal(fx->gate.n.grants, 1);
	assert_int_equal(fx->gate.n.denials, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_unsynced_clock_alarm),
		T(test_time_floor_under_now),
		T(test_dynamic_step_kept_with_grant),
		T(test_signed_badge_needs_issuer_key),
		T(test_soft_antipassback_alarm_row),
		T(test_repeated_denials),
		T(test_trace_full),
		T(test_cccd_default_visitors_only),
		T(test_cccd_check_hash_at_gate),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
