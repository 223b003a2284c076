/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test PKI for the evidence harnesses, made once per process: keys,
 * certificates, CRLs, ECDSA signing as r||s, and a reader that splits a fuzz
 * input into fields. No cmocka: a failure to build the PKI aborts the process.
 */
#ifndef MS_FUZZ_PKI_H
#define MS_FUZZ_PKI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../../compare/evidence.h"

#define FZ_NOW 1700000000LL /* every validity window is around this time */
#define FZ_DAY 86400LL

struct fz_ca {
	EVP_PKEY *key;
	X509 *cert;
};

__attribute__((noreturn)) static inline void fz_die(const char *what)
{
	fprintf(stderr, "fuzz_pki: %s failed\n", what);
	abort();
}

static inline EVP_PKEY *fz_key(const char *curve)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	if (!k)
		fz_die("key generation");
	return k;
}

static inline void fz_ext(X509 *c, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	if (!e || !X509_add_ext(c, e, -1))
		fz_die("certificate extension");
	X509_EXTENSION_free(e);
}

/* An extension by dotted OID whose value is the given DER bytes (AMD's 1.3.6.1.4.1.3704.1.*). */
static inline void fz_raw_ext(X509 *c, const char *oid, const uint8_t *value, size_t len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;

	if (!obj || !os || !ASN1_OCTET_STRING_set(os, value, (int)len) ||
	    !(e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) || !X509_add_ext(c, e, -1))
		fz_die("raw extension");
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

/*
 * A certificate in the RFC 5280 profile the strict chain verifier expects.
 * Unsigned when issuer_key is NULL and issuer is given: the caller adds
 * extensions and signs (fz_sign_cert).
 */
static inline X509 *fz_cert_unsigned(const char *cn, EVP_PKEY *key, const struct fz_ca *issuer, bool ca, int64_t from, int64_t to,
			      long serial, bool aki)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;

	if (!c || !name)
		fz_die("certificate");
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer->cert) : name);
	ASN1_TIME_set(X509_getm_notBefore(c), (time_t)from);
	ASN1_TIME_set(X509_getm_notAfter(c), (time_t)to);
	X509_set_pubkey(c, key);
	X509V3_set_ctx(&ctx, issuer ? issuer->cert : c, c, NULL, NULL, 0);
	fz_ext(c, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	fz_ext(c, &ctx, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	fz_ext(c, &ctx, NID_subject_key_identifier, "hash");
	if (aki)
		fz_ext(c, &ctx, NID_authority_key_identifier, "keyid:always");
	X509_NAME_free(name);
	return c;
}

static inline void fz_sign_cert(X509 *c, EVP_PKEY *issuer_key)
{
	if (!X509_sign(c, issuer_key, EVP_sha384()))
		fz_die("certificate signing");
}

static inline X509 *fz_cert(const char *cn, EVP_PKEY *key, const struct fz_ca *issuer, bool ca, int64_t from, int64_t to, long serial)
{
	X509 *c = fz_cert_unsigned(cn, key, issuer, ca, from, to, serial, true);

	fz_sign_cert(c, issuer ? issuer->key : key);
	return c;
}

static inline struct fz_ca fz_make_ca(const char *cn, const char *curve, const struct fz_ca *issuer, long serial)
{
	struct fz_ca ca;

	ca.key = fz_key(curve);
	ca.cert = fz_cert(cn, ca.key, issuer, true, FZ_NOW - 365 * FZ_DAY, FZ_NOW + 365 * FZ_DAY, serial);
	return ca;
}

/* A complete CRL from issuer, revoking one certificate or none, valid from last to next. */
static inline X509_CRL *fz_crl(const struct fz_ca *issuer, X509 *revoked, int64_t last, int64_t next)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)last), *n = ASN1_TIME_set(NULL, (time_t)next);

	if (!crl || !t || !n)
		fz_die("CRL");
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->cert));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_set1_nextUpdate(crl, n);
	if (revoked) {
		X509_REVOKED *rev = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(revoked));
		X509_REVOKED_set_revocationDate(rev, t);
		X509_CRL_add0_revoked(crl, rev);
	}
	X509_CRL_sort(crl);
	if (!X509_CRL_sign(crl, issuer->key, EVP_sha256()))
		fz_die("CRL signing");
	ASN1_TIME_free(t);
	ASN1_TIME_free(n);
	return crl;
}

