/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../ovmf/idblock.h"
#include "cli.h"

static const char *const verb = "snp id-block";

static const char id_block_help[] =
	"Usage: measure snp id-block --measurement VALUE --id-key PEM --author-key PEM [options]\n"
	"\n"
	"Builds the SEV-SNP ID block (96 bytes) for a launch digest and the ID auth\n"
	"structure (4096 bytes) signed with P-384 ID and author keys, as snp-create-id-block\n"
	"does, and prints the ID_KEY_DIGEST and AUTHOR_KEY_DIGEST the guest's reports will\n"
	"carry. ECDSA is randomized: the ID block and the digests are reproducible, the ID\n"
	"auth signatures are not.\n"
	"\n"
	"Options:\n"
	"      --measurement VALUE  the launch digest, hex (96 digits) or base64\n"
	"      --id-key PEM         the ID private key (P-384); also --idkey\n"
	"      --author-key PEM     the author private key (P-384); also --authorkey\n"
	"      --family-id HEX      16 bytes (default zero)\n"
	"      --image-id HEX       16 bytes (default zero)\n"
	"      --guest-svn N        (default 0)\n"
	"      --policy VALUE       guest policy (default 0x30000)\n"
	"      --id-block-out FILE  write the 96-byte ID block\n"
	"      --id-auth-out FILE   write the 4096-byte ID auth structure\n"
	"  -j, --json               print the values as JSON\n"
	"  -q, --quiet              print nothing\n"
	"  -h, --help               show this help\n"
	"\n"
	"The first output line holds QEMU's sev-snp-guest properties:\n"
	"  -object sev-snp-guest,...,id-block=...,id-auth=...,author-key-enabled=on\n";

static EVP_PKEY *load_key(const char *path, int *rc)
{
	uint8_t *pem;
	size_t len;
	struct ms_err err = { 0 };
	EVP_PKEY *key = NULL;
	BIO *bio;

	if (ms_file_load(path, 1 << 20, &pem, &len, &err)) {
		*rc = cli_fail(verb, path, &err);
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (!key) {
		ms_fail(&err, MS_BAD_INPUT, "not a PEM private key (or it is encrypted)");
		*rc = cli_fail(verb, path, &err);
	}
	return key;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct ms_err err = { 0 };

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd) < 0) {
		ms_fail(&err, MS_BAD_INPUT, "cannot write: %m");
		if (fd >= 0)
			close(fd);
		return cli_fail(verb, path, &err);
	}
	return 0;
}

static bool parse_measurement(const char *text, uint8_t out[MS_SHA384_LEN])
{
	struct ms_err err = { 0 };
	uint8_t *dec;
	size_t n;

	if (strlen(text) == 2 * MS_SHA384_LEN || !strncmp(text, "0x", 2))
		return ms_hex_decode(text, out, MS_SHA384_LEN, "--measurement", &err) == MS_OK ||
		       (cli_usage(verb, "%s", err.msg), false);
	if (ms_base64_decode(text, strlen(text), &dec, &n, "--measurement", &err) || n != MS_SHA384_LEN) {
		if (!err.msg[0])
			free(dec);
		cli_usage(verb, "--measurement: 96 hex digits or the base64 of 48 bytes");
		return false;
	}
	memcpy(out, dec, MS_SHA384_LEN);
	free(dec);
	return true;
}

