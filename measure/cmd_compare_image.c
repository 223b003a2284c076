/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure compare EXPECTED --image-digest DIGEST | --cosign-bundle FILE ...:
 * a docker or fly manifest against the digest a registry or platform reports
 * for the running image, or against a cosign signature. A bare digest is not
 * signed evidence (the user read it from the registry, `docker inspect` or
 * `fly image show`): the check is only that it names the image the manifest was
 * computed from. A cosign signature is verified with the given public key
 * first, then the manifest digest its payload names is compared.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/digest.h"
#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "../compare/match.h"
#include "../image/cosign.h"
#include "cli.h"

static const char compare_image_help[] =
	"Usage: measure compare EXPECTED --image-digest sha256:HEX [--json] [-q]\n"
	"       measure compare EXPECTED --cosign-key PEM (--cosign-bundle FILE |\n"
	"                       --cosign-signature FILE --cosign-payload FILE) [--json] [-q]\n"
	"\n"
	"Compares a docker or fly manifest ('measure image --json') with the digest a\n"
	"registry or platform reports: the manifest digest (repo@sha256:...) or the\n"
	"config digest (the image ID). It matches when it equals either; the output\n"
	"names which.\n"
	"\n"
	"With a cosign signature instead (cosign's key-pair mode, checked offline): the\n"
	"signature must verify with --cosign-key (ECDSA P-256) over the simple-signing\n"
	"payload, and the manifest digest the payload names must be the manifest's.\n"
	"--cosign-bundle reads what `cosign download signature` prints (Base64Signature,\n"
	"Payload); --cosign-signature (base64) and --cosign-payload give the two parts.\n"
	"\n"
	"--json prints the result in the shape of every compare: verdict, exit_code,\n"
	"results (checks, verified, matched, receipt) and a receipt.\n"
	"\n"
	"Exit codes: 0 match, 1 no match, 2 bad input (EXPECTED not a docker or fly\n"
	"manifest, DIGEST not sha256:<64 hex>), 3 the cosign signature does not verify,\n"
	"5 a cosign key that is not ECDSA P-256.\n";

#define MAX_EXPECTED (1u << 20)
#define MAX_PEM (1u << 20)

struct image_check {
	const char *evidence;   /* what stands for the evidence on the command line */
	const char *type;       /* image-digest, cosign */
	const char *expected;   /* the manifest's values, as text */
	char found[80];         /* sha256:... */
	const char *matched;    /* the measurement name, or NULL */
	bool verified;
	uint8_t evidence_sha256[MS_SHA256_LEN];
	const char *error;
};

static const char *verdict_name(int rc)
{
	static const char *const names[] = { "match", "mismatch", "bad input", "not verified", "collateral missing",
					     "unsupported" };

	return rc >= 0 && rc <= 5 ? names[rc] : "bad input";
}

static int print_json(const char *expected_path, const struct ms_expected *x, const struct image_check *k, int rc)
{
	cJSON *out = cJSON_CreateObject(), *arr, *r, *checks, *c, *rec, *m;
	char when[32], hex[2 * MS_SHA256_LEN + 1];
	int wrc;

	if (!out)
		return 2;
	cJSON_AddStringToObject(out, "verdict", verdict_name(rc));
	cJSON_AddNumberToObject(out, "exit_code", rc);
	arr = cJSON_AddArrayToObject(out, "results");
	r = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, r);
	cJSON_AddStringToObject(r, "expected", expected_path);
	cJSON_AddStringToObject(r, "evidence", k->evidence);
	cJSON_AddStringToObject(r, "type", k->type);
	checks = cJSON_AddArrayToObject(r, "checks");
	if (k->found[0]) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "what", k->matched ? k->matched : "manifest_digest or config_digest");
		cJSON_AddStringToObject(c, "expected", k->expected);
		cJSON_AddStringToObject(c, "found", k->found);
		cJSON_AddBoolToObject(c, "pass", k->matched != NULL);
		cJSON_AddStringToObject(c, "state", k->matched ? "pass" : "fail");
		cJSON_AddItemToArray(checks, c);
	}
	cJSON_AddBoolToObject(r, "verified", k->verified);
	if (k->error)
		cJSON_AddStringToObject(r, "error", k->error);
	cJSON_AddBoolToObject(r, "matched", rc == 0);
	ms_hex_encode(k->evidence_sha256, MS_SHA256_LEN, hex);
	if (k->verified) {
		rec = cJSON_AddObjectToObject(r, "receipt");
		cJSON_AddStringToObject(rec, "mode", "offline");
		cJSON_AddStringToObject(rec, "platform", x->platform);
		m = cJSON_AddObjectToObject(rec, "measurements");
		cJSON_AddStringToObject(m, "manifest_digest", k->found + 7);
		cJSON_AddNullToObject(rec, "signed_at");
		cJSON_AddStringToObject(rec, "signed_by", "cosign key (--cosign-key)");
		cJSON_AddNullToObject(rec, "certificates_checked_at");
		cJSON_AddStringToObject(rec, "evidence_sha256", hex);
	}
	rec = cJSON_AddObjectToObject(out, "receipt");
	cJSON_AddStringToObject(rec, "mode", "offline");
	cJSON_AddStringToObject(rec, "verdict", rc == 0 ? "match" : "no match");
	ms_format_time((int64_t)time(NULL), when);
	cJSON_AddStringToObject(rec, "compared_at", when);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(rec, "evidence_sha256"), cJSON_CreateString(hex));
	wrc = cli_write_json("compare", out);
	cJSON_Delete(out);
	return wrc;
}

