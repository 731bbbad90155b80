/*
 * The aggregator's configuration: an INI file, one table of settings in
 * agg_config.c with each one's default and meaning, read by the gate's
 * settings engine (settings.h).
 */
#ifndef QRGATE_AGG_CONFIG_H
#define QRGATE_AGG_CONFIG_H

#include "sitetime.h"
#include <stdbool.h>

#include "agg_web.h"

#define AGG_SITES_MAX 32

struct agg_config {
	struct {
		char host[256];
		int port;
		bool tls;
		char ca_file[256];
		char cert_file[256];
		char key_file[256];
		char username[128];
		char password[128];
		char client_id[128];	/* fixed: the broker keeps its session */
		char topic_prefix[64];
		int keepalive_s;
	} broker;
	/* "*" alone: every site under the prefix. */
	char sites[AGG_SITES_MAX][64];
	int nsites;
	char db[512];			/* connection string (agg_db.h) */
	int heartbeat_s;		/* the gates' mqtt.heartbeat_s */
	int alarm_hold_s;		/* how long a momentary alarm stays open */
	int inside_hours;		/* how far back "inside" looks */
	bool tracing;			/* full identities, for the tracing role */
	bool web_enabled;
	struct agg_web_config web;
	struct {
		/* the zone of times people type and read */
		char timezone[SITETIME_ZONE_LEN];
	} site;
	struct {
		char admin_key_file[256];	/* "": the key is kept off */
		char admin_key[64];		/* its public key's text */
	} config_push;
};

/* The defaults. */
void agg_config_defaults(struct agg_config *c);

/*
 * Reads path (NULL: none) over the defaults into c, then each override
 * "section.key=value" (-o) in order.  Returns 0, or -1 with c untouched
 * and every problem written to stderr as "FILE:LINE: message", as
 * `qrgated -n` writes them; unknown sections and keys are errors.
 */
int agg_config_load(struct agg_config *c, const char *path,
    const char *const *overrides, int n_overrides);

/* Prints every setting, its default and meaning, as an example file. */
void agg_config_print_example(void);

#endif
