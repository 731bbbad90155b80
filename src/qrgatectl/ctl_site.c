/*
 * qrgatectl site: a site provisioned from one directory on the admin's
 * machine.  init makes the site's CA, the broker's certificate, config
 * and ACL, the back office's certificate, config and admin signing key;
 * add-gate and add-aggregator each make one client's key, certificate and
 * config in a directory of their own, to be copied whole to that machine;
 * renew certifies a key again.  Files are written by ctl_site_file.c:
 * keys 0600, never over a file already there without --force.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ctl.h"
#include "ctl_site.h"
#include "keyfile.h"

#define SITE_DAYS_DEFAULT	365
#define SITE_CA_DAYS_DEFAULT	3650
#define SITE_DAYS_MAX		36500
#define SITE_PORT_DEFAULT	8883
#define SITE_BROKER_DIR		"/etc/mosquitto/qrgate"
#define SITE_CONF_DIR		QRGATE_SYSCONFDIR

/* The options of every site command; each takes the ones it needs. */
struct site_opts {
	const char *dns[SITE_NAMES_MAX], *ips[SITE_NAMES_MAX];
	int ndns, nips;
	const char *site, *prefix, *broker_dir, *conf_dir;
	int days, ca_days, port;
	bool new_key;
};

void
ctl_site_usage(FILE *f)
{
	fprintf(f,
	    "usage: qrgatectl site init DIR --site NAME [--prefix P] "
	    "--broker-name HOST... --broker-ip IP...\n"
	    "                 [--port N] [--days N] [--ca-days N] "
	    "[--broker-dir D] [--force]\n"
	    "       qrgatectl site add-gate DIR NAME [--days N] "
	    "[--conf-dir D] [--force]\n"
	    "       qrgatectl site add-aggregator DIR NAME [--days N] "
	    "[--conf-dir D] [--force]\n"
	    "       qrgatectl site renew DIR broker|ops|NAME [--days N] "
	    "[--new-key]\n");
}

static int
site_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi) {
		fprintf(stderr, "qrgatectl: site: %s not in %d..%d\n", v, lo,
		    hi);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* Options anywhere after the command; the words left in argv[1..]. */
static int
site_opts_parse(struct site *s, struct site_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "site", required_argument, NULL, 's' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "broker-name", required_argument, NULL, 'n' },
		{ "broker-ip", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "days", required_argument, NULL, 'd' },
		{ "ca-days", required_argument, NULL, 'D' },
		{ "broker-dir", required_argument, NULL, 'b' },
		{ "conf-dir", required_argument, NULL, 'c' },
		{ "new-key", no_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->prefix = "qrgate";
	o->days = SITE_DAYS_DEFAULT;
	o->ca_days = SITE_CA_DAYS_DEFAULT;
	o->port = SITE_PORT_DEFAULT;
	o->broker_dir = SITE_BROKER_DIR;
	o->conf_dir = SITE_CONF_DIR;
	/* "-": words in order, so options may follow DIR and NAME. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		switch (ch) {
		case 1:		/* a word: site_words() takes them */
			break;
		case 's':
			o->site = optarg;
			break;
		case 'P':
			o->prefix = optarg;
			break;
		case 'n':
		case 'i':
			if ((ch == 'n' ? o->ndns : o->nips) == SITE_NAMES_MAX) {
				fprintf(stderr, "qrgatectl: site: at most %d "
				    "of each\n", SITE_NAMES_MAX);
				return -1;
			}
			if (ch == 'i' && !site_ip_ok(optarg)) {
				fprintf(stderr, "qrgatectl: site: %s is not an "
				    "IP address\n", optarg);
				return -1;
			}
			if (ch == 'n')
				o->dns[o->ndns++] = optarg;
			else
				o->ips[o->nips++] = optarg;
			break;
		case 'p':
			if (site_int(optarg, 1, 65535, &o->port) == -1)
				return -1;
			break;
		case 'd':
		case 'D':
			if (site_int(optarg, 1, SITE_DAYS_MAX, ch == 'd' ?
			    &o->days : &o->ca_days) == -1)
				return -1;
			break;
		case 'b':
			o->broker_dir = optarg;
			break;
		case 'c':
			o->conf_dir = optarg;
			break;
		case 'k':
			o->new_key = true;
			break;
		case 'f':
			s->force = true;
			break;
		default:
			ctl_site_usage(stderr);
			return -1;
		}
	}
	return 0;
}

