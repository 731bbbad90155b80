/*
 * From a frame or a reader's code to a decision: decode (a frame), hold
 * off codes still in view, parse, gather the facts the policy needs
 * (signature, clock, token steps, last grant, repeated denials), decide,
 * commit the row, and only then move the relay.  A code is decided the
 * same whichever input read it; only its row's source says which.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cccd_check.h"
#include "clock.h"
#include "cred_pin.h"
#include "gate.h"
#include "gate_private.h"
#include "keyfile.h"
#include "log.h"
#include "mask.h"
#include "payload.h"
#include "payload_card.h"
#include "schedule.h"
#include "store_schedule.h"

/* What one scan found out about its code, besides the payload. */
struct gate_scan {
	struct payload pl;
	struct credential cred;
	struct decide_policy policy;
	struct decide_input in;
	uint8_t fp[DENYRATE_FP];	/* BLAKE2b of the payload */
	int64_t now_ns;			/* monotonic */
};

static void
gate_scan_policy(const struct config *cfg, struct decide_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->accept[CRED_BADGE] = cfg->policy.badge;
	p->accept[CRED_CCCD] = cfg->policy.cccd;
	p->accept[CRED_SIGNED] = cfg->policy.signed_badge;
	p->accept[CRED_DYNAMIC] = cfg->policy.dynamic;
	p->accept[CRED_CARD] = cfg->policy.card;
	p->unsynced_dynamic = cfg->policy.unsynced_dynamic;
	p->antipassback = cfg->policy.antipassback;
	p->antipassback_ms = (int64_t)cfg->policy.antipassback_s * 1000;
	/* No desk key configured: the site issues no passes. */
	p->accept[CRED_VISITOR] = cfg->security.visitor_key[0] != '\0' ?
	    ACCEPT_YES : ACCEPT_NO;
	p->visitor_max_s = cfg->policy.visitor_max_s;
}

/* True when the token's signature verifies with the key for its kind. */
static bool
gate_scan_signature(const struct gate *g, const struct gate_scan *s)
{
	if (s->pl.kind == CRED_DYNAMIC)
		return s->cred.has_pubkey && token_verify(&s->pl.token,
		    s->cred.pubkey);
	if (s->pl.kind == CRED_VISITOR)
		return g->has_visitor_pk && token_verify(&s->pl.token,
		    g->visitor_pk);
	/* No issuer key, or not a key: no badge can be trusted. */
	return g->has_issuer_pk && token_verify(&s->pl.token, g->issuer_pk);
}

/*
 * The id the log and anti-passback know a holder by: the credential's, or
 * for a visitor the pass's own id, row or not, so that a pass cancelled
 * and a pass not are one holder.
 */
static const char *
gate_scan_holder(const struct gate_scan *s)
{
	return s->pl.kind == CRED_VISITOR ? s->pl.subject : s->cred.id;
}

/*
 * Rule 17b's facts: whether the credential's schedule (its own, else its
 * group's) admits now, in site.timezone, and whether the clock can be
 * trusted to say so.  A profile named but not held closes: a gate that
 * cannot tell stays shut.  Returns 0, or -1 when the store could not
 * answer.
 */
static int
gate_scan_schedule(struct gate *g, struct gate_scan *s,
    const struct credential *c)
{
	struct decide_input *in = &s->in;
	struct sched_holidays h;
	struct schedule sch;
	int r;

	if ((r = store_credential_schedule(g->store, c, &sch)) == -1)
		return -1;
	if (r == 0)
		return 0;
	in->clock_synced = gate_clock_check(g);
	in->schedule = DECIDE_SCHED_CLOSED;
	if (r == 2) {
		log_warnx("credential %s: schedule %s is not on this gate: "
		    "closed", c->id, sch.name);
		return 0;
	}
	if (store_holidays_load(g->store, &h) == -1)
		return -1;
	if (schedule_open_at(&sch, &h, in->now_ms) == 1)
		in->schedule = DECIDE_SCHED_OPEN;
	return 0;
}

/*
 * Whose schedule an entry obeys: the credential's row, where it names a
 * schedule or a group; for a visitor's pass without one, the site's
 * policy.visitor_schedule, in *pass.  NULL: none applies.
 */
