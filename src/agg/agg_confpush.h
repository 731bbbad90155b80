/*
 * Config pushes from the aggregator (agg_confpush.c): IT writes a piece
 * of the gates' config file, which is checked against the gate's own
 * table of settings (confpush.h) and made into one push per target (a
 * gate, or the whole site); the aggregator signs and publishes it, or,
 * when the admin key is kept off this host (config_push.admin_key_file empty),
 * offers the exact unsigned message for IT to sign offline and takes the
 * signed message back, checked with config_push.admin_key, to publish as it is.
 * Each gate's answer is read from its retained status (config.last and
 * the versions it holds), which the registry keeps.
 *
 * Every function returns a new JSON value and sets *status: 200; 400
 * {"errors": [{"line", "error"}...]} for a push that does not check, or
 * {"error"} for a bad request; 409 {"error"} for what this aggregator
 * cannot do (sign without the key, check without the public key,
 * publish while the broker is away); NULL on a database error or out of
 * memory (500).
 */
#ifndef QRGATE_AGG_CONFPUSH_H
#define QRGATE_AGG_CONFPUSH_H

#include <stddef.h>

#include <jansson.h>

#include "agg_db.h"

struct agg;

/* The longest push text taken: what a gate takes as a push document
 * (push.h's limit), which is longer than its settings' INI text. */
#define AGG_CONFPUSH_TEXT_MAX	(64 * 1024)

/*
 * Checks text (INI, named name in the messages) and makes the unsigned
 * message of each target: gates, an array of gate names of site, or
 * NULL for the whole site.  {"messages": [{"target", "topic", "version",
 * "body"}]}: topic is without the prefix, as the signature covers it;
 * version is one more than any the targets hold or were sent.
 */
json_t *agg_confpush_prepare(struct agg_db *db, const char *site,
    const json_t *gates, const char *name, const char *text, size_t len,
    int *status);

/*
 * prepare, then each message signed with config_push.admin_key_file and
 * published; each is kept, with who sent it.  {"pushes": [...]}, as
 * agg_confpush_list() shows them.
 */
json_t *agg_confpush_send(struct agg *a, const char *site,
    const json_t *gates, const char *text, size_t len, const char *who,
    int *status);

/*
 * A message signed offline for target (a gate of site, or NULL for the
 * whole site): its signature checked with config_push.admin_key for the
 * target's topic and its document checked as prepare checks, then
 * published as it is and kept.  {"pushes": [...]}.
 */
json_t *agg_confpush_upload(struct agg *a, const char *site,
    const char *gate, const char *env, size_t len, const char *who,
    int *status);

/*
 * The last pushes (of site, or every site for NULL), newest first, each
 * with every target gate's answer: {"signs": whether this host signs,
 * "pushes": [{"site", "target", "version", "signed_by", "who",
 * "sent_ms", "settings", "gates": [{"gate", "state", "answer":
 * "applied"|"refused"|"ignored"|"superseded"|"waiting", "reason",
 * "error"}]}]}.
 */
json_t *agg_confpush_list(struct agg *a, const char *site, int *status);

/*
 * qrgate-aggregator config-check --site S [--gate G]... FILE: the check
 * of prepare, each problem as "FILE:LINE: ..." on stderr (exit 1), else
 * each unsigned message on a line of stdout, as qrgatectl push config
 * --sign-only takes it.  Reads the database only for the versions.
 */
int agg_confpush_cli(const char *db, int argc, char **argv);

#endif
