/*
 * config_load(): the INI config file, written for each input to a file in
 * a private directory made once.  A load either replaces the config whole
 * or leaves it untouched with at least one error, each a terminated
 * "FILE:LINE: message"; a config it took must pass config_check().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

static char conf_path[PATH_MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	fuzz_dir_make("fuzz-config");
	fuzz_path(conf_path, sizeof(conf_path), "qrgate.conf");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct config c, before;
	static struct config_errors errs;
	int r;

	fuzz_file_write(conf_path, data, len);
	config_defaults(&c);
	before = c;
	memset(&errs, 0, sizeof(errs));
	r = config_load(&c, conf_path, NULL, 0, &errs);
	if (r == -1) {
		if (errs.count < 1 || memcmp(&c, &before, sizeof(c)) != 0)
			abort();
		for (int i = 0; i < errs.count && i < CONFIG_MAX_ERRORS; i++)
			if (memchr(errs.msg[i], '\0', sizeof(errs.msg[i])) ==
			    NULL)
				abort();
	} else if (r == 0) {
		memset(&errs, 0, sizeof(errs));
		if (config_check(&c, "fuzz", &errs) != 0)
			abort();
	} else
		abort();
	return 0;
}
