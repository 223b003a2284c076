/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_EVIDENCE_H
#define MS_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "../common/status.h"
#include "abi.h"
#include "tcb.h"

enum ms_evidence_type {
	MS_EVIDENCE_UNKNOWN,
	MS_EVIDENCE_NITRO,
	MS_EVIDENCE_SNP,
	MS_EVIDENCE_TDX,
	MS_EVIDENCE_MAA,         /* a Microsoft Azure Attestation token (JWT) */
	MS_EVIDENCE_AZURE_VTPM,  /* Azure vTPM evidence as trustee's az-snp-vtpm / az-tdx-vtpm write it (JSON) */
};

#define MS_EVIDENCE_MAX_MEASUREMENTS 40
#define MS_AZURE_VTPM_MAX (4u << 20) /* trustee JSON: byte arrays make it large */
#define MS_EVIDENCE_MAX_NONCE 1024 /* Nitro: nonce, user_data and public_key are at most 1024 bytes */

/* What verified evidence says, in the manifest's vocabulary. */
struct ms_evidence {
	enum ms_evidence_type type;
	const char *platform; /* aws-nitro, sev-snp, tdx */
	struct {
		char name[16]; /* pcr0, measurement, mrtd, rtmr0, ... */
		uint8_t value[64];
		size_t len;
	} m[MS_EVIDENCE_MAX_MEASUREMENTS];
	unsigned nm;
	bool debug; /* a debug enclave, a DEBUG policy or TD attribute: never a match */
	char debug_why[128];
	uint8_t freshness[MS_EVIDENCE_MAX_NONCE]; /* the whole Nitro nonce, or REPORT_DATA / REPORTDATA */
	size_t freshness_len;
	bool has_timestamp;
	int64_t timestamp;  /* seconds (Nitro) */
	int64_t checked_at; /* the time the certificates were checked at */
	char signed_by[256];
	uint8_t sha256[32]; /* of the evidence as given */
	/* the verified report or quote, decoded (pointers inside point into the caller's buffer) */
	struct ms_snp_report snp; /* type SNP */
	struct ms_tdx_quote tdx;  /* type TDX */
	enum ms_snp_product product; /* SNP: from the VCEK */
	char product_name[16];
	size_t crls_applied; /* CRLs used on the verified path */
	uint32_t crls_used_mask; /* which of the given CRLs those were (bit i: crls[i]) */
	bool revocation_checked; /* every certificate a vendor publishes a CRL for was checked */
	/* TDX: the TCB status from Intel's collateral, when collateral was given */
	enum { MS_TCB_NOT_EVALUATED = 0, MS_TCB_EVALUATED, MS_TCB_NO_LEVEL } tcb_state;
	char tcb_why[512];          /* MS_TCB_NO_LEVEL: which level is missing */
	struct ms_tcb_result tcb;
	const struct ms_tcb_collateral *tcb_collateral; /* what was evaluated (dates, digests) */
	/* a verified vTPM quote beside the report or quote (ms_tpm_evidence_verify), or NULL */
	const struct ms_tpm_quoted *tpm;
	/*
	 * MAA: the report or quote fields the token's claims carry (MS_CLAIM_* bits), held in snp or
	 * tdx; a policy rule on a field the token does not carry fails, it never reads the zeros
	 */
	uint32_t claims;
	uint64_t policy_bits_known; /* sevsnpvm: the guest POLICY bits its boolean claims give */
	char tcb_status[40];        /* tdxvm: attester_tcb_status */
};

