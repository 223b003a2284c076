/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../compare/tpm.h"
#include "../tdx/events.h"
#include "cli.h"
#include "tpm_cli.h"

static const char *const verb = "tpm quote";

static const char tpm_help[] =
	"Usage: measure tpm quote MSG --sig SIG --ak AK (--pcrs PCRS | --eventlog LOG) [options]\n"
	"       measure tpm eventlog LOG [--json] [--transcript]\n"
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
	"      --eventlog LOG a TCG PC Client crypto-agile event log (binary_bios_measurements):\n"
	"                     replayed into the PCRs; with --pcrs too, every quoted PCR of --pcrs\n"
	"                     must equal its replay, and the differing PCRs are named\n"
	"      --nonce HEX    the qualifying data the quote must carry (extraData)\n"
	"      --policy FILE  a Cocos attestation policy: its pcr_values (sha256/sha384 maps) must\n"
	"                     equal the quoted PCRs; also a bare {\"sha256\": {\"0\": \"hex\"}} map\n"
	"  -j, --json         print the verdict, the decoded quote and the quoted PCRs as JSON\n"
	"  -q, --quiet        print nothing; the exit code speaks\n"
	"  -h, --help         show this help\n"
	"\n"
	"'measure tpm eventlog' prints the replayed PCRs as {\"sha256\": {\"0\": \"hex\"}} JSON\n"
	"(the --pcrs format) and, with --transcript, every event: number, PCR, type, description.\n"
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

#define CLI_MAX_TPM_LOG (16u << 20)

static enum ms_status print_event(void *arg, const struct ms_tcg_record *r, const char *description, struct ms_err *err)
{
	cJSON *list = arg, *item;

	(void)err;
	if (!list) {
		printf("%u PCR%u %s \"%s\"\n", r->number, r->index, ms_tcg_event_type_name(r->type), description);
		return MS_OK;
	}
	if (!(item = cJSON_CreateObject()))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	cJSON_AddNumberToObject(item, "event", r->number);
	cJSON_AddNumberToObject(item, "offset", (double)r->offset);
	cJSON_AddNumberToObject(item, "pcr", r->index);
	cJSON_AddStringToObject(item, "type", ms_tcg_event_type_name(r->type));
	cJSON_AddStringToObject(item, "description", description);
	cJSON_AddItemToArray(list, item);
	return MS_OK;
}

