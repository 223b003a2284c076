/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TDX_EVENTS_H
#define MS_TDX_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../common/digest.h"
#include "tdvf.h"

/* TCG event types that TDVF, OVMF and Linux log. */
#define MS_EV_POST_CODE 0x1u
#define MS_EV_NO_ACTION 0x3u
#define MS_EV_SEPARATOR 0x4u
#define MS_EV_ACTION 0x5u
#define MS_EV_EVENT_TAG 0x6u
#define MS_EV_PLATFORM_CONFIG_FLAGS 0xau
#define MS_EV_IPL 0xdu
#define MS_EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001u
#define MS_EV_EFI_VARIABLE_BOOT 0x80000002u
#define MS_EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define MS_EV_EFI_BOOT_SERVICES_DRIVER 0x80000004u
#define MS_EV_EFI_GPT_EVENT 0x80000006u
#define MS_EV_EFI_ACTION 0x80000007u
#define MS_EV_EFI_PLATFORM_FIRMWARE_BLOB 0x80000008u
#define MS_EV_EFI_HANDOFF_TABLES 0x80000009u
#define MS_EV_EFI_PLATFORM_FIRMWARE_BLOB2 0x8000000au
#define MS_EV_EFI_HANDOFF_TABLES2 0x8000000bu
#define MS_EV_EFI_VARIABLE_BOOT2 0x8000000cu
#define MS_EV_EFI_VARIABLE_AUTHORITY 0x800000e0u

const char *ms_tcg_event_type_name(uint32_t type);

/* An input an event can need; its name (ms_tdx_input_name) is the same word in every interface. */
enum ms_tdx_input {
	MS_TDX_INPUT_NONE,
	MS_TDX_INPUT_MEMORY,
	MS_TDX_INPUT_SECURE_BOOT,
	MS_TDX_INPUT_ACPI_LOADER,
	MS_TDX_INPUT_ACPI_RSDP,
	MS_TDX_INPUT_ACPI_TABLES,
	MS_TDX_INPUT_KERNEL,
	MS_TDX_INPUT_QEMU_VERSION,
	MS_TDX_INPUT_CMDLINE,
	MS_TDX_INPUT_COUNT
};

/* "memory", "secure-boot", "acpi-loader", ...; NULL for MS_TDX_INPUT_NONE. */
const char *ms_tdx_input_name(enum ms_tdx_input input);

/* Why an event was not computed: the input it needs, and what that input decides. */
struct ms_tdx_missing {
	enum ms_tdx_input needs;
	const char *why; /* or NULL */
};

/* One RTMR extension, computed or read from a log. */
struct ms_tdx_event {
	unsigned rtmr; /* 0..3 */
	uint32_t type;
	char description[160];
	bool computed;  /* false: an input was missing; needs (and why) say which, when known */
	enum ms_tdx_input needs;
	char why[128];
	uint8_t digest[MS_SHA384_LEN];
};

struct ms_tdx_log {
	struct ms_tdx_event *events;
	size_t n, cap;
};

