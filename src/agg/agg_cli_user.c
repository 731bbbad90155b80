/*
 * qrgate-aggregator user add|list|roles|passwd|disable|enable|del: the
 * console's accounts from the command line, on the database directly,
 * whether or not the daemon runs.  A password is read from standard
 * input (one line; not echoed on a terminal), never from the command
 * line, where ps would show it.  Each change is an audit row by "cli".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "agg_cli.h"
#include "agg_db.h"
#include "agg_users.h"
#include "clock.h"

static int
cli_user_usage(void)
{
	fprintf(stderr, "usage: qrgate-aggregator user add NAME --roles "
	    "ROLE[,ROLE...]   (password on stdin)\n"
	    "       qrgate-aggregator user list [--json]\n"
	    "       qrgate-aggregator user roles NAME ROLE[,ROLE...]\n"
	    "       qrgate-aggregator user passwd NAME   (password on stdin)\n"
	    "       qrgate-aggregator user disable|enable|del NAME\n"
	    "roles: guard, hr, security, it, tracer, admin\n");
	return 2;
}

/* One line of standard input, without its end; -1 if none. */
static int
cli_password(char *pw, size_t len)
{
	struct termios t, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t) == 0;
	char *ok;

	if (tty) {
		fprintf(stderr, "password: ");
		quiet = t;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(pw, (int)len, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
		fprintf(stderr, "\n");
	}
	if (ok == NULL)
		return -1;
	pw[strcspn(pw, "\r\n")] = '\0';
	return pw[0] != '\0' ? 0 : -1;
}

static int
cli_user_list(struct agg_db *db, bool as_json)
{
	json_t *users = agg_user_list(db), *u, *r;
	size_t i, j;

	if (users == NULL)
		return 1;
	if (as_json) {
		json_dumpf(users, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		json_array_foreach(users, i, u) {
			printf("%-24s %s ", json_string_value(json_object_get(u,
			    "name")), json_is_true(json_object_get(u,
			    "disabled")) ? "disabled" : "enabled ");
			json_array_foreach(json_object_get(u, "roles"), j, r)
				printf("%s%s", j > 0 ? "," : "",
				    json_string_value(r));
			putchar('\n');
		}
	json_decref(users);
	return 0;
}

int
agg_cli_user(const struct agg_config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "roles", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conn = cfg->db, *roles_s = NULL, *verb, *name = NULL;
	char pw[256], rs[128], detail[256];
	unsigned roles = 0;
	bool as_json = false;
	struct agg_db *db;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'D': conn = optarg; break;
		case 'r': roles_s = optarg; break;
		case 'J': as_json = true; break;
		default: return cli_user_usage();
		}
	}
	/* getopt moved the operands last: VERB NAME [ROLES]. */
	if (optind >= argc)
		return cli_user_usage();
	verb = argv[optind];
	if (strcmp(verb, "list") != 0) {
		if (optind + 1 >= argc)
			return cli_user_usage();
		name = argv[optind + 1];
		if (!agg_user_name_ok(name)) {
			fprintf(stderr, "qrgate-aggregator user: \"%s\": a name "
			    "is 1 to 63 of letters, digits and ._@-\n", name);
			return 2;
		}
	}
	if (strcmp(verb, "roles") == 0)
		roles_s = optind + 2 < argc ? argv[optind + 2] : NULL;
	if ((strcmp(verb, "add") == 0 || strcmp(verb, "roles") == 0) &&
	    (roles_s == NULL || agg_web_roles_parse(roles_s, &roles) == -1)) {
		fprintf(stderr, "qrgate-aggregator user: roles are guard, hr, "
		    "security, it, tracer, admin, separated by commas\n");
		return 2;
	}
	if ((strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) &&
	    cli_password(pw, sizeof(pw)) == -1) {
		fprintf(stderr, "qrgate-aggregator user: no password on "
		    "standard input\n");
		return 2;
	}
	if ((db = agg_db_open(conn, strcmp(verb, "list") == 0)) == NULL)
		return 1;
	agg_web_roles_format(roles, rs, sizeof(rs));
	detail[0] = '\0';
	if (strcmp(verb, "list") == 0) {
		rc = cli_user_list(db, as_json);
		agg_db_close(db);
		return rc;
	} else if (strcmp(verb, "add") == 0) {
		rc = agg_user_add(db, name, roles, pw);
		snprintf(detail, sizeof(detail), "added user %s (%s)", name, rs);
	} else if (strcmp(verb, "roles") == 0) {
		rc = agg_user_roles(db, name, roles);
		snprintf(detail, sizeof(detail), "roles of %s: %s", name,
		    rs[0] != '\0' ? rs : "none");
	} else if (strcmp(verb, "passwd") == 0) {
		rc = agg_user_passwd(db, name, pw);
		snprintf(detail, sizeof(detail), "new password for %s", name);
	} else if (strcmp(verb, "disable") == 0 ||
	    strcmp(verb, "enable") == 0) {
		rc = agg_user_disable(db, name, verb[0] == 'd');
		snprintf(detail, sizeof(detail), "%sd user %s", verb, name);
	} else if (strcmp(verb, "del") == 0) {
		rc = agg_user_del(db, name);
		snprintf(detail, sizeof(detail), "deleted user %s", name);
	} else {
		agg_db_close(db);
		return cli_user_usage();
	}
	sodium_memzero(pw, sizeof(pw));
	if (rc == 0 && agg_audit_add(db, clock_utc_ms(), NULL, "user", detail)
	    == -1)
		rc = -1;
	agg_db_close(db);
	switch (rc) {
	case 0:
		return 0;
	case AGG_USER_EXISTS:
		fprintf(stderr, "qrgate-aggregator user: %s exists\n", name);
		return 1;
	case AGG_USER_NONE:
		fprintf(stderr, "qrgate-aggregator user: no user %s\n", name);
		return 1;
	case AGG_USER_BAD:
		fprintf(stderr, "qrgate-aggregator user: an empty password, or "
		    "one longer than 255 bytes\n");
		return 2;
	default:
		return 1;
	}
}
