/* SPDX-License-Identifier: Apache-2.0 */
/* measure compare: parsing the command line, loading the files, printing the verdict of compare/match.c. */
#include <getopt.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/rfc3339.h"
#include "../common/text.h"
#include "../common/x509.h"
#include "../compare/azure.h"
#include "../compare/match.h"
#include "cli.h"
#include "collateral_cli.h"
#include "compare_batch.h"
#include "evidence_io.h"
#include "tcb_cli.h"
#include "tpm_cli.h"
#include "verify_opts.h"

#define MAX_FILE_BYTES (1u << 20) /* EXPECTED and EVIDENCE files */

static const char compare_help[] =
	"Usage: measure compare [options] EXPECTED EVIDENCE [EXPECTED EVIDENCE ...]\n"
	"       measure compare --policy FILE [options] EVIDENCE [EVIDENCE ...]\n"
	"       measure compare --batch FILE [options]   (one pair per line; see below)\n"
	"\n"
	"Verifies each piece of evidence offline (signature, certificate chain to the pinned\n"
	"vendor root, validity) and compares it with EXPECTED: a manifest from\n"
	"'measure eif|snp|tdx --json', 'nitro-cli describe-eif' JSON, or a Cocos policy that\n"
	"carries a measurement; a manifest with \"observed\": true is an allow-list of values\n"
	"seen (Azure's paravisor), not recomputed. Evidence may be binary, hex or base64: a\n"
	"Nitro document, SNP report, TDX quote, an MAA token (--jwks) or trustee's Azure vTPM\n"
	"JSON. Every pair must pass; the worst outcome decides the exit code. Nothing is\n"
	"fetched unless --fetch is given.\n"
	"\n"
	"Options:\n"
	"      --type nitro|snp|tdx|maa|azure-vtpm  the evidence type, when it is not recognised\n"
	"      --at TIME             check certificates (and an MAA token's validity) at TIME\n"
	"                            (RFC 3339, or @SECONDS) instead of now; 'evidence' uses a\n"
	"                            Nitro document's time or an MAA token's iat\n"
	"      --nonce HEX           must equal the whole Nitro nonce, or all 64 bytes of the SNP\n"
	"                            REPORT_DATA / TDX REPORTDATA\n"
	"      --report-data-prefix  with --nonce: SNP/TDX REPORT_DATA need only start with it\n"
	"                            (at least 16 bytes)\n"
	"      --allow-partial       accept expected values that pin no launch measurement\n"
	"                            (Nitro pcr0, SNP measurement, TDX mrtd)\n"
	"      --vcek FILE           SNP: the VCEK or VLEK (DER or PEM, or AMD's bundle); before\n"
	"                            the first file it applies to all, between files to the next\n"
	"                            EVIDENCE only\n"
	"      --certs FILE          SNP: an extended report's certificate table (placed like --vcek)\n"
	"      --crl FILE            a revocation list (DER or PEM) from an issuer in the chain;\n"
	"                            it must be current; repeat for several\n"
	"      --cache DIR           SNP: take the VCEK, ASK+ARK and (without --crl) the ARK's\n"
	"                            CRL from this cache ('measure fetch'), offline, for\n"
	"                            evidence given no --vcek or --certs; missing is exit 4\n"
	"      --fetch               download what the cache lacks for each EVIDENCE first (the\n"
	"                            cache is --cache, else $XDG_CACHE_HOME/measure); the only\n"
	"                            way compare uses the network\n"
	"      --base-url SVC=URL    with --fetch: amd=URL or intel=URL replaces the vendor's\n"
	"                            service (see 'measure fetch --help')\n"
	"      --ca-file FILE        with --fetch: trust the CAs in FILE instead of the system's\n"
	"      --policy FILE         apply an attestation policy (Cocos / go-sev-guest JSON) to\n"
	"                            SNP and TDX evidence and MAA tokens (their claims as the\n"
	"                            report's fields; a rule no claim answers fails; refused for\n"
	"                            Nitro, exit 5); with it, EXPECTED may be left out\n"
	"      --root FILE           replace the pinned root by FILE, for test or private chains\n"
	"                            (for SNP: the ASK or ASVK, then the ARK); the output says so\n"
	VERIFY_TCB_HELP
	VERIFY_MAA_HELP
	TPM_CLI_HELP
	"      --cache DIR           TDX: without --tcb-info, the TCB info for the quote's FMSPC\n"
	"                            and the QE identity, with the PCK CA's and the root's CRLs,\n"
	"                            from this cache ('measure fetch'); entries missing for a\n"
	"                            TDX quote are exit 4\n"
	"      --image-digest sha256:HEX  EXPECTED is a docker or fly manifest: compare\n"
	"                            it with this manifest or config digest (no EVIDENCE)\n"
	"      --allow-debug         let an SNP guest whose policy allows DEBUG, or a TD with the\n"
	"                            DEBUG attribute, match (a debug Nitro enclave never does)\n"
	"  -j, --json                print the result, ending in a receipt for audit logs\n"
	"  -q, --quiet               print nothing; the exit code tells\n"
	"  -h, --help                show this help\n"
	"\n"
	"      --batch FILE          one comparison per line of FILE ('-': standard input), in\n"
	"                            one process: EXPECTED EVIDENCE [options], quoted as in a\n"
	"                            shell ('...', \"...\", \\); '#' starts a comment; the options\n"
	"                            given beside --batch apply to every line, before its own.\n"
	"                            One result line per line (JSON Lines with --json), then a\n"
	"                            summary; a bad line is an error of that line alone\n"
	"\n"
	"Exit codes: 0 verified and matched, 1 a value or policy differs, 2 bad input,\n"
	"3 signature or chain, 4 collateral (VCEK, CRL) missing, 5 unsupported. With several\n"
	"pairs (or --batch lines) the most serious wins: 3, then 4, 5, 2, 1, 0.\n";

/* An SNP collateral file given on the command line (--vcek or --certs), loaded once. */
struct collateral {
	const char *path;
	uint8_t *bytes;
	size_t len;
};

