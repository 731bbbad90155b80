/*
 * The option syntax every qrgatectl subcommand shares.
 */
#include <string.h>

#include "ctl.h"

const char *
ctl_opt(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strcmp(argv[*i], opt) == 0 && *i + 1 < argc)
		return argv[++*i];
	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	return NULL;
}
