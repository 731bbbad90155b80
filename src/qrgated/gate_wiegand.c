/*
 * A Wiegand card reader on two GPIO inputs: its pulses, with the kernel's
 * timestamps, gathered into frames (wiegand_frame.h), each frame a card
 * (wiegand.h), a keypad's key, or noise.  A card is decided as a code is
 * (gate_scan_code(), source "wiegand"); a frame of a card's length that
 * does not decode is a malformed card's denial; noise (a short or long
 * burst, both lines at once) is counted and logged, never a presentation.
 *
 * Card and PIN: a card whose credential has a PIN waits up to
 * policy.pin_window_s for it on the reader's keypad; # ends the PIN, or
 * the window does, taking what was typed; then the card is decided with
 * it.  Keys with no card waiting are dropped.  The digits are never
 * logged, and wiped once checked.
 *
 * The pulses come through the GPIO backend with the lane's other inputs.
 * The kernel orders the events of one line request; a backend that reads
 * the two lines apart (libgpiod 1's fd per line) may hand over a batch
 * out of order, so each batch is sorted by timestamp before the
 * assembler sees it, and only a real reordering is noise.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "gate.h"
#include "gate_private.h"
#include "log.h"
#include "mask.h"
#include "store.h"
#include "util.h"
#include "wiegand_keypad.h"

/* Decides card, with pin if one was typed (NULL if not). */
static void
gate_wiegand_decide(struct gate *g, const struct wiegand_card *card,
    const char *pin, int64_t ts_ns)
{
	char text[WIEGAND_TEXT_MAX];
	struct gate_code c = {
		.card = card, .pin = pin, .ts_ns = ts_ns,
		.direction = g->cfg.wiegand.direction, .source = "wiegand",
	};

	if (wiegand_card_print(card, text, sizeof(text)) < 0)
		text[0] = '\0';
	/* The text for the hold-off and the row's fingerprint. */
	c.data = (const uint8_t *)text;
	c.len = strlen(text);
	gate_scan_code(g, &c);
}

/* A frame of a card's length that is no card: a malformed card. */
static void
gate_wiegand_misread(struct gate *g, const struct wiegand_frame *f)
{
	struct gate_code c = {
		.misread = true, .data = f->bits,
		.len = (f->nbits + 7) / 8, .ts_ns = f->last_ns,
		.direction = g->cfg.wiegand.direction, .source = "wiegand",
	};

	gate_scan_code(g, &c);
}

/* The card waiting for its PIN, decided with what was typed. */
static void
gate_wiegand_pin_done(struct gate *g, int64_t ts_ns)
{
	char pin[WIEGAND_PIN_MAX + 1];
	int n;

	loop_timer_cancel(g->loop, &g->wg_pin_timer);
	if (!g->wg_waiting)
		return;
	g->wg_waiting = false;
	n = wiegand_pin_take(&g->wg_pin, pin, sizeof(pin));
	gate_wiegand_decide(g, &g->wg_card, n > 0 ? pin : NULL, ts_ns);
	sodium_memzero(pin, sizeof(pin));
}

static void
gate_wiegand_pin_timer(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, wg_pin_timer);

	(void)l;
	gate_wiegand_pin_done(g, clock_mono_ns());
}

/* A card: decided now, or, if its credential has a PIN, once typed. */
static void
gate_wiegand_card(struct gate *g, const struct wiegand_card *card,
    int64_t ts_ns)
{
	struct credential cred;
	char text[WIEGAND_TEXT_MAX], shown[WIEGAND_TEXT_MAX];

	/* A second card ends the wait of the first, without its PIN. */
	if (g->wg_waiting)
		gate_wiegand_pin_done(g, ts_ns);
	if (wiegand_card_print(card, text, sizeof(text)) > 0 &&
	    g->cfg.policy.card != ACCEPT_NO &&
	    store_credential_find(g->store, CRED_CARD, text, &cred) == 1 &&
	    cred.pin_hash[0] != '\0') {
		g->wg_waiting = true;
		g->wg_card = *card;
		wiegand_pin_init(&g->wg_pin,
		    (int64_t)g->cfg.policy.pin_window_s * 1000000000);
		loop_timer_set(g->loop, &g->wg_pin_timer,
		    (int64_t)g->cfg.policy.pin_window_s * 1000);
		/* Masked as the decision's line will show it. */
		mask_subject(g->cfg.store.mask, text, shown, sizeof(shown));
		log_info("wiegand: card %s: its PIN within %d s", shown,
		    g->cfg.policy.pin_window_s);
		sodium_memzero(&cred, sizeof(cred));
		return;
	}
	gate_wiegand_decide(g, card, NULL, ts_ns);
}

