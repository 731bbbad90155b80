/*
 * Steps granted at the site's other gates (inbound.h): what makes one
 * dynamic token good for one passage at one site, not at each gate.  The
 * message is not signed, so it is read as what it is, a claim from a
 * peer that can only make this gate stricter: it is recorded only for a
 * dynamic credential this gate holds, only as max(recorded, received),
 * and only when it is a step this gate would itself accept now.  A step
 * further ahead would let anyone who can write to the broker lock a
 * worker out for as long as they liked; an older one is worth nothing,
 * as the token it belongs to has expired.
 */
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "token.h"

int
inbound_step_parse(const uint8_t *payload, size_t len,
    struct inbound_step *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc, *id, *step;
	const char *s;
	size_t n;
	json_int_t v;
	int ret = -1;

	if (len > INBOUND_STEP_MAX) {
		snprintf(err, errlen, "%zu bytes: at most %d", len,
		    INBOUND_STEP_MAX);
		return -1;
	}
	doc = json_loadb((const char *)payload, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	id = json_object_get(doc, "credential_id");
	step = json_object_get(doc, "step");
	if (json_object_size(doc) != 2 || !json_is_string(id) ||
	    !json_is_integer(step)) {
		snprintf(err, errlen, "not exactly a credential_id string "
		    "and a step integer");
		goto out;
	}
	s = json_string_value(id);
	n = json_string_length(id);
	/* jansson takes "\u0000" inside a string: the length says so. */
	if (n == 0 || n >= sizeof(out->credential_id) || strlen(s) != n) {
		snprintf(err, errlen, "a credential_id of %zu bytes", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(err, errlen, "a control character in the "
			    "credential_id");
			goto out;
		}
	v = json_integer_value(step);
	if (v < 0 || v > (json_int_t)UINT32_MAX) {
		snprintf(err, errlen, "step %lld out of range", (long long)v);
		goto out;
	}
	memcpy(out->credential_id, s, n + 1);
	out->step = (uint32_t)v;
	ret = 0;
out:
	json_decref(doc);
	return ret;
}

enum inbound_step_result
inbound_step(struct gate *g, const char *from, const uint8_t *payload,
    size_t len, bool retained)
{
	struct inbound_step st;
	char err[128];
	int64_t now;
	int r;

	/* A gate never retains a step: a retained one is somebody else's,
	 * and the broker would hand it to every gate at every reconnect. */
	if (retained) {
		log_warnx("mqtt: a retained step from %.63s: refused", from);
		return INBOUND_STEP_REFUSED;
	}
	if (inbound_step_parse(payload, len, &st, err, sizeof(err)) == -1) {
		log_warnx("mqtt: a step from %.63s: %s: refused", from, err);
		return INBOUND_STEP_REFUSED;
	}
	now = token_step_of(gate_clock_now(g) / 1000, g->cfg.policy.token_step_s);
	if ((int64_t)st.step > now + 1) {
		log_warnx("mqtt: step %lu of %s from %.63s is ahead of this "
		    "gate's clock (step %lld): refused",
		    (unsigned long)st.step, st.credential_id, from,
		    (long long)now);
		return INBOUND_STEP_REFUSED;
	}
	if ((int64_t)st.step < now - 1) {
		log_debug("mqtt: step %lu of %s from %.63s has expired",
		    (unsigned long)st.step, st.credential_id, from);
		return INBOUND_STEP_IGNORED;
	}
	if ((r = store_token_step_raise(g->store, st.credential_id,
	    st.step)) == -1)
		return INBOUND_STEP_REFUSED;
	if (r == 0) {
		log_debug("mqtt: step of %s from %.63s: no such dynamic "
		    "credential here", st.credential_id, from);
		return INBOUND_STEP_IGNORED;
	}
	log_debug("mqtt: step %lu of %s taken from %.63s",
	    (unsigned long)st.step, st.credential_id, from);
	return INBOUND_STEP_RAISED;
}
