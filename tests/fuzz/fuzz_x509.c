/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: common/x509's readers of one certificate, one CRL and a PEM
 * certificate bundle. The first byte picks the reader; the rest is the file.
 * A reader that accepts a file gives back exactly one object (or a non-empty
 * bundle); one that refuses it says why.
 */
#include <stdlib.h>

#include "../../common/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_err err = { 0 };
	enum ms_status st;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		X509 *cert = NULL;

		st = ms_x509_parse(data + 1, size - 1, "fuzz", &cert, &err);
		if (!st != !!cert)
			abort();
		X509_free(cert);
		break;
	}
	case 1: {
		X509_CRL *crl = NULL;

		st = ms_crl_parse(data + 1, size - 1, "fuzz", &crl, &err);
		if (!st != !!crl)
			abort();
		X509_CRL_free(crl);
		break;
	}
	default: {
		STACK_OF(X509) *sk = NULL;

		st = ms_x509_parse_bundle(data + 1, size - 1, "fuzz", &sk, &err);
		if (!st != (sk && sk_X509_num(sk) > 0))
			abort();
		sk_X509_pop_free(sk, X509_free);
		break;
	}
	}
	if (st && !err.msg[0])
		abort();
	return 0;
}