struct pair {
	const char *expected_path; /* NULL: policy only */
	const char *evidence_path;
	struct ms_expected x;
	struct loaded_evidence e;
	const struct collateral *vcek, *certs;
	struct ms_evidence ev;
	struct ms_checks checks;
	bool verified;
	enum ms_status status; /* verification, then the verdict */
	char *error;           /* the message of a failure other than a mismatch */
	cJSON *policy;         /* an attestation policy given as EXPECTED: applied whole, not just its measurement */
	struct tcb_cli tcb;    /* TDX: collateral from the cache for this quote's FMSPC */
	uint32_t cached_crls;  /* from the cache: the indexes (bits) of its CRLs in the pair's list; each must be applied */
	bool crl_by_option;    /* SNP: the cache has no CRL, so a --crl of this chain must be applied */
	struct ms_tpm_quoted tpm; /* the vTPM quote (--tpm-quote), verified */
	struct ms_azure_vtpm az;  /* Azure vTPM evidence, decoded (ev points into it) */
};

/* One positional argument, with the --vcek / --certs given just before it (after an earlier file). */
struct arg {
	const char *path;
	struct collateral *vcek, *certs;
	uint8_t *buf; /* the file, read once */
	size_t len;
};

struct ctx {
	struct ms_verify_options vo;
	struct ms_match_options mo;
	enum ms_evidence_type forced;
	struct collateral gvcek, gcerts; /* given before the first file: every pair's */
	struct collateral *local;       /* given between files */
	size_t nlocal;
	const char *policy_path;
	bool json, quiet;
	const char *cache_dir;        /* --cache, or the default with --fetch; NULL: no cache */
	bool fetch;                   /* --fetch: what the cache lacks is downloaded first */
	struct ms_fetch_options fo;
	size_t ncrl;                  /* --crl files given (the cache's CRL is used beside them) */
	struct tpm_cli tpm;           /* --tpm-*: a vTPM quote beside the one SNP or TDX EVIDENCE */
};

static int load_collateral(struct collateral *c)
{
	struct ms_err err = { 0 };

	if (!c->path || c->bytes)
		return 0;
	return ms_file_load(c->path, 1 << 20, &c->bytes, &c->len, &err) ? cli_fail("compare", c->path, &err) : 0;
}

/* Reads a file given on the command line, once ("-" is standard input, which cannot be read twice). */
static int read_arg(struct arg *a)
{
	struct ms_err err = { 0 };

	if (a->buf)
		return 0;
	return ms_file_load(a->path, MAX_FILE_BYTES, &a->buf, &a->len, &err) ? cli_fail("compare", a->path, &err) : 0;
}

/* "FILE looks like X: ..." for a file in the EVIDENCE position that is not evidence, or -1. */
static int not_evidence(const char *path, const uint8_t *buf, size_t len)
{
	const char *kind = ms_input_kind(buf, len);

	if (!kind)
		return -1;
	if (!strcmp(kind, "a measure/v1 manifest") || !strcmp(kind, "nitro-cli describe-eif JSON") ||
	    !strcmp(kind, "an attestation policy"))
		fprintf(stderr, "measure: compare: %s: looks like %s, not evidence: EXPECTED comes first, then EVIDENCE\n",
			path, kind);
	else if (!strncmp(kind, "an EIF", 6))
		fprintf(stderr, "measure: compare: %s: looks like %s, not evidence: 'measure eif --json' gives its expected values\n",
			path, kind);
	else
		fprintf(stderr, "measure: compare: %s: looks like %s, not evidence\n", path, kind);
	return 2;
}

/* The evidence of a pair, from the bytes already read; the pair takes them over. */
static int load_evidence(const struct ctx *c, struct pair *p, struct arg *a)
{
	struct loaded_evidence *e = &p->e;
	struct ms_err err = { 0 };
	int rc;

	memset(e, 0, sizeof(*e));
	e->file = a->buf;
	e->file_len = a->len;
	a->buf = NULL;
	if (!ms_evidence_open(e->file, e->file_len, c->forced, &e->inner, &e->data, &e->len, &e->type, &err))
		return 0;
	if ((rc = not_evidence(p->evidence_path, e->file, e->file_len)) >= 0)
		return rc;
	return cli_fail("compare", p->evidence_path, &err);
}

static int load_expected(const struct ctx *c, const struct arg *a, struct pair *p)
{
	struct ms_err err = { 0 };

	if (ms_expected_parse((const char *)a->buf, a->len, &p->x, &err))
		return cli_fail("compare", a->path, &err);
	if (p->x.source != MS_EXPECTED_COCOS)
		return 0;
	/* every rule of the policy is judged, so that none of them is silently dropped */
	if (c->policy_path)
		return cli_usage("compare", "%s is an attestation policy given as EXPECTED, and --policy gives another: give one",
				 a->path);
	if (ms_policy_parse((const char *)a->buf, a->len, &p->policy, &err))
		return cli_fail("compare", a->path, &err);
	return 0;
}

/* The file an error concerns, from err->input. */
static const char *error_file(const struct ctx *c, const struct pair *p, const struct ms_err *err)
{
	switch (err->input) {
	case MS_INPUT_EXPECTED:
		return p->expected_path ? p->expected_path : p->evidence_path;
	case MS_INPUT_POLICY:
		return c->policy_path ? c->policy_path : p->evidence_path;
	case MS_INPUT_VCEK:
		return p->vcek ? p->vcek->path : p->evidence_path;
	case MS_INPUT_CERTS:
		return p->certs ? p->certs->path : p->evidence_path;
	default:
		return p->evidence_path;
	}
}

static void record_error(const struct ctx *c, struct pair *p, enum ms_status st, const struct ms_err *err)
{
	const char *hint = "";

	/* the library names no flag; a missing VCEK is named here */
	if (st == MS_NO_COLLATERAL && p->e.type == MS_EVIDENCE_SNP && err->input == MS_INPUT_COLLATERAL)
		hint = c->fetch ? "; pass it with --vcek FILE or --certs FILE"
		       : c->cache_dir ? "; run 'measure fetch EVIDENCE', add --fetch, or pass --vcek FILE"
				      : "; pass it with --vcek FILE or --certs FILE, or take it from a cache (--cache DIR, --fetch)";
	else if (st == MS_NO_COLLATERAL && p->e.type == MS_EVIDENCE_TDX && !p->ev.tcb_collateral && err->input == MS_INPUT_COLLATERAL)
		hint = c->cache_dir ? "; run 'measure fetch EVIDENCE' or add --fetch"
				    : "; give Intel's collateral with --tcb-info FILE --qe-identity FILE, or take it from a cache (--cache DIR, --fetch)";
	free(p->error);
	if (asprintf(&p->error, "%s: %s%s", error_file(c, p, err), err->msg, hint) < 0)
		p->error = NULL;
	if (!c->quiet) /* also with --json: when the result is 2, this line is all there is */
		fprintf(stderr, "measure: compare: %s\n", p->error ? p->error : err->msg);
}

