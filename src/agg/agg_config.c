/*
 * The aggregator's settings, one line each in agg_settings[]: section,
 * key, type, field, range, default and meaning.  The gate's settings
 * engine (settings.h) reads the table, so the file, `-n` and the
 * annotated example (qrgate-aggregator -E) spell, quote and report
 * exactly as qrgated's do.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "agg_config.h"
#include "settings.h"

static int agg_sites_set(const struct setting *, void *, const char *,
    char *, size_t);
static void agg_sites_describe(const struct setting *, FILE *);

/* The sites to follow: a list of topic levels kept in two fields. */
static const struct setting_ops agg_sites_ops = {
	.set = agg_sites_set,
	.describe = agg_sites_describe,
};

#define FIELD_SIZE(f)	sizeof(((struct agg_config *)0)->f)

#define S_STRING(sec, k, f, ne, d, m) { .section = sec, .key = k, \
	.type = SETTING_STRING, .offset = offsetof(struct agg_config, f), \
	.size = FIELD_SIZE(f), .nonempty = ne, .def = d, .meaning = m }
#define S_INT(sec, k, f, lo, hi, d, m) { .section = sec, .key = k, \
	.type = SETTING_INT, .offset = offsetof(struct agg_config, f), \
	.min = lo, .max = hi, .def = d, .meaning = m }
#define S_BOOL(sec, k, f, d, m) { .section = sec, .key = k, \
	.type = SETTING_BOOL, .offset = offsetof(struct agg_config, f), \
	.def = d, .meaning = m }
#define S_ZONE(sec, k, f, d, m) { .section = sec, .key = k, \
	.type = SETTING_CUSTOM, .offset = offsetof(struct agg_config, f), \
	.size = FIELD_SIZE(f), .ops = &sitetime_setting_ops, .def = d, \
	.meaning = m }
#define S_SITES(sec, k, d, m) { .section = sec, .key = k, \
	.type = SETTING_CUSTOM, .offset = offsetof(struct agg_config, sites), \
	.ops = &agg_sites_ops, .def = d, .meaning = m }

static const struct setting_section agg_sections[] = {
	{ "broker", "The site's MQTT broker, where the gates publish." },
	{ "aggregator", "What is followed and kept." },
	{ "web", "The site console: its pages, accounts and JSON API." },
	{ "site", "What every gate of the site shares." },
	{ "visitor", "The visitor desk: the passes it signs." },
	{ "people", "The site's people: the credential list sent to the "
	    "gates, and badges." },
	{ "config_push", "Config pushes from the page: the admin key that "
	    "signs them, or the public key that checks them (docs/keys.md)." },
};

