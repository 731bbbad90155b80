/*
 * qrgatectl push's private API: a credential list in the CSV of `cred
 * import` made into the snapshot chunks the gates take
 * (inbound_creds.c), checked whole before anything is sent.
 */
#ifndef QRGATE_CTL_PUSH_H
#define QRGATE_CTL_PUSH_H

#include <stddef.h>
#include <stdint.h>

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