/*
 * What a verified vTPM quote leaves open, listed (never a pass): without a
 * nonce the quote may be replayed (for Azure vTPM evidence the nonce is its
 * only freshness), and a quote given beside SNP/TDX evidence is by an AK
 * nothing binds to that report.
 */
static void tpm_not_checked(const struct ctx *c, struct pair *p, bool given_quote)
{
	if (!c->tpm.in.nonce)
		ms_check_add_state(&p->checks, MS_CHECK_NOT_CHECKED, -1, "vTPM quote nonce", "(extraData)",
				   "(no --tpm-nonce): a replayed quote passes");
	if (given_quote)
		ms_check_add_state(&p->checks, MS_CHECK_NOT_CHECKED, -1, "AK bound to the SNP/TDX report", "(AK)",
				   "(AK trusted as given)");
}

/* A vTPM quote failure names its own file. */
static void record_tpm_error(const struct ctx *c, struct pair *p, enum ms_status st, const struct ms_err *err)
{
	free(p->error);
	if (asprintf(&p->error, "%s: %s", st == MS_BAD_SIGNATURE ? c->tpm.sig_path : c->tpm.quote_path, err->msg) < 0)
		p->error = NULL;
	if (!c->quiet)
		fprintf(stderr, "measure: compare: %s\n", p->error ? p->error : err->msg);
}

/*
 * --fetch: downloads what the cache lacks of the collateral the pair's
 * evidence needs (any type: the TDX TCB evaluation reads the same cache).
 */
static enum ms_status fetch_missing(const struct ctx *c, const struct pair *p, struct ms_err *err)
{
	struct ms_collateral_need need;
	struct ms_fetch_result res;
	struct ms_fetch_options fo = c->fo;
	struct cli_fetch_progress progress;
	enum ms_status st;

	if ((st = ms_collateral_need(p->e.data, p->e.len, p->e.type, MS_SNP_PRODUCT_UNKNOWN, &need, err))) {
		if (st == MS_USAGE)
			ms_fail(err, MS_NO_COLLATERAL, "%s; fetch it with 'measure fetch --product NAME'", err->msg);
		return ms_err_input(err, MS_INPUT_COLLATERAL, st == MS_USAGE ? MS_NO_COLLATERAL : st);
	}
	fo.only_missing = true;
	fo.fresh_at = c->vo.at; /* a CRL stale at the check time is fetched again */
	cli_fetch_init(&progress, &fo);
	st = ms_collateral_fetch(&need, c->cache_dir, &fo, &res, err);
	cli_fetch_progress_end(&progress);
	return ms_err_input(err, MS_INPUT_COLLATERAL, st);
}

/*
 * Adds a CRL read from the cache to the pair's own list (the --crl files first),
 * making the list on first use; the CRL is owned by the list, or freed on failure.
 * Its bit in cached_crls says it must be applied to the chain.
 */
static enum ms_status add_cached_crl(const struct ctx *c, struct pair *p, struct ms_verify_options *vo,
				     STACK_OF(X509_CRL) **crls, X509_CRL *crl, struct ms_err *err)
{
	if (!*crls && !(*crls = c->vo.crls ? sk_X509_CRL_dup(c->vo.crls) : sk_X509_CRL_new_null())) {
		X509_CRL_free(crl);
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	}
	vo->crls = *crls;
	if (!sk_X509_CRL_push(*crls, crl)) {
		X509_CRL_free(crl);
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	}
	p->cached_crls |= 1u << (sk_X509_CRL_num(*crls) - 1);
	return MS_OK;
}

/*
 * SNP evidence given no --vcek or --certs, with a cache: the VCEK, ASK and ARK
 * (as one bundle) and, unless --crl was given, the ARK's CRL from the cache
 * (which --fetch has filled). *crls is the pair's own list (the --crl files,
 * then the cached CRL), which the caller frees with free_pair_crls.
 */
static enum ms_status collateral_from_cache(const struct ctx *c, struct pair *p, struct ms_verify_options *vo,
					    struct ms_snp_cached *cached, STACK_OF(X509_CRL) **crls, struct ms_err *err)
{
	X509_CRL *crl = NULL;
	enum ms_status st;
	char what[MS_CACHE_KEY_MAX + 64];

	/*
	 * The cached CRL whenever the cache has one: a --crl given for another chain (or an older
	 * one) must not stand in for it. Without one, a --crl must be issued by this chain's ARK.
	 */
	st = ms_snp_collateral_from_cache(c->cache_dir, p->e.data, p->e.len, true, cached, err);
	if (st == MS_NO_COLLATERAL && c->ncrl) {
		struct ms_err without_crl = { 0 };

		if (!ms_snp_collateral_from_cache(c->cache_dir, p->e.data, p->e.len, false, cached, &without_crl)) {
			p->crl_by_option = true; /* judged after verification: a --crl must have been applied */
			st = MS_OK;
		}
	}
	if (st)
		return ms_err_input(err, MS_INPUT_COLLATERAL, st);
	vo->vcek = cached->bundle;
	vo->vcek_len = cached->bundle_len;
	snprintf(what, sizeof(what), "%s (and the ASK and ARK)", cached->vcek_key);
	ms_check_add(&p->checks, true, "VCEK from the cache", c->cache_dir, what);
	if (!cached->crl)
		return MS_OK;
	if ((st = ms_crl_parse(cached->crl, cached->crl_len, "cached CRL", &crl, err)))
		return ms_err_input(err, MS_INPUT_COLLATERAL, st);
	return add_cached_crl(c, p, vo, crls, crl, err);
}

/*
 * SNP evidence given its VCEK or VLEK (--vcek, --certs) and a cache: the cache's
 * CRL for the report's product is applied beside the --crl files, as
 * collateral_from_cache applies it (one this chain's ARK did not issue is exit
 * 3 after verification). A cache without one adds nothing: the check table
 * then says revocation was not checked, unless a --crl was applied.
 */
