/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU -m sizes, dstack's run-time event digest, and the published-document readers.
 * Expected sizes follow QEMU's rules worked by hand (qemu_strtosz, then MiB for a
 * bare number, then 8 KiB alignment); expected digests come from python's hashlib
 * over dstack's preimages, and the V2 preimage text from dstack's own unit test
 * (cc-eventlog runtime_events.rs: {"name":"compose-hash","payload":"abcd","type":134217729}).
 */
#include "../helpers.h"

#include <string.h>

#include "../../common/hex.h"
#include "../../common/qemu_size.h"
#include "../../ovmf/published.h"
#include "../../tdx/dstack_log.h"
#include "../../tdx/published.h"

static void memory_forms(void **state)
{
	static const struct { const char *text; uint64_t bytes; } ok[] = {
		{ "2G", 2147483648ull },     { "2g", 2147483648ull },   { "2048M", 2147483648ull },
		{ "2048", 2147483648ull },   { "1T", 1ull << 40 },      { "1.5G", 1610612736ull },
		{ "2097152K", 2147483648ull }, { "0x800", 2147483648ull }, /* hex, then MiB: it ends in a digit */
		{ "2B", 8192 },              /* bytes, rounded up to 8 KiB */
		{ "4097K", 4202496 },        /* 4195328 rounded up to 8 KiB */
		{ "1.k", 8192 },             /* "1." is 1 (QEMU accepts a point without digits) */
		{ "0.5M", 524288 },
	};
	static const char *const bad[] = { "", "2GB", "2GiB", "1.5", "-2G", "+2G", " 2G", "2G ", "0", "0G",
					   "0x800M", "0x1.5", "2X", "G", ".", "18446744073709551616",
					   "16E", "17179869184G" };

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = 0;
		struct ms_err err = { 0 };

		if (ms_qemu_memory_parse(ok[i].text, &v, &err))
			fail_msg("refused '%s': %s", ok[i].text, err.msg);
		if (v != ok[i].bytes)
			fail_msg("'%s': %llu, want %llu", ok[i].text, (unsigned long long)v, (unsigned long long)ok[i].bytes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 42;
		struct ms_err err = { 0 };

		if (ms_qemu_memory_parse(bad[i], &v, &err) == MS_OK)
			fail_msg("accepted '%s' as %llu", bad[i], (unsigned long long)v);
		assert_int_equal(v, 42);
		assert_non_null(strstr(err.msg, "QEMU's -m"));
	}
}

#define PRE(s) s, sizeof(s) - 1

static void check_digest(unsigned version, const char *name, const char *payload_hex, const char *want_hex,
			 const char *want_preimage, size_t want_len)
{
	uint8_t payload[64], d[MS_SHA384_LEN], *pre = NULL;
	size_t n = strlen(payload_hex) / 2, pre_len = 0;
	char hex[2 * MS_SHA384_LEN + 1];
	struct ms_err err = { 0 };

	if (n)
		assert_int_equal(ms_hex_decode(payload_hex, payload, n, "payload", &err), MS_OK);
	assert_int_equal(ms_dstack_event_digest(version, name, payload, n, d, &pre, &pre_len, &err), MS_OK);
	ms_hex_encode(d, MS_SHA384_LEN, hex);
	assert_string_equal(hex, want_hex);
	if (want_preimage) {
		assert_int_equal(pre_len, want_len);
		assert_memory_equal(pre, want_preimage, pre_len);
	}
	free(pre);
}

static void dstack_digest_rule(void **state)
{
	struct ms_err err = { 0 };
	uint8_t d[MS_SHA384_LEN];

	(void)state;
	/* event 21 of the real dstack 0.6.0 log: app-id, 20-byte payload (hashlib over le32 ":" name ":" bytes) */
	check_digest(1, "app-id", "86b0e55f2fa8e4fb69d890f14f54d5612707646e",
		     "e115f23f600ee1a9e085dac82e912c37258c9bf23a3ea0f790fe0896f3432f6e49b6d5420295e7de50293659a5b24685",
		     NULL, 0);
	check_digest(1, "system-ready", "",
		     "1a76b2a80a0be71eae59f80945d876351a7a3fb8e9fd1ff1cede5734aa84ea11fd72b4edfbb6f04e5a85edd114c751bd",
		     PRE("\x01\x00\x00\x08:system-ready:"));
	check_digest(2, "compose-hash", "abcd",
		     "9dde1673f544faa94b921825209593ddde08d0baf9cd6990175dffaf3081f1bb10311d56de189491feb33842a050ad7b",
		     PRE("{\"name\":\"compose-hash\",\"payload\":\"abcd\",\"type\":134217729}"));
	/* RFC 8785 string escapes: quote, newline, a control character as \u00XX, UTF-8 kept as is */
	check_digest(2, "a\"b\n\x01\xc3\xa9", "",
		     "0db56b34de942bee11e0b805238e70b727dadda8662f002dc4984321ba5236381c368ecc84936c637eb51039a82a9f79",
		     PRE("{\"name\":\"a\\\"b\\n\\u0001\xc3\xa9\",\"payload\":\"\",\"type\":134217729}"));
	assert_int_equal(ms_dstack_event_digest(3, "x", NULL, 0, d, NULL, NULL, &err), MS_UNSUPPORTED);
}

