/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../image/cosign.h"
#include "../image/image.h"
#include "cli.h"
#include "output_opts.h"

static const char image_help[] =
	"Usage: measure image [options] IMAGE\n"
	"\n"
	"Reads a container image without a daemon: an OCI image layout (a directory or\n"
	"a tar of one, as skopeo, umoci, buildx and docker save write them) or a\n"
	"docker-archive tarball, and prints its manifest digest, config digest (the\n"
	"image ID), platform and layers. Every blob used is hashed and must match its\n"
	"descriptor; every layer, decompressed, must match the config's diff_id.\n"
	"IMAGE may be - for a tar on stdin.\n"
	"\n"
	"Options:\n"
	"      --platform OS/ARCH[/VARIANT]  pick one image of a multi-platform index\n"
	"                       (e.g. linux/amd64); required when there are several\n"
	"      --region R       the manifest is for platform fly, region R recorded\n"
	"                       (--json: platform docker, or fly with --region;\n"
	"                       manifest_digest, config_digest)\n"
	"      --cosign-key PEM  verify the image's cosign signature with this public key\n"
	"                       (ECDSA P-256; cosign's key-pair mode, offline): in an OCI\n"
	"                       layout directory the tag sha256-<manifest hex>.sig, else\n"
	"      --cosign-signature FILE --cosign-payload FILE  (base64 signature, payload);\n"
	"                       the payload must name the image's manifest digest\n"
	"      --max-unpacked SIZE  the budget for decompressed data: every gzip layer (and\n"
	"                       any other compressed entry of a tar) together (default 16G);\n"
	"                       reading stops at the byte that passes it (gzip bombs)\n"
	OUTPUT_HELP
	"\n"
	"A docker-archive without an OCI index carries no registry manifest: only the\n"
	"config digest is reported for it.\n"
	"\n"
	"Exit codes: 0 ok, 1 the cosign signature verifies but names another manifest,\n"
	"2 malformed input (a blob whose digest or size differs from its descriptor, a\n"
	"missing blob, a truncated tar) or an ambiguous platform, 3 the cosign signature\n"
	"does not verify, 5 unsupported (zstd layers, digests other than sha256, a cosign\n"
	"key that is not P-256).\n";

/* The cosign signature of img, verified; returns the exit code (errors printed); *which of *count is the one that verified. */
static int check_cosign(const char *path, int dirfd, const struct ms_image *img, const char *key_path,
			const char *sig_path, const char *payload_path, size_t *which, size_t *count)
{
	struct ms_cosign one = { 0 }, *sigs = NULL;
	struct ms_err err = { 0 };
	uint8_t *key = NULL, *sig = NULL;
	size_t key_len = 0, sig_len = 0, n = 0;
	const char *failed = path;
	int rc = 2;

	if (!img->has_manifest_digest) {
		fprintf(stderr, "measure: image: %s: no manifest digest (a docker-archive): nothing a cosign signature "
			"could name\n", path);
		return 2;
	}
	if (sig_path) {
		failed = sig_path;
		if (ms_file_load(sig_path, 4096, &sig, &sig_len, &err) ||
		    ms_cosign_set_signature_b64(&one, (const char *)sig, sig_len, &err))
			goto fail;
		failed = payload_path;
		if (ms_file_load(payload_path, MS_COSIGN_MAX_PAYLOAD, &one.payload, &one.payload_len, &err))
			goto fail;
	} else if (dirfd < 0) {
		rc = cli_usage("image", "the cosign signature of a tar image: give --cosign-signature and --cosign-payload");
		goto out;
	} else if (ms_cosign_from_layout(dirfd, img->manifest_digest, &sigs, &n, &err)) {
		goto fail;
	}
	failed = key_path;
	if (ms_file_load(key_path, 1u << 20, &key, &key_len, &err))
		goto fail;
	failed = sig_path ? sig_path : path;
	*count = sigs ? n : 1;
	if (ms_cosign_verify_any(sigs ? sigs : &one, *count, key, key_len, img->manifest_digest, which, &err))
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = cli_fail("image", failed, &err);
out:
	ms_cosign_free(&one);
	ms_cosign_free_all(sigs, n);
	free(key);
	free(sig);
	return rc;
}

static void digest_text(const uint8_t d[MS_SHA256_LEN], char out[80])
{
	char hex[2 * MS_SHA256_LEN + 1];

	ms_hex_encode(d, MS_SHA256_LEN, hex);
	snprintf(out, 80, "sha256:%s", hex);
}

