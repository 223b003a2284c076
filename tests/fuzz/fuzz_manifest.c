/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: EXPECTED as compare reads it (a measure/v1 manifest, nitro-cli JSON, a Cocos
 * policy, or a file in the wrong role), then the verdict against synthetic evidence of the
 * manifest's platform with and without partial manifests, debug and a nonce.
 */
#include <stdint.h>
#include <string.h>

#include "../../compare/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[64] = { 1, 2, 3 };
	struct ms_expected x;
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	struct ms_checks checks = { 0 };
	struct ms_match_options o = { .nonce = nonce, .nonce_len = size % 2 ? 64 : 16, .report_data_prefix = size % 3 == 0,
				      .allow_partial = size % 5 == 0, .allow_debug = size % 7 == 0 };
	uint8_t v[48];

	ms_input_kind(data, size);
	if (ms_expected_parse((const char *)data, size, &x, &err))
		return 0;
	memset(&ev, 0, sizeof(ev));
	memset(v, size & 0xff, sizeof(v));
	ev.type = !strcmp(x.platform, "aws-nitro") ? MS_EVIDENCE_NITRO : !strcmp(x.platform, "tdx") ? MS_EVIDENCE_TDX
												   : MS_EVIDENCE_SNP;
	ev.platform = ev.type == MS_EVIDENCE_NITRO ? "aws-nitro" : ev.type == MS_EVIDENCE_TDX ? "tdx" : "sev-snp";
	ms_evidence_add(&ev, ev.type == MS_EVIDENCE_NITRO ? "pcr0" : ev.type == MS_EVIDENCE_TDX ? "mrtd" : "measurement", v, 48);
	ms_evidence_add(&ev, ev.type == MS_EVIDENCE_NITRO ? "pcr1" : ev.type == MS_EVIDENCE_TDX ? "rtmr0" : "host_data", v,
			ev.type == MS_EVIDENCE_SNP ? 32 : 48);
	ev.debug = size % 11 == 0;
	ev.freshness_len = ev.type == MS_EVIDENCE_NITRO ? size % 1025 : 64;
	ms_match(&x, &ev, &o, &checks, &err);
	ms_checks_free(&checks);
	return 0;
}
