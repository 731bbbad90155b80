/*
 * Ed25519 keys as text: a public key is 44 characters of standard base64
 * (what config files and credential lists carry); a secret key file holds
 * the 64-byte libsodium secret key in base64 on one line, mode 0600.  A
 * site secret's file is the same, with 32 random bytes.
 */
#ifndef QRGATE_KEYFILE_H
#define QRGATE_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

/* Base64 of 32 bytes, with its NUL. */
#define KEY_PK_TEXT	45

/* Decodes a public key's text.  Returns 0, or -1 if it is not one. */
int key_pk_from_text(const char *text, uint8_t pk[32]);

/* Encodes a public key as text (out: KEY_PK_TEXT bytes). */
void key_pk_to_text(const uint8_t pk[32], char out[KEY_PK_TEXT]);

/*
 * Reads a secret key file.  Returns 0, or -1 with a message in err (the
 * file cannot be read, is not a key, or can be read by others than its
 * owner).
 */
int key_sk_read(const char *path, uint8_t sk[64], char *err, size_t errlen);

/*
 * A site secret (the CCCD check key): 32 random bytes, in a file of one
 * line of base64, mode 0600, shared by the back office and every gate.
 */
#define KEY_SECRET_BYTES	32

/*
 * Reads a secret's file.  Returns 0, or -1 with a message in err (the
 * file cannot be read, is not a secret of KEY_SECRET_BYTES, or can be
 * read by others than its owner).
 */
int key_secret_read(const char *path, uint8_t key[KEY_SECRET_BYTES],
    char *err, size_t errlen);

/* Makes a new secret in path (mode 0600, never overwritten).  Returns 0,
 * or -1 with a message in err. */
int key_secret_create(const char *path, char *err, size_t errlen);

/*
 * Makes a new key pair: path (mode 0600, never overwritten) gets the
 * secret key and path.pub the public key's text.  Returns 0, or -1 with a
 * message in err.
 */
int key_pair_create(const char *path, char *err, size_t errlen);

#endif
