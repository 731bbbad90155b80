/*
 * qrgatectl: the gate's command-line tool.  Subcommands that read or change
 * the database work on the SQLite file directly (the daemon need not run);
 * status and open ask the running daemon through its control socket.
 */
#include <errno.h>
#include <getopt.h>
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
	void (*forms)(FILE *f);	/* every form, for those with subcommands */
} ctl_commands[] = {
	{ "scan", ctl_scan, "scan [--json] FILE...          decode image files as the daemon does", NULL },
	{ "events", ctl_events, "events [--since T] [--json|--csv] [--trace]   the entry/exit log", NULL },
	{ "cred", ctl_cred, "cred add|del|list|import|enroll-cccd ...   the credential list", ctl_cred_usage },
	{ "schedule", ctl_schedule, "schedule add|del|list|import|group|holiday ...   when credentials may enter", ctl_schedule_usage },
	{ "status", ctl_status, "status [--json]                the running daemon's state", NULL },
	{ "open", ctl_open, "open entry|exit                release one way for one passage", NULL },
	{ "lockdown", ctl_lockdown, "lockdown                       deny every code until 'normal'", NULL },
	{ "normal", ctl_lockdown, "normal                         end a lockdown", NULL },
	{ "floor", ctl_floor, "floor [--set now|T]            the gate's time floor (the daemon stopped to set it)", NULL },
	{ "push", ctl_push, "push config|site-config|credentials|site-credentials|patch|cmd ...   sign and send over MQTT (--csv FILE: a credential list)", ctl_push_usage },
	{ "keygen", ctl_keygen, "keygen [--secret] FILE         make an Ed25519 key pair: FILE, FILE.pub; or a site secret", NULL },
	{ "badge", ctl_badge, "badge ID --key F --serial N --expires T [--png F]   a signed badge token", NULL },
	{ "token", ctl_token, "token ID --key F [--step-s S] [--at T] [--png F]   a dynamic token", NULL },
	{ "visitor-pass", ctl_visitor_pass, "visitor-pass ID --key F [--lanes L] [--from T] [--until T] [--png F]   a visitor's pass", NULL },
	{ "screen", ctl_screen, "screen STATE [--reason R] [--way W] [--name N] [--png F] [--bench N]   draw the lane's screen as the gate does", NULL },
	{ "prompt", ctl_prompt, "prompt [NAME...] [--bench]     the lane's spoken prompts and their words; --bench: synthesise each", NULL },
	{ "site", ctl_site, "site init|add-gate|add-aggregator|renew DIR ...   a site's certificates and configs", ctl_site_usage },
};

static int
ctl_config_optional(const char *cmd)
{
	return strcmp(cmd, "scan") == 0 || strcmp(cmd, "keygen") == 0 ||
	    strcmp(cmd, "badge") == 0 || strcmp(cmd, "token") == 0 ||
	    strcmp(cmd, "visitor-pass") == 0 ||
	    strcmp(cmd, "push") == 0 || strcmp(cmd, "site") == 0 ||
	    strcmp(cmd, "screen") == 0 || strcmp(cmd, "prompt") == 0;
}

/* Asked for (--help, help): stdout and 0; after a mistake: stderr and 2. */
static void
usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f, "usage: qrgatectl [-c FILE] [-o section.key=value]... COMMAND ...\n");
	for (size_t i = 0; i < nitems(ctl_commands); i++)
		fprintf(f, "  %s\n", ctl_commands[i].usage);
	fprintf(f, "  help [COMMAND]                 this text, or one command's\n");
	exit(status);
}

/* A help option among a command's arguments ("cred add --help"); "-h"
 * only right after the command or its subcommand, where no value can be. */
static bool
ctl_help_asked(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    (i <= 2 && strcmp(argv[i], "-h") == 0))
			return true;
	return false;
}

/* "help COMMAND" and "COMMAND [SUBCOMMAND] --help": that command's line,
 * or every form of one with subcommands, before any config is read, so
 * that help works on a machine with none. */
static int
ctl_help(const char *cmd)
{
	for (size_t i = 0; i < nitems(ctl_commands); i++) {
		if (strcmp(cmd, ctl_commands[i].name) != 0)
			continue;
		if (ctl_commands[i].forms != NULL)
			ctl_commands[i].forms(stdout);
		else
			printf("usage: qrgatectl [-c FILE] [-o section.key=value]... "
			    "%s\n", ctl_commands[i].usage);
		printf("See qrgatectl(1).\n");
		return 0;
	}
	fprintf(stderr, "qrgatectl: unknown command %s\n", cmd);
	usage(2);
	return 2;
}

int
main(int argc, char **argv)
{
	static struct ctl c;
	const char *overrides[MAX_OVERRIDES];
	struct config_errors errs;
	char zmsg[200];
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int n_overrides = 0, ch;
	bool named = false;

	log_init("qrgatectl", LOG_LVL_WARN);
	c.config_path = QRGATE_SYSCONFDIR "/qrgate.conf";
	/* "+": options stop at the subcommand, which has its own. */
	while ((ch = getopt_long(argc, argv, "+c:ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c.config_path = optarg;
			named = true;
			break;
		case 'h':
			usage(0);
			break;
		case 'o':
			if (n_overrides == MAX_OVERRIDES)
				usage(2);
			overrides[n_overrides++] = optarg;
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(2);
	if (strcmp(argv[0], "help") == 0) {
		if (argc > 1)
			return ctl_help(argv[1]);
		usage(0);
	}
	if (ctl_help_asked(argc, argv))
		return ctl_help(argv[0]);

	/* A missing config file is fine for scan, which needs only the
	 * decoder's defaults and the -o given, and for the key and token
	 * commands, which need none (a badge printer has no gate's config).
	 * The others read the gate's store or socket from it: say which file
	 * is missing and how to name another, not only "cannot open". */
	if (access(c.config_path, F_OK) == -1) {
		int e = errno;

		if (ctl_config_optional(argv[0])) {
			c.config_path = NULL;
		} else {
			fprintf(stderr, "qrgatectl: %s: %s; %s reads the gate's "
			    "store and socket from its config: %s\n",
			    c.config_path, strerror(e), argv[0], named ?
			    "check the path given to -c" :
			    "name another with -c FILE");
			return 1;
		}
	}
	if (config_load(&c.cfg, c.config_path, overrides, n_overrides, &errs) == -1) {
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
	usage(2);
}