static inline X509_CRL *fz_crl_current(const struct fz_ca *issuer, X509 *revoked)
{
	return fz_crl(issuer, revoked, FZ_NOW - FZ_DAY, FZ_NOW + FZ_DAY);
}

static inline X509_CRL *fz_crl_stale(const struct fz_ca *issuer)
{
	return fz_crl(issuer, NULL, FZ_NOW - 10 * FZ_DAY, FZ_NOW - 5 * FZ_DAY);
}

/* A stack of CRLs (it owns them); the harnesses keep a few, made once. */
static inline STACK_OF(X509_CRL) *fz_crls(int n, ...)
{
	STACK_OF(X509_CRL) *sk = sk_X509_CRL_new_null();
	va_list ap;

	if (!sk)
		fz_die("CRL stack");
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		if (!sk_X509_CRL_push(sk, va_arg(ap, X509_CRL *)))
			fz_die("CRL stack");
	va_end(ap);
	return sk;
}

/* ECDSA over data with md, as big-endian r||s of half bytes each. */
static inline void fz_sign_rs(EVP_PKEY *key, const EVP_MD *md, const uint8_t *data, size_t len, uint8_t *out, int half)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[160];
	size_t n = sizeof(der);
	const uint8_t *p = der;
	ECDSA_SIG *sig = NULL;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 || EVP_DigestSign(ctx, der, &n, data, len) != 1 ||
	    !(sig = d2i_ECDSA_SIG(NULL, &p, (long)n)) || BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, half) != half ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + half, half) != half)
		fz_die("ECDSA signing");
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
}

/* A certificate's DER or PEM, in a malloc'd buffer kept for the process. */
struct fz_blob {
	uint8_t *p;
	size_t n;
};

static inline struct fz_blob fz_der(X509 *c)
{
	struct fz_blob b = { NULL, 0 };
	int n = i2d_X509(c, NULL);
	uint8_t *q;

	if (n <= 0 || !(b.p = malloc((size_t)n)))
		fz_die("DER encoding");
	q = b.p;
	i2d_X509(c, &q);
	b.n = (size_t)n;
	return b;
}

static inline struct fz_blob fz_pem(X509 *c)
{
	struct fz_blob b = { NULL, 0 };
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (!bio || !PEM_write_bio_X509(bio, c) || (n = BIO_get_mem_data(bio, &data)) <= 0 || !(b.p = malloc((size_t)n)))
		fz_die("PEM encoding");
	memcpy(b.p, data, (size_t)n);
	b.n = (size_t)n;
	BIO_free(bio);
	return b;
}

/* The fuzz input, read field by field; a field past the end reads as zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline void fz_take(struct fz_in *in, void *out, size_t k)
{
	size_t got = k < in->n ? k : in->n;

	memcpy(out, in->p, got);
	memset((uint8_t *)out + got, 0, k - got);
	in->p += got;
	in->n -= got;
}

/* Up to k bytes in place (fewer at the end of the input). */
static inline const uint8_t *fz_ptr(struct fz_in *in, size_t k, size_t *got)
{
	const uint8_t *p = in->p;

	*got = k < in->n ? k : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v;

	fz_take(in, &v, 1);
	return v;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint8_t b[2];

	fz_take(in, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline void fz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static inline void fz_put32(uint8_t *p, uint32_t v)
{
	fz_put16(p, (uint16_t)v), fz_put16(p + 2, (uint16_t)(v >> 16));
}

/* The check time a control value picks: now, long after every certificate, or long before. */
static inline int64_t fz_time(unsigned sel)
{
	static const int64_t t[4] = { FZ_NOW, FZ_NOW, FZ_NOW + 400 * FZ_DAY, FZ_NOW - 400 * FZ_DAY };

	return t[sel & 3];
}

/* The rest of the input as a policy: parsed and applied to evidence that verified. */
static inline void fz_apply_policy(const struct ms_evidence *ev, const uint8_t *text, size_t len)
{
	cJSON *policy = NULL;
	struct ms_checks checks = { 0 };
	struct ms_err err = { 0 };

	if (ms_policy_parse((const char *)text, len, &policy, &err) == MS_OK) {
		ms_policy_apply(policy, ev, &checks, &err);
		cJSON_Delete(policy);
	}
	ms_checks_free(&checks);
}

#endif
