/*
 * The file sound: each clip played written as a WAV (RIFF, PCM 16-bit
 * little-endian, mono, at the clip's rate) into a directory, for the
 * tests and the demo.  Files are named NNNNNN-what.wav ("000002-way-
 * entry.wav"), numbered in the order played, so a test reads the
 * sequence of prompts from a listing; the numbering goes on after the
 * highest number already there, so a restarted daemon never overwrites
 * the clips of the run before.  Each WAV is written under a temporary
 * name and renamed, so a reader never sees half a file.
 *
 * A file is written at once, not in the clip's time: nothing here is
 * cut, and a test does not wait for the sound to end.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sound.h"

struct file_sound {
	char dir[4096];
	unsigned long next;	/* the number of the next WAV */
};

/* The number a "NNNNNN-what.wav" name starts with, or 0. */
static unsigned long
file_sound_number(const char *name)
{
	char *end;
	unsigned long n;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	n = strtoul(name, &end, 10);
	if (*end != '-' || strstr(end, ".wav") == NULL)
		return 0;
	return n;
}

/* 0 when path is a directory this process may write in; else -1, errno. */
static int
file_sound_dir_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return access(path, W_OK | X_OK);
}

static void *
file_sound_open(const struct sound_config *cfg)
{
	struct file_sound *fs;
	struct dirent *de;
	DIR *d;

	if (cfg->path == NULL || cfg->path[0] == '\0') {
		log_warnx("sound file: no directory (sound.directory)");
		errno = EINVAL;
		return NULL;
	}
	if (file_sound_dir_check(cfg->path) == -1) {
		log_warn("sound file: %s", cfg->path);
		return NULL;
	}
	if ((fs = calloc(1, sizeof(*fs))) == NULL) {
		log_warn("sound file");
		return NULL;
	}
	if (snprintf(fs->dir, sizeof(fs->dir), "%s", cfg->path) >=
	    (int)sizeof(fs->dir)) {
		log_warnx("sound file: %s: path too long", cfg->path);
		free(fs);
		errno = ENAMETOOLONG;
		return NULL;
	}
	fs->next = 1;
	if ((d = opendir(cfg->path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			unsigned long n = file_sound_number(de->d_name);

			if (n >= fs->next)
				fs->next = n + 1;
		}
		closedir(d);
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
	struct file_sound *fs = priv;
	char path[4200], tmp[4210];
	FILE *f;
	int rc;

	(void)cut;
	(void)arg;
	if (clip->rate <= 0 || clip->frames > UINT32_MAX / 4) {
		log_warnx("sound file: a clip of %zu frames at %d Hz",
		    clip->frames, clip->rate);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%06lu-%s.wav", fs->dir, fs->next,
	    clip->name != NULL ? clip->name : "clip");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("sound file: %s", tmp);
		return -1;
	}
	rc = file_sound_write(f, clip);
	if (fclose(f) == EOF)
		rc = -1;
	if (rc == -1 || rename(tmp, path) == -1) {
		log_warn("sound file: %s", path);
		unlink(tmp);
		return -1;
	}
	fs->next++;
	return 0;
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
