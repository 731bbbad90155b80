/*
 * qrgated: the turnstile gate daemon.  Parses the config, takes the gate's
 * lock, opens the gate, the MQTT client and the control socket, and runs
 * the one loop until SIGTERM or SIGINT.  SIGHUP reloads the config: all of
 * it or none.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "loop.h"
#include "mqtt.h"
#include "notify.h"
#include "sitetime.h"
#include "util.h"

#define MAX_OVERRIDES 64

struct daemon {
	const char *config_path;
	const char *overrides[MAX_OVERRIDES];
	int n_overrides;
	struct loop loop;
	struct gate gate;
	struct mqtt mqtt;
	struct control control;
	struct notify notify;
	struct loop_fd sigfd;
	int lockfd;
};

/* Asked for (-h, --help): stdout and 0; after a mistake: stderr and 2. */
static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: qrgated [-dEhnV] [-c FILE] [-o section.key=value]...\n"
	    "  -c FILE   config file (default " QRGATE_SYSCONFDIR "/qrgate.conf)\n"
	    "  -n        check the config, print \"configuration OK\" or every error\n"
	    "  -o S.K=V  override one setting (repeatable)\n"
	    "  -d        debug logging\n"
	    "  -E        print the annotated config of every setting at its default\n"
	    "  -V        print the version\n"
	    "  -h        this text (also --help)\n");
	exit(status);
}

static int
daemon_load_config(const struct daemon *d, struct config *cfg)
{
	struct config_errors errs;

	if (config_load(cfg, d->config_path, d->overrides, d->n_overrides, &errs) == 0)
		return 0;
	for (int i = 0; i < errs.count && i < CONFIG_MAX_ERRORS; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	if (errs.count > CONFIG_MAX_ERRORS)
		fprintf(stderr, "... and %d more errors\n", errs.count - CONFIG_MAX_ERRORS);
	return -1;
}

/*
 * -n: a database that is there must be one SQLite can read whole, or the
 * daemon would set it aside at start.  Read only: nothing is moved and
 * the file is not written (SQLite may make an empty -wal and -shm to read
 * a WAL database).  None yet (a new install) is fine; one this user may
 * not read is said, not counted as an error.
 */
static int
daemon_check_store(const char *path)
{
	char why[512];
	struct stat sb;

	if (stat(path, &sb) == -1 && errno == ENOENT)
		return 0;
	switch (store_probe(path, why, sizeof(why))) {
	case 1:
		fprintf(stderr, "store.path: not a readable database: %s; "
		    "qrgated would set it aside and start on an empty one\n",
		    why);
		return -1;
	case -1:
		fprintf(stderr, "store.path: not checked: %s\n", why);
		break;
	}
	return 0;
}

static void
daemon_reload(struct daemon *d)
{
	struct config cfg;
	char err[256];

	log_info("SIGHUP: reloading %s", d->config_path);
	cfg = d->gate.cfg;
	if (daemon_load_config(d, &cfg) == -1) {
		log_warnx("reload: config rejected; the running config stays");
		return;
	}
	if (gate_reload(&d->gate, &cfg, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; the running config stays", err);
		return;
	}
	/* The pushed settings go back on top of the new file. */
	inbound_set_base(&d->gate, &cfg);
	if (strcmp(cfg.site.timezone, sitetime_zone()) != 0)
		log_warnx("reload: site.timezone %s takes effect at the next "
		    "start; the gate shows %s until then", cfg.site.timezone,
		    sitetime_zone());
	log_info("reload: new config applied");
}

static void
daemon_signal(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct daemon *d = container_of(fd, struct daemon, sigfd);
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			daemon_reload(d);
		} else {
			log_info("signal %d: stopping", (int)si.ssi_signo);
			loop_stop(l);
		}
	}
}

/*
 * One daemon per database: a second one would fight the first over the
 * relays and the control socket.  The lock dies with the process, so a
 * crash never leaves it behind.
 */
static int
daemon_lock(struct daemon *d, const char *store_path)
{
	char path[300];

	snprintf(path, sizeof(path), "%s.lock", store_path);
	d->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (d->lockfd == -1 && errno == ENOENT) {
		log_warnx("lock %s: %s: the directory of store.path is "
		    "missing (qrgated makes the database, not its directory)",
		    path, strerror(errno));
		return -1;
	}
	if (d->lockfd == -1) {
		log_warn("lock %s", path);
		return -1;
	}
	if (flock(d->lockfd, LOCK_EX | LOCK_NB) == -1) {
		log_warnx("another qrgated is running on %s", store_path);
		return -1;
	}
	return 0;
}

