/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../compare/tcb.h"

#include "../compare/tpm.h"
#include "cli.h"
#include "evidence_io.h"

static const char inspect_help[] =
	"Usage: measure inspect [--type nitro|snp|tdx|maa|azure-vtpm|tpm] FILE\n"
	"\n"
	"Decodes attestation evidence and prints every field as JSON (lowercase hex, no\n"
	"integer arrays): an AWS Nitro attestation document (CBOR COSE_Sign1), an AMD SEV-SNP\n"
	"report (1184 bytes), or an Intel TDX quote (v4 or v5, also inside a CBOR {platform,\n"
	"tdx_wire, user_data} envelope or dstack's quote_hex JSON), each in binary, hex or\n"
	"base64; or a TPM 2.0 quote's TPMS_ATTEST (binary, tpm2_quote -m; recognised by its\n"
	"magic ff544347); a Microsoft Azure Attestation token (its header and claims); Azure\n"
	"vTPM evidence in trustee's JSON (HCL report, runtime data, SNP report or TD quote,\n"
	"TPM quote and PCRs); or Intel PCS collateral (a TCB info or QE identity body).\n"
	"Nothing is verified: use 'measure compare' or 'measure tpm quote'.\n";

/* A PCS body: {"tcbInfo": ...} or {"enclaveIdentity": ...}, printed decoded; -1 when FILE is not one. */
static int inspect_collateral(const char *path)
{
	struct ms_err err = { 0 };
	uint8_t *buf = NULL;
	size_t len, i = 0;
	struct ms_tcb_info *t = NULL;
	struct ms_qe_identity *q = NULL;
	cJSON *json = NULL;
	int rc = -1;

	if (!strcmp(path, "-") || ms_file_load(path, MS_COLLATERAL_MAX_BYTES, &buf, &len, &err))
		return -1; /* read again, and reported, as evidence */
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (len - i > 11 && !memcmp(buf + i, "{\"tcbInfo\"", 10)) {
		rc = ms_tcb_info_parse(buf, len, path, &t, &err) ? cli_fail("inspect", NULL, &err)
								 : cli_write_json("inspect", json = ms_tcb_info_json(t));
	} else if (len - i > 19 && !memcmp(buf + i, "{\"enclaveIdentity\"", 18)) {
		rc = ms_qe_identity_parse(buf, len, path, &q, &err) ? cli_fail("inspect", NULL, &err)
								    : cli_write_json("inspect", json = ms_qe_identity_json(q));
	}
	cJSON_Delete(json);
	ms_tcb_info_free(t);
	ms_qe_identity_free(q);
	free(buf);
	return rc;
}

/* A TPMS_ATTEST: returns -1 when path is not one (and tpm was not forced), else the exit code. */
static int inspect_tpm(const char *path, bool forced)
{
	static const uint8_t magic[4] = { 0xff, 0x54, 0x43, 0x47 };
	struct ms_err err = { 0 };
	TPMS_ATTEST attest;
	cJSON *json;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (ms_file_load(path, 65536, &buf, &len, &err)) {
		if (!forced)
			return -1; /* evidence_load reads it again and reports */
		return cli_fail("inspect", path, &err);
	}
	if (!forced && (len < 4 || memcmp(buf, magic, 4))) {
		free(buf);
		return -1;
	}
	if (ms_tpm_attest_parse(buf, len, &attest, &err)) {
		free(buf);
		return cli_fail("inspect", path, &err);
	}
	json = cJSON_CreateObject();
	if (json) {
		cJSON_AddStringToObject(json, "type", "tpm2-quote");
		cJSON_AddItemToObject(json, "attest", ms_tpm_attest_json(&attest));
	}
	rc = json ? cli_write_json("inspect", json) : 2;
	cJSON_Delete(json);
	free(buf);
	return rc;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option options[] = {
		{ "type", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	enum ms_evidence_type forced = MS_EVIDENCE_UNKNOWN;
	bool tpm = false;
	struct loaded_evidence e;
	struct ms_err err = { 0 };
	cJSON *json = NULL;
	enum ms_status st;
	int opt, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			tpm = !strcmp(optarg, "tpm");
			forced = evidence_type_parse(optarg);
			if (!forced && !tpm)
				return cli_usage("inspect", "--type is nitro, snp, tdx, maa, azure-vtpm or tpm, not '%s'", optarg);
			break;
		case 'h':
			fputs(inspect_help, stdout);
			return 0;
		default:
			return cli_bad_option("inspect", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage("inspect", optind == argc ? "no evidence file given" : "one evidence file at a time");
	if (!forced && !tpm && (rc = inspect_collateral(argv[optind])) >= 0)
		return rc;
	if ((tpm || !forced) && strcmp(argv[optind], "-") && (rc = inspect_tpm(argv[optind], tpm)) >= 0)
		return rc;
	if ((rc = evidence_load("inspect", argv[optind], forced, &e)))
		return rc;
	st = e.type == MS_EVIDENCE_NITRO ? ms_nitro_inspect(e.data, e.len, &json, &err)
	     : e.type == MS_EVIDENCE_SNP ? ms_snp_inspect(e.data, e.len, &json, &err)
	     : e.type == MS_EVIDENCE_MAA ? ms_maa_inspect(e.data, e.len, &json, &err)
	     : e.type == MS_EVIDENCE_AZURE_VTPM ? ms_azure_vtpm_inspect(e.data, e.len, &json, &err)
					 : ms_tdx_inspect(e.data, e.len, &json, &err);
	rc = st ? cli_fail("inspect", argv[optind], &err) : cli_write_json("inspect", json);
	cJSON_Delete(json);
	evidence_free(&e);
	return rc;
}
