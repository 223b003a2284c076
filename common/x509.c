/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <openssl/evp.h>

#include "digest.h"
#include "x509.h"

static bool blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A PEM file given where one object is read holds exactly one PEM block and
 * nothing but white space (or NUL padding) after it: OpenSSL's reader takes the
 * first block and ignores the rest, so a second CRL in a file would never be applied.
 */
static enum ms_status pem_one(const uint8_t *buf, size_t len, const char *what, const char *noun,
			      struct ms_err *err)
{
	static const char begin[] = "-----BEGIN", end[] = "-----END";
	const uint8_t *first = memmem(buf, len, begin, sizeof(begin) - 1), *second, *e;
	size_t at;

	second = memmem(first + 1, len - (size_t)(first + 1 - buf), begin, sizeof(begin) - 1);
	if (second)
		return ms_fail(err, MS_BAD_INPUT, "%s: a second PEM block at offset 0x%zx; give one %s per file",
			       what, (size_t)(second - buf), noun);
	e = memmem(first, len - (size_t)(first - buf), end, sizeof(end) - 1);
	if (!e)
		return ms_fail(err, MS_BAD_INPUT, "%s: the PEM block at offset 0x%zx has no end line", what,
			       (size_t)(first - buf));
	/* past the end line's closing dashes */
	at = (size_t)(e - buf) + sizeof(end) - 1;
	while (at < len && buf[at] != '\n' && buf[at] != '\r')
		at++;
	for (; at < len; at++)
		if (buf[at] && !blank(buf[at]))
			return ms_fail(err, MS_BAD_INPUT, "%s: bytes after the PEM %s (at offset 0x%zx)", what, noun,
				       at);
	return MS_OK;
}

enum ms_status ms_x509_parse(const uint8_t *buf, size_t len, const char *what, X509 **out,
			     struct ms_err *err)
{
	X509 *cert = NULL;

	if (len > INT32_MAX)
		return ms_fail(err, MS_BAD_INPUT, "%s: certificate too large", what);
	if (len >= 10 && memmem(buf, len, "-----BEGIN", 10)) {
		enum ms_status st = pem_one(buf, len, what, "certificate", err);
		BIO *bio;

		if (st)
			return st;
		if (!(bio = BIO_new_mem_buf(buf, (int)len)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const uint8_t *p = buf;

		cert = d2i_X509(NULL, &p, (long)len);
		if (cert && p != buf + len) {
			X509_free(cert);
			return ms_fail(err, MS_BAD_INPUT, "%s: %zu bytes after the DER certificate", what,
				       (size_t)(buf + len - p));
		}
	}
	if (!cert)
		return ms_fail(err, MS_BAD_INPUT, "%s: not a PEM or DER X.509 certificate", what);
	*out = cert;
	return MS_OK;
}

enum ms_status ms_x509_der(X509 *cert, uint8_t **der, size_t *len, struct ms_err *err)
{
	uint8_t *p = NULL;
	int n = i2d_X509(cert, &p);

	if (n <= 0)
		return ms_fail(err, MS_BAD_INPUT, "certificate cannot be DER-encoded");
	*der = p;
	*len = (size_t)n;
	return MS_OK;
}

char *ms_x509_name(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!bio)
		return NULL;
	X509_NAME_print_ex(bio, name, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK & ~XN_FLAG_DN_REV) | XN_FLAG_SEP_CPLUS_SPC);
	n = BIO_get_mem_data(bio, &data);
	out = malloc((size_t)n + 1);
	if (out) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(bio);
	return out;
}

int ms_asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

void ms_format_time(int64_t unix_seconds, char out[32])
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 32, "@%lld", (long long)unix_seconds);
		return;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ms_x509_fingerprint(X509 *cert, uint8_t out[32])
{
	uint8_t *der = NULL;
	int n = i2d_X509(cert, &der);

	if (n > 0)
		ms_sha256(der, (size_t)n, out);
	else
		memset(out, 0, 32);
	OPENSSL_free(der);
}

enum ms_status ms_x509_parse_bundle(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) **out,
				    struct ms_err *err)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
	STACK_OF(X509) *sk = sk_X509_new_null();
	enum ms_status st = MS_OK;
	size_t at = 0;

	if (!sk)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (len > INT32_MAX) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: too large", what);
		goto out;
	}
	/* PEM blocks with only white space between them, and NUL padding at the end: nothing unread */
	for (;;) {
		const uint8_t *e;
		size_t stop;
		BIO *bio;
		X509 *c;

		while (at < len && blank(buf[at]))
			at++;
		if (at == len || !buf[at])
			break;
		if (len - at < sizeof(begin) - 1 || memcmp(buf + at, begin, sizeof(begin) - 1)) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: byte 0x%zx is neither a PEM certificate nor white space", what, at);
			goto out;
		}
		e = memmem(buf + at, len - at, end, sizeof(end) - 1);
		if (!e) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: the PEM certificate at 0x%zx has no end line", what, at);
			goto out;
		}
		stop = (size_t)(e - buf) + sizeof(end) - 1;
		bio = BIO_new_mem_buf(buf + at, (int)(stop - at));
		c = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		if (!c) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: the PEM certificate at 0x%zx does not decode", what, at);
			goto out;
		}
		if (!sk_X509_push(sk, c)) {
			X509_free(c);
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		at = stop;
	}
	for (; at < len; at++)
		if (buf[at] && !blank(buf[at])) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: bytes after the last PEM certificate (at 0x%zx)", what, at);
			goto out;
		}
	if (sk_X509_num(sk) == 0)
		st = ms_fail(err, MS_BAD_INPUT, "%s: no PEM certificate", what);
out:
	if (st)
		sk_X509_pop_free(sk, X509_free);
	else
		*out = sk;
	return st;
}

enum ms_status ms_crl_parse(const uint8_t *buf, size_t len, const char *what, X509_CRL **out, struct ms_err *err)
{
	X509_CRL *crl = NULL;

	if (len > INT32_MAX)
		return ms_fail(err, MS_BAD_INPUT, "%s: too large", what);
	if (len >= 10 && memmem(buf, len, "-----BEGIN", 10)) {
		enum ms_status st = pem_one(buf, len, what, "CRL", err);
		BIO *bio;

		if (st)
			return st;
		if (!(bio = BIO_new_mem_buf(buf, (int)len)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const uint8_t *p = buf;

		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl && p != buf + len) {
			X509_CRL_free(crl);
			return ms_fail(err, MS_BAD_INPUT, "%s: %zu bytes after the DER CRL (at offset 0x%zx); give one CRL per file",
				       what, (size_t)(buf + len - p), (size_t)(p - buf));
		}
	}
	if (!crl)
		return ms_fail(err, MS_BAD_INPUT, "%s: not a PEM or DER CRL", what);
	*out = crl;
	return MS_OK;
}

