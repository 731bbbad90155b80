/*
 * The text files of a site: the record site init leaves for the commands
 * after it (site.conf), the broker's mosquitto config and its ACL for this
 * site and topic prefix, and the configs of the back office, a gate and an
 * aggregator.  The topics in the ACL are those qrgated and the aggregator
 * use (mqtt.c, agg_mqtt.c); config/mosquitto-site.acl is the same ACL
 * written for "site1" and "qrgate".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_site.h"

#define SITE_RECORD	"site.conf"

int
site_conf_record(const struct site *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return site_text_write(s, SITE_RECORD, NULL, 0, 0644);
	fprintf(f, "# Made by qrgatectl site init: what site add-gate, "
	    "add-aggregator\n# and renew put in what they make.\n");
	fprintf(f, "site = %s\nprefix = %s\nhost = %s\nport = %d\n",
	    s->name, s->prefix, s->host, s->port);
	fclose(f);
	return site_text_write(s, SITE_RECORD, text, len, 0644);
}

int
site_conf_load(struct site *s)
{
	char path[1024], line[512], key[32], val[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", s->dir, SITE_RECORD);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgatectl: site: %s: cannot open (not made "
		    "by qrgatectl site init?)\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' ||
		    sscanf(line, "%31s = %255s", key, val) != 2)
			continue;
		if (strcmp(key, "site") == 0 && site_name_ok(val,
		    SITE_NAME_MAX))
			n += snprintf(s->name, sizeof(s->name), "%s", val) > 0;
		else if (strcmp(key, "prefix") == 0 && site_name_ok(val,
		    SITE_NAME_MAX))
			n += snprintf(s->prefix, sizeof(s->prefix), "%s",
			    val) > 0;
		else if (strcmp(key, "host") == 0)
			n += snprintf(s->host, sizeof(s->host), "%s", val) > 0;
		else if (strcmp(key, "port") == 0 &&
		    (s->port = atoi(val)) > 0 && s->port < 65536)
			n++;
	}
	fclose(f);
	if (n != 4) {
		fprintf(stderr, "qrgatectl: site: %s: site, prefix, host and "
		    "port are needed\n", path);
		return -1;
	}
	return 0;
}

int
site_conf_broker(const struct site *s, const char *bd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return site_text_write(s, "broker/qrgate-site.conf", NULL, 0,
		    0644);
	fprintf(f,
	    "# Mosquitto 2.0 for the gates of site %s, made by qrgatectl site "
	    "init.\n"
	    "# Install: the files of this directory in %s, this file in\n"
	    "# /etc/mosquitto/conf.d/.  TLS only; every client shows a "
	    "certificate of\n"
	    "# the site's CA, whose common name is its user name in the "
	    "ACL.\n\n"
	    "per_listener_settings false\n"
	    "allow_anonymous false\n\n"
	    "# A gate's outbox is its queue: the broker only keeps what it "
	    "acknowledged\n# for the back office and the aggregators while "
	    "they are away.  Debian's\n# mosquitto.conf sets where "
	    "(persistence_location /var/lib/mosquitto/):\n# set again here, "
	    "mosquitto would refuse to start.\n"
	    "persistence true\n"
	    "max_queued_messages 1000000\n\n"
	    "# A credential list chunk is at most 4 MiB, with its topic and "
	    "headers.\n"
	    "max_packet_size 4259840\n\n"
	    "listener %d\n"
	    "protocol mqtt\n"
	    "cafile %s/ca.crt\n"
	    "certfile %s/broker.crt\n"
	    "# Group mosquitto, mode 0640: mosquitto started as root reads it "
	    "after\n# dropping to its own user.\n"
	    "keyfile %s/broker.key\n"
	    "tls_version tlsv1.2\n"
	    "require_certificate true\n"
	    "use_identity_as_username true\n\n"
	    "acl_file %s/qrgate-site.acl\n",
	    s->name, bd, s->port, bd, bd, bd, bd);
	fclose(f);
	return site_text_write(s, "broker/qrgate-site.conf", text, len, 0644);
}

/* Each aggregator of DIR/aggregators/, a "user" of its own in the ACL:
 * it reads what its daemon subscribes to, and writes the config pushes
 * IT makes on its page (which the gates take only signed with the admin
 * key, wherever that is kept: docs/keys.md) and the site's credential
 * list (the people list, signed with a key the gates take for credential
 * lists only). */
static void
site_acl_aggregators(const struct site *s, FILE *f)
{
	static const char *const topics[] = { "events", "status", "alarm" };
	char path[1024];
	struct dirent **names;
	int n;

	snprintf(path, sizeof(path), "%s/aggregators", s->dir);
	if ((n = scandir(path, &names, NULL, alphasort)) == -1)
		return;
	for (int i = 0; i < n; i++) {
		if (site_name_ok(names[i]->d_name, SITE_NAME_MAX)) {
			fprintf(f, "\n# The aggregator %s: reads every gate's "
			    "events, status and alarms, pushes configs and "
			    "sends the people list.\nuser %s\n",
			    names[i]->d_name, names[i]->d_name);
			for (size_t t = 0; t < sizeof(topics) / sizeof(*topics);
			    t++)
				fprintf(f, "topic read %s/%s/+/%s\n", s->prefix,
				    s->name, topics[t]);
			fprintf(f, "topic write %s/%s/all/credentials/set\n",
			    s->prefix, s->name);
			fprintf(f, "topic write %s/%s/+/config/set\n",
			    s->prefix, s->name);
		}
		free(names[i]);
	}
	free(names);
}

