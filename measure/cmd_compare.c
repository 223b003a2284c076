/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "cli.h"
#include "evidence_io.h"

#define MAX_PAIRS 16
#define MAX_CRLS 8

static const char compare_help[] =
	"Usage: measure compare [options] EXPECTED EVIDENCE [EXPECTED EVIDENCE ...]\n"
	"\n"
	"Verifies each piece of evidence offline (signature, certificate chain to the pinned\n"
	"vendor root, validity) and compares it with EXPECTED, a manifest from\n"
	"'measure eif|snp|tdx --json'. Every pair must pass. Nothing is fetched.\n"
	"\n"
	"Options:\n"
	"      --type nitro|snp|tdx  the evidence type, when it is not recognised\n"
	"      --at TIME             check certificates at TIME (RFC 3339, or @SECONDS)\n"
	"                            instead of now; 'evidence' uses a Nitro document's own time\n"
	"      --nonce HEX           must equal the Nitro nonce, or the first bytes of the SNP\n"
	"                            REPORT_DATA / TDX REPORTDATA\n"
	"      --vcek FILE           SNP: the VCEK or VLEK (DER or PEM) that signed the report\n"
	"      --certs FILE          SNP: an extended report's certificate table holding it\n"
	"      --crl FILE            a revocation list (DER or PEM) from an issuer in the chain;\n"
	"                            it must be current; repeat for several\n"
	"      --policy FILE         apply an attestation policy (Cocos / go-sev-guest JSON) to\n"
	"                            SNP and TDX evidence; unknown fields are refused (exit 5)\n"
	"      --root FILE           replace the pinned root by FILE, for test or private chains\n"
	"                            (for SNP: the ASK or ASVK, then the ARK); the output says so\n"
	"      --allow-debug         let an SNP guest whose policy allows DEBUG, or a TD with the\n"
	"                            DEBUG attribute, match (a debug Nitro enclave never does)\n"
	"  -j, --json                print the result, ending in a receipt for audit logs\n"
	"  -q, --quiet               print nothing; the exit code tells\n"
	"  -h, --help                show this help\n"
	"\n"
	"Exit codes: 0 verified and matched, 1 a value or policy differs, 2 bad input,\n"
	"3 signature or chain, 4 collateral (VCEK) missing, 5 unsupported.\n";

struct pair {
	const char *expected_path, *evidence_path;
	cJSON *manifest;
	struct loaded_evidence e;
	struct ms_evidence ev;
	struct ms_checks checks;
	enum ms_status status; /* of verification */
	char error[512];
	bool matched;
};

static const char *platform_of(enum ms_evidence_type t)
{
	return t == MS_EVIDENCE_NITRO ? "aws-nitro" : t == MS_EVIDENCE_SNP ? "sev-snp" : "tdx";
}

static void shorten(const char *hex, char *out, size_t cap)
{
	size_t n = strlen(hex);

	if (n > 40)
		snprintf(out, cap, "%.16s...%s", hex, hex + n - 16);
	else
		snprintf(out, cap, "%s", hex);
}

