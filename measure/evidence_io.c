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
	if (!strcmp(name, "maa"))
		return MS_EVIDENCE_MAA;
	if (!strcmp(name, "azure-vtpm"))
		return MS_EVIDENCE_AZURE_VTPM;
	return MS_EVIDENCE_UNKNOWN;
}

int evidence_load(const char *verb, const char *path, enum ms_evidence_type forced, struct loaded_evidence *e)
{
	struct ms_err err = { 0 };

	memset(e, 0, sizeof(*e));
	if (ms_file_load(path, MAX_EVIDENCE, &e->file, &e->file_len, &err))
		return cli_fail(verb, path, &err);
	if (ms_evidence_open(e->file, e->file_len, forced, &e->inner, &e->data, &e->len, &e->type, &err)) {
		evidence_free(e);
		return cli_fail(verb, path, &err);
	}
	return 0;
}

void evidence_free(struct loaded_evidence *e)
{
	free(e->file);
	free(e->inner);
	memset(e, 0, sizeof(*e));
}
