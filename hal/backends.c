/*
 * The tables of backends built into this binary.  The Makefile defines
 * CONFIG_<BACKEND> for each one whose library pkg-config found.
 */
#include <stddef.h>
#include <string.h>

#include "camera.h"
#include "gpio.h"
#include "reader.h"
#include "screen.h"
#include "sound.h"

extern const struct camera_ops camera_file_ops;
extern const struct camera_ops camera_v4l2_ops;
#ifdef CONFIG_CAMERA_LIBCAMERA
extern const struct camera_ops camera_libcamera_ops;
#endif
extern const struct gpio_ops gpio_sim_ops;
#ifdef CONFIG_GPIO_GPIOD
extern const struct gpio_ops gpio_gpiod_ops;
#endif
extern const struct reader_ops reader_tty_ops;
#ifdef CONFIG_READER_EVDEV
extern const struct reader_ops reader_evdev_ops;
#endif
extern const struct screen_ops screen_none_ops;
#ifdef CONFIG_SCREEN
extern const struct screen_ops screen_file_ops;
#endif
#ifdef CONFIG_SCREEN_DRM
extern const struct screen_ops screen_drm_ops;
#endif
extern const struct sound_ops sound_none_ops;
#ifdef CONFIG_SOUND
extern const struct sound_ops sound_file_ops;
extern const struct sound_ops sound_alsa_ops;
#endif

const struct camera_ops *const camera_backends[] = {
	&camera_file_ops,
	&camera_v4l2_ops,
#ifdef CONFIG_CAMERA_LIBCAMERA
	&camera_libcamera_ops,
#endif
	NULL
};

const struct gpio_ops *const gpio_backends[] = {
	&gpio_sim_ops,
#ifdef CONFIG_GPIO_GPIOD
	&gpio_gpiod_ops,
#endif
	NULL
};

const struct reader_ops *const reader_backends[] = {
	&reader_tty_ops,
#ifdef CONFIG_READER_EVDEV
	&reader_evdev_ops,
#endif
	NULL
};

const struct screen_ops *const screen_backends[] = {
	&screen_none_ops,
#ifdef CONFIG_SCREEN
	&screen_file_ops,
#endif
#ifdef CONFIG_SCREEN_DRM
	&screen_drm_ops,
#endif
	NULL
};

const struct sound_ops *const sound_backends[] = {
	&sound_none_ops,
#ifdef CONFIG_SOUND
	&sound_file_ops,
	&sound_alsa_ops,
#endif
	NULL
};

const struct camera_ops *
camera_find(const char *name)
{
	for (int i = 0; camera_backends[i] != NULL; i++)
		if (strcmp(camera_backends[i]->name, name) == 0)
			return camera_backends[i];
	return NULL;
}

const struct gpio_ops *
gpio_find(const char *name)
{
	for (int i = 0; gpio_backends[i] != NULL; i++)
		if (strcmp(gpio_backends[i]->name, name) == 0)
			return gpio_backends[i];
	return NULL;
}

const struct reader_ops *
reader_find(const char *name)
{
	for (int i = 0; reader_backends[i] != NULL; i++)
		if (strcmp(reader_backends[i]->name, name) == 0)
			return reader_backends[i];
	return NULL;
}

const struct screen_ops *
screen_find(const char *name)
{
	for (int i = 0; screen_backends[i] != NULL; i++)
		if (strcmp(screen_backends[i]->name, name) == 0)
			return screen_backends[i];
	return NULL;
}

const struct sound_ops *
sound_find(const char *name)
{
	for (int i = 0; sound_backends[i] != NULL; i++)
		if (strcmp(sound_backends[i]->name, name) == 0)
			return sound_backends[i];
	return NULL;
}