static char *text_report(const struct ms_image *img, const char *path, bool cosign_verified, size_t which,
			 size_t count)
{
	char *text = NULL, d[80], platform[100];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	fprintf(out, "image      %s (%s)\n", ms_basename(path),
		img->format == MS_IMAGE_OCI ? "OCI image layout" : "docker-archive");
	if (img->has_input_digest) {
		digest_text(img->input_sha256, d);
		fprintf(out, "file       %llu bytes, %s\n", (unsigned long long)img->input_size, d);
	}
	ms_image_platform_text(img, platform, sizeof(platform));
	fprintf(out, "platform   %s\n", platform);
	if (img->has_manifest_digest) {
		digest_text(img->manifest_digest, d);
		fprintf(out, "manifest   %s (%llu bytes)\n", d, (unsigned long long)img->manifest_size);
	} else {
		fprintf(out, "manifest   none (a docker-archive carries no registry manifest)\n");
	}
	digest_text(img->config_digest, d);
	fprintf(out, "config     %s (%llu bytes; the image ID)\n", d, (unsigned long long)img->config_size);
	for (size_t i = 0; i < img->layer_count; i++) {
		const struct ms_image_layer *l = &img->layers[i];

		digest_text(l->digest, d);
		fprintf(out, "layer %-4zu %s (%llu bytes, %s)\n", i, d, (unsigned long long)l->size, l->compression);
		digest_text(l->diff_id, d);
		fprintf(out, "  diff_id  %s\n", d);
	}
	if (cosign_verified && count > 1)
		fprintf(out, "cosign     signature %zu of %zu verified with the key; it names this manifest\n", which + 1,
			count);
	else if (cosign_verified)
		fprintf(out, "cosign     signature verified with the key; it names this manifest\n");
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static cJSON *manifest_json(const struct ms_image *img, const char *path, const char *region)
{
	cJSON *m = ms_manifest_new(region ? "fly" : "docker", "sha256"), *params;
	char platform[100];

	if (!m)
		return NULL;
	if (img->has_manifest_digest)
		ms_manifest_measurement(m, "manifest_digest", img->manifest_digest, MS_SHA256_LEN);
	ms_manifest_measurement(m, "config_digest", img->config_digest, MS_SHA256_LEN);
	params = ms_manifest_parameters(m);
	ms_image_platform_text(img, platform, sizeof(platform));
	cJSON_AddStringToObject(params, "platform", platform);
	if (region)
		cJSON_AddStringToObject(params, "region", region);
	if (img->has_input_digest)
		ms_manifest_input(m, "image", ms_basename(path), img->input_size, img->input_sha256);
	return m;
}

static bool platform_ok(const char *p)
{
	const char *a = strchr(p, '/');

	if (!a || a == p || !a[1] || a[1] == '/' || strlen(p) > 90)
		return false;
	a = strchr(a + 1, '/');
	return !a || (a[1] && !strchr(a + 1, '/'));
}

int cmd_image(int argc, char **argv)
{
	static const struct option options[] = {
		{ "platform", required_argument, NULL, 'p' }, { "region", required_argument, NULL, 'r' },
		OUTPUT_OPTIONS,
		{ "cosign-key", required_argument, NULL, 'k' }, { "cosign-signature", required_argument, NULL, 's' },
		{ "cosign-payload", required_argument, NULL, 'P' }, { "max-unpacked", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	const char *platform = NULL, *region = NULL, *path, *cosign_key = NULL, *cosign_sig = NULL, *cosign_payload = NULL;
	struct ms_image img = { 0 };
	struct ms_file file = { .fd = -1 };
	struct ms_err err = { 0 };
	struct output_opts o;
	cJSON *out = NULL;
	char *text = NULL;
	struct stat sb;
	int opt, rc, dirfd = -1;
	uint64_t max_unpacked = MS_IMAGE_DEFAULT_MAX_UNPACKED;
	size_t cosign_which = 0, cosign_count = 0;

	output_init(&o, "image", image_help, NULL);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		int handled = output_option(&o, opt, optarg, &rc);

		if (handled < 0)
			return rc;
		if (handled)
			continue;
		switch (opt) {
		case 'p':
			if (!platform_ok(optarg))
				return cli_usage("image", "--platform '%s' is not OS/ARCH[/VARIANT]", optarg);
			platform = optarg;
			break;
		case 'r':
			if (!*optarg || strlen(optarg) > 64)
				return cli_usage("image", "--region needs a name of 1 to 64 characters");
			region = optarg;
			break;
		case 'k':
			cosign_key = optarg;
			break;
		case 's':
			cosign_sig = optarg;
			break;
		case 'P':
			cosign_payload = optarg;
			break;
		case 'U':
			if (!cli_parse_size("image", "--max-unpacked", optarg, &max_unpacked))
				return 2;
			if (!max_unpacked)
				return cli_usage("image", "--max-unpacked must be more than 0");
			break;
		default:
			return cli_bad_option("image", opt, argv);
		}
	}
	if ((rc = output_check(&o)))
		return rc;
	if (optind != argc - 1)
		return cli_usage("image", optind == argc ? "no image given" : "more than one image given");
	path = argv[optind];
	if (!cosign_sig != !cosign_payload || (cosign_sig && !cosign_key))
		return cli_usage("image", "--cosign-signature and --cosign-payload go together, with --cosign-key");

	if (strcmp(path, "-") && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if ((dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "measure: image: %s: cannot open (%s)\n", path, strerror(errno));
			return 2;
		}
		if (ms_image_read_dir(dirfd, platform, max_unpacked, &img, &err))
			goto fail;
	} else {
		if (ms_file_open(&file, path, &err) || ms_image_read_tar(file.fd, platform, max_unpacked, &img, &err))
			goto fail;
	}
	if (cosign_key && (rc = check_cosign(path, dirfd, &img, cosign_key, cosign_sig, cosign_payload, &cosign_which,
					     &cosign_count)))
		goto out;
	if (o.quiet) {
		rc = 0;
		goto out;
	}
	if (output_wants_manifest(&o)) {
		out = manifest_json(&img, path, region);
		rc = output_manifest(&o, out);
	} else {
		text = text_report(&img, path, cosign_key != NULL, cosign_which, cosign_count);
		rc = text ? cli_write("image", text) : (fprintf(stderr, "measure: image: out of memory\n"), 2);
	}
	goto out;
fail:
	if (err.status == MS_USAGE)
		fprintf(stderr, "measure: image: %s: %s (--platform OS/ARCH[/VARIANT])\n", path, err.msg);
	else
		cli_fail("image", path, &err);
	rc = ms_exit_code(err.status);
out:
	cJSON_Delete(out);
	free(text);
	ms_image_free(&img);
	ms_file_close(&file);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}
