/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the EIF signature section (CBOR, COSE_Sign1, PEM certificate). */
#include <stdint.h>
#include <string.h>

#include "../../eif/eif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_eif_signature sig;
	struct ms_err err;
	uint8_t pcr0[MS_SHA384_LEN];

	if (ms_eif_signature_decode(data, size, &sig, &err) != MS_OK)
		return 0;
	memcpy(pcr0, sig.register_value, sizeof(pcr0));
	ms_eif_signature_verify(&sig, pcr0, &err);
	ms_eif_signature_free(&sig);
	return 0;
}
