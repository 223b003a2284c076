/* SPDX-License-Identifier: Apache-2.0 */
/* measure fetch: download the vendor collateral a piece of evidence needs into the cache. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hex.h"
#include "cli.h"
#include "collateral_cli.h"
#include "evidence_io.h"

static const char fetch_help[] =
	"Usage: measure fetch [options] EVIDENCE\n"
	"\n"
	"Downloads the vendor collateral EVIDENCE needs into a content-addressed cache, for\n"
	"'measure compare --cache' to use offline later:\n"
	"  SNP report  the VCEK for its CHIP_ID and REPORTED_TCB, the ASK and ARK, and the\n"
	"              ARK's CRL, from AMD KDS\n"
	"  TDX quote   the TCB info for its FMSPC, the QE identity (each with its issuer\n"
	"              chain), the PCK CRL and the Intel SGX Root CA CRL, from Intel PCS v4\n"
	"  Nitro       nothing: the document carries its chain\n"
	"Everything is downloaded and checked first; then all of it is stored, or nothing.\n"
	"Only HTTPS is used (certificates verified); plain http:// only to 127.0.0.1, [::1]\n"
	"or localhost through --base-url.\n"
	"\n"
	"Options:\n"
	"      --cache DIR          the cache (default $XDG_CACHE_HOME/measure, else\n"
	"                           ~/.cache/measure)\n"
	"      --base-url amd=URL   fetch from URL instead of https://kdsintf.amd.com (a mirror)\n"
	"      --base-url intel=URL fetch from URL instead of Intel's two hosts\n"
	"      --product NAME       SNP: Milan, Genoa or Turin, for a report that does not say\n"
	"                           (version 2)\n"
	"      --type nitro|snp|tdx the evidence type, when it is not recognised\n"
	"      --timeout SECONDS    give up on a request after this long (default 60)\n"
	"      --ca-file FILE       trust the CAs in FILE (PEM) instead of the system's, for a\n"
	"                           mirror with its own CA (and tests)\n"
	"  -j, --json               print what was stored as JSON\n"
	"  -q, --quiet              print nothing; the exit code tells\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit codes: 0 stored (or nothing needed), 2 bad evidence or usage, or a response\n"
	"that is not what it should be, 4 collateral not available (network error, timeout,\n"
	"HTTP error such as 404), 5 unsupported (a VLEK, a masked CHIP_ID).\n";

static enum ms_snp_product product_parse(const char *name)
{
	if (!strcasecmp(name, "milan"))
		return MS_SNP_PRODUCT_MILAN;
	if (!strcasecmp(name, "genoa"))
		return MS_SNP_PRODUCT_GENOA;
	if (!strcasecmp(name, "turin"))
		return MS_SNP_PRODUCT_TURIN;
	return MS_SNP_PRODUCT_UNKNOWN;
}

static int print_result(const char *dir, const struct ms_fetch_result *res, bool json)
{
	char hex[2 * MS_SHA256_LEN + 1];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr;

		if (!o)
			return 2;
		cJSON_AddStringToObject(o, "cache", dir);
		arr = cJSON_AddArrayToObject(o, "stored");
		for (size_t i = 0; i < res->n; i++) {
			cJSON *e = cJSON_CreateObject();

			ms_hex_encode(res->f[i].sha256, MS_SHA256_LEN, hex);
			cJSON_AddStringToObject(e, "key", res->f[i].key);
			cJSON_AddStringToObject(e, "sha256", hex);
			cJSON_AddNumberToObject(e, "size", (double)res->f[i].len);
			cJSON_AddItemToArray(arr, e);
		}
		rc = cli_write_json("fetch", o);
		cJSON_Delete(o);
		return rc;
	}
	if (!(f = open_memstream(&text, &len)))
		return 2;
	if (!res->n)
		fprintf(f, "nothing to fetch: a Nitro document carries its certificate chain\n");
	else
		fprintf(f, "stored in %s:\n", dir);
	for (size_t i = 0; i < res->n; i++) {
		ms_hex_encode(res->f[i].sha256, MS_SHA256_LEN, hex);
		fprintf(f, "  %-64s  sha256 %s  %zu bytes\n", res->f[i].key, hex, res->f[i].len);
	}
	if (fclose(f) || !text) {
		free(text);
		return 2;
	}
	rc = cli_write("fetch", text);
	free(text);
	return rc;
}

int cmd_fetch(int argc, char **argv)
{
	enum { OPT_CACHE = 256, OPT_BASE, OPT_PRODUCT, OPT_TYPE, OPT_TIMEOUT, OPT_CA };
	static const struct option options[] = {
		{ "cache", required_argument, NULL, OPT_CACHE },     { "base-url", required_argument, NULL, OPT_BASE },
		{ "product", required_argument, NULL, OPT_PRODUCT }, { "type", required_argument, NULL, OPT_TYPE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT }, { "ca-file", required_argument, NULL, OPT_CA },
		{ "json", no_argument, NULL, 'j' },		      { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },		      { NULL, 0, NULL, 0 },
	};
	struct ms_fetch_options fo = { 0 };
	struct ms_collateral_need need;
	struct ms_fetch_result res;
	struct cli_fetch_progress progress;
	struct loaded_evidence e = { 0 };
	enum ms_evidence_type forced = MS_EVIDENCE_UNKNOWN;
	enum ms_snp_product product = MS_SNP_PRODUCT_UNKNOWN;
	struct ms_err err = { 0 };
	const char *cache = NULL;
	char *cache_owned = NULL;
	bool json = false, quiet = false;
	uint64_t timeout;
	enum ms_status st;
	int opt, rc = 2;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_CACHE: cache = optarg; break;
		case OPT_BASE:
			if ((rc = cli_base_url("fetch", &fo, optarg)))
				goto out;
			break;
		case OPT_PRODUCT:
			if (!(product = product_parse(optarg))) {
				rc = cli_usage("fetch", "--product is Milan, Genoa or Turin, not '%.64s'", optarg);
				goto out;
			}
			break;
		case OPT_TYPE:
			if (!(forced = evidence_type_parse(optarg))) {
				rc = cli_usage("fetch", "--type is nitro, snp or tdx, not '%.64s'", optarg);
				goto out;
			}
			break;
		case OPT_TIMEOUT:
			if (!cli_parse_u64("fetch", "--timeout", optarg, 3600, &timeout)) {
				rc = 2;
				goto out;
			}
			if (!timeout) {
				rc = cli_usage("fetch", "--timeout: 1 to 3600 seconds");
				goto out;
			}
			fo.http.total_timeout_s = (long)timeout;
			if (fo.http.total_timeout_s < 10)
				fo.http.connect_timeout_s = fo.http.total_timeout_s;
			break;
		case OPT_CA: fo.http.ca_file = optarg; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h':
			fputs(fetch_help, stdout);
			rc = 0;
			goto out;
		default:
			rc = cli_bad_option("fetch", opt, argv);
			goto out;
		}
	}
	rc = 2;
	if (optind != argc - 1) {
		rc = cli_usage("fetch", optind == argc ? "no evidence file given" : "one evidence file at a time");
		goto out;
	}
	if (!cache && !(cache = cache_owned = cli_default_cache_dir("fetch")))
		goto out;
	if ((rc = evidence_load("fetch", argv[optind], forced, &e)))
		goto out;
	rc = 2;
	if ((st = ms_collateral_need(e.data, e.len, e.type, product, &need, &err))) {
		if (st == MS_USAGE)
			fprintf(stderr, "measure: fetch: %s: %s (--product Milan|Genoa|Turin)\n", argv[optind], err.msg);
		else
			rc = cli_fail("fetch", argv[optind], &err);
		goto out;
	}
	cli_fetch_init(&progress, &fo);
	st = ms_collateral_fetch(&need, cache, &fo, &res, &err);
	cli_fetch_progress_end(&progress);
	if (st) {
		rc = cli_fail("fetch", argv[optind], &err);
		goto out;
	}
	rc = quiet ? 0 : print_result(cache, &res, json);
out:
	evidence_free(&e);
	free(cache_owned);
	return rc;
}