static int cmd_tpm_eventlog(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' }, { "transcript", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *everb = "tpm eventlog";
	struct ms_mapping m = { 0 };
	struct ms_pcr_log *log = NULL;
	struct ms_tpm_pcrs *pcrs = NULL;
	struct ms_err err = { 0 };
	TPML_PCR_SELECTION all = { 0 };
	cJSON *out = NULL, *events = NULL;
	bool json = false, transcript = false;
	int opt, rc = 0;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jh", options, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 't': transcript = true; break;
		case 'h': fputs(tpm_help, stdout); return 0;
		default: return cli_bad_option(everb, opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage(everb, optind == argc ? "no event log given" : "one event log at a time");
	if (!(log = calloc(1, sizeof(*log))) || !(pcrs = calloc(1, sizeof(*pcrs))) ||
	    (json && (!(out = cJSON_CreateObject()) || (transcript && !(events = cJSON_AddArrayToObject(out, "events")))))) {
		ms_fail(&err, MS_NO_MEMORY, "out of memory");
		rc = cli_fail(everb, NULL, &err);
		goto out;
	}
	if (ms_file_map(argv[optind], CLI_MAX_TPM_LOG, &m, &err) ||
	    ms_pcr_log_replay(m.data, m.len, log, NULL, NULL, &err)) {
		rc = cli_fail(everb, argv[optind], &err);
		goto out;
	}
	/* the log checked, a second walk of the same bytes prints it */
	if (transcript)
		ms_pcr_log_replay(m.data, m.len, log, print_event, events, &err);
	tpm_cli_log_pcrs(log, pcrs);
	all.count = pcrs->nbanks;
	for (unsigned b = 0; b < pcrs->nbanks; b++) {
		all.pcrSelections[b].hash = pcrs->bank[b].alg;
		all.pcrSelections[b].sizeofSelect = 3;
		memset(all.pcrSelections[b].pcrSelect, 0, 3);
		for (unsigned i = 0; i < MS_PCR_LOG_PCRS; i++)
			if (log->extended & (1u << i))
				all.pcrSelections[b].pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	if (json) {
		cJSON_AddItemToObject(out, "pcrs", ms_tpm_pcrs_json(pcrs, &all));
		cJSON_AddNumberToObject(out, "startup_locality", log->locality);
		rc = cli_write_json(everb, out);
	} else {
		char hex[2 * MS_TPM_MAX_DIGEST + 1];

		for (unsigned b = 0; b < pcrs->nbanks; b++)
			for (unsigned i = 0; i < MS_PCR_LOG_PCRS; i++)
				if (log->extended & (1u << i)) {
					ms_hex_encode(pcrs->bank[b].value[i], ms_tpm_alg_size(pcrs->bank[b].alg), hex);
					printf("%s PCR%u %s\n", ms_tpm_alg_name(pcrs->bank[b].alg), i, hex);
				}
	}
out:
	cJSON_Delete(out);
	free(log);
	free(pcrs);
	ms_file_unmap(&m);
	return rc;
}

/* Each quoted PCR of the given values against its replay: names the differing ones and each one's last event count. */
static void compare_replay(const TPML_PCR_SELECTION *sel, const struct ms_tpm_pcrs *given, const struct ms_tpm_pcrs *replayed,
			   const struct ms_pcr_log *log, char *out, size_t cap)
{
	size_t o = 0;

	for (uint32_t b = 0; b < sel->count && b < TPM2_NUM_PCR_BANKS; b++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[b];
		const struct ms_tpm_bank *g = NULL, *r = NULL;
		size_t size = ms_tpm_alg_size(s->hash);

		for (unsigned i = 0; i < given->nbanks; i++)
			if (given->bank[i].alg == s->hash)
				g = &given->bank[i];
		for (unsigned i = 0; i < replayed->nbanks; i++)
			if (replayed->bank[i].alg == s->hash)
				r = &replayed->bank[i];
		for (unsigned pcr = 0; pcr < 8u * s->sizeofSelect && pcr < MS_TPM_NUM_PCRS && size; pcr++) {
			if (!(s->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
				continue;
			if (g && r && (g->present & r->present & (1u << pcr)) && !memcmp(g->value[pcr], r->value[pcr], size))
				continue;
			if (o + 80 < cap)
				o += (size_t)snprintf(out + o, cap - o, "%s%s PCR%u (%u events)", o ? ", " : "",
						      ms_tpm_alg_name(s->hash), pcr, log->nextends[pcr]);
		}
	}
}

/* A Cocos policy's pcr_values, or a bare map of banks. */
static int load_policy(const char *path, struct ms_tpm_pcrs **out)
{
	struct ms_mapping m = { 0 };
	struct ms_err err = { 0 };
	cJSON *json = NULL;
	const cJSON *map;
	int rc = 0;

	if (!(*out = calloc(1, sizeof(**out)))) {
		ms_fail(&err, MS_NO_MEMORY, "out of memory");
		return cli_fail(verb, NULL, &err);
	}
	if (ms_file_map(path, CLI_MAX_TPM_LOG, &m, &err) ||
	    ms_json_parse_strict((const char *)m.data, m.len, "policy", &json, &err)) {
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	map = cJSON_IsObject(json) && cJSON_GetObjectItemCaseSensitive(json, "pcr_values")
		      ? cJSON_GetObjectItemCaseSensitive(json, "pcr_values")
		      : json;
	if (map != json && (cJSON_GetObjectItemCaseSensitive(json, "sha256") || cJSON_GetObjectItemCaseSensitive(json, "sha384"))) {
		ms_fail(&err, MS_BAD_INPUT, "policy: both pcr_values and top-level banks");
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	if (ms_tpm_pcrs_from_json(map, *out, &err))
		rc = cli_fail(verb, path, &err);
out:
	cJSON_Delete(json);
	ms_file_unmap(&m);
	return rc;
}

int cmd_tpm(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sig", required_argument, NULL, 's' },  { "ak", required_argument, NULL, 'a' },
		{ "pcrs", required_argument, NULL, 'p' }, { "nonce", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },	  { "quiet", no_argument, NULL, 'q' },
		{ "eventlog", required_argument, NULL, 'e' }, { "policy", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
	};
	const char *sig_path = NULL, *ak_path = NULL, *pcrs_path = NULL, *nonce_hex = NULL, *msg_path, *log_path = NULL, *policy_path = NULL;
	struct ms_mapping msg = { 0 }, sigm = { 0 }, akm = { 0 }, pcrm = { 0 }, logm = { 0 };
	struct ms_pcr_log *log = NULL;
	struct ms_tpm_pcrs *replayed = NULL;
	char differ[256] = "";
	struct ms_tpm_pcrs *expected = NULL;
	unsigned npolicy = 0;
	bool policy_ok = false;
	uint8_t nonce[CLI_MAX_NONCE];
	size_t nonce_len = 0;
	struct ms_tpm_pcrs *pcrs = NULL;
	struct ms_tpm_verdict v;
	TPMT_SIGNATURE sig;
	TPMS_ATTEST attest;
	EVP_PKEY *ak = NULL;
	struct ms_err err = { 0 };
	bool json = false, quiet = false, ak_attrs_checked = false;
	cJSON *out = NULL;
	enum ms_status st;
	int opt, rc;

	if (argc >= 2 && !strcmp(argv[1], "eventlog"))
		return cmd_tpm_eventlog(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "quote")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			fputs(tpm_help, stdout);
			return 0;
		}
		return cli_usage("tpm", "the tpm commands are 'quote' and 'eventlog'");
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
		case 'e': log_path = optarg; break;
		case 'P': policy_path = optarg; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(tpm_help, stdout); return 0;
		default: return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage(verb, optind == argc ? "no quote message (TPMS_ATTEST) given" : "one quote at a time");
	msg_path = argv[optind];
	if (!sig_path || !ak_path || (!pcrs_path && !log_path))
		return cli_usage(verb, "--sig, --ak and --pcrs or --eventlog are needed");
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
	    (pcrs_path && (rc = load(pcrs_path, &pcrm))))
		goto out;
	if ((st = ms_tpm_attest_parse(msg.data, msg.len, &attest, &err))) {
		rc = cli_fail(verb, msg_path, &err);
		goto out;
	}
	if ((st = ms_tpm_signature_parse(sigm.data, sigm.len, &sig, &err))) {
		rc = cli_fail(verb, sig_path, &err);
		goto out;
	}
	if ((st = ms_tpm_ak_load(akm.data, akm.len, &ak, &ak_attrs_checked, &err))) {
		rc = cli_fail(verb, ak_path, &err);
		goto out;
	}
	if (pcrs_path && (st = ms_tpm_pcrs_parse(pcrm.data, pcrm.len, pcrs, &err))) {
		rc = cli_fail(verb, pcrs_path, &err);
		goto out;
	}
	if (log_path) {
		if (!(log = calloc(1, sizeof(*log))) || !(replayed = calloc(1, sizeof(*replayed)))) {
			ms_fail(&err, MS_NO_MEMORY, "out of memory");
			rc = cli_fail(verb, NULL, &err);
			goto out;
		}
		if (ms_file_map(log_path, CLI_MAX_TPM_LOG, &logm, &err) ||
		    ms_pcr_log_replay(logm.data, logm.len, log, NULL, NULL, &err)) {
			rc = cli_fail(verb, log_path, &err);
			goto out;
		}
		tpm_cli_log_pcrs(log, replayed);
		if (!pcrs_path)
			memcpy(pcrs, replayed, sizeof(*pcrs));
		else
			compare_replay(&attest.attested.quote.pcrSelect, pcrs, replayed, log, differ, sizeof(differ));
	}
	st = ms_tpm_quote_verify(msg.data, msg.len, &sig, ak, nonce_hex ? nonce : NULL, nonce_len, pcrs, &v, &err);
	if (st && st != MS_MISMATCH) {
		rc = cli_fail(verb, st == MS_BAD_SIGNATURE ? sig_path : msg_path, &err);
		goto out;
	}
	if (policy_path) {
		if ((rc = load_policy(policy_path, &expected)))
			goto out;
		/* the quoted values count only once pcrDigest vouches for them */
		if (!st) {
			st = ms_tpm_pcrs_expect(&attest.attested.quote.pcrSelect, pcrs, expected, &npolicy, &err);
			policy_ok = !st;
		}
	}
	if (!st && differ[0]) {
		st = MS_MISMATCH;
		snprintf(err.msg, sizeof(err.msg), "the event log's replay differs from the quoted PCR values: %s", differ);
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
		if (ak_attrs_checked)
			cJSON_AddBoolToObject(verdict, "ak_attributes", true);
		else
			cJSON_AddNullToObject(verdict, "ak_attributes");
		if (v.nonce_checked)
			cJSON_AddBoolToObject(verdict, "nonce", v.nonce_ok);
		else
			cJSON_AddNullToObject(verdict, "nonce");
		cJSON_AddBoolToObject(verdict, "pcr_digest", v.pcrs_ok);
		ms_json_add_hex(verdict, "computed_pcr_digest", v.computed_digest, v.digest_len);
		if (v.first_missing[0])
			cJSON_AddStringToObject(verdict, "missing_pcr", v.first_missing);
		if (log_path) {
			if (pcrs_path)
				cJSON_AddBoolToObject(verdict, "eventlog_matches_pcrs", !differ[0]);
			else
				cJSON_AddBoolToObject(verdict, "eventlog_matches_quote", v.pcrs_ok);
		}
		if (differ[0])
			cJSON_AddStringToObject(verdict, "eventlog_differs", differ);
		if (policy_path) {
			cJSON_AddBoolToObject(verdict, "pcr_values", policy_ok);
			if (!policy_ok && st == MS_MISMATCH)
				cJSON_AddStringToObject(verdict, "reason", err.msg);
		}
		cJSON_AddItemToObject(out, "quote", ms_tpm_attest_json(&attest));
		cJSON_AddItemToObject(out, "signature", ms_tpm_signature_json(&sig));
		cJSON_AddItemToObject(out, "pcrs", ms_tpm_pcrs_json(pcrs, &attest.attested.quote.pcrSelect));
		if (cli_write_json(verb, out))
			rc = 2;
	} else {
		char hex[2 * MS_TPM_MAX_DIGEST + 1];

		ms_hex_encode(v.computed_digest, v.digest_len, hex);
		printf("signature: ok (%s)\n", sig.sigAlg == TPM2_ALG_RSASSA ? "RSASSA" : sig.sigAlg == TPM2_ALG_RSAPSS ? "RSAPSS" : "ECDSA");
		if (!ak_attrs_checked)
			printf("AK attributes: not checked (a PEM key carries none)\n");
		printf("nonce: %s\n", !v.nonce_checked ? "not checked (no --nonce)" : v.nonce_ok ? "ok" : "DIFFERS");
		if (v.first_missing[0])
			printf("pcr digest: DIFFERS (no value given for %s)\n", v.first_missing);
		else
			printf("pcr digest: %s (%s)\n", v.pcrs_ok ? "ok" : "DIFFERS", hex);
		if (policy_path)
			printf("pcr_values: %s\n", policy_ok ? "ok" : "FAILED");
		if (log_path)
			printf("event log: %s\n", differ[0] ? "DIFFERS" : pcrs_path ? "replay equals the quoted PCRs" : v.pcrs_ok ? "replay matches pcrDigest" : "replay does not match pcrDigest");
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
	ms_file_unmap(&logm);
	free(log);
	free(replayed);
	free(expected);
	return rc;
}
