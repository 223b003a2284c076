/* SPDX-License-Identifier: Apache-2.0 */
/* A vTPM quote given to compare beside SNP or TDX evidence: --tpm-quote --tpm-sig --tpm-ak --tpm-pcrs --tpm-eventlog --tpm-nonce. */
#ifndef MS_TPM_CLI_H
#define MS_TPM_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "../common/file.h"
#include "../compare/tpm.h"
#include "../tdx/events.h"

enum { TOPT_QUOTE = 0x1100, TOPT_SIG, TOPT_AK, TOPT_PCRS, TOPT_EVENTLOG, TOPT_NONCE, TOPT_INIT_DATA, TOPT_INIT_DATA_DIGEST };

#define TPM_CLI_OPTIONS                                                                                       \
	{ "tpm-quote", required_argument, NULL, TOPT_QUOTE }, { "tpm-sig", required_argument, NULL, TOPT_SIG }, \
	{ "tpm-ak", required_argument, NULL, TOPT_AK }, { "tpm-pcrs", required_argument, NULL, TOPT_PCRS },     \
	{ "tpm-eventlog", required_argument, NULL, TOPT_EVENTLOG },                                           \
	{ "tpm-nonce", required_argument, NULL, TOPT_NONCE },                                                 \
	{ "init-data", required_argument, NULL, TOPT_INIT_DATA },                                             \
	{ "init-data-digest", required_argument, NULL, TOPT_INIT_DATA_DIGEST }

#define TPM_CLI_HELP                                                                                          \
	"      --tpm-quote FILE      a vTPM quote beside the SNP or TDX evidence: the TPMS_ATTEST\n"          \
	"                            (tpm2_quote -m); needs --tpm-sig, --tpm-ak and --tpm-pcrs or\n"          \
	"                            --tpm-eventlog; a policy's pcr_values are judged against it\n"          \
	"      --tpm-sig FILE        its TPMT_SIGNATURE (tpm2_quote -s)\n"                                    \
	"      --tpm-ak FILE         the attestation key (PEM/DER public key, TPM2B_PUBLIC); trusted as\n"   \
	"                            given: nothing in SNP or TDX evidence binds it\n"                       \
	"      --tpm-pcrs FILE       the PCR values (tpm2_quote -o, or {\"sha256\": {\"0\": \"hex\"}})\n"    \
	"      --tpm-eventlog LOG    or a TCG PC Client event log replayed into the PCRs\n"                  \
	"      --tpm-nonce HEX       the qualifying data the quote must carry (also for Azure vTPM\n"  \
	"                            evidence, which carries its own quote)\n"                             \
	"      --init-data FILE      trustee's init data: the quoted sha256 PCR8 must be\n"                 \
	"                            SHA-256(32 zero bytes || SHA-256(FILE)) (Azure vTPM evidence);\n"     \
	"                            the TOML's algorithm must be sha256 (sha384/sha512: exit 5)\n"        \
	"      --init-data-digest HEX  the same from the init data's SHA-256 digest (32 bytes)\n"

struct tpm_cli {
	const char *verb;
	const char *quote_path, *sig_path, *ak_path, *pcrs_path, *log_path, *nonce_hex;
	const char *init_data_path, *init_data_hex;
	/* loaded by tpm_cli_load */
	struct ms_mapping msg;
	TPMT_SIGNATURE sig;
	EVP_PKEY *ak;
	struct ms_tpm_pcrs *values;
	uint8_t nonce[64];
	bool has_init_data;
	uint8_t init_data_digest[32]; /* SHA-256 of the init data */
	char ak_source[192];
	struct ms_tpm_evidence in; /* points into the above */
};

/* 0 when taken, 2 after a usage error, -1 when opt is not a --tpm-* option. */
int tpm_cli_option(struct tpm_cli *t, int opt, const char *arg);
bool tpm_cli_given(const struct tpm_cli *t);
/* The combination of options: 0 or 2 (message printed). */
int tpm_cli_check(const struct tpm_cli *t);
/* Checks the combination and loads the files: 0 or the exit code (message printed). */
int tpm_cli_load(struct tpm_cli *t);
void tpm_cli_free(struct tpm_cli *t);

/* The PCRs a replayed PC Client log determines: those it extended and those that stay at their reset value. */
void tpm_cli_log_pcrs(const struct ms_pcr_log *log, struct ms_tpm_pcrs *out);

#endif
