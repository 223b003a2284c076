/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_ANCHORS_H
#define MS_ANCHORS_H

#include <openssl/x509.h>

#include "../common/status.h"

enum ms_anchor_id {
	MS_ANCHOR_AWS_NITRO_G1,
	MS_ANCHOR_INTEL_SGX_ROOT,
	MS_ANCHOR_AMD_ARK_MILAN,
	MS_ANCHOR_AMD_ASK_MILAN,
	MS_ANCHOR_AMD_ARK_GENOA,
	MS_ANCHOR_AMD_ASK_GENOA,
	MS_ANCHOR_AMD_ARK_TURIN,
	MS_ANCHOR_AMD_ASK_TURIN,
	MS_ANCHOR_AMD_ASVK_MILAN,
	MS_ANCHOR_AMD_ASVK_GENOA,
	MS_ANCHOR_AMD_ASVK_TURIN,
};

struct ms_anchor {
	enum ms_anchor_id id;
	const char *name;
	const char *sha256; /* of the DER encoding, lowercase hex */
	const char *pem;
};

extern const struct ms_anchor ms_anchors[];
extern const unsigned ms_anchor_count;

/* The anchor, parsed, after its SHA-256 pin is checked; the caller frees it. */
enum ms_status ms_anchor_load(enum ms_anchor_id id, X509 **out, struct ms_err *err);

#endif
