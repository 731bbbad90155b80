/*
 * One decision per code held in view.  A code seen again within the window
 * of its previous sighting is suppressed; every sighting restarts its
 * window, so a badge held up for a minute yields one decision, and the same
 * badge shown again after the window yields a new one.
 */
#ifndef QRGATE_HOLDOFF_H
#define QRGATE_HOLDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOLDOFF_SLOTS 32

struct holdoff {
	int64_t window_ns;
	struct {
		uint8_t digest[16];
		int64_t last_ns;	/* 0: slot free */
		bool granted;		/* its decision let it through */
	} slot[HOLDOFF_SLOTS];
};

void holdoff_init(struct holdoff *h, int window_ms);

/*
 * Takes a new window (a config reload) and keeps every code in view: a
 * reload must not turn a badge held up into a second decision.
 */
void holdoff_window_set(struct holdoff *h, int window_ms);

/*
 * Records a sighting of the code at now_ns.  Returns true when the code
 * should be decided, false when it is still being held in view.
 */
bool holdoff_admit(struct holdoff *h, const uint8_t *data, size_t len, int64_t now_ns);

/* Records that the code just admitted was granted. */
void holdoff_granted(struct holdoff *h, const uint8_t *data, size_t len);

/*
 * Forgets every code in view that was not granted, so that its next
 * sighting is decided again: a credential added while a denied code is
 * held up must not wait for the code to leave the view.  A granted one
 * stays held, or it would open the way twice.
 */
void holdoff_forget_denied(struct holdoff *h);

#endif