static enum ms_status cached_crl_beside_vek(const struct ctx *c, struct pair *p, struct ms_verify_options *vo,
					   STACK_OF(X509_CRL) **crls, struct ms_err *err)
{
	enum ms_snp_product product = ms_snp_product_of(p->e.data, p->e.len, vo);
	char key[64], what[MS_CACHE_KEY_MAX + 64];
	uint8_t *der = NULL;
	size_t len = 0;
	X509_CRL *crl = NULL;
	enum ms_status st;

	if (product == MS_SNP_PRODUCT_UNKNOWN)
		return MS_OK; /* the verifier names what is unknown */
	snprintf(key, sizeof(key), "amd/%s/crl", ms_snp_product_name(product));
	st = ms_cache_get(c->cache_dir, key, &der, &len, err);
	if (st == MS_NO_COLLATERAL) {
		memset(err, 0, sizeof(*err));
		return MS_OK;
	}
	if (!st)
		st = ms_crl_parse(der, len, "cached CRL", &crl, err);
	free(der);
	if (st)
		return ms_err_input(err, MS_INPUT_COLLATERAL, st);
	if ((st = add_cached_crl(c, p, vo, crls, crl, err)))
		return st;
	snprintf(what, sizeof(what), "%s (beside the VCEK given)", key);
	ms_check_add(&p->checks, true, "CRL from the cache", c->cache_dir, what);
	return MS_OK;
}

/*
 * A TDX quote judged from the cache: the CRLs of the PCK's issuing CA and of the root,
 * which 'measure fetch' stores beside the TCB info; missing is exit 4, as for SNP.
 */
static enum ms_status tdx_crls_from_cache(const struct ctx *c, struct pair *p, struct ms_verify_options *vo,
					  STACK_OF(X509_CRL) **crls, struct ms_err *err)
{
	struct ms_collateral_need need;
	enum ms_status st;

	if ((st = ms_collateral_need(p->e.data, p->e.len, MS_EVIDENCE_TDX, MS_SNP_PRODUCT_UNKNOWN, &need, err)))
		return ms_err_input(err, MS_INPUT_COLLATERAL, st);
	for (size_t i = 0; i < need.n; i++) {
		const char *key = need.item[i].key;
		uint8_t *der = NULL;
		size_t len;
		X509_CRL *crl = NULL;

		if (strncmp(key, "intel/pckcrl/", 13) && strcmp(key, "intel/rootcrl"))
			continue;
		st = ms_cache_get(c->cache_dir, key, &der, &len, err);
		if (!st)
			st = ms_crl_parse(der, len, key, &crl, err);
		free(der);
		if (st)
			return ms_err_input(err, MS_INPUT_COLLATERAL, st);
		if ((st = add_cached_crl(c, p, vo, crls, crl, err)))
			return st;
	}
	return MS_OK;
}

/* The pair's CRL list: the --crl files (shared with the others) then the cached CRL (its own). */
static void free_pair_crls(const struct ctx *c, STACK_OF(X509_CRL) *crls)
{
	if (!crls)
		return;
	for (int i = sk_X509_CRL_num(crls) - 1; i >= (c->vo.crls ? sk_X509_CRL_num(c->vo.crls) : 0); i--)
		X509_CRL_free(sk_X509_CRL_value(crls, i));
	sk_X509_CRL_free(crls);
}

static void verify_and_match(const struct ctx *c, struct pair *p)
{
	struct ms_verify_options vo = c->vo;
	struct ms_match_options mo = c->mo;
	struct ms_err err = { 0 };
	struct ms_snp_cached cached = { 0 };
	STACK_OF(X509_CRL) *pair_crls = NULL;
	enum ms_status st, tpm_st = MS_OK;

	p->cached_crls = 0;
	p->crl_by_option = false;
	vo.vcek = p->vcek ? p->vcek->bytes : NULL;
	vo.vcek_len = p->vcek ? p->vcek->len : 0;
	vo.certs = p->certs ? p->certs->bytes : NULL;
	vo.certs_len = p->certs ? p->certs->len : 0;
	/* SNP given its VCEK needs nothing fetched; a TDX quote's TCB info and QE identity are read from the cache */
	if (c->fetch && (p->e.type == MS_EVIDENCE_SNP || p->e.type == MS_EVIDENCE_TDX) && !(p->e.type == MS_EVIDENCE_SNP && (vo.vcek || vo.certs)) &&
	    !(p->e.type == MS_EVIDENCE_TDX && vo.tcb) &&
	    (st = fetch_missing(c, p, &err))) {
		p->status = st;
		record_error(c, p, st, &err);
		goto out;
	}
	if (p->e.type == MS_EVIDENCE_SNP && c->cache_dir &&
	    (st = !vo.vcek && !vo.certs ? collateral_from_cache(c, p, &vo, &cached, &pair_crls, &err)
					: cached_crl_beside_vek(c, p, &vo, &pair_crls, &err))) {
		p->status = st;
		record_error(c, p, st, &err);
		goto out;
	}
	if (p->e.type == MS_EVIDENCE_TDX && !vo.tcb && c->cache_dir) {
		int rc = tcb_cli_from_cache(&p->tcb, c->cache_dir, p->e.data, p->e.len, p->evidence_path);

		if (rc) {
			/* the line is printed; the status stands for the exit code it chose */
			p->status = rc == 4 ? MS_NO_COLLATERAL : rc == 5 ? MS_UNSUPPORTED : rc == 3 ? MS_BAD_SIGNATURE : MS_BAD_INPUT;
			goto out;
		}
		vo.tcb = &p->tcb.collateral;
		if ((st = tdx_crls_from_cache(c, p, &vo, &pair_crls, &err))) {
			p->status = st;
			record_error(c, p, st, &err);
			goto out;
		}
	}
	vo.tpm_nonce = c->tpm.in.nonce;
	vo.tpm_nonce_len = c->tpm.in.nonce_len;
	if (p->e.type == MS_EVIDENCE_AZURE_VTPM) {
		st = ms_azure_vtpm_verify(p->e.data, p->e.len, &vo, &p->az, &p->ev, &p->checks, &err);
		/* the hardware report verified; the quote's nonce or PCR digest differs: judged with the rest */
		if (st == MS_MISMATCH) {
			tpm_st = st;
			st = MS_OK;
		}
		if (!st)
			tpm_not_checked(c, p, false);
	} else {
		st = ms_evidence_verify(p->e.type, p->e.data, p->e.len, &vo, &p->ev, &p->checks, &err);
	}
	p->verified = st == MS_OK;
	/* a cached CRL that no certificate of this chain issued checked nothing: never a pass */
	if (!st && (p->ev.crls_used_mask & p->cached_crls) != p->cached_crls) {
		st = ms_err_input(&err, MS_INPUT_COLLATERAL,
				  ms_fail(&err, MS_BAD_SIGNATURE, "a CRL the cache holds for this %s is not issued by a certificate "
								  "of its chain: revocation was not checked (fetch it again)",
					  p->e.type == MS_EVIDENCE_SNP ? "report" : "quote"));
		p->verified = false;
	} else if (!st && p->crl_by_option && !p->ev.crls_used_mask) {
		st = ms_err_input(&err, MS_INPUT_COLLATERAL,
				  ms_fail(&err, MS_NO_COLLATERAL, "the cache has no CRL for this report and no --crl is issued by "
								  "its ARK: revocation was not checked"));
		p->verified = false;
	}
	if (!st && c->tpm.in.msg) {
		/* the vTPM quote: a signature that fails fails the evidence; a differing nonce or digest is a mismatch */
		tpm_st = ms_tpm_evidence_verify(&c->tpm.in, &p->tpm, &p->checks, &err);
		if (tpm_st && tpm_st != MS_MISMATCH) {
			st = tpm_st;
			p->verified = false;
			p->status = st;
			record_tpm_error(c, p, st, &err);
			goto out;
		}
		p->ev.tpm = &p->tpm;
		tpm_not_checked(c, p, true);
	}
	/* trustee's init data: the quoted PCR8 is its extend; a difference is a mismatch judged with the rest */
	if (!st && c->tpm.has_init_data &&
	    ms_tpm_init_data_check(p->ev.tpm, c->tpm.init_data_digest, &p->checks, &err) == MS_MISMATCH)
		tpm_st = MS_MISMATCH;
	if (!st) {
		memset(&err, 0, sizeof(err));
		if (p->policy)
			mo.policy = p->policy;
		st = ms_match(p->expected_path ? &p->x : NULL, &p->ev, &mo, &p->checks, &err);
		if (st == MS_MISMATCH)
			err.msg[0] = '\0';
		if (tpm_st == MS_MISMATCH)
			st = ms_status_worst(st, MS_MISMATCH);
	}
	p->status = st;
	if (st && st != MS_MISMATCH)
		record_error(c, p, st, &err);
out:
	ms_snp_cached_free(&cached);
	free_pair_crls(c, pair_crls);
}