/* What an MAA token's claims carry of a report or quote (struct ms_evidence claims). */
enum {
	MS_CLAIM_MEASUREMENT = 1u << 0,
	MS_CLAIM_HOST_DATA = 1u << 1,
	MS_CLAIM_REPORT_DATA = 1u << 2,
	MS_CLAIM_FAMILY_ID = 1u << 3,
	MS_CLAIM_IMAGE_ID = 1u << 4,
	MS_CLAIM_VMPL = 1u << 5,
	MS_CLAIM_GUEST_SVN = 1u << 6,
	MS_CLAIM_ID_KEY_DIGEST = 1u << 7,
	MS_CLAIM_AUTHOR_KEY_DIGEST = 1u << 8,
	MS_CLAIM_REPORT_ID = 1u << 9,
	MS_CLAIM_CHIP_ID = 1u << 10,
	MS_CLAIM_REPORTED_TCB = 1u << 11, /* all four SVN claims */
	MS_CLAIM_PRODUCT = 1u << 12,
	MS_CLAIM_MR_SEAM = 1u << 13,
	MS_CLAIM_TD_ATTRIBUTES = 1u << 14,
	MS_CLAIM_XFAM = 1u << 15,
	MS_CLAIM_MR_TD = 1u << 16,
	MS_CLAIM_MR_CONFIG_ID = 1u << 17,
	MS_CLAIM_MR_OWNER = 1u << 18,
	MS_CLAIM_MR_OWNER_CONFIG = 1u << 19,
	MS_CLAIM_RTMRS = 1u << 20, /* all four */
	MS_CLAIM_TEE_TCB_SVN = 1u << 21,
	MS_CLAIM_TCB_STATUS = 1u << 22,
};

/* The report kind evidence stands for: SNP or TDX, an MAA token by its platform; else its own type. */
enum ms_evidence_type ms_evidence_report_type(const struct ms_evidence *ev);

/* Intel collateral for a TDX quote, parsed, with the issuer chains as given. */
struct ms_tcb_collateral {
	struct ms_tcb_info *info;
	struct ms_qe_identity *qe;
	const uint8_t *info_body, *qe_body;
	STACK_OF(X509) *info_chain, *qe_chain;
	const char *info_name, *qe_name; /* for messages */
};

/* What a TCB status must be to pass. */
struct ms_tcb_policy {
	bool requested;       /* a TCB check was asked for: without collateral that is MS_NO_COLLATERAL */
	uint32_t accept_mask; /* bit per enum ms_tcb_status; 0 means UpToDate only */
	bool has_min_date;
	int64_t min_date;
};



/* A check's outcome: NOT_CHECKED is a value the evidence reports that nothing pinned (never a pass). */
enum ms_check_state { MS_CHECK_FAIL = 0, MS_CHECK_PASS = 1, MS_CHECK_NOT_CHECKED = 2 };

/* One line of the verification table; strings are owned by the table and never truncated. */
struct ms_check {
	char *what;
	char *expected;
	char *found;
	bool ok;                   /* state == MS_CHECK_PASS */
	enum ms_check_state state; /* appended: a third state besides pass and fail */
	long first_diff;           /* appended: a differing value's first differing byte, else -1 */
};

struct ms_checks {
	struct ms_check *v;
	size_t n, cap;
	bool failed; /* an allocation failed: the table is incomplete (never a pass) */
};

void ms_check_add(struct ms_checks *c, bool ok, const char *what, const char *expected, const char *found);
/* The same with a state and, for two differing values, the index of their first differing byte (else -1). */
void ms_check_add_state(struct ms_checks *c, enum ms_check_state state, long first_diff, const char *what,
			const char *expected, const char *found);
void ms_checks_free(struct ms_checks *c);

/*
 * Judges the TCB status recorded by ms_tdx_verify, adding one check per rule: the status
 * must be accepted (UpToDate by default), the TCB date not older than the minimum.
 * MS_MISMATCH when one fails or no TCB level covers the platform; MS_NO_COLLATERAL when a
 * check was requested and no collateral was evaluated; MS_UNSUPPORTED for a TCB check on
 * evidence other than a TDX quote.
 */
enum ms_status ms_tcb_policy_apply(const struct ms_evidence *ev, const struct ms_tcb_policy *p, struct ms_checks *checks,
				   struct ms_err *err);

struct ms_chain_cache;

