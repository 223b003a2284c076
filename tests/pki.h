/* SPDX-License-Identifier: Apache-2.0 */
/* Test PKI for synthetic evidence: keys, certificates, files, and running measure. */
#ifndef MS_TEST_PKI_H
#define MS_TEST_PKI_H

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/wait.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

extern char **environ;

struct ca {
	EVP_PKEY *key;
	X509 *cert;
};

static inline EVP_PKEY *p384(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
}

static inline EVP_PKEY *p256(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static inline X509 *make_cert(const char *cn, EVP_PKEY *key, const struct ca *issuer, bool ca, int64_t from, int64_t to)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer->cert) : name);
	ASN1_TIME_set(X509_getm_notBefore(c), (time_t)from);
	ASN1_TIME_set(X509_getm_notAfter(c), (time_t)to);
	X509_set_pubkey(c, key);
	X509V3_set_ctx(&ctx, issuer ? issuer->cert : c, c, NULL, NULL, 0);
	/* the RFC 5280 profile that the strict chain verifier expects (Intel's real chain has it) */
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(c, issuer ? issuer->key : key, EVP_sha384());
	X509_NAME_free(name);
	return c;
}

/* A CRL by issuer valid from..to, revoking one certificate when revoked is given. */
static inline X509_CRL *pki_crl(const struct ca *issuer, X509 *revoked, int64_t from, int64_t to, const EVP_MD *md)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *a = ASN1_TIME_set(NULL, (time_t)from), *b = ASN1_TIME_set(NULL, (time_t)to);

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->cert));
	X509_CRL_set1_lastUpdate(crl, a);
	X509_CRL_set1_nextUpdate(crl, b);
	if (revoked) {
		X509_REVOKED *r = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked));
		X509_REVOKED_set_revocationDate(r, a);
		X509_CRL_add0_revoked(crl, r);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, issuer->key, md);
	ASN1_TIME_free(a);
	ASN1_TIME_free(b);
	return crl;
}

/* The certificate as PEM into out (room enough is the caller's); returns its length. */
static inline size_t pem_of(X509 *c, void *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	PEM_write_bio_X509(b, c);
	n = BIO_get_mem_data(b, &data);
	memcpy(out, data, (size_t)n);
	BIO_free(b);
	return (size_t)n;
}

/* The test's scratch directory; "%s/" at the start of an argument stands for it. */
static char *tmpdir;

static inline void write_file(const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static inline int cli(const char *const *args)
{
	char *argv[32];
	const char *m = getenv("MEASURE");
	char *measure = realpath(m ? m : "build/measure", NULL);
	pid_t pid;
	int status, n = 0, devnull = open("/dev/null", O_WRONLY);
	posix_spawn_file_actions_t fa;

	argv[n++] = measure;
	for (; *args; args++) {
		/* "%s/" at the start of an argument stands for the test's directory */
		char *a = malloc(512);

		if (!strncmp(*args, "%s/", 3))
			snprintf(a, 512, "%s/%s", tmpdir, *args + 3);
		else
			snprintf(a, 512, "%s", *args);
		argv[n++] = a;
	}
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 1);
	posix_spawn_file_actions_adddup2(&fa, devnull, 2);
	assert_int_equal(posix_spawn(&pid, measure, &fa, NULL, argv, environ), 0);
	waitpid(pid, &status, 0);
	posix_spawn_file_actions_destroy(&fa);
	close(devnull);
	for (int i = 1; i < n; i++)
		free(argv[i]);
	free(measure);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static inline int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Removes the scratch directory and everything in it. */
static inline void remove_tmpdir(void)
{
	if (tmpdir)
		nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	tmpdir = NULL;
}

#endif
