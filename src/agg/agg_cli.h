/*
 * The CLI subcommands of qrgate-aggregator, which query the database
 * directly: trace, inside, events, daily, gates, alarms, gaps.
 */
#ifndef QRGATE_AGG_CLI_H
#define QRGATE_AGG_CLI_H

#include <jansson.h>

#include "agg_config.h"

enum agg_out { OUT_TABLE, OUT_CSV, OUT_JSON };

/* Prints an array of flat objects, the first one's keys as columns: a
 * table (times in site.timezone, no _ms columns), CSV or nothing (JSON is
 * the caller's). */
void agg_print_rows(json_t *rows, enum agg_out out);

/* qrgate-aggregator visitor add|list|cancel|pass|export (agg_visitor_cli.c). */
int agg_visitor_cli_run(const struct agg_config *cfg, int argc, char **argv);

/* argv[0] is the command.  Returns the exit status: 0, 1 (error), 2
 * (usage). */
int agg_cli_run(const struct agg_config *cfg, int argc, char **argv);

/* qrgate-aggregator user ... (agg_cli_user.c): argv[0] is "user". */
int agg_cli_user(const struct agg_config *cfg, int argc, char **argv);

/* qrgate-aggregator people ... (argv[0] "people") and muster
 * (agg_people_cli.c).  Exit status as agg_cli_run(). */
int agg_people_cli(const struct agg_config *cfg, int argc, char **argv);
int agg_muster_cli(const struct agg_config *cfg, int argc, char **argv);

/* qrgate-aggregator attendance ... (agg_attendance_cli.c). */
int agg_attendance_cli(const struct agg_config *cfg, int argc, char **argv);

#endif
