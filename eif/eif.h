/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_EIF_H
#define MS_EIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "../common/digest.h"
#include "../common/status.h"

#define MS_EIF_HEADER_LEN 548
#define MS_EIF_SECTION_HEADER_LEN 12
#define MS_EIF_MAX_SECTIONS 32
#define MS_EIF_MAX_VERSION 4
/* Sections read into memory rather than hashed as they stream past. */
#define MS_EIF_MAX_SIGNATURE_LEN (1u << 20)
#define MS_EIF_MAX_METADATA_LEN (16u << 20)

enum ms_eif_section_type {
	MS_EIF_KERNEL = 1,
	MS_EIF_CMDLINE = 2,
	MS_EIF_RAMDISK = 3,
	MS_EIF_SIGNATURE = 4,
	MS_EIF_METADATA = 5,
};

struct ms_eif_header {
	uint16_t version;
	uint16_t flags; /* bit 0: aarch64 */
	uint64_t default_mem;
	uint64_t default_cpus;
	uint16_t reserved;
	uint16_t num_sections;
	uint64_t section_offsets[MS_EIF_MAX_SECTIONS];
	uint64_t section_sizes[MS_EIF_MAX_SECTIONS];
	uint32_t unused;
	uint32_t crc32;
};

struct ms_eif_section {
	uint16_t type;
	uint64_t offset; /* of the 12-byte section header */
	uint64_t size;   /* of the payload */
};

struct ms_eif {
	struct ms_eif_header header;
	struct ms_eif_section sections[MS_EIF_MAX_SECTIONS];
	unsigned ramdisks;
	uint64_t file_size;
	uint32_t crc32; /* computed */
	bool crc_checked; /* false for version 1, which has no CRC */
	uint8_t pcr0[MS_SHA384_LEN], pcr1[MS_SHA384_LEN], pcr2[MS_SHA384_LEN];
	uint8_t file_sha256[MS_SHA256_LEN]; /* valid when file_sha256_computed */
	bool file_sha256_computed;
	uint8_t *signature; /* signature section payload, or NULL */
	size_t signature_len;
	uint8_t *metadata; /* metadata section payload, or NULL */
	size_t metadata_len;
};

const char *ms_eif_section_name(uint16_t type);

/*
 * Parses and validates the 548-byte header. The offset table must describe
 * sections laid end to end from byte 548; when file_size is known (non-zero)
 * they must end exactly there.
 */
enum ms_status ms_eif_header_parse(const uint8_t *buf, size_t len, uint64_t file_size,
				   struct ms_eif_header *h, struct ms_err *err);

/* Called from the reading thread after each chunk; total is 0 for streams. */
typedef void ms_progress_fn(uint64_t done, uint64_t total, void *arg);

/*
 * Reads the EIF once from fd (a file or a pipe), validating every header and
 * the CRC, and computes PCR0/1/2 and the file's SHA-256. Two threads hash in
 * parallel; memory stays bounded whatever the size.
 * file_size is the size if known, else 0.
 */
enum ms_status ms_eif_measure(int fd, uint64_t file_size, ms_progress_fn *progress,
			      void *progress_arg, struct ms_eif *out, struct ms_err *err);

struct ms_eif_measure_options {
	ms_progress_fn *progress; /* or NULL */
	void *progress_arg;
	/*
	 * Also the SHA-256 of the whole file (a manifest's input digest). It is a
	 * fourth pass over every byte, a fifth of the CPU time, so a caller that
	 * does not print it leaves it off.
	 */
	bool file_sha256;
};

/* ms_eif_measure with options; ms_eif_measure is this with file_sha256 on. */
enum ms_status ms_eif_measure_with(int fd, uint64_t file_size, const struct ms_eif_measure_options *o,
				   struct ms_eif *out, struct ms_err *err);
void ms_eif_free(struct ms_eif *eif);

/* PCR = SHA384(48 zero bytes || SHA384(measured bytes)). */
void ms_eif_pcr_from_digest(const uint8_t digest[MS_SHA384_LEN], uint8_t pcr[MS_SHA384_LEN]);

/* The signature section: PCR0's COSE_Sign1 and the signing certificate. */
struct ms_eif_signature {
	X509 *cert;
	uint8_t pcr8[MS_SHA384_LEN];
	int64_t alg;
	uint64_t register_index;
	uint8_t register_value[MS_SHA384_LEN];
	size_t register_value_len;
	bool signature_valid; /* COSE signature verifies with the certificate's key */
	bool payload_matches; /* payload names PCR0 with the computed value */
	uint8_t *cose;        /* the encoded COSE_Sign1 */
	size_t cose_len;
};

/* Decodes the section (no verification); PCR8 is computed here. */
enum ms_status ms_eif_signature_decode(const uint8_t *buf, size_t len,
				       struct ms_eif_signature *sig, struct ms_err *err);
/*
 * Verifies the COSE signature and compares its payload with pcr0. Returns
 * MS_BAD_SIGNATURE, with a message, unless both hold.
 */
enum ms_status ms_eif_signature_verify(struct ms_eif_signature *sig,
				       const uint8_t pcr0[MS_SHA384_LEN], struct ms_err *err);
void ms_eif_signature_free(struct ms_eif_signature *sig);

/* Parses the metadata section: a JSON object. */
enum ms_status ms_eif_metadata_parse(const uint8_t *buf, size_t len, cJSON **out,
				     struct ms_err *err);

/*
 * The signature section for pcr0: a COSE_Sign1 (ES256, ES384 or ES512 by the
 * key's curve) and the certificate's PEM bytes as given. The key must be the
 * certificate's (MS_BAD_SIGNATURE otherwise); other key types MS_UNSUPPORTED.
 */
enum ms_status ms_eif_signature_build(const uint8_t pcr0[MS_SHA384_LEN], const uint8_t *cert_pem, size_t cert_len,
				      EVP_PKEY *key, uint8_t **out, size_t *out_len, struct ms_err *err);
/*
 * Writes in_fd's EIF (measured into eif by ms_eif_measure; pread is used, so a
 * regular file) to out_fd with a signature section over its PCR0 appended, or
 * replacing a last signature section; header and CRC rewritten.
 */
enum ms_status ms_eif_sign(int in_fd, const struct ms_eif *eif, const uint8_t *cert_pem, size_t cert_len,
			   EVP_PKEY *key, int out_fd, uint64_t *out_size, struct ms_err *err);

#endif

/* A deterministic EIF (version 4): kernel, cmdline, metadata, ramdisks. */
struct ms_eif_build {
	int kernel_fd;
	const char *cmdline;
	const int *ramdisk_fds;
	unsigned ramdisks;
	const uint8_t *metadata; /* written verbatim; NULL for none */
	size_t metadata_len;
	bool aarch64;
	uint64_t default_mem, default_cpus;
};

/*
 * Writes the EIF to out_fd, which must be seekable (the CRC is patched into
 * the header at the end). The inputs are read once; PCR0/1/2 of what was
 * written are returned through eif (file_sha256 is not computed).
 */
enum ms_status ms_eif_write(int out_fd, const struct ms_eif_build *b, struct ms_eif *eif,
			    struct ms_err *err);
