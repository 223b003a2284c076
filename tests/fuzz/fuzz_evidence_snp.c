/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the snp evidence parser and verifier. Raw inputs reach the report
 * decoder; synthesised ones (first byte FZ_SYNTH) are reports built from the
 * input's fields and signed by a test VCEK/VLEK under a test ASK and ARK (with
 * AMD's 1.3.6.1.4.1.3704.1.* extensions), given as DER, a PEM bundle or an
 * extended report's certificate table, so that the chain (with CRLs), the
 * CHIP_ID and TCB checks, the measurement mapping and the policy code are fuzzed.
 *
 * Synthesised layout, after the first byte:
 *   ctl0   bits 0-1 version 2, 3, 5, or the input's byte; bits 2-3 the signer (VCEK Milan,
 *          VLEK Milan, VCEK Genoa, VCEK Turin); bit 4 keep the input's POLICY (else bit 17
 *          set, bits 63:26 clear); bit 5 keep its REPORTED_TCB (else the signer's);
 *          bit 6 keep its CHIP_ID (else the signer's hwID); bit 7 flip a signature bit
 *   ctl1   bits 0-2 CRLs (see crl_sets); bits 3-4 the check time; bits 5-6 how the
 *          certificate is given (DER, PEM bundle, certificate table, DER without the
 *          ASK override); bit 7 keep the input's SIGNER_INFO (else its key is the signer's)
 *   ctl2   bits 0-1 CPUID (the signer's product, the input's, none, another product);
 *          bits 2-4 extra certificates or table entries; bit 5 the VCEK last in a
 *          bundle; bit 6 the ARK in a bundle
 *   fields version byte, then the report's fields in order (see take_fields)
 *   k      one byte per extra certificate or table entry
 *   1+n    bytes appended to the bundle or table
 *   rest   a policy (JSON), applied when the report verifies
 */
#include "evidence_harness.h"
#include "fuzz_pki.h"

#define MILAN_TCB 0x7308000000000003ull /* bl 3, tee 0, snp 8, ucode 0x73 */
#define TURIN_TCB 0x7300000008000301ull /* fmc 1, bl 3, tee 0, snp 8, ucode 0x73 */

static const uint8_t guid_vcek[16] = { 0x8d, 0x75, 0xda, 0x63, 0x64, 0xe6, 0x64, 0x45,
				       0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd };
static const uint8_t guid_vlek[16] = { 0xc2, 0x4b, 0x07, 0xa8, 0x5a, 0xa2, 0x3e, 0x48,
				       0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 };
static const uint8_t guid_ask[16] = { 0xa4, 0x06, 0xb4, 0xc0, 0x03, 0xa8, 0x52, 0x49,
				      0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae };

enum { VCEK_MILAN, VLEK_MILAN, VCEK_GENOA, VCEK_TURIN, NSIGNERS };

/* Made once; never changed afterwards. */
static struct {
	struct fz_ca ark, ask, other;
	EVP_PKEY *vek_key;
	X509 *vek[NSIGNERS];
	uint64_t tcb[NSIGNERS];
	struct fz_blob der[NSIGNERS], pem[NSIGNERS], ask_pem, ark_pem, other_pem, ask_der;
	STACK_OF(X509_CRL) *crl_sets[8];
} pki;

static void ext_int(X509 *c, const char *arc, unsigned v)
{
	uint8_t der[3] = { 0x02, 0x01, (uint8_t)v };
	char oid[48];

	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.3704.1.%s", arc);
	fz_raw_ext(c, oid, der, 3); /* values below 0x80 only */
}

static void ext_ia5(X509 *c, const char *arc, const char *s)
{
	uint8_t der[34] = { 0x16, (uint8_t)strlen(s) };
	char oid[48];

	memcpy(der + 2, s, strlen(s));
	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.3704.1.%s", arc);
	fz_raw_ext(c, oid, der, 2 + strlen(s));
}

static X509 *make_vek(const char *cn, const char *product, bool vlek, bool turin, long serial)
{
	X509 *c = fz_cert_unsigned(cn, pki.vek_key, &pki.ask, false, FZ_NOW - FZ_DAY, FZ_NOW + FZ_DAY, serial, false);
	uint8_t hw[64];

	ext_ia5(c, "2", product);
	ext_int(c, "3.1", 3);
	ext_int(c, "3.2", 0);
	ext_int(c, "3.3", 8);
	ext_int(c, "3.8", 0x73);
	if (turin)
		ext_int(c, "3.9", 1);
	if (vlek) {
		ext_ia5(c, "5", "fuzz-csp");
	} else {
		memset(hw, 0x5a, sizeof(hw));
		fz_raw_ext(c, "1.3.6.1.4.1.3704.1.4", hw, turin ? 8 : 64);
	}
	fz_sign_cert(c, pki.ask.key);
	return c;
}

static void pki_init(void)
{
	X509_CRL *ark_crl, *ask_crl;

	if (pki.vek_key)
		return;
	pki.ark = fz_make_ca("ARK-Milan", "P-384", NULL, 1);
	pki.ask = fz_make_ca("SEV-Milan", "P-384", &pki.ark, 2);
	pki.other = fz_make_ca("ARK-Milan", "P-384", NULL, 1);
	pki.vek_key = fz_key("P-384");
	pki.vek[VCEK_MILAN] = make_vek("SEV-VCEK", "Milan-B0", false, false, 3);
	pki.vek[VLEK_MILAN] = make_vek("SEV-VLEK", "Milan-B0", true, false, 4);
	pki.vek[VCEK_GENOA] = make_vek("SEV-VCEK", "Genoa-B1", false, false, 5);
	pki.vek[VCEK_TURIN] = make_vek("SEV-VCEK", "Turin-C1", false, true, 6);
	for (int i = 0; i < NSIGNERS; i++) {
		pki.tcb[i] = i == VCEK_TURIN ? TURIN_TCB : MILAN_TCB;
		pki.der[i] = fz_der(pki.vek[i]);
		pki.pem[i] = fz_pem(pki.vek[i]);
	}
	pki.ask_pem = fz_pem(pki.ask.cert);
	pki.ask_der = fz_der(pki.ask.cert);
	pki.ark_pem = fz_pem(pki.ark.cert);
	pki.other_pem = fz_pem(pki.other.cert);
	ark_crl = fz_crl_current(&pki.ark, NULL);
	ask_crl = fz_crl_current(&pki.ask, NULL);
	/* each set owns its CRLs: up_ref the shared ones */
	pki.crl_sets[0] = NULL;                                                         /* none */
	pki.crl_sets[1] = fz_crls(1, ark_crl);                                          /* current (the VCEK is exempt) */
	pki.crl_sets[2] = fz_crls(1, fz_crl_current(&pki.ark, pki.ask.cert));           /* the ASK revoked */
	pki.crl_sets[3] = fz_crls(1, fz_crl_stale(&pki.ark));                           /* stale */
	X509_CRL_up_ref(ark_crl);
	pki.crl_sets[4] = fz_crls(2, ark_crl, fz_crl_current(&pki.ask, pki.vek[VCEK_MILAN])); /* the VCEK revoked */
	pki.crl_sets[5] = fz_crls(1, ask_crl);                                          /* partial */
	pki.crl_sets[6] = fz_crls(1, fz_crl_current(&pki.other, NULL));                 /* another root's */
	X509_CRL_up_ref(ark_crl);
	X509_CRL_up_ref(ask_crl);
	pki.crl_sets[7] = fz_crls(2, ark_crl, ask_crl);                                 /* both current */
}

/* The report's fields, from the input, in report order; MBZ ranges stay zero. */
static void take_fields(struct fz_in *in, uint8_t r[1184], uint8_t c0, uint8_t c1, uint8_t c2, unsigned signer)
{
	static const uint8_t cpuid[NSIGNERS][3] = { { 0x19, 0x01, 1 }, { 0x19, 0x01, 1 }, { 0x19, 0x11, 1 }, { 0x1a, 0x02, 0 } };
	uint8_t vbyte = fz_u8(in), tmp[8];
	uint32_t version = (c0 & 3) == 0 ? 2 : (c0 & 3) == 1 ? 3 : (c0 & 3) == 2 ? 5 : vbyte;
	uint64_t policy;
	uint32_t si;

	memset(r, 0, 1184);
	r[0] = (uint8_t)version;
	fz_take(in, r + 0x4, 4);   /* GUEST_SVN */
	fz_take(in, r + 0x8, 8);   /* POLICY */
	if (!(c0 & 16)) {
		policy = 0;
		for (int i = 7; i >= 0; i--)
			policy = policy << 8 | r[0x8 + i];
		policy = (policy | 1ull << 17) & ((1ull << 26) - 1);
		for (int i = 0; i < 8; i++)
			r[0x8 + i] = (uint8_t)(policy >> 8 * i);
	}
	fz_take(in, r + 0x10, 16); /* FAMILY_ID */
	fz_take(in, r + 0x20, 16); /* IMAGE_ID */
	fz_take(in, r + 0x30, 4);  /* VMPL */
	r[0x34] = 1;               /* SIGNATURE_ALGO */
	fz_take(in, r + 0x38, 8);  /* CURRENT_TCB */
	fz_take(in, r + 0x40, 8);  /* PLATFORM_INFO */
	fz_take(in, r + 0x48, 4);  /* SIGNER_INFO */
	if (!(c1 & 128)) {
		si = (r[0x48] & 3) | (signer == VLEK_MILAN ? 1u << 2 : 0);
		memset(r + 0x48, 0, 4);
		r[0x48] = (uint8_t)si;
	}
	fz_take(in, r + 0x50, 64); /* REPORT_DATA */
	fz_take(in, r + 0x90, 48); /* MEASUREMENT */
	fz_take(in, r + 0xc0, 32); /* HOST_DATA */
	fz_take(in, r + 0xe0, 48); /* ID_KEY_DIGEST */
	fz_take(in, r + 0x110, 48); /* AUTHOR_KEY_DIGEST */
	fz_take(in, r + 0x140, 32); /* REPORT_ID */
	fz_take(in, r + 0x160, 32); /* REPORT_ID_MA */
	fz_take(in, r + 0x180, 8);  /* REPORTED_TCB */
	if (!(c0 & 32))
		for (int i = 0; i < 8; i++)
			r[0x180 + i] = (uint8_t)(pki.tcb[signer] >> 8 * i);
	fz_take(in, tmp, 3);        /* CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (version 3 and later) */
	if (version >= 3) {
		switch (c2 & 3) {
		case 0:
			memcpy(r + 0x188, cpuid[signer], 3);
			break;
		case 1:
			memcpy(r + 0x188, tmp, 3);
			break;
		case 3:
			memcpy(r + 0x188, cpuid[(signer + 2) % NSIGNERS], 3);
			break;
		}
	}
	fz_take(in, r + 0x1a0, 64); /* CHIP_ID */
	if (!(c0 & 64)) {
		memset(r + 0x1a0, 0, 64);
		if (signer != VLEK_MILAN)
			memset(r + 0x1a0, 0x5a, signer == VCEK_TURIN ? 8 : 64);
	}
	fz_take(in, r + 0x1e0, 8);  /* COMMITTED_TCB */
	fz_take(in, r + 0x1e8, 3);  /* CURRENT_BUILD, _MINOR, _MAJOR */
	fz_take(in, r + 0x1ec, 3);  /* COMMITTED_BUILD, _MINOR, _MAJOR */
	fz_take(in, r + 0x1f0, 8);  /* LAUNCH_TCB */
	fz_take(in, tmp, 8);        /* LAUNCH_MIT_VECTOR, CURRENT_MIT_VECTOR (version 5) */
	if (version >= 5)
		memcpy(r + 0x1f8, tmp, 8);
	fz_take(in, tmp, 8);
	if (version >= 5)
		memcpy(r + 0x200, tmp, 8);
}

static void append(uint8_t *buf, size_t *at, const struct fz_blob *b)
{
	memcpy(buf + *at, b->p, b->n);
	*at += b->n;
}

static void synthesised(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t c0, c1, c2, r[1184], rs[96], extra[7], *coll = NULL;
	unsigned signer, nextra, how;
	size_t glen, at = 0, cap;
	const uint8_t *garbage;
	struct ms_verify_options o = { 0 };
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	struct ms_err err = { 0 };

	pki_init();
	c0 = fz_u8(&in);
	c1 = fz_u8(&in);
	c2 = fz_u8(&in);
	signer = (c0 >> 2) & 3;
	take_fields(&in, r, c0, c1, c2, signer);
	nextra = (c2 >> 2) & 7;
	fz_take(&in, extra, nextra);
	garbage = fz_ptr(&in, fz_u8(&in), &glen);

	/* the signature over bytes 0..0x29f, little-endian r and s in 72-byte fields */
	fz_sign_rs(pki.vek_key, EVP_sha384(), r, 0x2a0, rs, 48);
	for (int i = 0; i < 48; i++) {
		r[0x2a0 + i] = rs[47 - i];
		r[0x2e8 + i] = rs[95 - i];
	}
	if (c0 & 128)
		r[0x2a0 + 5] ^= 1;

	/* the certificates, as the input says */
	how = (c1 >> 5) & 3;
	cap = 4 * 1024 + 8 * 2048 + glen;
	if (!(coll = malloc(cap)))
		return;
	if (how == 1) {
		/* AMD's bundle in one PEM: extras, then (ASK, VCEK) or (VCEK, ASK), then maybe the ARK */
		for (unsigned i = 0; i < nextra; i++)
			append(coll, &at, extra[i] & 1 ? &pki.other_pem : extra[i] & 2 ? &pki.ask_pem : &pki.pem[(extra[i] >> 2) % NSIGNERS]);
		if (c2 & 32) {
			append(coll, &at, &pki.ask_pem);
			append(coll, &at, &pki.pem[signer]);
		} else {
			append(coll, &at, &pki.pem[signer]);
			append(coll, &at, &pki.ask_pem);
		}
		if (c2 & 64)
			append(coll, &at, &pki.ark_pem);
		memcpy(coll + at, garbage, glen);
		at += glen;
		o.vcek = coll, o.vcek_len = at;
	} else if (how == 2) {
		/* an extended report's table: (GUID, offset, length) entries, a zero entry, then the certificates */
		size_t nent = nextra + 1, data_at = 24 * (nent + 1);
		const struct fz_blob *blob;

		memset(coll, 0, data_at);
		at = data_at;
		for (size_t e = 0; e < nent; e++) {
			uint8_t sel = e < nextra ? extra[e] : 0;
			const uint8_t *guid = e == nextra ? (signer == VLEK_MILAN ? guid_vlek : guid_vcek) : sel & 1 ? guid_ask : sel & 2 ? guid_vcek : guid_vlek;
			uint32_t len;

			blob = e == nextra ? &pki.der[signer] : sel & 1 ? &pki.ask_der : &pki.der[(sel >> 2) % NSIGNERS];
			memcpy(coll + 24 * e, guid, 16);
			len = (uint32_t)blob->n;
			if (e < nextra && (sel & 0x80))
				len += sel & 0x70; /* a length past the certificate, maybe past the table */
			fz_put32(coll + 24 * e + 16, (uint32_t)at);
			fz_put32(coll + 24 * e + 20, len);
			append(coll, &at, blob);
		}
		memcpy(coll + at, garbage, glen);
		at += glen;
		o.certs = coll, o.certs_len = at;
	} else {
		o.vcek = pki.der[signer].p, o.vcek_len = pki.der[signer].n;
	}
	o.at = fz_time(c1 >> 3);
	o.root_override = pki.ark.cert;
	o.ask_override = how == 3 ? NULL : pki.ask.cert;
	o.crls = pki.crl_sets[c1 & 7];
	if (ms_snp_verify(r, sizeof(r), &o, &ev, &checks, &err) == MS_OK)
		fz_apply_policy(&ev, in.p, in.n);
	ms_checks_free(&checks);
	free(coll);
}

EVIDENCE_HARNESS(ms_snp_inspect, ms_snp_verify, synthesised)