static const struct credential *
gate_scan_scheduled(const struct gate *g, const struct gate_scan *s,
    struct credential *pass)
{
	bool row = s->in.cred != NULL && s->cred.kind == s->pl.kind;

	if (row && (s->cred.schedule[0] != '\0' || s->cred.group[0] != '\0'))
		return &s->cred;
	if (s->pl.kind != CRED_VISITOR ||
	    g->cfg.policy.visitor_schedule[0] == '\0')
		return NULL;
	memset(pass, 0, sizeof(*pass));
	snprintf(pass->id, sizeof(pass->id), "%s", "visitor pass");
	snprintf(pass->schedule, sizeof(pass->schedule), "%s",
	    g->cfg.policy.visitor_schedule);
	return pass;
}

/*
 * The facts about a stored credential (or a visitor's pass) the rules
 * need: only those its kind and the policy use, so a plain badge costs no
 * extra lookup.  Returns 0, or -1 when the store could not answer.
 */
static int
gate_scan_facts(struct gate *g, struct gate_scan *s)
{
	const struct config *cfg = &g->cfg;
	const struct credential *c;
	struct decide_input *in = &s->in;
	struct credential pass;
	struct store_grant last;
	int r;

	if (s->pl.kind == CRED_SIGNED || s->pl.kind == CRED_DYNAMIC ||
	    s->pl.kind == CRED_VISITOR)
		in->sig_ok = gate_scan_signature(g, s);
	/* Trusted: synchronised, and not behind the time floor. */
	if (s->pl.kind == CRED_VISITOR)
		in->clock_synced = gate_clock_check(g);
	/* A code made up from a card's number is not the card enrolled. */
	if (s->pl.kind == CRED_CCCD)
		in->card_mismatch = !cccd_check_match(g->has_cccd_key ?
		    g->cccd_key : NULL, &s->pl, s->cred.check_hash);
	if (s->pl.kind == CRED_DYNAMIC) {
		/* Trusted: synchronised, and not behind the time floor. */
		in->clock_synced = gate_clock_check(g);
		in->step_now = token_step_of(in->now_ms / 1000,
		    cfg->policy.token_step_s);
		if ((r = store_token_step_get(g->store, s->cred.id,
		    &in->last_step)) == -1)
			return -1;
		if (r == 0)
			in->last_step = -1;
	}
	/* Only an entry is refused by a schedule: an exit costs no lookup. */
	if (in->dir == DIR_ENTRY && (c = gate_scan_scheduled(g, s, &pass)) !=
	    NULL && gate_scan_schedule(g, s, c) == -1)
		return -1;
	if (cfg->policy.antipassback != APB_OFF && in->dir == DIR_ENTRY) {
		if ((r = store_event_last_grant(g->store, gate_scan_holder(s),
		    &last)) == -1)
			return -1;
		in->has_last_grant = r == 1;
		if (r == 1) {
			in->last_grant_dir = last.direction;
			in->last_grant_ms = last.ts_ms;
		}
	}
	return 0;
}

/*
 * An alarm row about the code of row ev (anti-passback, repeated
 * denials): the credential and code it concerns, no way released.
 * lane_wide: about the lane, not one code.
 */
static void
gate_scan_alarm(struct gate *g, const struct event *ev, enum reason reason,
    bool lane_wide)
{
	struct event a;

	g->n.alarms++;
	gate_event_init(g, &a, EV_ALARM, ev->direction);
	a.result = RES_ALARM;
	a.reason = reason;
	if (!lane_wide) {
		a.kind = ev->kind;
		memcpy(a.credential_id, ev->credential_id,
		    sizeof(a.credential_id));
		memcpy(a.subject, ev->subject, sizeof(a.subject));
		memcpy(a.subject_full, ev->subject_full,
		    sizeof(a.subject_full));
		memcpy(a.payload_hash, ev->payload_hash,
		    sizeof(a.payload_hash));
		memcpy(a.source, ev->source, sizeof(a.source));
	}
	gate_event_commit(g, &a);
	log_warnx("ALARM %s%s [seq %lld]", reason_name(reason),
	    lane_wide ? " on the lane" : "", (long long)a.seq);
}

