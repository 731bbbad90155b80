/*
 * A scanner's bytes and keys into codes (hal/reader_frame.c,
 * hal/reader_wedge.c), against a model written here.  The first byte
 * picks the bound (1..64 bytes) and the mode:
 *	0  bytes, CR and LF ending a code (tty line framing)
 *	1  bytes, silence alone ending a code (tty idle framing)
 *	2  key events (a keyboard-wedge scanner)
 * then pairs: a byte (mode 2: a key code, value from its top bit) and the
 * milliseconds since the one before (0..15, the gap being 10).  Every
 * code handed out must be the model's: its first `bound` bytes, too_long
 * exactly when more came, ended exactly when a terminator or a pause
 * ends it; nothing is written past the bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader_frame.h"
#include "reader_wedge.h"
#include "fuzz.h"

#define GAP_MS	10
#define MS	INT64_C(1000000)

struct model {
	uint8_t buf[64];
	size_t max, seen;	/* bytes of the open code, kept or not */
	int64_t last_ns;
};

static void
model_add(struct model *m, uint8_t b, int64_t t)
{
	if (m->seen < m->max)
		m->buf[m->seen] = b;
	m->seen++;
	m->last_ns = t;
}

/* The code just ended must be the model's open one; it then closes. */
static void
model_check(struct model *m, const struct reader_frame *f)
{
	struct reader_presentation p;
	size_t want = m->seen < m->max ? m->seen : m->max;

	reader_frame_take(f, &p);
	if (m->seen == 0 || p.kind != READER_CODE || p.len != want ||
	    memcmp(p.data, m->buf, want) != 0 ||
	    p.too_long != (m->seen > m->max) || p.ts_ns != m->last_ns)
		abort();
	m->seen = 0;
}

static bool
model_paused(const struct model *m, int64_t t)
{
	return m->seen > 0 && t - m->last_ns >= GAP_MS * MS;
}

static void
fuzz_bytes(const uint8_t *d, size_t n, size_t max, bool line)
{
	static struct reader_frame f;
	struct model m = { .max = max };
	int64_t t = 1000 * MS;

	reader_frame_init(&f, max, GAP_MS);
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint8_t b = d[i];

		t += (d[i + 1] & 0x0f) * MS;
		if (line && (b == '\r' || b == '\n')) {
			if (reader_frame_end(&f))
				model_check(&m, &f);
			else if (m.seen != 0)
				abort();
			continue;
		}
		if (reader_frame_add(&f, b, t)) {
			if (!model_paused(&m, t))
				abort();
			model_check(&m, &f);
			if (reader_frame_add(&f, b, t))
				abort();
		} else if (model_paused(&m, t))
			abort();
		model_add(&m, b, t);
		if (reader_frame_deadline(&f) != t + GAP_MS * MS)
			abort();
	}
	if (reader_frame_expire(&f, m.last_ns + GAP_MS * MS - 1))
		abort();
	if (reader_frame_expire(&f, m.last_ns + GAP_MS * MS))
		model_check(&m, &f);
	else if (m.seen != 0)
		abort();
	if (reader_frame_deadline(&f) != 0)
		abort();
}

static void
fuzz_keys(const uint8_t *d, size_t n, size_t max)
{
	static struct reader_wedge w;
	struct reader_presentation p;
	int64_t t = 1000 * MS;

	reader_wedge_init(&w, max, GAP_MS);
	for (size_t i = 0; i + 1 < n; i += 2) {
		int value = d[i + 1] >> 6;	/* 0, 1, 2, or 3 (not a key's) */
		int r;

		t += (d[i + 1] & 0x0f) * MS;
		r = reader_wedge_key(&w, d[i], value, t);
		if (r == READER_WEDGE_PAUSED)
			r = reader_wedge_key(&w, d[i], value, t);
		if (r == READER_WEDGE_PAUSED)
			abort();
		if (r == READER_WEDGE_ENDED) {
			reader_frame_take(&w.fr, &p);
			if (p.len == 0 || p.len > max ||
			    (p.too_long && p.len != max))
				abort();
			/* Only what the keymap types. */
			for (size_t k = 0; k < p.len; k++)
				if (p.data[k] < ' ' && p.data[k] != '\t')
					abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t max;

	if (len < 1)
		return 0;
	max = 1 + (data[0] & 0x3f);
	switch ((data[0] >> 6) % 3) {
	case 0:
		fuzz_bytes(data + 1, len - 1, max, true);
		break;
	case 1:
		fuzz_bytes(data + 1, len - 1, max, false);
		break;
	default:
		fuzz_keys(data + 1, len - 1, max);
		break;
	}
	return 0;
}
