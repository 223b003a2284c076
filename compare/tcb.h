/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TCB_H
#define MS_TCB_H

/*
 * Intel PCS collateral (TCB Info v3, QE Identity v2), the SGX extension of a
 * PCK certificate, and the TCB-status evaluation Intel's QVL performs on them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "../common/status.h"
#include "abi.h"

/* The worst-to-best order is not this numbering: see ms_tcb_status_severity. */
enum ms_tcb_status {
	MS_TCB_UP_TO_DATE = 0,
	MS_TCB_SW_HARDENING_NEEDED,
	MS_TCB_CONFIGURATION_NEEDED,
	MS_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	MS_TCB_OUT_OF_DATE,
	MS_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	MS_TCB_REVOKED,
	MS_TCB_STATUS_COUNT
};

const char *ms_tcb_status_name(enum ms_tcb_status s);
/* Intel's spelling ("UpToDate", ...); -1 when it is none of the seven. */
int ms_tcb_status_parse(const char *text, enum ms_tcb_status *out);

#define MS_TCB_MAX_LEVELS 128
#define MS_TCB_MAX_ADVISORIES 128
#define MS_TCB_MAX_MODULES 32
#define MS_TCB_ADVISORY_LEN 32
#define MS_COLLATERAL_MAX_BYTES (1u << 20) /* a PCS body is a few KiB; more is refused */

struct ms_tcb_verdict_level {
	int64_t tcb_date;
	char tcb_date_text[32];
	enum ms_tcb_status status;
	unsigned nadv;
	char (*adv)[MS_TCB_ADVISORY_LEN]; /* nadv advisory IDs */
};

struct ms_tcb_level {
	struct ms_tcb_verdict_level v;
	uint8_t sgx_svn[16];
	uint16_t pcesvn;
	uint8_t tdx_svn[16];
	bool has_tdx;
};

struct ms_isv_level {
	struct ms_tcb_verdict_level v;
	uint16_t isvsvn;
};

struct ms_tdx_module_identity {
	char id[16];
	uint8_t mrsigner[48];
	uint8_t attributes[8], attributes_mask[8];
	unsigned nlevels;
	struct ms_isv_level *levels;
};

/* What both documents share: where the signed value lies in the body, the signature, the dates. */
struct ms_collateral_common {
	char id[8];
	unsigned version;
	int64_t issue_date, next_update;
	char issue_text[32], next_text[32];
	uint64_t eval_number;
	size_t signed_off, signed_len; /* the "tcbInfo" / "enclaveIdentity" value, byte for byte as in the body */
	uint8_t signature[64];         /* r || s */
	uint8_t sha256[32];            /* of the whole body */
};

struct ms_tcb_info {
	struct ms_collateral_common c;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	unsigned tcb_type;
	bool has_module;
	uint8_t module_mrsigner[48], module_attributes[8], module_attributes_mask[8];
	unsigned nmodules;
	struct ms_tdx_module_identity *modules;
	unsigned nlevels;
	struct ms_tcb_level *levels;
};

struct ms_qe_identity {
	struct ms_collateral_common c;
	uint32_t miscselect, miscselect_mask;
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	unsigned nlevels;
	struct ms_isv_level *levels;
};

/*
 * Parse a PCS body strictly ({"tcbInfo": {...}, "signature": "..."}), every field the
 * evaluation uses, and locate the signed bytes. `what` names the file in messages.
 * MS_BAD_INPUT naming the field (wrong type, missing, duplicate, unknown key, bad hex,
 * bad date, a TDX TCB info without tdxtcbcomponents), MS_UNSUPPORTED for another version.
 */
enum ms_status ms_tcb_info_parse(const uint8_t *body, size_t len, const char *what, struct ms_tcb_info **out,
				 struct ms_err *err);
void ms_tcb_info_free(struct ms_tcb_info *t);
enum ms_status ms_qe_identity_parse(const uint8_t *body, size_t len, const char *what, struct ms_qe_identity **out,
				    struct ms_err *err);
void ms_qe_identity_free(struct ms_qe_identity *q);

/* The parsed documents as JSON, for inspect: lowercase hex (SVN lists as 16 bytes of hex). */
cJSON *ms_tcb_info_json(const struct ms_tcb_info *t);
cJSON *ms_qe_identity_json(const struct ms_qe_identity *q);

