/*
 * A real gate for the MQTT handlers' targets, set up as
 * tests/unit/gate_fixture.h does (the file camera, the sim GPIO, a real
 * SQLite file in a private directory), opened once and holding a small
 * credential set of every kind.  The camera shows a 16x16 picture, not
 * images/blank.png: each reopening decodes it, and the handlers never
 * look at frames.
 *
 * Every input must meet the same gate, or a crash found after a million
 * inputs could not be replayed, and the database would grow for ever.
 * Most inputs change nothing (malformed, refused), so reopening for each
 * would only slow the fuzzer down; instead, after each input, the gate is
 * reopened on a fresh copy of the first database when anything changed:
 * any byte of struct gate, of the handlers' state or of the loop, or any
 * commit to the database (PRAGMA data_version on a second connection).
 *
 * Pushes may name files (gpio.sim_log, camera.source): the targets are
 * linked with open() and mkfifo() wrapped (their fuzz-ldflags line) so that
 * the library may only create files in the private directory and read
 * the source tree, wherever a fuzzed path points.  The clock is pinned too
 * (clock_utc_ms() is FUZZ_NOW_MS), so that a command's expiry means the
 * same thing in every run.
 *
 * A target includes this file and defines FUZZ_GATE_RUN(g, data, len),
 * the handler call returning the result document.
 */
#ifndef FUZZ_GATE_H
#define FUZZ_GATE_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "push.h"
#include "sitetime.h"
#include "store_sync.h"
#include "fuzz.h"

/* 2026-01-01T00:00:00Z. */
#define FUZZ_NOW_MS	1767225600000LL

/* The public half of the key the token and push seeds are signed with:
 * Ed25519 from the seed "qrgate fuzz key: not a secret!!". */
#define FUZZ_PK_TEXT	"6Zxti/bxqFw1YRHd9TtJzKGN84f0IXGiFEXA1T6Th+c="

/* The credentials every input starts from: one of each kind and role. */
static const char fuzz_gate_creds[] =
    "{\"version\": 1, \"chunk\": 0, \"chunks\": 1, \"credentials\": ["
    "{\"id\": \"C0\", \"kind\": \"badge\", \"subject\": \"W-0001\","
    " \"name\": \"Nguyễn Văn A\", \"valid_from\": 0,"
    " \"valid_until\": \"2099-01-01\", \"status\": \"active\","
    " \"lanes\": \"*\"},"
    "{\"id\": \"C1\", \"kind\": \"cccd\", \"subject\": \"079190001234\","
    " \"status\": \"active\", \"lanes\": \"*\"},"
    "{\"id\": \"C2\", \"kind\": \"signed\", \"subject\": \"W-0002\","
    " \"serial\": 1, \"status\": \"active\"},"
    "{\"id\": \"C3\", \"kind\": \"dynamic\", \"subject\": \"W-0003\","
    " \"pubkey\": \"" FUZZ_PK_TEXT "\", \"status\": \"active\"},"
    "{\"id\": \"C4\", \"kind\": \"badge\", \"subject\": \"V-0001\","
    " \"role\": \"visitor\", \"status\": \"suspended\","
    " \"valid_until\": 1767312000000}]}";

struct fuzz_gate {
	char db[PATH_MAX];
	char gpio_log[PATH_MAX];
	char sock[PATH_MAX];
	char frame[PATH_MAX];
	char srcdir[PATH_MAX];	/* may be read */
	uint8_t *db0;		/* the database every input starts from */
	size_t db0_len;
	struct config base;
	struct loop loop;
	struct gate gate;
	sqlite3 *watch;		/* asks for data_version */
	/* The state every input starts from. */
	struct gate gate0;
	struct inbound_state inbound0;
	struct loop loop0;
	int data_version0;
	bool has_inbound0;
};

static struct fuzz_gate fg;
/* FUZZ_GATE_VERBOSE set: each result is printed (checking the seeds). */
static bool fuzz_gate_verbose;

/* Linked in place of the library's own with --wrap (fuzz-ldflags). */
int64_t __wrap_clock_utc_ms(void);
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_mkfifo(const char *path, mode_t mode);
int __wrap_mkfifo(const char *path, mode_t mode);

