/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_QEMU_SIZE_H
#define MS_QEMU_SIZE_H

#include <stdint.h>

#include "status.h"

/*
 * Guest RAM as QEMU's -m option gives it (softmmu/vl.c parse_memory_options,
 * util/cutils.c qemu_strtosz): a decimal number with an optional fraction and
 * one optional suffix B, K, M, G, T, P or E (either case, powers of 1024); a
 * number ending in a digit (no suffix) is MiB, so "2048" is 2 GiB. A fraction
 * needs a suffix other than B ("1.5G"); hexadecimal ("0x800") takes no suffix
 * or fraction.  "2GB", "2GiB" and signs are refused, as QEMU refuses
 * them (spaces too). The result is rounded up to 8 KiB as QEMU rounds it. Zero is refused:
 * QEMU would substitute the machine's default, which is not known here.
 */
enum ms_status ms_qemu_memory_parse(const char *text, uint64_t *out, struct ms_err *err);

#endif
