/*
 * Rows of the entry/exit log that are not scans (alarms, the exit button,
 * passage outcomes), and the one human line per decision.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "gate_private.h"
#include "log.h"
#include "mask.h"
#include "mqtt_msg.h"
#include "util.h"

#define GATE_STORE_TICK_MS 1000

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

/*
 * A write went through or failed: counts, raises "database".  The alarm
 * clears only once no row waits in memory and the files are the ones
 * opened, so a write that happens to fit does not hide rows still
 * missing from the log.
 */
static void
gate_store_clear(struct gate *g)
{
	if (g->store_alarm && g->kept_n == 0 && !g->store_gone &&
	    g->store_aside[0] == '\0') {
		g->store_alarm = false;
		log_info("store: writes again");
		gate_uplink_alarm(g, "database", false, "writes again");
	}
}

static void
gate_store_result(struct gate *g, bool ok)
{
	if (ok) {
		gate_store_clear(g);
		/* The rows kept meanwhile go on the next turn of the loop,
		 * not before the relay of whoever is waiting. */
		if (g->kept_n > 0)
			loop_timer_set(g->loop, &g->store_tick, 0);
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

/*
 * A row for the journal, as one JSON line: every field the log keeps
 * except subject_full, which never leaves the database.
 */
static void
gate_event_journal(const struct gate *g, const struct event *ev,
    const char *what)
{
	json_t *doc = mqtt_msg_event(ev, 0, g->cfg.gate.site);
	char *text = NULL;

	if (doc != NULL) {
		json_object_set_new(doc, "payload_hash",
		    json_string(ev->payload_hash));
		text = json_dumps(doc, JSON_COMPACT);
	}
	log_warnx("store: %s: %s", what, text != NULL ? text :
	    "(the row could not be formatted)");
	free(text);
	json_decref(doc);
}

void
gate_event_keep(struct gate *g, struct event *ev)
{
	struct gate_kept *k;

	if (ev->seq <= 0)
		ev->seq = --g->kept_seq;
	/* The failed append drew an id that no row has: the row gets its
	 * own when it is written. */
	ev->event_id[0] = '\0';
	/* The journal has every kept row at once: a restart (the watchdog,
	 * a power cut) loses the memory, not the journal. */
	if (g->kept_n == GATE_KEPT_MAX) {
		gate_event_journal(g, ev, "row not written, too many waiting: "
		    "only in this line");
		return;
	}
	k = &g->kept[(g->kept_first + g->kept_n++) % GATE_KEPT_MAX];
	k->ev = *ev;
	k->passage_only = false;
	gate_event_journal(g, ev, "row kept until the database takes it");
}

/* The kept row that stands in as seq, or NULL. */
static struct gate_kept *
gate_kept_find(struct gate *g, int64_t seq)
{
	for (int i = 0; i < g->kept_n; i++) {
		struct gate_kept *k = &g->kept[(g->kept_first + i) %
		    GATE_KEPT_MAX];

		if (!k->passage_only && k->ev.seq == seq)
			return k;
	}
	return NULL;
}

/* Writes the oldest kept row.  0 written (or dropped), -1 not. */
static int
gate_kept_write(struct gate *g, struct gate_kept *k)
{
	struct event ev = k->ev;
	int64_t stand_in = ev.seq;
	struct event row;

	if (k->passage_only) {
		if (store_event_set_passage(g->store, ev.seq, ev.passage) == 0)
			return 0;
		/* A database replaced since has no such row: nothing to
		 * update, and nothing to wait for. */
		if (store_event_get(g->store, ev.seq, &row) == 0) {
			log_warnx("store: passage %s of event %lld dropped: no "
			    "such row", passage_name(ev.passage),
			    (long long)ev.seq);
			return 0;
		}
		return -1;
	}
	ev.seq = 0;
	if (store_event_append(g->store, &ev) == -1)
		return -1;
	/* A way still released for it reports its passage under the row's
	 * own seq from now on. */
	for (int d = 0; d < DIR_COUNT; d++)
		if (g->lane.way[d].seq == stand_in)
			g->lane.way[d].seq = ev.seq;
	log_info("store: kept %s row written [seq %lld]",
	    event_type_name(ev.type), (long long)ev.seq);
	return 0;
}

/* Writes the kept rows, oldest first, until one fails. */
static void
gate_kept_flush(struct gate *g)
{
	int n = 0;

	while (g->kept_n > 0) {
		if (gate_kept_write(g, &g->kept[g->kept_first]) == -1)
			break;
		g->kept_first = (g->kept_first + 1) % GATE_KEPT_MAX;
		g->kept_n--;
		n++;
	}
	if (n > 0 && g->up.rows != NULL)
		g->up.rows(g->up.arg);
}

static int
gate_cred_any(const struct credential *c, void *arg)
{
	(void)c;
	*(bool *)arg = true;
	return 1;
}

/*
 * A database moved aside at start (gate.c, gate_store_open()): the gate
 * runs on an empty one, every code unknown, and staff must know it.  The
 * alarm is raised here, once the uplink is there to carry it, and stays,
 * across restarts too, until a credential list arrives: pushed over MQTT
 * (a version other than 0) or imported with qrgatectl (a credential in
 * the database: one indexed row read each second, only meanwhile).
 */
static void
gate_store_aside_alarm(struct gate *g)
{
	const char *name;
	char detail[sizeof(g->store_aside) + 48];
	bool any = false;

	if (g->store_aside[0] == '\0')
		return;
	if (g->cred_version > 0 ||
	    (store_credential_foreach(g->store, gate_cred_any, &any) == 0 &&
	    any)) {
		if (store_meta_set(g->store, GATE_ASIDE_KEY, 0) == -1)
			return;
		log_info("store: credentials in use again; %s stays where "
		    "it is", g->store_aside);
		g->store_aside[0] = '\0';
		return;
	}
	if (g->store_alarm)
		return;
	name = strrchr(g->store_aside, '/');
	snprintf(detail, sizeof(detail), "unreadable at start, now empty: "
	    "kept as %s", name != NULL ? name + 1 : g->store_aside);
	g->store_alarm = true;
	gate_uplink_alarm(g, "database", true, detail);
}

/*
 * Each second: is the database still the file opened, and answering?  A
 * file deleted, moved or replaced is noticed here even when nothing is
 * written; a store that answers again takes the rows kept meanwhile.
 */
void
gate_store_tick(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, store_tick);

	loop_timer_set(l, t, GATE_STORE_TICK_MS);
	if (store_ping(g->store) == -1) {
		if (!g->store_gone) {
			g->store_gone = true;
			g->n.store_errors++;
			log_warnx("store: %s: codes denied store-error, exits "
			    "still open; rows kept until it is back",
			    store_errmsg(g->store));
			if (!g->store_alarm) {
				g->store_alarm = true;
				gate_uplink_alarm(g, "database", true,
				    store_errmsg(g->store));
			}
		}
		return;
	}
	if (g->store_gone)
		log_info("store: the database answers again");
	g->store_gone = false;
	gate_kept_flush(g);
	gate_store_aside_alarm(g);
	gate_store_clear(g);
}

void
gate_kept_close(struct gate *g)
{
	if (g->store != NULL && store_ping(g->store) == 0)
		gate_kept_flush(g);
	if (g->kept_n > 0)
		log_warnx("store: %d row%s never written; each is in the "
		    "journal above as \"row kept\"", g->kept_n,
		    g->kept_n == 1 ? "" : "s");
	g->kept_n = 0;
}

int
gate_event_commit(struct gate *g, struct event *ev)
{
	if (gate_event_commit_step(g, ev, -1) == 0)
		return 0;
	gate_event_keep(g, ev);
	return -1;
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
	/* The store logged why; the row itself is journalled by
	 * gate_event_keep(), whatever the caller makes of it. */
	gate_store_result(g, false);
	return -1;
}

int
gate_passage_commit(struct gate *g, int64_t seq, enum passage p)
{
	struct gate_kept *k;
	bool kept;
	int r;

	/* A row still kept in memory takes its passage there. */
	if (seq < 0) {
		if ((k = gate_kept_find(g, seq)) == NULL)
			return -1;
		k->ev.passage = p;
		return 0;
	}
	r = store_event_set_passage(g->store, seq, p);
	gate_store_result(g, r == 0);
	if (r == -1) {
		kept = g->kept_n < GATE_KEPT_MAX;
		if (kept) {
			k = &g->kept[(g->kept_first + g->kept_n++) %
			    GATE_KEPT_MAX];
			memset(&k->ev, 0, sizeof(k->ev));
			k->ev.seq = seq;
			k->ev.passage = p;
			k->passage_only = true;
		}
		log_warnx("store: passage %s of event %lld %s",
		    passage_name(p), (long long)seq, kept ?
		    "kept until the database takes it" : "only in this line");
	}
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

	/* 0: no row; below 0: a row kept in memory (gate_event_keep). */
	if (seq == 0)
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
	if (reason == REASON_FIRE_ALARM_ON || reason == REASON_FIRE_ALARM_OFF) {
		gate_screen_lane(g);
		gate_sound_lane(g);
	}
}

/*
 * A way opened without a code (exit button, operator): logged first, like
 * any grant, then released.  When the row cannot be written an exit opens
 * all the same, its row kept (gate_event_keep): nobody is held in by the
 * log.  An entry is not an escape route: without its row it stays locked,
 * as a scan's grant does, and that refusal is the row kept.  Returns 0,
 * or -1 with errno EBUSY (way disabled or already released), EIO (an
 * entry refused for the log) or ENODEV (the relay could not be driven).
 */
int
gate_open_unscanned(struct gate *g, enum direction dir, enum event_type type,
    enum reason reason)
{
	struct event ev;

	if (!lane_way_enabled(&g->lane, dir) || lane_way_busy(&g->lane, dir)) {
		errno = EBUSY;
		return -1;
	}
	gate_event_init(g, &ev, type, dir);
	ev.result = RES_GRANTED;
	ev.reason = reason;
	ev.passage = PASSAGE_PENDING;
	if (gate_event_commit_step(g, &ev, -1) == -1) {
		if (dir != DIR_EXIT) {
			ev.result = RES_DENIED;
			ev.reason = REASON_STORE_ERROR;
			ev.passage = PASSAGE_NONE;
			gate_event_keep(g, &ev);
			log_warnx("DENIED %s %s: %s", direction_name(dir),
			    reason_name(reason), reason_name(ev.reason));
			errno = EIO;
			return -1;
		}
		gate_event_keep(g, &ev);
	}
	g->n.grants++;
	log_info("GRANTED %s %s [seq %lld]", direction_name(dir), reason_name(reason),
	    (long long)ev.seq);
	if (lane_release(&g->lane, dir, ev.seq) == -1) {
		gate_passage_commit(g, ev.seq, PASSAGE_NOT_PASSED);
		errno = ENODEV;
		return -1;
	}
	return 0;
}

void
gate_on_button(void *arg)
{
	struct gate *g = arg;

	/* ENODEV: the GPIO backend logged the relay's failure. */
	if (gate_open_unscanned(g, DIR_EXIT, EV_BUTTON, REASON_EXIT_BUTTON) ==
	    -1 && errno == EBUSY)
		log_info("exit button: exit way not enabled or busy");
}