int64_t
__wrap_clock_utc_ms(void)
{
	return FUZZ_NOW_MS;
}

/* Under dir, without "..": anything else a push names is refused. */
static bool
fuzz_gate_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return dir[0] != '\0' && strncmp(path, dir, n) == 0 &&
	    path[n] == '/' && strstr(path, "/..") == NULL;
}

/*
 * The fuzz directory; read-only, the source tree and the zoneinfo, which
 * every config's site.timezone is checked against (a push's too).
 */
static bool
fuzz_gate_may_open(const char *path, int flags)
{
	return fuzz_gate_under(path, fuzz_dir) ||
	    ((flags & O_ACCMODE) == O_RDONLY &&
	    (fuzz_gate_under(path, fg.srcdir) ||
	    fuzz_gate_under(path, sitetime_zoneinfo_dir())));
}

/* open()'s mode argument, there only when a file may be created. */
#define FUZZ_OPEN_MODE(flags, mode) do {				\
	va_list ap;							\
									\
	if (((flags) & O_CREAT) != 0 ||					\
	    ((flags) & O_TMPFILE) == O_TMPFILE) {			\
		va_start(ap, flags);					\
		(mode) = (mode_t)va_arg(ap, int);			\
		va_end(ap);						\
	}								\
} while (0)

/* With _FILE_OFFSET_BITS=64 the library calls open64(); both are
 * wrapped, whichever the build used. */
