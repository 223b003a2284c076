/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_EXPORT_H
#define MS_EXPORT_H

#include <cjson/cJSON.h>

#include "status.h"

/*
 * Expected values in the formats verifiers and key policies read, made from a
 * measure/v1 manifest (docs/formats.md says where each comes from):
 *   rvps          trustee RVPS message {version "0.1.0", type "sample", payload: base64 of {name: [hex]}}
 *   intoto        in-toto Statement v1: subject = the inputs with a SHA-256, predicate = the manifest
 *   env           PREFIX + upper-case measurement name = hex, one per line
 *   kms           AWS KMS key-policy Condition block (aws-nitro only)
 *   cocos         Cocos attestation policy (protojson, bytes as base64; sev-snp and tdx)
 *   go-sev-guest  go-sev-guest check.Config textproto (sev-snp only)
 * A format that does not apply to the manifest's platform is MS_UNSUPPORTED.
 */
enum ms_status ms_export(const cJSON *manifest, const char *format, const char *env_prefix, char **out,
			 struct ms_err *err);

/* Whether name is one of the formats above. */
int ms_export_known(const char *name);

#define MS_EXPORT_FORMATS "rvps, intoto, env, kms, cocos, go-sev-guest"

#endif
