/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One libFuzzer entry point per evidence type. The first input byte picks the path:
 * FZ_SYNTH: the rest of the input is split into fields of evidence that the harness
 * builds and signs with a test PKI (fuzz_pki.h), so that chain, CRL, QE and policy
 * code past the signatures is reached; anything else: the whole input is the
 * evidence, inspected, then verified against the built-in roots (the parsers).
 */
#ifndef MS_EVIDENCE_HARNESS_H
#define MS_EVIDENCE_HARNESS_H

#include <stdint.h>

#include "../../compare/evidence.h"

#define FZ_SYNTH 0xa5

#define EVIDENCE_HARNESS(inspect, verify, synthesised)                                                  \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                   \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                    \
	{                                                                                               \
		struct ms_err err = { 0 };                                                              \
		struct ms_evidence ev;                                                                  \
		struct ms_checks checks = { 0 };                                                        \
		/* the input's first bytes double as a (bad) VCEK, to reach the certificate parser */ \
		struct ms_verify_options o = { .at = 1700000000, .vcek = data, .vcek_len = size < 64 ? size : 64 }; \
		cJSON *json;                                                                            \
                                                                                                        \
		if (size && data[0] == FZ_SYNTH) {                                                      \
			synthesised(data + 1, size - 1);                                                \
			return 0;                                                                       \
		}                                                                                       \
		if (inspect(data, size, &json, &err) == MS_OK)                                          \
			cJSON_Delete(json);                                                             \
		verify(data, size, &o, &ev, &checks, &err);                                             \
		ms_checks_free(&checks);                                                                \
		return 0;                                                                               \
	}

#endif
