/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: a cosign signature bundle (`cosign download signature` output) and a base64 signature. */
#include <stdint.h>
#include <stdlib.h>

#include "../../image/cosign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_cosign c = { 0 };
	struct ms_err err;

	if (ms_cosign_parse_bundle((const char *)data, size, &c, &err) == MS_OK)
		ms_cosign_free(&c);
	if (ms_cosign_set_signature_b64(&c, (const char *)data, size, &err) == MS_OK)
		ms_cosign_free(&c);
	return 0;
}
