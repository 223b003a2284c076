/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_IMAGE_H
#define MS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "../common/status.h"

/*
 * Container images on disk, read without a daemon: an OCI image layout (a
 * directory, or a tar of one) or a docker-archive tarball (`docker save`,
 * skopeo's docker-archive:). Every blob used is hashed and must equal its
 * descriptor (digest and size); every layer's uncompressed digest must equal
 * the config's diff_id. Limits below bound memory and work.
 */
#define MS_IMAGE_MAX_JSON (4u << 20)         /* index, manifest, config, manifest.json */
#define MS_IMAGE_MAX_ENTRIES 65536u          /* tar entries */
#define MS_IMAGE_MAX_KEPT (64u << 20)        /* JSON-sized entries held while a tar is read */
#define MS_IMAGE_MAX_LAYERS 1000u            /* layers of one image */
#define MS_IMAGE_MAX_MANIFESTS 1024u         /* candidate manifests in all indexes */
#define MS_IMAGE_MAX_INDEX_DEPTH 4u          /* index -> index nesting */
#define MS_IMAGE_MAX_INDEXES 1024u           /* distinct nested indexes */
#define MS_IMAGE_MAX_DESCRIPTORS 65536u      /* descriptors in all indexes read (each nested index once) */
#define MS_IMAGE_DEFAULT_MAX_UNPACKED (16ull << 30) /* decompressed bytes of a whole image, unless the caller sets another */
#define MS_IMAGE_MAX_PATH 1024u              /* an entry name */

enum ms_image_format { MS_IMAGE_OCI, MS_IMAGE_DOCKER_ARCHIVE };

struct ms_image_layer {
	uint8_t digest[MS_SHA256_LEN];  /* of the blob as stored */
	uint64_t size;
	uint8_t diff_id[MS_SHA256_LEN]; /* of the uncompressed tar, verified */
	char compression[8];            /* none, gzip */
	char *path;                     /* where the blob is in the layout or archive */
};

struct ms_image {
	enum ms_image_format format;
	bool has_manifest_digest; /* false for a docker-archive without an OCI index */
	uint8_t manifest_digest[MS_SHA256_LEN];
	uint64_t manifest_size;
	uint8_t config_digest[MS_SHA256_LEN]; /* the image ID */
	uint64_t config_size;
	char os[32], architecture[32], variant[32];
	size_t layer_count;
	struct ms_image_layer *layers;
	char *config; /* the config document, NUL-terminated (verified against config_digest) */
	size_t config_len;
	/* a regular tar input: its length and SHA-256 (the whole file) */
	bool has_input_digest;
	uint64_t input_size;
	uint8_t input_sha256[MS_SHA256_LEN];
};

/*
 * platform: NULL, or "os/architecture[/variant]" to pick one image out of a
 * multi-platform index. Without it an index offering more than one platform
 * is MS_USAGE with the message listing them; with it, no match is MS_USAGE
 * listing what there is. A blob whose digest or size differs from its
 * descriptor, a missing blob, a malformed document: MS_BAD_INPUT. Another
 * digest algorithm than sha256, a zstd layer, an unknown media type:
 * MS_UNSUPPORTED.
 */
/*
 * max_unpacked (0: MS_IMAGE_DEFAULT_MAX_UNPACKED) is a budget for the whole
 * image: every byte a gzip stream gives (each layer, any other compressed
 * entry of a tar, which is hashed before the manifest says what it is, and a
 * compressed outer tar's entries) counts, whether or not the layer's files
 * survive; reading stops at the byte that passes it (gzip bombs), with
 * MS_BAD_INPUT naming the blob and the offset in it.
 */
/* fd: a tar stream (regular file or pipe), read once. */
enum ms_status ms_image_read_tar(int fd, const char *platform, uint64_t max_unpacked, struct ms_image *img,
				 struct ms_err *err);
/* The same from memory (the fuzz harness), with the default budget. */
enum ms_status ms_image_read_tar_memory(const void *data, size_t len, const char *platform,
					struct ms_image *img, struct ms_err *err);
/* dirfd: an OCI image layout directory (blobs opened beneath it, no symlinks followed). */
enum ms_status ms_image_read_dir(int dirfd, const char *platform, uint64_t max_unpacked, struct ms_image *img,
				 struct ms_err *err);
void ms_image_free(struct ms_image *img);

/* Opens path beneath dirfd following no symlink (a blob of an OCI layout directory), a regular file only (a FIFO
 * does not block: ms_open_regular_at); -1 and errno otherwise (MS_ENOTREG: not a regular file). */
int ms_image_open_beneath(int dirfd, const char *path);

/* "os/architecture[/variant]" of img into out. */
void ms_image_platform_text(const struct ms_image *img, char *out, size_t len);

/*
 * The documents on their own (fuzz harness, tests): strict JSON, the fields
 * this reader uses checked for type and form. kind: "index", "manifest",
 * "config", "docker-manifest".
 */
enum ms_status ms_image_check_json(const char *kind, const uint8_t *data, size_t len, struct ms_err *err);

#endif
