/*
 * qrgate-aggregator: the site aggregator daemon, and its CLI.
 *
 *	qrgate-aggregator [-d] [-c FILE]		run (in the foreground)
 *	qrgate-aggregator -n [-c FILE]			check the configuration
 *	qrgate-aggregator -E				print an example file
 *	qrgate-aggregator [-c FILE] COMMAND ...		trace, inside, events,
 *		daily, gates, alarms, gaps (agg_cli.c); user (agg_cli_user.c)
 *
 * One loop: the broker's socket, the web server's, a tick each second, and
 * SIGTERM/SIGINT through a signalfd.  Only main() dies.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sodium.h>

#include "agg.h"
#include "agg_cli.h"
#include "agg_confpush.h"
#include "agg_json.h"
#include "agg_query.h"
#include "agg_users.h"
#include "clock.h"
#include "log.h"
#include "util.h"

#ifndef QRGATE_SYSCONFDIR
#define QRGATE_SYSCONFDIR "/etc/qrgate"
#endif
#ifndef QRGATE_VERSION
#define QRGATE_VERSION "0"
#endif

#define AGG_DEFAULT_CONF QRGATE_SYSCONFDIR "/aggregator.conf"

struct agg_sig {
	struct loop_fd fd;
	struct agg *a;
};

/* As many -o as qrgated takes. */
#define AGG_MAX_OVERRIDES 64

/* Asked for (-h, --help): stdout and 0; after a mistake: stderr and 2. */
static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: qrgate-aggregator [-dh] [-c file] [-o section.key=value]\n"
	    "       qrgate-aggregator -n [-c file] [-o section.key=value] | -E\n"
	    "       qrgate-aggregator [-c file] [-o section.key=value] command [--db CONN] ...\n"
	    "commands:\n"
	    "  trace SUBJECT [--from T] [--to T] [--window 15m] [--people]\n"
	    "        [--csv|--json]\n"
	    "  inside [--site S] [--csv|--json]\n"
	    "  events [--site S] [--gate G] [--subject S] [--result R]\n"
	    "         [--from T] [--to T] [--limit N] [--csv|--json]\n"
	    "  daily [--date YYYY-MM-DD] [--csv|--json]\n"
	    "  gates | alarms [--all] | gaps [--all]   [--csv|--json]\n"
	    "  muster [--site S] [--pdf FILE] [--csv|--json]\n"
	    "  people add|edit|suspend|revoke|activate|import|list|badge|versions ...\n"
	    "        (qrgate-aggregator people: its usage)\n"
	    "  attendance --from DATE --to DATE [--group G] [--person ID]\n"
	    "        [--format table|csv|xlsx|json] [--out FILE]\n"
	    "  attendance shift|shifts|assign|correct ...   (its usage)\n"
	    "  audit [--limit N] [--csv|--json]\n"
	    "  user add NAME --roles ROLE[,ROLE...]   (the password on stdin)\n"
	    "  user list [--json]\n"
	    "  user roles NAME ROLE[,ROLE...]\n"
	    "  user passwd NAME   (the password on stdin)\n"
	    "  user disable NAME, user enable NAME, user del NAME\n"
	    "  (roles: guard, hr, security, it, tracer, admin)\n"
	    "  visitor add|list|cancel|pass|export ...   the visitor desk\n"
	    "  config-check --site S [--gate G]... FILE   (a config push)\n");
	exit(status);
}

static void
agg_tick(struct loop *l, struct loop_timer *t)
{
	struct agg *a = container_of(t, struct agg, tick);
	int64_t now = clock_utc_ms();

	agg_registry_tick(a, now);
	agg_people_push_tick(a, now);
	/* At most once a second, however many passages: the headcount is a
	 * query over the day's entries. */
	if (a->headcount_dirty && a->web != NULL) {
		struct agg_query_ctx ctx = { a->db, a->cfg.tracing,
		    a->cfg.heartbeat_s, a->cfg.inside_hours, now };
		json_t *in = agg_query_inside(&ctx, "");

		if (in != NULL) {
			json_object_del(in, "inside");
			agg_publish(a, "headcount", in);
		}
	}
	a->headcount_dirty = false;
	loop_timer_set(l, t, 1000);
}

static void
agg_signal(struct loop *l, struct loop_fd *f, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(f->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: stopping", si.ssi_signo);
			loop_stop(l);
		}
}

