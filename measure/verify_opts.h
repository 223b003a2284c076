/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The options that decide how evidence is verified and matched, shared by
 * 'measure compare' and the 'measure pin' verbs so that a pin check is judged
 * exactly as compare judges it: --type --at --nonce --report-data-prefix
 * --allow-partial --allow-debug --root --crl, the TDX TCB options --tcb-info --qe-identity
 * --tcb-issuer-chain --accept-tcb --min-tcb-date --require-tcb (and, for pin, --vcek --certs).
 */
#ifndef MS_VERIFY_OPTS_H
#define MS_VERIFY_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "../compare/azure.h"
#include "../compare/match.h"
#include "evidence_io.h"
#include "tcb_cli.h"

#define VERIFY_MAX_CRLS 8

enum {
	VOPT_TYPE = 0x1000, VOPT_AT, VOPT_NONCE, VOPT_PREFIX, VOPT_PARTIAL, VOPT_DEBUG, VOPT_ROOT, VOPT_CRL,
	VOPT_VCEK, VOPT_CERTS, VOPT_TCB_INFO, VOPT_QE_IDENTITY, VOPT_TCB_CHAIN, VOPT_ACCEPT_TCB, VOPT_MIN_TCB_DATE,
	VOPT_REQUIRE_TCB, VOPT_JWKS, VOPT_ISSUER,
};

/* getopt_long entries (no terminator), for the option tables of compare and pin. */
#define VERIFY_OPTIONS                                                                                              \
	{ "type", required_argument, NULL, VOPT_TYPE }, { "at", required_argument, NULL, VOPT_AT },                 \
	{ "nonce", required_argument, NULL, VOPT_NONCE }, { "report-data-prefix", no_argument, NULL, VOPT_PREFIX }, \
	{ "allow-partial", no_argument, NULL, VOPT_PARTIAL }, { "allow-debug", no_argument, NULL, VOPT_DEBUG },     \
	{ "root", required_argument, NULL, VOPT_ROOT }, { "crl", required_argument, NULL, VOPT_CRL },               \
	{ "vcek", required_argument, NULL, VOPT_VCEK }, { "certs", required_argument, NULL, VOPT_CERTS },           \
	{ "tcb-info", required_argument, NULL, VOPT_TCB_INFO },                                                     \
	{ "qe-identity", required_argument, NULL, VOPT_QE_IDENTITY },                                               \
	{ "tcb-issuer-chain", required_argument, NULL, VOPT_TCB_CHAIN },                                            \
	{ "accept-tcb", required_argument, NULL, VOPT_ACCEPT_TCB },                                                 \
	{ "min-tcb-date", required_argument, NULL, VOPT_MIN_TCB_DATE },                                             \
	{ "require-tcb", no_argument, NULL, VOPT_REQUIRE_TCB },                                                     \
	{ "jwks", required_argument, NULL, VOPT_JWKS }, { "issuer", required_argument, NULL, VOPT_ISSUER }

/* The help lines of the TDX TCB options, in compare's help and in verify_opts_help. */
#define VERIFY_TCB_HELP \
	"      --tcb-info FILE       TDX: Intel's TCB info (PCS body, TCB Info v3) for the\n" \
	"                            platform's FMSPC; its issuer chain is FILE.issuer-chain\n" \
	"                            or --tcb-issuer-chain\n" \
	"      --qe-identity FILE    TDX: Intel's QE identity (PCS body, v2); issuer chain as above\n" \
	"      --tcb-issuer-chain FILE  the TCB-Info-Issuer-Chain / SGX-Enclave-Identity-Issuer-Chain\n" \
	"                            header value (PEM, URL-encoded or plain), for both files\n" \
	"      --accept-tcb LIST     TCB statuses that pass (comma-separated; default UpToDate):\n" \
	"                            UpToDate, SWHardeningNeeded, ConfigurationNeeded,\n" \
	"                            ConfigurationAndSWHardeningNeeded, OutOfDate,\n" \
	"                            OutOfDateConfigurationNeeded, Revoked\n" \
	"      --min-tcb-date TIME   fail a TCB level dated before TIME (RFC 3339)\n" \
	"      --require-tcb         a TDX quote must be judged by Intel collateral (exit 4 without)\n"