/*
 * Counts a denial towards the repeated-denial alarms.  Denials that say
 * nothing about the code (a way still busy, a lockdown, the store) are
 * not counted: they would slow honest people down.
 */
static void
gate_scan_denied(struct gate *g, const struct gate_scan *s,
    const struct event *ev)
{
	int alarms;

	if (ev->reason == REASON_LANE_BUSY || ev->reason == REASON_LANE_LOCKED ||
	    ev->reason == REASON_STORE_ERROR)
		return;
	alarms = denyrate_count(&g->deny, s->fp, s->now_ns);
	if (alarms & DENYRATE_CODE_ALARM)
		gate_scan_alarm(g, ev, REASON_REPEATED_DENIALS, false);
	if (alarms & DENYRATE_LANE_ALARM)
		gate_scan_alarm(g, ev, REASON_REPEATED_DENIALS, true);
}

/* Parses, looks up and decides.  d gets the decision. */
static void
gate_scan_decide(struct gate *g, struct gate_scan *s,
    const struct gate_code *code, struct decision *d)
{
	struct decide_input *in = &s->in;
	int found = 0;

	in->slowed = denyrate_slowed(&g->deny, s->fp, s->now_ns);
	/* An over-long payload is refused before any parser sees it. */
	if (code->card != NULL)
		in->match = payload_from_card(code->card, &s->pl);
	else if (code->misread) {
		s->pl.kind = CRED_CARD;
		in->match = PAYLOAD_MALFORMED;
	} else if (!in->too_long)
		in->match = payload_parse(code->data, code->len, &s->pl);
	/* A slowed code or a kind taken from nobody costs no lookup. */
	if (in->match == PAYLOAD_OK && !in->slowed &&
	    s->policy.accept[s->pl.kind] != ACCEPT_NO) {
		found = store_credential_find(g->store, s->pl.kind,
		    s->pl.subject, &s->cred);
		if (found == 1)
			in->cred = &s->cred;
		/* Argon2id, some milliseconds: only for a card that has a
		 * PIN and was given one. */
		if (found == 1 && s->pl.kind == CRED_CARD && code->pin != NULL &&
		    s->cred.pin_hash[0] != '\0')
			in->pin_ok = cred_pin_verify(s->cred.pin_hash, code->pin);
		/* A visitor's pass is decided with no row as well. */
		if ((found == 1 || (found == 0 &&
		    s->pl.kind == CRED_VISITOR)) && gate_scan_facts(g, s) == -1)
			found = -1;
	}
	in->store_failed = found == -1;
	in->lane_busy = lane_way_busy(&g->lane, in->dir);
	decide(in, d);
}

