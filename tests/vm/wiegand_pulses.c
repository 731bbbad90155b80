/*
 * A Wiegand reader, inside the system-test guest: sends a frame on two
 * gpio-sim input lines the way a reader's D0 and D1 wires carry it.  The
 * wires rest high and each bit is a pulse low, on D0 for a 0 and on D1
 * for a 1; gpio-sim's input lines are driven by writing "pull-down" and
 * "pull-up" to their sim_gpioN/pull files, and the kernel stamps the
 * edges qrgated reads.
 *
 *   wiegand_pulses D0_PULL D1_PULL BITS [WIDTH_US [INTERVAL_US
 *       [D0_HWIRQ D1_HWIRQ]]]
 *
 * Pulse k starts at k * INTERVAL_US (2000) from the first, on absolute
 * CLOCK_MONOTONIC deadlines of a timerfd, so that a late wake-up under
 * emulation delays one pulse and never the ones after it (though never
 * less than half an interval after the pulse before); each pulse lasts
 * at least WIDTH_US (100).  With the lines' offsets on the chip
 * (D0_HWIRQ, D1_HWIRQ: gpio-sim's interrupt numbers in its domain), each
 * pulse is held until the kernel has counted its interrupt in
 * /proc/interrupts (at most 500 ms): gpio-sim merges or drops an edge
 * that comes before the one before it was handled, which a real
 * controller latches, and an emulated CPU can be late by that much.
 * Prints the frame's bits, how many pulses started late by more than
 * half an interval, the latest start, and how many pulses the kernel
 * never counted, so that the test knows when the guest could not keep
 * the pace.
 */
#define _GNU_SOURCE
#include <sys/timerfd.h>

#include <sched.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Blocks on tfd until the monotonic clock reaches at_ns. */
static int
wait_until(int tfd, int64_t at_ns)
{
	struct itimerspec its = { 0 };
	uint64_t n;

	if (at_ns <= mono_ns())
		return 0;
	its.it_value.tv_sec = at_ns / 1000000000;
	its.it_value.tv_nsec = at_ns % 1000000000;
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		return -1;
	while (read(tfd, &n, sizeof(n)) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * gpio-sim's interrupt count for hwirq: the sum over the CPUs of its
 * /proc/interrupts line ("IRQ: COUNT... irq_sim HWIRQ ..."), or -1.
 */
static long long
irq_count(int hwirq)
{
	char line[512], *p, *end;
	long long sum, n;
	FILE *f = fopen("/proc/interrupts", "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((p = strstr(line, " irq_sim ")) == NULL ||
		    strtol(p + 9, &end, 10) != hwirq || end == p + 9)
			continue;
		sum = 0;
		p = strchr(line, ':');
		while (p != NULL && (n = strtoll(p + 1, &end, 10)) >= 0 &&
		    end != p + 1) {
			sum += n;
			p = end;
		}
		fclose(f);
		return sum;
	}
	fclose(f);
	return -1;
}

static int
pull(int fd, const char *how)
{
	size_t len = strlen(how);

	return pwrite(fd, how, len, 0) == (ssize_t)len ? 0 : -1;
}

int
main(int argc, char **argv)
{
	int64_t width_ns, interval_ns, t0, at, end = 0, late, late_max = 0;
	int fd[2], tfd, late_count = 0, hwirq[2] = { -1, -1 }, b, lost = 0;
	long long before;
	cpu_set_t cpu0;
	const char *bits;
	size_t i;

	if (argc < 4 || argc > 8 || argc == 7 ||
	    strspn(argv[3], "01") != strlen(argv[3]) ||
	    argv[3][0] == '\0') {
		fprintf(stderr, "usage: wiegand_pulses D0_PULL D1_PULL BITS "
		    "[WIDTH_US [INTERVAL_US [D0_HWIRQ D1_HWIRQ]]]\n");
		return 2;
	}
	bits = argv[3];
	width_ns = (argc > 4 ? atoll(argv[4]) : 100) * 1000;
	interval_ns = (argc > 5 ? atoll(argv[5]) : 2000) * 1000;
	if (argc == 8) {
		hwirq[0] = atoi(argv[6]);
		hwirq[1] = atoi(argv[7]);
	}
	if (width_ns <= 0 || interval_ns <= width_ns) {
		fprintf(stderr, "wiegand_pulses: the interval must be longer "
		    "than the width\n");
		return 2;
	}
	for (i = 0; i < 2; i++) {
		fd[i] = open(argv[1 + i], O_WRONLY | O_CLOEXEC);
		if (fd[i] == -1) {
			perror(argv[1 + i]);
			return 1;
		}
	}
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd == -1) {
		perror("timerfd_create");
		return 1;
	}
	/*
	 * On CPU 0, where the guest puts gpio-sim's interrupts and their
	 * threads (/proc/irq/default_smp_affinity, reader.sh).  gpio-sim
	 * drops an edge that comes while its line's interrupt is masked,
	 * which it is from the edge until the kernel's interrupt thread
	 * has run; a real GPIO controller latches it.  The thread is
	 * real-time: on this CPU it runs before the next pulse can be
	 * written, however the emulator's virtual CPUs are scheduled.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0) == -1) {
		perror("sched_setaffinity");
		return 1;
	}
	t0 = mono_ns() + 1000000;
	for (i = 0; bits[i] != '\0'; i++) {
		/* After a late pulse, no burst to catch up: half an
		 * interval of rest first, as a reader always leaves. */
		at = t0 + (int64_t)i * interval_ns;
		if (i > 0 && at < end + interval_ns / 2)
			at = end + interval_ns / 2;
		if (wait_until(tfd, at) == -1) {
			perror("timerfd");
			return 1;
		}
		late = mono_ns() - at;
		if (late > late_max)
			late_max = late;
		if (late > interval_ns / 2)
			late_count++;
		b = bits[i] - '0';
		before = hwirq[b] >= 0 ? irq_count(hwirq[b]) : -1;
		if (hwirq[b] >= 0 && before < 0) {
			fprintf(stderr, "wiegand_pulses: gpio-sim's line %d has "
			    "no interrupt in /proc/interrupts\n", hwirq[b]);
			return 1;
		}
		if (pull(fd[b], "pull-down") == -1) {
			perror("pull-down");
			return 1;
		}
		if (before >= 0) {
			int64_t give_up = mono_ns() + 500000000;

			while (irq_count(hwirq[b]) <= before &&
			    mono_ns() < give_up)
				if (wait_until(tfd, mono_ns() + 50000) == -1)
					return 1;
			if (irq_count(hwirq[b]) <= before)
				lost++;
		}
		/* From when the line went low: never narrower than asked. */
		if (wait_until(tfd, mono_ns() + width_ns) == -1 ||
		    pull(fd[bits[i] - '0'], "pull-up") == -1) {
			perror("pull-up");
			return 1;
		}
		end = mono_ns();
	}
	printf("%s %d %" PRId64 " %d\n", bits, late_count, late_max / 1000,
	    lost);
	return 0;
}