int cmd_snp_id_block(int argc, char **argv)
{
	enum { OPT_MEASUREMENT = 256, OPT_ID_KEY, OPT_AUTHOR_KEY, OPT_FAMILY, OPT_IMAGE, OPT_SVN, OPT_POLICY,
	       OPT_BLOCK_OUT, OPT_AUTH_OUT };
	static const struct option options[] = {
		{ "measurement", required_argument, NULL, OPT_MEASUREMENT },
		{ "id-key", required_argument, NULL, OPT_ID_KEY },
		{ "idkey", required_argument, NULL, OPT_ID_KEY },
		{ "author-key", required_argument, NULL, OPT_AUTHOR_KEY },
		{ "authorkey", required_argument, NULL, OPT_AUTHOR_KEY },
		{ "family-id", required_argument, NULL, OPT_FAMILY },
		{ "image-id", required_argument, NULL, OPT_IMAGE },
		{ "guest-svn", required_argument, NULL, OPT_SVN },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "id-block-out", required_argument, NULL, OPT_BLOCK_OUT },
		{ "id-auth-out", required_argument, NULL, OPT_AUTH_OUT },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ms_snp_id_block in = { .version = 1, .policy = 0x30000 };
	const char *id_path = NULL, *author_path = NULL, *block_out = NULL, *auth_out = NULL;
	bool have_measurement = false, json = false, quiet = false;
	EVP_PKEY *id_key = NULL, *author_key = NULL;
	uint8_t block[MS_SNP_ID_BLOCK_LEN], auth[MS_SNP_ID_AUTH_LEN], id_digest[MS_SHA384_LEN],
		author_digest[MS_SHA384_LEN];
	char block64[(MS_SNP_ID_BLOCK_LEN + 2) / 3 * 4 + 1], auth64[(MS_SNP_ID_AUTH_LEN + 2) / 3 * 4 + 1];
	char idhex[2 * MS_SHA384_LEN + 1], authorhex[2 * MS_SHA384_LEN + 1];
	struct ms_err err = { 0 };
	uint64_t v;
	int opt, rc = 2;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_MEASUREMENT:
			if (!parse_measurement(optarg, in.measurement))
				return 2;
			have_measurement = true;
			break;
		case OPT_ID_KEY:
			id_path = optarg;
			break;
		case OPT_AUTHOR_KEY:
			author_path = optarg;
			break;
		case OPT_FAMILY:
		case OPT_IMAGE:
			if (ms_hex_decode(optarg, opt == OPT_FAMILY ? in.family_id : in.image_id, 16,
					  opt == OPT_FAMILY ? "--family-id" : "--image-id", &err))
				return cli_usage(verb, "%s", err.msg);
			break;
		case OPT_SVN:
			if (!cli_parse_u64(verb, "--guest-svn", optarg, UINT32_MAX, &v))
				return 2;
			in.guest_svn = (uint32_t)v;
			break;
		case OPT_POLICY:
			if (!cli_parse_u64(verb, "--policy", optarg, UINT64_MAX, &in.policy))
				return 2;
			break;
		case OPT_BLOCK_OUT:
			block_out = optarg;
			break;
		case OPT_AUTH_OUT:
			auth_out = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(id_block_help, stdout);
			return 0;
		default:
			return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage(verb, "unexpected argument '%s'", argv[optind]);
	if (!have_measurement || !id_path || !author_path)
		return cli_usage(verb, "%s is required",
				 !have_measurement ? "--measurement" : !id_path ? "--id-key" : "--author-key");
	if (!(id_key = load_key(id_path, &rc)) || !(author_key = load_key(author_path, &rc)))
		goto out;
	if (ms_snp_id_block_sign(&in, id_key, author_key, block, auth, id_digest, author_digest, &err)) {
		rc = cli_fail(verb, NULL, &err);
		goto out;
	}
	if ((block_out && (rc = write_file(block_out, block, sizeof(block)))) ||
	    (auth_out && (rc = write_file(auth_out, auth, sizeof(auth)))))
		goto out;
	rc = 0;
	if (quiet)
		goto out;
	ms_base64_encode(block, sizeof(block), block64);
	ms_base64_encode(auth, sizeof(auth), auth64);
	ms_hex_encode(id_digest, MS_SHA384_LEN, idhex);
	ms_hex_encode(author_digest, MS_SHA384_LEN, authorhex);
	if (json) {
		cJSON *j = cJSON_CreateObject();
		char policy[24];

		ms_json_add_hex(j, "measurement", in.measurement, MS_SHA384_LEN);
		ms_json_add_hex(j, "family_id", in.family_id, 16);
		ms_json_add_hex(j, "image_id", in.image_id, 16);
		cJSON_AddNumberToObject(j, "guest_svn", in.guest_svn);
		snprintf(policy, sizeof(policy), "0x%llx", (unsigned long long)in.policy);
		cJSON_AddStringToObject(j, "policy", policy);
		cJSON_AddStringToObject(j, "id_block", block64);
		cJSON_AddStringToObject(j, "id_auth", auth64);
		cJSON_AddStringToObject(j, "id_key_digest", idhex);
		cJSON_AddStringToObject(j, "author_key_digest", authorhex);
		rc = cli_write_json(verb, j);
		cJSON_Delete(j);
	} else {
		size_t len = sizeof(block64) + sizeof(auth64) + 4 * sizeof(idhex) + 128;
		char *text = malloc(len);

		if (!text)
			goto out;
		snprintf(text, len,
			 "id-block=%s,id-auth=%s,author-key-enabled=on\n"
			 "ID_KEY_DIGEST      %s\nAUTHOR_KEY_DIGEST  %s\n",
			 block64, auth64, idhex, authorhex);
		rc = cli_write(verb, text);
		free(text);
	}
out:
	EVP_PKEY_free(id_key);
	EVP_PKEY_free(author_key);
	return rc;
}
