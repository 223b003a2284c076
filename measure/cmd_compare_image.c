/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure compare EXPECTED --image-digest DIGEST: a docker or fly manifest
 * against the digest a registry or platform reports for the running image.
 * There is no signed evidence to verify here: the digest is what the user
 * read from the registry (repo@sha256:...), `docker inspect` (the image ID)
 * or `fly image show`, and the check is only that it names the image the
 * manifest was computed from.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/digest.h"
#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../compare/match.h"
#include "cli.h"

static const char compare_image_help[] =
	"Usage: measure compare EXPECTED --image-digest sha256:HEX [--json] [-q]\n"
	"\n"
	"Compares a docker or fly manifest ('measure image --json') with the digest a\n"
	"registry or platform reports: the manifest digest (repo@sha256:...) or the\n"
	"config digest (the image ID). It matches when it equals either; the output\n"
	"names which.\n"
	"\n"
	"Exit codes: 0 match, 1 no match, 2 bad input (EXPECTED not a docker or fly\n"
	"manifest, DIGEST not sha256:<64 hex>).\n";

#define MAX_EXPECTED (1u << 20)

int cmd_compare_image(int argc, char **argv)
{
	static const struct option options[] = {
		{ "image-digest", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },              { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *digest_text = NULL, *path;
	struct ms_expected *x = NULL;
	struct ms_err err = { 0 };
	uint8_t digest[MS_SHA256_LEN], *buf = NULL;
	const char *matched = NULL;
	bool json = false, quiet = false;
	cJSON *out = NULL;
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
		return cli_usage("compare", "--image-digest compares one EXPECTED manifest");
	path = argv[optind];
	if (!digest_text || strncmp(digest_text, "sha256:", 7) || strlen(digest_text) != 7 + 2 * MS_SHA256_LEN ||
	    ms_hex_decode(digest_text + 7, digest, MS_SHA256_LEN, "--image-digest", &err))
		return cli_usage("compare", "--image-digest '%.80s' is not sha256:<64 hex digits>", digest_text ? digest_text : "");
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
		fprintf(stderr, "measure: compare: %s: platform %s: --image-digest needs a docker or fly manifest\n", path,
			x->platform);
		goto out;
	}
	for (size_t i = 0; i < x->n && !matched; i++)
		if (x->m[i].len == MS_SHA256_LEN && !memcmp(x->m[i].value, digest, MS_SHA256_LEN))
			matched = x->m[i].name;
	rc = matched ? 0 : 1;
	if (quiet)
		goto out;
	if (json) {
		cJSON *check;

		if (!(out = cJSON_CreateObject())) {
			fprintf(stderr, "measure: compare: out of memory\n");
			rc = 2;
			goto out;
		}
		cJSON_AddStringToObject(out, "verdict", matched ? "match" : "mismatch");
		cJSON_AddStringToObject(out, "platform", x->platform);
		check = cJSON_AddObjectToObject(out, "image_digest");
		cJSON_AddStringToObject(check, "given", digest_text);
		if (matched)
			cJSON_AddStringToObject(check, "matched", matched);
		else
			cJSON_AddNullToObject(check, "matched");
		if (cli_write_json("compare", out))
			rc = 2;
	} else {
		char line[256];

		if (matched)
			snprintf(line, sizeof(line), "match: %s equals the %s (%s)\n", digest_text, matched, x->platform);
		else
			snprintf(line, sizeof(line), "MISMATCH: %s is neither the manifest nor the config digest (%s)\n",
				 digest_text, x->platform);
		if (cli_write("compare", line))
			rc = 2;
	}
out:
	cJSON_Delete(out);
	free(buf);
	free(x);
	return rc;
}
