/*
 * Rows of the entry/exit log that are not scans (alarms, the exit button,
 * passage outcomes), and the one human line per decision.
 */
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "gate_log.h"
#include "log.h"
#include "mask.h"

void
gate_event_init(const struct gate *g, struct event *ev, enum event_type type,
    enum direction dir)
{
	memset(ev, 0, sizeof(*ev));
	/* The gate's time, not the wall clock's: never below the floor,
	 * so the log's order survives a clock set back. */
	ev->ts_ms = gate_clock_now(g);
	snprintf(ev->gate, sizeof(ev->gate), "%s", g->cfg.gate.id);
	snprintf(ev->lane, sizeof(ev->lane), "%s", g->cfg.gate.lane);
	ev->direction = dir;
	ev->type = type;
	ev->kind = CRED_NONE;
	ev->passage = PASSAGE_NONE;
	ev->decode_us = -1;
	ev->latency_us = -1;
}

void
gate_uplink_alarm(struct gate *g, const char *name, bool active,
    const char *detail)
{
	if (g->up.alarm != NULL)
		g->up.alarm(g->up.arg, name, active, detail);
}

/* A write went through or failed: raises or clears "database". */
static void
gate_store_result(struct gate *g, bool ok)
{
	if (ok) {
		if (g->store_alarm) {
			g->store_alarm = false;
			gate_uplink_alarm(g, "database", false, "writes again");
		}
		if (g->up.rows != NULL)
			g->up.rows(g->up.arg);
		return;
	}
	g->n.store_errors++;
	if (!g->store_alarm) {
		g->store_alarm = true;
		gate_uplink_alarm(g, "database", true,
		    "a log row could not be written");
	}
}

int
gate_event_commit(struct gate *g, struct event *ev)
{
	return gate_event_commit_step(g, ev, -1);
}

int
gate_event_commit_step(struct gate *g, struct event *ev, int64_t step)
{
	if ((step >= 0 && step <= UINT32_MAX ?
	    store_event_append_step(g->store, ev, (uint32_t)step) :
	    store_event_append(g->store, ev)) == 0) {
		gate_store_result(g, true);
		return 0;
	}
	gate_store_result(g, false);
	log_warnx("gate: a %s row could not be written to the log",
	    event_type_name(ev->type));
	return -1;
}

int
gate_passage_commit(struct gate *g, int64_t seq, enum passage p)
{
	int r = store_event_set_passage(g->store, seq, p);

	gate_store_result(g, r == 0);
	return r;
}

int
gate_close_pending_passages(struct gate *g)
{
	int64_t seq;
	int n = 0;

	while ((seq = store_event_pending_first(g->store)) > 0) {
		if (gate_passage_commit(g, seq, PASSAGE_UNSENSED) == -1)
			return -1;
		n++;
	}
	if (n > 0)
		log_info("%d passage%s left pending by the last run: unsensed", n,
		    n == 1 ? "" : "s");
	return seq == 0 ? 0 : -1;
}

void
gate_log_decision(const struct gate *g, const struct event *ev,
    const char *name, int64_t relay_us)
{
	char who[224], initials[128], relay[32] = "";

	/* The journal is read by more people than the log: store.name_initials
	 * keeps holders' names out of it. */
	if (g->cfg.store.name_initials && name[0] != '\0') {
		mask_name_initials(name, initials, sizeof(initials));
		name = initials;
	}
	if (ev->subject[0] != '\0' && name[0] != '\0')
		snprintf(who, sizeof(who), "%s %s (%s)", cred_kind_name(ev->kind),
		    ev->subject, name);
	else if (ev->subject[0] != '\0')
		snprintf(who, sizeof(who), "%s %s", cred_kind_name(ev->kind), ev->subject);
	else
		snprintf(who, sizeof(who), "code %s", ev->payload_hash);
	if (relay_us >= 0)
		snprintf(relay, sizeof(relay), ", relay %.1f ms", relay_us / 1000.0);
	log_info("%s %s %s: %s [seq %lld, decode %.1f ms, latency %.1f ms%s]",
	    ev->result == RES_GRANTED ? "GRANTED" : "DENIED ",
	    direction_name(ev->direction), who, reason_name(ev->reason),
	    (long long)ev->seq, ev->decode_us / 1000.0, ev->latency_us / 1000.0,
	    relay);
}

void
gate_on_passage(void *arg, enum direction dir, int64_t seq, enum passage p)
{
	struct gate *g = arg;

	if (seq <= 0)
		return;
	gate_passage_commit(g, seq, p);
	log_info("passage %s: %s [seq %lld]", direction_name(dir), passage_name(p),
	    (long long)seq);
}

void
gate_on_alarm(void *arg, enum reason reason)
{
	struct gate *g = arg;
	struct event ev;

	g->n.alarms++;
	gate_event_init(g, &ev, EV_ALARM, g->cfg.camera.direction);
	ev.result = RES_ALARM;
	ev.reason = reason;
	gate_event_commit(g, &ev);
	log_warnx("ALARM %s [seq %lld]", reason_name(reason), (long long)ev.seq);
}

/* A way opened without a code (exit button, operator): logged first, like
 * any grant, then released. */
int
gate_open_unscanned(struct gate *g, enum direction dir, enum event_type type,
    enum reason reason)
{
	struct event ev;

	if (!lane_way_enabled(&g->lane, dir) || lane_way_busy(&g->lane, dir))
		return -1;
	gate_event_init(g, &ev, type, dir);
	ev.result = RES_GRANTED;
	ev.reason = reason;
	ev.passage = PASSAGE_PENDING;
	if (gate_event_commit(g, &ev) == -1)
		return -1;
	g->n.grants++;
	log_info("GRANTED %s %s [seq %lld]", direction_name(dir), reason_name(reason),
	    (long long)ev.seq);
	if (lane_release(&g->lane, dir, ev.seq) == -1) {
		gate_passage_commit(g, ev.seq, PASSAGE_NOT_PASSED);
		return -1;
	}
	return 0;
}

void
gate_on_button(void *arg)
{
	struct gate *g = arg;

	if (gate_open_unscanned(g, DIR_EXIT, EV_BUTTON, REASON_EXIT_BUTTON) == -1)
		log_info("exit button: exit way not enabled or busy");
}
