/*
 * A real gate for the inbound tests: the file camera on images/blank.png,
 * the sim GPIO and a real SQLite file in a fresh directory, opened as
 * qrgated does (gate_open, then the inbound state).  Each test program is
 * one translation unit, so the helpers are static; those a test may not
 * use are marked unused to keep -Wall -Wextra -Werror quiet.
 *
 * Include it after <cmocka.h>: the helpers assert.  A test that needs
 * fields of its own embeds struct gate_fx in its own struct and calls
 * gate_fx_init() and gate_fx_done() from its setup and teardown.
 */
#ifndef GATE_FIXTURE_H
#define GATE_FIXTURE_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "store_sync.h"

struct gate_fx {
	char dir[64];
	/* gate.db, gpio.log (the sim log), blank.png, control.sock */
	char path[4][PATH_MAX];
	struct config base;
	struct loop loop;
	struct gate gate;
	bool open;
};

static void
gate_fx_set(struct config *c, const char *section, const char *key,
    const char *value)
{
	char err[320];

	if (config_set(c, section, key, value, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

/* Opens the gate as qrgated does: gate_open, then the inbound state. */
static void
gate_fx_open(struct gate_fx *fx)
{
	assert_int_equal(gate_open(&fx->gate, &fx->loop, &fx->base), 0);
	assert_int_equal(store_sync_init(fx->gate.store), 0);
	inbound_set_base(&fx->gate, &fx->base);
	assert_int_equal(inbound_restore(&fx->gate), 0);
	fx->open = true;
}

static void
gate_fx_close(struct gate_fx *fx)
{
	if (!fx->open)
		return;
	inbound_close(&fx->gate);
	gate_close(&fx->gate);
	fx->open = false;
}

/*
 * Makes the directory and the base config, with lane.exit set when
 * exit_lane is true, then opens the loop and the gate.
 */
static int
gate_fx_init(struct gate_fx *fx, bool exit_lane)
{
	const char *src = getenv("QRGATE_SRCDIR");

	log_init("test", LOG_LVL_ERR);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_inbound.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path[0], PATH_MAX, "%s/gate.db", fx->dir);
	snprintf(fx->path[1], PATH_MAX, "%s/gpio.log", fx->dir);
	snprintf(fx->path[2], PATH_MAX, "%s/images/blank.png",
	    src != NULL ? src : ".");
	snprintf(fx->path[3], PATH_MAX, "%s/control.sock", fx->dir);
	config_defaults(&fx->base);
	gate_fx_set(&fx->base, "camera", "backend", "file");
	gate_fx_set(&fx->base, "camera", "source", fx->path[2]);
	gate_fx_set(&fx->base, "camera", "loop", "true");
	gate_fx_set(&fx->base, "gpio", "backend", "sim");
	gate_fx_set(&fx->base, "gpio", "sim_log", fx->path[1]);
	gate_fx_set(&fx->base, "store", "path", fx->path[0]);
	gate_fx_set(&fx->base, "control", "socket", fx->path[3]);
	if (exit_lane)
		gate_fx_set(&fx->base, "lane", "exit", "true");
	if (loop_init(&fx->loop) == -1)
		return -1;
	gate_fx_open(fx);
	return 0;
}

/* Closes the gate and the loop and removes the directory. */
static void
gate_fx_done(struct gate_fx *fx)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;

	gate_fx_close(fx);
	loop_done(&fx->loop);
	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", fx->dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(fx->dir);
}

static int
gate_fx_setup_lane(void **state, bool exit_lane)
{
	struct gate_fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	*state = fx;
	return gate_fx_init(fx, exit_lane);
}

/* cmocka setups for a bare struct gate_fx: the default lane, or exit. */
__attribute__((unused)) static int
gate_fx_setup(void **state)
{
	return gate_fx_setup_lane(state, false);
}

__attribute__((unused)) static int
gate_fx_setup_exit(void **state)
{
	return gate_fx_setup_lane(state, true);
}

__attribute__((unused)) static int
gate_fx_teardown(void **state)
{
	gate_fx_done(*state);
	free(*state);
	return 0;
}

#endif /* GATE_FIXTURE_H */
