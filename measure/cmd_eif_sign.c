/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "../common/cose.h"
#include "../common/file.h"
#include "../common/hex.h"
#include "../eif/eif.h"
#include "cli.h"
#include "out_file.h"

static const char sign_help[] =
	"Usage: measure eif sign IN --sign-cert PEM --sign-key PEM -o OUT\n"
	"\n"
	"Writes IN to OUT with a signature section: a COSE_Sign1 over IN's PCR0 made\n"
	"with the key (ES256, ES384 or ES512 by its curve: P-256, P-384, P-521) and the\n"
	"certificate, so that the enclave reports PCR8 = the certificate's digest. A\n"
	"signature section already last in IN is replaced. IN is checked as 'measure eif'\n"
	"checks it first; OUT is verified again before it is kept.\n"
	"\n"
	"Options:\n"
	"      --sign-cert FILE  the signing certificate (PEM, written as given)\n"
	"      --sign-key FILE   its private key (PEM)\n"
	"  -o, --output FILE     the signed EIF\n"
	"  -q, --quiet           print nothing\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit codes: 0 written, 2 bad input or usage, 3 the key is not the certificate's,\n"
	"5 a key that is not ECDSA P-256/384/521.\n";

#define MAX_PEM (1u << 20)

/* Measures path into eif (signature verified when there is one). */
static int measure_file(const char *verb, const char *path, struct ms_file *f, struct ms_eif *eif)
{
	struct ms_eif_signature sig;
	struct ms_err err = { 0 };

	if (ms_file_open(f, path, &err) || !f->regular ||
	    ms_eif_measure(f->fd, f->size, NULL, NULL, eif, &err)) {
		if (!err.msg[0])
			ms_fail(&err, MS_BAD_INPUT, "not a regular file");
		return cli_fail(verb, path, &err);
	}
	if (eif->signature) {
		if (ms_eif_signature_decode(eif->signature, eif->signature_len, &sig, &err) ||
		    ms_eif_signature_verify(&sig, eif->pcr0, &err)) {
			ms_eif_signature_free(&sig);
			return cli_fail(verb, path, &err);
		}
		ms_eif_signature_free(&sig);
	}
	return 0;
}

void cli_print_eif_pcrs(const struct ms_eif *eif)
{
	const uint8_t *pcr[] = { eif->pcr0, eif->pcr1, eif->pcr2 };
	char hex[2 * MS_SHA384_LEN + 1];

	for (int i = 0; i < 3; i++) {
		ms_hex_encode(pcr[i], MS_SHA384_LEN, hex);
		printf("PCR%d       %s\n", i, hex);
	}
}

int cli_eif_sign_file(const char *verb, const char *in, const char *cert_path, const char *key_path,
		      const char *out, bool quiet)
{
	struct ms_file in_file = { .fd = -1 }, check_file = { .fd = -1 };
	struct ms_eif eif = { 0 }, check = { 0 };
	struct ms_eif_signature sig = { 0 };
	struct ms_err err = { 0 };
	uint8_t *cert = NULL, *key_pem = NULL;
	size_t cert_len = 0, key_len = 0;
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	uint64_t size = 0;
	char hex[2 * MS_SHA384_LEN + 1];
	struct out_file out_tmp = { .fd = -1 };
	int rc = 2;

	if (ms_file_load(cert_path, MAX_PEM, &cert, &cert_len, &err)) {
		rc = cli_fail(verb, cert_path, &err);
		goto out;
	}
	if (ms_file_load(key_path, MAX_PEM, &key_pem, &key_len, &err)) {
		rc = cli_fail(verb, key_path, &err);
		goto out;
	}
	if (!(bio = BIO_new_mem_buf(key_pem, (int)key_len)) ||
	    !(key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL))) {
		fprintf(stderr, "measure: %s: %s: not a PEM private key (unencrypted)\n", verb, key_path);
		goto out;
	}
	if ((rc = measure_file(verb, in, &in_file, &eif)))
		goto out;
	rc = 2;
	if ((rc = out_file_open(verb, out, &out_tmp)))
		goto out;
	rc = 2;
	if (ms_eif_sign(in_file.fd, &eif, cert, cert_len, key, out_tmp.fd, &size, &err) || fsync(out_tmp.fd) < 0) {
		if (!err.msg[0])
			ms_fail(&err, MS_BAD_INPUT, "cannot write: %m");
		rc = cli_fail(verb, err.status == MS_BAD_INPUT && !strncmp(err.msg, "write", 5) ? out : key_path, &err);
		goto out;
	}
	if ((rc = out_file_commit(verb, &out_tmp)))
		goto out;
	/* what was written must read back as a signed EIF whose signature covers its PCR0 */
	if ((rc = measure_file(verb, out, &check_file, &check)) || !check.signature ||
	    ms_eif_signature_decode(check.signature, check.signature_len, &sig, &err) ||
	    ms_eif_signature_verify(&sig, check.pcr0, &err) || memcmp(check.pcr0, eif.pcr0, MS_SHA384_LEN)) {
		if (!rc)
			rc = err.msg[0] ? cli_fail(verb, out, &err)
					: (fprintf(stderr, "measure: %s: %s: the signed EIF does not read back\n", verb, out), 2);
		unlink(out);
		goto out;
	}
	rc = 0;
	if (!quiet) {
		printf("wrote      %s (%llu bytes, signed with %s)\n", out, (unsigned long long)size,
		       ms_cose_alg_name(sig.alg));
		cli_print_eif_pcrs(&check);
		ms_hex_encode(sig.pcr8, MS_SHA384_LEN, hex);
		printf("PCR8       %s\n", hex);
		rc = cli_write(verb, "");
	}
out:
	out_file_abort(&out_tmp);
	ms_eif_signature_free(&sig);
	ms_eif_free(&eif);
	ms_eif_free(&check);
	ms_file_close(&in_file);
	ms_file_close(&check_file);
	EVP_PKEY_free(key);
	BIO_free(bio);
	free(cert);
	if (key_pem)
		OPENSSL_cleanse(key_pem, key_len);
	free(key_pem);
	return rc;
}

int cmd_eif_sign(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sign-cert", required_argument, NULL, 'c' }, { "sign-key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },    { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 },
	};
	const char *verb = "eif sign", *cert = NULL, *key = NULL, *out = NULL;
	bool quiet = false;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:qh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(sign_help, stdout);
			return 0;
		default:
			return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage(verb, optind == argc ? "no EIF given" : "more than one EIF given");
	if (!cert || !key || !out)
		return cli_usage(verb, "%s is required", !cert ? "--sign-cert" : !key ? "--sign-key" : "-o OUTPUT");
	if (!strcmp(out, argv[optind]))
		return cli_usage(verb, "-o must name another file than the input");
	{
		const char *inputs[3] = { argv[optind], cert, key };
		int rc = out_file_check_inputs(verb, out, inputs, 3, 0);

		if (rc)
			return rc;
	}
	return cli_eif_sign_file(verb, argv[optind], cert, key, out, quiet);
}
