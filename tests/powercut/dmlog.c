/*
 * dmlog: reads the write log that the kernel's dm-log-writes target keeps
 * (Documentation/admin-guide/device-mapper/log-writes.rst) and replays it
 * onto a copy of the disk it was taken over.  A test tool of the power-cut
 * tier; xfstests' replay-log does the same and is not packaged in Debian.
 *
 *   dmlog list LOG          one line per entry: INDEX FLAGS SECTOR
 *                           SECTORS [MARK], FLAGS a word of F (flush),
 *                           U (FUA), D (discard), M (mark), T (metadata)
 *                           or "-" for a plain write
 *   dmlog replay LOG DISK   reads entry numbers from stdin, one a line, in
 *                           order; applies the log up to and including each
 *                           onto DISK (an image file), then prints
 *                           "at N" and flushes stdout
 *   dmlog bytes LOG FROM TO the writes between the marks FROM and TO:
 *                           "writes W bytes B flushes F fua U"
 *
 * The log, as dm-log-writes lays it out: sector 0 holds the super (magic,
 * version, entry count, sector size), and from the next sector on each
 * entry is one sector of header (with a mark's name after the header)
 * followed, for a write, by its data.  All numbers are little-endian;
 * sectors are of the logged device's logical sector size.  The kernel
 * logs a write only once a flush covering it has completed, so the log
 * up to any entry is a state the disk could have been left in by a
 * power cut there.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MAGIC	0x6a736677736872ULL
#define LOG_VERSION	1

#define LOG_FLUSH	(1u << 0)
#define LOG_FUA		(1u << 1)
#define LOG_DISCARD	(1u << 2)
#define LOG_MARK	(1u << 3)
#define LOG_METADATA	(1u << 4)

struct entry {
	uint64_t sector;	/* on the logged device */
	uint64_t nr_sectors;
	uint32_t flags;
	char mark[512];
	off_t data;		/* where its data is in the log */
};

struct wlog {
	int fd;
	uint32_t sectorsize;
	uint64_t nr;		/* entries */
	struct entry *e;
};

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "dmlog: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t
le64_at(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint32_t
le32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static void
read_at(int fd, void *buf, size_t n, off_t off, const char *what)
{
	ssize_t r = pread(fd, buf, n, off);

	if (r != (ssize_t)n)
		die("%s: short read", what);
}

/* Reads the super and every entry's header. */
static void
wlog_open(struct wlog *l, const char *path)
{
	unsigned char sec[4096];
	off_t off;

	if ((l->fd = open(path, O_RDONLY)) == -1)
		die("%s: cannot open", path);
	read_at(l->fd, sec, 512, 0, path);
	if (le64_at(sec) != LOG_MAGIC)
		die("%s: not a dm-log-writes log (bad magic)", path);
	if (le64_at(sec + 8) != LOG_VERSION)
		die("%s: unknown log version", path);
	l->nr = le64_at(sec + 16);
	l->sectorsize = le32_at(sec + 24);
	if (l->sectorsize < 512 || l->sectorsize > sizeof(sec) ||
	    (l->sectorsize & (l->sectorsize - 1)) != 0)
		die("%s: bad sector size", path);
	if ((l->e = calloc(l->nr ? l->nr : 1, sizeof(*l->e))) == NULL)
		die("%s: out of memory", path);
	off = l->sectorsize;
	for (uint64_t i = 0; i < l->nr; i++) {
		struct entry *e = &l->e[i];
		uint64_t datalen;

		read_at(l->fd, sec, l->sectorsize, off, path);
		e->sector = le64_at(sec);
		e->nr_sectors = le64_at(sec + 8);
		e->flags = (uint32_t)le64_at(sec + 16);
		datalen = le64_at(sec + 24);
		if (e->flags & LOG_MARK) {
			if (datalen >= l->sectorsize - 32)
				die("%s: a mark longer than its sector", path);
			memcpy(e->mark, sec + 32, datalen);
			e->mark[datalen] = '\0';
		}
		off += l->sectorsize;
		e->data = off;
		if (!(e->flags & LOG_DISCARD))
			off += (off_t)(e->nr_sectors * l->sectorsize);
	}
}

static const char *
flags_word(uint32_t f, char *buf)
{
	char *p = buf;

	if (f & LOG_FLUSH)
		*p++ = 'F';
	if (f & LOG_FUA)
		*p++ = 'U';
	if (f & LOG_DISCARD)
		*p++ = 'D';
	if (f & LOG_MARK)
		*p++ = 'M';
	if (f & LOG_METADATA)
		*p++ = 'T';
	if (p == buf)
		*p++ = '-';
	*p = '\0';
	return buf;
}

static void
cmd_list(struct wlog *l)
{
	char fw[8];

	for (uint64_t i = 0; i < l->nr; i++) {
		const struct entry *e = &l->e[i];

		printf("%" PRIu64 " %s %" PRIu64 " %" PRIu64 "%s%s\n", i,
		    flags_word(e->flags, fw), e->sector, e->nr_sectors,
		    (e->flags & LOG_MARK) ? " " : "", e->mark);
	}
}

/* Writes entry e's data onto the disk; a discard reads back as zeros. */
static void
apply(struct wlog *l, const struct entry *e, int disk)
{
	static unsigned char buf[1 << 20];
	uint64_t left = e->nr_sectors * l->sectorsize;
	off_t from = e->data, to = (off_t)(e->sector * l->sectorsize);

	if (e->flags & LOG_MARK)
		return;
	if (e->flags & LOG_DISCARD)
		memset(buf, 0, sizeof(buf));
	while (left > 0) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);

		if (!(e->flags & LOG_DISCARD))
			read_at(l->fd, buf, n, from, "log");
		if (pwrite(disk, buf, n, to) != (ssize_t)n)
			die("%s", "disk: write failed");
		from += (off_t)n;
		to += (off_t)n;
		left -= n;
	}
}

