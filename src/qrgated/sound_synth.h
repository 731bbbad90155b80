/*
 * The lane's prompts spoken by espeak-ng (Debian's libespeak-ng, its
 * voices in espeak-ng-data): text in, 16-bit mono PCM out at espeak's
 * rate (22050 Hz).  Used once per language and volume, to fill the
 * gate's cache of clips before any decision needs one; never at
 * decision time.
 *
 * espeak-ng is one synthesiser per process, with global state: only one
 * thread may hold it between sound_synth_open() and sound_synth_close()
 * (the gate's sound thread does; a reload joins the old thread before
 * the new one starts).  It is started once and kept (sound_synth.c says
 * why).
 */
#ifndef QRGATE_SOUND_SYNTH_H
#define QRGATE_SOUND_SYNTH_H

#include <stddef.h>
#include <stdint.h>

struct sound_pcm {
	int16_t *samples;	/* malloc'd, the caller frees */
	size_t frames;
	int rate;
};

/*
 * Starts the synthesiser with the voice called voice ("vi", "en").
 * Returns 0, or -1 with the reason logged.
 */
int sound_synth_open(const char *voice);

/*
 * Speaks text (UTF-8) into out, its samples scaled to volume percent
 * (0 .. 100).  Returns 0, or -1 with the reason logged.
 */
int sound_synth_say(const char *text, int volume, struct sound_pcm *out);

/* Scales pcm's samples to volume percent (0 .. 100), toward zero. */
void sound_synth_scale(struct sound_pcm *pcm, int volume);

void sound_synth_close(void);

#endif
