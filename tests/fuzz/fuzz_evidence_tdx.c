/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the tdx evidence parser and verifier (inspect, then verify against the built-in roots). */
#include <stdint.h>

#include "../../compare/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_err err;
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	struct ms_verify_options o = { .at = 1700000000, .vcek = data, .vcek_len = size < 64 ? size : 64 };
	cJSON *json;

	if (ms_tdx_inspect(data, size, &json, &err) == MS_OK)
		cJSON_Delete(json);
	ms_tdx_verify(data, size, &o, &ev, &checks, &err);
	ms_checks_free(&checks);
	return 0;
}
