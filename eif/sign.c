/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing the signature section: a COSE_Sign1 over PCR0 and the signing
 * certificate, in the CBOR layout nitro-cli's signer produces (serde_cbor:
 * every Vec<u8> an array of small integers, struct fields in declaration
 * order, the COSE structure untagged with an empty unprotected map).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "../common/x509.h"
#include "eif.h"

struct cbuf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void put(struct cbuf *b, const void *data, size_t len)
{
	if (b->failed || !len)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		uint8_t *p;

		while (cap < b->len + len)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* A CBOR head: major type and argument, shortest form. */
static void head(struct cbuf *b, unsigned major, uint64_t v)
{
	uint8_t h[9];
	size_t n;

	h[0] = (uint8_t)(major << 5);
	if (v < 24) {
		h[0] |= (uint8_t)v;
		n = 1;
	} else if (v < 0x100) {
		h[0] |= 24;
		h[1] = (uint8_t)v;
		n = 2;
	} else if (v < 0x10000) {
		h[0] |= 25;
		h[1] = (uint8_t)(v >> 8);
		h[2] = (uint8_t)v;
		n = 3;
	} else {
		h[0] |= 26;
		for (int i = 0; i < 4; i++)
			h[1 + i] = (uint8_t)(v >> (24 - 8 * i));
		n = 5;
	}
	put(b, h, n);
}

static void text(struct cbuf *b, const char *s)
{
	head(b, 3, strlen(s));
	put(b, s, strlen(s));
}

static void bstr(struct cbuf *b, const uint8_t *data, size_t len)
{
	head(b, 2, len);
	put(b, data, len);
}

/* serde_cbor's Vec<u8>: an array of unsigned integers. */
static void byte_array(struct cbuf *b, const uint8_t *data, size_t len)
{
	head(b, 4, len);
	for (size_t i = 0; i < len; i++)
		head(b, 0, data[i]);
}

/* COSE algorithm, digest and signature half-length from the key's curve. */
static enum ms_status key_alg(EVP_PKEY *key, int64_t *alg, const EVP_MD **md, size_t *half, struct ms_err *err)
{
	char curve[64];
	size_t len = 0;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), &len))
		return ms_fail(err, MS_UNSUPPORTED, "signing key: not an EC key (P-256, P-384 or P-521)");
	if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256")) {
		*alg = -7, *md = EVP_sha256(), *half = 32;
	} else if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384")) {
		*alg = -35, *md = EVP_sha384(), *half = 48;
	} else if (!strcmp(curve, "secp521r1") || !strcmp(curve, "P-521")) {
		*alg = -36, *md = EVP_sha512(), *half = 66;
	} else {
		return ms_fail(err, MS_UNSUPPORTED, "signing key: curve %s (P-256, P-384 or P-521)", curve);
	}
	return MS_OK;
}

enum ms_status ms_eif_signature_build(const uint8_t pcr0[MS_SHA384_LEN], const uint8_t *cert_pem, size_t cert_len,
				      EVP_PKEY *key, uint8_t **out, size_t *out_len, struct ms_err *err)
{
	struct cbuf prot = { 0 }, payload = { 0 }, tbs = { 0 }, cose = { 0 }, section = { 0 };
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *ecdsa = NULL;
	X509 *cert = NULL;
	const EVP_MD *md = NULL;
	const BIGNUM *r, *s;
	uint8_t *der = NULL, raw[132];
	const uint8_t *q;
	size_t der_len = 0, half = 0;
	int64_t alg = 0;
	enum ms_status st;

	*out = NULL;
	*out_len = 0;
	if ((st = ms_x509_parse(cert_pem, cert_len, "signing certificate", &cert, err)) ||
	    (st = key_alg(key, &alg, &md, &half, err)))
		goto out;
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), key) != 1) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "signing key: not the key of the signing certificate");
		goto out;
	}
	head(&prot, 5, 1);
	head(&prot, 0, 1);
	head(&prot, 1, (uint64_t)(-1 - alg));
	head(&payload, 5, 2);
	text(&payload, "register_index");
	head(&payload, 0, 0);
	text(&payload, "register_value");
	byte_array(&payload, pcr0, MS_SHA384_LEN);
	head(&tbs, 4, 4);
	text(&tbs, "Signature1");
	bstr(&tbs, prot.p, prot.len);
	bstr(&tbs, NULL, 0);
	bstr(&tbs, payload.p, payload.len);
	if (prot.failed || payload.failed || tbs.failed) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &der_len, tbs.p, tbs.len) != 1 || !(der = OPENSSL_malloc(der_len)) ||
	    EVP_DigestSign(ctx, der, &der_len, tbs.p, tbs.len) != 1) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "signing failed");
		goto out;
	}
	q = der;
	if (!(ecdsa = d2i_ECDSA_SIG(NULL, &q, (long)der_len))) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "signing produced no ECDSA signature");
		goto out;
	}
	ECDSA_SIG_get0(ecdsa, &r, &s);
	if (BN_bn2binpad(r, raw, (int)half) < 0 || BN_bn2binpad(s, raw + half, (int)half) < 0) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "signature does not fit the curve");
		goto out;
	}
	head(&cose, 4, 4);
	bstr(&cose, prot.p, prot.len);
	head(&cose, 5, 0);
	bstr(&cose, payload.p, payload.len);
	bstr(&cose, raw, 2 * half);
	head(&section, 4, 1);
	head(&section, 5, 2);
	text(&section, "signing_certificate");
	byte_array(&section, cert_pem, cert_len);
	text(&section, "signature");
	byte_array(&section, cose.p, cose.len);
	if (cose.failed || section.failed) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	*out = section.p;
	*out_len = section.len;
	section.p = NULL;
