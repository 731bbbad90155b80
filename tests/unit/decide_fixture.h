/*
 * The decision tests' fixture, shared by test_decide.c (the rules of every
 * credential) and test_decide_policy.c (signed credentials and policy): a
 * stored badge that every rule grants, and run(), which decides it and
 * checks that the result goes with the reason.  Include after <cmocka.h>.
 */
#ifndef QRGATE_TEST_DECIDE_FIXTURE_H
#define QRGATE_TEST_DECIDE_FIXTURE_H

#include <string.h>

#include "decide.h"

#define NOW	1700000000000LL

struct fixture {
	struct payload payload;
	struct credential cred;
	struct decide_policy policy;
	struct decide_input in;
};

/* A badge, stored, active, valid around NOW, allowed on lane A entry. */
static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->payload.kind = CRED_BADGE;
	strcpy(f->payload.subject, "W-0001");
	strcpy(f->cred.id, "c1");
	f->cred.kind = CRED_BADGE;
	strcpy(f->cred.subject, "W-0001");
	f->cred.status = CRED_ACTIVE;
	f->cred.valid_from_ms = NOW - 1000;
	f->cred.valid_until_ms = NOW + 1000;
	strcpy(f->cred.lanes, "A:entry");
	for (int k = CRED_BADGE; k < CRED_KIND_COUNT; k++)
		f->policy.accept[k] = ACCEPT_YES;
	f->in.clock_synced = true;
	f->in.last_step = -1;
	f->in.match = PAYLOAD_OK;
	f->in.payload = &f->payload;
	f->in.cred = &f->cred;
	f->in.now_ms = NOW;
	f->in.lane = "A";
	f->in.dir = DIR_ENTRY;
	f->in.policy = &f->policy;
}

static enum reason
run(const struct fixture *f)
{
	struct decision d;

	memset(&d, 0x5a, sizeof(d));
	decide(&f->in, &d);
	if (d.reason == REASON_GRANTED)
		assert_int_equal(d.result, RES_GRANTED);
	else {
		assert_int_equal(d.result, RES_DENIED);
		assert_false(d.passback_alarm);
	}
	return d.reason;
}

#endif
