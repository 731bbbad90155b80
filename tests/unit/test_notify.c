/*
 * systemd notification: READY=1, and the watchdog fed only while the gate
 * is healthy (fresh frames, a database that answers).  A datagram socket in
 * the test stands in for systemd's NOTIFY_SOCKET.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "gate.h"
#include "log.h"
#include "notify.h"

struct fixture {
	char dir[64];
	int sock;
	struct loop loop;
	struct gate gate;
	struct notify notify;
};

static int
setup(void **state)
{
	static struct fixture fx;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[128], pid[32];

	memset(&fx, 0, sizeof(fx));
	strcpy(fx.dir, "/tmp/test_notify.XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", fx.dir);
	fx.sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_int_not_equal(fx.sock, -1);
	assert_int_equal(bind(fx.sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "100000", 1);	/* fed every 50 ms */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);

	assert_int_equal(loop_init(&fx.loop), 0);
	snprintf(path, sizeof(path), "%s/qrgate.db", fx.dir);
	fx.gate.store = store_open(path, STORE_SYNC_NORMAL, false);
	assert_non_null(fx.gate.store);
	fx.gate.cfg.camera.fps = 15;
	fx.gate.cam_state = CAM_RUNNING;
	fx.gate.started_ns = clock_mono_ns();
	fx.gate.last_frame_ns = clock_mono_ns();
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char path[128];

	notify_stopping(&fx->notify);
	store_close(fx->gate.store);
	loop_done(&fx->loop);
	close(fx->sock);
	snprintf(path, sizeof(path), "%s/notify", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/qrgate.db", fx->dir);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	snprintf(path, sizeof(path), "%s/qrgate.db-shm", fx->dir);
	unlink(path);
	rmdir(fx->dir);
	return 0;
}

/* Reads every datagram waiting; returns how many contained want. */
static int
drain(struct fixture *fx, const char *want)
{
	char buf[512];
	ssize_t n;
	int hits = 0;

	while ((n = recv(fx->sock, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, want) != NULL)
			hits++;
	}
	return hits;
}

static void
test_ready_and_watchdog_while_healthy(void **state)
{
	struct fixture *fx = *state;
	int fed = 0;

	notify_ready(&fx->notify, &fx->loop, &fx->gate);
	assert_int_equal(drain(fx, "READY=1"), 1);
	for (int i = 0; i < 100 && fed < 3; i++) {
		fx->gate.last_frame_ns = clock_mono_ns();
		assert_int_equal(loop_once(&fx->loop, 200), 0);
		fed += drain(fx, "WATCHDOG=1");
	}
	assert_int_equal(fed, 3);
}

static void
test_watchdog_starves_without_frames(void **state)
{
	struct fixture *fx = *state;
	char why[128];
	int fed = 0, rounds;

	notify_ready(&fx->notify, &fx->loop, &fx->gate);
	drain(fx, "");
	/* The camera went quiet a minute ago. */
	fx->gate.last_frame_ns = clock_mono_ns() - 60LL * 1000000000;
	assert_false(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_non_null(strstr(why, "no frame"));
	for (rounds = 0; rounds < 4; rounds++) {
		assert_int_equal(loop_once(&fx->loop, 200), 0);
		fed += drain(fx, "WATCHDOG=1");
	}
	assert_int_equal(fed, 0);
	/* A lost camera starves it too; a file camera played out does not. */
	fx->gate.cam_state = CAM_FAILED;
	assert_false(gate_healthy(&fx->gate, why, sizeof(why)));
	assert_string_equal(why, "camera lost");
	fx->gate.cam_state = CAM_ENDED;
	assert_true(gate_healthy(&fx->gate, why, sizeof(why)));
	/* Frames again: fed again. */
	fx->gate.cam_state = CAM_RUNNING;
	for (rounds = 0; rounds < 100 && fed == 0; rounds++) {
		fx->gate.last_frame_ns = clock_mono_ns();
		assert_int_equal(loop_once(&fx->loop, 200), 0);
		fed += drain(fx, "WATCHDOG=1");
	}
	assert_true(fed > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready_and_watchdog_while_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_starves_without_frames, setup, teardown),
	};

	log_init("test_notify", LOG_LVL_ERR);
#ifndef CONFIG_SYSTEMD
	printf("test_notify: built without libsystemd: notify does nothing\n");
#endif
	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
