/*
 * Serial scanners (RS-232 through an adapter, or USB-CDC: /dev/ttyUSB*,
 * /dev/ttyACM*) read through a tty in raw mode: no echo, no line
 * discipline, no flow-control bytes, every byte as it came.  A CR or LF
 * ends a code (line framing, the scanners' usual suffix) or silence does
 * (idle framing, for a scanner set to send no suffix); in line framing a
 * line left without its end is ended by the same silence, so a scanner
 * that lost its suffix is still decided and its bytes never prefix the
 * next code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "reader.h"
#include "reader_frame.h"
#include "util.h"

struct reader_tty {
	int fd;
	enum reader_framing framing;
	struct reader_frame fr;
	uint8_t in[512];	/* read from the tty, not yet framed */
	size_t in_off, in_len;
	int64_t in_ns;		/* when in[] was read */
	char device[256];
};

static const struct {
	int baud;
	speed_t speed;
} reader_tty_speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 921600, B921600 },
};

static int
reader_tty_speed(int baud, speed_t *out)
{
	for (size_t i = 0; i < nitems(reader_tty_speeds); i++)
		if (reader_tty_speeds[i].baud == baud) {
			*out = reader_tty_speeds[i].speed;
			return 0;
		}
	return -1;
}

/* Raw mode, 8N1, no modem control (a scanner has no carrier to wait
 * for), at baud.  0 or -1. */
static int
reader_tty_raw(int fd, int baud, const char *device)
{
	struct termios t;
	speed_t speed;

	if (reader_tty_speed(baud, &speed) == -1) {
		log_warnx("reader: %s: %d baud is not a standard rate", device,
		    baud);
		errno = EINVAL;
		return -1;
	}
	if (tcgetattr(fd, &t) == -1) {
		log_warn("reader: %s: not a tty", device);
		return -1;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(CSTOPB | CRTSCTS);
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, speed) == -1 || cfsetospeed(&t, speed) == -1 ||
	    tcsetattr(fd, TCSANOW, &t) == -1) {
		log_warn("reader: %s: setting raw mode at %d baud", device,
		    baud);
		return -1;
	}
	/* What waited before we listened belongs to nobody's code. */
	(void)tcflush(fd, TCIFLUSH);
	return 0;
}

static void *
reader_tty_open(const struct reader_config *cfg)
{
	struct reader_tty *r;
	int saved;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("reader: %s", cfg->device);
		return NULL;
	}
	snprintf(r->device, sizeof(r->device), "%s", cfg->device);
	r->framing = cfg->framing;
	reader_frame_init(&r->fr, cfg->max_payload, cfg->timeout_ms);
	r->fd = open(cfg->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd == -1) {
		log_warn("reader: %s", cfg->device);
		free(r);
		return NULL;
	}
	if (reader_tty_raw(r->fd, cfg->baud, cfg->device) == -1) {
		saved = errno;
		close(r->fd);
		free(r);
		errno = saved;
		return NULL;
	}
	return r;
}

static int
reader_tty_fd(void *priv)
{
	return ((struct reader_tty *)priv)->fd;
}

/* Frames the bytes read and not yet framed.  True when a code ended. */
static bool
reader_tty_frame(struct reader_tty *r)
{
	while (r->in_off < r->in_len) {
		uint8_t b = r->in[r->in_off];

		if (r->framing == READER_FRAME_LINE && (b == '\r' || b == '\n')) {
			r->in_off++;
			if (reader_frame_end(&r->fr))
				return true;
			continue;
		}
		/* A pause before b ended a code: b starts the next. */
		if (reader_frame_add(&r->fr, b, r->in_ns))
			return true;
		r->in_off++;
	}
	return false;
}

static int
reader_tty_read(void *priv, int64_t now_ns, struct reader_presentation *out)
{
	struct reader_tty *r = priv;
	ssize_t n;

	for (;;) {
		if (reader_tty_frame(r)) {
			reader_frame_take(&r->fr, out);
			return READER_PRESENTED;
		}
		/* Before new bytes: the silence that ended a code came
		 * before them. */
		if (reader_frame_expire(&r->fr, now_ns)) {
			reader_frame_take(&r->fr, out);
			return READER_PRESENTED;
		}
		n = read(r->fd, r->in, sizeof(r->in));
		if (n > 0) {
			r->in_off = 0;
			r->in_len = (size_t)n;
			r->in_ns = now_ns;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return READER_NONE;
		/* 0: the line hung up (an adapter unplugged); EIO likewise
		 * for a pty whose other side closed. */
		if (n == 0)
			log_warnx("reader: %s: hung up", r->device);
		else
			log_warn("reader: %s", r->device);
		reader_frame_drop(&r->fr);
		return READER_ERROR;
	}
}

static int64_t
reader_tty_deadline(void *priv)
{
	return reader_frame_deadline(&((struct reader_tty *)priv)->fr);
}

static void
reader_tty_close(void *priv)
{
	struct reader_tty *r = priv;

	if (r == NULL)
		return;
	close(r->fd);
	free(r);
}

const struct reader_ops reader_tty_ops = {
	.name = "tty",
	.source = "scanner",
	.open = reader_tty_open,
	.fd = reader_tty_fd,
	.read = reader_tty_read,
	.deadline_ns = reader_tty_deadline,
	.close = reader_tty_close,
};
