/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the CBOR {platform, tdx_wire, user_data} envelope (ms_envelope_unwrap), and the
 * text forms every evidence file may take (hex, base64, dstack's quote_hex JSON) through
 * ms_evidence_open, which unwraps envelopes too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../compare/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *quote = NULL, *owned = NULL;
	const uint8_t *bytes;
	size_t len = 0;
	enum ms_evidence_type t;
	struct ms_err err = { 0 };

	if (ms_envelope_unwrap(data, size, &quote, &len, &err) == MS_OK && len && !quote)
		abort(); /* a quote was promised */
	free(quote);
	if (ms_evidence_open(data, size, MS_EVIDENCE_UNKNOWN, &owned, &bytes, &len, &t, &err) == MS_OK &&
	    (t == MS_EVIDENCE_UNKNOWN || !bytes))
		abort();
	free(owned);
	owned = NULL;
	if (ms_evidence_open(data, size, MS_EVIDENCE_TDX, &owned, &bytes, &len, &t, &err) == MS_OK && t != MS_EVIDENCE_TDX)
		abort();
	free(owned);
	return 0;
}
