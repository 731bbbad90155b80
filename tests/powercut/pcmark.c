/*
 * pcmark: puts marks in a dm-log-writes log at the moments the power-cut
 * tier cuts at.  Runs in the guest.
 *
 *   pcmark DM_NAME GPIO LINES_OUT  (subscriber lines on stdin)
 *
 * "p<K>" when the K-th rise of global GPIO line GPIO shows in the kernel's
 * trace (events/gpio/gpio_value, enabled by the caller): the entry relay
 * moved.  "s<K>" when the K-th line arrives on stdin (a subscriber of the
 * broker), and the line goes to LINES_OUT as "K LINE".  A mark lands in
 * the log after every write whose flush had completed when it was placed,
 * so replaying the log up to p<K> gives the disk as a power cut just after
 * the K-th pulse would leave it; a mark can only come later than the
 * moment it stands for, never earlier, which makes every check at it
 * weaker, never falsely strict.  Runs SCHED_FIFO to keep that lag small.
 * Ends at SIGTERM or when stdin ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdevmapper.h>

#define TRACE_PIPE "/sys/kernel/tracing/trace_pipe"

static int
mark(const char *dm, const char *name)
{
	char msg[128];
	struct dm_task *t;
	int ok;

	snprintf(msg, sizeof(msg), "mark %s", name);
	if ((t = dm_task_create(DM_DEVICE_TARGET_MSG)) == NULL)
		return -1;
	ok = dm_task_set_name(t, dm) && dm_task_set_sector(t, 0) &&
	    dm_task_set_message(t, msg) && dm_task_run(t);
	dm_task_destroy(t);
	if (!ok)
		fprintf(stderr, "pcmark: %s: cannot mark %s\n", dm, name);
	return ok ? 0 : -1;
}

/* Reads what fd has into buf (of *len bytes already), and hands each
 * whole line to fn: 1 when it read, 0 at end of file, -1 when there was
 * nothing to read. */
static int
read_lines(int fd, char *buf, size_t cap, size_t *len,
    void (*fn)(char *line, void *arg), void *arg)
{
	ssize_t n = read(fd, buf + *len, cap - 1 - *len);
	char *p, *nl;

	if (n <= 0)
		return n == -1 && (errno == EAGAIN || errno == EINTR) ? -1 : 0;
	*len += (size_t)n;
	buf[*len] = '\0';
	p = buf;
	while ((nl = strchr(p, '\n')) != NULL) {
		*nl = '\0';
		fn(p, arg);
		p = nl + 1;
	}
	*len -= (size_t)(p - buf);
	memmove(buf, p, *len);
	if (*len == cap - 1) {		/* a line longer than buf: cut */
		fn(buf, arg);
		*len = 0;
	}
	return 1;
}

struct marker {
	const char *dm;
	unsigned gpio;
	int level;		/* the line's last value, -1 unknown */
	unsigned pulses, lines;
	FILE *out;
};

/* "... gpio_value: 512 set 1" */
static void
on_trace(char *line, void *arg)
{
	struct marker *m = arg;
	char *p = strstr(line, "gpio_value: "), name[32];
	unsigned gpio;
	int value;

	if (p == NULL || sscanf(p, "gpio_value: %u set %d", &gpio, &value) != 2 ||
	    gpio != m->gpio)
		return;
	if (value == 1 && m->level != 1) {
		snprintf(name, sizeof(name), "p%u", ++m->pulses);
		mark(m->dm, name);
	}
	m->level = value;
}

static void
on_line(char *line, void *arg)
{
	struct marker *m = arg;
	char name[32];

	if (line[0] == '\0')	/* a payload's own last newline */
		return;
	snprintf(name, sizeof(name), "s%u", ++m->lines);
	mark(m->dm, name);
	fprintf(m->out, "%u %s\n", m->lines, line);
	fflush(m->out);
}

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	static char tbuf[1 << 16], lbuf[1 << 16];
	size_t tlen = 0, llen = 0;
	struct sched_param sp = { .sched_priority = 50 };
	struct sigaction sa = { .sa_handler = on_term };
	struct marker m = { .level = -1 };
	struct pollfd pf[2];

	if (argc != 4) {
		fprintf(stderr, "usage: pcmark DM_NAME GPIO LINES_OUT\n");
		return 2;
	}
	m.dm = argv[1];
	m.gpio = (unsigned)strtoul(argv[2], NULL, 10);
	if ((m.out = fopen(argv[3], "w")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	dm_udev_set_sync_support(0);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) == -1)
		perror("pcmark: SCHED_FIFO");
	sigaction(SIGTERM, &sa, NULL);
	if ((pf[0].fd = open(TRACE_PIPE, O_RDONLY | O_NONBLOCK)) == -1) {
		perror(TRACE_PIPE);
		return 1;
	}
	pf[1].fd = STDIN_FILENO;
	pf[0].events = pf[1].events = POLLIN;
	/* Ready to mark: the caller waits for this line. */
	printf("pcmark: ready\n");
	fflush(stdout);
	while (!stop) {
		if (poll(pf, pf[1].fd == -1 ? 1 : 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
			read_lines(pf[0].fd, tbuf, sizeof(tbuf), &tlen, on_trace, &m);
		if (pf[1].fd != -1 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read_lines(pf[1].fd, lbuf, sizeof(lbuf), &llen, on_line, &m) == 0)
			pf[1].fd = -1;
	}
	/* What the trace still holds: its pulses came before the stop. */
	while (read_lines(pf[0].fd, tbuf, sizeof(tbuf), &tlen, on_trace, &m) == 1)
		;
	fprintf(stderr, "pcmark: %u pulses, %u lines marked\n", m.pulses, m.lines);
	return fclose(m.out) == 0 ? 0 : 1;
}
