/*
 * What store.c shares with the store's other files (store_*.c) and with
 * nothing else: transactions on the store's prepared statements, and the
 * credential write the importers run inside them.  The daemon and the CLI
 * use store.h only.
 */
#ifndef QRGATE_STORE_PRIVATE_H
#define QRGATE_STORE_PRIVATE_H

#include <stddef.h>

#include "credential.h"

struct store;

/*
 * BEGIN IMMEDIATE and COMMIT.  0, or -1 with SQLite's message kept for
 * store_errmsg(); neither logs.
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
/* Undoes an open transaction, if any, keeping the first error's message. */
void store_rollback(struct store *st);
/*
 * Writes one credential already checked by store_credential_validate(),
 * inserting or replacing by id.  0, or -1 with the reason in err, worded
 * for an operator when the card already belongs to another id.  Does not
 * log.
 */
int store_credential_write(struct store *st, const struct credential *c,
    char *err, size_t errlen);
/* The message of the store's last SQLite failure. */
const char *store_errmsg(const struct store *st);

#endif
