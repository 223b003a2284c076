/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "../common/hex.h"
#include "../common/x509.h"
#include "anchors.h"

enum ms_status ms_anchor_load(enum ms_anchor_id id, X509 **out, struct ms_err *err)
{
	for (unsigned i = 0; i < ms_anchor_count; i++) {
		const struct ms_anchor *a = &ms_anchors[i];
		uint8_t fp[32];
		char hex[65];
		X509 *cert;
		enum ms_status st;

		if (a->id != id)
			continue;
		st = ms_x509_parse((const uint8_t *)a->pem, strlen(a->pem), a->name, &cert, err);
		if (st)
			return st;
		ms_x509_fingerprint(cert, fp);
		ms_hex_encode(fp, 32, hex);
		if (strcmp(hex, a->sha256)) {
			X509_free(cert);
			return ms_fail(err, MS_BAD_SIGNATURE, "built-in %s does not match its pin", a->name);
		}
		*out = cert;
		return MS_OK;
	}
	return ms_fail(err, MS_UNSUPPORTED, "no built-in trust anchor %d", (int)id);
}
