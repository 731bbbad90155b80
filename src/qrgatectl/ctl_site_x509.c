/*
 * The site's keys and certificates, made with the OpenSSL library the
 * gate already links (never the openssl command): a self-signed CA, the
 * broker's server certificate with the names and addresses the clients
 * connect to, and client certificates whose common name is the MQTT user
 * name the broker's ACL knows (use_identity_as_username).  Keys are
 * P-256: small on a Pi, and what every TLS 1.2 peer speaks.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ctl_site.h"

#define SITE_SERIAL_BYTES	16

static void
site_ssl_err(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, "qrgatectl: site: %s: %s\n", what, buf);
	} else
		fprintf(stderr, "qrgatectl: site: %s failed\n", what);
	ERR_clear_error();
}

bool
site_ip_ok(const char *text)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, text, buf) == 1 ||
	    inet_pton(AF_INET6, text, buf) == 1;
}

/* dir/rel read as PEM: a key or a certificate.  NULL, told. */
static void *
site_pem_read(const struct site *s, const char *rel, bool key)
{
	char path[1024];
	void *v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgatectl: site: %s: cannot open\n", path);
		return NULL;
	}
	v = key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    (void *)PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (v == NULL)
		site_ssl_err(path);
	return v;
}

/* Writes what a PEM writer put into a memory BIO to dir/rel. */
static int
site_bio_write(const struct site *s, BIO *b, const char *rel, mode_t mode,
    gid_t group)
{
	char *data;
	long len = BIO_get_mem_data(b, &data);

	return len <= 0 ? -1 : site_file_write(s, rel, data, (size_t)len, mode,
	    group);
}

static int
site_ext_add(X509 *crt, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int r;

	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL) {
		site_ssl_err(value);
		return -1;
	}
	r = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return r == 1 ? 0 : -1;
}

/* "DNS:a,DNS:b,IP:1.2.3.4": the subjectAltName value of r. */
static int
site_san(const struct site_cert_req *r, char *buf, size_t size)
{
	size_t n = 0;
	int w;

	buf[0] = '\0';
	for (int i = 0; i < r->ndns + r->nips; i++) {
		w = snprintf(buf + n, size - n, "%s%s:%s", n > 0 ? "," : "",
		    i < r->ndns ? "DNS" : "IP",
		    i < r->ndns ? r->dns[i] : r->ips[i - r->ndns]);
		if (w < 0 || (size_t)w >= size - n)
			return -1;
		n += (size_t)w;
	}
	return 0;
}

/* The extensions of r's kind: what a TLS peer checks of each. */
static int
site_exts(X509 *crt, X509 *issuer, const struct site_cert_req *r)
{
	X509V3_CTX ctx;
	char san[2048];

	X509V3_set_ctx(&ctx, issuer, crt, NULL, NULL, 0);
	if (site_ext_add(crt, &ctx, NID_subject_key_identifier, "hash") == -1)
		return -1;
	if (r->kind == SITE_CERT_CA)
		return site_ext_add(crt, &ctx, NID_basic_constraints,
		    "critical,CA:TRUE,pathlen:0") == -1 ||
		    site_ext_add(crt, &ctx, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == -1 ? -1 : 0;
	if (site_ext_add(crt, &ctx, NID_authority_key_identifier,
	    "keyid:always") == -1 ||
	    site_ext_add(crt, &ctx, NID_basic_constraints,
	    "critical,CA:FALSE") == -1 ||
	    site_ext_add(crt, &ctx, NID_key_usage,
	    "critical,digitalSignature,keyAgreement") == -1 ||
	    site_ext_add(crt, &ctx, NID_ext_key_usage,
	    r->kind == SITE_CERT_SERVER ? "serverAuth" : "clientAuth") == -1)
		return -1;
	if (r->ndns + r->nips == 0)
		return 0;
	if (site_san(r, san, sizeof(san)) == -1) {
		fprintf(stderr, "qrgatectl: site: too many names\n");
		return -1;
	}
	return site_ext_add(crt, &ctx, NID_subject_alt_name, san);
}

/* A random positive serial, as RFC 5280 asks: unique without a register. */
static int
site_serial(X509 *crt)
{
	unsigned char rnd[SITE_SERIAL_BYTES];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x01;
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* The certificate of key for r, signed by ca_key (ca_crt NULL: itself). */
static X509 *
site_cert_build(const struct site_cert_req *r, EVP_PKEY *key, X509 *ca_crt,
    EVP_PKEY *ca_key)
{
	X509 *crt;
	X509_NAME *name;

	if ((crt = X509_new()) == NULL || X509_set_version(crt, 2) != 1 ||
	    site_serial(crt) == -1)
		goto fail;
	if ((name = X509_get_subject_name(crt)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)r->cn, -1, -1, 0) != 1)
		goto fail;
	if (X509_set_issuer_name(crt, ca_crt != NULL ?
	    X509_get_subject_name(ca_crt) : name) != 1)
		goto fail;
	/* An hour back: a gate whose clock is a little behind still takes
	 * a certificate made now. */
	if (X509_gmtime_adj(X509_getm_notBefore(crt), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(crt), r->days, 0, NULL) ==
	    NULL || X509_set_pubkey(crt, key) != 1)
		goto fail;
	if (site_exts(crt, ca_crt != NULL ? ca_crt : crt, r) == -1)
		goto fail;
	if (X509_sign(crt, ca_key, EVP_sha256()) == 0)
		goto fail;
	return crt;
fail:
	site_ssl_err("making the certificate");
	X509_free(crt);
	return NULL;
}

/* "2027-12-07 08:30:00 UTC" of an ASN1_TIME. */
static void
site_time_text(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "?");
}