static const struct setting agg_settings[] = {
	S_STRING("broker", "host", broker.host, true, "localhost",
	    "The site broker (or one node of a broker cluster)."),
	S_INT("broker", "port", broker.port, 1, 65535, "1883",
	    "Its port (8883 is the usual TLS port)."),
	S_BOOL("broker", "tls", broker.tls, "false",
	    "Connect over TLS; the broker's certificate must chain to "
	    "ca_file."),
	S_STRING("broker", "ca_file", broker.ca_file, false, "",
	    "The CA file for TLS."),
	S_STRING("broker", "cert_file", broker.cert_file, false, "",
	    "This client's certificate, when the broker asks for one."),
	S_STRING("broker", "key_file", broker.key_file, false, "",
	    "Its key."),
	S_STRING("broker", "username", broker.username, false, "",
	    "User name."),
	S_STRING("broker", "password", broker.password, false, "",
	    "Password."),
	S_STRING("broker", "client_id", broker.client_id, true,
	    "qrgate-aggregator",
	    "A fixed client id: the broker keeps this client's session and "
	    "queues the gates' messages while the aggregator is down."),
	S_STRING("broker", "topic_prefix", broker.topic_prefix, true, "qrgate",
	    "The gates' mqtt.topic_prefix."),
	S_INT("broker", "keepalive_s", broker.keepalive_s, 5, 3600, "30",
	    "MQTT keepalive."),

	S_SITES("aggregator", "sites", "*",
	    "The sites to follow, separated by commas; * for every site "
	    "under the prefix."),
	S_STRING("aggregator", "db", db, true,
	    "/var/lib/qrgate-aggregator/aggregator.db",
	    "The database: a path (or sqlite:PATH) for SQLite, or a "
	    "postgresql:// URI for PostgreSQL."),
	S_INT("aggregator", "heartbeat_s", heartbeat_s, 1, 3600, "30",
	    "The gates' mqtt.heartbeat_s: a gate silent for three of these "
	    "is marked stale."),
	S_INT("aggregator", "alarm_hold_s", alarm_hold_s, 1, 86400, "300",
	    "A momentary alarm (forced, held-open, repeated-denials) stays "
	    "open this long."),
	S_INT("aggregator", "inside_hours", inside_hours, 1, 720, "24",
	    "How far back \"inside\" looks for entries without an exit."),
	S_BOOL("aggregator", "tracing", tracing, "false",
	    "The tracing role: keep and show full identities when the gates "
	    "send them (store.trace_full).  Off: only masked subjects."),

	S_BOOL("web", "enabled", web_enabled, "true",
	    "Serve the live page and the JSON API."),
	S_STRING("web", "bind", web.bind, false, "127.0.0.1",
	    "The address to listen on; anything but loopback needs a user "
	    "(qrgate-aggregator user add) and HTTPS or plain_http "
	    "(empty: 127.0.0.1)."),
	S_INT("web", "port", web.port, 0, 65535, "8080",
	    "The port (0: any free port)."),
	S_STRING("web", "cert_file", web.cert_file, false, "",
	    "The console's HTTPS certificate (PEM, with its chain); with "
	    "key_file, the console is served over HTTPS only."),
	S_STRING("web", "key_file", web.key_file, false, "",
	    "Its private key (PEM)."),
	S_BOOL("web", "plain_http", web.plain_http, "false",
	    "Serve plain HTTP beyond loopback: only behind a TLS proxy on a "
	    "network nobody else reaches (docs/console.md)."),
	S_INT("web", "session_idle_min", web.session_idle_min, 1, 1440, "30",
	    "A session unused this long ends (an open console page keeps "
	    "its session in use)."),
	S_INT("web", "session_hours", web.session_hours, 1, 168, "12",
	    "Any session ends this long after its sign-in."),
	S_STRING("web", "web_root", web.web_root, true, QRGATE_WEBROOT,
	    "The directory of the console's pages (index.html, login.html, "
	    "common.js, style.css...)."),

	S_ZONE("site", "timezone", site.timezone, SITETIME_DEFAULT_ZONE,
	    "The time zone of the times people type and read, as the gates' "
	    "site.timezone: the commands read --from and --to without Z or "
	    "an offset in it and show their tables' times in it with their "
	    "offset; the live page shows its times in it.  JSON, CSV and "
	    "the database stay UTC."),

	S_STRING("visitor", "key_file", visitor.key_file, false, "",
	    "The site's visitor key (qrgatectl keygen), readable by the "
	    "aggregator's user only; its public half is every gate's "
	    "security.visitor_key.  Empty: visitors are registered, but no "
	    "pass is made."),
	S_STRING("visitor", "lanes", visitor.lanes, true, "*",
	    "The lanes a pass opens unless the desk says otherwise (the "
	    "lanes syntax of credentials, no blanks)."),
	S_INT("visitor", "max_s", visitor.max_s, 60, 2678400, "86400",
	    "The longest visit the desk registers, in seconds: at most the "
	    "gates' policy.visitor_max_s, which denies longer passes."),
	S_STRING("people", "credentials_key_file",
	    people.credentials_key_file, false, "",
	    "The secret key (qrgatectl keygen) that signs the people list "
	    "sent to every gate; its public half is each gate's "
	    "security.credentials_key, which signs credential lists only.  "
	    "Empty: the list is kept here and not sent."),
	S_STRING("people", "issuer_key_file", people.issuer_key_file, false,
	    "",
	    "The site's badge issuer secret key (qrgatectl keygen), whose "
	    "public half is the gates' security.issuer_key: people badge "
	    "signs badges with it.  Empty: no badges here."),
	S_INT("people", "badge_days", people.badge_days, 1, 36500, "730",
	    "How long a badge of a person without valid_until is good for."),
	S_STRING("config_push", "admin_key_file", config_push.admin_key_file,
	    false, "",
	    "The site admin's secret key (qrgatectl keygen), with which the "
	    "page signs the config pushes IT makes.  Empty: the key stays "
	    "off this host; the page offers each push unsigned, to be "
	    "signed offline (qrgatectl push config --sign-only) and "
	    "uploaded."),
	S_STRING("config_push", "admin_key", config_push.admin_key, false,
	    "",
	    "The site admin's public key, as the gates' security.admin_key: "
	    "a push signed offline is checked with it before it is sent.  "
	    "Empty: the public key of admin_key_file, if set."),
};