/* The manifest's values against the verified evidence; every expected value must be present and equal. */
static bool match(struct pair *p, const uint8_t *nonce, size_t nonce_len, bool allow_debug)
{
	const cJSON *platform = cJSON_GetObjectItemCaseSensitive(p->manifest, "platform");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(p->manifest, "measurements");
	bool ok = true;
	unsigned n = 0;

	if (!cJSON_IsString(platform) || strcmp(platform->valuestring, platform_of(p->e.type))) {
		ms_check_add(&p->checks, false, "platform", cJSON_IsString(platform) ? platform->valuestring : "?",
			     platform_of(p->e.type));
		return false;
	}
	ms_check_add(&p->checks, true, "platform", platform->valuestring, platform_of(p->e.type));
	for (const cJSON *m = cJSON_IsObject(ms) ? ms->child : NULL; m; m = m->next, n++) {
		uint8_t want[64];
		char a[112], b[112], *found = NULL;
		size_t len = cJSON_IsString(m) ? strlen(m->valuestring) / 2 : 0;
		unsigned k;
		bool eq;

		if (!len || len > sizeof(want) || ms_hex_decode(m->valuestring, want, len, m->string, NULL)) {
			ms_check_add(&p->checks, false, m->string, "a hex digest", "the manifest's value is not one");
			ok = false;
			continue;
		}
		for (k = 0; k < p->ev.nm && strcmp(p->ev.m[k].name, m->string); k++)
			;
		if (k == p->ev.nm) {
			shorten(m->valuestring, a, sizeof(a));
			ms_check_add(&p->checks, false, m->string, a, "absent from the evidence");
			ok = false;
			continue;
		}
		found = ms_hex_alloc(p->ev.m[k].value, p->ev.m[k].len);
		eq = p->ev.m[k].len == len && !memcmp(p->ev.m[k].value, want, len);
		shorten(m->valuestring, a, sizeof(a));
		shorten(found ? found : "?", b, sizeof(b));
		ms_check_add(&p->checks, eq, m->string, a, b);
		ok &= eq;
		free(found);
	}
	if (n == 0) {
		ms_check_add(&p->checks, false, "expected values", "at least one", "the manifest has none");
		ok = false;
	}
	if (p->ev.debug) {
		bool allowed = allow_debug && p->e.type != MS_EVIDENCE_NITRO;

		ms_check_add(&p->checks, allowed, "debug", allowed ? "allowed (--allow-debug)" : "not a debug guest",
			     p->ev.debug_why);
		ok &= allowed;
	}
	if (nonce) {
		bool eq = p->ev.freshness_len >= nonce_len && !memcmp(p->ev.freshness, nonce, nonce_len) &&
			  (p->e.type != MS_EVIDENCE_NITRO || p->ev.freshness_len == nonce_len);
		char *want = ms_hex_alloc(nonce, nonce_len), *got = ms_hex_alloc(p->ev.freshness, p->ev.freshness_len);
		char a[112], b[112];

		shorten(want ? want : "?", a, sizeof(a));
		shorten(got && p->ev.freshness_len ? got : "(none)", b, sizeof(b));
		ms_check_add(&p->checks, eq, "nonce", a, b);
		ok &= eq;
		free(want);
		free(got);
	}
	return ok;
}

static cJSON *pair_json(const struct pair *p, int64_t at)
{
	cJSON *o = cJSON_CreateObject(), *arr, *r, *m;
	char when[32];

	cJSON_AddStringToObject(o, "expected", p->expected_path);
	cJSON_AddStringToObject(o, "evidence", p->evidence_path);
	cJSON_AddStringToObject(o, "type", ms_evidence_type_name(p->e.type));
	arr = cJSON_AddArrayToObject(o, "checks");
	for (size_t i = 0; i < p->checks.n; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "what", p->checks.v[i].what);
		cJSON_AddStringToObject(c, "expected", p->checks.v[i].expected);
		cJSON_AddStringToObject(c, "found", p->checks.v[i].found);
		cJSON_AddBoolToObject(c, "pass", p->checks.v[i].ok);
		cJSON_AddItemToArray(arr, c);
	}
	cJSON_AddBoolToObject(o, "verified", p->status == MS_OK);
	if (p->status)
		cJSON_AddStringToObject(o, "error", p->error);
	cJSON_AddBoolToObject(o, "matched", p->matched);
	if (p->status)
		return o;
	r = cJSON_AddObjectToObject(o, "receipt");
	cJSON_AddStringToObject(r, "mode", "offline");
	cJSON_AddStringToObject(r, "platform", p->ev.platform);
	m = cJSON_AddObjectToObject(r, "measurements");
	for (unsigned i = 0; i < p->ev.nm; i++)
		ms_json_add_hex(m, p->ev.m[i].name, p->ev.m[i].value, p->ev.m[i].len);
	if (p->ev.has_timestamp) {
		ms_format_time(p->ev.timestamp, when);
		cJSON_AddStringToObject(r, "signed_at", when);
	} else {
		cJSON_AddNullToObject(r, "signed_at");
	}
	cJSON_AddStringToObject(r, "signed_by", p->ev.signed_by);
	ms_format_time(at, when);
	cJSON_AddStringToObject(r, "certificates_checked_at", when);
	ms_json_add_hex(r, "evidence_sha256", p->ev.sha256, 32);
	return o;
}

