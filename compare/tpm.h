/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TPM_H
#define MS_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "../common/status.h"

/*
 * TPM 2.0 quotes: TPMS_ATTEST and TPMT_SIGNATURE as TPM2_Quote returns them
 * (unmarshalled with tpm2-tss' libtss2-mu), checked against an AK public key,
 * a nonce and PCR values.
 */
#define MS_TPM_NUM_PCRS 24u
#define MS_TPM_MAX_BANKS 4u
#define MS_TPM_MAX_DIGEST 64u

/* PCR values by bank; a PCR is known when its bit is set in present. */
struct ms_tpm_bank {
	uint16_t alg; /* TPM2_ALG_SHA1, _SHA256, _SHA384, _SHA512 */
	uint32_t present;
	uint8_t value[MS_TPM_NUM_PCRS][MS_TPM_MAX_DIGEST];
};

struct ms_tpm_pcrs {
	unsigned nbanks;
	struct ms_tpm_bank bank[MS_TPM_MAX_BANKS];
};

/* "sha1", "sha256", ... for a TPM hash algorithm; NULL for others. */
const char *ms_tpm_alg_name(uint16_t alg);
/* Digest size of a TPM hash algorithm; 0 for others. */
size_t ms_tpm_alg_size(uint16_t alg);
/* The bank for alg, added (all PCRs unknown) when absent and add is true; NULL when full or absent. */
struct ms_tpm_bank *ms_tpm_pcrs_bank(struct ms_tpm_pcrs *p, uint16_t alg, bool add);

/* A marshalled TPMS_ATTEST (the quote's message, TPM2B_ATTEST's contents), all bytes used. */
enum ms_status ms_tpm_attest_parse(const uint8_t *buf, size_t len, TPMS_ATTEST *out, struct ms_err *err);
/* A marshalled TPMT_SIGNATURE, all bytes used. */
enum ms_status ms_tpm_signature_parse(const uint8_t *buf, size_t len, TPMT_SIGNATURE *out, struct ms_err *err);

/*
 * An attestation key: PEM or DER SubjectPublicKeyInfo, or a marshalled
 * TPM2B_PUBLIC or TPMT_PUBLIC (RSA, or ECC on P-256/P-384). A public area must
 * be a restricted, fixedTPM, fixedParent signing key that cannot decrypt
 * (else MS_BAD_SIGNATURE naming the attribute); a key of any form must pass
 * ms_sig_key_acceptable (pubkey.h; a weak RSA key: MS_BAD_SIGNATURE, another curve
 * or key type: MS_UNSUPPORTED); *attrs_checked (may be NULL)
 * tells whether it was one (a SubjectPublicKeyInfo carries no attributes).
 */
enum ms_status ms_tpm_ak_load(const uint8_t *buf, size_t len, EVP_PKEY **out, bool *attrs_checked, struct ms_err *err);

/*
 * PCR values: tpm2-tools' "tpm2_quote -o" / "tpm2_pcrread -o" file (a
 * TPML_PCR_SELECTION then TPML_DIGESTs, in the host's memory layout as the
 * tools write it) or JSON {"sha256": {"0": "hex", ...}, ...}.
 */
enum ms_status ms_tpm_pcrs_parse(const uint8_t *buf, size_t len, struct ms_tpm_pcrs *out, struct ms_err *err);
/* The JSON form of the same: {"sha256": {"0": "hex", ...}} (object already parsed). */
enum ms_status ms_tpm_pcrs_from_json(const cJSON *json, struct ms_tpm_pcrs *out, struct ms_err *err);

struct ms_tpm_verdict {
	bool signature_ok;
	bool nonce_checked, nonce_ok;
	bool pcrs_ok;
	uint8_t computed_digest[MS_TPM_MAX_DIGEST];
	size_t digest_len;
	char first_missing[64]; /* "sha256 PCR 9" when a selected PCR has no value */
};

/*
 * Checks, in order: the signature over msg with ak (exit 3 on failure), the
 * magic and type (a quote), extraData against nonce (when nonce is not NULL),
 * and pcrDigest against the selected PCRs of pcrs (the hash of their
 * concatenation in selection order, with the signature's hash algorithm).
 * MS_MISMATCH for a wrong nonce or PCR digest, with v saying which.
 */