/* The words of argv that are not options, in order. */
static int
site_words(int argc, char **argv, const char **w, int max)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			/* Its value, unless it takes none or is --x=v. */
			if (strchr(argv[i], '=') == NULL &&
			    strcmp(argv[i], "--force") != 0 &&
			    strcmp(argv[i], "--new-key") != 0)
				i++;
			continue;
		}
		if (n == max)
			return -1;
		w[n++] = argv[i];
	}
	return n;
}

/* A copy of dir/from at dir/to (a certificate: 0644). */
static int
site_copy(const struct site *s, const char *from, const char *to)
{
	char path[1024], buf[16384];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", s->dir, from);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgatectl: site: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n == 0 || n == sizeof(buf)) {
		fprintf(stderr, "qrgatectl: site: %s: not one certificate\n",
		    path);
		return -1;
	}
	return site_file_write(s, to, buf, n, 0644, (gid_t)-1);
}

/* The group of user, when it exists here and we may give files to it. */
static gid_t
site_group_of(const char *user)
{
	struct passwd *pw = getpwnam(user);

	return pw != NULL && geteuid() == 0 ? pw->pw_gid : (gid_t)-1;
}

/* Tells who must read a key, and whether it was seen to. */
static void
site_key_owner(const char *path, const char *user, gid_t g)
{
	if (g != (gid_t)-1)
		printf("%s: group %s, mode 0640: %s reads it\n", path, user,
		    user);
	else
		printf("%s: mode 0600; where it is installed, %s must read "
		    "it:\n  chgrp %s KEY && chmod 0640 KEY\n", path, user, user);
}

