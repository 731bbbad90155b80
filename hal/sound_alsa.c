/*
 * The ALSA sound: clips played on a PCM (sound.device: "default", a
 * card's "plughw:1,0", the loopback's "plughw:Loopback,0"), through
 * libasound's plug layer, so a card that does not take 22050 Hz mono
 * gets it converted.
 *
 * Why blocking writes on the daemon's sound thread rather than a
 * non-blocking PCM whose poll descriptors join the event loop: the loop
 * would then wake every period to feed the card, and a slow ALSA call
 * (a plugin's conversion, a USB card's hiccup) would sit on the path of
 * the next decision.  The sound thread exists anyway (it synthesises
 * the clips), blocking there costs the loop nothing, and the clip is
 * written in 20 ms pieces so that a newer clip replaces it within 20 ms
 * (play()'s cut).  The buffer is 100 ms: short enough that a cut prompt
 * stops at once, long enough for a loaded Pi.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#include "log.h"
#include "sound.h"

#define ALSA_SOUND_LATENCY_US	100000

struct alsa_sound {
	snd_pcm_t *pcm;
	char device[256];
	int rate;		/* the rate set, 0 before the first clip */
};

static void *
alsa_sound_open(const struct sound_config *cfg)
{
	struct alsa_sound *as;
	const char *dev = cfg->path != NULL && cfg->path[0] != '\0' ?
	    cfg->path : "default";
	int err;

	if ((as = calloc(1, sizeof(*as))) == NULL) {
		log_warn("sound alsa");
		return NULL;
	}
	snprintf(as->device, sizeof(as->device), "%s", dev);
	/* Opened non-blocking: a card another program holds would
	 * otherwise hold open() (and the gate's start) until it is freed;
	 * busy is a failure, logged.  Writes then block, on the thread. */
	if ((err = snd_pcm_open(&as->pcm, dev, SND_PCM_STREAM_PLAYBACK,
	    SND_PCM_NONBLOCK)) < 0) {
		log_warnx("sound alsa: %s: %s", dev, snd_strerror(err));
		free(as);
		errno = -err;
		return NULL;
	}
	if ((err = snd_pcm_nonblock(as->pcm, 0)) < 0) {
		log_warnx("sound alsa: %s: %s", dev, snd_strerror(err));
		snd_pcm_close(as->pcm);
		free(as);
		errno = -err;
		return NULL;
	}
	return as;
}

/* Sets the PCM to the clip's rate, where it is not already. */
static int
alsa_sound_setup(struct alsa_sound *as, int rate)
{
	int err;

	if (as->rate == rate)
		return 0;
	err = snd_pcm_set_params(as->pcm, SND_PCM_FORMAT_S16,
	    SND_PCM_ACCESS_RW_INTERLEAVED, 1, (unsigned)rate, 1,
	    ALSA_SOUND_LATENCY_US);
	if (err < 0) {
		log_warnx("sound alsa: %s: mono 16-bit at %d Hz: %s",
		    as->device, rate, snd_strerror(err));
		as->rate = 0;
		return -1;
	}
	as->rate = rate;
	return 0;
}

static int
alsa_sound_play(void *priv, const struct sound_clip *clip,
    bool (*cut)(void *arg), void *arg)
{
	struct alsa_sound *as = priv;
	size_t piece = (size_t)clip->rate / 50, at = 0;
	snd_pcm_sframes_t n;
	int err;

	if (clip->rate <= 0 || alsa_sound_setup(as, clip->rate) == -1)
		return -1;
	if ((err = snd_pcm_prepare(as->pcm)) < 0) {
		log_warnx("sound alsa: %s: %s", as->device, snd_strerror(err));
		return -1;
	}
	while (at < clip->frames) {
		if (cut != NULL && cut(arg)) {
			snd_pcm_drop(as->pcm);
			return 1;
		}
		n = snd_pcm_writei(as->pcm, clip->samples + at,
		    clip->frames - at < piece ? clip->frames - at : piece);
		if (n < 0) {
			/* An underrun (the thread was late) or a suspend:
			 * recovered once, the rest played. */
			if ((err = snd_pcm_recover(as->pcm, (int)n, 1)) < 0) {
				log_warnx("sound alsa: %s: %s", as->device,
				    snd_strerror(err));
				snd_pcm_drop(as->pcm);
				return -1;
			}
			continue;
		}
		at += (size_t)n;
	}
	/* The last 100 ms in the buffer: drained, so the log's end is the
	 * sound's. */
	if ((err = snd_pcm_drain(as->pcm)) < 0) {
		log_warnx("sound alsa: %s: %s", as->device, snd_strerror(err));
		return -1;
	}
	return 0;
}

static void
alsa_sound_close(void *priv)
{
	struct alsa_sound *as = priv;

	if (as == NULL)
		return;
	snd_pcm_close(as->pcm);
	free(as);
}

const struct sound_ops sound_alsa_ops = {
	.name = "alsa",
	.open = alsa_sound_open,
	.play = alsa_sound_play,
	.close = alsa_sound_close,
};
