/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/cose.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "../eif/eif.h"
#include "cli.h"
#include "output_opts.h"

static const char eif_help[] =
	"Usage: measure eif [options] FILE\n"
	"       measure eif build ... -o FILE   (see 'measure eif build --help')\n"
	"       measure eif sign IN --sign-cert PEM --sign-key PEM -o OUT\n"
	"       measure eif ramdisk --image IMAGE | --bootstrap DIR -o FILE\n"
	"\n"
	"Computes the PCRs an AWS Nitro enclave booted from the EIF FILE will report:\n"
	"PCR0 (kernel, cmdline, every ramdisk), PCR1 (kernel, cmdline, first ramdisk),\n"
	"PCR2 (the other ramdisks) and, for a signed EIF, PCR8 (the signing certificate).\n"
	"Every header and the CRC are checked; a signature section is verified with its\n"
	"certificate's key and must sign the computed PCR0. FILE may be - for stdin.\n"
	"\n"
	"Options:\n"
	OUTPUT_HELP
	"      --format nitro-cli  the JSON of 'nitro-cli describe-eif', same keys and order\n"
	"                       (the manifest and its exports carry the file's SHA-256,\n"
	"                       computed only for them)\n"
	"\n"
	"Exit codes: 0 ok, 2 malformed or unreadable EIF, 3 signature does not verify\n"
	"or does not sign PCR0, 5 unsupported EIF version.\n";


struct eif_result {
	const char *path;
	struct ms_eif eif;
	struct ms_eif_signature sig;
	bool is_signed;
	cJSON *metadata;
};

static const char *json_string(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static char *asn1_time_text(const ASN1_TIME *t)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!bio)
		return NULL;
	ASN1_TIME_print(bio, t);
	n = BIO_get_mem_data(bio, &data);
	out = strndup(data, (size_t)n);
	BIO_free(bio);
	return out;
}

static int cmp_pair_keys(const void *a, const void *b)
{
	return strcmp(((const char *const *)a)[0], ((const char *const *)b)[0]);
}

/* nitro-cli's SigningCertificate: issuer fields by short name (sorted), algorithm, dates, signature. */
static cJSON *nitro_cli_certificate(X509 *cert)
{
	cJSON *obj = cJSON_CreateObject(), *issuer = cJSON_AddObjectToObject(obj, "IssuerName");
	const X509_NAME *name = X509_get_issuer_name(cert);
	int n = X509_NAME_entry_count(name);
	char *(*pairs)[2] = calloc((size_t)(n > 0 ? n : 1), sizeof(*pairs));
	const ASN1_BIT_STRING *sigbits;
	const X509_ALGOR *alg;
	char oid[128], *nb = NULL, *na = NULL, *sighex = NULL;

	if (!obj || !issuer || !pairs)
		goto fail;
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
		int nid = OBJ_obj2nid(o);
		unsigned char *utf8 = NULL;
		int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));

		if (nid != NID_undef)
			pairs[i][0] = strdup(OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(oid, sizeof(oid), o, 1) > 0)
			pairs[i][0] = strdup(oid);
		pairs[i][1] = len >= 0 ? strndup((char *)utf8, (size_t)len) : strdup("");
		OPENSSL_free(utf8);
		if (!pairs[i][0] || !pairs[i][1])
			goto fail;
	}
	qsort(pairs, (size_t)n, sizeof(*pairs), cmp_pair_keys);
	for (int i = 0; i < n; i++) {
		/* a map keeps one value per key: the last, as a BTreeMap insert would */
		if (i + 1 < n && !strcmp(pairs[i][0], pairs[i + 1][0]))
			continue;
		cJSON_AddStringToObject(issuer, pairs[i][0], pairs[i][1]);
	}
	X509_get0_signature(&sigbits, &alg, cert);
	OBJ_obj2txt(oid, sizeof(oid), alg->algorithm, 0);
	cJSON_AddStringToObject(obj, "Algorithm", oid);
	nb = asn1_time_text(X509_get0_notBefore(cert));
	na = asn1_time_text(X509_get0_notAfter(cert));
	sighex = malloc((size_t)sigbits->length * 3 + 1);
	if (!nb || !na || !sighex)
		goto fail;
	cJSON_AddStringToObject(obj, "NotBefore", nb);
	cJSON_AddStringToObject(obj, "NotAfter", na);
	for (int i = 0, at = 0; i < sigbits->length; i++) {
		static const char digits[] = "0123456789ABCDEF";

		if (i)
			sighex[at++] = ':';
		sighex[at++] = digits[sigbits->data[i] >> 4];
		sighex[at++] = digits[sigbits->data[i] & 15];
		sighex[at] = '\0';
	}
	if (!sigbits->length)
		sighex[0] = '\0';
	cJSON_AddStringToObject(obj, "Signature", sighex);
	goto out;
fail:
	cJSON_Delete(obj);
	obj = NULL;