static int
site_init(struct site *s, struct site_opts *o)
{
	struct site_cert_req ca = { .kind = SITE_CERT_CA, .days = o->ca_days };
	struct site_cert_req broker = { .kind = SITE_CERT_SERVER,
	    .dns = o->dns, .ndns = o->ndns, .ips = o->ips, .nips = o->nips,
	    .days = o->days };
	struct site_cert_req ops = { .kind = SITE_CERT_CLIENT, .cn = "ops",
	    .days = o->days };
	char cn[128], ops_dir[PATH_MAX + 8], path[PATH_MAX + 32],
	    err[512];
	gid_t mg;

	if (o->site == NULL || !site_name_ok(o->site, SITE_NAME_MAX) ||
	    !site_name_ok(o->prefix, SITE_NAME_MAX)) {
		fprintf(stderr, "qrgatectl: site: --site (and --prefix) of "
		    "letters, digits, '-' and '_' are needed\n");
		return 2;
	}
	if (o->ndns + o->nips == 0) {
		fprintf(stderr, "qrgatectl: site: the broker's names "
		    "(--broker-name, --broker-ip) are needed: the clients "
		    "check them\n");
		return 2;
	}
	snprintf(s->name, sizeof(s->name), "%s", o->site);
	snprintf(s->prefix, sizeof(s->prefix), "%s", o->prefix);
	snprintf(s->host, sizeof(s->host), "%s", o->ndns > 0 ? o->dns[0] :
	    o->ips[0]);
	s->port = o->port;
	if (!s->force && site_file_exists(s, "site.conf")) {
		fprintf(stderr, "qrgatectl: site: %s holds a site already "
		    "(--force to make it again: every certificate then "
		    "changes)\n", s->dir);
		return 1;
	}
	if ((mkdir(s->dir, 0755) == -1 && errno != EEXIST) ||
	    realpath(s->dir, path) == NULL) {
		fprintf(stderr, "qrgatectl: site: %s: %s\n", s->dir,
		    strerror(errno));
		return 1;
	}
	if (strlen(path) >= sizeof(s->dir) - 64) {
		fprintf(stderr, "qrgatectl: site: %s: too long\n", path);
		return 1;
	}
	memcpy(s->dir, path, strlen(path) + 1);
	snprintf(ops_dir, sizeof(ops_dir), "%s/ops", s->dir);
	snprintf(cn, sizeof(cn), "qrgate CA %s", s->name);
	ca.cn = cn;
	broker.cn = s->host;
	mg = site_group_of("mosquitto");
	snprintf(path, sizeof(path), "%s/ops/admin.sk", s->dir);
	if (s->force) {
		(void)unlink(path);
		strcat(path, ".pub");
		(void)unlink(path);
		path[strlen(path) - 4] = '\0';
	}
	if (site_dir_make(s, "ca") == -1 ||
	    site_dir_make(s, "broker") == -1 || site_dir_make(s, "ops") == -1 ||
	    site_dir_make(s, "gates") == -1 ||
	    site_dir_make(s, "aggregators") == -1 ||
	    site_conf_record(s) == -1 ||
	    site_cert_make(s, &ca, "ca/ca.key", "ca/ca.crt", false,
	    (gid_t)-1) == -1 ||
	    site_copy(s, "ca/ca.crt", "broker/ca.crt") == -1 ||
	    site_cert_make(s, &broker, "broker/broker.key",
	    "broker/broker.crt", false, mg) == -1 ||
	    site_conf_broker(s, o->broker_dir) == -1 ||
	    site_conf_acl(s) == -1 ||
	    site_copy(s, "ca/ca.crt", "ops/mqtt-ca.crt") == -1 ||
	    site_cert_make(s, &ops, "ops/ops.key", "ops/ops.crt", false,
	    (gid_t)-1) == -1 ||
	    site_conf_ops(s, ops_dir) == -1)
		return 1;
	if (key_pair_create(path, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: site: %s\n", err);
		return 1;
	}
	site_key_owner("broker/broker.key", "mosquitto", mg);
	printf("ops/admin.sk: the admin signing key (keep it here: the gates "
	    "take what it signs)\n"
	    "The broker: copy %s/broker/ to %s, and\n"
	    "  %s/qrgate-site.conf to /etc/mosquitto/conf.d/\n"
	    "The back office: qrgatectl -c %s/ops.conf push ... "
	    "--key %s/admin.sk\n"
	    "Next: qrgatectl site add-gate %s NAME\n", s->dir, o->broker_dir,
	    o->broker_dir, ops_dir, ops_dir, s->dir);
	return 0;
}

/* Whether name may be a new client: not a name the ACL gives a meaning. */
static int
site_client_name_ok(const struct site *s, const char *name)
{
	char rel[300];

	if (!site_name_ok(name, SITE_NAME_MAX) || strcmp(name, "ops") == 0 ||
	    strcmp(name, "all") == 0 || strcmp(name, "broker") == 0) {
		fprintf(stderr, "qrgatectl: site: %s: a name of letters, "
		    "digits, '-' and '_', not ops, all or broker\n", name);
		return -1;
	}
	snprintf(rel, sizeof(rel), "gates/%s", name);
	if (site_file_exists(s, rel) && !s->force)
		goto taken;
	snprintf(rel, sizeof(rel), "aggregators/%s", name);
	if (site_file_exists(s, rel) && !s->force)
		goto taken;
	return 0;
taken:
	fprintf(stderr, "qrgatectl: site: %s/%s is there already (--force "
	    "to make it again)\n", s->dir, rel);
	return -1;
}

static int
site_add(struct site *s, struct site_opts *o, const char *name, bool gate)
{
	struct site_cert_req r = { .kind = SITE_CERT_CLIENT, .cn = name,
	    .days = o->days };
	char dir[300], key[330], crt[330], ca[330], pkpath[PATH_MAX + 16];
	char pk[KEY_PK_TEXT + 2];
	/* A gate's qrgated and the aggregator (qrgate-aggregator.sysusers)
	 * both read their key as group qrgate. */
	gid_t g = site_group_of("qrgate");
	FILE *f;

	if (site_client_name_ok(s, name) == -1)
		return 2;
	snprintf(dir, sizeof(dir), "%s/%s", gate ? "gates" : "aggregators",
	    name);
	snprintf(key, sizeof(key), "%s/mqtt.key", dir);
	snprintf(crt, sizeof(crt), "%s/mqtt.crt", dir);
	snprintf(ca, sizeof(ca), "%s/mqtt-ca.crt", dir);
	if (gate) {
		snprintf(pkpath, sizeof(pkpath), "%s/ops/admin.sk.pub",
		    s->dir);
		if ((f = fopen(pkpath, "r")) == NULL ||
		    fgets(pk, sizeof(pk), f) == NULL) {
			fprintf(stderr, "qrgatectl: site: %s: cannot read\n",
			    pkpath);
			if (f != NULL)
				fclose(f);
			return 1;
		}
		fclose(f);
		pk[strcspn(pk, "\r\n")] = '\0';
	}
	if (site_dir_make(s, dir) == -1 ||
	    site_cert_make(s, &r, key, crt, false, g) == -1 ||
	    site_copy(s, "ca/ca.crt", ca) == -1)
		return 1;
	if (gate ? site_conf_gate(s, name, o->conf_dir, pk) == -1 :
	    site_conf_aggregator(s, name, o->conf_dir) == -1)
		return 1;
	if (!gate) {
		/* The ACL names every aggregator: made again with it. */
		s->force = true;
		if (site_conf_acl(s) == -1)
			return 1;
		printf("broker/qrgate-site.acl: made again with %s; copy it "
		    "to the broker and reload it\n", name);
	}
	site_key_owner(key, "qrgate", g);
	printf("Copy %s/%s/ to %s on the %s (%s as its config)\n", s->dir, dir,
	    o->conf_dir, gate ? "gate" : "aggregator's machine",
	    gate ? "qrgate.conf" : "aggregator.conf");
	return 0;
}

static int
site_renew(struct site *s, struct site_opts *o, const char *name)
{
	struct site_cert_names names;
	struct site_cert_req r;
	char key[330], crt[330];
	gid_t g = (gid_t)-1;

	if (strcmp(name, "broker") == 0 || strcmp(name, "ops") == 0) {
		bool broker = strcmp(name, "broker") == 0;

		snprintf(key, sizeof(key), "%s", broker ? "broker/broker.key" :
		    "ops/ops.key");
		snprintf(crt, sizeof(crt), "%s", broker ? "broker/broker.crt" :
		    "ops/ops.crt");
		if (broker)
			g = site_group_of("mosquitto");
	} else {
		if (!site_name_ok(name, SITE_NAME_MAX)) {
			ctl_site_usage(stderr);
			return 2;
		}
		snprintf(key, sizeof(key), "gates/%s/mqtt.key", name);
		g = site_group_of("qrgate");
		if (!site_file_exists(s, key))
			snprintf(key, sizeof(key), "aggregators/%s/mqtt.key",
			    name);
		if (!site_file_exists(s, key)) {
			fprintf(stderr, "qrgatectl: site: no gate or "
			    "aggregator %s in %s\n", name, s->dir);
			return 1;
		}
		snprintf(crt, sizeof(crt), "%.*s/mqtt.crt",
		    (int)(strlen(key) - strlen("/mqtt.key")), key);
	}
	if (site_cert_req_of(s, crt, &r, &names) == -1)
		return 1;
	r.days = o->days;
	s->force = true;	/* a renewal replaces the certificate */
	if (site_cert_make(s, &r, key, crt, !o->new_key, g) == -1)
		return 1;
	printf("Copy %s/%s to where it was installed%s, then restart its "
	    "user\n", s->dir, crt, o->new_key ? ", with the new key" : "");
	return 0;
}

int
ctl_site(struct ctl *c, int argc, char **argv)
{
	struct site s = { 0 };
	struct site_opts o = { 0 };
	const char *w[3] = { "", "", "" };
	int n;

	(void)c;
	if (argc < 2 || site_opts_parse(&s, &o, argc, argv) == -1 ||
	    (n = site_words(argc, argv, w, 3)) < 2) {
		ctl_site_usage(stderr);
		return 2;
	}
	snprintf(s.dir, sizeof(s.dir), "%s", w[1]);
	if (strcmp(w[0], "init") == 0 && n == 2)
		return site_init(&s, &o);
	if (n != 3) {
		ctl_site_usage(stderr);
		return 2;
	}
	if (site_conf_load(&s) == -1)
		return 1;
	if (strcmp(w[0], "add-gate") == 0)
		return site_add(&s, &o, w[2], true);
	if (strcmp(w[0], "add-aggregator") == 0)
		return site_add(&s, &o, w[2], false);
	if (strcmp(w[0], "renew") == 0)
		return site_renew(&s, &o, w[2]);
	ctl_site_usage(stderr);
	return 2;
}