static int
agg_daemon(struct agg *a)
{
	struct loop l;
	struct agg_sig sig = { .a = a };
	struct agg_web_source src = { .api = agg_api, .arg = a };
	sigset_t mask;
	int rc;

	if (loop_init(&l) == -1)
		fatal("loop");
	a->loop = &l;
	if ((a->db = agg_db_open(a->cfg.db, false)) == NULL)
		fatalx("cannot open the database");
	log_info("database: %s", agg_db_backend(a->db));
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (sig.fd.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1)
		fatal("signalfd");
	sig.fd.cb = agg_signal;
	if (loop_fd_add(&l, &sig.fd, EPOLLIN) == -1)
		fatal("loop");
	if (a->cfg.web_enabled) {
		agg_users_source(&src, a->db);
		if ((a->web = agg_web_start(&l, &a->cfg.web, &src)) == NULL)
			fatalx("the web side would not start");
	}
	if ((a->mqtt = agg_mqtt_start(a)) == NULL)
		fatalx("mqtt would not start");
	if (agg_people_push_init(a) == -1)
		fatalx("people.credentials_key_file would not read");
	a->tick.cb = agg_tick;
	loop_timer_set(&l, &a->tick, 1000);
	log_info("qrgate-aggregator %s started", QRGATE_VERSION);
	rc = loop_run(&l);
	agg_mqtt_stop(a->mqtt);
	if (a->web != NULL)
		agg_web_stop(a->web);
	log_info("stopped: %lld messages, %lld events stored, %lld updated, "
	    "%lld duplicates, %lld rejected, %lld gaps opened, %lld closed",
	    (long long)a->stats.messages, (long long)a->stats.stored,
	    (long long)a->stats.updated, (long long)a->stats.duplicates,
	    (long long)a->stats.rejected, (long long)a->stats.gaps_opened,
	    (long long)a->stats.gaps_closed);
	agg_people_push_done(a);
	agg_db_close(a->db);
	loop_fd_del(&l, &sig.fd);
	close(sig.fd.fd);
	loop_done(&l);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static struct agg a;
	const char *conf = NULL, *overrides[AGG_MAX_OVERRIDES];
	bool check = false, debug = false;
	char zmsg[200];
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, n_overrides = 0;

	log_init("qrgate-aggregator", LOG_LVL_INFO);
	/* "+": options stop at the command, whose own follow it. */
	while ((ch = getopt_long(argc, argv, "+c:dno:Eh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'd': debug = true; break;
		case 'n': check = true; break;
		case 'o':
			if (n_overrides == AGG_MAX_OVERRIDES) {
				fprintf(stderr, "qrgate-aggregator: more than %d "
				    "-o options\n", AGG_MAX_OVERRIDES);
				return 1;
			}
			overrides[n_overrides++] = optarg;
			break;
		case 'E':
			agg_config_print_example();
			return 0;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (debug)
		log_set_level(LOG_LVL_DEBUG);
	/* The default file is optional; a named one must be there. */
	if (conf == NULL && access(AGG_DEFAULT_CONF, F_OK) == 0)
		conf = AGG_DEFAULT_CONF;
	if (agg_config_load(&a.cfg, conf, overrides, n_overrides) == -1)
		return 1;
	/* The commands' tables and the page's zone: the site's. */
	if (sitetime_zone_use(a.cfg.site.timezone, zmsg, sizeof(zmsg)) == -1) {
		fprintf(stderr, "qrgate-aggregator: site.timezone: %s\n", zmsg);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		return 0;
	}
	if (argc > 0 && strcmp(argv[0], "visitor") == 0)
		return agg_visitor_cli_run(&a.cfg, argc, argv);
	if (argc > 0 && strcmp(argv[0], "user") == 0)
		return agg_cli_user(&a.cfg, argc, argv);
	if (argc > 0 && strcmp(argv[0], "people") == 0)
		return agg_people_cli(&a.cfg, argc, argv);
	if (argc > 0 && strcmp(argv[0], "attendance") == 0)
		return agg_attendance_cli(&a.cfg, argc, argv);
	if (argc > 0 && strcmp(argv[0], "muster") == 0)
		return agg_muster_cli(&a.cfg, argc, argv);
	if (argc > 0 && strcmp(argv[0], "config-check") == 0)
		return agg_confpush_cli(a.cfg.db, argc, argv);
	if (argc > 0)
		return agg_cli_run(&a.cfg, argc, argv);
	return agg_daemon(&a);
}
