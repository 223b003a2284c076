/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_OUTPUT_OPTS_H
#define MS_OUTPUT_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

/*
 * The output options every calculator shares (measure eif, snp, tdx, image):
 * --json, --format NAME, --env-prefix P, -q and -h, parsed and printed in one
 * place. A command lists OUTPUT_OPTIONS in its getopt table, passes every
 * option to output_option first, and prints its manifest with output_manifest
 * when output_wants_manifest says so.
 */
#define OUTPUT_OPT_FORMAT 0x4f01
#define OUTPUT_OPT_ENV_PREFIX 0x4f02
#define OUTPUT_OPTIONS                                                                                                 \
	{ "json", no_argument, NULL, 'j' }, { "format", required_argument, NULL, OUTPUT_OPT_FORMAT },                 \
		{ "env-prefix", required_argument, NULL, OUTPUT_OPT_ENV_PREFIX }, { "quiet", no_argument, NULL, 'q' }, \
		{ "help", no_argument, NULL, 'h' }

#define OUTPUT_HELP                                                                                                    \
	"  -j, --json           print the expected-value manifest (measure/v1)\n"                                    \
	"      --format NAME    text (default), json, or an export: rvps (trustee RVPS\n"                           \
	"                       message), intoto (in-toto Statement v1), env (KEY=VALUE),\n"                         \
	"                       kms (AWS KMS key-policy condition), cocos (attestation\n"                             \
	"                       policy), go-sev-guest (check.Config textproto); see\n"                              \
	"                       docs/formats.md\n"                                                                    \
	"      --env-prefix P   the variable prefix of --format env (default EXPECTED_)\n"                          \
	"  -q, --quiet          print nothing; the exit code tells\n"                                                 \
	"  -h, --help           show this help\n"

struct output_opts {
	const char *verb, *help;
	const char *const *own; /* the command's own formats besides text and json, NULL-terminated, or NULL */
	const char *format;     /* "text", "json", an export or an own format */
	const char *env_prefix;
	bool quiet;
};

void output_init(struct output_opts *o, const char *verb, const char *help, const char *const *own);

/*
 * 0: opt is not an output option; 1: handled; -1: done, *rc is the exit code
 * (help printed: 0; a usage error printed: 2).
 */
int output_option(struct output_opts *o, int opt, const char *arg, int *rc);

/* After parsing: a usage error (printed, 2) for --env-prefix without --format env; else 0. */
int output_check(const struct output_opts *o);

bool output_is(const struct output_opts *o, const char *format);
/* json or an export: the command builds its manifest and calls output_manifest. */
bool output_wants_manifest(const struct output_opts *o);
/* Prints manifest as --json or in the export format; returns the exit code (errors printed). */
int output_manifest(const struct output_opts *o, const cJSON *manifest);

#endif
