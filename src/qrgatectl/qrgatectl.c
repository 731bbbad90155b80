/*
 * qrgatectl: the gate's command-line tool.  Subcommands that read or change
 * the database work on the SQLite file directly (the daemon need not run);
 * status and open ask the running daemon through its control socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "sitetime.h"
#include "util.h"

#define MAX_OVERRIDES 64

static const struct {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
	const char *usage;
} ctl_commands[] = {
	{ "scan", ctl_scan, "scan [--json] FILE...          decode image files as the daemon does" },
	{ "events", ctl_events, "events [--since T] [--json|--csv] [--trace]   the entry/exit log" },
	{ "cred", ctl_cred, "cred add|del|list|import|enroll-cccd ...   the credential list" },
	{ "status", ctl_status, "status [--json]                the running daemon's state" },
	{ "open", ctl_open, "open entry|exit                release one way for one passage" },
	{ "lockdown", ctl_lockdown, "lockdown                       deny every code until 'normal'" },
	{ "normal", ctl_lockdown, "normal                         end a lockdown" },
	{ "floor", ctl_floor, "floor [--set now|T]            the gate's time floor (the daemon stopped to set it)" },
	{ "push", ctl_push, "push config|site-config|credentials|patch|cmd ...   sign and send over MQTT" },
	{ "keygen", ctl_keygen, "keygen [--secret] FILE         make an Ed25519 key pair: FILE, FILE.pub; or a site secret" },
	{ "badge", ctl_badge, "badge ID --key F --serial N --expires T [--png F]   a signed badge token" },
	{ "token", ctl_token, "token ID --key F [--step-s S] [--at T] [--png F]   a dynamic token" },
};

static int
ctl_config_optional(const char *cmd)
{
	return strcmp(cmd, "scan") == 0 || strcmp(cmd, "keygen") == 0 ||
	    strcmp(cmd, "badge") == 0 || strcmp(cmd, "token") == 0 ||
	    strcmp(cmd, "push") == 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: qrgatectl [-c FILE] [-o section.key=value]... COMMAND ...\n");
	for (size_t i = 0; i < nitems(ctl_commands); i++)
		fprintf(stderr, "  %s\n", ctl_commands[i].usage);
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct ctl c;
	const char *overrides[MAX_OVERRIDES];
	struct config_errors errs;
	char zmsg[200];
	int n_overrides = 0, ch;

	log_init("qrgatectl", LOG_LVL_WARN);
	c.config_path = QRGATE_SYSCONFDIR "/qrgate.conf";
	/* "+": options stop at the subcommand, which has its own. */
	while ((ch = getopt(argc, argv, "+c:o:")) != -1) {
		switch (ch) {
		case 'c':
			c.config_path = optarg;
			break;
		case 'o':
			if (n_overrides == MAX_OVERRIDES)
				usage();
			overrides[n_overrides++] = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	/* A missing default config file is fine for scan, which needs only
	 * the decoder's defaults, and for the key and token commands, which
	 * need none (a badge printer has no gate's config). */
	if (access(c.config_path, F_OK) == -1 && ctl_config_optional(argv[0]) &&
	    n_overrides == 0)
		config_defaults(&c.cfg);
	else if (config_load(&c.cfg, c.config_path, overrides, n_overrides, &errs) == -1) {
		for (int i = 0; i < errs.count && i < CONFIG_MAX_ERRORS; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		return 1;
	}
	/* Every time a person types or reads is in the site's zone. */
	if (sitetime_zone_use(c.cfg.site.timezone, zmsg, sizeof(zmsg)) == -1) {
		fprintf(stderr, "qrgatectl: site.timezone: %s\n", zmsg);
		return 1;
	}
	for (size_t i = 0; i < nitems(ctl_commands); i++) {
		if (strcmp(argv[0], ctl_commands[i].name) == 0) {
			optind = 1;	/* the subcommand parses its own options */
			return ctl_commands[i].run(&c, argc, argv);
		}
	}
	fprintf(stderr, "qrgatectl: unknown command %s\n", argv[0]);
	usage();
}
