/*
 * espeak-ng in synchronous mode: espeak_Synth() returns once the text is
 * spoken, having handed every piece of sound to the callback, which
 * appends it to the clip being made.  No audio device is opened by
 * espeak itself (the gate's sound backends play the clips).
 *
 * espeak-ng is initialised once per process and never terminated: on
 * Debian 12's 1.51, espeak_ng_Terminate() after a second
 * espeak_ng_Initialize() waits for ever on its own internal thread
 * (test_sound_synth hung there), and a reload of [sound] must not hang
 * the gate.  A new language is a new voice on the same synthesiser; its
 * few hundred kilobytes of tables stay for the daemon's life.
 *
 * Why scale the samples here rather than at play: a clip is made once
 * and played many times, and the file backend's WAV then holds what a
 * speaker would have played.  espeak's own volume parameter would change
 * its dynamics too; scaling keeps the voice and only lowers it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "log.h"
#include "sound_synth.h"

/* The clip being made, under the one thread that holds espeak. */
static bool synth_started;
static struct sound_pcm *synth_out;
static size_t synth_cap;
static int synth_failed;

static int
sound_synth_take(short *wav, int n, espeak_EVENT *ev)
{
	(void)ev;
	if (wav == NULL || n <= 0 || synth_out == NULL)
		return 0;
	if (synth_out->frames + (size_t)n > synth_cap) {
		size_t cap = synth_cap == 0 ? 16384 : synth_cap;
		int16_t *p;

		while (cap < synth_out->frames + (size_t)n)
			cap *= 2;
		if ((p = realloc(synth_out->samples, cap * sizeof(*p))) == NULL) {
			synth_failed = 1;
			return 1;	/* stops the synthesis */
		}
		synth_out->samples = p;
		synth_cap = cap;
	}
	memcpy(synth_out->samples + synth_out->frames, wav,
	    (size_t)n * sizeof(*wav));
	synth_out->frames += (size_t)n;
	return 0;
}

static void
sound_synth_error(const char *what, espeak_ng_STATUS st,
    espeak_ng_ERROR_CONTEXT ctx)
{
	char msg[256];

	espeak_ng_GetStatusCodeMessage(st, msg, sizeof(msg));
	log_warnx("sound: espeak-ng: %s: %s", what, msg);
	if (ctx != NULL)
		espeak_ng_ClearErrorContext(&ctx);
}

int
sound_synth_open(const char *voice)
{
	espeak_ng_ERROR_CONTEXT ctx = NULL;
	espeak_ng_STATUS st;

	if (!synth_started) {
		/* NULL: the data Debian's espeak-ng-data installs. */
		espeak_ng_InitializePath(NULL);
		if ((st = espeak_ng_Initialize(&ctx)) != ENS_OK) {
			sound_synth_error("no voice data (espeak-ng-data)", st,
			    ctx);
			return -1;
		}
		if ((st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS,
		    0, NULL)) != ENS_OK) {
			sound_synth_error("output", st, NULL);
			return -1;
		}
		espeak_SetSynthCallback(sound_synth_take);
		synth_started = true;
	}
	if ((st = espeak_ng_SetVoiceByName(voice)) != ENS_OK) {
		sound_synth_error(voice, st, NULL);
		return -1;
	}
	return 0;
}

int
sound_synth_say(const char *text, int volume, struct sound_pcm *out)
{
	espeak_ERROR e;

	memset(out, 0, sizeof(*out));
	synth_out = out;
	synth_cap = 0;
	synth_failed = 0;
	e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
	    espeakCHARS_UTF8, NULL, NULL);
	synth_out = NULL;
	if (e != EE_OK || synth_failed || out->frames == 0) {
		log_warnx("sound: espeak-ng could not say \"%s\"%s", text,
		    synth_failed ? ": out of memory" : "");
		free(out->samples);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->rate = espeak_ng_GetSampleRate();
	sound_synth_scale(out, volume);
	return 0;
}

void
sound_synth_scale(struct sound_pcm *pcm, int volume)
{
	if (volume >= 100)
		return;
	for (size_t i = 0; i < pcm->frames; i++)
		pcm->samples[i] = (int16_t)(pcm->samples[i] * volume / 100);
}

void
sound_synth_close(void)
{
	/* Kept started: see the top of this file. */
}