struct ms_verify_options {
	int64_t at;                  /* check certificates at this time (unix seconds) */
	bool at_evidence;            /* ... or at the evidence's own timestamp (Nitro) */
	const uint8_t *vcek;         /* SNP: VCEK or VLEK, DER or PEM */
	size_t vcek_len;
	const uint8_t *certs;        /* SNP: an extended report's certificate table */
	size_t certs_len;
	void *root_override;         /* X509 *: replaces the pinned root (the ARK for SNP); reported */
	void *ask_override;          /* X509 *: SNP, with root_override: replaces the built-in ASK/ASVK */
	STACK_OF(X509_CRL) *crls;    /* optional revocation lists; given, every certificate on the path needs one */
	const struct ms_tcb_collateral *tcb; /* TDX: Intel's TCB info and QE identity, or NULL */
	/* NULL, or chains verified earlier in this run (common/chain.h): same outcome, less work */
	struct ms_chain_cache *chain_cache;
	const uint8_t *jwks;         /* MAA: the attestation instance's signing keys (JWKS JSON) */
	size_t jwks_len;
	const char *issuer;          /* MAA: the token's "iss" must be this, or NULL */
	const uint8_t *tpm_nonce;    /* Azure vTPM: the quote's qualifying data must be this, or NULL */
	size_t tpm_nonce_len;
};

/*
 * Applies a Cocos / go-sev-guest style attestation policy (protojson: bytes as
 * base64, uint64 as numbers) to verified evidence, adding one check per rule.
 * MS_MISMATCH when a rule fails, MS_UNSUPPORTED for a field it does not know
 * (nothing is silently unchecked), MS_NO_COLLATERAL when the policy demands a
 * CRL check, MS_BAD_INPUT for a malformed policy.
 */
enum ms_status ms_policy_apply(const cJSON *policy, const struct ms_evidence *ev, struct ms_checks *checks,
			       struct ms_err *err);

/*
 * Whether the policy pins the evidence value of that name (the manifest's
 * vocabulary: measurement, host_data, mrtd, rtmr0, mrseam, ...), so that a
 * policy given without expected values is held to what a manifest would be.
 */
bool ms_policy_pins(const cJSON *policy, enum ms_evidence_type type, const char *name);

/* Whether the policy carries Cocos pcr_values (judged against a vTPM quote). */
bool ms_policy_pins_pcrs(const cJSON *policy);

/* Whether the policy carries TCB rules (accept_tcb_status, min_tcb_date): then it, not the default, judges the TCB. */
bool ms_policy_judges_tcb(const cJSON *policy);

/* Parses a policy; integers too large for a double are kept exact (as strings). */
enum ms_status ms_policy_parse(const char *text, size_t len, cJSON **out, struct ms_err *err);

struct ms_chain_result;
/*
 * Records what the chain verifier found of revocation in ev and the check table;
 * scope says which certificates the CRLs were to cover.
 */
#define MS_REVOCATION_EVERY_CERTIFICATE "every certificate checked against its issuer's CRL"
void ms_evidence_revocation(const struct ms_verify_options *o, const struct ms_chain_result *path, const char *scope,
			    struct ms_evidence *ev, struct ms_checks *checks);

/* A certificate's subject, issuer, validity and SHA-256 (and its DER, when given) as JSON. */
cJSON *ms_cert_json(X509 *cert, const uint8_t *der, size_t der_len);

void ms_evidence_add(struct ms_evidence *ev, const char *name, const uint8_t *value, size_t len);

/* Recognises binary evidence from its content: Nitro document (CBOR), SNP report, TDX quote (or its envelope). */
enum ms_evidence_type ms_evidence_detect(const uint8_t *buf, size_t len);

/*
 * Evidence as a file holds it: binary, its hex or base64 text (whitespace and newlines ignored, hex
 * may start with 0x and be upper case), a JSON object holding "quote_hex" (dstack's GetQuote reply),
 * or a CBOR {platform, tdx_wire, user_data} envelope. On MS_OK *data and *len are the binary evidence
 * (inside buf or inside *owned, which the caller frees) and *type its type, or forced when given.
 * MS_BAD_INPUT when it is none of these; MS_OK with *type MS_EVIDENCE_UNKNOWN never happens.
 */
