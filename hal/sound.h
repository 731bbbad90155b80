/*
 * Sound backends: where a finished clip of the lane's voice goes (a
 * speaker through ALSA, a WAV file for the tests and the demo).  A
 * backend only plays samples it is given; what to say, and in which
 * language, is the daemon's business (sound_msg.h, gate_sound.c), so
 * every backend plays the same clip and the file backend's WAV is what
 * a speaker would have played.
 *
 * A backend is a const struct sound_ops over an opaque private pointer,
 * as screen.h's.  open() and close() are called from the event loop, at
 * start and at a reload, and must not wait on the device (a busy card is
 * a failure); play() is called from the daemon's sound thread only, and
 * may take as long as the clip lasts.
 */
#ifndef QRGATE_HAL_SOUND_H
#define QRGATE_HAL_SOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sound_config {
	const char *path;	/* file: the directory the WAVs go to;
				 * alsa: the PCM's name ("default",
				 * "plughw:Loopback,0"); none: unused */
};

/* One clip: 16-bit signed native-endian samples, mono. */
struct sound_clip {
	const int16_t *samples;
	size_t frames;
	int rate;		/* samples a second (espeak-ng's 22050) */
	const char *name;	/* what the clip says, a short ASCII word
				 * ("way-entry"): the file backend names its
				 * WAV after it */
};

struct sound_ops {
	const char *name;	/* "none", "file", "alsa" */

	/*
	 * Opens the output.  Returns private state, or NULL with errno set
	 * and the reason logged.
	 */
	void *(*open)(const struct sound_config *cfg);

	/*
	 * Plays clip to its end, or until cut(arg) returns true: a newer
	 * clip is waiting, and replaces this one at once (what is not yet
	 * heard is dropped).  cut is asked at least every 20 ms of sound.
	 * Returns 0 played whole, 1 cut, or -1 with the reason logged (the
	 * next clip is tried anyway).
	 */
	int (*play)(void *priv, const struct sound_clip *clip,
	    bool (*cut)(void *arg), void *arg);

	/* Releases the output and frees everything; priv may be NULL. */
	void (*close)(void *priv);
};

/*
 * NULL-terminated: "none" always, then only the backends whose libraries
 * were found at build.
 */
extern const struct sound_ops *const sound_backends[];

/* The backend called name, or NULL. */
const struct sound_ops *sound_find(const char *name);

#endif