out:
	for (int i = 0; pairs && i < n; i++) {
		free(pairs[i][0]);
		free(pairs[i][1]);
	}
	free(pairs);
	free(nb);
	free(na);
	free(sighex);
	return obj;
}

static cJSON *nitro_cli_json(const struct eif_result *r)
{
	cJSON *out = cJSON_CreateObject(), *m;

	if (!out)
		return NULL;
	cJSON_AddNumberToObject(out, "EifVersion", r->eif.header.version);
	m = cJSON_AddObjectToObject(out, "Measurements");
	cJSON_AddStringToObject(m, "HashAlgorithm", "Sha384 { ... }");
	ms_json_add_hex(m, "PCR0", r->eif.pcr0, MS_SHA384_LEN);
	ms_json_add_hex(m, "PCR1", r->eif.pcr1, MS_SHA384_LEN);
	ms_json_add_hex(m, "PCR2", r->eif.pcr2, MS_SHA384_LEN);
	if (r->is_signed)
		ms_json_add_hex(m, "PCR8", r->sig.pcr8, MS_SHA384_LEN);
	cJSON_AddBoolToObject(out, "IsSigned", r->is_signed);
	if (r->is_signed) {
		cJSON *cert = nitro_cli_certificate(r->sig.cert);

		if (!cert) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToObject(out, "SigningCertificate", cert);
	}
	/* a CRC mismatch never reaches here: it is an error */
	cJSON_AddBoolToObject(out, "CheckCRC", true);
	if (r->is_signed)
		cJSON_AddBoolToObject(out, "SignatureCheck",
				      r->sig.signature_valid && r->sig.payload_matches);
	if (r->metadata) {
		const cJSON *build = cJSON_GetObjectItemCaseSensitive(r->metadata, "BuildMetadata");
		const cJSON *custom = cJSON_GetObjectItemCaseSensitive(r->metadata, "CustomMetadata");
		cJSON *md;

		cJSON_AddItemToObject(out, "ImageName",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->metadata, "ImageName"), 1));
		cJSON_AddItemToObject(out, "ImageVersion",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->metadata, "ImageVersion"), 1));
		md = cJSON_AddObjectToObject(out, "Metadata");
		for (const cJSON *f = cJSON_IsObject(build) ? build->child : NULL; f; f = f->next)
			cJSON_AddItemToObject(md, f->string, cJSON_Duplicate(f, 1));
		cJSON_AddItemToObject(md, "DockerInfo",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->metadata, "DockerInfo"), 1));
		for (const cJSON *f = cJSON_IsObject(custom) ? custom->child : NULL; f; f = f->next)
			cJSON_AddItemToObject(md, f->string, cJSON_Duplicate(f, 1));
	}
	return out;
}

static cJSON *manifest_json(const struct eif_result *r)
{
	cJSON *m = ms_manifest_new("aws-nitro", "sha384");

	if (!m)
		return NULL;
	ms_manifest_measurement(m, "pcr0", r->eif.pcr0, MS_SHA384_LEN);
	ms_manifest_measurement(m, "pcr1", r->eif.pcr1, MS_SHA384_LEN);
	ms_manifest_measurement(m, "pcr2", r->eif.pcr2, MS_SHA384_LEN);
	if (r->is_signed)
		ms_manifest_measurement(m, "pcr8", r->sig.pcr8, MS_SHA384_LEN);
	ms_manifest_input(m, "eif", ms_basename(r->path), r->eif.file_size, r->eif.file_sha256);
	return m;
}

