/*
 * The hold-off keeps a 16-byte BLAKE2b digest of each code seen recently,
 * not the code itself: the slots stay small and fixed whatever the payload
 * size, and no personal data (a CCCD carries name and address) lingers in
 * memory longer than the decision needs.
 */
#include <string.h>

#include <sodium.h>

#include "holdoff.h"
#include "log.h"

void
holdoff_init(struct holdoff *h, int window_ms)
{
	/*
	 * libsodium wants sodium_init() before use; it is idempotent and
	 * cheap after the first call.  Should it fail, crypto_generichash()
	 * still works with its portable implementation.
	 */
	if (sodium_init() < 0)
		log_debug("holdoff: sodium_init failed, hashing portably");
	memset(h, 0, sizeof(*h));
	holdoff_window_set(h, window_ms);
}

void
holdoff_window_set(struct holdoff *h, int window_ms)
{
	h->window_ns = window_ms > 0 ? (int64_t)window_ms * 1000000 : 0;
}

bool
holdoff_admit(struct holdoff *h, const uint8_t *data, size_t len, int64_t now_ns)
{
	uint8_t digest[16];
	int i, oldest = 0;
	bool admit;

	if (h->window_ns == 0)
		return true;

	/*
	 * Zero marks a free slot, so a clock reading of 0 is stored as 1; a
	 * nanosecond does not matter against a window of milliseconds.
	 */
	if (now_ns == 0)
		now_ns = 1;
	crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);

	for (i = 0; i < HOLDOFF_SLOTS; i++) {
		if (h->slot[i].last_ns != 0 &&
		    memcmp(h->slot[i].digest, digest, sizeof(digest)) == 0)
			break;
	}
	if (i < HOLDOFF_SLOTS) {
		/*
		 * Held in view if seen within the window.  A clock that went
		 * backwards (now before the last sighting) counts as within.
		 */
		admit = now_ns - h->slot[i].last_ns >= h->window_ns;
		h->slot[i].last_ns = now_ns;
		if (admit)
			h->slot[i].granted = false;
		return admit;
	}

	/* A new code takes a free slot, else the least recently seen one. */
	for (i = 0; i < HOLDOFF_SLOTS; i++) {
		if (h->slot[i].last_ns == 0) {
			oldest = i;
			break;
		}
		if (h->slot[i].last_ns < h->slot[oldest].last_ns)
			oldest = i;
	}
	memcpy(h->slot[oldest].digest, digest, sizeof(digest));
	h->slot[oldest].last_ns = now_ns;
	h->slot[oldest].granted = false;
	return true;
}

void
holdoff_granted(struct holdoff *h, const uint8_t *data, size_t len)
{
	uint8_t digest[16];

	crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);
	for (int i = 0; i < HOLDOFF_SLOTS; i++) {
		if (h->slot[i].last_ns != 0 &&
		    memcmp(h->slot[i].digest, digest, sizeof(digest)) == 0)
			h->slot[i].granted = true;
	}
}

void
holdoff_forget_denied(struct holdoff *h)
{
	for (int i = 0; i < HOLDOFF_SLOTS; i++) {
		if (!h->slot[i].granted)
			h->slot[i].last_ns = 0;
	}
}