/* The cosign signature from the options; its digest into found. Returns the exit code (0: verified). */
static int cosign_check(const char *key_path, const char *bundle, const char *sig_path, const char *payload_path,
			struct image_check *k, uint8_t digest[MS_SHA256_LEN])
{
	struct ms_cosign cs = { 0 };
	struct ms_err err = { 0 };
	uint8_t *key = NULL, *buf = NULL;
	size_t key_len = 0, len = 0;
	const char *failed = NULL;
	struct ms_hash h = { 0 };
	int rc = 2;

	if (bundle) {
		failed = bundle;
		if (ms_file_load(bundle, MS_COSIGN_MAX_BUNDLE, &buf, &len, &err) ||
		    ms_cosign_parse_bundle((const char *)buf, len, &cs, &err))
			goto fail;
		ms_sha256(buf, len, k->evidence_sha256);
	} else {
		failed = sig_path;
		if (ms_file_load(sig_path, 4096, &buf, &len, &err) ||
		    ms_cosign_set_signature_b64(&cs, (const char *)buf, len, &err))
			goto fail;
		failed = payload_path;
		if (ms_file_load(payload_path, MS_COSIGN_MAX_PAYLOAD, &cs.payload, &cs.payload_len, &err))
			goto fail;
		/* the evidence digest covers both parts: SHA-256(signature file || payload) */
		if (ms_hash_init(&h, MS_SHA256) == MS_OK) {
			ms_hash_update(&h, buf, len);
			ms_hash_update(&h, cs.payload, cs.payload_len);
			ms_hash_final(&h, k->evidence_sha256);
		}
	}
	failed = key_path;
	if (ms_file_load(key_path, MAX_PEM, &key, &key_len, &err))
		goto fail;
	failed = bundle ? bundle : sig_path;
	if (ms_cosign_verify(&cs, key, key_len, digest, &err))
		goto fail;
	k->verified = true;
	rc = 0;
	goto out;
fail:
	rc = cli_fail("compare", failed, &err);
out:
	ms_hash_free(&h);
	ms_cosign_free(&cs);
	free(key);
	free(buf);
	return rc;
}