static void
gate_wiegand_key(struct gate *g, int key, int64_t ts_ns)
{
	if (!g->wg_waiting) {
		log_info("wiegand: a key with no card waiting for a PIN: "
		    "ignored");
		return;
	}
	if (wiegand_pin_key(&g->wg_pin, key, ts_ns) == WIEGAND_PIN_READY)
		gate_wiegand_pin_done(g, ts_ns);
}

static int
gate_wiegand_cmp(const void *a, const void *b)
{
	const struct gpio_event *x = a, *y = b;

	return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

static void
gate_wiegand_noise(struct gate *g, const struct wiegand_frame *f,
    const char *why)
{
	g->n.wiegand_noise++;
	log_warnx("wiegand: noise, not a card: %u edges (%s)", f->edges, why);
}

/* One frame the assembler closed: a card, a key or noise. */
static void
gate_wiegand_frame(struct gate *g, const struct wiegand_frame *f)
{
	struct wiegand_card card;
	enum wiegand_status st;
	int bad_bit = -1, key;

	if (f->flags != 0) {
		gate_wiegand_noise(g, f,
		    f->flags & WIEGAND_FRAME_SHORT ? "a short burst" :
		    f->flags & WIEGAND_FRAME_LONG ? "a long burst" :
		    f->flags & WIEGAND_FRAME_BOTH ? "both lines at once" :
		    f->flags & WIEGAND_FRAME_FAST ? "pulses too close" :
		    "out of order");
		return;
	}
	/* 4 and 8 bits: a keypad's key.  Its digit is never logged: it
	 * may be part of a PIN. */
	if (f->nbits == 4 || f->nbits == 8) {
		if ((key = wiegand_key_decode(f->bits, f->nbits)) < 0)
			gate_wiegand_noise(g, f, "a key that fails its check");
		else
			gate_wiegand_key(g, key, f->last_ns);
		return;
	}
	st = wiegand_decode(f->bits, f->nbits, &g->wg_decode, &card,
	    &bad_bit);
	if (st != WIEGAND_OK) {
		/* A card was shown but misread: a denial the guard sees,
		 * as a code no parser knows. */
		if (st == WIEGAND_EPARITY)
			log_warnx("wiegand: %u bits: parity bit %d does not "
			    "match", f->nbits, bad_bit);
		else
			log_warnx("wiegand: %u bits: %s", f->nbits,
			    wiegand_strerror(st));
		gate_wiegand_misread(g, f);
		return;
	}
	gate_wiegand_card(g, &card, f->last_ns);
}

static void
gate_wiegand_set_timer(struct gate *g)
{
	int64_t at = wiegand_asm_deadline(&g->wg_asm), ms;

	if (at < 0) {
		loop_timer_cancel(g->loop, &g->wg_timer);
		return;
	}
	ms = (at - clock_mono_ns() + 999999) / 1000000;
	loop_timer_set(g->loop, &g->wg_timer, ms > 0 ? ms : 0);
}

static void
gate_wiegand_timer(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, wg_timer);
	struct wiegand_frame f;

	(void)l;
	if (wiegand_asm_expire(&g->wg_asm, clock_mono_ns(), &f) == 1)
		gate_wiegand_frame(g, &f);
	gate_wiegand_set_timer(g);
}

/*
 * The longest a card takes to come in: 37 bits at the 20 ms between
 * pulses the interface allows is 740 ms.  A frame open longer is noise
 * (a bad cable, someone toggling the wires), and must not keep the
 * camera from deciding for as long as it lasts.
 */
