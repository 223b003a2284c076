/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_X509_H
#define MS_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "status.h"

/* Parses one certificate, PEM or DER. */
enum ms_status ms_x509_parse(const uint8_t *buf, size_t len, const char *what, X509 **out,
			     struct ms_err *err);

/* The certificate's DER encoding, newly allocated. */
enum ms_status ms_x509_der(X509 *cert, uint8_t **der, size_t *len, struct ms_err *err);

/* "C=US, O=Test, CN=name" (RFC 2253 order reversed to read naturally). */
char *ms_x509_name(const X509_NAME *name);

/* UTC seconds of an ASN1_TIME; 0 on success. */
int ms_asn1_time_unix(const ASN1_TIME *t, int64_t *out);

/* RFC 3339 UTC ("2026-01-01T00:00:00Z") into out[21]. */
void ms_format_time(int64_t unix_seconds, char out[32]);

/* SHA-256 of the certificate's DER encoding. */
void ms_x509_fingerprint(X509 *cert, uint8_t out[32]);

/* Every certificate in a PEM bundle, in order. */
enum ms_status ms_x509_parse_bundle(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) **out,
				    struct ms_err *err);

/* Parses one CRL, DER or PEM. */
enum ms_status ms_crl_parse(const uint8_t *buf, size_t len, const char *what, X509_CRL **out, struct ms_err *err);

#endif
