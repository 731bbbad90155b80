#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "readfile.h"

int
read_file(const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, saved;

	*data = NULL;
	/* Non-blocking: a FIFO in the file's place must not hold the
	 * caller until a writer comes; it is refused below. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	if ((*data = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	/* Up to the size fstat gave: a file that grows meanwhile is read
	 * as it was; one that shrinks is an error, not a short read. */
	while (got < (size_t)st.st_size) {
		n = read(fd, *data + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	(*data)[got] = '\0';
	*len = got;
	return 0;
fail:
	saved = errno;
	free(*data);
	*data = NULL;
	close(fd);
	errno = saved;
	return -1;
}
