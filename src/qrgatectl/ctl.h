/*
 * qrgatectl's subcommands, one file each (ctl_*.c).  Each takes the
 * subcommand's own arguments (argv[0] is the subcommand's name), prints its
 * result to stdout and errors to stderr, and returns the exit status.
 */
#ifndef QRGATE_CTL_H
#define QRGATE_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

struct ctl {
	struct config cfg;	/* loaded from -c FILE and -o overrides */
	const char *config_path;
};

int ctl_scan(struct ctl *c, int argc, char **argv);	/* scan [--json] FILE... */
int ctl_screen(struct ctl *c, int argc, char **argv);	/* screen STATE ... */
int ctl_prompt(struct ctl *c, int argc, char **argv);	/* prompt [NAME...] [--bench] */
int ctl_events(struct ctl *c, int argc, char **argv);	/* events [--since T] [--json|--csv] */
int ctl_cred(struct ctl *c, int argc, char **argv);	/* cred add|del|list|import */
int ctl_status(struct ctl *c, int argc, char **argv);	/* status [--json] */
int ctl_open(struct ctl *c, int argc, char **argv);	/* open entry|exit */
int ctl_lockdown(struct ctl *c, int argc, char **argv);	/* lockdown, normal */
int ctl_floor(struct ctl *c, int argc, char **argv);	/* floor [--set now|T] */
int ctl_push(struct ctl *c, int argc, char **argv);	/* push config|site-config|credentials|patch|cmd */
int ctl_keygen(struct ctl *c, int argc, char **argv);	/* keygen FILE */
int ctl_badge(struct ctl *c, int argc, char **argv);	/* badge ID --key F ... */
int ctl_token(struct ctl *c, int argc, char **argv);	/* token ID --key F ... */
int ctl_visitor_pass(struct ctl *c, int argc, char **argv);	/* visitor-pass ID ... */
int ctl_site(struct ctl *c, int argc, char **argv);	/* site init|add-gate|... */
int ctl_schedule(struct ctl *c, int argc, char **argv);	/* schedule add|del|list|... */
/* Every form of a command with subcommands, for an error and for help. */
void ctl_cred_usage(FILE *f);
void ctl_site_usage(FILE *f);
void ctl_push_usage(FILE *f);
void ctl_schedule_usage(FILE *f);

/* The gate's store (store.path), created when writing; a read-only open
 * of a file not there says so (ctl_cred.c).  NULL after a message. */
struct store;
struct store *ctl_store_open(struct ctl *c, bool read_only);

/* The one CCCD card in an image file, parsed (ctl_scan.c).  0, or -1
 * with the reason in err. */
struct payload;
int ctl_scan_cccd(struct ctl *c, const char *path, struct payload *pl,
    char *err, size_t errlen);

/* "--opt V" or "--opt=V" at argv[*i]: the value, with *i moved past it;
 * NULL when argv[*i] is not that option (ctl_opt.c). */
const char *ctl_opt(int argc, char **argv, int *i, const char *opt);

#endif