/* The help lines of the MAA token options. */
#define VERIFY_MAA_HELP \
	"      --jwks FILE           MAA token: the attestation instance's signing keys (JWKS,\n" \
	"                            from its /certs); the token's kid picks the RS256 key\n" \
	"      --issuer URL          MAA token: its \"iss\" must be URL (the instance)\n"

/* The help lines of those options. */
extern const char verify_opts_help[];

/*
 * Files --root and --crl name, parsed once for a whole --batch run, shared by
 * reference with every line's options. Each line reads the file again: the
 * parsed form is reused only while the SHA-256 of its bytes is the same, so a
 * file replaced while a batch streams in is read anew.
 */
#define VERIFY_MEMO_MAX 32
struct verify_memo {
	struct {
		char *path;
		uint8_t sha256[32];
		X509_CRL *crl;
	} crl[VERIFY_MEMO_MAX];
	struct {
		char *path;
		uint8_t sha256[32];
		STACK_OF(X509) *chain;
	} root[VERIFY_MEMO_MAX];
	unsigned ncrl, nroot;
};
void verify_memo_free(struct verify_memo *m);

struct verify_opts {
	const char *verb;
	struct verify_memo *memo;        /* NULL, or files already loaded in this run */
	struct ms_verify_options vo;
	struct ms_match_options mo;
	enum ms_evidence_type forced;
	const char *root_path, *nonce_hex, *vcek_path, *certs_path;
	const char *tcb_info_path, *qe_path, *tcb_chain_path;
	const char *jwks_path;
	struct ms_tcb_policy tcb_policy; /* mo.tcb points here */
	struct tcb_cli tcb;              /* --tcb-info and --qe-identity, loaded; vo.tcb points here */
	const char *crl_paths[VERIFY_MAX_CRLS];
	size_t ncrl;
	unsigned at_given;
	uint32_t given;                  /* the single-valued options seen, one bit each */
	/* loaded by verify_opts_load */
	uint8_t *nonce, *vcek, *certs, *jwks;
	size_t vcek_len, certs_len, jwks_len;
	STACK_OF(X509_CRL) *crls;
	STACK_OF(X509) *root_chain;
};

void verify_opts_init(struct verify_opts *o, const char *verb);
/* Takes one option: 0 when taken, 2 after a usage error, -1 when opt is none of these. */
int verify_opts_parse(struct verify_opts *o, int opt, const char *arg);
/* Checks the combination and loads --nonce, --root, --crl, --vcek, --certs: 0 or an exit code (message printed). */
int verify_opts_load(struct verify_opts *o);
void verify_opts_free(struct verify_opts *o);
/* Per evidence: --at evidence and --nonce lengths that the evidence type refuses; 0 or 2 (message printed). */
int verify_opts_fit(const struct verify_opts *o, const char *path, enum ms_evidence_type type);

/* One piece of evidence verified and matched against expected values. */
struct verify_result {
	struct loaded_evidence e;
	struct ms_evidence ev;
	struct ms_checks checks;
	bool verified;          /* signature, chain and time held */
	enum ms_status status;  /* MS_OK, MS_MISMATCH, or why verification or matching failed */
	struct ms_err err;      /* the message when status is neither MS_OK nor MS_MISMATCH */
	struct ms_azure_vtpm az; /* Azure vTPM evidence, decoded (ev points into it) */
};

/* Verifies e (loaded) and matches it against x, as compare does; fills r. */
void verify_and_match_one(const struct verify_opts *o, const struct ms_expected *x, struct verify_result *r);
void verify_result_free(struct verify_result *r);

#endif