int
site_cert_make(const struct site *s, const struct site_cert_req *r,
    const char *rel_key, const char *rel_crt, bool keep_key, gid_t group)
{
	EVP_PKEY *key = NULL, *ca_key = NULL;
	X509 *crt = NULL, *ca_crt = NULL;
	BIO *b = NULL;
	char until[64];
	int status = -1;

	if (r->kind != SITE_CERT_CA &&
	    ((ca_key = site_pem_read(s, "ca/ca.key", true)) == NULL ||
	    (ca_crt = site_pem_read(s, "ca/ca.crt", false)) == NULL))
		goto done;
	if (keep_key) {
		if ((key = site_pem_read(s, rel_key, true)) == NULL)
			goto done;
	} else if ((key = EVP_EC_gen("P-256")) == NULL) {
		site_ssl_err("making a key");
		goto done;
	}
	if ((crt = site_cert_build(r, key, ca_crt, ca_key != NULL ? ca_key :
	    key)) == NULL)
		goto done;
	if (!keep_key) {
		if ((b = BIO_new(BIO_s_mem())) == NULL ||
		    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL,
		    NULL) != 1) {
			site_ssl_err("writing the key");
			goto done;
		}
		if (site_bio_write(s, b, rel_key, group == (gid_t)-1 ? 0600 :
		    0640, group) == -1)
			goto done;
		BIO_free(b);
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(b, crt) != 1) {
		site_ssl_err("writing the certificate");
		goto done;
	}
	if (site_bio_write(s, b, rel_crt, 0644, (gid_t)-1) == -1)
		goto done;
	site_time_text(X509_get0_notAfter(crt), until, sizeof(until));
	printf("%s: CN=%s, %d days, until %s\n", rel_crt, r->cn, r->days,
	    until);
	status = 0;
done:
	BIO_free(b);
	X509_free(crt);
	X509_free(ca_crt);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	return status;
}

/*
 * What the certificate in dir/rel_crt was made for (its common name, kind
 * and subjectAltName), so that renew makes the same one again.  The
 * strings live in st, NULL-separated.  0, or -1 told.
 */
int
site_cert_req_of(const struct site *s, const char *rel_crt,
    struct site_cert_req *r, struct site_cert_names *st)
{
	X509 *crt;
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	int status = -1;
	uint32_t xku;

	memset(st, 0, sizeof(*st));
	if ((crt = site_pem_read(s, rel_crt, false)) == NULL)
		return -1;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(crt),
	    NID_commonName, st->cn, sizeof(st->cn)) <= 0) {
		fprintf(stderr, "qrgatectl: site: %s: no common name\n",
		    rel_crt);
		goto done;
	}
	xku = X509_get_extended_key_usage(crt);
	r->kind = X509_check_ca(crt) ? SITE_CERT_CA : (xku & XKU_SSL_SERVER) ?
	    SITE_CERT_SERVER : SITE_CERT_CLIENT;
	r->cn = st->cn;
	gens = X509_get_ext_d2i(crt, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS && st->ndns < SITE_NAMES_MAX) {
			snprintf(st->dns[st->ndns], sizeof(st->dns[0]), "%.*s",
			    ASN1_STRING_length(g->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
			st->dnsp[st->ndns] = st->dns[st->ndns];
			st->ndns++;
		} else if (g->type == GEN_IPADD && st->nips < SITE_NAMES_MAX) {
			int len = ASN1_STRING_length(g->d.iPAddress);

			if (inet_ntop(len == 4 ? AF_INET : AF_INET6,
			    ASN1_STRING_get0_data(g->d.iPAddress),
			    st->ips[st->nips], sizeof(st->ips[0])) == NULL ||
			    (len != 4 && len != 16))
				continue;
			st->ipsp[st->nips] = st->ips[st->nips];
			st->nips++;
		}
	}
	GENERAL_NAMES_free(gens);
	r->dns = st->dnsp;
	r->ndns = st->ndns;
	r->ips = st->ipsp;
	r->nips = st->nips;
	status = 0;
done:
	X509_free(crt);
	return status;
}
