/*
 * qrgatectl prompt [NAME...] [--bench]: the lane's spoken prompts, by
 * the name the daemon logs and writes its WAVs under ("way-entry",
 * "reason-expired"), with their words in screen.language: every prompt,
 * or those named.  --bench synthesises each once with espeak-ng, as the
 * daemon's sound thread does at start, and prints the time a prompt
 * takes and the length of its sound: the figure that says how soon
 * after a start or a reload the gate can speak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctl.h"
#include "sound_msg.h"
#include "sound_synth.h"

/* The prompt called name, or -1. */
static int
ctl_prompt_find(const char *name)
{
	char buf[64];

	for (int id = 0; id < SOUND_PROMPT_COUNT; id++)
		if (strcmp(sound_prompt_name(id, buf, sizeof(buf)), name) == 0)
			return id;
	return -1;
}

#ifdef CONFIG_SOUND
static int
ctl_prompt_bench(const struct ctl *c, const int *ids, int n)
{
	enum screen_lang lang = c->cfg.screen.language;
	int64_t t0 = clock_mono_ns(), total = 0;
	char buf[64];

	if (sound_synth_open(screen_lang_name(lang)) == -1)
		return 1;
	printf("espeak-ng started, voice %s: %.1f ms\n", screen_lang_name(lang),
	    (clock_mono_ns() - t0) / 1e6);
	for (int i = 0; i < n; i++) {
		struct sound_pcm p;
		int64_t t;

		t0 = clock_mono_ns();
		if (sound_synth_say(sound_prompt_text(ids[i], lang),
		    c->cfg.sound.volume, &p) == -1) {
			sound_synth_close();
			return 1;
		}
		t = clock_mono_ns() - t0;
		total += t;
		printf("%-28s %6.2f ms  %5zu ms of sound  %s\n",
		    sound_prompt_name(ids[i], buf, sizeof(buf)), t / 1e6,
		    p.frames * 1000 / (size_t)p.rate,
		    sound_prompt_text(ids[i], lang));
		free(p.samples);
	}
	sound_synth_close();
	printf("%d prompts in %.1f ms, %.2f ms a prompt\n", n, total / 1e6,
	    total / 1e6 / n);
	return 0;
}
#endif

int
ctl_prompt(struct ctl *c, int argc, char **argv)
{
	int ids[SOUND_PROMPT_COUNT], n = 0;
	bool bench = false;
	char buf[64];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bench") == 0) {
			bench = true;
			continue;
		}
		if (argv[i][0] == '-' || (ids[n] = ctl_prompt_find(argv[i])) == -1) {
			fprintf(stderr, "usage: qrgatectl prompt [NAME...] "
			    "[--bench]: no prompt '%s' (qrgatectl prompt "
			    "lists them)\n", argv[i]);
			return 2;
		}
		if (++n == SOUND_PROMPT_COUNT)
			break;
	}
	if (n == 0)
		for (; n < SOUND_PROMPT_COUNT; n++)
			ids[n] = n;
	if (bench) {
#ifdef CONFIG_SOUND
		return ctl_prompt_bench(c, ids, n);
#else
		fprintf(stderr, "qrgatectl: this build has no sound (espeak-ng "
		    "and alsa were not found when it was built)\n");
		return 1;
#endif
	}
	for (int i = 0; i < n; i++)
		printf("%-28s %s\n", sound_prompt_name(ids[i], buf, sizeof(buf)),
		    sound_prompt_text(ids[i], c->cfg.screen.language));
	return 0;
}