static void
cmd_replay(struct wlog *l, const char *path)
{
	char line[64];
	uint64_t next = 0;
	int disk;

	if ((disk = open(path, O_WRONLY)) == -1)
		die("%s: cannot open", path);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *end;
		uint64_t to;

		errno = 0;
		to = strtoull(line, &end, 10);
		if (errno != 0 || end == line || (*end != '\n' && *end != '\0'))
			die("replay: not an entry number: %s", line);
		if (to >= l->nr)
			die("replay: %s: past the last entry", line);
		if (to + 1 < next)
			die("replay: %s: before what is applied", line);
		for (; next <= to; next++)
			apply(l, &l->e[next], disk);
		printf("at %" PRIu64 "\n", to);
		fflush(stdout);
	}
	close(disk);
}

static uint64_t
find_mark(const struct wlog *l, const char *name)
{
	for (uint64_t i = 0; i < l->nr; i++)
		if ((l->e[i].flags & LOG_MARK) && strcmp(l->e[i].mark, name) == 0)
			return i;
	die("no mark %s in the log", name);
	return 0;
}

static void
cmd_bytes(struct wlog *l, const char *from, const char *to)
{
	uint64_t a = find_mark(l, from), b = find_mark(l, to);
	uint64_t writes = 0, bytes = 0, flushes = 0, fua = 0;

	for (uint64_t i = a; i < b; i++) {
		const struct entry *e = &l->e[i];

		if (e->flags & LOG_FLUSH)
			flushes++;
		if (e->flags & LOG_FUA)
			fua++;
		if (e->flags & (LOG_MARK | LOG_DISCARD) || e->nr_sectors == 0)
			continue;
		writes++;
		bytes += e->nr_sectors * l->sectorsize;
	}
	printf("writes %" PRIu64 " bytes %" PRIu64 " flushes %" PRIu64
	    " fua %" PRIu64 "\n", writes, bytes, flushes, fua);
}

int
main(int argc, char **argv)
{
	struct wlog l;

	if (argc == 3 && strcmp(argv[1], "list") == 0) {
		wlog_open(&l, argv[2]);
		cmd_list(&l);
	} else if (argc == 4 && strcmp(argv[1], "replay") == 0) {
		wlog_open(&l, argv[2]);
		cmd_replay(&l, argv[3]);
	} else if (argc == 5 && strcmp(argv[1], "bytes") == 0) {
		wlog_open(&l, argv[2]);
		cmd_bytes(&l, argv[3], argv[4]);
	} else {
		fprintf(stderr, "usage: dmlog list LOG | replay LOG DISK | "
		    "bytes LOG FROM_MARK TO_MARK\n");
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
