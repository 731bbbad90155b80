#include "control.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "util.h"

/*
 * The answer to lockdown and normal: the state the ways are in now, so
 * that "ok" is never read as "locked" while the fire alarm (people
 * first) holds them free.
 */
static json_t *
control_mode_reply(const struct gate *g)
{
	json_t *ways = json_object();

	for (int d = 0; d < DIR_COUNT; d++)
		if (lane_way_enabled(&g->lane, d))
			json_object_set_new(ways, direction_name(d),
			    json_string(way_state_name(g->lane.way[d].state)));
	return json_pack("{s:b, s:b, s:b, s:o}", "ok", 1, "lockdown",
	    g->lockdown, "fire_alarm", g->lane.fire, "ways", ways);
}

json_t *
control_request(struct gate *g, const char *line)
{
	char err[160];
	int dir;

	if (strcmp(line, "status") == 0)
		return gate_status_json(g);
	if (strncmp(line, "open ", 5) == 0) {
		if ((dir = direction_from_name(line + 5)) == -1)
			return json_pack("{s:b, s:s}", "ok", 0, "error", "open entry|exit");
		if (gate_remote_open(g, dir, err, sizeof(err)) == -1)
			return json_pack("{s:b, s:s}", "ok", 0, "error", err);
		return json_pack("{s:b, s:s}", "ok", 1, "opened", direction_name(dir));
	}
	if (strcmp(line, "lockdown") == 0 || strcmp(line, "normal") == 0) {
		/* A lockdown ends a release (gate_set_lockdown); "normal"
		 * means what it says over MQTT too: no lockdown, no release. */
		gate_set_lockdown(g, line[0] == 'l');
		if (line[0] == 'n')
			gate_set_release(g, false);
		return control_mode_reply(g);
	}
	return json_pack("{s:b, s:s}", "ok", 0, "error", "unknown request");
}

static void
control_client_close(struct control_client *cl)
{
	loop_timer_cancel(cl->ctl->loop, &cl->timeout);
	loop_fd_del(cl->ctl->loop, &cl->fd);
	close(cl->fd.fd);
	cl->fd.fd = -1;
	cl->len = 0;
}

/* Root, our own user, or a member of the control group. */
static bool
control_peer_allowed(const struct control *c, int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	struct passwd *pw;
	gid_t groups[64];
	int ngroups = 64;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return false;
	if (uc.uid == 0 || uc.uid == geteuid() || uc.gid == c->group)
		return true;
	if ((pw = getpwuid(uc.uid)) == NULL)
		return false;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) == -1)
		return false;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == c->group)
			return true;
	return false;
}

static void
control_client_event(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct control_client *cl = container_of(fd, struct control_client, fd);
	char *nl, *text;
	json_t *reply;
	ssize_t n;

	(void)l;
	(void)events;
	n = read(fd->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		control_client_close(cl);
		return;
	}
	cl->len += n;
	cl->buf[cl->len] = '\0';
	if ((nl = strchr(cl->buf, '\n')) == NULL) {
		if (cl->len == sizeof(cl->buf) - 1)
			control_client_close(cl);
		return;
	}
	*nl = '\0';
	reply = control_request(cl->ctl->gate, cl->buf);
	text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (text != NULL) {
		/* Replies are a few hundred bytes: one write to a fresh socket
		 * buffer takes all of it, so the loop never waits here. */
		if (send(fd->fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT) == -1 ||
		    send(fd->fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
			log_warn("control: reply");
		free(text);
	}
	control_client_close(cl);
}

/* A client that did not send its line in time gives its slot back. */
static void
control_client_timeout(struct loop *l, struct loop_timer *t)
{
	struct control_client *cl = container_of(t, struct control_client, timeout);

	(void)l;
	log_debug("control: a client sent no request within %d ms: dropped",
	    cl->ctl->timeout_ms);
	control_client_close(cl);
}

static void
control_accept(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct control *c = container_of(fd, struct control, listen);
	struct control_client *cl = NULL, *oldest = NULL;
	int s;

	(void)events;
	s = accept4(fd->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s == -1)
		return;
	if (!control_peer_allowed(c, s)) {
		log_warnx("control: connection refused: peer not root nor in the control group");
		close(s);
		return;
	}
	for (int i = 0; i < CONTROL_CLIENTS && cl == NULL; i++) {
		if (c->client[i].fd.fd == -1)
			cl = &c->client[i];
		else if (oldest == NULL ||
		    c->client[i].accepted_ns < oldest->accepted_ns)
			oldest = &c->client[i];
	}
	if (cl == NULL) {
		/* The newest client is the one likely to be waiting for an
		 * answer; the oldest has had its time. */
		log_warnx("control: %d clients connected: the oldest dropped",
		    CONTROL_CLIENTS);
		control_client_close(oldest);
		cl = oldest;
	}
	cl->fd.fd = s;
	cl->len = 0;
	cl->accepted_ns = clock_mono_ns();
	if (loop_fd_add(l, &cl->fd, EPOLLIN) == -1) {
		close(s);
		cl->fd.fd = -1;
		return;
	}
	loop_timer_set(l, &cl->timeout, c->timeout_ms);
}

int
control_open(struct control *c, struct loop *l, struct gate *g,
    const char *path, const char *group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *gr;
	int s;

	memset(c, 0, sizeof(*c));
	c->loop = l;
	c->gate = g;
	c->listen.fd = -1;
	c->listen.cb = control_accept;
	c->timeout_ms = CONTROL_TIMEOUT_MS;
	for (int i = 0; i < CONTROL_CLIENTS; i++) {
		c->client[i].ctl = c;
		c->client[i].fd.fd = -1;
		c->client[i].fd.cb = control_client_event;
		c->client[i].timeout.cb = control_client_timeout;
	}
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(c->path)) {
		log_warnx("control: socket path too long: %s", path);
		return -1;
	}
	c->group = getegid();
	if (group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			log_warnx("control: no such group: %s", group);
			return -1;
		}
		c->group = gr->gr_gid;
	}
	strcpy(sa.sun_path, path);
	strcpy(c->path, path);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control: socket");
		return -1;
	}
	/* A socket file left by a daemon that died is stale: qrgated holds
	 * its database's lock before it gets here, so no other daemon of this
	 * gate is listening on it. */
	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    chmod(path, 0660) == -1) {
		log_warn("control: %s", path);
		close(s);
		return -1;
	}
	/* Only root may give a file to a group it is not in. */
	if (chown(path, (uid_t)-1, c->group) == -1) {
		if (errno == EPERM)
			log_warnx("control: %s cannot be given to group %s: "
			    "the daemon's user must be a member of it "
			    "(SupplementaryGroups= in a drop-in)", path, group);
		else
			log_warn("control: %s", path);
		close(s);
		unlink(path);
		return -1;
	}
	if (listen(s, 8) == -1) {
		log_warn("control: %s", path);
		close(s);
		return -1;
	}
	c->listen.fd = s;
	if (loop_fd_add(l, &c->listen, EPOLLIN) == -1) {
		control_close(c);
		return -1;
	}
	return 0;
}

void
control_close(struct control *c)
{
	for (int i = 0; i < CONTROL_CLIENTS; i++)
		if (c->client[i].fd.fd != -1)
			control_client_close(&c->client[i]);
	if (c->listen.fd != -1) {
		loop_fd_del(c->loop, &c->listen);
		close(c->listen.fd);
		unlink(c->path);
	}
	c->listen.fd = -1;
}
