/*
 * The file sound: each clip played written as a WAV (RIFF, PCM 16-bit
 * little-endian, mono, at the clip's rate) into a directory, for the
 * tests and the demo, named NNNNNN-what.wav ("000002-way-entry.wav") in
 * the order played (filedir.h).
 *
 * A file is written at once, not in the clip's time: nothing here is
 * cut, and a test does not wait for the sound to end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filedir.h"
#include "log.h"
#include "sound.h"

static void *
file_sound_open(const struct sound_config *cfg)
{
	struct filedir *fs;

	if ((fs = calloc(1, sizeof(*fs))) == NULL) {
		log_warn("sound file");
		return NULL;
	}
	if (filedir_open(fs, cfg->path, "wav", "sound file",
	    "sound.directory") == -1) {
		free(fs);
		return NULL;
	}
	return fs;
}

static void
file_sound_le16(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void
file_sound_le32(uint8_t *p, uint32_t v)
{
	file_sound_le16(p, v & 0xffff);
	file_sound_le16(p + 2, v >> 16);
}

/* The 44 bytes of a canonical PCM WAV header. */
static void
file_sound_header(uint8_t h[44], uint32_t rate, uint32_t frames)
{
	uint32_t data = frames * 2;

	memcpy(h, "RIFF", 4);
	file_sound_le32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	file_sound_le32(h + 16, 16);		/* fmt chunk size */
	file_sound_le16(h + 20, 1);		/* PCM */
	file_sound_le16(h + 22, 1);		/* mono */
	file_sound_le32(h + 24, rate);
	file_sound_le32(h + 28, rate * 2);	/* bytes a second */
	file_sound_le16(h + 32, 2);		/* bytes a frame */
	file_sound_le16(h + 34, 16);		/* bits a sample */
	memcpy(h + 36, "data", 4);
	file_sound_le32(h + 40, data);
}

static int
file_sound_write(FILE *f, const struct sound_clip *clip)
{
	uint8_t h[44], buf[2 * 1024];
	size_t i = 0;

	file_sound_header(h, (uint32_t)clip->rate, (uint32_t)clip->frames);
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h))
		return -1;
	/* Little-endian whatever the host. */
	while (i < clip->frames) {
		size_t n = 0;

		for (; n < sizeof(buf) / 2 && i < clip->frames; n++, i++)
			file_sound_le16(buf + 2 * n,
			    (uint16_t)clip->samples[i]);
		if (fwrite(buf, 2, n, f) != n)
			return -1;
	}
	return 0;
}

static int
file_sound_play(void *priv, const struct sound_clip *clip,
    bool (*cut)(void *arg), void *arg)
{
	struct filedir *fs = priv;
	FILE *f;
	int rc;

	(void)cut;
	(void)arg;
	if (clip->rate <= 0 || clip->frames > UINT32_MAX / 4) {
		log_warnx("sound file: a clip of %zu frames at %d Hz",
		    clip->frames, clip->rate);
		return -1;
	}
	filedir_name(fs, clip->name != NULL ? clip->name : "clip");
	if ((f = fopen(fs->tmp, "we")) == NULL) {
		log_warn("sound file: %s", fs->tmp);
		return -1;
	}
	rc = file_sound_write(f, clip);
	if (fclose(f) == EOF)
		rc = -1;
	if (rc == -1) {
		log_warn("sound file: %s", fs->tmp);
		unlink(fs->tmp);
		return -1;
	}
	return filedir_commit(fs, "sound file");
}

static void
file_sound_close(void *priv)
{
	free(priv);
}

const struct sound_ops sound_file_ops = {
	.name = "file",
	.open = file_sound_open,
	.play = file_sound_play,
	.close = file_sound_close,
};
