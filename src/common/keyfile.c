/*
 * Ed25519 keys as text and as files.  Secret key files are created the
 * way ssh-keygen creates them: never over an existing file, mode 0600,
 * and refused when read if others could have read them too, since a key
 * that others could read must be taken as known to them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keyfile.h"

/* Base64 of 64 bytes, a newline and a NUL, and room to see a longer one. */
#define KEY_SK_TEXT_MAX	128

_Static_assert(KEY_PK_TEXT == sodium_base64_ENCODED_LEN(32,
    sodium_base64_VARIANT_ORIGINAL), "KEY_PK_TEXT is not base64 of 32");

/* Decodes exactly len characters of base64 into exactly n bytes. */
static int
key_from_base64(const char *text, size_t len, uint8_t *bin, size_t n)
{
	size_t got;
	const char *end;

	if (len != sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL) - 1 ||
	    sodium_base642bin(bin, n, text, len, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != n || end != text + len)
		return -1;
	return 0;
}

int
key_pk_from_text(const char *text, uint8_t pk[32])
{
	if (text == NULL)
		return -1;
	return key_from_base64(text, strlen(text), pk, 32);
}

void
key_pk_to_text(const uint8_t pk[32], char out[KEY_PK_TEXT])
{
	sodium_bin2base64(out, KEY_PK_TEXT, pk, 32,
	    sodium_base64_VARIANT_ORIGINAL);
}

/* Reads at most size - 1 bytes of fd; -1 if there are more. */
static ssize_t
key_read_all(int fd, char *buf, size_t size)
{
	size_t o = 0;
	ssize_t n;

	while (o < size) {
		if ((n = read(fd, buf + o, size - o)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		o += (size_t)n;
	}
	if (o == size) {
		errno = EFBIG;
		return -1;
	}
	return (ssize_t)o;
}

/*
 * Reads a secret's file into text (size bytes, NUL-terminated, its final
 * newline taken off).  Returns its length, or -1 with a message in err:
 * the file cannot be read, is too long, or others than its owner could
 * read or change it.
 */
static ssize_t
key_file_text(const char *path, char *text, size_t size, char *err,
    size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s: mode %04o lets others than its owner "
		    "read or change it; chmod 600 it, or better make a new key",
		    path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	n = key_read_all(fd, text, size);
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (n > 0 && text[n - 1] == '\n')
		n--;
	text[n] = '\0';
	return n;
}

int
key_sk_read(const char *path, uint8_t sk[64], char *err, size_t errlen)
{
	char text[KEY_SK_TEXT_MAX];
	uint8_t pk[32], seed[32], sk2[64];
	ssize_t n;
	int ok;

	if ((n = key_file_text(path, text, sizeof(text), err, errlen)) == -1)
		return -1;
	ok = key_from_base64(text, (size_t)n, sk, 64) == 0;
	/*
	 * A libsodium secret key is the seed, then the public key: a file
	 * whose halves disagree is damaged, and would sign with a key that
	 * nobody's public key matches.
	 */
	if (ok) {
		crypto_sign_ed25519_sk_to_seed(seed, sk);
		ok = crypto_sign_seed_keypair(pk, sk2, seed) == 0 &&
		    sodium_memcmp(sk2, sk, 64) == 0;
	}
	sodium_memzero(text, sizeof(text));
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk2, sizeof(sk2));
	if (!ok) {
		sodium_memzero(sk, 64);
		snprintf(err, errlen, "%s: not a qrgate secret key (one line of "
		    "base64, 64 bytes)", path);
		return -1;
	}
	return 0;
}

int
key_secret_read(const char *path, uint8_t key[KEY_SECRET_BYTES], char *err,
    size_t errlen)
{
	char text[KEY_SK_TEXT_MAX];
	ssize_t n;
	int ok;

	if ((n = key_file_text(path, text, sizeof(text), err, errlen)) == -1)
		return -1;
	ok = key_from_base64(text, (size_t)n, key, KEY_SECRET_BYTES) == 0;
	sodium_memzero(text, sizeof(text));
	if (!ok) {
		sodium_memzero(key, KEY_SECRET_BYTES);
		snprintf(err, errlen, "%s: not a qrgate secret (one line of "
		    "base64, %d bytes)", path, KEY_SECRET_BYTES);
		return -1;
	}
	return 0;
}

/* Writes all of buf to a new file path (O_EXCL); -1 with errno set. */
static int
key_write_new(const char *path, mode_t mode, const char *buf, size_t len)
{
	size_t o = 0;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
	    mode)) == -1)
		return -1;
	while (o < len) {
		if ((n = write(fd, buf + o, len - o)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		o += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;

fail:
	e = errno;
	if (fd != -1)
		close(fd);
	unlink(path);
	errno = e;
	return -1;
}

int
key_pair_create(const char *path, char *err, size_t errlen)
{
	char pub_path[PATH_MAX], text[KEY_SK_TEXT_MAX], pk_text[KEY_PK_TEXT];
	uint8_t pk[32], sk[64];
	size_t len;
	int r = -1;

	if ((size_t)snprintf(pub_path, sizeof(pub_path), "%s.pub", path) >=
	    sizeof(pub_path)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	/* Checked first so that no secret key is left without its .pub. */
	if (access(pub_path, F_OK) == 0)
		errno = EEXIST;
	if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", pub_path, strerror(errno));
		return -1;
	}
	if (sodium_init() < 0 || crypto_sign_keypair(pk, sk) != 0) {
		snprintf(err, errlen, "cannot make a key pair");
		return -1;
	}
	sodium_bin2base64(text, sizeof(text) - 1, sk, sizeof(sk),
	    sodium_base64_VARIANT_ORIGINAL);
	len = strlen(text);
	text[len++] = '\n';
	/* The public key's text, its NUL turned into the line's end. */
	key_pk_to_text(pk, pk_text);
	pk_text[KEY_PK_TEXT - 1] = '\n';

	if (key_write_new(path, 0600, text, len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (key_write_new(pub_path, 0644, pk_text, KEY_PK_TEXT) == -1) {
		snprintf(err, errlen, "%s: %s", pub_path, strerror(errno));
		unlink(path);
		goto done;
	}
	r = 0;
done:
	sodium_memzero(text, sizeof(text));
	sodium_memzero(sk, sizeof(sk));
	return r;
}

int
key_secret_create(const char *path, char *err, size_t errlen)
{
	char text[KEY_SK_TEXT_MAX];
	uint8_t key[KEY_SECRET_BYTES];
	size_t len;
	int r = 0;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "cannot make a key");
		return -1;
	}
	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(text, sizeof(text) - 1, key, sizeof(key),
	    sodium_base64_VARIANT_ORIGINAL);
	len = strlen(text);
	text[len++] = '\n';
	if (key_write_new(path, 0600, text, len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	sodium_memzero(text, sizeof(text));
	sodium_memzero(key, sizeof(key));
	return r;
}
