/* SPDX-License-Identifier: Apache-2.0 */
/* Verification options shared by compare and pin: parsing, loading, and one verify-and-match. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/digest.h"
#include "../common/file.h"
#include "../common/hex.h"
#include "../common/rfc3339.h"
#include "../common/x509.h"
#include "cli.h"
#include "verify_opts.h"

const char verify_opts_help[] =
	"      --type nitro|snp|tdx|maa|azure-vtpm  the evidence type, when it is not recognised\n"
	"      --at TIME             check certificates (and an MAA token's validity) at TIME\n"
	"                            (RFC 3339, or @SECONDS) instead of now; 'evidence' uses a\n"
	"                            Nitro document's time or an MAA token's iat\n"
	"      --nonce HEX           must equal the whole Nitro nonce, or all 64 bytes of the SNP\n"
	"                            REPORT_DATA / TDX REPORTDATA\n"
	"      --report-data-prefix  with --nonce: SNP/TDX REPORT_DATA need only start with it\n"
	"                            (at least 16 bytes)\n"
	"      --allow-partial       accept expected values that pin no launch measurement\n"
	"      --vcek FILE           SNP: the VCEK or VLEK (DER or PEM, or AMD's bundle)\n"
	"      --certs FILE          SNP: an extended report's certificate table\n"
	"      --crl FILE            a current revocation list (DER or PEM); repeat for several\n"
	"      --root FILE           replace the pinned root by FILE, for test or private chains\n"
	"      --allow-debug         let a debug SNP guest or TD match (a debug Nitro enclave never does)\n"
	VERIFY_TCB_HELP
	VERIFY_MAA_HELP;

void verify_opts_init(struct verify_opts *o, const char *verb)
{
	memset(o, 0, sizeof(*o));
	o->verb = verb;
	o->vo.at = (int64_t)time(NULL);
}

/* The options that hold one value: a second occurrence would silently replace the first. */
static const char *single_valued(int opt)
{
	switch (opt) {
	case VOPT_TYPE: return "--type";
	case VOPT_AT: return "--at";
	case VOPT_NONCE: return "--nonce";
	case VOPT_ROOT: return "--root";
	case VOPT_VCEK: return "--vcek";
	case VOPT_CERTS: return "--certs";
	case VOPT_TCB_INFO: return "--tcb-info";
	case VOPT_QE_IDENTITY: return "--qe-identity";
	case VOPT_TCB_CHAIN: return "--tcb-issuer-chain";
	case VOPT_ACCEPT_TCB: return "--accept-tcb";
	case VOPT_MIN_TCB_DATE: return "--min-tcb-date";
	case VOPT_JWKS: return "--jwks";
	case VOPT_ISSUER: return "--issuer";
	default: return NULL;
	}
}