/* Up to 0.16 the page had one password, kept as its hash. */
static const struct setting_retired agg_retired[] = {
	{ "web", "password_hash", "the console signs in users of the "
	    "aggregator's database (qrgate-aggregator user add; "
	    "docs/console.md)" },
};

static const struct settings agg_table = {
	agg_sections, nitems(agg_sections),
	agg_settings, nitems(agg_settings),
	agg_retired, nitems(agg_retired),
};

/*
 * A site is one topic level: no '/', and no wildcard but a lone "*".
 * The list is read aside and kept only whole.
 */
static int
agg_sites_set(const struct setting *s, void *base, const char *v, char *msg,
    size_t len)
{
	struct agg_config *c = base;
	char buf[1024], q[48], *p, *tok, *save = NULL;
	char sites[AGG_SITES_MAX][sizeof(c->sites[0])];
	int n = 0;

	(void)s;
	settings_quote(v, 40, q, sizeof(q));
	if (strlen(v) >= sizeof(buf)) {
		snprintf(msg, len, "\"%s\" is too long (%zu characters, at "
		    "most %zu)", q, strlen(v), sizeof(buf) - 1);
		return -1;
	}
	strcpy(buf, v);
	for (p = buf; (tok = strtok_r(p, ", \t", &save)) != NULL; p = NULL) {
		settings_quote(tok, 40, q, sizeof(q));
		if (n == AGG_SITES_MAX) {
			snprintf(msg, len, "more than %d sites", AGG_SITES_MAX);
			return -1;
		}
		if (strlen(tok) >= sizeof(sites[0])) {
			snprintf(msg, len, "\"%s\" is too long (%zu characters, "
			    "at most %zu)", q, strlen(tok), sizeof(sites[0]) - 1);
			return -1;
		}
		if (strpbrk(tok, "/#+") != NULL || (strchr(tok, '*') != NULL &&
		    strcmp(tok, "*") != 0)) {
			snprintf(msg, len, "\"%s\" is not a site: one topic "
			    "level, or * alone", q);
			return -1;
		}
		strcpy(sites[n++], tok);
	}
	if (n == 0) {
		snprintf(msg, len, "must not be empty");
		return -1;
	}
	memcpy(c->sites, sites, sizeof(sites));
	c->nsites = n;
	return 0;
}

static void
agg_sites_describe(const struct setting *s, FILE *f)
{
	(void)s;
	fprintf(f, "# sites separated by commas, at most %d, each one topic "
	    "level; or *\n", AGG_SITES_MAX);
}

void
agg_config_defaults(struct agg_config *c)
{
	settings_defaults(&agg_table, c, sizeof(*c));
}

int
agg_config_load(struct agg_config *c, const char *path,
    const char *const *overrides, int n_overrides)
{
	struct settings_errors errs;
	struct agg_config n;

	agg_config_defaults(&n);
	if (settings_load(&agg_table, &n, path, overrides, n_overrides,
	    &errs) != 0) {
		settings_errors_print(&errs, stderr);
		return -1;
	}
	*c = n;
	return 0;
}

void
agg_config_print_example(void)
{
	printf(
	    "# qrgate-aggregator configuration: every setting, each at its "
	    "default.\n"
	    "#\n"
	    "# Generated from the table of settings in src/agg/agg_config.c "
	    "by\n"
	    "# agg_config_print_example(); change the table, not this file.  "
	    "Every\n"
	    "# value below is the default, so a file that sets only what "
	    "differs\n"
	    "# works the same.\n"
	    "#\n"
	    "# Syntax: [section] lines, then \"key = value\" lines, as in "
	    "qrgate.conf(5).\n"
	    "# A line that starts with '#' or ';' is a comment.  An indented "
	    "line\n"
	    "# continues the value of the setting above it.\n");
	settings_example_write(&agg_table, stdout);
}
