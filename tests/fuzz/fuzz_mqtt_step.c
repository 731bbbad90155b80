/*
 * The MQTT handler of another gate's dynamic step (.../steps), on a real
 * gate (fuzz_gate.h) whose credential C3 is dynamic: whatever comes, a
 * message the parser refuses is refused by the handler, and no step is
 * ever recorded ahead of the gate's own window (FUZZ_NOW_MS).
 */
// fuzz-ldflags: -Wl,--wrap=clock_utc_ms,--wrap=open,--wrap=open64,--wrap=mkfifo
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "token.h"

static json_t *
fuzz_step_run(struct gate *g, const uint8_t *data, size_t len)
{
	struct inbound_step st;
	enum inbound_step_result r;
	char err[128];
	int64_t step = -1;
	int parsed;

	parsed = inbound_step_parse(data, len, &st, err, sizeof(err));
	r = inbound_step(g, "fuzz-peer", data, len, false);
	if (parsed == -1 && r != INBOUND_STEP_REFUSED)
		abort();
	if (parsed == 0 && (st.credential_id[0] == '\0' ||
	    strlen(st.credential_id) >= sizeof(st.credential_id)))
		abort();
	if (store_token_step_get(g->store, "C3", &step) == 1 &&
	    step > (int64_t)token_step_of(clock_utc_ms() / 1000,
	    g->cfg.policy.token_step_s) + 1)
		abort();
	return NULL;
}

#define FUZZ_GATE_RUN(g, d, n)	fuzz_step_run(g, d, n)

#include "fuzz_gate.h"