int cmd_compare_image(int argc, char **argv)
{
	static const struct option options[] = {
		{ "image-digest", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },              { "help", no_argument, NULL, 'h' },
		{ "cosign-key", required_argument, NULL, 'k' },   { "cosign-bundle", required_argument, NULL, 'b' },
		{ "cosign-signature", required_argument, NULL, 's' },
		{ "cosign-payload", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *digest_text = NULL, *path, *key = NULL, *bundle = NULL, *sig = NULL, *payload = NULL;
	struct ms_expected *x = NULL;
	struct ms_err err = { 0 };
	struct image_check k = { 0 };
	uint8_t digest[MS_SHA256_LEN], *buf = NULL;
	char expected_text[200] = "", hex[2 * MS_SHA256_LEN + 1];
	bool json = false, quiet = false;
	size_t len = 0;
	int opt, rc = 2;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (digest_text)
				return cli_usage("compare", "--image-digest given twice");
			digest_text = optarg;
			break;
		case 'k': key = optarg; break;
		case 'b': bundle = optarg; break;
		case 's': sig = optarg; break;
		case 'p': payload = optarg; break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(compare_image_help, stdout);
			return 0;
		default:
			return cli_bad_option("compare", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage("compare", "--image-digest and --cosign-* compare one EXPECTED manifest");
	path = argv[optind];
	if (!digest_text == !(key || bundle || sig || payload))
		return cli_usage("compare", "either --image-digest or a cosign signature (--cosign-key with --cosign-bundle, "
				 "or --cosign-signature and --cosign-payload)");
	if (!digest_text && (!key || (!bundle == !(sig && payload)) || (bundle && (sig || payload))))
		return cli_usage("compare", "a cosign signature needs --cosign-key and either --cosign-bundle or both "
				 "--cosign-signature and --cosign-payload");
	if (digest_text &&
	    (strncmp(digest_text, "sha256:", 7) || strlen(digest_text) != 7 + 2 * MS_SHA256_LEN ||
	     ms_hex_decode(digest_text + 7, digest, MS_SHA256_LEN, "--image-digest", &err)))
		return cli_usage("compare", "--image-digest '%.80s' is not sha256:<64 hex digits>", digest_text);
	if (!(x = calloc(1, sizeof(*x)))) {
		fprintf(stderr, "measure: compare: out of memory\n");
		goto out;
	}
	if (ms_file_load(path, MAX_EXPECTED, &buf, &len, &err) ||
	    ms_expected_parse((const char *)buf, len, x, &err)) {
		rc = cli_fail("compare", path, &err);
		goto out;
	}
	if (strcmp(x->platform, "docker") && strcmp(x->platform, "fly")) {
		fprintf(stderr, "measure: compare: %s: platform %s: --image-digest and --cosign-* need a docker or fly "
			"manifest\n", path, x->platform);
		goto out;
	}
	for (size_t i = 0; i < x->n; i++) {
		if (x->m[i].len != MS_SHA256_LEN || (!digest_text && strcmp(x->m[i].name, "manifest_digest")))
			continue;
		ms_hex_encode(x->m[i].value, MS_SHA256_LEN, hex);
		snprintf(expected_text + strlen(expected_text), sizeof(expected_text) - strlen(expected_text), "%s%s",
			 expected_text[0] ? " or " : "", hex);
	}
	k.expected = expected_text;
	if (digest_text) {
		k.evidence = digest_text;
		k.type = "image-digest";
		ms_sha256(digest_text, strlen(digest_text), k.evidence_sha256);
	} else {
		k.evidence = bundle ? bundle : sig;
		k.type = "cosign";
		if ((rc = cosign_check(key, bundle, sig, payload, &k, digest))) {
			if (json && !quiet) {
				k.error = rc == 3 ? "the cosign signature does not verify" : "the cosign signature was not checked";
				print_json(path, x, &k, rc);
			}
			goto out;
		}
		if (!expected_text[0]) {
			fprintf(stderr, "measure: compare: %s: no manifest_digest (a docker-archive has none): a cosign "
				"signature names a manifest\n", path);
			rc = 2;
			goto out;
		}
	}
	ms_hex_encode(digest, MS_SHA256_LEN, hex);
	snprintf(k.found, sizeof(k.found), "sha256:%s", hex);
	for (size_t i = 0; i < x->n && !k.matched; i++)
		if (x->m[i].len == MS_SHA256_LEN && !memcmp(x->m[i].value, digest, MS_SHA256_LEN) &&
		    (digest_text || !strcmp(x->m[i].name, "manifest_digest")))
			k.matched = x->m[i].name;
	rc = k.matched ? 0 : 1;
	if (quiet)
		goto out;
	if (json) {
		if (print_json(path, x, &k, rc))
			rc = 2;
	} else {
		char line[300];

		if (k.matched)
			snprintf(line, sizeof(line), "match: %s%s equals the %s (%s)\n", k.found,
				 digest_text ? "" : " (signed, cosign key verified)", k.matched, x->platform);
		else if (digest_text)
			snprintf(line, sizeof(line), "MISMATCH: %s is neither the manifest nor the config digest (%s)\n",
				 k.found, x->platform);
		else
			snprintf(line, sizeof(line), "MISMATCH: the cosign signature verifies but signs %s, not the "
				 "manifest digest (%s)\n", k.found, x->platform);
		if (cli_write("compare", line))
			rc = 2;
	}
out:
	free(buf);
	free(x);
	return rc;
}