int
__wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	FUZZ_OPEN_MODE(flags, mode);
	if (!fuzz_gate_may_open(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return __real_open(path, flags, mode);
}

int
__wrap_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	FUZZ_OPEN_MODE(flags, mode);
	if (!fuzz_gate_may_open(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return __real_open64(path, flags, mode);
}

int
__wrap_mkfifo(const char *path, mode_t mode)
{
	if (!fuzz_gate_under(path, fuzz_dir)) {
		errno = EACCES;
		return -1;
	}
	return __real_mkfifo(path, mode);
}

static void
fuzz_gate_set(const char *section, const char *key, const char *value)
{
	char err[320];

	if (config_set(&fg.base, section, key, value, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz gate: %s.%s: %s\n", section, key, err);
		abort();
	}
}

static int
fuzz_gate_data_version(void)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(fg.watch, "PRAGMA data_version", -1, &s,
	    NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v == -1)
		abort();
	return v;
}

/*
 * Opens the gate as qrgated does, on an empty directory, or on a copy of
 * the first database once there is one.
 */
static void
fuzz_gate_open(void)
{
	fuzz_dir_clear();
	if (fg.db0 != NULL)
		fuzz_file_write(fg.db, fg.db0, fg.db0_len);
	if (loop_init(&fg.loop) == -1 ||
	    gate_open(&fg.gate, &fg.loop, &fg.base) == -1 ||
	    store_sync_init(fg.gate.store) == -1)
		abort();
	inbound_set_base(&fg.gate, &fg.base);
	if (inbound_restore(&fg.gate) == -1)
		abort();
	if (sqlite3_open_v2(fg.db, &fg.watch, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		abort();
	fg.gate0 = fg.gate;
	fg.has_inbound0 = fg.gate.inbound != NULL;
	if (fg.has_inbound0)
		fg.inbound0 = *fg.gate.inbound;
	fg.loop0 = fg.loop;
	fg.data_version0 = fuzz_gate_data_version();
}

static void
fuzz_gate_close(void)
{
	sqlite3_close(fg.watch);
	fg.watch = NULL;
	inbound_close(&fg.gate);
	gate_close(&fg.gate);
	loop_done(&fg.loop);
}

/* The first database: the credentials, then closed, so that it is whole
 * in one file. */
static void
fuzz_gate_first_db(void)
{
	json_t *res;

	fuzz_gate_open();
	res = inbound_credentials_set(&fg.gate,
	    (const uint8_t *)fuzz_gate_creds, strlen(fuzz_gate_creds));
	if (res == NULL || !json_is_true(json_object_get(res, "ok"))) {
		char *t = res != NULL ? json_dumps(res, 0) : NULL;

		fprintf(stderr, "fuzz gate: the credentials: %s\n",
		    t != NULL ? t : "no result");
		abort();
	}
	json_decref(res);
	fuzz_gate_close();
	fg.db0 = fuzz_file_read(fg.db, &fg.db0_len);
}

/* True when the input left the gate as it found it. */
static bool
fuzz_gate_unchanged(void)
{
	if (memcmp(&fg.gate, &fg.gate0, sizeof(fg.gate)) != 0 ||
	    memcmp(&fg.loop, &fg.loop0, sizeof(fg.loop)) != 0 ||
	    (fg.gate.inbound != NULL) != fg.has_inbound0 ||
	    (fg.has_inbound0 && memcmp(fg.gate.inbound, &fg.inbound0,
	    sizeof(fg.inbound0)) != 0))
		return false;
	return fuzz_gate_data_version() == fg.data_version0;
}

static void
fuzz_gate_exit(void)
{
	fuzz_gate_close();
	fuzz_dir_remove();
	free(fg.db0);
}

static void
fuzz_gate_init(void)
{
	const char *src = getenv("QRGATE_SRCDIR");

	if (src == NULL || *src == '\0')
		src = FUZZ_SRCDIR;
	fuzz_log_quiet();
	fuzz_gate_verbose = getenv("FUZZ_GATE_VERBOSE") != NULL;
	/* Without the wrappers a push could write files anywhere. */
	if (clock_utc_ms() != FUZZ_NOW_MS || open("/", O_RDONLY) != -1) {
		fprintf(stderr, "fuzz gate: not linked with the --wrap "
		    "options of the fuzz-ldflags line\n");
		abort();
	}
	fuzz_dir_make("fuzz-gate");
	fuzz_path(fg.db, sizeof(fg.db), "gate.db");
	fuzz_path(fg.gpio_log, sizeof(fg.gpio_log), "gpio.log");
	fuzz_path(fg.sock, sizeof(fg.sock), "control.sock");
	snprintf(fg.srcdir, sizeof(fg.srcdir), "%s", src);
	snprintf(fg.frame, sizeof(fg.frame),
	    "%s/tests/fuzz/seeds/fuzz_image/png-grey8", src);
	config_defaults(&fg.base);
	fuzz_gate_set("camera", "backend", "file");
	fuzz_gate_set("camera", "source", fg.frame);
	fuzz_gate_set("camera", "loop", "true");
	fuzz_gate_set("gpio", "backend", "sim");
	fuzz_gate_set("gpio", "sim_log", fg.gpio_log);
	fuzz_gate_set("store", "path", fg.db);
	/* No fsync for each commit: the file is thrown away anyway. */
	fuzz_gate_set("store", "synchronous", "normal");
	fuzz_gate_set("control", "socket", fg.sock);
	fuzz_gate_set("lane", "exit", "true");
	/* gate_open() and every reload a push makes set the config's log
	 * level: errors only, as fuzz_log_quiet() does. */
	fuzz_gate_set("log", "level", "error");
	fuzz_gate_first_db();
	fuzz_gate_open();
	atexit(fuzz_gate_exit);
}

/* After each input: back to the state every input starts from. */
static void
fuzz_gate_reset(void)
{
	if (fuzz_gate_unchanged())
		return;
	fuzz_gate_close();
	fuzz_gate_open();
}

/* The result document, if any, must serialise: it is published. */
static void
fuzz_gate_result(json_t *res)
{
	char *text;

	if (res == NULL)
		return;
	if (!json_is_object(res) || (text = json_dumps(res, JSON_COMPACT)) ==
	    NULL)
		abort();
	if (fuzz_gate_verbose)
		fprintf(stderr, "result: %s\n", text);
	free(text);
	json_decref(res);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_gate_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_gate_result(FUZZ_GATE_RUN(&fg.gate, data, len));
	fuzz_gate_reset();
	return 0;
}

#endif /* FUZZ_GATE_H */
