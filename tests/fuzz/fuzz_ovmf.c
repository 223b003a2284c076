/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the OVMF footer table and SEV metadata, then every launch-digest mode, alone and
 * through one engine (its caches hit on the second round), and the digests by vCPU count.
 */
#include <stdint.h>
#include <string.h>

#include "../../ovmf/sev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ms_sev_mode modes[] = { MS_MODE_SNP, MS_MODE_SEV_ES, MS_MODE_SEV };
	static const enum ms_vmm vmms[] = { MS_VMM_QEMU, MS_VMM_EC2, MS_VMM_GCE };
	struct ms_ovmf ovmf;
	struct ms_err err;
	uint8_t digest[MS_SHA384_LEN], by_vcpus[4][MS_SHA384_LEN];
	size_t len;
	struct ms_sev_engine *e;
	struct ms_sev_result res;

	if (ms_ovmf_parse(data, size, &ovmf, &err) != MS_OK)
		return 0;
	e = ms_sev_engine_new(2);
	for (int round = 0; e && round < 2; round++)
		for (int m = 0; m < 3; m++) {
			struct ms_sev_config cfg = { .mode = modes[m], .vmm = vmms[(m + round) % 3], .vcpus = 1 + round,
						     .vcpu_sig = 0x800f12, .guest_features = 1, .init2 = true,
						     .ec2_rdx = 0x600, .kernel = round };

			ms_sev_measure(e, &ovmf, &cfg, NULL, &res, &err);
			if (modes[m] == MS_MODE_SNP)
				ms_snp_digests_by_vcpus(e, &ovmf, &cfg, NULL, 4, by_vcpus, &err);
		}
	ms_sev_engine_free(e);
	for (int m = 0; m < 3; m++) {
		struct ms_sev_config cfg = { .mode = modes[m], .vmm = vmms[m], .vcpus = 2,
					     .vcpu_sig = 0x800f12, .guest_features = 1, .init2 = true,
					     .ec2_rdx = 0x600, .kernel = m != 2 || size % 2 };

		ms_sev_launch_digest(&ovmf, &cfg, digest, &len, &err);
	}
	return 0;
}
