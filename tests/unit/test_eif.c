/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>

#include "../helpers.h"

#include "../../eif/eif.h"

/* From vectors/nitro/eif/expected-pcrs.json (two independent oracles). */
#define TINY_PCR0 "e7cd3d5d2eb903e70661b7ec0bcdb535ea11b8ea70cae71779fe39820177292079c400bee3a0f90d702f092ccaebb6dd"
#define TINY_PCR1 "8b194a026b64c2edd0d77aadf0ff3885abd2f84f3ffe819ca9194ae38b5befc23884eac049d077472d537650873bba58"
#define TINY_PCR2 "eedcc5d43dacc59fd7cbc53e7476859316403a592a5eb2333c2584c86d8e42ca9172746790aa2eb65f5463ce1b64e75c"
#define TINY_PCR8 "47be456921b551cce865a39f774c310d3c015feccce8755008d50b7a1d288b18c49063bf66f54b58df558e92958bdffb"
#define EMPTY_PCR "21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a"

static const struct {
	const char *file, *sha256, *pcr0, *pcr1, *pcr2;
	uint64_t size;
} vectors[] = {
	{ "eif/tiny.eif", "9c3ac3bc40dc33b5f343bebe5742e61a82c8ed40d2a23db56b58223a82dece61", TINY_PCR0,
	  TINY_PCR1, TINY_PCR2, 4988 },
	{ "eif/one-ramdisk.eif", "d1a9c5b6befbcca716fd4edd859a899381448a6d6dee8dbe3042a6340c92417b",
	  TINY_PCR1, TINY_PCR1, EMPTY_PCR, 4967 },
	{ "eif/three-ramdisks-arm.eif", "913880c1d362fff41bea8e15de356cd4d122d06a4051aa7e0a24002b9fb889e9",
	  "0609f8b5dbbb4841e6cf4a68ba11c5913d934a878da57645d1a2f4db2216922920c62fbf4a320a1b98e3311172f230dc",
	  TINY_PCR1,
	  "cd5f169fbcc3f7ba1ad07ac4f11e797de591c0862ea510b10d78e9c8f3e75e4b0c5df8690ba8da42f3ed45d8ced3b0d1",
	  5017 },
	{ "eif/tiny-signed.eif", "27effe34628071c3499960845396f46ec34cbcfd5db94afb9e2f3a98fe445b14",
	  TINY_PCR0, TINY_PCR1, TINY_PCR2, 6920 },
};

static enum ms_status measure_buf(const uint8_t *buf, size_t len, struct ms_eif *eif,
				  struct ms_err *err)
{
	int fd = memfile(buf, len);
	enum ms_status st = ms_eif_measure(fd, len, NULL, NULL, eif, err);

	close(fd);
	return st;
}

struct feeder {
	int fd;
	const uint8_t *buf;
	size_t len;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;

	for (size_t off = 0; off < f->len;) {
		ssize_t n = write(f->fd, f->buf + off, f->len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(f->fd);
	return NULL;
}

/* The same bytes through a pipe: the size is unknown, as for stdin. */
static enum ms_status measure_pipe(const uint8_t *buf, size_t len, struct ms_eif *eif,
				   struct ms_err *err)
{
	int fds[2];
	pthread_t t;
	struct feeder f;
	enum ms_status st;

	assert_int_equal(pipe(fds), 0);
	f = (struct feeder){ fds[1], buf, len };
	assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);
	st = ms_eif_measure(fds[0], 0, NULL, NULL, eif, err);
	close(fds[0]); /* unblocks the feeder if the reader stopped early */
	pthread_join(t, NULL);
	return st;
}

static void fixtures_match_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t len;
		uint8_t *buf = load_fixture(vectors[i].file, &len);
		struct ms_eif eif;
		struct ms_err err = { 0 };

