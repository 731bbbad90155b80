/*
 * Checking a sealed push (seal.h) before it is sent, with the key that
 * the gates will check it with: the aggregator takes a config push that
 * IT signed offline only if every gate would.
 */
#ifndef QRGATE_SEAL_VERIFY_H
#define QRGATE_SEAL_VERIFY_H

#include <stddef.h>
#include <stdint.h>

/*
 * env must be an envelope of exactly "body" and "sig" whose signature is
 * pk's over topic (the prefix stripped) and the body.  Returns 0 with the
 * body in *body (malloc'd, NUL-terminated, its length in *len), or -1
 * with a message in err.
 */
int seal_verify(const char *topic, const char *env, size_t envlen,
    const uint8_t pk[32], char **body, size_t *len, char *err,
    size_t errlen);

#endif
