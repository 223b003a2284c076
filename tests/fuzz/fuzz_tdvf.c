/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: TDVF metadata, then MRTD and the TD HOB over what parsed. */
#include <stdint.h>
#include <stdlib.h>

#include "../../tdx/tdvf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_tdvf t;
	struct ms_err err;
	uint8_t mrtd[MS_SHA384_LEN], *hob;
	size_t len;
	uint64_t total = 0;

	if (ms_tdvf_parse(data, size, &t, &err) != MS_OK)
		return 0;
	for (unsigned i = 0; i < t.nsections; i++)
		total += t.sections[i].memory_size;
	if (total <= (64u << 20)) /* keep each run short */
		ms_tdx_mrtd(&t, size % 2 ? MS_TWO_PASS : MS_SINGLE_PASS, mrtd, &err);
	if (ms_tdx_td_hob(&t, 2ull << 30, &hob, &len, &err) == MS_OK)
		free(hob);
	return 0;
}
