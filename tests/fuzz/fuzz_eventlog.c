/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: CC event log and CCEL table parsing, replay, and the transcript's JSON round trip. */
#include <stdint.h>
#include <stdlib.h>

#include "../../tdx/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ccel c;
	struct ms_err err;
	uint64_t laml, lasa;
	uint8_t rtmr[4][MS_SHA384_LEN];
	bool known[4];

	ms_ccel_table_parse(data, size, &laml, &lasa, &err);
	if (ms_ccel_parse(data, size, &c, &err) == MS_OK) {
		cJSON *json = ms_tdx_log_json(&c.log);
		struct ms_tdx_log back;

		ms_tdx_log_replay(&c.log, rtmr, known);
		if (json && ms_tdx_log_from_json(json, &back, &err) == MS_OK)
			ms_tdx_log_free(&back);
		cJSON_Delete(json);
		ms_ccel_free(&c);
	}
	return 0;
}