enum ms_status ms_tdx_log_add(struct ms_tdx_log *log, unsigned rtmr, uint32_t type,
			      const uint8_t *digest, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* An event not computed because an input is missing. */
enum ms_status ms_tdx_log_add_missing(struct ms_tdx_log *log, unsigned rtmr, uint32_t type,
				      const struct ms_tdx_missing *missing, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void ms_tdx_log_free(struct ms_tdx_log *log);

/* Replays the log: registers whose every event is computed are marked known. */
void ms_tdx_log_replay(const struct ms_tdx_log *log, uint8_t rtmr[4][MS_SHA384_LEN], bool known[4]);

/* {"events": [{register, type, type_value, description, digest|null}]}, shared by both transcripts. */
cJSON *ms_tdx_log_json(const struct ms_tdx_log *log);
/* One element of that "events" array. */
cJSON *ms_tdx_event_json(const struct ms_tdx_event *e);
/* Reads that JSON back (for --against). */
enum ms_status ms_tdx_log_from_json(const cJSON *json, struct ms_tdx_log *log, struct ms_err *err);

/*
 * What QEMU direct boot with OVMF measures; NULL inputs are missing. tdvf may
 * be NULL (the firmware is not at hand): RTMR0 is then not computed.
 */
struct ms_tdx_boot {
	const struct ms_tdvf *tdvf;
	uint64_t memory; /* 0: not given */
	const uint8_t *acpi_loader, *acpi_rsdp, *acpi_tables;
	size_t acpi_loader_len, acpi_rsdp_len, acpi_tables_len;
	const uint8_t *boot_order; /* NULL: OVMF's default (one entry, Boot0000 = UiApp) */
	size_t boot_order_len;
	const uint8_t *const *boot_entries; /* Boot#### data, in BootOrder's order */
	const size_t *boot_entry_lens;
	unsigned nboot_entries;
	int secure_boot;  /* -1: not given; 0 or 1: the SecureBoot variable's value */
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *kernel_digest; /* from ms_tdx_kernel_digest, computed beforehand; or NULL */
	int qemu_major, qemu_minor; /* 0: not given */
	const char *cmdline;        /* NULL: not given */
	/*
	 * The RTMR2 command-line digest when it is published instead of the text:
	 * SHA-384 of the UTF-16LE LoadOptions with their NUL (see rtmr2 in events.c).
	 * With kernel_digest, it makes a direct boot without the kernel file.
	 */
	const uint8_t *cmdline_sha384;
	bool initrd;
	uint64_t initrd_size;
	uint8_t initrd_sha384[MS_SHA384_LEN];
};

/*
 * Whether QEMU major.minor edits a direct-boot kernel's setup header before a
 * TDX guest measures it: every version before 10.2 does. QEMU commit
 * a7542a38f399 ("x86/loader: Don't update kernel header for CoCo VMs",
 * first released in v10.2.0) stopped it for all confidential guests; SEV and
 * SNP guests were exempt long before (their kernel hashes table has always
 * hashed the file as given), so only TDX follows this rule.
 */
bool ms_qemu_patches_tdx_kernel(int major, int minor);

/*
 * The kernel's RTMR1 digest (Authenticode, after QEMU's edits when it makes
 * them). *computed is false, with the reason in *missing, when an input is missing.
 * Slow for large kernels: callers may run it beside other work and pass the
 * result in kernel_digest.
 */
enum ms_status ms_tdx_kernel_digest(const struct ms_tdx_boot *b, uint8_t out[MS_SHA384_LEN], bool *computed,
				    struct ms_tdx_missing *missing, struct ms_err *err);

/* The events of RTMR0..2 for a direct boot; events that need a missing input are not computed. */
enum ms_status ms_tdx_boot_events(const struct ms_tdx_boot *b, struct ms_tdx_log *log,
				  struct ms_err *err);

/* SHA-384 of a UEFI_VARIABLE_DATA (GUID, name length, data length, UTF-16 name, data). */
void ms_uefi_variable_digest(const char *guid, const char *name, const uint8_t *data, size_t len,
			     uint8_t out[MS_SHA384_LEN]);

/*
 * A CC event log (TCG crypto-agile), replayed into RTMR0..3. Logs of more
 * than MS_CCEL_MAX_EVENTS records are refused: a real TD logs a few hundred
 * into the 64 KiB log area OVMF reserves.
 */
#define MS_CCEL_MAX_EVENTS 65536u

struct ms_ccel {
	struct ms_tdx_log log;  /* ms_ccel_parse only: the RTMR events, in order */
	unsigned nevents;       /* every record, EV_NO_ACTION and MRTD ones included */
	size_t end;             /* bytes used */
	uint16_t algs[8], sizes[8];
	unsigned nalgs;
	size_t nextends;                /* RTMR events */
	uint8_t rtmr[4][MS_SHA384_LEN]; /* the replay of those events */
};

/* CCEL ACPI table (56 bytes): the log area length. */
enum ms_status ms_ccel_table_parse(const uint8_t *buf, size_t len, uint64_t *log_length,
				   uint64_t *log_address, struct ms_err *err);

/*
 * Called with each RTMR event in log order; the event lives only for the
 * call. A status other than MS_OK stops the walk and is returned.
 */
typedef enum ms_status ms_ccel_event_fn(void *arg, const struct ms_tdx_event *e, struct ms_err *err);

/*
 * Checks and replays the log one record at a time, handing each RTMR event
 * to fn (when not NULL) and keeping none: memory does not grow with the log.
 * The same buffer walks the same way every time, so a caller can check a
 * log in one walk and print it in a second that cannot fail.
 */
enum ms_status ms_ccel_walk(const uint8_t *buf, size_t len, struct ms_ccel *out, ms_ccel_event_fn *fn,
			    void *arg, struct ms_err *err);
/* ms_ccel_walk, keeping the RTMR events in out->log (free with ms_ccel_free). */
enum ms_status ms_ccel_parse(const uint8_t *buf, size_t len, struct ms_ccel *out, struct ms_err *err);
void ms_ccel_free(struct ms_ccel *c);


/*
 * The records of a TCG crypto-agile event log (TPM 2.0 PC Client or CC):
 * the Spec ID header is checked, then each record is handed to fn with its
 * digests (only algorithms the header declares, at their declared sizes)
 * and its event data. The record lives only for the call; a status other
 * than MS_OK stops the walk. At most MS_CCEL_MAX_EVENTS records.
 */
#define MS_TCG_MAX_ALGS 8u

struct ms_tcg_log_header {
	uint16_t algs[MS_TCG_MAX_ALGS], sizes[MS_TCG_MAX_ALGS];
	unsigned nalgs;
	unsigned nevents; /* records walked, the header included */
	size_t end;       /* bytes used */
};

struct ms_tcg_record {
	unsigned number; /* 0 is the header */
	size_t offset;
	uint32_t index, type; /* PCR or MR index, event type */
	unsigned ndigests;
	uint16_t alg[MS_TCG_MAX_ALGS];
	const uint8_t *digest[MS_TCG_MAX_ALGS];
	const uint8_t *data;
	size_t data_len;
};

typedef enum ms_status ms_tcg_record_fn(void *arg, const struct ms_tcg_record *r, struct ms_err *err);

enum ms_status ms_tcg_log_walk(const uint8_t *buf, size_t len, struct ms_tcg_log_header *h, ms_tcg_record_fn *fn,
			       void *arg, struct ms_err *err);
/* The record's digest for a TPM algorithm ID, or NULL. */
const uint8_t *ms_tcg_record_digest(const struct ms_tcg_record *r, uint16_t alg);
/* A one-line description of an event's data (variable name, image address, text). */
void ms_tcg_describe(char *out, size_t cap, uint32_t type, const uint8_t *data, size_t len);

/*
 * A TPM 2.0 PC Client log replayed into PCR0-23 of every bank it declares.
 * StartupLocality (EV_NO_ACTION in PCR0) sets PCR0's starting value;
 * EV_NO_ACTION never extends. Every other event must carry a digest for
 * every declared bank.
 */
#define MS_PCR_LOG_PCRS 24u

struct ms_pcr_log {
	struct ms_tcg_log_header h;
	uint8_t locality;
	uint32_t extended;                                   /* PCRs some event extended */
	uint8_t pcr[MS_TCG_MAX_ALGS][MS_PCR_LOG_PCRS][64];   /* by header algorithm order */
	unsigned nextends[MS_PCR_LOG_PCRS];
};

/* One PCR event, for transcripts; lives only for the call. */
typedef enum ms_status ms_pcr_event_fn(void *arg, const struct ms_tcg_record *r, const char *description,
				       struct ms_err *err);

enum ms_status ms_pcr_log_replay(const uint8_t *buf, size_t len, struct ms_pcr_log *out, ms_pcr_event_fn *fn,
				 void *arg, struct ms_err *err);

#endif