/*
 * The issuer chain as PCS gives it in TCB-Info-Issuer-Chain / SGX-Enclave-Identity-Issuer-Chain:
 * PEM certificates, URL-encoded or plain. MS_BAD_INPUT when it is neither.
 */
enum ms_status ms_issuer_chain_parse(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) **out,
				     struct ms_err *err);

/*
 * Verifies the body's signature with the first certificate of chain (whose subject CN must be
 * "Intel SGX TCB Signing"), that certificate to root through ms_chain_verify at `at` (with
 * crls when given), and that nextUpdate has not passed at `at`. MS_BAD_SIGNATURE: chain or
 * signature; MS_NO_COLLATERAL: stale (or a CRL the chain needs is stale or missing).
 * *crls_used_mask: which of crls the chain used.
 */
enum ms_status ms_collateral_verify(const struct ms_collateral_common *c, const uint8_t *body, STACK_OF(X509) *chain,
				    X509 *root, STACK_OF(X509_CRL) *crls, int64_t at, const char *what,
				    uint32_t *crls_used_mask, struct ms_err *err);

/* The SGX extension (OID 1.2.840.113741.1.13.1) of a PCK certificate. */
struct ms_sgx_ext {
	uint8_t ppid[16];
	uint8_t comp_svn[16];
	uint16_t pcesvn;
	uint8_t cpusvn[16];
	uint8_t pce_id[2];
	uint8_t fmspc[6];
	int sgx_type; /* 0 Standard, 1 Scalable, 2 Scalable with integrity */
};

/* The extension's value (the DER of its SEQUENCE), strictly: MS_BAD_INPUT naming the OID that is wrong. */
enum ms_status ms_sgx_ext_parse(const uint8_t *der, size_t len, struct ms_sgx_ext *out, struct ms_err *err);
/* The same, found in a certificate; MS_BAD_INPUT when it is absent or appears twice. */
enum ms_status ms_sgx_ext_from_cert(X509 *cert, struct ms_sgx_ext *out, struct ms_err *err);

/* The outcome of the evaluation. */
struct ms_tcb_result {
	enum ms_tcb_status status;
	int64_t tcb_date;            /* the earliest of the chosen levels' dates (TCB, TDX module, QE) */
	char tcb_date_text[32];
	enum ms_tcb_status platform_status, module_status, qe_status;
	bool module_checked;         /* TEE_TCB_SVN[1] > 0: a TDX module identity was used */
	unsigned nadv;
	char adv[MS_TCB_MAX_ADVISORIES][MS_TCB_ADVISORY_LEN]; /* union, in order of first appearance */
	struct ms_sgx_ext pck;
	unsigned sgx_level, tdx_level, qe_level; /* indexes of the chosen levels */
};

/*
 * Evaluates a verified TDX quote like Intel's QVL: the PCK's FMSPC and PCE ID against the
 * TCB info, the first TCB level the PCK's SGX SVNs and PCESVN reach (the SGX level), the first
 * such level TEE_TCB_SVN also reaches (the TDX level; from byte 2 when TEE_TCB_SVN[1] > 0),
 * the TDX module (MRSIGNERSEAM, SEAMATTRIBUTES under the mask, the identity "TDX_%02X" of
 * TEE_TCB_SVN[1] and its level by TEE_TCB_SVN[0]), the QE identity (MRSIGNER, ISVPRODID,
 * MISCSELECT and ATTRIBUTES under their masks, the level by ISVSVN), then merges the statuses
 * as the QVL does. MS_NO_COLLATERAL: the TCB info is for another FMSPC or PCE ID, or a
 * document is of the wrong kind (TDX / TD_QE needed); MS_BAD_SIGNATURE: the QE or TDX module
 * is not the one the collateral names; MS_MISMATCH: no TCB level covers the platform (Intel's
 * "TCB not supported"); MS_BAD_INPUT: the PCK certificate's SGX extension is malformed.
 */
enum ms_status ms_tcb_evaluate_tdx(const struct ms_tcb_info *ti, const struct ms_qe_identity *qi,
				   const struct ms_tdx_quote *q, X509 *pck, struct ms_tcb_result *r, struct ms_err *err);

#endif
