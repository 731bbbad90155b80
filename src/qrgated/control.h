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

/*
 * Clients connected at once, and how long one may take to send its line.
 * qrgatectl sends its line as it connects, so neither limit touches it;
 * they bound what idle or slow clients can hold: when every slot is
 * taken, the oldest client is dropped for the new one, and a client
 * whose line has not come within the timeout is dropped by a timer, so
 * no number of idle connections keeps `qrgatectl status` out.
 */
#define CONTROL_CLIENTS 16
#define CONTROL_TIMEOUT_MS 5000
#define CONTROL_LINE_MAX 256

struct control;

struct control_client {
	struct control *ctl;
	struct loop_fd fd;
	struct loop_timer timeout;
	int64_t accepted_ns;	/* the oldest goes first when full */
	char buf[CONTROL_LINE_MAX];
	size_t len;
};

struct control {
	struct loop *loop;
	struct gate *gate;
	struct loop_fd listen;
	char path[256];
	gid_t group;
	int timeout_ms;		/* CONTROL_TIMEOUT_MS; tests shorten it */
	struct control_client client[CONTROL_CLIENTS];
};

/* Binds path (replacing a stale socket).  Returns 0 or -1. */
int control_open(struct control *c, struct loop *l, struct gate *g,
    const char *path, const char *group);
void control_close(struct control *c);

/* Runs one request line against the gate; returns a new JSON reference. */
json_t *control_request(struct gate *g, const char *line);

#endif
