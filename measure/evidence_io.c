/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "cli.h"
#include "evidence_io.h"

#define MAX_EVIDENCE (1u << 20)

enum ms_evidence_type evidence_type_parse(const char *name)
{
	if (!strcmp(name, "nitro"))
		return MS_EVIDENCE_NITRO;
	if (!strcmp(name, "snp"))
		return MS_EVIDENCE_SNP;
	if (!strcmp(name, "tdx"))
		return MS_EVIDENCE_TDX;
	return MS_EVIDENCE_UNKNOWN;
}

int evidence_load(const char *verb, const char *path, enum ms_evidence_type forced, struct loaded_evidence *e)
{
	struct ms_err err = { 0 };

	memset(e, 0, sizeof(*e));
	if (ms_file_load(path, MAX_EVIDENCE, &e->file, &e->file_len, &err))
		return cli_fail(verb, path, &err);
	e->data = e->file;
	e->len = e->file_len;
	e->type = forced ? forced : ms_evidence_detect(e->data, e->len);
	/* a base64 document may end in a newline; binary evidence keeps every byte */
	if (e->type == MS_EVIDENCE_NITRO && e->len && e->data[0] != 0x84 && e->data[0] != 0xd2)
		while (e->len && (e->data[e->len - 1] == '\n' || e->data[e->len - 1] == '\r'))
			e->len--;
	if (e->type == MS_EVIDENCE_UNKNOWN) {
		ms_fail(&err, MS_BAD_INPUT,
			"not recognised as a Nitro attestation document, an SNP report (1184 bytes) or a TDX quote (use --type)");
		evidence_free(e);
		return cli_fail(verb, path, &err);
	}
	if (e->type == MS_EVIDENCE_TDX && e->len && (e->data[0] & 0xe0) == 0xa0) {
		if (ms_envelope_unwrap(e->data, e->len, &e->inner, &e->len, &err)) {
			evidence_free(e);
			return cli_fail(verb, path, &err);
		}
		e->data = e->inner;
	}
	return 0;
}

void evidence_free(struct loaded_evidence *e)
{
	free(e->file);
	free(e->inner);
	memset(e, 0, sizeof(*e));
}
