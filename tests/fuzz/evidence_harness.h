/* SPDX-License-Identifier: Apache-2.0 */
/* One libFuzzer entry point per evidence type: inspect, then verify against the built-in roots. */
#ifndef MS_EVIDENCE_HARNESS_H
#define MS_EVIDENCE_HARNESS_H

#include <stdint.h>

#include "../../compare/evidence.h"

#define EVIDENCE_HARNESS(inspect, verify)                                                               \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                   \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                    \
	{                                                                                               \
		struct ms_err err;                                                                      \
		struct ms_evidence ev;                                                                  \
		struct ms_checks checks = { 0 };                                                        \
		/* the input's first bytes double as a (bad) VCEK, to reach the certificate parser */ \
		struct ms_verify_options o = { .at = 1700000000, .vcek = data, .vcek_len = size < 64 ? size : 64 }; \
		cJSON *json;                                                                            \
                                                                                                        \
		if (inspect(data, size, &json, &err) == MS_OK)                                          \
			cJSON_Delete(json);                                                             \
		verify(data, size, &o, &ev, &checks, &err);                                             \
		ms_checks_free(&checks);                                                                \
		return 0;                                                                               \
	}

#endif
