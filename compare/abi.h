/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_ABI_H
#define MS_ABI_H

/*
 * SEV-SNP attestation reports and TDX quotes decoded once into named fields
 * (spec/snp.md, spec/tdx.md). Verifiers, policies and inspect read these
 * structs; no other code reads report or quote bytes by offset.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"

#define MS_SNP_REPORT_LEN 1184
#define MS_SNP_SIGNED_LEN 0x2a0

enum ms_snp_signing_key { MS_SNP_KEY_VCEK = 0, MS_SNP_KEY_VLEK = 1, MS_SNP_KEY_NONE = 7 };

/* The SEV-SNP ATTESTATION_REPORT, versions 2, 3 and 5. */
struct ms_snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t signer_info;     /* bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY */
	bool author_key_en;
	bool mask_chip_key;
	unsigned signing_key;     /* enum ms_snp_signing_key */
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	bool has_cpuid;           /* version 3 and later */
	uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step;
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	bool has_mit_vectors;     /* version 5 */
	uint64_t launch_mit_vector, current_mit_vector;
	uint8_t signature_r[72];  /* little-endian, as in the report */
	uint8_t signature_s[72];
	const uint8_t *signed_bytes; /* the 0x2a0 bytes the signature covers (points into the input) */
};

/* TCB_VERSION split into its parts; Turin (and later) has FMC first. */
struct ms_snp_tcb {
	unsigned fmc, bootloader, tee, snp, microcode;
};
struct ms_snp_tcb ms_snp_tcb_parts(uint64_t raw, bool turin);

enum ms_snp_product { MS_SNP_PRODUCT_UNKNOWN, MS_SNP_PRODUCT_MILAN, MS_SNP_PRODUCT_GENOA, MS_SNP_PRODUCT_TURIN };
const char *ms_snp_product_name(enum ms_snp_product p);

/* The product the report's CPUID fields name (version 3 and later), else UNKNOWN. */
enum ms_snp_product ms_snp_report_product(const struct ms_snp_report *r);

/*
 * Decodes and validates an SNP report: length, version, signature algorithm,
 * reserved policy bits, SIGNER_INFO, must-be-zero ranges. MS_BAD_INPUT names
 * the field and offset; MS_UNSUPPORTED for a version or algorithm not known.
 */
enum ms_status ms_snp_report_decode(const uint8_t *buf, size_t len, struct ms_snp_report *out, struct ms_err *err);

#define MS_TDX_QE_REPORT_LEN 384

/* SGX REPORT_BODY of the quoting enclave. */
struct ms_sgx_report_body {
	uint8_t cpu_svn[16];
	uint32_t misc_select;
	uint8_t attributes[16];
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint8_t report_data[64];
	const uint8_t *raw; /* the 384 signed bytes */
};

/* A TDX quote, version 4 or 5 (body type 2 = TDX 1.0, 3 = TDX 1.5), ECDSA P-256. */
struct ms_tdx_quote {
	/* header */
	uint16_t version;
	uint16_t att_key_type;
	uint32_t tee_type;
	uint16_t pce_svn;         /* header bytes 8-9 (go-tdx-guest's PceSvn) */
	uint16_t qe_svn;          /* header bytes 10-11 (go-tdx-guest's QeSvn) */
	uint8_t qe_vendor_id[16];
	uint8_t user_data[20];
	/* TD quote body */
	uint16_t body_type;
	uint8_t tee_tcb_svn[16];
	uint8_t mr_seam[48];
	uint8_t mr_signer_seam[48];
	uint8_t seam_attributes[8];
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mr_td[48];
	uint8_t mr_config_id[48];
	uint8_t mr_owner[48];
	uint8_t mr_owner_config[48];
	uint8_t rtmr[4][48];
	uint8_t report_data[64];
	bool has_tdx15;           /* body type 3 */
	uint8_t tee_tcb_svn2[16];
	uint8_t mr_service_td[48];
	/* signature data */
	const uint8_t *signed_bytes; /* header and body (point into the input) */
	size_t signed_len;
	uint8_t signature[64];    /* r || s, big-endian */
	uint8_t attestation_key[64]; /* x || y */
	struct ms_sgx_report_body qe;
	uint8_t qe_signature[64];
	const uint8_t *qe_auth;
	size_t qe_auth_len;
	const uint8_t *pck_chain; /* PEM, as carried (unsigned) */
	size_t pck_chain_len;
	size_t trailing;          /* unsigned bytes after the signature data */
};

/* Decodes a TDX quote; MS_BAD_INPUT names the field and offset. */
enum ms_status ms_tdx_quote_decode(const uint8_t *buf, size_t len, struct ms_tdx_quote *out, struct ms_err *err);

#endif
