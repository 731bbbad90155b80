/*
 * qrgatectl push's private API, between its files: ctl_push.c reads the
 * options and the documents and seals them; ctl_push_csv.c makes a
 * credential list in the CSV of `cred import` into the snapshot chunks
 * the gates take (inbound_creds.c), checked whole before anything is
 * sent; ctl_push_send.c publishes them and waits for the answers.
 */
#ifndef QRGATE_CTL_PUSH_H
#define QRGATE_CTL_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctl.h"

enum push_kind {
	K_CONFIG, K_SITE_CONFIG, K_CREDENTIALS, K_SITE_CREDENTIALS, K_PATCH,
	K_CMD, K_SCHEDULES, K_SITE_SCHEDULES,
};

struct push_opts {
	enum push_kind kind;
	const char *key, *body_path, *host, *cafile, *cert, *keyfile;
	const char *prefix, *site, *gate, *id, *csv;
	const char *sign_only;	/* --sign-only: the unsigned message's file */
	int port, timeout_s, expires_in_s;
	int64_t cred_version;	/* --version; 0: the time */
	long chunk_rows;
	bool tls, gate_given, wait, print;
};

/* What the MQTT client's callbacks see (ctl_push_send.c). */
struct push_client {
	const char *prefix, *site;
	const char *result_topic;
	const char *status_topic;	/* site-wide: the gates' statuses */
	const char *gate;	/* the gate whose answer ends it; NULL: all */
	int *mids;		/* of the messages sent, in order */
	int n_mids, n_acked;
	int subs_wanted, subs_acked;
	bool connected, subscribed, acked, lost, answered;
	int conn_rc;
	/* What identifies our message in a result: its id or its version. */
	const char *id;
	json_int_t version;
	/* A list in chunks: a gate has answered once it applied the last
	 * chunk or refused one, not at its first "staged". */
	bool chunked;
	json_t *known;		/* gate: the state its status says */
	json_t *answers;	/* gate: its answer */
};

/*
 * Publishes each of the n envelopes env on topic, in order, at QoS 1;
 * with o->wait first subscribes to pc->result_topic (and, site-wide, to
 * pc->status_topic), then waits for the answers (pc->answers).  Returns
 * 0 once all was sent and, with o->wait, answered (for a site-wide push,
 * or once the time was up: push_print_site() says which gates gave no
 * answer); 1 otherwise, told on stderr.
 */
int push_send(const struct ctl *c, const struct push_opts *o,
    const char *topic, char *const *env, int n, struct push_client *pc);

/*
 * A site-wide push's answers, one line per gate in name order: the
 * gate's answer with its name, or that it gave none.  Returns 1 when a
 * gate refused or did not answer, or no gate is known; else 0.
 */
int push_print_site(const struct push_opts *o, struct push_client *pc);

/*
 * What a gate takes in one credentials/set message: inbound_creds.c's
 * CREDS_MAX_ROWS rows, and mqtt_inbound.c's 4 MiB on the signed envelope.
 * The default is half the rows, about 1.5 MB of JSON, so that one chunk
 * holds the gate's database for a short time.
 */
#define PUSH_CHUNK_ROWS_MAX	20000
#define PUSH_CHUNK_ROWS		10000
#define PUSH_ENVELOPE_MAX	(4 * 1024 * 1024)

struct push_chunks {
	char **body;		/* each chunk's JSON text */
	size_t *len;
	int n;
	size_t rows;		/* in all chunks */
};

/*
 * Reads the CSV at path (dates in site.timezone, as `cred import` reads
 * them) and checks every row as the import and the gate do, and that no
 * id and no card (kind and subject) is there twice.  Then cuts it into
 * chunks of at most max_rows rows whose bodies, once sealed
 * (signed_msg.h), are at most PUSH_ENVELOPE_MAX bytes, each
 * {"version": version, "chunk": i, "chunks": n, "credentials": [...]}.
 * Returns 0, or -1 with "FILE:LINE: problem" told on stderr.
 */
int push_csv_chunks(const char *path, int64_t version, size_t max_rows,
    struct push_chunks *out);

void push_chunks_free(struct push_chunks *c);

#endif
