/* SPDX-License-Identifier: Apache-2.0 */
/* Synthetic TDX quotes (v4, certification data type 6 with a PEM PCK chain) for the tests. */
#ifndef MS_TEST_TDX_QUOTE_H
#define MS_TEST_TDX_QUOTE_H

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "pki.h"

#include "../common/digest.h"

struct tdx_quote_spec {
	X509 *pck;
	uint8_t mrtd_fill, td_attributes0, mrsignerseam_fill;
	uint8_t tee_tcb_svn[16];
	const uint8_t *reportdata;
	bool qe_report_tampered, auth_tampered, body_tampered, foreign_qe, qe_debug, foreign_vendor, junk_after_chain;
	X509 *pad[12]; /* certificates appended after the root in the PCK chain */
	int npad;
};

static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }

/* ECDSA P-256 / SHA-256, as r||s big-endian. */
static inline void sign_p256_raw(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t out[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t n = sizeof(der);
	const uint8_t *p = der;
	ECDSA_SIG *sig;

	EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key);
	EVP_DigestSign(ctx, der, &n, data, len);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
}

/*
 * A TDX quote v4 over a body made from s: the attestation key att_key signs it, and the QE
 * report binding that key is signed by pck_key; the PCK chain is s->pck, pck_ca, root.
 */
static inline uint8_t *make_tdx_quote(const struct tdx_quote_spec *s, EVP_PKEY *pck_key, EVP_PKEY *att_key, X509 *pck_ca,
				      X509 *root, size_t *len)
{
	uint8_t *q = calloc(1, 32768), *p, qe[384] = { 0 }, auth[32], key[65], tmp[64 + 32];
	size_t klen = sizeof(key), at, chain_len;
	static const uint8_t mrsigner[32] = { 0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
					      0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
					      0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5 };
	static const uint8_t intel[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					   0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

	/* header and body */
	put16(q, 4), put16(q + 2, 2), put32(q + 4, 0x81);
	memcpy(q + 12, intel, 16);
	if (s->foreign_vendor)
		q[12] ^= 0xff;
	p = q + 48;
	memset(p + 136, s->mrtd_fill, 48);                     /* MRTD */
	for (int i = 0; i < 4; i++)
		memset(p + 328 + 48 * i, 0x50 + i, 48);        /* RTMR0..3 */
	p[120] = s->td_attributes0;                            /* TDATTRIBUTES */
	memcpy(p, s->tee_tcb_svn, 16);                         /* TEE_TCB_SVN */
	memset(p + 64, s->mrsignerseam_fill, 48);              /* MRSIGNERSEAM */
	if (s->reportdata)
		memcpy(p + 520, s->reportdata, 64);
	/* the attestation key, and the QE report binding it */
	EVP_PKEY_get_octet_string_param(att_key, "pub", key, sizeof(key), &klen);
	memset(auth, 0xaa, sizeof(auth));
	memcpy(tmp, key + 1, 64);
	memcpy(tmp + 64, auth, 32);
	memcpy(qe + 128, mrsigner, 32);
	if (s->foreign_qe)
		qe[128] ^= 1;
	put16(qe + 256, 2), put16(qe + 258, 4);               /* ISVPRODID, ISVSVN */
	if (s->qe_debug)
		qe[48] |= 2;                                   /* ATTRIBUTES.DEBUG */
	ms_sha256(tmp, sizeof(tmp), qe + 320);
	/* signature data: quote signature, key, certification data (type 6) */
	at = 48 + 584;
	sign_p256_raw(att_key, q, at, q + at + 4);
	memcpy(q + at + 4 + 64, key + 1, 64);
	p = q + at + 4 + 128;
	put16(p, 6);
	memcpy(p + 6, qe, 384);
	sign_p256_raw(pck_key, qe, 384, p + 6 + 384);
	if (s->qe_report_tampered)
		p[6 + 10] ^= 1;
	put16(p + 6 + 384 + 64, 32);
	memcpy(p + 6 + 384 + 64 + 2, auth, 32);
	if (s->auth_tampered)
		p[6 + 384 + 64 + 2] ^= 1;
	chain_len = pem_of(s->pck, p + 6 + 384 + 64 + 2 + 32 + 6);
	chain_len += pem_of(pck_ca, p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len);
	chain_len += pem_of(root, p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len);
	for (int i = 0; i < s->npad; i++)
		chain_len += pem_of(s->pad[i], p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len);
	put16(p + 6 + 384 + 64 + 2 + 32, 5);
	put32(p + 6 + 384 + 64 + 2 + 32 + 2, (uint32_t)chain_len);
	if (s->junk_after_chain) { /* unsigned bytes inside the certification data, after the chain */
		memcpy(p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len, "JUNKJUNK", 8);
		chain_len += 8;
	}
	put32(p + 2, (uint32_t)(384 + 64 + 2 + 32 + 6 + chain_len));
	put32(q + at, (uint32_t)(128 + 6 + 384 + 64 + 2 + 32 + 6 + chain_len));
	if (s->body_tampered)
		q[48 + 200] ^= 1;
	*len = at + 4 + 128 + 6 + 384 + 64 + 2 + 32 + 6 + chain_len;
	return q;
}

#endif
