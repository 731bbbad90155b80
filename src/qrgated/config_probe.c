/*
 * qrgated -n beyond the settings themselves: the files, directories and
 * device nodes the config names, looked at as this user can, without
 * opening a camera, a GPIO line or a socket.  What it cannot see (the
 * broker, a camera giving frames, lines in use) qrgated -n says.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "gpio.h"

/* systemd/qrgated.service's StateDirectory=. */
#define CONFIG_PROBE_STATE_DIR	"/var/lib/qrgate"

/* path must be there, of the type wanted ('f' a file, 'd' a directory,
 * 'c' a device); a complaint on out, and -1, if not. */
static int
config_probe_path(FILE *out, const char *what, const char *path, int type)
{
	struct stat st;
	const char *want;

	if (stat(path, &st) == -1) {
		fprintf(out, "%s: %s: %s\n", what, path, strerror(errno));
		return -1;
	}
	if (type == 'd' && !S_ISDIR(st.st_mode))
		want = "a directory";
	else if (type == 'f' && !S_ISREG(st.st_mode))
		want = "a file";
	else if (type == 'c' && !S_ISCHR(st.st_mode))
		want = "a device";
	else
		return 0;
	fprintf(out, "%s: %s: not %s\n", what, path, want);
	return -1;
}

/* The file camera's images: each file of a list, or the one file or
 * directory named. */
static int
config_probe_images(FILE *out, const char *source)
{
	char one[sizeof(((struct config *)0)->camera.source)];
	const char *s = source;
	struct stat st;
	size_t n;
	int bad = 0;

	if (strchr(source, ',') == NULL) {
		if (stat(source, &st) == 0 && S_ISDIR(st.st_mode))
			return config_probe_path(out, "camera.source", source,
			    'd');
		return config_probe_path(out, "camera.source", source, 'f');
	}
	for (;;) {
		n = strcspn(s, ",");
		snprintf(one, sizeof(one), "%.*s", (int)n, s);
		if (config_probe_path(out, "camera.source", one, 'f') == -1)
			bad++;
		if (s[n] == '\0')
			return bad > 0 ? -1 : 0;
		s += n + 1;
	}
}

/* A chip named as a path or as "gpiochipN" must be a device; a chip's
 * label is found only by opening every chip, which -n does not. */
static int
config_probe_chip(FILE *out, const char *chip, char *seen, size_t seenlen)
{
	char path[80];

	if (chip[0] == '\0' || strcmp(chip, seen) == 0)
		return 0;
	snprintf(seen, seenlen, "%s", chip);
	if (strchr(chip, '/') != NULL)
		snprintf(path, sizeof(path), "%s", chip);
	else if (strncmp(chip, "gpiochip", 8) == 0 && chip[8] != '\0' &&
	    chip[8 + strspn(chip + 8, "0123456789")] == '\0')
		snprintf(path, sizeof(path), "/dev/%s", chip);
	else
		return 0;
	return config_probe_path(out, "gpio chip", path, 'c');
}

int
config_probe(const struct config *c, FILE *out)
{
	char dir[sizeof(c->store.path)], seen[64] = "";
	const char *d;
	int bad = 0;

	if (strcmp(c->camera.backend, "file") == 0) {
		if (config_probe_images(out, c->camera.source) == -1)
			bad++;
	} else if (strcmp(c->camera.backend, "v4l2") == 0) {
		if (config_probe_path(out, "camera.source", c->camera.source,
		    'c') == -1)
			bad++;
	}
	if (strcmp(c->reader.backend, "none") != 0 &&
	    config_probe_path(out, "reader.device", c->reader.device,
	    'c') == -1)
		bad++;
	if (strcmp(c->screen.backend, "file") == 0 &&
	    config_probe_path(out, "screen.directory", c->screen.directory,
	    'd') == -1)
		bad++;
	if (strcmp(c->sound.backend, "file") == 0 &&
	    config_probe_path(out, "sound.directory", c->sound.directory,
	    'd') == -1)
		bad++;
	if (strcmp(c->screen.backend, "drm") == 0 &&
	    config_probe_path(out, "screen.device", c->screen.device,
	    'c') == -1)
		bad++;
	/* An ADC whose driver is not loaded has no files yet: the loop
	 * would start faulty. */
	if (c->supervision.fire_loop[0] != '\0' &&
	    config_probe_path(out, "supervision.fire_loop",
	    c->supervision.fire_loop, 'f') == -1)
		bad++;
	if (c->supervision.tamper_loop[0] != '\0' &&
	    config_probe_path(out, "supervision.tamper_loop",
	    c->supervision.tamper_loop, 'f') == -1)
		bad++;
	/* The database is made at start, but not its directory, except the
	 * one systemd makes for the unit (StateDirectory=, qrgated.service). */
	snprintf(dir, sizeof(dir), "%s", c->store.path);
	d = dirname(dir);
	if (strcmp(d, CONFIG_PROBE_STATE_DIR) == 0 && access(d, F_OK) == -1)
		fprintf(out, "store.path: %s is not there yet: qrgated.service "
		    "makes it at start\n", d);
	else if (config_probe_path(out, "store.path: its directory", d,
	    'd') == -1)
		bad++;
	if (c->security.cccd_key_file[0] != '\0' &&
	    config_probe_path(out, "security.cccd_key_file",
	    c->security.cccd_key_file, 'f') == -1)
		bad++;
	if (strcmp(c->gpio.backend, "gpiod") == 0) {
		for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
			const struct gpio_line_config *l = &c->gpio.hw.lines[r];

			if (l->used && config_probe_chip(out, l->chip[0] != '\0' ?
			    l->chip : c->gpio.hw.chip, seen, sizeof(seen)) == -1)
				bad++;
		}
	}
	return bad > 0 ? -1 : 0;
}