enum ms_status ms_tpm_quote_verify(const uint8_t *msg, size_t msg_len, const TPMT_SIGNATURE *sig, EVP_PKEY *ak,
				   const uint8_t *nonce, size_t nonce_len, const struct ms_tpm_pcrs *pcrs,
				   struct ms_tpm_verdict *v, struct ms_err *err);

/*
 * Expected PCR values (a Cocos policy's pcr_values) against a verified
 * quote: every PCR want lists must be selected by sel and equal its value
 * in quoted. MS_MISMATCH with the first that is not, named in err.
 */
enum ms_status ms_tpm_pcrs_expect(const TPML_PCR_SELECTION *sel, const struct ms_tpm_pcrs *quoted,
				  const struct ms_tpm_pcrs *want, unsigned *checked, struct ms_err *err);

/* The quoted PCRs of a selection that pcrs holds, in selection order: {"sha256": {"0": hex}}. */
cJSON *ms_tpm_pcrs_json(const struct ms_tpm_pcrs *pcrs, const TPML_PCR_SELECTION *sel);

/*
 * A vTPM quote beside SNP or TDX evidence: what compare was given and, once
 * verified, the PCR values pcrDigest vouches for (the policy's pcr_values are
 * judged against those only).
 */
struct ms_tpm_evidence {
	const uint8_t *msg; /* TPMS_ATTEST */
	size_t msg_len;
	const TPMT_SIGNATURE *sig;
	EVP_PKEY *ak;
	const char *ak_source; /* for the check table: where the AK came from */
	bool ak_attrs_unknown; /* a key without objectAttributes (PEM/DER): listed as not checked */
	const struct ms_tpm_pcrs *pcrs; /* given or replayed from an event log */
	const uint8_t *nonce;  /* the qualifying data the quote must carry, or NULL */
	size_t nonce_len;
};

struct ms_tpm_quoted {
	bool verified;          /* signature, type, nonce (when given) and pcrDigest held */
	bool nonce_mismatch;    /* not verified: the signature held but extraData is not the nonce */
	bool digest_mismatch;   /* not verified: the signature held but pcrDigest is not the PCR values' */
	TPML_PCR_SELECTION sel;
	struct ms_tpm_pcrs pcrs; /* the selected PCRs, as the digest vouches for them */
	uint8_t extra_data[sizeof(TPMU_HA)];
	size_t extra_data_len;
};

struct ms_checks;
/*
 * ms_tpm_quote_verify as check-table rows: the signature (MS_BAD_SIGNATURE),
 * the nonce and the PCR digest (MS_MISMATCH). On MS_OK out->verified is set.
 */
enum ms_status ms_tpm_evidence_verify(const struct ms_tpm_evidence *in, struct ms_tpm_quoted *out, struct ms_checks *checks,
				      struct ms_err *err);

/* The quoted value of a PCR in a verified quote, or NULL when the quote does not cover it. */
const uint8_t *ms_tpm_quoted_pcr(const struct ms_tpm_quoted *q, uint16_t alg, unsigned pcr);

/*
 * trustee's init-data binding (az-snp-vtpm, az-tdx-vtpm): PCR8 is extended once, from zero, with
 * the 32-byte SHA-256 digest of the init data, so the quoted sha256 PCR8 must be SHA-256(32 zero
 * bytes || digest). One row in checks; MS_MISMATCH when PCR8 differs, the quote was not verified
 * or does not cover sha256 PCR8.
 */
/*
 * The digest trustee's init-data check binds: the hash of the whole init-data TOML with its
 * top-level `algorithm`. Only "sha256" is taken (SHA-256 of the file's bytes): trustee's
 * Azure vTPM verifier folds a 32-byte digest into PCR8, and how a 48- or 64-byte sha384 or
 * sha512 digest would be folded is not established, so those are MS_UNSUPPORTED. No
 * algorithm line, two of them, or another name: MS_BAD_INPUT naming the line.
 */
enum ms_status ms_init_data_digest(const uint8_t *buf, size_t len, uint8_t digest[32], struct ms_err *err);

enum ms_status ms_tpm_init_data_check(const struct ms_tpm_quoted *q, const uint8_t digest[32], struct ms_checks *checks,
				      struct ms_err *err);

/* A decoded TPMS_ATTEST (quote) and TPMT_SIGNATURE for inspect. */
cJSON *ms_tpm_attest_json(const TPMS_ATTEST *a);
cJSON *ms_tpm_signature_json(const TPMT_SIGNATURE *s);

#endif
