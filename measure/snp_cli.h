/* SPDX-License-Identifier: Apache-2.0 */
/* What cmd_snp.c and cmd_snp_find.c share: the parsed options of one configuration and the input cache. */
#ifndef MS_SNP_CLI_H
#define MS_SNP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/file.h"
#include "../ovmf/published.h"
#include "../ovmf/sev.h"
#include "output_opts.h"

/* Why a configuration failed: an exit code and one line (a usage error, or "FILE: message"). */
struct snp_fail {
	int rc;
	bool usage;
	char msg[800];
};

struct snp_cli {
	const char *ovmf, *svsm, *vars_file, *dump_dir, *vcpu_type, *published, *metadata;
	const char *kernel, *initrd, *append;
	const char *kernel_sha, *initrd_sha, *append_sha;
	const char *batch, *find;
	bool have_vcpus, have_sig, have_family[3], have_vars_size, have_features, have_vmm, have_init2, have_rdx,
		have_mode;
	bool base64, json, explain, verbose, quiet, in_batch;
	struct output_opts out; /* --json, --format, --env-prefix, -q, -h: json and quiet follow it */
	unsigned config_options; /* options other than --batch and --json */
	uint64_t family[3], vars_size;
	struct ms_sev_config cfg;
	FILE *explain_out;
	struct snp_fail fail;
};

/*
 * An input read once per distinct path (and size limit) and kept mapped for the whole run; a
 * kernel or initrd that is not a regular file is hashed as it streams past instead.
 */
struct snp_file {
	char *path;
	uint64_t max;
	struct ms_mapping map;
	bool streamed; /* a pipe or device given as kernel or initrd: hashed as it was read, not kept */
	uint64_t size;
	bool parsed, have_sha256;
	struct ms_ovmf ovmf;
	uint8_t sha256[MS_SHA256_LEN];
};

struct snp_files {
	struct snp_file **v;
	size_t n, cap;
	struct ms_sev_engine *engine;
};

/*
 * What one configuration computes from: the firmware (or what stands for
 * it), the config with the boot inputs' SHA-256 where they were given as
 * such, and the bytes of the boot inputs given as files.
 */
struct snp_prepared {
	const struct ms_ovmf *ovmf;
	struct ms_ovmf published_ovmf;
	struct snp_file *fw, *svsm, *kernel, *initrd;
	struct ms_sev_boot_bytes boot;
	struct ms_snp_published doc;
	uint8_t *pub_data, *meta;
	size_t pub_len, meta_len;
	uint8_t pub_sha256[MS_SHA256_LEN], meta_sha256[MS_SHA256_LEN];
	char kernel_hex[2 * MS_SHA256_LEN + 1], initrd_hex[2 * MS_SHA256_LEN + 1];
};

/* Records a usage error in c->fail; returns false. */
bool snp_usage(struct snp_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records "file: message" in c->fail; returns the exit code. */
int snp_file_fail(struct snp_cli *c, const char *file, const struct ms_err *err);
/* Prints c->fail as measure's one stderr line. */
void snp_report(const struct snp_cli *c);

/* Loads (or finds) the inputs and fills the config; 0 or the exit code (c->fail says why). */
int snp_prepare(struct snp_cli *c, struct snp_files *files, struct snp_prepared *p);
void snp_prepared_free(struct snp_prepared *p);

/* measure snp --find: every searched setting that gives c->find. */
int snp_find(struct snp_cli *c, struct snp_files *files);

#endif
