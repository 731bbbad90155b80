/*
 * What ingest (agg_ingest.c), the registry (agg_registry.c) and the
 * daemon's tick (agg_main.c) share: reading a member of a gate's JSON
 * document, and handing a document to the live page.  Apart from ingest
 * so that the registry does not depend on it.
 */
#ifndef QRGATE_AGG_JSON_H
#define QRGATE_AGG_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct agg;

/* The string member key of doc, or NULL if absent or not a string. */
const char *agg_json_str(json_t *doc, const char *key);
/* True, with *out set, when member key of doc is an integer. */
bool agg_json_int(json_t *doc, const char *key, int64_t *out);

/* Publishes data (released) to the live page when it is served. */
void agg_publish(struct agg *a, const char *type, json_t *data);

#endif
