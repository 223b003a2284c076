/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TDX_MACHINE_H
#define MS_TDX_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "../common/status.h"
#include "events.h"
#include "tdvf.h"

/*
 * One TDX guest as QEMU starts it: the firmware (with the VARS in front when
 * it is the CODE part alone, as in the flash image QEMU maps), the page-add
 * order, and the direct-boot inputs. What is not given is not guessed.
 */
struct ms_tdx_machine {
	const uint8_t *firmware; /* NULL: the firmware is not at hand */
	size_t firmware_len;
	const uint8_t *vars; /* the VARS image when firmware is the CODE part alone, else NULL */
	size_t vars_len;
	bool order_given; /* else two-pass for QEMU 8 and earlier, single-pass otherwise */
	enum ms_page_add_order order;
	const uint8_t *mrtd; /* the MRTD as given, used when there is no firmware */
	/* the boot inputs; tdvf, kernel_digest and (with initrd_data) initrd_sha384 and initrd_size are set here */
	struct ms_tdx_boot boot;
	const uint8_t *initrd_data; /* hashed here; NULL: boot.initrd_sha384 as given */
	size_t initrd_len;
	const uint8_t *kernel_authenticode; /* RTMR1's kernel digest as given, when the kernel is not */
};

/* QEMU's page-add order: two-pass for QEMU 8 and earlier (qemu_major 0: not known, single-pass). */
enum ms_page_add_order ms_tdx_default_order(int qemu_major);

/* Which input a failure concerns, for the caller to name its file. */
enum ms_tdx_part {
	MS_TDX_PART_NONE,
	MS_TDX_PART_FIRMWARE, /* the image (VARS followed by CODE when joined) */
	MS_TDX_PART_KERNEL,
	MS_TDX_PART_INITRD,
	MS_TDX_PART_EVENTS, /* the RTMR events: the kernel when the message names PE, else the firmware */
	MS_TDX_PART_MRTD,
};

struct ms_tdx_result {
	enum ms_page_add_order order;
	bool has_mrtd;
	uint8_t mrtd[MS_SHA384_LEN];
	uint8_t rtmr[4][MS_SHA384_LEN];
	bool known[4];
	bool kernel_computed; /* the kernel's digest came from its bytes (not as given) */
	struct ms_tdx_log log;
	enum ms_tdx_part failed;
};

/*
 * MRTD and RTMR0-3 of the machine. The MRTD and the initrd's SHA-384 are
 * computed on their own threads while the kernel's Authenticode hash runs on
 * the caller's; all are joined before it returns. r->log is owned by r:
 * release with ms_tdx_result_free, after success or failure.
 */
enum ms_status ms_tdx_measure(const struct ms_tdx_machine *m, struct ms_tdx_result *r, struct ms_err *err);
void ms_tdx_result_free(struct ms_tdx_result *r);

#endif