static void snp_document(void **state)
{
	static const char doc[] =
		"{\"version\":3,\"cmdline\":\"c\",\"ovmf_hash\":\"" /* 48 bytes */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\","
		"\"kernel_hash\":\"0000000000000000000000000000000000000000000000000000000000000001\","
		"\"initrd_hash\":\"\",\"hashes_table_gpa\":8457216,\"reset_eip\":8433668,"
		"\"ovmf_sections\":[{\"gpa\":8454144,\"size\":4096,\"type\":16}],\"note\":\"ignored in JSON\"}";
	/* the same map as CBOR: hand-encoded (RFC 8949), byte strings for the hashes, initrd_hash empty */
	static const uint8_t cbor_head[] = { 0xa8, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x03 };
	struct ms_snp_published p;
	struct ms_err err = { 0 };
	uint8_t empty_sha[MS_SHA256_LEN];

	(void)state;
	assert_int_equal(ms_snp_published_parse((const uint8_t *)doc, strlen(doc), "doc", &p, &err), MS_OK);
	assert_false(p.cbor);
	assert_string_equal(p.cmdline, "c");
	assert_int_equal(p.ovmf.nsections, 1);
	assert_int_equal(p.ovmf.sections[0].type, 16);
	assert_int_equal(p.ovmf.reset_eip, 8433668);
	assert_int_equal(p.ovmf.hashes_table_gpa, 8457216);
	assert_int_equal(p.ovmf_hash[47], 0x2f);
	/* an empty initrd_hash stands for SHA-256 of nothing (e3b0c442...) */
	assert_int_equal(ms_hex_decode("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty_sha,
				       MS_SHA256_LEN, "x", &err), MS_OK);
	assert_memory_equal(p.initrd_sha256, empty_sha, MS_SHA256_LEN);
	/* a CBOR document cut after its version: the other fields are missing */
	assert_int_equal(ms_snp_published_parse(cbor_head, sizeof(cbor_head), "doc", &p, &err), MS_BAD_INPUT);
}

static void tdx_document(void **state)
{
	struct ms_tdx_published p;
	struct ms_err err = { 0 };
	static const char bad_version[] = "{\"version\":2,\"image\":{},\"tdvf\":{}}";

	(void)state;
	assert_int_equal(ms_tdx_published_parse((const uint8_t *)bad_version, strlen(bad_version), "doc", &p, &err),
			 MS_UNSUPPORTED);
	assert_true(ms_tdx_published_kernel_memory_ok(2ull << 30));
	assert_true(ms_tdx_published_kernel_memory_ok(0xB0000000ull));
	assert_false(ms_tdx_published_kernel_memory_ok(0xA0000000ull));
	assert_false(ms_tdx_published_kernel_memory_ok(1ull << 30));
}

static void qemu_kernel_rule(void **state)
{
	(void)state;
	/* qemu/qemu a7542a38f399, first in v10.2.0: before it every version patched a TDX guest's kernel */
	assert_true(ms_qemu_patches_tdx_kernel(8, 2));
	assert_true(ms_qemu_patches_tdx_kernel(9, 2));
	assert_true(ms_qemu_patches_tdx_kernel(10, 0));
	assert_true(ms_qemu_patches_tdx_kernel(10, 1));
	assert_false(ms_qemu_patches_tdx_kernel(10, 2));
	assert_false(ms_qemu_patches_tdx_kernel(11, 0));
	assert_false(ms_qemu_patches_tdx_kernel(0, 0)); /* not given */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memory_forms),
		cmocka_unit_test(dstack_digest_rule),
		cmocka_unit_test(snp_document),
		cmocka_unit_test(tdx_document),
		cmocka_unit_test(qemu_kernel_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