static const char *verdict_name(int rc)
{
	static const char *const names[] = { "match", "mismatch", "bad input", "not verified", "collateral missing",
					     "unsupported" };

	return rc >= 0 && rc <= 5 ? names[rc] : "bad input";
}

static const char *state_name(enum ms_check_state s)
{
	return s == MS_CHECK_PASS ? "pass" : s == MS_CHECK_FAIL ? "fail" : "not checked";
}

static cJSON *pair_json(const struct pair *p, int64_t at, const char *mode)
{
	cJSON *o = cJSON_CreateObject(), *arr, *r, *m;
	char when[32];

	if (!o)
		return NULL;
	if (p->expected_path)
		cJSON_AddStringToObject(o, "expected", p->expected_path);
	else
		cJSON_AddNullToObject(o, "expected");
	cJSON_AddStringToObject(o, "evidence", p->evidence_path);
	cJSON_AddStringToObject(o, "type", ms_evidence_type_name(p->e.type));
	arr = cJSON_AddArrayToObject(o, "checks");
	for (size_t i = 0; i < p->checks.n; i++) {
		const struct ms_check *k = &p->checks.v[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "what", k->what);
		cJSON_AddStringToObject(j, "expected", k->expected);
		cJSON_AddStringToObject(j, "found", k->found);
		cJSON_AddBoolToObject(j, "pass", k->state == MS_CHECK_PASS);
		cJSON_AddStringToObject(j, "state", state_name(k->state));
		if (k->first_diff >= 0)
			cJSON_AddNumberToObject(j, "first_differing_byte", (double)k->first_diff);
		cJSON_AddItemToArray(arr, j);
	}
	cJSON_AddBoolToObject(o, "verified", p->verified);
	if (p->error)
		cJSON_AddStringToObject(o, "error", p->error);
	cJSON_AddBoolToObject(o, "matched", p->status == MS_OK);
	if (!p->verified)
		return o;
	r = cJSON_AddObjectToObject(o, "receipt");
	cJSON_AddStringToObject(r, "mode", mode);
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
	if (p->ev.type == MS_EVIDENCE_TDX) /* a TDX quote, or the one inside Azure vTPM evidence */
		cJSON_AddItemToObject(r, "tcb", tcb_cli_json(&p->ev));
	return o;
}

static int print_json(const struct ctx *c, const struct pair *pairs, size_t n, int rc)
{
	cJSON *out = cJSON_CreateObject(), *arr, *receipt;
	char when[32];
	int wrc;

	if (!out)
		return 2;
	cJSON_AddStringToObject(out, "verdict", verdict_name(rc));
	cJSON_AddNumberToObject(out, "exit_code", rc);
	arr = cJSON_AddArrayToObject(out, "results");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, pair_json(&pairs[i], pairs[i].ev.has_timestamp && c->vo.at_evidence
									? pairs[i].ev.timestamp : c->vo.at,
							       c->fetch ? "fetch" : "offline"));
	receipt = cJSON_AddObjectToObject(out, "receipt");
	/* "fetch": collateral may have been downloaded (--fetch) */
	cJSON_AddStringToObject(receipt, "mode", c->fetch ? "fetch" : "offline");
	cJSON_AddStringToObject(receipt, "verdict", rc == 0 ? "match" : "no match");
	ms_format_time((int64_t)time(NULL), when);
	cJSON_AddStringToObject(receipt, "compared_at", when);
	arr = cJSON_AddArrayToObject(receipt, "evidence_sha256");
	for (size_t i = 0; i < n; i++) {
		char hex[65];

		ms_hex_encode(pairs[i].ev.sha256, 32, hex);
		cJSON_AddItemToArray(arr, cJSON_CreateString(hex));
	}
	wrc = cli_write_json("compare", out);
	cJSON_Delete(out);
	return wrc;
}

static void print_check_shown(FILE *f, const struct ms_check *k)
{
	if (k->state == MS_CHECK_NOT_CHECKED) {
		fprintf(f, "  --   %-26s not checked: %s\n", k->what, k->found);
	} else if (k->state == MS_CHECK_FAIL && k->first_diff >= 0) {
		/* both full values, and a mark under the first differing byte */
		fprintf(f, "  FAIL %s (first difference at byte %ld)\n", k->what, k->first_diff);
		fprintf(f, "         expected %s\n", k->expected);
		fprintf(f, "         found    %s\n", k->found);
		fprintf(f, "                  %*s^\n", (int)(2 * k->first_diff), "");
	} else if (k->state == MS_CHECK_PASS && !strcmp(k->expected, k->found) && strlen(k->expected) > 42) {
		fprintf(f, "  ok   %-26s %s\n", k->what, k->found);
	} else {
		fprintf(f, "  %-4s %-26s %-42s %s\n", k->state == MS_CHECK_PASS ? "ok" : "FAIL", k->what, k->expected,
			k->found);
	}
}