#define GATE_WIEGAND_ARRIVING_NS	INT64_C(1000000000)

bool
gate_wiegand_arriving(const struct gate *g)
{
	int64_t t0 = wiegand_asm_started(&g->wg_asm);

	return t0 >= 0 && clock_mono_ns() - t0 < GATE_WIEGAND_ARRIVING_NS;
}

void
gate_wiegand_edges(struct gate *g, struct gpio_event *ev, int n)
{
	struct wiegand_frame f;

	qsort(ev, (size_t)n, sizeof(*ev), gate_wiegand_cmp);
	for (int i = 0; i < n; i++) {
		/* Active is the pulse: its start is the falling edge. */
		if (ev[i].value == 0)
			continue;
		if (wiegand_asm_edge(&g->wg_asm, ev[i].role == GPIO_WIEGAND_D1,
		    ev[i].ts_ns, &f) == 1)
			gate_wiegand_frame(g, &f);
	}
	gate_wiegand_set_timer(g);
}

int
gate_wiegand_configure(struct gate *g, const struct config *cfg)
{
	struct wiegand_frame_conf fc;

	g->wg_timer.cb = gate_wiegand_timer;
	g->wg_pin_timer.cb = gate_wiegand_pin_timer;
	loop_timer_cancel(g->loop, &g->wg_timer);
	/* A card waiting for its PIN under the old rules is decided now. */
	if (g->wg_waiting)
		gate_wiegand_pin_done(g, clock_mono_ns());
	wiegand_decode_conf_default(&g->wg_decode);
	/* The loader checked it. */
	if (wiegand_format_list_parse(cfg->wiegand.formats, &g->wg_decode) == -1)
		return -1;
	g->wg_decode.raw_min = (unsigned)cfg->wiegand.raw_min_bits;
	g->wg_decode.raw_max = (unsigned)cfg->wiegand.raw_max_bits;
	g->wg_out.conf.pulse_ns = (int64_t)cfg->wiegand.out_pulse_us * 1000;
	g->wg_out.conf.interval_ns = (int64_t)cfg->wiegand.out_interval_us *
	    1000;
	wiegand_frame_conf_default(&fc);
	fc.gap_ns = (int64_t)cfg->wiegand.gap_ms * 1000000;
	/* A frame half gathered under the old rules is dropped. */
	return wiegand_asm_init(&g->wg_asm, &fc);
}

/*
 * The card a credential is sent on as: its send_as, else a card's own;
 * in wiegand.out_format unless that is "card".  0, or -1 if it has none
 * or it does not fit the format (logged).
 */
static int
gate_wiegand_out_card(const struct config *cfg, const struct credential *cred,
    struct wiegand_card *out)
{
	const char *text = cred->send_as[0] != '\0' ? cred->send_as :
	    cred->kind == CRED_CARD ? cred->subject : NULL;
	struct wiegand_card c;
	int f;

	if (text == NULL || wiegand_card_parse(text, &c) != WIEGAND_OK)
		return -1;
	if (strcmp(cfg->wiegand.out_format, "card") == 0) {
		*out = c;
		return 0;
	}
	f = wiegand_format_by_name(cfg->wiegand.out_format);
	memset(out, 0, sizeof(*out));
	out->format = (enum wiegand_format)f;
	out->number = c.number;
	out->facility = wiegand_format_get(c.format)->fac_len > 0 ?
	    c.facility : (uint32_t)cfg->wiegand.out_facility;
	if (f < 0 || wiegand_encode(out) != WIEGAND_OK) {
		log_warnx("wiegand out: %s: credential %s's card does not fit",
		    cfg->wiegand.out_format, cred->id);
		return -1;
	}
	return 0;
}

void
gate_wiegand_send_on(struct gate *g, const struct credential *cred,
    bool granted)
{
	struct wiegand_card c;

	if (cred == NULL || g->cfg.wiegand.out == WIEGAND_OUT_OFF ||
	    (g->cfg.wiegand.out == WIEGAND_OUT_GRANT && !granted))
		return;
	if (gate_wiegand_out_card(&g->cfg, cred, &c) == 0)
		wiegand_out_send(&g->wg_out, &c);
}
