/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_IMAGE_RAMDISK_H
#define MS_IMAGE_RAMDISK_H

#include <stdint.h>
#include <stdio.h>

#include "../common/status.h"
#include "image.h"

/*
 * The two ramdisks nitro-cli's build-enclave writes (with linuxkit), rebuilt
 * without docker: uncompressed cpio "newc" exactly as linuxkit's gocpio writes
 * it (../shared/spec/nitro-ramdisk.md). The bootstrap ramdisk holds dev/, init
 * and nsm.ko; the customer ramdisk holds the image's flattened file system
 * under rootfs/ as `docker export` would give it, then cmd and env.
 */
#define MS_RAMDISK_MTIME 1492533000u        /* linuxkit's defaultModTime */
#define MS_RAMDISK_MAX_NODES 1000000u       /* paths in the flattened tree */
#define MS_RAMDISK_MAX_LAYER_ENTRIES 1000000u /* tar entries of one layer */
#define MS_RAMDISK_MAX_NAME_BYTES (64u << 20) /* the bytes of all paths and link targets: in the tree, and in one layer */
#define MS_RAMDISK_MAX_CMD (1u << 20)       /* cmd and env files */
#define MS_RAMDISK_DEFAULT_MAX_SIZE (8ull << 30) /* file data in a customer ramdisk, unless the caller sets another */

/* Where the layer blobs of an image are: an OCI layout directory, or a seekable tar (OCI or docker-archive). */
struct ms_image_source {
	int dirfd; /* -1 when tarfd is used */
	int tarfd;
};

struct ms_ramdisk_info {
	uint64_t size;         /* bytes written */
	uint64_t entries;      /* cpio entries, trailer excluded */
	uint64_t implicit_dirs; /* directories a layer populated without a header: docker would give them the time of extraction */
	uint64_t hardlinks;    /* hard links written as relative symlinks, as linuxkit does */
};

/*
 * Writes the customer ramdisk of img (already read and verified with
 * ms_image_read_*) to out, which must be a regular file open for writing
 * (it is written with pwrite and truncated to its size). Each layer blob is
 * read twice (structure, then contents) and its digest checked each time.
 * Paths with "..", absolute paths, entries below a symlink, relative symlinks
 * that climb out of the root, hard links to a missing file, sockets, names
 * past MS_IMAGE_MAX_PATH, more than the limits above: MS_BAD_INPUT. max_size
 * (0: MS_RAMDISK_DEFAULT_MAX_SIZE) bounds the bytes of file data the ramdisk
 * would hold (sparse files count in full): the sizes are added up after the
 * first read, before anything is written, and a larger sum is MS_BAD_INPUT.
 * max_unpacked (0: MS_IMAGE_DEFAULT_MAX_UNPACKED; pass the budget the image
 * was read with): the gzip layers' tar streams, as their headers tell, skipped
 * and whited-out entries included, are held to it again on the first read, so
 * a blob swapped after ms_image_read_* cannot inflate past it.
 */
enum ms_status ms_ramdisk_customer(const struct ms_image_source *src, const struct ms_image *img, int out,
				   uint64_t max_size, uint64_t max_unpacked, struct ms_ramdisk_info *info,
				   struct ms_err *err);

/* Writes the bootstrap ramdisk (dev/, init, nsm.ko, all 0755) to out; init and nsm read to their end. */
enum ms_status ms_ramdisk_bootstrap(int init_fd, int nsm_fd, int out, struct ms_ramdisk_info *info,
				    struct ms_err *err);

#endif