int verify_opts_parse(struct verify_opts *o, int opt, const char *arg)
{
	const char *name = single_valued(opt);

	if (name) {
		uint32_t bit = 1u << (opt - VOPT_TYPE);

		if (o->given & bit)
			return cli_usage(o->verb, "%s given twice: it takes one value", name);
		o->given |= bit;
	}
	switch (opt) {
	case VOPT_TYPE:
		if (!(o->forced = evidence_type_parse(arg)))
			return cli_usage(o->verb, "--type is nitro, snp, tdx, maa or azure-vtpm, not '%.64s'", arg);
		return 0;
	case VOPT_AT:
		o->at_given++;
		if (!strcmp(arg, "evidence"))
			o->vo.at_evidence = true;
		else if (ms_time_parse(arg, &o->vo.at))
			return cli_usage(o->verb, "--at: '%.64s' is not RFC 3339 (2022-10-13T09:38:02Z, a real date and time, "
						  "offset within 23:59), @SECONDS (up to year 9999) or evidence", arg);
		return 0;
	case VOPT_NONCE: o->nonce_hex = arg; return 0;
	case VOPT_PREFIX: o->mo.report_data_prefix = true; return 0;
	case VOPT_PARTIAL: o->mo.allow_partial = true; return 0;
	case VOPT_DEBUG: o->mo.allow_debug = true; return 0;
	case VOPT_ROOT: o->root_path = arg; return 0;
	case VOPT_CRL:
		if (o->ncrl == VERIFY_MAX_CRLS)
			return cli_usage(o->verb, "at most %d --crl files", VERIFY_MAX_CRLS);
		o->crl_paths[o->ncrl++] = arg;
		return 0;
	case VOPT_VCEK:
		if (o->vcek_path)
			return cli_usage(o->verb, "one --vcek");
		o->vcek_path = arg;
		return 0;
	case VOPT_CERTS:
		if (o->certs_path)
			return cli_usage(o->verb, "one --certs");
		o->certs_path = arg;
		return 0;
	case VOPT_TCB_INFO: o->tcb_info_path = arg; return 0;
	case VOPT_QE_IDENTITY: o->qe_path = arg; return 0;
	case VOPT_TCB_CHAIN: o->tcb_chain_path = arg; return 0;
	case VOPT_REQUIRE_TCB: o->tcb_policy.requested = true; return 0;
	case VOPT_JWKS:
		if (o->jwks_path)
			return cli_usage(o->verb, "one --jwks");
		o->jwks_path = arg;
		return 0;
	case VOPT_ISSUER:
		if (o->vo.issuer)
			return cli_usage(o->verb, "one --issuer");
		if (!*arg)
			return cli_usage(o->verb, "--issuer is the token's expected \"iss\", not empty");
		o->vo.issuer = arg;
		return 0;
	case VOPT_ACCEPT_TCB:
		if (tcb_cli_parse_accept(arg, &o->tcb_policy.accept_mask))
			return cli_usage(o->verb, "--accept-tcb: '%.64s' is not a comma-separated list of Intel TCB statuses "
						  "(UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
						  "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, Revoked)",
					 arg);
		o->tcb_policy.requested = true;
		return 0;
	case VOPT_MIN_TCB_DATE:
		if (ms_time_parse(arg, &o->tcb_policy.min_date))
			return cli_usage(o->verb, "--min-tcb-date: '%.64s' is not RFC 3339 (2023-02-15T00:00:00Z)", arg);
		o->tcb_policy.has_min_date = o->tcb_policy.requested = true;
		return 0;
	default:
		return -1;
	}
}

/* The --crl at path with these bytes (their SHA-256) parsed earlier in the run (a new reference), or NULL. */
static X509_CRL *memo_crl(const struct verify_memo *m, const char *path, const uint8_t sha256[32])
{
	for (unsigned i = 0; m && i < m->ncrl; i++)
		if (!strcmp(m->crl[i].path, path) && !memcmp(m->crl[i].sha256, sha256, 32)) {
			X509_CRL_up_ref(m->crl[i].crl);
			return m->crl[i].crl;
		}
	return NULL;
}

/* Keeps crl for path and these bytes, in place of what path held before. */
static void memo_keep_crl(struct verify_memo *m, const char *path, const uint8_t sha256[32], X509_CRL *crl)
{
	unsigned i = 0;

	while (m && i < m->ncrl && strcmp(m->crl[i].path, path))
		i++;
	if (!m || i == VERIFY_MEMO_MAX)
		return;
	if (i == m->ncrl) {
		if (!(m->crl[i].path = strdup(path)))
			return;
		m->ncrl++;
	} else {
		X509_CRL_free(m->crl[i].crl);
	}
	memcpy(m->crl[i].sha256, sha256, 32);
	X509_CRL_up_ref(crl);
	m->crl[i].crl = crl;
}

/* The --root at path with these bytes parsed earlier in the run (a new stack of new references), or NULL. */
static STACK_OF(X509) *memo_root(const struct verify_memo *m, const char *path, const uint8_t sha256[32])
{
	for (unsigned i = 0; m && i < m->nroot; i++)
		if (!strcmp(m->root[i].path, path) && !memcmp(m->root[i].sha256, sha256, 32)) {
			STACK_OF(X509) *sk = sk_X509_dup(m->root[i].chain);

			for (int k = 0; sk && k < sk_X509_num(sk); k++)
				X509_up_ref(sk_X509_value(sk, k));
			return sk;
		}
	return NULL;
}

