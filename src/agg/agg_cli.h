/*
 * The CLI subcommands of qrgate-aggregator, which query the database
 * directly: trace, inside, events, daily, gates, alarms, gaps.
 */
#ifndef QRGATE_AGG_CLI_H
#define QRGATE_AGG_CLI_H

#include "agg_config.h"

/* argv[0] is the command.  Returns the exit status: 0, 1 (error), 2
 * (usage). */
int agg_cli_run(const struct agg_config *cfg, int argc, char **argv);

/* qrgate-aggregator user ... (agg_cli_user.c): argv[0] is "user". */
int agg_cli_user(const struct agg_config *cfg, int argc, char **argv);

/* Prints s as one CSV cell on stdout (RFC 4180; a cell a spreadsheet
 * would run as a formula gets a leading quote). */
void agg_csv_cell(const char *s);

/* qrgate-aggregator people ... (argv[0] "people") and muster
 * (agg_people_cli.c).  Exit status as agg_cli_run(). */
int agg_people_cli(const struct agg_config *cfg, int argc, char **argv);
int agg_muster_cli(const struct agg_config *cfg, int argc, char **argv);

#endif