/* A check's values can quote the evidence (claims, names): printed with control bytes escaped. */
static void print_check(FILE *f, const struct ms_check *k)
{
	struct ms_check shown = *k;

	shown.what = k->what ? ms_text_escape_dup(k->what) : NULL;
	shown.expected = k->expected ? ms_text_escape_dup(k->expected) : NULL;
	shown.found = k->found ? ms_text_escape_dup(k->found) : NULL;
	if ((k->what && !shown.what) || (k->expected && !shown.expected) || (k->found && !shown.found))
		fprintf(f, "  (out of memory)\n");
	else
		print_check_shown(f, &shown);
	free(shown.what);
	free(shown.expected);
	free(shown.found);
}

static int print_text(const struct pair *pairs, size_t n, int rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int wrc;

	if (!f) {
		fprintf(stderr, "measure: compare: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pair *p = &pairs[i];

		if (p->expected_path)
			fprintf(f, "%s against %s (%s)\n", p->evidence_path, p->expected_path, ms_evidence_type_name(p->e.type));
		else
			fprintf(f, "%s against the policy (%s)\n", p->evidence_path, ms_evidence_type_name(p->e.type));
		for (size_t k = 0; k < p->checks.n; k++)
			print_check(f, &p->checks.v[k]);
		fprintf(f, "  => %s\n", !p->verified ? "NOT VERIFIED" : p->status == MS_OK ? "MATCH"
						   : p->status == MS_MISMATCH ? "MISMATCH" : "NOT COMPARED");
	}
	if (rc == 0)
		fprintf(f, "all evidence verified and matched\n");
	else
		fprintf(f, "not a match (exit %d)\n", rc);
	if (fclose(f) || !text) {
		free(text);
		fprintf(stderr, "measure: compare: out of memory\n");
		return 2;
	}
	wrc = cli_write("compare", text);
	free(text);
	return wrc;
}

/* --vcek or --certs: before the first file, for every pair (once); after one, for the next evidence. */
static int collateral_opt(struct ctx *c, struct collateral *global, size_t nargs, struct collateral **pending,
			  const char *opt, const char *path)
{
	if (!nargs) {
		if (global->path)
			return cli_usage("compare", "%s given twice before the first file: put a per-pair %s just before "
						    "that pair's EVIDENCE", opt, opt);
		global->path = path;
		return 0;
	}
	if (*pending)
		return cli_usage("compare", "two %s for the same EVIDENCE", opt);
	*pending = &c->local[c->nlocal++];
	(*pending)->path = path;
	return 0;
}

/* path names the file standard input is (as /dev/stdin or /proc/self/fd/0 do). */
static bool same_file_as_stdin(const struct compare_batch_line *line, const char *path)
{
	struct stat st;

	return !stat(path, &st) && st.st_dev == line->stdin_dev && st.st_ino == line->stdin_ino;
}

/* A word that would read the batch itself when it comes from standard input. */
static bool reads_stdin(const struct compare_batch_line *line, const char *path)
{
	return !strcmp(path, "-") || (line->batch_on_stdin && same_file_as_stdin(line, path));
}

/*
 * A file argument that is standard input: read once on a command line; never
 * in a batch line, where it would read the batch itself when the batch comes
 * from standard input (and the lines after it would never run).
 */
static int stdin_check(const struct compare_batch_line *line, const char *path, unsigned *stdin_used)
{
	if (line && reads_stdin(line, path))
		return cli_usage("compare", "'%.64s' has no place in a batch line (standard input is not a file of the batch)",
				 path);
	if (!strcmp(path, "-") && (*stdin_used)++)
		return cli_usage("compare", "'-' (standard input) given twice: it can be read once");
	return 0;
}

/* --batch: the line's result, one line of text or one JSON object, into line->result. */
static int batch_result(struct compare_batch_line *line, const struct ctx *c, const struct pair *p, int rc,
			const char *root_path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (line->json) {
		cJSON *o = cJSON_CreateObject();

		if (!o)
			return 2;
		cJSON_AddNumberToObject(o, "line", (double)line->number);
		cJSON_AddNumberToObject(o, "exit_code", rc);
		cJSON_AddStringToObject(o, "verdict", verdict_name(rc));
		cJSON_AddItemToObject(o, "result", pair_json(p, p->ev.has_timestamp && c->vo.at_evidence ? p->ev.timestamp
													   : c->vo.at,
							  c->fetch ? "fetch" : "offline"));
		line->result = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		return line->result ? 0 : 2;
	}
	if (!(f = open_memstream(&text, &len)))
		return 2;
	fprintf(f, "line %lu: %s (exit %d): %s against %s (%s)", line->number, verdict_name(rc), rc, p->evidence_path,
		p->expected_path ? p->expected_path : "the policy", ms_evidence_type_name(p->e.type));
	if (p->error) {
		fprintf(f, ": %s", p->error);
	} else if (p->status == MS_MISMATCH) {
		const char *sep = ": differs: ";

		for (size_t k = 0; k < p->checks.n; k++)
			if (p->checks.v[k].state == MS_CHECK_FAIL) {
				fprintf(f, "%s%s", sep, p->checks.v[k].what);
				sep = ", ";
			}
	}
	if (root_path) /* as the plain command says on standard error */
		fprintf(f, " (pinned root replaced by %s)", root_path);
	if (fclose(f) || !text) {
		free(text);
		return 2;
	}
	line->result = text;
	return 0;
}

int compare_run(int argc, char **argv, struct compare_batch_line *line)
{
	enum { OPT_POLICY = 256, OPT_CACHE, OPT_FETCH, OPT_BASE_URL, OPT_CA_FILE };
	/* --vcek and --certs are placed per pair here; the rest is parsed as for pin (verify_opts.c) */
	static const struct option options[] = {
		VERIFY_OPTIONS,
		TPM_CLI_OPTIONS,
		{ "json", no_argument, NULL, 'j' },		  { "quiet", no_argument, NULL, 'q' },
		{ "policy", required_argument, NULL, OPT_POLICY }, { "help", no_argument, NULL, 'h' },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "fetch", no_argument, NULL, OPT_FETCH },
		{ "base-url", required_argument, NULL, OPT_BASE_URL },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { 0 };
	struct verify_opts v;
	struct arg *args = NULL;
	struct pair *pairs = NULL;
	size_t nargs = 0, npairs = 0, pending_expected = 0;
	struct collateral *pend_vcek = NULL, *pend_certs = NULL, *carry_vcek = NULL, *carry_certs = NULL;
	cJSON *policy = NULL;
	struct ms_err err = { 0 };
	enum ms_status worst = MS_OK;
	bool have_expected = false, fetch_options = false;
	char *cache_owned = NULL;
	int opt, rc = 2;
	unsigned stdin_used = 0;

	verify_opts_init(&v, "compare");
	c.tpm.verb = "compare";

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strncmp(argv[i], "--image-digest", 14) || !strncmp(argv[i], "--cosign-", 9))
			return line ? cli_usage("compare", "%.64s has no place in a --batch line", argv[i])
				    : cmd_compare_image(argc, argv);
	/* every argument is at most one file or one collateral option: argc bounds both lists */
	args = calloc((size_t)argc + 1, sizeof(*args));
	c.local = calloc((size_t)argc + 1, sizeof(*c.local));
	pairs = calloc((size_t)argc + 1, sizeof(*pairs));
	if (!args || !c.local || !pairs) {
		fprintf(stderr, "measure: compare: out of memory\n");
		goto out;
	}
	optind = 0;
	opterr = 0;
	/* "-": files come back in place (as 1), so a --vcek between pairs is known to follow a file */
	while ((opt = getopt_long(argc, argv, "-:jqh", options, NULL)) != -1) {
		/* an option's file can be standard input as well (ms_file_load reads "-") */
		if (line && opt != 1 && optarg && opt != VOPT_NONCE && opt != TOPT_NONCE && reads_stdin(line, optarg)) {
			rc = cli_usage("compare", "'%.64s' has no place in a batch line (standard input is not a file of the batch)",
				       optarg);
			goto out;
		}
		switch (opt) {
		case 1:
			if ((rc = stdin_check(line, optarg, &stdin_used)))
				goto out;
			args[nargs].path = optarg;
			args[nargs].vcek = pend_vcek;
			args[nargs].certs = pend_certs;
			pend_vcek = pend_certs = NULL;
			nargs++;
			break;
		case VOPT_VCEK:
			if ((rc = collateral_opt(&c, &c.gvcek, nargs, &pend_vcek, "--vcek", optarg)))
				goto out;
			break;
		case VOPT_CERTS:
			if ((rc = collateral_opt(&c, &c.gcerts, nargs, &pend_certs, "--certs", optarg)))
				goto out;
			break;
		case OPT_CACHE:
			if (c.cache_dir) {
				rc = cli_usage("compare", "--cache given twice: it takes one value");
				goto out;
			}
			c.cache_dir = optarg;
			break;
		case OPT_POLICY:
			if (c.policy_path) {
				rc = cli_usage("compare", "one --policy");
				goto out;
			}
			c.policy_path = optarg;
			break;
		case OPT_FETCH: c.fetch = true; break;
		case OPT_BASE_URL:
			if ((rc = cli_base_url("compare", &c.fo, optarg)))
				goto out;
			fetch_options = true;
			break;
		case OPT_CA_FILE:
			if (c.fo.http.ca_file) {
				rc = cli_usage("compare", "--ca-file given twice: it takes one value");
				goto out;
			}
			c.fo.http.ca_file = optarg;
			fetch_options = true;
			break;
		case 'j':
		case 'q':
		case 'h':
			/* by what getopt made of the word, so abbreviations (--jso) and bundles (-qj) are caught too */
			if (line) {
				rc = cli_usage("compare", "%s has no place in a batch line: give it beside --batch",
					       opt == 'j' ? "--json (-j)" : opt == 'q' ? "--quiet (-q)" : "--help (-h)");
				goto out;
			}
			if (opt == 'j') {
				c.json = true;
				break;
			}
			if (opt == 'q') {
				c.quiet = true;
				break;
			}
			fputs(compare_help, stdout);
			rc = 0;
			goto out;
		default:
			if ((rc = tpm_cli_option(&c.tpm, opt, optarg)) >= 0) {
				if (rc)
					goto out;
				break;
			}
			if ((rc = verify_opts_parse(&v, opt, optarg)) >= 0) {
				if (rc)
					goto out;
				break;
			}
			rc = cli_bad_option("compare", opt, argv);
			goto out;
		}
	}
	/* after "--", the rest are files too */
	for (; optind < argc; optind++) {
		if ((rc = stdin_check(line, argv[optind], &stdin_used)))
			goto out;
		args[nargs].path = argv[optind];
		args[nargs].vcek = pend_vcek;
		args[nargs].certs = pend_certs;
		pend_vcek = pend_certs = NULL;
		nargs++;
	}
	rc = 2;
	if (pend_vcek || pend_certs) {
		rc = cli_usage("compare", "%s after the last file applies to no EVIDENCE", pend_vcek ? "--vcek" : "--certs");
		goto out;
	}
	if (!nargs) {
		rc = cli_usage("compare", c.policy_path ? "give EVIDENCE" : "give EXPECTED EVIDENCE pairs");
		goto out;
	}
	if (!c.policy_path && nargs % 2) {
		rc = cli_usage("compare", "give EXPECTED EVIDENCE pairs");
		goto out;
	}
	if ((rc = tpm_cli_check(&c.tpm)))
		goto out;
	rc = 2;
	if (fetch_options && !c.fetch) {
		rc = cli_usage("compare", "--base-url and --ca-file apply to --fetch");
		goto out;
	}
	if (c.fetch && !c.cache_dir && !(c.cache_dir = cache_owned = cli_default_cache_dir("compare")))
		goto out;
	if (line)
		v.memo = line->memo;
	if ((rc = verify_opts_load(&v)))
		goto out;
	rc = 2;
	c.vo = v.vo;
	c.vo.chain_cache = line ? line->cache : NULL;
	c.mo = v.mo;
	c.forced = v.forced;
	c.ncrl = v.ncrl;
	if (c.policy_path) {
		uint8_t *text = NULL;
		size_t len;
		bool bad = ms_file_load(c.policy_path, 1 << 20, &text, &len, &err) ||
			   ms_policy_parse((const char *)text, len, &policy, &err);

		free(text);
		if (bad) {
			rc = cli_fail("compare", c.policy_path, &err);
			goto out;
		}
		c.mo.policy = policy;
	}
	/* the files: EXPECTED EVIDENCE pairs; with --policy, EVIDENCE alone too */
	for (size_t i = 0; i < nargs; i++) {
		struct pair *p = &pairs[npairs];

		/* a --vcek / --certs between files is for the next EVIDENCE, even when given before its EXPECTED */
		if ((args[i].vcek && carry_vcek) || (args[i].certs && carry_certs)) {
			rc = cli_usage("compare", "two %s for the same EVIDENCE", args[i].vcek && carry_vcek ? "--vcek" : "--certs");
			goto out;
		}
		carry_vcek = args[i].vcek ? args[i].vcek : carry_vcek;
		carry_certs = args[i].certs ? args[i].certs : carry_certs;

		if ((rc = read_arg(&args[i])))
			goto out;
		rc = 2;
		if (!have_expected && c.policy_path) {
			uint8_t *dec = NULL;
			const uint8_t *data;
			size_t n;
			enum ms_evidence_type t;
			const char *kind = ms_input_kind(args[i].buf, args[i].len);
			/* with --type, anything but expected values is taken for evidence */
			bool evidence = !ms_evidence_open(args[i].buf, args[i].len, MS_EVIDENCE_UNKNOWN, &dec, &data, &n, &t, NULL) ||
					(c.forced && (!kind || strstr(kind, "(evidence)")));

			free(dec);
			if (evidence) {
				p->evidence_path = args[i].path;
				goto evidence;
			}
		}
		if (!have_expected) {
			p->expected_path = args[i].path;
			if ((rc = load_expected(&c, &args[i], p)))
				goto out;
			have_expected = true;
			pending_expected = i;
			continue;
		}
		p->evidence_path = args[i].path;
evidence:
		have_expected = false;
		p->vcek = carry_vcek ? carry_vcek : c.gvcek.path ? &c.gvcek : NULL;
		p->certs = carry_certs ? carry_certs : c.gcerts.path ? &c.gcerts : NULL;
		carry_vcek = carry_certs = NULL;
		if ((rc = load_evidence(&c, p, &args[i])))
			goto out;
		npairs++;
		rc = 2;
		if (p->expected_path && (ms_expected_require_launch(&p->x, c.mo.allow_partial, &err))) {
			fprintf(stderr, "measure: compare: %s: %s (--allow-partial)\n", p->expected_path, err.msg);
			goto out;
		}
		if ((rc = verify_opts_fit(&v, p->evidence_path, p->e.type)))
			goto out;
		rc = 2;
	}
	if (have_expected) {
		rc = cli_usage("compare", "%s has no EVIDENCE after it", args[pending_expected].path);
		goto out;
	}
	if (line && npairs != 1) {
		rc = cli_usage("compare", "a --batch line is one EXPECTED EVIDENCE pair (or one EVIDENCE with --policy), not %zu",
			       npairs);
		goto out;
	}
	if (c.tpm.quote_path && (npairs != 1 || (pairs[0].e.type != MS_EVIDENCE_SNP && pairs[0].e.type != MS_EVIDENCE_TDX))) {
		rc = cli_usage("compare", "a vTPM quote (--tpm-quote) goes with exactly one SNP or TDX EVIDENCE");
		goto out;
	}
	if ((c.tpm.nonce_hex || c.tpm.init_data_path || c.tpm.init_data_hex) && !c.tpm.quote_path)
		for (size_t i = 0; i < npairs; i++)
			if (pairs[i].e.type != MS_EVIDENCE_AZURE_VTPM) {
				rc = cli_usage("compare", "%s without --tpm-quote is for Azure vTPM evidence; %s is not",
					       c.tpm.nonce_hex ? "--tpm-nonce" : c.tpm.init_data_path ? "--init-data"
											  : "--init-data-digest",
					       pairs[i].evidence_path);
				goto out;
			}
	if (tpm_cli_given(&c.tpm)) {
		if ((rc = tpm_cli_load(&c.tpm)))
			goto out;
	}
	if ((rc = load_collateral(&c.gvcek)) || (rc = load_collateral(&c.gcerts)))
		goto out;
	for (size_t i = 0; i < c.nlocal; i++)
		if ((rc = load_collateral(&c.local[i])))
			goto out;
	rc = 2;
	if (v.root_path && !c.quiet && !line)
		fprintf(stderr, "measure: compare: the pinned root is replaced by %s\n", v.root_path);

	/* verification and the verdict, pair by pair; the worst outcome decides, whatever the order */
	for (size_t i = 0; i < npairs; i++) {
		verify_and_match(&c, &pairs[i]);
		worst = ms_status_worst(worst, pairs[i].status);
	}
	if (v.crls) {
		uint32_t used = 0;
		bool all_verified = true;

		for (size_t i = 0; i < npairs; i++) {
			used |= pairs[i].ev.crls_used_mask;
			all_verified &= pairs[i].verified;
		}
		/* each --crl must have played its part; one that did not means the command line is not what was meant */
		for (size_t i = 0; all_verified && i < v.ncrl; i++)
			if (!(used >> i & 1)) {
				if (!c.quiet)
					fprintf(stderr, "measure: compare: %s: this CRL is issued by no certificate of any chain checked\n",
						v.crl_paths[i]);
				worst = ms_status_worst(worst, MS_USAGE);
			}
	}
	rc = ms_exit_code(worst);
	if (line) { /* the batch prints it; bad input is told by the one-line error above */
		if (rc != 2 && batch_result(line, &c, &pairs[0], rc, v.root_path))
			rc = 2;
		goto out;
	}
	if (c.quiet || rc == 2) /* bad input: the one-line errors above, nothing on stdout */
		goto out;
	if (c.json ? print_json(&c, pairs, npairs, rc) : print_text(pairs, npairs, rc))
		rc = 2;
out:
	for (size_t i = 0; pairs && i < npairs + 1 && i <= (size_t)argc; i++) {
		evidence_free(&pairs[i].e);
		ms_checks_free(&pairs[i].checks);
		free(pairs[i].error);
		cJSON_Delete(pairs[i].policy);
		tcb_cli_free(&pairs[i].tcb);
		ms_azure_vtpm_free(&pairs[i].az);
	}
	for (size_t i = 0; c.local && i < c.nlocal; i++)
		free(c.local[i].bytes);
	free(c.local);
	free(c.gvcek.bytes);
	free(c.gcerts.bytes);
	for (size_t i = 0; args && i < nargs; i++)
		free(args[i].buf);
	free(args);
	free(pairs);
	cJSON_Delete(policy);
	verify_opts_free(&v);
	tpm_cli_free(&c.tpm);
	free(cache_owned);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--batch") || !strncmp(argv[i], "--batch=", 8))
			return cmd_compare_batch(argc, argv);
	return compare_run(argc, argv, NULL);
}
