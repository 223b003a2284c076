/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "../common/json.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "eif", cmd_eif, "PCR0/1/2 (and PCR8) of an AWS Nitro Enclaves image (EIF)" },
	{ "snp", cmd_snp, "AMD SEV, SEV-ES and SEV-SNP launch digests" },
	{ "tdx", cmd_tdx, "Intel TDX MRTD and RTMR0-3, and CC event-log replay" },
	{ "tpm", cmd_tpm, "verify a TPM 2.0 quote offline (signature, nonce, PCR digest)" },
	{ "image", cmd_image, "manifest and config digests of an OCI or docker-archive image" },
	{ "inspect", cmd_inspect, "decode a Nitro document, SNP report or TDX quote to JSON" },
	{ "compare", cmd_compare, "verify evidence offline and compare it with expected values" },
	{ "fetch", cmd_fetch, "download the vendor collateral evidence needs into a cache" },
	{ "pin", cmd_pin, "first-use pins checked against recomputed values, in a transparency log" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: measure <command> [options] [arguments]\n\n"
		     "Recompute TEE launch measurements from build artifacts, offline.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'measure <command> --help' describes a command; 'man measure' all of them.\n"
		     "Exit codes: 0 ok, 1 mismatch, 2 bad input or usage, 3 signature or chain,\n"
		     "4 collateral missing, 5 unsupported.\n");
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;

	if (!verb) {
		fprintf(stderr, "measure: no command given (see 'measure --help')\n");
		return 2;
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
		if (!strcmp(verb, "help") && argc > 2) {
			char *sub[] = { argv[2], "--help", NULL };

			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (!strcmp(argv[2], commands[i].name))
					return commands[i].run(2, sub);
			fprintf(stderr, "measure: unknown command '%s'\n", argv[2]);
			return 2;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(verb, "--version") || !strcmp(verb, "-V")) {
		printf("measure %s\n", MS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(verb, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "measure: unknown command '%s' (see 'measure --help')\n", verb);
	return 2;
}
