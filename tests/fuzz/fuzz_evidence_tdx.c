/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the tdx evidence parser and verifier. Raw inputs reach the quote
 * decoder; synthesised ones (first byte FZ_SYNTH) are quotes built from the
 * input's fields and signed by a test PCK chain, so that the chain (with CRLs),
 * the QE report and identity checks, the measurement mapping and the policy
 * code are fuzzed too.
 *
 * Synthesised layout, after the first byte:
 *   ctl0   bit 0 version 5 (else 4); bit 1 body type 3 (TDX 1.5, version 5 only);
 *          bit 2 keep the input's QE MRSIGNER (else Intel's TDX QE); bit 3 keep its
 *          ISVPRODID (else 2); bit 4 keep its ATTRIBUTES (else DEBUG cleared);
 *          bit 5 keep its REPORTDATA (else the attestation key binding);
 *          bit 6 flip a bit of the quote signature; bit 7 of the QE report signature
 *   ctl1   bits 0-2 CRLs (see crl_sets); bits 3-4 the check time; bits 5-7 extra certificates
 *   40     header bytes 8..47 (QE SVN, PCE SVN, QE vendor ID, user data)
 *   584/648 the TD quote body
 *   384    the QE report (MRSIGNER, ISVPRODID, ATTRIBUTES, REPORTDATA forced as above)
 *   1+n    QE authentication data
 *   k      one byte per extra certificate: bits 0-1 which, bit 2 before the PCK
 *   1+n    bytes appended to the PEM chain
 *   1+n    unsigned bytes after the signature data
 *   rest   a policy (JSON), applied when the quote verifies
 */
#include "evidence_harness.h"
#include "fuzz_pki.h"

static const uint8_t intel_qe_mrsigner[32] = { 0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
					       0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
					       0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5 };

/* Made once; never changed afterwards. */
static struct {
	struct fz_ca root, pck_ca, other;
	EVP_PKEY *pck_key, *att_key;
	X509 *pck;
	uint8_t att_xy[64];
	struct fz_blob pem[4]; /* root, PCK CA, PCK, another root of the same name */
	STACK_OF(X509_CRL) *crl_sets[8];
} pki;

static void pki_init(void)
{
	uint8_t point[65];
	size_t n = sizeof(point);
	X509_CRL *root_crl, *ca_crl;

	if (pki.pck)
		return;
	pki.root = fz_make_ca("test SGX root", "P-256", NULL, 1);
	pki.pck_ca = fz_make_ca("test PCK CA", "P-256", &pki.root, 2);
	pki.other = fz_make_ca("test SGX root", "P-256", NULL, 1);
	pki.pck_key = fz_key("P-256");
	pki.pck = fz_cert("test PCK", pki.pck_key, &pki.pck_ca, false, FZ_NOW - FZ_DAY, FZ_NOW + FZ_DAY, 3);
	pki.att_key = fz_key("P-256");
	if (EVP_PKEY_get_octet_string_param(pki.att_key, "pub", point, sizeof(point), &n) != 1 || n != 65)
		fz_die("attestation key");
	memcpy(pki.att_xy, point + 1, 64);
	pki.pem[0] = fz_pem(pki.root.cert);
	pki.pem[1] = fz_pem(pki.pck_ca.cert);
	pki.pem[2] = fz_pem(pki.pck);
	pki.pem[3] = fz_pem(pki.other.cert);
	root_crl = fz_crl_current(&pki.root, NULL);
	ca_crl = fz_crl_current(&pki.pck_ca, NULL);
	/* each set owns its CRLs: up_ref the shared ones */
	pki.crl_sets[0] = NULL;                                                       /* none */
	pki.crl_sets[1] = fz_crls(2, root_crl, ca_crl);                               /* current */
	X509_CRL_up_ref(root_crl);
	pki.crl_sets[2] = fz_crls(2, root_crl, fz_crl_current(&pki.pck_ca, pki.pck)); /* the PCK revoked */
	X509_CRL_up_ref(ca_crl);
	pki.crl_sets[3] = fz_crls(2, fz_crl_current(&pki.root, pki.pck_ca.cert), ca_crl); /* the PCK CA revoked */
	X509_CRL_up_ref(ca_crl);
	pki.crl_sets[4] = fz_crls(2, fz_crl_stale(&pki.root), ca_crl);                /* stale */
	pki.crl_sets[5] = fz_crls(1, fz_crl_stale(&pki.pck_ca));                      /* stale and partial */
	X509_CRL_up_ref(ca_crl);
	pki.crl_sets[6] = fz_crls(1, ca_crl);                                         /* partial */
	X509_CRL_up_ref(ca_crl);
	pki.crl_sets[7] = fz_crls(2, fz_crl_current(&pki.other, NULL), ca_crl);       /* another root's */
}