		for (int via_pipe = 0; via_pipe < 2; via_pipe++) {
			enum ms_status st = via_pipe ? measure_pipe(buf, len, &eif, &err)
						     : measure_buf(buf, len, &eif, &err);

			if (st)
				fail_msg("%s: %s", vectors[i].file, err.msg);
			assert_int_equal(eif.file_size, vectors[i].size);
			assert_hex_equal(eif.file_sha256, 32, vectors[i].sha256);
			assert_hex_equal(eif.pcr0, 48, vectors[i].pcr0);
			assert_hex_equal(eif.pcr1, 48, vectors[i].pcr1);
			assert_hex_equal(eif.pcr2, 48, vectors[i].pcr2);
			assert_true(eif.crc_checked);
			assert_int_equal(eif.crc32, eif.header.crc32);
			ms_eif_free(&eif);
		}
		free(buf);
	}
}

static void signature_verifies_and_pcr8(void **state)
{
	size_t len;
	uint8_t *buf = load_fixture("eif/tiny-signed.eif", &len);
	struct ms_eif eif;
	struct ms_eif_signature sig;
	struct ms_err err = { 0 };
	uint8_t wrong[48];

	(void)state;
	assert_int_equal(measure_buf(buf, len, &eif, &err), MS_OK);
	assert_non_null(eif.signature);
	assert_int_equal(ms_eif_signature_decode(eif.signature, eif.signature_len, &sig, &err), MS_OK);
	assert_hex_equal(sig.pcr8, 48, TINY_PCR8);
	assert_int_equal(sig.alg, -35);
	assert_int_equal(ms_eif_signature_verify(&sig, eif.pcr0, &err), MS_OK);
	assert_true(sig.signature_valid && sig.payload_matches);

	/* a PCR0 other than the signed one */
	memcpy(wrong, eif.pcr0, 48);
	wrong[0] ^= 1;
	assert_int_equal(ms_eif_signature_verify(&sig, wrong, &err), MS_BAD_SIGNATURE);
	assert_true(sig.signature_valid && !sig.payload_matches);

	/* the signature's last byte flipped (it ends the COSE array) */
	sig.cose[sig.cose_len - 1] ^= 1;
	assert_int_equal(ms_eif_signature_verify(&sig, eif.pcr0, &err), MS_BAD_SIGNATURE);
	assert_false(sig.signature_valid);
	assert_non_null(strstr(err.msg, "does not verify"));
	ms_eif_signature_free(&sig);
	ms_eif_free(&eif);
	free(buf);
}

