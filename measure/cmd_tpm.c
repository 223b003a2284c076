/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../compare/tpm.h"
#include "cli.h"

static const char *const verb = "tpm quote";

static const char tpm_help[] =
	"Usage: measure tpm quote MSG --sig SIG --ak AK (--pcrs PCRS) [options]\n"
	"\n"
	"Verifies a TPM 2.0 quote offline: MSG is the TPMS_ATTEST the TPM signed and SIG its\n"
	"TPMT_SIGNATURE (tpm2_quote -m and -s; RSASSA, RSAPSS or ECDSA with SHA-256/384/512).\n"
	"Checked: the signature with the AK, the magic and type, the qualifying data against\n"
	"--nonce, and pcrDigest against the PCR values of every selected PCR.\n"
	"\n"
	"Options:\n"
	"      --sig FILE     the TPMT_SIGNATURE (binary)\n"
	"      --ak FILE      the attestation key: PEM or DER public key, or TPM2B_PUBLIC/TPMT_PUBLIC\n"
	"      --pcrs FILE    the PCR values: tpm2_quote -o output, or JSON {\"sha256\": {\"0\": \"hex\"}}\n"
	"      --nonce HEX    the qualifying data the quote must carry (extraData)\n"
	"  -j, --json         print the verdict, the decoded quote and the quoted PCRs as JSON\n"
	"  -q, --quiet        print nothing; the exit code speaks\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit codes: 0 verified and matched, 1 nonce or PCR digest differs, 2 malformed input,\n"
	"3 signature does not verify, 5 unsupported algorithm.\n";

#define CLI_MAX_TPM_STRUCT 65536u
#define CLI_MAX_NONCE 64u

static int load(const char *path, struct ms_mapping *m)
{
	struct ms_err err = { 0 };

	if (ms_file_map(path, CLI_MAX_TPM_STRUCT, m, &err))
		return cli_fail(verb, path, &err);
	return 0;
}

