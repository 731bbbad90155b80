/*
 * A USB keyboard-wedge scanner, inside the system-test guest: a uinput
 * keyboard (libevdev's uinput API over the kernel's uinput.ko) that types
 * each line read from stdin as a US-layout scanner types a code, then
 * Enter, the way an evdev reader in qrgated sees a real one.
 *
 *   uinput_keys NAME [KEY_US] <codes
 *
 * Prints the new device's node (/dev/input/eventN) once it exists, then
 * types every line, one key event every KEY_US (1000) microseconds, paced
 * by a timerfd; ends at the end of its input, which removes the device.
 * The key map is the US layout's rows in the kernel's key-code order,
 * written here apart from qrgated's own table (hal/reader_wedge.c), so
 * that the test does not check that table against itself.
 */
#define _GNU_SOURCE
#include <sys/timerfd.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>

/* Each row: its first key's code, then what its keys type, in order. */
static const struct us_row {
	unsigned int first;
	const char *plain;
	const char *shifted;
} us_rows[] = {
	{ KEY_1, "1234567890-=", "!@#$%^&*()_+" },
	{ KEY_Q, "qwertyuiop[]", "QWERTYUIOP{}" },
	{ KEY_A, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
	{ KEY_BACKSLASH, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
	{ KEY_SPACE, " ", " " },
};

/* The key that types c, and whether shift must be held; -1: none. */
static int
us_key(char c, int *shift)
{
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(us_rows) / sizeof(us_rows[0]); i++) {
		if ((p = strchr(us_rows[i].plain, c)) != NULL && c != '\0') {
			*shift = 0;
			return (int)(us_rows[i].first + (p - us_rows[i].plain));
		}
		if ((p = strchr(us_rows[i].shifted, c)) != NULL && c != '\0') {
			*shift = 1;
			return (int)(us_rows[i].first + (p - us_rows[i].shifted));
		}
	}
	return -1;
}

struct typist {
	struct libevdev_uinput *ui;
	int tfd;
	int64_t next_ns;
	int64_t step_ns;
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One key event and its report, at the typist's pace. */
static int
typist_key(struct typist *t, unsigned int code, int value)
{
	struct itimerspec its = { 0 };
	uint64_t n;

	if (t->next_ns > mono_ns()) {
		its.it_value.tv_sec = t->next_ns / 1000000000;
		its.it_value.tv_nsec = t->next_ns % 1000000000;
		if (timerfd_settime(t->tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
			return -1;
		while (read(t->tfd, &n, sizeof(n)) == -1)
			if (errno != EINTR)
				return -1;
	}
	t->next_ns = mono_ns() + t->step_ns;
	if (libevdev_uinput_write_event(t->ui, EV_KEY, code, value) != 0 ||
	    libevdev_uinput_write_event(t->ui, EV_SYN, SYN_REPORT, 0) != 0)
		return -1;
	return 0;
}

static int
typist_line(struct typist *t, const char *line)
{
	int code, shift;

	for (; *line != '\0'; line++) {
		if ((code = us_key(*line, &shift)) == -1) {
			fprintf(stderr, "uinput_keys: '%c' has no key on the "
			    "US layout\n", *line);
			return -1;
		}
		if ((shift && typist_key(t, KEY_LEFTSHIFT, 1) == -1) ||
		    typist_key(t, (unsigned int)code, 1) == -1 ||
		    typist_key(t, (unsigned int)code, 0) == -1 ||
		    (shift && typist_key(t, KEY_LEFTSHIFT, 0) == -1))
			return -1;
	}
	return typist_key(t, KEY_ENTER, 1) == -1 ||
	    typist_key(t, KEY_ENTER, 0) == -1 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct typist t = { 0 };
	struct libevdev *dev;
	char line[4096];
	size_t i, len;
	unsigned int k;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: uinput_keys NAME [KEY_US] <codes\n");
		return 2;
	}
	t.step_ns = (argc > 2 ? atoll(argv[2]) : 1000) * 1000;
	dev = libevdev_new();
	libevdev_set_name(dev, argv[1]);
	libevdev_enable_event_type(dev, EV_KEY);
	for (i = 0; i < sizeof(us_rows) / sizeof(us_rows[0]); i++)
		for (k = 0; k < strlen(us_rows[i].plain); k++)
			libevdev_enable_event_code(dev, EV_KEY,
			    us_rows[i].first + k, NULL);
	libevdev_enable_event_code(dev, EV_KEY, KEY_LEFTSHIFT, NULL);
	libevdev_enable_event_code(dev, EV_KEY, KEY_ENTER, NULL);
	rc = libevdev_uinput_create_from_device(dev,
	    LIBEVDEV_UINPUT_OPEN_MANAGED, &t.ui);
	if (rc != 0) {
		fprintf(stderr, "uinput_keys: /dev/uinput: %s\n", strerror(-rc));
		return 1;
	}
	t.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (t.tfd == -1) {
		perror("timerfd_create");
		return 1;
	}
	/* NULL when no event handler took the device: evdev.ko not loaded. */
	if (libevdev_uinput_get_devnode(t.ui) == NULL) {
		fprintf(stderr, "uinput_keys: the device has no event node "
		    "(is evdev loaded?)\n");
		return 1;
	}
	printf("%s\n", libevdev_uinput_get_devnode(t.ui));
	fflush(stdout);
	rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), stdin) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		rc = typist_line(&t, line);
	}
	libevdev_uinput_destroy(t.ui);
	libevdev_free(dev);
	return rc == 0 ? 0 : 1;
}