/* Keeps chain for path and these bytes, in place of what path held before. */
static void memo_keep_root(struct verify_memo *m, const char *path, const uint8_t sha256[32], STACK_OF(X509) *chain)
{
	STACK_OF(X509) *kept;
	unsigned i = 0;

	while (m && i < m->nroot && strcmp(m->root[i].path, path))
		i++;
	if (!m || i == VERIFY_MEMO_MAX || !(kept = sk_X509_dup(chain)))
		return;
	if (i == m->nroot) {
		if (!(m->root[i].path = strdup(path))) {
			sk_X509_free(kept);
			return;
		}
		m->nroot++;
	} else {
		sk_X509_pop_free(m->root[i].chain, X509_free);
	}
	for (int k = 0; k < sk_X509_num(kept); k++)
		X509_up_ref(sk_X509_value(kept, k));
	memcpy(m->root[i].sha256, sha256, 32);
	m->root[i].chain = kept;
}

void verify_memo_free(struct verify_memo *m)
{
	for (unsigned i = 0; i < m->ncrl; i++) {
		free(m->crl[i].path);
		X509_CRL_free(m->crl[i].crl);
	}
	for (unsigned i = 0; i < m->nroot; i++) {
		free(m->root[i].path);
		sk_X509_pop_free(m->root[i].chain, X509_free);
	}
	memset(m, 0, sizeof(*m));
}

int verify_opts_load(struct verify_opts *o)
{
	struct ms_err err = { 0 };

	if (o->mo.report_data_prefix && !o->nonce_hex)
		return cli_usage(o->verb, "--report-data-prefix qualifies --nonce");
	if (o->nonce_hex) {
		const char *h = o->nonce_hex;
		size_t n = strlen(h) - (strncmp(h, "0x", 2) && strncmp(h, "0X", 2) ? 0 : 2);

		o->mo.nonce_len = n / 2;
		o->nonce = malloc(o->mo.nonce_len + 1);
		if (!o->nonce || n % 2 || !o->mo.nonce_len || o->mo.nonce_len > MS_EVIDENCE_MAX_NONCE ||
		    ms_hex_decode(h, o->nonce, o->mo.nonce_len, "--nonce", &err))
			return cli_usage(o->verb, "--nonce: 1 to %d bytes of hex", MS_EVIDENCE_MAX_NONCE);
		if (o->mo.report_data_prefix &&
		    (o->mo.nonce_len < MS_NONCE_PREFIX_MIN || o->mo.nonce_len > MS_REPORT_DATA_LEN))
			return cli_usage(o->verb, "--report-data-prefix: the nonce is %zu bytes; a prefix is %d to %d bytes",
					 o->mo.nonce_len, MS_NONCE_PREFIX_MIN, MS_REPORT_DATA_LEN);
		o->mo.nonce = o->nonce;
	}
	if (o->root_path) {
		/* one root; or AMD's cert_chain form, the ASK (or ASVK) then the ARK */
		uint8_t *pem = NULL, sha[32];
		size_t len;
		bool bad = ms_file_load(o->root_path, 1 << 16, &pem, &len, &err), parsed = false;

		if (!bad) {
			ms_sha256(pem, len, sha);
			if (!(o->root_chain = memo_root(o->memo, o->root_path, sha))) {
				bad = ms_x509_parse_bundle(pem, len, "--root", &o->root_chain, &err);
				parsed = true;
			}
		}
		free(pem);
		if (!bad && sk_X509_num(o->root_chain) > 2) {
			ms_fail(&err, MS_USAGE, "one root certificate, or an ASK and an ARK");
			bad = true;
		}
		if (bad)
			return cli_fail(o->verb, o->root_path, &err);
		o->vo.root_override = sk_X509_value(o->root_chain, sk_X509_num(o->root_chain) - 1);
		o->vo.ask_override = sk_X509_num(o->root_chain) == 2 ? sk_X509_value(o->root_chain, 0) : NULL;
		if (parsed)
			memo_keep_root(o->memo, o->root_path, sha, o->root_chain);
	}
	if (o->ncrl && !(o->crls = sk_X509_CRL_new_null())) {
		fprintf(stderr, "measure: %s: out of memory\n", o->verb);
		return 2;
	}
	for (size_t i = 0; i < o->ncrl; i++) {
		uint8_t *buf = NULL, sha[32];
		size_t len;
		X509_CRL *crl = NULL;
		bool bad = ms_file_load(o->crl_paths[i], 4u << 20, &buf, &len, &err);

		if (!bad) {
			ms_sha256(buf, len, sha);
			if (!(crl = memo_crl(o->memo, o->crl_paths[i], sha)) && !(bad = ms_crl_parse(buf, len, "--crl", &crl, &err)))
				memo_keep_crl(o->memo, o->crl_paths[i], sha, crl);
		}
		free(buf);
		if (bad)
			return cli_fail(o->verb, o->crl_paths[i], &err);
		if (!sk_X509_CRL_push(o->crls, crl)) {
			X509_CRL_free(crl);
			fprintf(stderr, "measure: %s: out of memory\n", o->verb);
			return 2;
		}
	}
	o->vo.crls = o->crls;
	if (o->vcek_path && ms_file_load(o->vcek_path, 1 << 20, &o->vcek, &o->vcek_len, &err))
		return cli_fail(o->verb, o->vcek_path, &err);
	if (o->certs_path && ms_file_load(o->certs_path, 1 << 20, &o->certs, &o->certs_len, &err))
		return cli_fail(o->verb, o->certs_path, &err);
	if (o->jwks_path && ms_file_load(o->jwks_path, 1 << 20, &o->jwks, &o->jwks_len, &err))
		return cli_fail(o->verb, o->jwks_path, &err);
	o->vo.jwks = o->jwks;
	o->vo.jwks_len = o->jwks_len;
	if (o->tcb_info_path || o->qe_path || o->tcb_chain_path) {
		int rc;

		if (!o->tcb_info_path || !o->qe_path)
			return cli_usage(o->verb, "--tcb-info and --qe-identity go together: a TDX TCB status needs both");
		if ((rc = tcb_cli_load(&o->tcb, o->tcb_info_path, o->qe_path, o->tcb_chain_path)))
			return rc;
		o->vo.tcb = &o->tcb.collateral;
	}
	o->mo.tcb = &o->tcb_policy;
	o->vo.vcek = o->vcek;
	o->vo.vcek_len = o->vcek_len;
	o->vo.certs = o->certs;
	o->vo.certs_len = o->certs_len;
	return 0;
}

