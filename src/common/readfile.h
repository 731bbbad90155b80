/*
 * A small regular file read whole: a page, a certificate, a register just
 * written.  Never a device or a pipe, never more than the caller's bound.
 */
#ifndef QRGATE_READFILE_H
#define QRGATE_READFILE_H

#include <stddef.h>

/*
 * Reads path, a regular file of at most max bytes, into a new *data,
 * NUL-terminated past *len.  Returns 0, or -1 with errno set (EFBIG:
 * larger than max, EINVAL: not a regular file) and *data NULL.  Logs
 * nothing: the caller says what the file was for.
 */
int read_file(const char *path, size_t max, char **data, size_t *len);

#endif