int
site_conf_acl(const struct site *s)
{
	static const char *const writes[] = { "events", "status", "alarm",
	    "config/result", "credentials/result", "cmd/result", "steps",
	    "schedules/result" };
	static const char *const reads[] = { "config/set", "credentials/set",
	    "credentials/patch", "cmd", "schedules/set" };
	static const char *const ha[] = { "binary_sensor/%u_entry",
	    "binary_sensor/%u_exit", "sensor/%u_last_decision",
	    "sensor/%u_grants", "sensor/%u_denials" };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return site_text_write(s, "broker/qrgate-site.acl", NULL, 0,
		    0644);
	fprintf(f,
	    "# Topics of site %s under the prefix %s, made by qrgatectl site.  "
	    "A\n# client's user name is its certificate's common name: %%u "
	    "below is a\n# gate's gate.id.  Made again by site add-aggregator "
	    "(then reload the\n# broker: systemctl reload mosquitto).\n\n"
	    "# The back office: reads everything, sends config pushes, "
	    "credential lists\n# and commands.\nuser ops\n"
	    "topic readwrite %s/#\ntopic read homeassistant/#\n",
	    s->name, s->prefix, s->prefix);
	site_acl_aggregators(s, f);
	fprintf(f, "\n# Every gate writes only its own topics ...\n");
	for (size_t i = 0; i < sizeof(writes) / sizeof(*writes); i++)
		fprintf(f, "pattern write %s/%s/%%u/%s\n", s->prefix, s->name,
		    writes[i]);
	for (size_t i = 0; i < sizeof(ha) / sizeof(*ha); i++)
		fprintf(f, "pattern write homeassistant/%s/config\n", ha[i]);
	fprintf(f, "\n# ... and reads only its own pushes and commands, and "
	    "the site-wide pushes\n# (patterns without %%u, which Mosquitto "
	    "warns of at start: it is meant).\n");
	for (size_t i = 0; i < sizeof(reads) / sizeof(*reads); i++)
		fprintf(f, "pattern read %s/%s/%%u/%s\n", s->prefix, s->name,
		    reads[i]);
	fprintf(f, "pattern read %s/%s/all/config/set\n", s->prefix, s->name);
	fprintf(f, "pattern read %s/%s/all/credentials/set\n", s->prefix,
	    s->name);
	fprintf(f, "pattern read %s/%s/all/schedules/set\n", s->prefix,
	    s->name);
	fprintf(f, "\n# Every gate reads every gate's dynamic steps, so that "
	    "a dynamic token\n# granted at one gate is refused at the others.\n"
	    "pattern read %s/%s/+/steps\n", s->prefix, s->name);
	fclose(f);
	return site_text_write(s, "broker/qrgate-site.acl", text, len, 0644);
}

/* The [mqtt] lines a gate and the back office share. */
static void
site_mqtt_lines(const struct site *s, FILE *f, const char *cd,
    const char *cert)
{
	fprintf(f, "[mqtt]\nenabled = true\nhost = %s\nport = %d\n"
	    "tls = true\nca_file = %s/mqtt-ca.crt\ncert_file = %s/%s.crt\n"
	    "key_file = %s/%s.key\ntopic_prefix = %s\n", s->host, s->port, cd,
	    cd, cert, cd, cert, s->prefix);
}

int
site_conf_ops(const struct site *s, const char *cd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return site_text_write(s, "ops/ops.conf", NULL, 0, 0644);
	fprintf(f, "# The back office of site %s, made by qrgatectl site init: "
	    "for\n#   qrgatectl -c %s/ops.conf push ... --key %s/admin.sk "
	    "--gate G|--all\n[gate]\nsite = %s\n", s->name, cd, cd, s->name);
	site_mqtt_lines(s, f, cd, "ops");
	fclose(f);
	return site_text_write(s, "ops/ops.conf", text, len, 0644);
}

int
site_conf_gate(const struct site *s, const char *gate, const char *cd,
    const char *admin_pk)
{
	char rel[600], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(rel, sizeof(rel), "gates/%s/qrgate.conf", gate);
	if ((f = open_memstream(&text, &len)) == NULL)
		return site_text_write(s, rel, NULL, 0, 0644);
	fprintf(f, "# The gate %s of site %s, made by qrgatectl site add-gate: "
	    "its files go\n# in %s.  The gate's own sections (camera, lane, "
	    "gpio, ...) go below;\n# qrgate.conf(5) lists them.\n"
	    "[gate]\nid = %s\nsite = %s\n", gate, s->name, cd, gate, s->name);
	site_mqtt_lines(s, f, cd, "mqtt");
	fprintf(f, "[security]\n# The back office's key: config pushes, "
	    "credential lists and commands\n# signed with it are taken.\n"
	    "admin_key = %s\n", admin_pk);
	fclose(f);
	return site_text_write(s, rel, text, len, 0644);
}

int
site_conf_aggregator(const struct site *s, const char *name, const char *cd)
{
	char rel[600], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(rel, sizeof(rel), "aggregators/%s/aggregator.conf", name);
	if ((f = open_memstream(&text, &len)) == NULL)
		return site_text_write(s, rel, NULL, 0, 0644);
	fprintf(f, "# The aggregator %s of site %s, made by qrgatectl site "
	    "add-aggregator:\n# its files go in %s.  qrgate-aggregator(8) "
	    "lists the other settings.\n[broker]\nhost = %s\nport = %d\n"
	    "tls = true\nca_file = %s/mqtt-ca.crt\ncert_file = %s/mqtt.crt\n"
	    "key_file = %s/mqtt.key\nclient_id = %s\ntopic_prefix = %s\n"
	    "[aggregator]\nsites = %s\n", name, s->name, cd, s->host, s->port,
	    cd, cd, cd, name, s->prefix, s->name);
	fclose(f);
	return site_text_write(s, rel, text, len, 0644);
}