out:
	free(prot.p);
	free(payload.p);
	free(tbs.p);
	free(cose.p);
	free(section.p);
	ECDSA_SIG_free(ecdsa);
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	X509_free(cert);
	return st;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static enum ms_status write_all(int fd, const void *buf, size_t len, uint32_t *crc, struct ms_err *err)
{
	const uint8_t *p = buf;

	if (crc && len)
		*crc = (uint32_t)crc32_z(*crc, p, len);
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ms_fail(err, MS_BAD_INPUT, "write failed: %s", n < 0 ? strerror(errno) : "no space");
		p += n;
		len -= (size_t)n;
	}
	return MS_OK;
}

enum ms_status ms_eif_sign(int in_fd, const struct ms_eif *eif, const uint8_t *cert_pem, size_t cert_len,
			   EVP_PKEY *key, int out_fd, uint64_t *out_size, struct ms_err *err)
{
	uint8_t header[MS_EIF_HEADER_LEN], sec[MS_EIF_SECTION_HEADER_LEN], crc_be[4], *section = NULL, *buf = NULL;
	unsigned n = eif->header.num_sections;
	uint64_t keep_end, done;
	size_t section_len = 0;
	uint32_t crc = 0;
	enum ms_status st;

	for (unsigned i = 0; i < n; i++)
		if (eif->sections[i].type == MS_EIF_SIGNATURE && i != n - 1)
			return ms_fail(err, MS_UNSUPPORTED, "section %u is a signature but not the last one: cannot replace it", i);
	if (n && eif->sections[n - 1].type == MS_EIF_SIGNATURE)
		n--; /* replaced */
	if (n + 1 > MS_EIF_MAX_SECTIONS)
		return ms_fail(err, MS_UNSUPPORTED, "%u sections: no room for a signature", n);
	keep_end = n ? eif->sections[n - 1].offset + MS_EIF_SECTION_HEADER_LEN + eif->sections[n - 1].size
		     : MS_EIF_HEADER_LEN;
	if ((st = ms_eif_signature_build(eif->pcr0, cert_pem, cert_len, key, &section, &section_len, err)))
		goto out;
	if (pread(in_fd, header, sizeof(header), 0) != (ssize_t)sizeof(header)) {
		st = ms_fail(err, MS_BAD_INPUT, "cannot read the header again");
		goto out;
	}
	put_be(header + 26, n + 1, 2);
	for (unsigned i = n; i < MS_EIF_MAX_SECTIONS; i++) {
		put_be(header + 28 + 8 * i, i == n ? keep_end : 0, 8);
		put_be(header + 284 + 8 * i, i == n ? section_len : 0, 8);
	}
	if (eif->header.version < 4)
		put_be(header + 4, 4, 2);
	if ((st = write_all(out_fd, header, MS_EIF_HEADER_LEN - 4, &crc, err)) ||
	    (st = write_all(out_fd, "\0\0\0\0", 4, NULL, err)))
		goto out;
	if (!(buf = malloc(1u << 20))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	for (done = MS_EIF_HEADER_LEN; done < keep_end;) {
		size_t want = keep_end - done < (1u << 20) ? (size_t)(keep_end - done) : (1u << 20);
		ssize_t got = pread(in_fd, buf, want, (off_t)done);

		if (got <= 0) {
			st = ms_fail(err, MS_BAD_INPUT, "read failed at offset 0x%llx", (unsigned long long)done);
			goto out;
		}
		if ((st = write_all(out_fd, buf, (size_t)got, &crc, err)))
			goto out;
		done += (uint64_t)got;
	}
	memset(sec, 0, sizeof(sec));
	put_be(sec, MS_EIF_SIGNATURE, 2);
	put_be(sec + 4, section_len, 8);
	if ((st = write_all(out_fd, sec, sizeof(sec), &crc, err)) ||
	    (st = write_all(out_fd, section, section_len, &crc, err)))
		goto out;
	put_be(crc_be, crc, 4);
	if (pwrite(out_fd, crc_be, 4, MS_EIF_HEADER_LEN - 4) != 4) {
		st = ms_fail(err, MS_BAD_INPUT, "cannot write the CRC into the header");
		goto out;
	}
	*out_size = keep_end + MS_EIF_SECTION_HEADER_LEN + section_len;
out:
	free(buf);
	free(section);
	return st;
}