void verify_opts_free(struct verify_opts *o)
{
	free(o->nonce);
	free(o->vcek);
	free(o->certs);
	free(o->jwks);
	sk_X509_CRL_pop_free(o->crls, X509_CRL_free);
	sk_X509_pop_free(o->root_chain, X509_free);
	tcb_cli_free(&o->tcb);
	memset(o, 0, sizeof(*o));
}

int verify_opts_fit(const struct verify_opts *o, const char *path, enum ms_evidence_type type)
{
	if (o->vo.at_evidence && type != MS_EVIDENCE_NITRO && type != MS_EVIDENCE_MAA)
		return cli_usage(o->verb, "--at evidence: %s is %s, which carries no time; give --at TIME", path,
				 type == MS_EVIDENCE_SNP ? "an SNP report" : "a TDX quote");
	if (o->mo.nonce && type != MS_EVIDENCE_NITRO && o->mo.nonce_len != MS_REPORT_DATA_LEN && !o->mo.report_data_prefix)
		return cli_usage(o->verb, "--nonce: %s is %s, whose %s is %d bytes; this nonce is %zu (a prefix of at least "
					  "%d bytes needs --report-data-prefix)",
				 path, type == MS_EVIDENCE_SNP ? "an SNP report" : "a TDX quote",
				 type == MS_EVIDENCE_SNP ? "REPORT_DATA" : "REPORTDATA", MS_REPORT_DATA_LEN, o->mo.nonce_len,
				 MS_NONCE_PREFIX_MIN);
	return 0;
}

void verify_and_match_one(const struct verify_opts *o, const struct ms_expected *x, struct verify_result *r)
{
	enum ms_status st;

	memset(&r->err, 0, sizeof(r->err));
	st = r->e.type == MS_EVIDENCE_AZURE_VTPM
		     ? ms_azure_vtpm_verify(r->e.data, r->e.len, &o->vo, &r->az, &r->ev, &r->checks, &r->err)
		     : ms_evidence_verify(r->e.type, r->e.data, r->e.len, &o->vo, &r->ev, &r->checks, &r->err);
	r->verified = st == MS_OK;
	if (r->verified) {
		st = ms_match(x, &r->ev, &o->mo, &r->checks, &r->err);
		if (st == MS_MISMATCH)
			r->err.msg[0] = '\0';
	}
	r->status = st;
}

void verify_result_free(struct verify_result *r)
{
	evidence_free(&r->e);
	ms_checks_free(&r->checks);
	ms_azure_vtpm_free(&r->az);
}
