/*
 * The control socket against a real gate (gate_fixture.h): idle or slow
 * clients cannot keep a request out (issue 12, row 10: four idle
 * connections and `qrgatectl status` did not answer until they went).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control.h"

#include "gate_fixture.h"

struct ctl_fx {
	struct gate_fx gf;
	struct control ctl;
};

static int
ctl_setup(void **state)
{
	struct ctl_fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	*state = fx;
	if (gate_fx_init(&fx->gf, false) == -1)
		return -1;
	return control_open(&fx->ctl, &fx->gf.loop, &fx->gf.gate,
	    fx->gf.path[3], "");
}

static int
ctl_teardown(void **state)
{
	struct ctl_fx *fx = *state;

	control_close(&fx->ctl);
	gate_fx_done(&fx->gf);
	free(fx);
	return 0;
}

static int
clients_connected(const struct control *c)
{
	int n = 0;

	for (int i = 0; i < CONTROL_CLIENTS; i++)
		n += c->client[i].fd.fd != -1;
	return n;
}

/* A connection the daemon has accepted (or dropped at once). */
static int
ctl_connect(struct ctl_fx *fx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_true(strlen(fx->gf.path[3]) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, fx->gf.path[3], strlen(fx->gf.path[3]) + 1);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* The listening socket is readable until the loop accepted it. */
	for (int i = 0; i < 100; i++) {
		struct pollfd p = { .fd = fx->ctl.listen.fd, .events = POLLIN };

		if (poll(&p, 1, 0) == 0)
			break;
		loop_once(&fx->gf.loop, 10);
	}
	return s;
}

/* 1 when the daemon closed s, 0 while it is still open. */
static int
ctl_closed(int s)
{
	char ch;
	ssize_t n = recv(s, &ch, 1, MSG_DONTWAIT);

	if (n == 0)
		return 1;
	assert_true(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
	return 0;
}

/* Sends line on a new connection and returns the reply, or NULL when the
 * connection was closed without one. */
static json_t *
ctl_request(struct ctl_fx *fx, const char *line)
{
	char buf[4096];
	size_t len = 0;
	json_t *reply = NULL;
	int s = ctl_connect(fx);

	/* A daemon that dropped the connection at once answers nothing. */
	if (send(s, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line)) {
		close(s);
		return NULL;
	}
	for (int i = 0; i < 500 && len < sizeof(buf) - 1; i++) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 0) == 0) {
			loop_once(&fx->gf.loop, 10);
			continue;
		}
		if ((n = read(s, buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	buf[len] = '\0';
	if (len > 0)
		reply = json_loads(buf, 0, NULL);
	close(s);
	return reply;
}

/* More idle clients than there are slots, and a status still answers. */
static void
test_idle_clients_do_not_starve(void **state)
{
	struct ctl_fx *fx = *state;
	enum { IDLE = CONTROL_CLIENTS + 4 };
	int idle[IDLE];
	json_t *reply;

	for (int i = 0; i < IDLE; i++)
		idle[i] = ctl_connect(fx);
	assert_int_equal(clients_connected(&fx->ctl), CONTROL_CLIENTS);
	reply = ctl_request(fx, "status\n");
	assert_non_null(reply);
	assert_string_equal(json_string_value(json_object_get(reply, "gate")),
	    "gate1");
	json_decref(reply);
	/* The oldest were dropped for the newer ones; the newest is kept. */
	for (int i = 0; i <= IDLE - CONTROL_CLIENTS; i++)
		assert_int_equal(ctl_closed(idle[i]), 1);
	assert_int_equal(ctl_closed(idle[IDLE - 1]), 0);
	for (int i = 0; i < IDLE; i++)
		close(idle[i]);
}

/* A client that sends nothing, or half a line, loses its slot. */
static void
test_silent_client_dropped(void **state)
{
	struct ctl_fx *fx = *state;
	int silent, slow, i;

	fx->ctl.timeout_ms = 50;
	silent = ctl_connect(fx);
	slow = ctl_connect(fx);
	assert_int_equal(send(slow, "sta", 3, MSG_NOSIGNAL), 3);
	assert_int_equal(clients_connected(&fx->ctl), 2);
	for (i = 0; i < 100 && clients_connected(&fx->ctl) > 0; i++)
		loop_once(&fx->gf.loop, 20);
	assert_int_equal(clients_connected(&fx->ctl), 0);
	assert_int_equal(ctl_closed(silent), 1);
	assert_int_equal(ctl_closed(slow), 1);
	close(silent);
	close(slow);
	/* And the socket still answers. */
	json_decref(ctl_request(fx, "status\n"));
	assert_int_equal(clients_connected(&fx->ctl), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_clients_do_not_starve,
		    ctl_setup, ctl_teardown),
		cmocka_unit_test_setup_teardown(test_silent_client_dropped,
		    ctl_setup, ctl_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
