/*
 * Bits into pulses: one pulse a bit, on the line the bit names.
 */
#include "wiegand.h"
#include "wiegand_plan.h"

void
wiegand_plan_conf_default(struct wiegand_plan_conf *conf)
{
	conf->pulse_ns = WIEGAND_PULSE_NS_DEFAULT;
	conf->interval_ns = WIEGAND_INTERVAL_NS_DEFAULT;
}

int
wiegand_plan(const uint8_t *bits, unsigned nbits,
    const struct wiegand_plan_conf *conf, struct wiegand_pulse *out,
    size_t outlen)
{
	if (nbits == 0 || nbits > WIEGAND_MAX_BITS || outlen < nbits ||
	    conf->pulse_ns <= 0 || conf->pulse_ns >= conf->interval_ns ||
	    conf->interval_ns > WIEGAND_INTERVAL_NS_MAX)
		return -1;
	for (unsigned i = 0; i < nbits; i++) {
		out[i].line = wiegand_bit(bits, i);
		out[i].start_ns = (int64_t)i * conf->interval_ns;
	}
	return (int)nbits;
}

int64_t
wiegand_plan_duration(unsigned nbits, const struct wiegand_plan_conf *conf)
{
	if (nbits == 0)
		return 0;
	return (int64_t)(nbits - 1) * conf->interval_ns + conf->pulse_ns;
}
