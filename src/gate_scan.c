/*
 * From a frame to a decision: decode, hold off codes still in view, parse,
 * look up, decide, commit the row, and only then move the relay.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gate.h"
#include "gate_log.h"
#include "log.h"
#include "mask.h"
#include "payload.h"

/* 8 bytes of BLAKE2b as 16 hex digits: enough to tell codes apart in the
 * log without keeping what a stranger's QR code said. */
static void
gate_payload_hash(const uint8_t *data, size_t len, char out[17])
{
	unsigned char h[8];

	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(out, 17, h, sizeof(h));
}

static void
gate_decide_code(struct gate *g, const struct frame *f,
    const struct decoded_code *code, int64_t decode_us)
{
	const struct config *cfg = &g->cfg;
	enum direction dir = cfg->camera.direction;
	struct payload pl;
	struct credential cred;
	struct decide_policy policy = { 0 };
	struct decide_input in;
	struct decision d;
	struct event ev;
	bool too_long = code->len > (size_t)cfg->decoder.max_payload;
	int found = 0;

	memset(&pl, 0, sizeof(pl));
	in = (struct decide_input){
		.too_long = too_long,
		.match = PAYLOAD_PASS,
		.payload = &pl,
		.now_ms = clock_utc_ms(),
		.lane = cfg->gate.lane,
		.dir = dir,
		.lockdown = g->lockdown,
		.policy = &policy,
	};
	policy.kind_enabled[CRED_BADGE] = cfg->policy.badge != ACCEPT_NO;
	policy.kind_enabled[CRED_CCCD] = cfg->policy.cccd != ACCEPT_NO;

	/* An over-long payload is refused before any parser sees it. */
	if (!too_long)
		in.match = payload_parse(code->data, code->len, &pl);
	if (in.match == PAYLOAD_OK && policy.kind_enabled[pl.kind]) {
		found = store_credential_find(g->store, pl.kind, pl.subject, &cred);
		if (found == 1)
			in.cred = &cred;
	}
	decide(&in, &d);
	if (found == -1) {
		/* The credentials cannot be read: nobody gets in on a guess. */
		d.result = RES_DENIED;
		d.reason = REASON_STORE_ERROR;
	}
	if (d.result == RES_GRANTED && lane_way_busy(&g->lane, dir)) {
		d.result = RES_DENIED;
		d.reason = REASON_LANE_BUSY;
	}

	gate_event_init(g, &ev, EV_SCAN, dir);
	ev.kind = in.match == PAYLOAD_PASS ? CRED_NONE : pl.kind;
	if (in.cred != NULL)
		snprintf(ev.credential_id, sizeof(ev.credential_id), "%s", cred.id);
	if (in.match == PAYLOAD_OK)
		mask_subject(cfg->store.mask, pl.subject, ev.subject, sizeof(ev.subject));
	ev.result = d.result;
	ev.reason = d.reason;
	ev.passage = d.result == RES_GRANTED ? PASSAGE_PENDING : PASSAGE_NONE;
	ev.decode_us = decode_us;
	ev.latency_us = (clock_mono_ns() - f->ts_ns) / 1000;
	gate_payload_hash(code->data, code->len, ev.payload_hash);

	/* The row is durable before the relay moves; if it cannot be
	 * written, the way stays locked. */
	if (gate_event_commit(g, &ev) == -1 && ev.result == RES_GRANTED) {
		ev.result = RES_DENIED;
		ev.reason = REASON_STORE_ERROR;
	}
	if (ev.result == RES_GRANTED) {
		g->n.grants++;
		gate_log_decision(g, &ev, in.cred != NULL ? cred.name : "");
		if (lane_release(&g->lane, dir, ev.seq) == -1) {
			log_warnx("gate: %s relay could not be driven", direction_name(dir));
			gate_passage_commit(g, ev.seq, PASSAGE_NOT_PASSED);
		}
	} else {
		g->n.denials++;
		gate_log_decision(g, &ev, in.cred != NULL ? cred.name : "");
		lane_deny(&g->lane);
	}
}

void
gate_scan_frame(struct gate *g, const struct frame *f)
{
	struct decode_result res;
	int64_t t0, decode_us;
	int n;

	g->n.frames++;
	g->last_frame_ns = f->ts_ns;
	t0 = clock_mono_ns();
	n = g->dec->scan(g->dec_priv, f, &res);
	decode_us = (clock_mono_ns() - t0) / 1000;
	g->last_decode_us = decode_us;
	g->decode_ring[g->decode_n++ % GATE_DECODE_RING] =
	    decode_us > INT32_MAX ? INT32_MAX : (int32_t)decode_us;
	if (n <= 0)
		return;
	for (int i = 0; i < res.count; i++) {
		const struct decoded_code *c = &res.codes[i];

		if (!holdoff_admit(&g->holdoff, c->data, c->len, f->ts_ns))
			continue;
		g->n.codes++;
		gate_decide_code(g, f, c, decode_us);
	}
}
