/*
 * The daemon's control socket: a Unix stream socket taking one request line
 * ("status", "open entry", "open exit", "lockdown", "normal") and answering
 * with one JSON document, then closing.  Only root, the daemon's own user
 * and members of control.group may connect: the socket file is mode 0660 in
 * that group, and each peer's credentials are checked again on accept.
 */
#ifndef QRGATE_CONTROL_H
#define QRGATE_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

#include "gate.h"
#include "loop.h"

#define CONTROL_CLIENTS 4
#define CONTROL_LINE_MAX 256

struct control;

struct control_client {
	struct control *ctl;
	struct loop_fd fd;
	char buf[CONTROL_LINE_MAX];
	size_t len;
};

struct control {
	struct loop *loop;
	struct gate *gate;
	struct loop_fd listen;
	char path[256];
	gid_t group;
	struct control_client client[CONTROL_CLIENTS];
};

/* Binds path (replacing a stale socket).  Returns 0 or -1. */
int control_open(struct control *c, struct loop *l, struct gate *g,
    const char *path, const char *group);
void control_close(struct control *c);

/* Runs one request line against the gate; returns a new JSON reference. */
json_t *control_request(struct gate *g, const char *line);

#endif
