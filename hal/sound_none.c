/*
 * No sound: the lane has the buzzer only.  Every clip is taken and
 * dropped, so the daemon's path is the same with or without a speaker.
 */
#include <stddef.h>

#include "sound.h"

static int none_priv;

static void *
none_sound_open(const struct sound_config *cfg)
{
	(void)cfg;
	return &none_priv;
}

static int
none_sound_play(void *priv, const struct sound_clip *clip,
    bool (*cut)(void *arg), void *arg)
{
	(void)priv;
	(void)clip;
	(void)cut;
	(void)arg;
	return 0;
}

static void
none_sound_close(void *priv)
{
	(void)priv;
}

const struct sound_ops sound_none_ops = {
	.name = "none",
	.open = none_sound_open,
	.play = none_sound_play,
	.close = none_sound_close,
};
