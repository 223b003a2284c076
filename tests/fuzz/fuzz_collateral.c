/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: Intel PCS collateral and the PCK SGX extension. The first byte picks the
 * parser (TCB info, QE identity, SGX extension DER, issuer chain); the rest is its input.
 * Every refusal must carry a message; every accepted document must hold what the
 * evaluation relies on (counts within bounds, the signed span inside the body).
 */
#include <stdlib.h>
#include <string.h>

#include "../../compare/tcb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_err err = { 0 };
	enum ms_status st;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct ms_tcb_info *t = NULL;

		st = ms_tcb_info_parse(data + 1, size - 1, "fuzz", &t, &err);
		if (!st && (!t || !t->nlevels || t->nlevels > MS_TCB_MAX_LEVELS || t->c.signed_off + t->c.signed_len > size - 1 ||
			    data[1 + t->c.signed_off] != '{' || data[t->c.signed_off + t->c.signed_len] != '}'))
			abort();
		ms_tcb_info_free(t);
		break;
	}
	case 1: {
		struct ms_qe_identity *q = NULL;

		st = ms_qe_identity_parse(data + 1, size - 1, "fuzz", &q, &err);
		if (!st && (!q || !q->nlevels || q->c.signed_off + q->c.signed_len > size - 1 || data[1 + q->c.signed_off] != '{'))
			abort();
		ms_qe_identity_free(q);
		break;
	}
	case 2: {
		struct ms_sgx_ext x;

		st = ms_sgx_ext_parse(data + 1, size - 1, &x, &err);
		if (!st && x.sgx_type > 2)
			abort();
		break;
	}
	default: {
		STACK_OF(X509) *chain = NULL;

		st = ms_issuer_chain_parse(data + 1, size - 1, "fuzz", &chain, &err);
		if (!st && sk_X509_num(chain) < 1)
			abort();
		sk_X509_pop_free(chain, X509_free);
		break;
	}
	}
	if (st && !err.msg[0])
		abort(); /* every refusal says why */
	return 0;
}
