/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Forged, unsigned evidence for policy tests and the policy fuzzer: an SEV-SNP
 * report and a TDX quote built from bytes and decoded with abi.h, the way a
 * verifier fills ev->snp / ev->tdx. Signatures are not checked by policies.
 */
#ifndef MS_TEST_POLICY_EVIDENCE_H
#define MS_TEST_POLICY_EVIDENCE_H

#include <stdint.h>
#include <string.h>

#include "../../common/bytes.h"
#include "../../compare/evidence.h"

/* Milan layout: bl 3, tee 0, snp 8, microcode 0x73 (as the virtee sample) */
#define PE_TCB 0x7308000000000003ull

static inline void pe_snp_bytes(uint8_t r[MS_SNP_REPORT_LEN])
{
	memset(r, 0, MS_SNP_REPORT_LEN);
	ms_put_le32(r, 2);                     /* version */
	ms_put_le32(r + 4, 7);                 /* GUEST_SVN */
	ms_put_le64(r + 8, 0x30000);           /* policy: SMT allowed, ABI 0.0 */
	memset(r + 0x10, 0x11, 16);            /* FAMILY_ID */
	memset(r + 0x20, 0x22, 16);            /* IMAGE_ID */
	ms_put_le32(r + 0x30, 1);              /* VMPL */
	ms_put_le32(r + 0x34, 1);              /* ECDSA P-384 with SHA-384 */
	ms_put_le64(r + 0x38, PE_TCB);         /* CURRENT_TCB */
	ms_put_le64(r + 0x40, 0x5);            /* PLATFORM_INFO: SMT, ECC */
	ms_put_le32(r + 0x48, 1);              /* AUTHOR_KEY_EN */
	memset(r + 0x50, 0x50, 64);            /* REPORT_DATA */
	memset(r + 0x90, 0x90, 48);            /* MEASUREMENT */
	memset(r + 0xc0, 0xc0, 32);            /* HOST_DATA */
	memset(r + 0xe0, 0x1d, 48);            /* ID_KEY_DIGEST */
	memset(r + 0x110, 0xa7, 48);           /* AUTHOR_KEY_DIGEST */
	memset(r + 0x140, 0x40, 32);           /* REPORT_ID */
	memset(r + 0x160, 0xff, 32);           /* REPORT_ID_MA */
	ms_put_le64(r + 0x180, PE_TCB);        /* REPORTED_TCB */
	memset(r + 0x1a0, 0x5a, 64);           /* CHIP_ID */
	ms_put_le64(r + 0x1e0, PE_TCB);        /* COMMITTED_TCB */
	r[0x1e8] = 4, r[0x1e9] = 52, r[0x1ea] = 1; /* current build 4, version 1.52 */
	r[0x1ec] = 4, r[0x1ed] = 52, r[0x1ee] = 1; /* committed */
	ms_put_le64(r + 0x1f0, PE_TCB);        /* LAUNCH_TCB */
	memset(r + 0x2a0, 0x01, 72);           /* a signature no one checks here */
	memset(r + 0x2e8, 0x02, 72);
}

#define PE_TDX_CERT (384 + 64 + 2 + 6 + 1)
#define PE_TDX_SIG (64 + 64 + 6 + PE_TDX_CERT)
#define PE_TDX_LEN (48 + 584 + 4 + PE_TDX_SIG)

/* A version 4 quote (TDX 1.0 body). */
static inline void pe_tdx_bytes(uint8_t q[PE_TDX_LEN])
{
	uint8_t *b = q + 48, *s = q + 48 + 584;

	memset(q, 0, PE_TDX_LEN);
	ms_put_le16(q, 4);
	ms_put_le16(q + 2, 2);
	ms_put_le32(q + 4, 0x81);
	ms_put_le16(q + 8, 13);                /* go-tdx-guest: PceSvn */
	ms_put_le16(q + 10, 3);                /* go-tdx-guest: QeSvn */
	memcpy(q + 12, "\x93\x9a\x72\x33\xf7\x9c\x4c\xa9\x94\x0a\x0d\xb3\x95\x7f\x06\x07", 16);
	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)(i + 1);           /* TEE_TCB_SVN 01 02 .. 10 */
	memset(b + 16, 0x16, 48);              /* MRSEAM */
	memset(b + 120, 0, 8);                 /* TDATTRIBUTES: no DEBUG */
	b[120 + 3] = 0x10;
	memcpy(b + 128, "\xe7\x1a\x06\x00\x00\x00\x00\x00", 8); /* XFAM */
	memset(b + 136, 0x36, 48);             /* MRTD */
	memset(b + 184, 0xb8, 48);             /* MRCONFIGID */
	memset(b + 232, 0xe8, 48);             /* MROWNER */
	memset(b + 280, 0x18, 48);             /* MROWNERCONFIG */
	for (int i = 0; i < 4; i++)
		memset(b + 328 + 48 * i, 0xa0 + i, 48); /* RTMR0-3 */
	memset(b + 520, 0x52, 64);             /* REPORTDATA */
	ms_put_le32(s, PE_TDX_SIG);
	s += 4 + 128;
	ms_put_le16(s, 6);
	ms_put_le32(s + 2, PE_TDX_CERT);
	s += 6 + 384 + 64;
	ms_put_le16(s, 0);                     /* no QE authentication data */
	ms_put_le16(s + 2, 5);
	ms_put_le32(s + 4, 1);
	s[8] = '-';
}

/* ev as a verifier leaves it for a verified SNP report (decoded into ev->snp). */
static inline enum ms_status pe_snp_evidence(const uint8_t *r, enum ms_snp_product product, struct ms_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_SNP;
	ev->platform = "sev-snp";
	ev->product = product;
	snprintf(ev->product_name, sizeof(ev->product_name), "%s", ms_snp_product_name(product));
	return ms_snp_report_decode(r, MS_SNP_REPORT_LEN, &ev->snp, NULL);
}

static inline enum ms_status pe_tdx_evidence(const uint8_t *q, size_t len, struct ms_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_TDX;
	ev->platform = "tdx";
	return ms_tdx_quote_decode(q, len, &ev->tdx, NULL);
}

#endif