/* Whether the code was granted. */
static bool
gate_decide_code(struct gate *g, const struct gate_code *code)
{
	const struct config *cfg = &g->cfg;
	enum direction dir = code->direction;
	struct gate_scan s;
	struct decision d;
	struct event ev;
	int64_t step = -1;

	memset(&s, 0, sizeof(s));
	s.now_ns = clock_mono_ns();
	g->last_decision_ns = s.now_ns;
	gate_scan_policy(cfg, &s.policy);
	s.in = (struct decide_input){
		.too_long = code->too_long ||
		    code->len > (size_t)cfg->decoder.max_payload,
		.match = PAYLOAD_PASS,
		.payload = &s.pl,
		/* Never below the time floor (gatetime.h): a clock set
		 * back revives no expired credential or token. */
		.now_ms = gate_clock_now(g),
		.lane = cfg->gate.lane,
		.dir = dir,
		.lockdown = g->lockdown,
		.policy = &s.policy,
		.last_step = -1,
	};
	/* 8 bytes of BLAKE2b: enough to tell codes apart, in the log and
	 * in the denial counts, without keeping what a stranger's QR code
	 * said. */
	crypto_generichash(s.fp, sizeof(s.fp), code->data, code->len, NULL, 0);
	gate_scan_decide(g, &s, code, &d);

	gate_event_init(g, &ev, EV_SCAN, dir);
	ev.kind = s.in.match == PAYLOAD_PASS ? CRED_NONE : s.pl.kind;
	if (s.in.cred != NULL || (s.in.match == PAYLOAD_OK &&
	    s.pl.kind == CRED_VISITOR))
		snprintf(ev.credential_id, sizeof(ev.credential_id), "%s",
		    gate_scan_holder(&s));
	/* A visitor id is the desk's number, not a person's: shown whole,
	 * so that the guard finds the pass in the register. */
	if (s.in.match == PAYLOAD_OK && s.pl.kind == CRED_VISITOR)
		snprintf(ev.subject, sizeof(ev.subject), "%s", s.pl.subject);
	else if (s.in.match == PAYLOAD_OK) {
		mask_subject(cfg->store.mask, s.pl.subject, ev.subject,
		    sizeof(ev.subject));
		if (cfg->store.trace_full)
			snprintf(ev.subject_full, sizeof(ev.subject_full),
			    "%s", s.pl.subject);
	}
	ev.result = d.result;
	ev.reason = d.reason;
	ev.passage = d.result == RES_GRANTED ? PASSAGE_PENDING : PASSAGE_NONE;
	ev.decode_us = code->decode_us;
	ev.latency_us = (clock_mono_ns() - code->ts_ns) / 1000;
	snprintf(ev.source, sizeof(ev.source), "%s", code->source);
	sodium_bin2hex(ev.payload_hash, sizeof(ev.payload_hash), s.fp,
	    sizeof(s.fp));
	/* A dynamic grant records its step in the grant's own commit. */
	if (d.result == RES_GRANTED && s.pl.kind == CRED_DYNAMIC)
		step = s.pl.token.step;

	/* The row is durable before the relay moves; if it cannot be
	 * written, the way stays locked, and the refusal is the row kept
	 * for when the store is back. */
	if (gate_event_commit_step(g, &ev, step) == -1) {
		decide_unlogged(&d);
		ev.result = d.result;
		ev.reason = d.reason;
		ev.passage = d.result == RES_GRANTED ? PASSAGE_PENDING :
		    PASSAGE_NONE;
		gate_event_keep(g, &ev);
	}
	if (ev.result == RES_GRANTED) {
		g->n.grants++;
		/* The relay first: the worker is waiting, the journal is not. */
		/* The GPIO backend logged why the relay did not move. */
		if (lane_release(&g->lane, dir, ev.seq) == -1)
			gate_passage_commit(g, ev.seq, PASSAGE_NOT_PASSED);
		gate_log_decision(g, &ev, s.in.cred != NULL ? s.cred.name : "",
		    (clock_mono_ns() - code->ts_ns) / 1000);
		/* After the relay, on the screen's thread: never before. */
		gate_screen_decision(g, &ev, s.in.cred != NULL ?
		    s.cred.name : "");
		gate_sound_decision(g, &ev);
		/* The site's other gates refuse this step from now on. */
		if (step >= 0 && g->up.step != NULL)
			g->up.step(g->up.arg, ev.credential_id, (uint32_t)step);
		/* Soft anti-passback: let them in, and say so after. */
		if (d.passback_alarm)
			gate_scan_alarm(g, &ev, REASON_ANTI_PASSBACK, false);
		gate_wiegand_send_on(g, s.in.cred, true);
	} else {
		g->n.denials++;
		gate_log_decision(g, &ev, s.in.cred != NULL ? s.cred.name : "", -1);
		lane_deny(&g->lane);
		gate_screen_decision(g, &ev, NULL);
		gate_sound_decision(g, &ev);
		gate_scan_denied(g, &s, &ev);
		gate_wiegand_send_on(g, s.in.cred, false);
	}
	return ev.result == RES_GRANTED;
}

/*
 * A credential list changed since the last frame with a code, pushed
 * (cred_version) or written by qrgatectl (the database's data_version):
 * the codes held in view that were denied are decided again at their next
 * sighting, or one held up while its credential was added would wait,
 * undecided, for the worker to step away and back.
 */
