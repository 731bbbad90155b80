/*
 * Config pushes as others make them for a gate: the aggregator's page
 * checks what IT wrote against the gate's own table of settings and the
 * gate's rules for pushes, and makes the document the gate takes
 * (push.h says how the gate merges it):
 *
 *	{"settings": {"section.key": "value", ...}, "version": N}
 *
 * A push is written as a piece of the gate's config file (INI), so each
 * problem is told as "NAME:LINE: section.key: message", exactly as
 * `qrgated -n` tells a file's.  What the gate alone can check (how the
 * settings go with its own file's) is in its answer.
 */
#ifndef QRGATE_CONFPUSH_H
#define QRGATE_CONFPUSH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "settings.h"

/* The gate's table of settings and the size of the config it fills
 * (qrgated's config.c): the one table a push is checked against. */
extern const struct settings *const gate_settings;
extern const size_t gate_config_size;

/*
 * Why a push may not set section.key (it names the gate's hardware or
 * files, takes effect only at a restart, is the uplink the push came
 * through, or holds the keys pushes are checked with), or NULL when it
 * may.
 */
const char *confpush_refused(const char *section, const char *key);

/*
 * Reads the INI text of f, named name in messages, as a push: each
 * setting through the gate's table (over its defaults) and refused as
 * confpush_refused() says.  The settings taken go into settings, an
 * object of "section.key": "value" (a key said twice: the last, as in a
 * file).  Returns the number of problems, told in errs.
 */
int confpush_read(FILE *f, const char *name, json_t *settings,
    struct settings_errors *errs);

/* The push document of version: compact, keys sorted; malloc'd, or NULL
 * when out of memory. */
char *confpush_body(int64_t version, const json_t *settings);

/*
 * The topic of a push without its prefix, which its signature covers:
 * "SITE/GATE/config/set", or "SITE/all/config/set" for the whole site
 * (gate NULL).  0, or -1 when it does not fit len.
 */
int confpush_topic(const char *site, const char *gate, char *buf,
    size_t len);

#endif