static void synthesised(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t c0, c1, hdr[40], body[648], qe[384], auth[255], extra[7], tmp[64 + 255];
	size_t body_len, body_at, signed_len, auth_len, glen, tlen, chain_len = 0, len, at;
	const uint8_t *garbage, *trailing;
	int order[3 + 7], norder = 0;
	unsigned nextra;
	uint8_t *q, *p;
	struct ms_verify_options o = { 0 };
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	struct ms_err err = { 0 };

	pki_init();
	c0 = fz_u8(&in);
	c1 = fz_u8(&in);
	body_len = (c0 & 1) && (c0 & 2) ? 648 : 584;
	body_at = c0 & 1 ? 54 : 48;
	signed_len = body_at + body_len;
	fz_take(&in, hdr, sizeof(hdr));
	fz_take(&in, body, body_len);
	fz_take(&in, qe, sizeof(qe));
	auth_len = fz_u8(&in);
	fz_take(&in, auth, auth_len);
	nextra = c1 >> 5;
	fz_take(&in, extra, nextra);
	garbage = fz_ptr(&in, fz_u8(&in), &glen);
	trailing = fz_ptr(&in, fz_u8(&in), &tlen);

	/* the PCK chain: extras before the PCK, the PCK, its CA, the root, extras after */
	for (unsigned i = 0; i < nextra; i++)
		if (extra[i] & 4)
			order[norder++] = extra[i] & 3;
	order[norder++] = 2, order[norder++] = 1, order[norder++] = 0;
	for (unsigned i = 0; i < nextra; i++)
		if (!(extra[i] & 4))
			order[norder++] = extra[i] & 3;
	for (int i = 0; i < norder; i++)
		chain_len += pki.pem[order[i]].n;
	chain_len += glen;

	len = signed_len + 4 + 128 + 6 + 384 + 64 + 2 + auth_len + 6 + chain_len + tlen;
	if (!(q = calloc(1, len)))
		return;
	fz_put16(q, c0 & 1 ? 5 : 4);
	fz_put16(q + 2, 2);
	fz_put32(q + 4, 0x81);
	memcpy(q + 8, hdr, sizeof(hdr));
	if (c0 & 1) {
		fz_put16(q + 48, body_len == 648 ? 3 : 2);
		fz_put32(q + 50, (uint32_t)body_len);
	}
	memcpy(q + body_at, body, body_len);

	/* the QE report: Intel's TDX QE, not debug, binding the attestation key (unless the input says otherwise) */
	if (!(c0 & 4))
		memcpy(qe + 128, intel_qe_mrsigner, 32);
	if (!(c0 & 8))
		fz_put16(qe + 256, 2);
	if (!(c0 & 16))
		qe[48] &= (uint8_t)~2;
	if (!(c0 & 32)) {
		memcpy(tmp, pki.att_xy, 64);
		memcpy(tmp + 64, auth, auth_len);
		EVP_Digest(tmp, 64 + auth_len, qe + 320, NULL, EVP_sha256(), NULL);
		memset(qe + 352, 0, 32);
	}

	at = signed_len;
	fz_put32(q + at, (uint32_t)(len - tlen - signed_len - 4));
	at += 4;
	fz_sign_rs(pki.att_key, EVP_sha256(), q, signed_len, q + at, 32);
	if (c0 & 64)
		q[at + 7] ^= 1;
	memcpy(q + at + 64, pki.att_xy, 64);
	at += 128;
	fz_put16(q + at, 6);
	fz_put32(q + at + 2, (uint32_t)(384 + 64 + 2 + auth_len + 6 + chain_len));
	at += 6;
	memcpy(q + at, qe, 384);
	fz_sign_rs(pki.pck_key, EVP_sha256(), qe, 384, q + at + 384, 32);
	if (c0 & 128)
		q[at + 384 + 7] ^= 1;
	at += 384 + 64;
	fz_put16(q + at, (uint16_t)auth_len);
	memcpy(q + at + 2, auth, auth_len);
	at += 2 + auth_len;
	fz_put16(q + at, 5);
	fz_put32(q + at + 2, (uint32_t)chain_len);
	p = q + at + 6;
	for (int i = 0; i < norder; i++) {
		memcpy(p, pki.pem[order[i]].p, pki.pem[order[i]].n);
		p += pki.pem[order[i]].n;
	}
	if (glen)
		memcpy(p, garbage, glen);
	p += glen;
	if (tlen)
		memcpy(p, trailing, tlen);

	o.at = fz_time(c1 >> 3);
	o.root_override = pki.root.cert;
	o.crls = pki.crl_sets[c1 & 7];
	if (ms_tdx_verify(q, len, &o, &ev, &checks, &err) == MS_OK)
		fz_apply_policy(&ev, in.p, in.n);
	ms_checks_free(&checks);
	free(q);
}

EVIDENCE_HARNESS(ms_tdx_inspect, ms_tdx_verify, synthesised)