static int
daemon_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->sigfd.cb = daemon_signal;
	if (d->sigfd.fd == -1)
		return -1;
	return loop_fd_add(&d->loop, &d->sigfd, EPOLLIN);
}

static void
daemon_fatal_hook(void *arg)
{
	gate_make_safe(arg);
}

int
main(int argc, char **argv)
{
	static struct daemon d;	/* static: main's state outlives every callback */
	struct config cfg;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool check_only = false;
	char err[256];
	int ch, rc;

	d.config_path = QRGATE_SYSCONFDIR "/qrgate.conf";
	d.lockfd = -1;
	log_init("qrgated", LOG_LVL_INFO);
	while ((ch = getopt_long(argc, argv, "c:dEhno:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'd':
			d.overrides[d.n_overrides++] = "log.level=debug";
			break;
		case 'E':
			config_write_example(stdout);
			return 0;
		case 'h':
			usage(0);
			break;
		case 'n':
			check_only = true;
			break;
		case 'o':
			if (d.n_overrides == MAX_OVERRIDES)
				fatalx("too many -o options");
			d.overrides[d.n_overrides++] = optarg;
			break;
		case 'V':
			printf("qrgated %s\n", QRGATE_VERSION);
			return 0;
		default:
			usage(2);
		}
		if (d.n_overrides == MAX_OVERRIDES)
			fatalx("too many -o options");
	}
	if (optind != argc)
		usage(2);

	if (daemon_load_config(&d, &cfg) == -1)
		return 1;
	if (check_only) {
		rc = config_probe(&cfg, stderr);
		if (daemon_check_store(cfg.store.path) == -1 || rc == -1)
			return 1;
		printf("configuration OK\n"
		    "not checked: the broker is reachable (mqtt), the camera "
		    "gives frames, the GPIO lines are free, the daemon's user "
		    "may write its files\n");
		return 0;
	}
	log_init("qrgated", cfg.log.level);
	/* Every wall time the gate shows (the screen's clock) is the
	 * site's.  Set once, before any thread starts: setenv() races a
	 * thread that reads the environment. */
	if (sitetime_zone_use(cfg.site.timezone, err, sizeof(err)) == -1)
		fatalx("site.timezone: %s", err);

	if (daemon_lock(&d, cfg.store.path) == -1)
		return 1;
	if (loop_init(&d.loop) == -1 || daemon_signals(&d) == -1)
		fatal("event loop");
	if (gate_open(&d.gate, &d.loop, &cfg) == -1)
		fatalx("gate: could not start");
	log_set_fatal_hook(daemon_fatal_hook, &d.gate);
	inbound_set_base(&d.gate, &cfg);
	if (inbound_restore(&d.gate) == -1)
		log_warnx("pushed settings could not be read; running without them");
	/* After the pushes: it connects with the settings in effect. */
	if (mqtt_open(&d.mqtt, &d.loop, &d.gate) == -1)
		fatalx("mqtt: could not start");
	if (control_open(&d.control, &d.loop, &d.gate, cfg.control.socket,
	    cfg.control.group) == -1)
		fatalx("control socket: could not start");
	log_info("gate %s lane %s running (%s camera, %s gpio, %s)", cfg.gate.id,
	    cfg.gate.lane, cfg.camera.backend, cfg.gpio.backend, cfg.store.path);
	/* Camera, GPIO and database are up: systemd may start what needs us. */
	notify_ready(&d.notify, &d.loop, &d.gate);
	notify_status("gate %s lane %s: running", cfg.gate.id, cfg.gate.lane);

	rc = loop_run(&d.loop);

	notify_stopping(&d.notify);
	log_set_fatal_hook(NULL, NULL);
	/* The relays first; then up to two seconds to say "offline". */
	gate_make_safe(&d.gate);
	mqtt_close(&d.mqtt);
	control_close(&d.control);
	inbound_close(&d.gate);
	gate_close(&d.gate);
	loop_done(&d.loop);
	log_info("stopped; relays de-energised");
	return rc == 0 ? 0 : 1;
}