static char *text_report(const struct eif_result *r)
{
	const struct ms_eif *e = &r->eif;
	char *text = NULL, hex[2 * MS_SHA384_LEN + 1];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	const uint8_t *pcrs[] = { e->pcr0, e->pcr1, e->pcr2, r->is_signed ? r->sig.pcr8 : NULL };
	static const char *const pcr_names[] = { "PCR0", "PCR1", "PCR2", "PCR8" };

	if (!out)
		return NULL;
	fprintf(out, "file       %s (%llu bytes)\n", ms_basename(r->path), (unsigned long long)e->file_size);
	fprintf(out, "format     EIF v%u, %s, %u sections (%u ramdisk%s), CRC-32 %08x %s\n",
		e->header.version, e->header.flags & 1 ? "aarch64" : "x86_64",
		e->header.num_sections, e->ramdisks, e->ramdisks == 1 ? "" : "s", e->crc32,
		e->crc_checked ? "ok" : "(not present in v1)");
	for (int i = 0; i < 4; i++) {
		if (!pcrs[i])
			continue;
		ms_hex_encode(pcrs[i], MS_SHA384_LEN, hex);
		fprintf(out, "%-10s %s\n", pcr_names[i], hex);
	}
	if (r->is_signed) {
		char *subject = ms_x509_name(X509_get_subject_name(r->sig.cert));
		char *issuer = ms_x509_name(X509_get_issuer_name(r->sig.cert));
		char from[32] = "?", to[32] = "?";
		int64_t t;

		if (!ms_asn1_time_unix(X509_get0_notBefore(r->sig.cert), &t))
			ms_format_time(t, from);
		if (!ms_asn1_time_unix(X509_get0_notAfter(r->sig.cert), &t))
			ms_format_time(t, to);
		fprintf(out, "signature  %s over PCR0, verified with the certificate's key\n",
			ms_cose_alg_name(r->sig.alg));
		fprintf(out, "signer     %s\n", subject ? subject : "?");
		fprintf(out, "issuer     %s\n", issuer ? issuer : "?");
		fprintf(out, "validity   %s to %s\n", from, to);
		free(subject);
		free(issuer);
	} else {
		fprintf(out, "signature  none (unsigned EIF: no PCR8)\n");
	}
	if (r->metadata) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(r->metadata, "BuildMetadata");
		const char *name = json_string(r->metadata, "ImageName");
		const char *version = json_string(r->metadata, "ImageVersion");

		fprintf(out, "image      %s %s (not measured)\n", name ? name : "?", version ? version : "?");
		fprintf(out, "built      %s by %s %s\n", json_string(b, "BuildTime") ? json_string(b, "BuildTime") : "?",
			json_string(b, "BuildTool") ? json_string(b, "BuildTool") : "?",
			json_string(b, "BuildToolVersion") ? json_string(b, "BuildToolVersion") : "");
		if (json_string(b, "KernelVersion") || json_string(b, "OperatingSystem"))
			fprintf(out, "kernel     %s %s\n",
				json_string(b, "OperatingSystem") ? json_string(b, "OperatingSystem") : "",
				json_string(b, "KernelVersion") ? json_string(b, "KernelVersion") : "");
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int cmd_eif(int argc, char **argv)
{
	static const struct option options[] = { OUTPUT_OPTIONS, { NULL, 0, NULL, 0 } };
	static const char *const own[] = { "nitro-cli", NULL };
	struct output_opts out;
	struct eif_result r = { 0 };
	struct ms_file file = { .fd = -1 };
	struct cli_progress progress;
	struct ms_eif_measure_options mo = { 0 };
	struct ms_err err = { 0 };
	cJSON *json = NULL;
	char *text = NULL;
	int opt, rc;

	if (argc > 1 && !strcmp(argv[1], "build"))
		return cmd_eif_build(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "sign"))
		return cmd_eif_sign(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "ramdisk"))
		return cmd_eif_ramdisk(argc - 1, argv + 1);
	output_init(&out, "eif", eif_help, own);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		int handled = output_option(&out, opt, optarg, &rc);

		if (handled < 0)
			return rc;
		if (!handled)
			return cli_bad_option("eif", opt, argv);
	}
	if ((rc = output_check(&out)))
		return rc;
	if (optind != argc - 1)
		return cli_usage("eif", optind == argc ? "no EIF file given" : "more than one EIF file given");
	r.path = argv[optind];

	if (ms_file_open(&file, r.path, &err))
		return cli_fail("eif", r.path, &err);
	cli_progress_init(&progress, "eif", r.path, file.size);
	mo.progress = cli_progress_update;
	mo.progress_arg = &progress;
	/* the file's SHA-256 is read only by the manifest (--json and the exports made from it) */
	mo.file_sha256 = output_wants_manifest(&out);
	if (ms_eif_measure_with(file.fd, file.regular ? file.size : 0, &mo, &r.eif, &err)) {
		cli_progress_end(&progress);
		rc = cli_fail("eif", r.path, &err);
		goto out;
	}
	cli_progress_end(&progress);
	if (r.eif.signature) {
		if (ms_eif_signature_decode(r.eif.signature, r.eif.signature_len, &r.sig, &err) ||
		    ms_eif_signature_verify(&r.sig, r.eif.pcr0, &err)) {
			rc = cli_fail("eif", r.path, &err);
			goto out;
		}
		r.is_signed = true;
	}
	if (r.eif.metadata &&
	    ms_eif_metadata_parse(r.eif.metadata, r.eif.metadata_len, &r.metadata, &err)) {
		rc = cli_fail("eif", r.path, &err);
		goto out;
	}
	if (out.quiet) {
		rc = 0;
		goto out;
	}
	if (output_is(&out, "text")) {
		text = text_report(&r);
		rc = text ? cli_write("eif", text) : (fprintf(stderr, "measure: eif: out of memory\n"), 2);
		goto out;
	}
	if (output_wants_manifest(&out)) {
		json = manifest_json(&r);
		rc = output_manifest(&out, json);
		goto out;
	}
	json = nitro_cli_json(&r);
	rc = json ? cli_write_json("eif", json) : (fprintf(stderr, "measure: eif: out of memory\n"), 2);
out:
	free(text);
	cJSON_Delete(json);
	cJSON_Delete(r.metadata);
	ms_eif_signature_free(&r.sig);
	ms_eif_free(&r.eif);
	ms_file_close(&file);
	return rc;
}
