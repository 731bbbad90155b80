/*
 * A fresh directory holding a database path, for the store's tests; the
 * teardown removes the database with its WAL and shared memory, and
 * whatever else a test wrote there.  Include it after <cmocka.h>.  Each
 * test program is one translation unit, so the helpers are static.
 */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct store_fx {
	char dir[64];
	char db[PATH_MAX];	/* dir/gate.db, not yet made */
	char file[PATH_MAX];	/* the last other file a test wrote there */
};

static int
store_fx_setup(void **state)
{
	struct store_fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/qrgate-store.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/gate.db", fx->dir);
	*state = fx;
	return 0;
}

static int
store_fx_teardown(void **state)
{
	struct store_fx *fx = *state;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%.63s/%.255s", fx->dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

#endif
