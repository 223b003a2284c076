/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: a policy is parsed strictly, then applied to a fixed decoded
 * SEV-SNP report (as Milan and as Turin) and a fixed decoded TDX quote, with
 * and without CRLs applied, and to MAA tokens standing for both that carry only
 * some of the fields. Every outcome must be a status with a message.
 */
#include <stdio.h>
#include <stdlib.h>

#include "policy_evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t report[MS_SNP_REPORT_LEN], quote[PE_TDX_LEN];

static void apply(const cJSON *policy, const struct ms_evidence *ev)
{
	struct ms_checks checks = { 0 };
	struct ms_err err = { 0 };
	enum ms_status st = ms_policy_apply(policy, ev, &checks, &err);

	if (st && (!err.msg[0] || err.input != MS_INPUT_POLICY))
		abort(); /* every refusal says why, and names the policy */
	if (st == MS_OK)
		for (size_t i = 0; i < checks.n; i++)
			if (!checks.v[i].ok)
				abort(); /* a pass with a failed check */
	ms_checks_free(&checks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ms_evidence milan, turin, tdx, tdx_crl, maa_snp, maa_tdx;
	static int ready;
	struct ms_err err;
	cJSON *policy = NULL;

	if (!ready) {
		pe_snp_bytes(report);
		pe_tdx_bytes(quote);
		if (pe_snp_evidence(report, MS_SNP_PRODUCT_MILAN, &milan) ||
		    pe_snp_evidence(report, MS_SNP_PRODUCT_TURIN, &turin) || pe_tdx_evidence(quote, sizeof(quote), &tdx) ||
		    pe_tdx_evidence(quote, sizeof(quote), &tdx_crl))
			abort();
		tdx_crl.crls_applied = 2;
		tdx_crl.revocation_checked = true;
		/* as ms_maa_verify leaves them: a token's claims in the report's or quote's fields, some absent */
		maa_snp = milan;
		maa_snp.type = MS_EVIDENCE_MAA;
		maa_snp.platform = "sev-snp";
		maa_snp.claims = MS_CLAIM_MEASUREMENT | MS_CLAIM_VMPL | MS_CLAIM_GUEST_SVN | MS_CLAIM_REPORTED_TCB |
				 MS_CLAIM_PRODUCT | MS_CLAIM_ID_KEY_DIGEST;
		maa_snp.policy_bits_known = 1ull << 16 | 1ull << 17 | 1ull << 19;
		maa_tdx = tdx;
		maa_tdx.type = MS_EVIDENCE_MAA;
		maa_tdx.platform = "tdx";
		maa_tdx.claims = MS_CLAIM_MR_TD | MS_CLAIM_RTMRS | MS_CLAIM_XFAM | MS_CLAIM_TCB_STATUS;
		snprintf(maa_tdx.tcb_status, sizeof(maa_tdx.tcb_status), "UpToDate");
		ready = 1;
	}
	if (ms_policy_parse((const char *)data, size, &policy, &err))
		return 0;
	apply(policy, &milan);
	apply(policy, &turin);
	apply(policy, &tdx);
	apply(policy, &tdx_crl);
	apply(policy, &maa_snp);
	apply(policy, &maa_tdx);
	cJSON_Delete(policy);
	return 0;
}
