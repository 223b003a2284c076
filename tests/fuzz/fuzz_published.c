/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: published documents (dstack's SNP and TDX measurement files, CBOR or JSON), OVMF metadata JSON, -m sizes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/qemu_size.h"
#include "../../ovmf/published.h"
#include "../../ovmf/sev.h"
#include "../../tdx/published.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ms_snp_published snp;
	struct ms_tdx_published tdx;
	struct ms_ovmf meta;
	struct ms_err err;
	char text[80];
	uint64_t v;

	if (ms_snp_published_parse(data, size, "fuzz", &snp, &err) == MS_OK) {
		/* what the CLI then does with it: a launch digest from the firmware digest */
		struct ms_sev_config cfg = { .mode = MS_MODE_SNP, .vmm = MS_VMM_QEMU, .vcpus = 2, .vcpu_sig = 0x800f12,
					     .guest_features = 1, .kernel = true, .ovmf_hash = true };
		uint8_t out[MS_SHA384_LEN];
		size_t len;

		memcpy(cfg.ovmf_hash_value, snp.ovmf_hash, MS_SHA384_LEN);
		memcpy(cfg.kernel_sha256, snp.kernel_sha256, MS_SHA256_LEN);
		ms_sev_launch_digest(&snp.ovmf, &cfg, out, &len, &err);
	}
	ms_tdx_published_parse(data, size, "fuzz", &tdx, &err);
	ms_snp_sections_parse(data, size, "fuzz", &meta, &err);
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = 0;
		ms_qemu_memory_parse(text, &v, &err);
	}
	return 0;
}
