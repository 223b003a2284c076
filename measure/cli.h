/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

/* Subcommand entry points: argv[0] is the verb. Return the exit code. */
int cmd_eif(int argc, char **argv);
int cmd_eif_build(int argc, char **argv);
int cmd_snp(int argc, char **argv);
int cmd_snp_id_block(int argc, char **argv);
int cmd_tdx(int argc, char **argv);
/* A TDX transcript event's text: a missing input is named by its option (in cmd_tdx.c). */
struct ms_tdx_event;
const char *tdx_event_text(const struct ms_tdx_event *e, char *buf, size_t cap);
int cmd_tdx_eventlog(int argc, char **argv);
int cmd_tpm(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_pin(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_compare_image(int argc, char **argv);
int cmd_eif_sign(int argc, char **argv);
int cmd_eif_ramdisk(int argc, char **argv);
struct ms_ramdisk_info;
/* The customer ramdisk of an image path, or the bootstrap ramdisk of DIR/init and DIR/nsm.ko, into out_fd
 * (a regular file); errors printed; returns the exit code. */
int cli_ramdisk_image(const char *verb, const char *image, const char *platform, uint64_t max_size,
		      uint64_t max_unpacked, int out_fd, struct ms_ramdisk_info *info);
/*
 * --max-size and --max-unpacked of eif ramdisk and eif build: 1 (parsed into *max_size or *max_unpacked) when opt
 * is one of them, 0 when it is not, -1 after a usage error (printed). Then cli_ramdisk_limits_done fills the
 * budget for decompressed data when it was not given: twice --max-size (later layers may replace files), at
 * least 64 MiB (tar headers and padding).
 */
#define CLI_OPT_MAX_SIZE 0x1001
#define CLI_OPT_MAX_UNPACKED 0x1002
#define CLI_RAMDISK_LIMIT_OPTIONS                                                                                    \
	{ "max-size", required_argument, NULL, CLI_OPT_MAX_SIZE },                                                   \
	{ "max-unpacked", required_argument, NULL, CLI_OPT_MAX_UNPACKED }
int cli_ramdisk_limit_option(const char *verb, int opt, const char *arg, uint64_t *max_size, uint64_t *max_unpacked);
void cli_ramdisk_limits_done(uint64_t max_size, uint64_t *max_unpacked);
int cli_ramdisk_bootstrap(const char *verb, const char *dir, int out_fd, struct ms_ramdisk_info *info);
struct ms_eif;
/* Prints PCR0, PCR1 and PCR2 of eif, one "PCRn       HEX" line each, as eif build and eif sign report them. */
void cli_print_eif_pcrs(const struct ms_eif *eif);
/* Signs the EIF in (a regular file) into out, then reads out back and verifies it; returns the exit code. */
int cli_eif_sign_file(const char *verb, const char *in, const char *cert, const char *key, const char *out,
		      bool quiet);

/*
 * Size limits of the calculators' inputs (docs/measure.1, LIMITS). Larger
 * inputs, streams included, are refused with exit 2 before they cost more
 * time or memory than the limit.
 */
#define CLI_MAX_FIRMWARE (64ull << 20) /* --ovmf, --svsm, --firmware, --vars */
#define CLI_MAX_KERNEL (256ull << 20)  /* --kernel: held in memory for TDX's Authenticode */
#define CLI_MAX_INITRD (2ull << 30)    /* --initrd: QEMU loads it below 4 GiB */
#define CLI_MAX_ACPI (64ull << 20)     /* --acpi-loader, --acpi-rsdp, --acpi-tables */
#define CLI_MAX_BOOT_ORDER 4096u       /* --boot-order */
#define CLI_MAX_BOOT_ENTRY (1u << 20)  /* --boot-entry */
#define CLI_MAX_EVENT_LOG (16u << 20)  /* measure tdx eventlog FILE */
#define CLI_MAX_CCEL_TABLE 4096u       /* --ccel-table */
#define CLI_MAX_TRANSCRIPT (32u << 20) /* --against: the transcript of a log at both limits fits */

/* "measure: VERB: FILE: message" on stderr; returns the exit code for err. */
int cli_fail(const char *verb, const char *file, const struct ms_err *err);

/* A usage error: message, then a pointer to --help; returns 2. */
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt's '?' or ':': names the offending option; returns 2. */
int cli_bad_option(const char *verb, int opt, char **argv);

/*
 * Parses an unsigned integer (decimal, or hex with 0x) no larger than max;
 * on failure prints a usage error naming the option and returns false.
 */
bool cli_parse_u64(const char *verb, const char *option, const char *text, uint64_t max,
		   uint64_t *out);

/* cli_parse_u64 that writes its message to msg instead of printing it. */
bool cli_u64(const char *option, const char *text, uint64_t max, uint64_t *out, char *msg, size_t msg_len);
/* A size such as 2G, 2048M, 4GiB or 1073741824 (binary units); prints a usage error on failure. */
bool cli_parse_size(const char *verb, const char *option, const char *text, uint64_t *out);
/* Guest RAM in the forms QEMU's -m takes (2G, 2048M, 2048 = MiB); an error names the option. */
bool cli_parse_qemu_memory(const char *verb, const char *option, const char *text, uint64_t *out);

/* Writes text to stdout and flushes; 2 (with a message) when writing fails. */
int cli_write(const char *verb, const char *text);

/* Formats json with ms_json_format and writes it; frees nothing. */
int cli_write_json(const char *verb, const cJSON *json);

/* Progress on stderr for large inputs, only when stderr is a terminal. */
struct cli_progress {
	const char *verb, *file;
	bool enabled, shown;
	unsigned last_step;
};
void cli_progress_init(struct cli_progress *p, const char *verb, const char *file,
		       unsigned long long size);
void cli_progress_update(uint64_t done, uint64_t total, void *arg);
void cli_progress_end(struct cli_progress *p);

#endif