/* Every prefix of a valid EIF is refused, from a file and from a pipe. */
static void every_truncation_fails(void **state)
{
	size_t len;
	uint8_t *buf = load_fixture("eif/tiny-signed.eif", &len);

	(void)state;
	for (size_t n = 0; n < len; n++) {
		struct ms_eif eif;
		struct ms_err err = { 0 };

		if (measure_buf(buf, n, &eif, &err) != MS_BAD_INPUT)
			fail_msg("prefix of %zu bytes was accepted from a file", n);
		assert_true(err.msg[0] != '\0');
		if (measure_pipe(buf, n, &eif, &err) != MS_BAD_INPUT)
			fail_msg("prefix of %zu bytes was accepted from a pipe", n);
	}
	free(buf);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* One header edit, the status and the words the message must hold. */
static void expect_header_error(const uint8_t *orig, size_t len, void (*edit)(uint8_t *),
				enum ms_status want, const char *words)
{
	uint8_t *buf = malloc(len);
	struct ms_eif eif;
	struct ms_err err = { 0 };
	enum ms_status st;

	memcpy(buf, orig, len);
	edit(buf);
	st = measure_buf(buf, len, &eif, &err);
	if (st != want || !strstr(err.msg, words))
		fail_msg("want status %d with \"%s\", got %d: %s", want, words, st, err.msg);
	free(buf);
}

static void e_magic(uint8_t *b) { b[0] = 'E'; }
static void e_version0(uint8_t *b) { b[4] = 0, b[5] = 0; }
static void e_version5(uint8_t *b) { b[5] = 5; }
static void e_flags(uint8_t *b) { b[7] = 2; }
static void e_sections0(uint8_t *b) { b[27] = 0; }
static void e_sections33(uint8_t *b) { b[27] = 33; }
static void e_offset(uint8_t *b) { put64(b + 28 + 8, 4657); }
static void e_size_overflow(uint8_t *b) { put64(b + 284 + 8 * 2, UINT64_MAX - 8); }
static void e_size_past_end(uint8_t *b) { put64(b + 284 + 8 * 4, 17 + 4096); }
static void e_extra_entry(uint8_t *b) { put64(b + 28 + 8 * 10, 1); }
static void e_type(uint8_t *b) { b[4656 + 1] = 9; }      /* cmdline section header */
static void e_type0(uint8_t *b) { b[548 + 1] = 0; }      /* kernel section header */
static void e_sflags(uint8_t *b) { b[4656 + 3] = 1; }
static void e_ssize(uint8_t *b) { b[4656 + 11] = 12; }   /* cmdline says 12, table 13 */
static void e_crc(uint8_t *b) { b[547] ^= 1; }
static void e_payload(uint8_t *b) { b[4000] ^= 0x80; }   /* inside the kernel */
static void e_kernel_as_ramdisk(uint8_t *b) { b[548 + 1] = 3; }
static void e_second_kernel(uint8_t *b) { b[4656 + 1] = 1; }

static void bad_headers(void **state)
{
	size_t len;
	uint8_t *buf = load_fixture("eif/tiny.eif", &len);

	(void)state;
	expect_header_error(buf, len, e_magic, MS_BAD_INPUT, "magic at offset 0x0");
	expect_header_error(buf, len, e_version0, MS_BAD_INPUT, "version (offset 0x4) is 0");
	expect_header_error(buf, len, e_version5, MS_UNSUPPORTED, "version (offset 0x4) is 5");
	expect_header_error(buf, len, e_flags, MS_BAD_INPUT, "flags (offset 0x6)");
	expect_header_error(buf, len, e_sections0, MS_BAD_INPUT, "num_sections (offset 0x1a) is 0");
	expect_header_error(buf, len, e_sections33, MS_BAD_INPUT, "num_sections (offset 0x1a) is 33");
	expect_header_error(buf, len, e_offset, MS_BAD_INPUT, "section_offsets[1] (offset 0x24)");
	expect_header_error(buf, len, e_size_overflow, MS_BAD_INPUT, "overflows");
	expect_header_error(buf, len, e_size_past_end, MS_BAD_INPUT, "past end of file");
	expect_header_error(buf, len, e_extra_entry, MS_BAD_INPUT, "beyond num_sections");
	expect_header_error(buf, len, e_type, MS_BAD_INPUT, "section 1 header (offset 0x1230): unknown type 9");
	expect_header_error(buf, len, e_type0, MS_BAD_INPUT, "unknown type 0");
	expect_header_error(buf, len, e_sflags, MS_BAD_INPUT, "flags 0x0001");
	expect_header_error(buf, len, e_ssize, MS_BAD_INPUT, "section_sizes[1] says 0xd");
	expect_header_error(buf, len, e_crc, MS_BAD_INPUT, "crc32 (offset 0x220)");
	expect_header_error(buf, len, e_payload, MS_BAD_INPUT, "crc32 (offset 0x220)");
	expect_header_error(buf, len, e_kernel_as_ramdisk, MS_BAD_INPUT, "comes before the kernel");
	expect_header_error(buf, len, e_second_kernel, MS_BAD_INPUT, "a second kernel section");
	free(buf);
}

static void trailing_data_refused(void **state)
{
	size_t len;
	uint8_t *buf = load_fixture("eif/tiny.eif", &len), *more = calloc(1, len + 12);
	struct ms_eif eif;
	struct ms_err err = { 0 };

	(void)state;
	memcpy(more, buf, len);
	assert_int_equal(measure_buf(more, len + 12, &eif, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "12 bytes after the last section"));
	assert_int_equal(measure_pipe(more, len + 12, &eif, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "data after the last section"));
	free(more);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures_match_vectors),
		cmocka_unit_test(signature_verifies_and_pcr8),
		cmocka_unit_test(every_truncation_fails),
		cmocka_unit_test(bad_headers),
		cmocka_unit_test(trailing_data_refused),
	};
	return cmocka_run_group_tests_name("eif", tests, NULL, NULL);
}
