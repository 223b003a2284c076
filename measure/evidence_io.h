/* SPDX-License-Identifier: Apache-2.0 */
/* Reading evidence files, shared by inspect and compare. */
#ifndef MS_EVIDENCE_IO_H
#define MS_EVIDENCE_IO_H

#include "../compare/evidence.h"

struct loaded_evidence {
	uint8_t *file;   /* as read */
	size_t file_len;
	uint8_t *inner;  /* the evidence decoded from hex, base64 or JSON, or unwrapped from an envelope; or NULL */
	const uint8_t *data;
	size_t len;
	enum ms_evidence_type type;
};

/* Reads path ("-" for stdin), decodes hex or base64, recognises its type (or takes forced), unwraps an envelope. */
int evidence_load(const char *verb, const char *path, enum ms_evidence_type forced, struct loaded_evidence *e);
void evidence_free(struct loaded_evidence *e);
/* "nitro", "snp" or "tdx"; MS_EVIDENCE_UNKNOWN otherwise. */
enum ms_evidence_type evidence_type_parse(const char *name);

#endif
