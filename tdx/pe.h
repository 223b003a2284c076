/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_PE_H
#define MS_PE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"

/*
 * PE/COFF Authenticode SHA-384 as OVMF measures an EFI application: headers
 * without CheckSum and the certificate-table entry, sections in file order,
 * trailing data outside the certificate table, then zero padding to a
 * multiple of 8 bytes as the reference implementations do. Every header,
 * the section table and every section's data must lie inside the file.
 */
enum ms_status ms_pe_authenticode_sha384(const uint8_t *pe, size_t len, uint8_t out[MS_SHA384_LEN],
					 struct ms_err *err);

/*
 * The same over pe with its first head_len bytes replaced by head: QEMU's
 * edits touch only the setup header, so a patched copy of the first page
 * stands in for them without copying the whole kernel.
 */
enum ms_status ms_pe_authenticode_sha384_overlay(const uint8_t *pe, size_t len, const uint8_t *head,
						 size_t head_len, uint8_t out[MS_SHA384_LEN],
						 struct ms_err *err);

/*
 * QEMU (up to 9.x) edits a bzImage's setup header before handing it to the
 * firmware: loader type, heap end, command-line pointer and, with an initrd,
 * where the initrd will sit (which depends on guest memory). kernel is edited
 * in place; every edit lies in its first 0x1000 bytes, which are all it needs.
 */
enum ms_status ms_qemu_patch_bzimage(uint8_t *kernel, size_t len, uint64_t initrd_size,
				     uint64_t memory_size, struct ms_err *err);

#endif