int cmd_compare(int argc, char **argv)
{
	enum { OPT_TYPE = 256, OPT_AT, OPT_NONCE, OPT_VCEK, OPT_CERTS, OPT_ALLOW_DEBUG, OPT_ROOT, OPT_POLICY, OPT_CRL };
	static const struct option options[] = {
		{ "type", required_argument, NULL, OPT_TYPE },	  { "at", required_argument, NULL, OPT_AT },
		{ "nonce", required_argument, NULL, OPT_NONCE },  { "vcek", required_argument, NULL, OPT_VCEK },
		{ "certs", required_argument, NULL, OPT_CERTS },  { "allow-debug", no_argument, NULL, OPT_ALLOW_DEBUG },
		{ "json", no_argument, NULL, 'j' },		  { "quiet", no_argument, NULL, 'q' },
		{ "root", required_argument, NULL, OPT_ROOT },	  { "policy", required_argument, NULL, OPT_POLICY },
		{ "crl", required_argument, NULL, OPT_CRL },	  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pair pairs[MAX_PAIRS];
	struct ms_verify_options vo = { .at = (int64_t)time(NULL) };
	enum ms_evidence_type forced = MS_EVIDENCE_UNKNOWN;
	const char *vcek_path = NULL, *certs_path = NULL, *nonce_hex = NULL, *root_path = NULL, *policy_path = NULL;
	cJSON *policy = NULL;
	const char *crl_paths[MAX_CRLS];
	size_t ncrl = 0;
	STACK_OF(X509_CRL) *crls = NULL;
	STACK_OF(X509) *root_chain = NULL;
	uint8_t *vcek = NULL, *certs = NULL, *nonce = NULL;
	size_t npairs, nonce_len = 0;
	bool json = false, quiet = false, allow_debug = false;
	struct ms_err err = { 0 };
	int opt, rc = 0, worst = 0;
	cJSON *out = NULL;

	memset(pairs, 0, sizeof(pairs));
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_TYPE:
			if (!(forced = evidence_type_parse(optarg)))
				return cli_usage("compare", "--type is nitro, snp or tdx, not '%s'", optarg);
			break;
		case OPT_AT:
			if (!strcmp(optarg, "evidence"))
				vo.at_evidence = true;
			else if (ms_parse_time(optarg, &vo.at))
				return cli_usage("compare", "--at: '%s' is not RFC 3339 (2022-10-13T09:38:02Z), @SECONDS or evidence",
						 optarg);
			break;
		case OPT_NONCE: nonce_hex = optarg; break;
		case OPT_VCEK: vcek_path = optarg; break;
		case OPT_CERTS: certs_path = optarg; break;
		case OPT_ALLOW_DEBUG: allow_debug = true; break;
		case OPT_ROOT: root_path = optarg; break;
		case OPT_POLICY: policy_path = optarg; break;
		case OPT_CRL:
			if (ncrl == MAX_CRLS)
				return cli_usage("compare", "at most %d --crl files", MAX_CRLS);
			crl_paths[ncrl++] = optarg;
			break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h':
			fputs(compare_help, stdout);
			return 0;
		default:
			return cli_bad_option("compare", opt, argv);
		}
	}
	npairs = (size_t)(argc - optind) / 2;
	if (argc == optind || (argc - optind) % 2)
		return cli_usage("compare", "give EXPECTED EVIDENCE pairs");
	if (npairs > MAX_PAIRS)
		return cli_usage("compare", "at most %d pairs", MAX_PAIRS);
	if (nonce_hex) {
		size_t n = strlen(nonce_hex) - (strncmp(nonce_hex, "0x", 2) ? 0 : 2);

		nonce_len = n / 2;
		nonce = malloc(nonce_len + 1);
		if (!nonce || n % 2 || !nonce_len || nonce_len > 64 ||
		    ms_hex_decode(nonce_hex, nonce, nonce_len, "--nonce", &err)) {
			free(nonce);
			return cli_usage("compare", "--nonce: 1 to 64 bytes of hex");
		}
	}
	if ((vcek_path && ms_file_load(vcek_path, 1 << 16, &vcek, &vo.vcek_len, &err)) ||
	    (certs_path && ms_file_load(certs_path, 1 << 20, &certs, &vo.certs_len, &err))) {
		rc = cli_fail("compare", vcek_path && !vcek ? vcek_path : certs_path, &err);
		goto out;
	}
	vo.vcek = vcek;
	vo.certs = certs;
	if (root_path) {
		/* one root; or AMD's cert_chain form, the ASK (or ASVK) then the ARK */
		uint8_t *pem = NULL;
		size_t len;
		bool bad = ms_file_load(root_path, 1 << 16, &pem, &len, &err) ||
			   ms_x509_parse_bundle(pem, len, "--root", &root_chain, &err);

		free(pem);
		if (!bad && sk_X509_num(root_chain) > 2) {
			ms_fail(&err, MS_USAGE, "one root certificate, or an ASK and an ARK");
			bad = true;
		}
		if (bad) {
			rc = cli_fail("compare", root_path, &err);
			goto out;
		}
		vo.root_override = sk_X509_value(root_chain, sk_X509_num(root_chain) - 1);
		vo.ask_override = sk_X509_num(root_chain) == 2 ? sk_X509_value(root_chain, 0) : NULL;
		if (!quiet)
			fprintf(stderr, "measure: compare: the pinned root is replaced by %s\n", root_path);
	}

	if (ncrl && !(crls = sk_X509_CRL_new_null())) {
		rc = 2;
		goto out;
	}
	for (size_t i = 0; i < ncrl; i++) {
		uint8_t *buf = NULL;
		size_t len;
		X509_CRL *crl = NULL;
		bool bad = ms_file_load(crl_paths[i], 4u << 20, &buf, &len, &err) ||
			   ms_crl_parse(buf, len, "--crl", &crl, &err);

		free(buf);
		if (bad) {
			rc = cli_fail("compare", crl_paths[i], &err);
			goto out;
		}
		sk_X509_CRL_push(crls, crl);
	}
	vo.crls = crls;
	if (policy_path) {
		uint8_t *text = NULL;
		size_t len;
		bool bad = ms_file_load(policy_path, 1 << 20, &text, &len, &err) ||
			   ms_policy_parse((const char *)text, len, &policy, &err);

		free(text);
		if (bad) {
			rc = cli_fail("compare", policy_path, &err);
			goto out;
		}
	}
	for (size_t i = 0; i < npairs; i++) {
		struct pair *p = &pairs[i];
		uint8_t *text;
		size_t len;
		const cJSON *schema;

		p->expected_path = argv[optind + 2 * i];
		p->evidence_path = argv[optind + 2 * i + 1];
		if (ms_file_load(p->expected_path, 1 << 20, &text, &len, &err)) {
			rc = cli_fail("compare", p->expected_path, &err);
			goto out;
		}
		p->manifest = cJSON_ParseWithLength((char *)text, len);
		free(text);
		schema = cJSON_GetObjectItemCaseSensitive(p->manifest, "schema");
		if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "measure/v1")) {
			ms_fail(&err, MS_BAD_INPUT, "not a measure/v1 manifest (from 'measure eif|snp|tdx --json')");
			rc = cli_fail("compare", p->expected_path, &err);
			goto out;
		}
		if ((rc = evidence_load("compare", p->evidence_path, forced, &p->e)))
			goto out;
	}
	for (size_t i = 0; i < npairs; i++) {
		struct pair *p = &pairs[i];
		struct ms_err verr = { 0 };

		p->status = p->e.type == MS_EVIDENCE_NITRO ? ms_nitro_verify(p->e.data, p->e.len, &vo, &p->ev, &p->checks, &verr)
			    : p->e.type == MS_EVIDENCE_SNP ? ms_snp_verify(p->e.data, p->e.len, &vo, &p->ev, &p->checks, &verr)
							   : ms_tdx_verify(p->e.data, p->e.len, &vo, &p->ev, &p->checks, &verr);
		snprintf(p->error, sizeof(p->error), "%s", verr.msg);
		if (p->status) {
			int code = ms_exit_code(p->status);

			/* the most serious failure decides: bad input, then signature, collateral, unsupported */
			if (!worst || code == 2 || (code == 3 && worst != 2))
				worst = code;
			if (!quiet && !json)
				fprintf(stderr, "measure: compare: %s: %s\n", p->evidence_path, verr.msg);
			continue;
		}
		p->matched = match(p, nonce, nonce_len, allow_debug);
		if (policy && p->e.type != MS_EVIDENCE_NITRO) {
			enum ms_status pst = ms_policy_apply(policy, &p->ev, &p->checks, &verr);

			if (pst && pst != MS_MISMATCH) {
				/* the policy could not be applied: that is not a pass, and not merely a mismatch */
				p->status = pst;
				snprintf(p->error, sizeof(p->error), "%s", verr.msg);
				if (!quiet && !json)
					fprintf(stderr, "measure: compare: %s: %s\n", policy_path, verr.msg);
				if (!worst || worst == 1)
					worst = ms_exit_code(pst);
				continue;
			}
			p->matched &= pst == MS_OK;
		}
		if (!p->matched && !worst)
			worst = 1;
	}
	if (crls && !worst) {
		size_t applied = 0;

		for (size_t i = 0; i < npairs; i++)
			applied += pairs[i].ev.crls_applied;
		if (!applied) {
			fprintf(stderr, "measure: compare: no --crl is issued by a certificate of any chain checked\n");
			worst = 2;
		}
	}
	rc = worst;
	if (quiet || rc == 2) /* malformed evidence: the one-line errors above, nothing on stdout */
		goto out;
	if (json) {
		cJSON *arr, *receipt;
		char when[32];

		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "verdict", rc == 0 ? "match" : rc == 1 ? "mismatch" : rc == 3 ? "not verified"
								: rc == 4 ? "collateral missing" : rc == 5 ? "unsupported" : "bad input");
		arr = cJSON_AddArrayToObject(out, "results");
		for (size_t i = 0; i < npairs; i++)
			cJSON_AddItemToArray(arr, pair_json(&pairs[i], pairs[i].ev.has_timestamp && vo.at_evidence
										? pairs[i].ev.timestamp : vo.at));
		receipt = cJSON_AddObjectToObject(out, "receipt");
		cJSON_AddStringToObject(receipt, "mode", "offline");
		cJSON_AddStringToObject(receipt, "verdict", rc == 0 ? "match" : "no match");
		ms_format_time((int64_t)time(NULL), when);
		cJSON_AddStringToObject(receipt, "compared_at", when);
		arr = cJSON_AddArrayToObject(receipt, "evidence_sha256");
		for (size_t i = 0; i < npairs; i++) {
			char hex[65];

			ms_hex_encode(pairs[i].ev.sha256, 32, hex);
			cJSON_AddItemToArray(arr, cJSON_CreateString(hex));
		}
		if (cli_write_json("compare", out))
			rc = 2;
	} else {
		size_t cap = 4096 * (npairs + 1), used = 0;
		char *text = malloc(cap);

		if (!text) {
			rc = 2;
			goto out;
		}
		text[0] = '\0';
		for (size_t i = 0; i < npairs; i++) {
			const struct pair *p = &pairs[i];

			used += (size_t)snprintf(text + used, cap - used, "%s against %s (%s)\n", p->evidence_path,
						 p->expected_path, ms_evidence_type_name(p->e.type));
			for (size_t k = 0; k < p->checks.n && used < cap; k++)
				used += (size_t)snprintf(text + used, cap - used, "  %-4s %-26s %-42s %s\n",
							 p->checks.v[k].ok ? "ok" : "FAIL", p->checks.v[k].what,
							 p->checks.v[k].expected, p->checks.v[k].found);
			if (used < cap)
				used += (size_t)snprintf(text + used, cap - used, "  => %s\n",
							 p->status ? "NOT VERIFIED" : p->matched ? "MATCH" : "MISMATCH");
		}
		if (used < cap && rc == 0)
			snprintf(text + used, cap - used, "all evidence verified and matched\n");
		else if (used < cap)
			snprintf(text + used, cap - used, "not a match (exit %d)\n", rc);
		if (cli_write("compare", text))
			rc = 2;
		free(text);
	}
out:
	for (size_t i = 0; i < npairs && i < MAX_PAIRS; i++) {
		cJSON_Delete(pairs[i].manifest);
		evidence_free(&pairs[i].e);
		ms_checks_free(&pairs[i].checks);
	}
	cJSON_Delete(out);
	cJSON_Delete(policy);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	sk_X509_pop_free(root_chain, X509_free);
	free(vcek);
	free(certs);
	free(nonce);
	return rc;
}
