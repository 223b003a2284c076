/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_MATCH_H
#define MS_MATCH_H

/*
 * The verdict: expected values (a measure/v1 manifest, nitro-cli describe-eif JSON or a
 * Cocos policy) against verified evidence, plus debug, freshness and an optional policy.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../common/status.h"
#include "evidence.h"

#define MS_EXPECTED_MAX 32 /* aws-nitro pcr0..pcr31 is the most any platform has */

enum ms_expected_source { MS_EXPECTED_MANIFEST = 1, MS_EXPECTED_NITRO_CLI, MS_EXPECTED_COCOS };

struct ms_expected {
	enum ms_expected_source source;
	char platform[16]; /* aws-nitro, sev-snp, sev-es, sev, tdx, docker, fly */
	struct {
		char name[16];
		uint8_t value[64];
		size_t len;
	} m[MS_EXPECTED_MAX];
	size_t n;
	/*
	 * "observed": true: the values are an allow-list of what was seen, not
	 * recomputed from artifacts (Azure's paravisor firmware); a key may then
	 * hold several values, any of which matches.
	 */
	bool observed;
};

/*
 * Reads EXPECTED strictly (one JSON value: no duplicate key, NUL, invalid UTF-8 or trailing
 * text). A measure/v1 manifest: a known platform, an algorithm that fits it, every measurement
 * key known for the platform and its value hex (0x and upper case accepted) of the platform's
 * length, at least one. Also nitro-cli describe-eif / build-enclave JSON (Measurements.PCRn,
 * SHA-384) and a Cocos policy carrying policy.measurement (SNP) or td_quote_body.mr_td (TDX).
 * MS_BAD_INPUT naming the key, with err->input MS_INPUT_EXPECTED; a file in the wrong role
 * (evidence, an EIF) is named as what it is; MS_UNSUPPORTED for another manifest schema.
 */
enum ms_status ms_expected_parse(const char *text, size_t len, struct ms_expected *out, struct ms_err *err);

/* The key of the platform's launch measurement: pcr0, measurement or mrtd (NULL for docker, fly). */
const char *ms_expected_launch_key(const char *platform);

/*
 * MS_BAD_INPUT (input MS_INPUT_EXPECTED) when the expected values pin no launch measurement
 * and partial manifests are not allowed: a manifest pinning only pcr1, or only RTMRs, would
 * accept any enclave image or firmware.
 */
enum ms_status ms_expected_require_launch(const struct ms_expected *x, bool allow_partial, struct ms_err *err);

/* What a file is, for messages about a file in the wrong role ("a measure/v1 manifest"), or NULL. */
const char *ms_input_kind(const uint8_t *buf, size_t len);

struct ms_match_options {
	bool allow_partial;      /* expected values need not pin the launch measurement */
	bool allow_debug;        /* an SNP/TDX debug guest may match (a Nitro debug enclave never does) */
	const uint8_t *nonce;    /* freshness: the whole Nitro nonce, or all 64 bytes of REPORT_DATA */
	size_t nonce_len;
	bool report_data_prefix; /* SNP/TDX: the nonce may be a prefix of REPORT_DATA, at least 16 bytes */
	const cJSON *policy;     /* from ms_policy_parse, or NULL; SNP and TDX only */
	const struct ms_tcb_policy *tcb; /* TDX TCB status rules, or NULL: UpToDate only when collateral was given */
};

#define MS_NONCE_PREFIX_MIN 16
#define MS_REPORT_DATA_LEN 64

/*
 * The verdict on verified evidence. expected may be NULL when a policy is given. Every
 * expected value must be present and equal (a differing one is recorded with both full
 * values and the first differing byte); every value of the evidence that nothing pins is
 * recorded as MS_CHECK_NOT_CHECKED; debug evidence fails unless allowed (never for Nitro);
 * the nonce must match exactly. MS_OK or MS_MISMATCH; MS_BAD_INPUT for a partial manifest
 * not allowed; MS_USAGE for a nonce of a length the rules refuse or nothing to compare;
 * MS_UNSUPPORTED for a policy on Nitro evidence or a platform no evidence has; the policy's
 * own statuses otherwise. err->input says which input a failure concerns.
 */
enum ms_status ms_match(const struct ms_expected *expected, const struct ms_evidence *ev,
			const struct ms_match_options *o, struct ms_checks *checks, struct ms_err *err);

/*
 * Combining several pairs: the more serious of two statuses, so the result does not depend
 * on their order. Signature or chain failure (exit 3) > collateral missing (4) > unsupported
 * (5) > bad input or usage (2) > mismatch (1) > match (0): evidence that failed verification
 * is the strongest statement about an attestation; a missing certificate or an unsupported
 * format means the answer is unknown, and that must not be hidden by a malformed file or
 * by a value that differs.
 */
enum ms_status ms_status_worst(enum ms_status a, enum ms_status b);

#endif