int cmd_tpm(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sig", required_argument, NULL, 's' },  { "ak", required_argument, NULL, 'a' },
		{ "pcrs", required_argument, NULL, 'p' }, { "nonce", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },	  { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
	};
	const char *sig_path = NULL, *ak_path = NULL, *pcrs_path = NULL, *nonce_hex = NULL, *msg_path;
	struct ms_mapping msg = { 0 }, sigm = { 0 }, akm = { 0 }, pcrm = { 0 };
	uint8_t nonce[CLI_MAX_NONCE];
	size_t nonce_len = 0;
	struct ms_tpm_pcrs *pcrs = NULL;
	struct ms_tpm_verdict v;
	TPMT_SIGNATURE sig;
	TPMS_ATTEST attest;
	EVP_PKEY *ak = NULL;
	struct ms_err err = { 0 };
	bool json = false, quiet = false;
	cJSON *out = NULL;
	enum ms_status st;
	int opt, rc;

	if (argc < 2 || strcmp(argv[1], "quote")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			fputs(tpm_help, stdout);
			return 0;
		}
		return cli_usage("tpm", "the only tpm command is 'quote'");
	}
	argc--, argv++;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case 's': sig_path = optarg; break;
		case 'a': ak_path = optarg; break;
		case 'p': pcrs_path = optarg; break;
		case 'n': nonce_hex = optarg; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(tpm_help, stdout); return 0;
		default: return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage(verb, optind == argc ? "no quote message (TPMS_ATTEST) given" : "one quote at a time");
	msg_path = argv[optind];
	if (!sig_path || !ak_path || !pcrs_path)
		return cli_usage(verb, "--sig, --ak and --pcrs are all needed");
	if (nonce_hex) {
		const char *h = strncmp(nonce_hex, "0x", 2) ? nonce_hex : nonce_hex + 2;
		size_t n = strlen(h);

		if (n == 0 || n % 2 || n / 2 > CLI_MAX_NONCE)
			return cli_usage(verb, "--nonce is 1 to %u bytes of hex", CLI_MAX_NONCE);
		nonce_len = n / 2;
		if (ms_hex_decode(h, nonce, nonce_len, "--nonce", &err))
			return cli_usage(verb, "--nonce is not hex");
	}
	if (!(pcrs = calloc(1, sizeof(*pcrs)))) {
		ms_fail(&err, MS_NO_MEMORY, "out of memory");
		rc = cli_fail(verb, NULL, &err);
		goto out;
	}
	if ((rc = load(msg_path, &msg)) || (rc = load(sig_path, &sigm)) || (rc = load(ak_path, &akm)) ||
	    (rc = load(pcrs_path, &pcrm)))
		goto out;
	if ((st = ms_tpm_attest_parse(msg.data, msg.len, &attest, &err))) {
		rc = cli_fail(verb, msg_path, &err);
		goto out;
	}
	if ((st = ms_tpm_signature_parse(sigm.data, sigm.len, &sig, &err))) {
		rc = cli_fail(verb, sig_path, &err);
		goto out;
	}
	if ((st = ms_tpm_ak_load(akm.data, akm.len, &ak, &err))) {
		rc = cli_fail(verb, ak_path, &err);
		goto out;
	}
	if ((st = ms_tpm_pcrs_parse(pcrm.data, pcrm.len, pcrs, &err))) {
		rc = cli_fail(verb, pcrs_path, &err);
		goto out;
	}
	st = ms_tpm_quote_verify(msg.data, msg.len, &sig, ak, nonce_hex ? nonce : NULL, nonce_len, pcrs, &v, &err);
	if (st && st != MS_MISMATCH) {
		rc = cli_fail(verb, st == MS_BAD_SIGNATURE ? sig_path : msg_path, &err);
		goto out;
	}
	rc = st ? 1 : 0;
	if (quiet)
		goto out;
	if (json) {
		cJSON *verdict;

		if (!(out = cJSON_CreateObject()) || !(verdict = cJSON_AddObjectToObject(out, "verdict"))) {
			ms_fail(&err, MS_NO_MEMORY, "out of memory");
			rc = cli_fail(verb, NULL, &err);
			goto out;
		}
		cJSON_AddBoolToObject(verdict, "verified", st == MS_OK);
		cJSON_AddBoolToObject(verdict, "signature", v.signature_ok);
		if (v.nonce_checked)
			cJSON_AddBoolToObject(verdict, "nonce", v.nonce_ok);
		else
			cJSON_AddNullToObject(verdict, "nonce");
		cJSON_AddBoolToObject(verdict, "pcr_digest", v.pcrs_ok);
		ms_json_add_hex(verdict, "computed_pcr_digest", v.computed_digest, v.digest_len);
		if (v.first_missing[0])
			cJSON_AddStringToObject(verdict, "missing_pcr", v.first_missing);
		cJSON_AddItemToObject(out, "quote", ms_tpm_attest_json(&attest));
		cJSON_AddItemToObject(out, "signature", ms_tpm_signature_json(&sig));
		cJSON_AddItemToObject(out, "pcrs", ms_tpm_pcrs_json(pcrs, &attest.attested.quote.pcrSelect));
		if (cli_write_json(verb, out))
			rc = 2;
	} else {
		char hex[2 * MS_TPM_MAX_DIGEST + 1];

		ms_hex_encode(v.computed_digest, v.digest_len, hex);
		printf("signature: ok (%s)\n", sig.sigAlg == TPM2_ALG_RSASSA ? "RSASSA" : sig.sigAlg == TPM2_ALG_RSAPSS ? "RSAPSS" : "ECDSA");
		printf("nonce: %s\n", !v.nonce_checked ? "not checked (no --nonce)" : v.nonce_ok ? "ok" : "DIFFERS");
		if (v.first_missing[0])
			printf("pcr digest: DIFFERS (no value given for %s)\n", v.first_missing);
		else
			printf("pcr digest: %s (%s)\n", v.pcrs_ok ? "ok" : "DIFFERS", hex);
		if (rc)
			fprintf(stderr, "measure: %s: %s: %s\n", verb, msg_path, err.msg);
	}
out:
	cJSON_Delete(out);
	EVP_PKEY_free(ak);
	free(pcrs);
	ms_file_unmap(&msg);
	ms_file_unmap(&sigm);
	ms_file_unmap(&akm);
	ms_file_unmap(&pcrm);
	return rc;
}
