/*
 * The aggregator's settings, one line each: section, key, type, default
 * and meaning.  The same table fills the defaults, reads the file and
 * prints the annotated example (qrgate-aggregator -E).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "agg_config.h"
#include "log.h"

enum agg_type { A_STR, A_INT, A_BOOL, A_SITES };

struct agg_setting {
	const char *section;
	const char *key;
	enum agg_type type;
	size_t off;
	size_t size;
	int min, max;
	const char *def;
	const char *help;
};

#define OFF(f)		offsetof(struct agg_config, f)
#define STR(s, k, f, d, h)	{ s, k, A_STR, OFF(f), \
	sizeof(((struct agg_config *)0)->f), 0, 0, d, h }
#define INT(s, k, f, lo, hi, d, h)	{ s, k, A_INT, OFF(f), 0, lo, hi, d, h }
#define BOOL(s, k, f, d, h)	{ s, k, A_BOOL, OFF(f), 0, 0, 0, d, h }

static const struct agg_setting agg_settings[] = {
	STR("broker", "host", broker.host, "localhost",
	    "The site broker (or one node of a broker cluster)."),
	INT("broker", "port", broker.port, 1, 65535, "1883",
	    "Its port (8883 is the usual TLS port)."),
	BOOL("broker", "tls", broker.tls, "false",
	    "Connect over TLS; the broker's certificate must chain to "
	    "ca_file."),
	STR("broker", "ca_file", broker.ca_file, "", "The CA file for TLS."),
	STR("broker", "cert_file", broker.cert_file, "",
	    "This client's certificate, when the broker asks for one."),
	STR("broker", "key_file", broker.key_file, "", "Its key."),
	STR("broker", "username", broker.username, "", "User name."),
	STR("broker", "password", broker.password, "", "Password."),
	STR("broker", "client_id", broker.client_id, "qrgate-aggregator",
	    "A fixed client id: the broker keeps this client's session and "
	    "queues the gates' messages while the aggregator is down."),
	STR("broker", "topic_prefix", broker.topic_prefix, "qrgate",
	    "The gates' mqtt.topic_prefix."),
	INT("broker", "keepalive_s", broker.keepalive_s, 5, 3600, "30",
	    "MQTT keepalive."),
	{ "aggregator", "sites", A_SITES, 0, 0, 0, 0, "*",
	    "The sites to follow, separated by commas; * for every site "
	    "under the prefix." },
	STR("aggregator", "db", db, "/var/lib/qrgate/aggregator.db",
	    "The database: a path (or sqlite:PATH) for SQLite, or a "
	    "postgresql:// URI for PostgreSQL."),
	INT("aggregator", "heartbeat_s", heartbeat_s, 1, 3600, "30",
	    "The gates' mqtt.heartbeat_s: a gate silent for three of these "
	    "is marked stale."),
	INT("aggregator", "alarm_hold_s", alarm_hold_s, 1, 86400, "300",
	    "A momentary alarm (forced, held-open, repeated-denials) stays "
	    "open this long."),
	INT("aggregator", "inside_hours", inside_hours, 1, 720, "24",
	    "How far back \"inside\" looks for entries without an exit."),
	BOOL("aggregator", "tracing", tracing, "false",
	    "The tracing role: keep and show full identities when the gates "
	    "send them (store.trace_full).  Off: only masked subjects."),
	BOOL("web", "enabled", web_enabled, "true",
	    "Serve the live page and the JSON API."),
	STR("web", "bind", web.bind, "127.0.0.1",
	    "The address to listen on; anything but loopback needs a "
	    "password."),
	INT("web", "port", web.port, 0, 65535, "8080",
	    "The port (0: any free port)."),
	STR("web", "password_hash", web.password_hash, "",
	    "The password as crypto_pwhash_str() (qrgate-aggregator "
	    "hash-password)."),
	STR("web", "web_root", web.web_root, QRGATE_WEBROOT,
	    "The directory of the page (index.html, app.js, style.css)."),
	{ NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

static int
agg_sites_set(struct agg_config *c, const char *v)
{
	char buf[1024], *p, *tok, *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	c->nsites = 0;
	for (p = buf; (tok = strtok_r(p, ", \t", &save)) != NULL; p = NULL) {
		/* A site is one topic level: no wildcard but a lone *. */
		if (c->nsites == AGG_SITES_MAX || strlen(tok) >= 64 ||
		    strpbrk(tok, "/#+") != NULL ||
		    (strchr(tok, '*') != NULL && strcmp(tok, "*") != 0))
			return -1;
		strcpy(c->sites[c->nsites++], tok);
	}
	return c->nsites > 0 ? 0 : -1;
}

static int
agg_setting_set(struct agg_config *c, const struct agg_setting *s,
    const char *v)
{
	char *base = (char *)c + s->off, *end;
	long n;

	switch (s->type) {
	case A_STR:
		if (strlen(v) >= s->size)
			return -1;
		strcpy(base, v);
		return 0;
	case A_INT:
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < s->min || n > s->max)
			return -1;
		*(int *)(void *)base = (int)n;
		return 0;
	case A_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
		    strcmp(v, "1") == 0)
			*(bool *)(void *)base = true;
		else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
		    strcmp(v, "0") == 0)
			*(bool *)(void *)base = false;
		else
			return -1;
		return 0;
	case A_SITES:
		return agg_sites_set(c, v);
	}
	return -1;
}

void
agg_config_defaults(struct agg_config *c)
{
	memset(c, 0, sizeof(*c));
	for (const struct agg_setting *s = agg_settings; s->key != NULL; s++)
		if (agg_setting_set(c, s, s->def) == -1)
			fatalx("config: bad default for %s.%s", s->section,
			    s->key);
}

struct agg_parse {
	struct agg_config *c;
	const char *path;
	int errors;
};

static int
agg_config_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct agg_parse *p = arg;
	const struct agg_setting *s;

	for (s = agg_settings; s->key != NULL; s++)
		if (strcmp(s->section, section) == 0 &&
		    strcmp(s->key, key) == 0)
			break;
	if (s->key == NULL) {
		log_warnx("%s: unknown setting %s.%s", p->path, section, key);
		p->errors++;
	} else if (agg_setting_set(p->c, s, value) == -1) {
		log_warnx("%s: bad value for %s.%s: \"%s\"", p->path, section,
		    key, value);
		p->errors++;
	}
	return 1;
}

int
agg_config_load(struct agg_config *c, const char *path)
{
	struct agg_parse p = { c, path, 0 };
	int rc;

	agg_config_defaults(c);
	if ((rc = ini_parse(path, agg_config_handler, &p)) < 0) {
		log_warnx("%s: cannot read", path);
		return -1;
	}
	if (rc > 0) {
		log_warnx("%s: line %d: syntax error", path, rc);
		return -1;
	}
	return p.errors == 0 ? 0 : -1;
}

void
agg_config_print_example(void)
{
	const char *section = "";

	printf("# qrgate-aggregator configuration: every setting, its "
	    "default and meaning.\n");
	for (const struct agg_setting *s = agg_settings; s->key != NULL;
	    s++) {
		if (strcmp(section, s->section) != 0) {
			section = s->section;
			printf("\n[%s]\n", section);
		}
		printf("# %s\n%s = %s\n", s->help, s->key, s->def);
	}
}
