/*
 * qrgatectl site: a site's certificates, keys and configs made in one
 * directory (ctl_site.c the commands, ctl_site_x509.c the keys and
 * certificates, ctl_site_conf.c the config files and the ACL,
 * ctl_site_file.c how a file is written).  For ctl_site*.c only.
 */
#ifndef QRGATE_CTL_SITE_H
#define QRGATE_CTL_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define SITE_NAMES_MAX		16	/* --broker-name and --broker-ip each */
#define SITE_NAME_MAX		63	/* a gate id, a site: config's 64 bytes */

/* What site init records in DIR/site.conf for the commands after it. */
struct site {
	char dir[512];
	char name[SITE_NAME_MAX + 1];	/* gate.site */
	char prefix[SITE_NAME_MAX + 1];	/* mqtt.topic_prefix */
	char host[256];			/* what clients connect to */
	int port;
	bool force;			/* overwrite files already there */
};

/* ctl_site_file.c */
/* Writes len bytes of data to dir/rel with mode (refused when the file
 * is there, unless s->force).  group: the group to give it, -1 none.
 * Returns 0, or -1 told on stderr. */
int site_file_write(const struct site *s, const char *rel, const void *data,
    size_t len, mode_t mode, gid_t group);
/* Makes dir/rel (mode 0755) unless it is there. */
int site_dir_make(const struct site *s, const char *rel);
/* Whether dir/rel exists. */
bool site_file_exists(const struct site *s, const char *rel);
/* Writes text (as open_memstream() made it; NULL: it could not) and
 * frees it.  Returns 0, or -1 told on stderr. */
int site_text_write(const struct site *s, const char *rel, char *text,
    size_t len, mode_t mode);
/* Letters, digits, '-' and '_' (the ACL's %u and MQTT topics), 1..max. */
bool site_name_ok(const char *name, size_t max);

/* ctl_site_x509.c */
enum site_cert_kind { SITE_CERT_CA, SITE_CERT_SERVER, SITE_CERT_CLIENT };
struct site_cert_req {
	enum site_cert_kind kind;
	const char *cn;
	const char *const *dns;		/* subjectAltName DNS names */
	int ndns;
	const char *const *ips;		/* subjectAltName addresses */
	int nips;
	int days;
};
/* A new P-256 key in dir/rel_key (0600, or 0640 for group when it is not
 * -1) and a certificate for it in dir/rel_crt (0644), signed by the site's
 * CA (or by itself for SITE_CERT_CA).  With rel_key already there and
 * keep_key, that key is certified again (renewal).  Prints the
 * certificate's lifetime.  Returns 0, or -1 told on stderr. */
int site_cert_make(const struct site *s, const struct site_cert_req *r,
    const char *rel_key, const char *rel_crt, bool keep_key, gid_t group);
/* The names of a certificate read back (site_cert_req_of). */
struct site_cert_names {
	char cn[SITE_NAME_MAX + 1];
	char dns[SITE_NAMES_MAX][256];
	char ips[SITE_NAMES_MAX][64];
	const char *dnsp[SITE_NAMES_MAX], *ipsp[SITE_NAMES_MAX];
	int ndns, nips;
};
/* What dir/rel_crt was made for, so that renew makes it again; r's
 * strings point into st.  Returns 0, or -1 told on stderr. */
int site_cert_req_of(const struct site *s, const char *rel_crt,
    struct site_cert_req *r, struct site_cert_names *st);
/* Whether text is an IPv4 or IPv6 address. */
bool site_ip_ok(const char *text);

/* ctl_site_conf.c: the config files, each built whole in memory. */
int site_conf_record(const struct site *s);
int site_conf_load(struct site *s);
int site_conf_broker(const struct site *s, const char *broker_dir);
int site_conf_acl(const struct site *s);
int site_conf_ops(const struct site *s, const char *conf_dir);
int site_conf_gate(const struct site *s, const char *gate,
    const char *conf_dir, const char *admin_pk);
int site_conf_aggregator(const struct site *s, const char *name,
    const char *conf_dir);

#endif