enum ms_status ms_evidence_open(const uint8_t *buf, size_t len, enum ms_evidence_type forced, uint8_t **owned,
				const uint8_t **data, size_t *data_len, enum ms_evidence_type *type, struct ms_err *err);
const char *ms_evidence_type_name(enum ms_evidence_type t);

/*
 * Each verifier parses, checks signature, chain to the pinned root and time,
 * and fills ev and the check table. Returns MS_BAD_INPUT for malformed
 * evidence, MS_BAD_SIGNATURE for a signature or chain failure,
 * MS_NO_COLLATERAL when a needed certificate was not given.
 */
enum ms_status ms_nitro_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			       struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err);
enum ms_status ms_snp_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err);
enum ms_status ms_tdx_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err);
/*
 * The product of an SNP report, for finding its collateral: the report's
 * (CPUID, version 3 and later), else that of the VCEK or VLEK given as o->vcek
 * or o->certs (its productName); MS_SNP_PRODUCT_UNKNOWN when neither says.
 * Nothing is verified here: ms_snp_verify does that.
 */
enum ms_snp_product ms_snp_product_of(const uint8_t *report, size_t len, const struct ms_verify_options *o);

/*
 * An MAA token: RS256 with the JWKS key of its kid (MS_NO_COLLATERAL without a
 * JWKS, MS_BAD_SIGNATURE for a bad signature, an unknown kid, alg none, or a
 * token not valid at o->at or from another issuer; MS_UNSUPPORTED for another
 * alg); then the sevsnpvm / tdxvm claims as ev's measurements (platform sev-snp
 * or tdx), report data as freshness, debug from the debug claim.
 */
enum ms_status ms_maa_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err);

/*
 * After a policy judged an MAA token: drops the "not checked" rows ms_maa_verify listed for the
 * claims the policy did judge (judged: MS_CLAIM_* bits; policy_bits: the guest POLICY booleans).
 */
void ms_maa_unlist_judged(struct ms_checks *checks, uint32_t judged, bool policy_bits);

/*
 * Azure vTPM evidence (trustee's az-snp-vtpm v0/v1/v2 or az-tdx-vtpm v0/v1 JSON):
 * the HCL report's SNP report verified with the VCEK (given, or the JSON's) or
 * its TD quote through DCAP; REPORT_DATA[0:32] = SHA-256(runtime data) and the
 * rest zero; the AK (HCLAkPub) from the runtime data; the TPM quote signed by
 * it over the PCRs. ev (type SNP or TDX) points into *az, which the caller
 * frees with ms_azure_vtpm_free after the verdict; ev->tpm is az's quote.
 * o->tpm_nonce, when set, must be the quote's qualifying data.
 */
struct ms_azure_vtpm;
enum ms_status ms_azure_vtpm_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
				    struct ms_azure_vtpm *az, struct ms_evidence *ev, struct ms_checks *checks,
				    struct ms_err *err);

/* Verifies evidence of any type with its verifier (Azure vTPM evidence needs ms_azure_vtpm_verify). */
enum ms_status ms_evidence_verify(enum ms_evidence_type type, const uint8_t *buf, size_t len,
				  const struct ms_verify_options *o, struct ms_evidence *ev, struct ms_checks *checks,
				  struct ms_err *err);

/* Every field of the evidence as JSON (lowercase hex strings, never integer arrays). */
enum ms_status ms_nitro_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err);
enum ms_status ms_snp_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err);
enum ms_status ms_tdx_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err);
/* An MAA token's header and payload, decoded only. */
enum ms_status ms_maa_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err);
/* Azure vTPM evidence: the HCL report (its SNP report or TDREPORT), runtime data, TPM quote, decoded only. */
enum ms_status ms_azure_vtpm_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err);

/* An EphemeralML-style CBOR envelope {platform, tdx_wire, user_data}: the TDX quote inside. */
enum ms_status ms_envelope_unwrap(const uint8_t *buf, size_t len, uint8_t **quote, size_t *quote_len,
				  struct ms_err *err);

#endif
