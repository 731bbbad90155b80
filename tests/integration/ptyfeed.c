/*
 * ptyfeed LINK: a serial scanner for the integration tests.  Opens a pty,
 * makes LINK a symbolic link to its slave (the device qrgated's tty
 * reader opens; one left by a ptyfeed killed is replaced), and writes
 * to the master whatever comes on standard input, as a scanner would
 * send it, until standard input ends; then removes LINK and closes the
 * master, which the reader sees as a hang-up, as it does when ptyfeed is
 * killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char slave[64], buf[4096];
	ssize_t n, done, w;
	int m;

	if (argc != 2) {
		fprintf(stderr, "usage: ptyfeed LINK\n");
		return 2;
	}
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || ptsname_r(m, slave, sizeof(slave)) != 0) {
		perror("ptyfeed: a pty");
		return 1;
	}
	(void)unlink(argv[1]);
	if (symlink(slave, argv[1]) == -1) {
		perror(argv[1]);
		return 1;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		for (done = 0; done < n; done += w)
			if ((w = write(m, buf + done, (size_t)(n - done))) == -1) {
				perror("ptyfeed: write");
				break;
			}
	}
	unlink(argv[1]);
	close(m);
	return 0;
}
