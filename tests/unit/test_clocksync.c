/*
 * The clock's synchronisation: the sources that are taken as given, and
 * the kernel asked at most once a second (a stand-in for adjtimex counts
 * the questions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clocksync.h"
#include "log.h"
#include "util.h"

#define S	1000000000LL

static int asked;
static bool answer;

static bool
fake_kernel(void)
{
	asked++;
	return answer;
}

static void
fake_init(struct clocksync *c, bool synced)
{
	memset(c, 0, sizeof(*c));
	c->query = fake_kernel;
	asked = 0;
	answer = synced;
}

static void
test_given_sources(void **state)
{
	struct clocksync c;

	(void)state;
	fake_init(&c, false);
	assert_true(clocksync_get(&c, CLOCK_SYNC_ASSUME_SYNCED, 0));
	fake_init(&c, true);
	assert_false(clocksync_get(&c, CLOCK_SYNC_ASSUME_UNSYNCED, 0));
	/* The kernel is not asked for either. */
	assert_int_equal(asked, 0);
}

static void
test_kernel_asked_once_a_second(void **state)
{
	struct clocksync c;

	(void)state;
	fake_init(&c, false);
	assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL, 5 * S));
	assert_int_equal(asked, 1);
	/* Within the second: the last answer, even if the kernel changed. */
	answer = true;
	for (int i = 0; i < 100; i++)
		assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL,
		    5 * S + i * (S / 100)));
	assert_int_equal(asked, 1);
	/* A second later it is asked again. */
	assert_true(clocksync_get(&c, CLOCK_SYNC_KERNEL, 6 * S));
	assert_int_equal(asked, 2);
	answer = false;
	assert_true(clocksync_get(&c, CLOCK_SYNC_KERNEL, 7 * S - 1));
	assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL, 7 * S));
	assert_int_equal(asked, 3);
	/* Time going backwards asks again rather than trusting forever. */
	assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL, 1));
	assert_int_equal(asked, 4);
}

/* The real adjtimex: it answers, whatever the machine's clock state. */
static void
test_kernel_answers(void **state)
{
	struct clocksync c;
	bool a;

	(void)state;
	memset(&c, 0, sizeof(c));
	a = clocksync_get(&c, CLOCK_SYNC_KERNEL, 0);
	assert_int_equal(a, clocksync_kernel());
}

/* The filter below names this architecture's system call numbers. */
#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_ARM
#elif defined(__i386__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_I386
#else
#define TEST_AUDIT_ARCH 0
#endif

/*
 * adjtimex refused, as systemd's ProtectClock= and a SystemCallFilter=
 * without it refuse it (EPERM): the clock is not synchronised, since
 * nothing says it is.  In a child, which a seccomp filter cannot leave.
 * Under qemu-user (the cross tiers) a filter would land on the
 * emulator's own system calls, of another architecture, and the child
 * hangs: the cross tier says so and the test is skipped there, saying
 * why; it runs natively (plain and ASan/UBSan).  Wherever adjtimex is not
 * in fact refused, the test is skipped too, rather than passing on
 * nothing.
 */
static void
test_kernel_refused_is_unsynced(void **state)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		/* glibc's adjtimex() is clock_adjtime(CLOCK_REALTIME), or
		 * clock_adjtime64 with a 64-bit time_t on a 32-bit target. */
#ifdef __NR_clock_adjtime64
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clock_adjtime64, 2, 0),
#endif
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_adjtimex, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clock_adjtime, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = nitems(insns), .filter = insns,
	};
	int status;
	pid_t pid;

	(void)state;
	/* Said by tests/cross/run.sh: qemu-user hangs in the child. */
	if (getenv("QRGATE_QEMU_USER") != NULL) {
		print_message("SKIPPED: seccomp under qemu-user; run natively\n");
		skip();
	}
	if (TEST_AUDIT_ARCH == 0) {
		print_message("SKIPPED: no seccomp architecture for this target\n");
		skip();
	}
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		struct timex tx = { .modes = 0 };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
			_exit(2);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
			_exit(errno == EINVAL ? 3 : 2);
		/* The filter must be in force, or this proves nothing. */
		if (adjtimex(&tx) != -1 || errno != EPERM)
			_exit(3);
		_exit(clocksync_kernel() ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3) {
		/* qemu-user (the cross tiers) refuses the filter, or puts
		 * it on its own system calls. */
		print_message("SKIPPED: no seccomp filter in force here "
		    "(qemu-user?)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_given_sources),
		cmocka_unit_test(test_kernel_asked_once_a_second),
		cmocka_unit_test(test_kernel_answers),
		cmocka_unit_test(test_kernel_refused_is_unsynced),
	};

	log_init("test_clocksync", LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