static void
gate_scan_creds_changed(struct gate *g)
{
	int64_t dv;
	bool changed = g->cred_version != g->held_cred_version;

	g->held_cred_version = g->cred_version;
	if (store_data_version(g->store, &dv) == 0) {
		changed = changed || dv != g->held_data_version;
		g->held_data_version = dv;
	}
	if (changed)
		holdoff_forget_denied(&g->holdoff);
}

/*
 * Reads the CCCD check key, at start and at each reload (a new key file
 * takes effect with a SIGHUP).  Without it no CCCD credential enrolled
 * from its card can be checked, so those are denied: said once here.
 */
static void
gate_scan_cccd_key(struct gate *g, const struct config *cfg)
{
	char err[512];

	g->has_cccd_key = false;
	sodium_memzero(g->cccd_key, sizeof(g->cccd_key));
	if (cfg->security.cccd_key_file[0] == '\0')
		return;
	if (key_secret_read(cfg->security.cccd_key_file, g->cccd_key, err,
	    sizeof(err)) == -1) {
		log_warnx("security.cccd_key_file: %s: CCCD credentials "
		    "enrolled from their card are denied", err);
		return;
	}
	g->has_cccd_key = true;
}

void
gate_scan_configure(struct gate *g, const struct config *cfg)
{
	/* The gate starts zeroed, so the first call starts empty counts and
	 * a reload keeps what was counted. */
	denyrate_configure(&g->deny, cfg->policy.deny_window_s,
	    cfg->policy.deny_code_max, cfg->policy.deny_lane_max,
	    cfg->policy.deny_slow_s);
	g->has_issuer_pk = key_pk_from_text(cfg->security.issuer_key,
	    g->issuer_pk) == 0;
	g->has_visitor_pk = key_pk_from_text(cfg->security.visitor_key,
	    g->visitor_pk) == 0;
	gate_scan_cccd_key(g, cfg);
}

/* Hold-off, decision, row, relay: one code. */
static void
gate_scan_one(struct gate *g, const struct gate_code *c)
{
	if (!holdoff_admit(&g->holdoff, c->data, c->len, c->ts_ns))
		return;
	g->n.codes++;
	if (gate_decide_code(g, c))
		holdoff_granted(&g->holdoff, c->data, c->len);
}

void
gate_scan_code(struct gate *g, const struct gate_code *c)
{
	gate_scan_creds_changed(g);
	gate_scan_one(g, c);
}

void
gate_scan_frame(struct gate *g, const struct frame *f)
{
	struct decode_result res;
	int64_t t0, decode_us;
	int n;

	g->n.frames++;
	g->last_frame_ns = f->ts_ns;
	/* A card going out to a controller owns the loop for its 50 to 75
	 * ms: a frame's decoding (tens of ms on a Pi) would stretch a pulse
	 * interval past the controller's frame gap and split the card.  The
	 * frames of that time are seen (the camera is alive), not decoded:
	 * who was just let in is walking through.  A card coming in is
	 * the same: its edges wait for the loop (the GPIO backend keeps
	 * 1024), but a decoding begun while its frame arrives would delay
	 * its decision by that decoding.  Noise on the wires is not a
	 * card: past the longest a card takes, frames are decoded
	 * again. */
	if (wiegand_out_busy(&g->wg_out) || gate_wiegand_arriving(g)) {
		g->n.frames_undecoded++;
		return;
	}
	t0 = clock_mono_ns();
	n = g->dec->scan(g->dec_priv, f, &res);
	decode_us = (clock_mono_ns() - t0) / 1000;
	g->last_decode_us = decode_us;
	g->decode_ring[g->decode_n++ % GATE_DECODE_RING] =
	    decode_us > INT32_MAX ? INT32_MAX : (int32_t)decode_us;
	if (n <= 0)
		return;
	gate_scan_creds_changed(g);
	for (int i = 0; i < res.count; i++) {
		struct gate_code c = {
			.data = res.codes[i].data, .len = res.codes[i].len,
			.ts_ns = f->ts_ns, .decode_us = decode_us,
			.direction = g->cfg.camera.direction,
			.source = "camera",
		};

		gate_scan_one(g, &c);
	}
}

