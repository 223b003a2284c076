/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: PE/COFF Authenticode, and QEMU's bzImage patch on a copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tdx/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_err err;
	uint8_t digest[MS_SHA384_LEN], *copy;

	ms_pe_authenticode_sha384(data, size, digest, &err);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ms_qemu_patch_bzimage(copy, size, size / 3, 2ull << 30, &err) == MS_OK)
		ms_pe_authenticode_sha384(copy, size, digest, &err);
	free(copy);
	return 0;
}
