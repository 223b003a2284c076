/* SPDX-License-Identifier: Apache-2.0 */
#include "../helpers.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "../../common/digest.h"
#include "../../ovmf/idblock.h"
#include "../../ovmf/ovmf.h"
#include "../../ovmf/sev.h"

#define IMG 8192

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }

/*
 * An image whose footer table holds one entry (guid, data) and, when
 * with_metadata, an "ASEV" header with the given descriptors at 0x100.
 */
struct image {
	uint8_t b[IMG];
	size_t table_start;
};

static void build(struct image *im, const char *guid, const uint8_t *data, size_t len)
{
	size_t end = IMG - 32;
	struct ms_guid footer = ms_guid_parse("96b582de-1fb2-45f7-baea-a366c55a082d");
	struct ms_guid g = ms_guid_parse(guid);
	size_t entry_end = end - 18;

	memset(im->b, 0, IMG);
	memcpy(im->b + end - 16, footer.b, 16);
	memcpy(im->b + entry_end - 16, g.b, 16);
	put16(im->b + entry_end - 18, (uint16_t)(len + 18));
	memcpy(im->b + entry_end - 18 - len, data, len);
	put16(im->b + end - 18, (uint16_t)(18 + len + 18));
	im->table_start = entry_end - 18 - len;
}

static void sev_metadata(struct image *im, uint32_t items, const uint32_t (*desc)[3])
{
	uint8_t off[4];
	uint8_t *h = im->b + 0x100;

	put32(off, IMG - 0x100);
	build(im, "dc886566-984a-4798-a75e-5585a7bf67cc", off, 4);
	memcpy(h, "ASEV", 4);
	put32(h + 4, 16 + 12 * items);
	put32(h + 8, 1);
	put32(h + 12, items);
	for (uint32_t i = 0; i < items && desc; i++)
		for (int k = 0; k < 3; k++)
			put32(h + 16 + 12 * i + 4 * k, desc[i][k]);
}

static void expect(const struct image *im, size_t size, enum ms_status want, const char *words)
{
	struct ms_ovmf o;
	struct ms_err err = { 0 };
	enum ms_status st = ms_ovmf_parse(im->b, size, &o, &err);

	if (st != want || (words && !strstr(err.msg, words)))
		fail_msg("want %d \"%s\", got %d: %s", want, words ? words : "", st, err.msg);
}

static void good_table(void **state)
{
	struct image im;
	struct ms_ovmf o;
	struct ms_err err = { 0 };
	static const uint32_t desc[][3] = { { 0x800000, 0x9000, 1 }, { 0x80d000, 0x1000, 2 },
					    { 0x80e000, 0x1000, 3 }, { 0x810000, 0x1000, 0x10 } };

	(void)state;
	sev_metadata(&im, 4, desc);
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	assert_true(o.has_table && o.has_sev_metadata);
	assert_int_equal(o.nsections, 4);
	assert_int_equal(o.sections[3].type, MS_SEV_KERNEL_HASHES);
	assert_int_equal(o.sections[0].size, 0x9000);
}

static void no_footer_is_empty(void **state)
{
	struct image im;
	struct ms_ovmf o;
	struct ms_err err = { 0 };

	(void)state;
	memset(im.b, 0xa5, IMG);
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	assert_false(o.has_table);
	assert_int_equal(ms_ovmf_parse(im.b, 10, &o, &err), MS_OK);
}

static void bad_tables(void **state)
{
	struct image im;
	uint8_t eip[4] = { 4, 0xb0, 0x80, 0 };
	static const uint32_t unknown[][3] = { { 0x800000, 0x1000, 7 } };
	static const uint32_t past4g[][3] = { { 0xfffff000, 0x2000, 1 } };

	(void)state;
	build(&im, "00f771de-1a7e-4fcb-890e-68c77e2fb44e", eip, 4);
	put16(im.b + IMG - 32 - 18, 0xffff);
	expect(&im, IMG, MS_BAD_INPUT, "longer than the image");
	put16(im.b + IMG - 32 - 18, 10);
	expect(&im, IMG, MS_BAD_INPUT, "shorter than its own entry");

	build(&im, "00f771de-1a7e-4fcb-890e-68c77e2fb44e", eip, 4);
	put16(im.b + IMG - 32 - 18 - 18, 12); /* the reset block entry's own length */
	expect(&im, IMG, MS_BAD_INPUT, "length 12 is shorter than 18 bytes");
	put16(im.b + IMG - 32 - 18 - 18, 200);
	expect(&im, IMG, MS_BAD_INPUT, "runs past the table start");

	build(&im, "00f771de-1a7e-4fcb-890e-68c77e2fb44e", eip, 2);
	expect(&im, IMG, MS_BAD_INPUT, "SEV-ES reset block at offset 0x1fbc holds 2 bytes of data, needs 4");

	sev_metadata(&im, 1, unknown);
	expect(&im, IMG, MS_BAD_INPUT, "unknown section type 0x7");
	sev_metadata(&im, 1, past4g);
	expect(&im, IMG, MS_BAD_INPUT, "passes 4 GiB");
	sev_metadata(&im, 1000000, NULL);
	expect(&im, IMG, MS_BAD_INPUT, "1000000 sections, more than 256");
	sev_metadata(&im, 0, NULL);
	put32(im.b + 0x108, 2);
	expect(&im, IMG, MS_UNSUPPORTED, "version 2");
	sev_metadata(&im, 0, NULL);
	memcpy(im.b + 0x100, "XSEV", 4);
	expect(&im, IMG, MS_BAD_INPUT, "not \"ASEV\"");
	sev_metadata(&im, 3, NULL);
	put32(im.b + 0x104, 16); /* size too small for 3 descriptors */
	expect(&im, IMG, MS_BAD_INPUT, "does not fit 3 descriptors");
	{
		uint8_t off[4];

		put32(off, IMG + 4096);
		build(&im, "dc886566-984a-4798-a75e-5585a7bf67cc", off, 4);
		expect(&im, IMG, MS_BAD_INPUT, "points outside the image");
	}
}

/* Overlapping sections, and sections describing more memory than the limit, are refused. */
static void sev_section_bounds(void **state)
{
	struct image im;
	struct ms_ovmf o;
	struct ms_err err = { 0 };
	uint32_t huge[MS_SEV_MAX_SECTIONS][3];
	static const uint32_t adjacent[][3] = { { 0x800000, 0x9000, 1 }, { 0x809000, 0x1000, 2 },
						{ 0x7ff000, 0x1000, 3 } };
	static const uint32_t inside[][3] = { { 0x800000, 0x9000, 1 }, { 0x804000, 0x1000, 2 } };
	static const uint32_t too_much[][3] = { { 0x0, 0x8000000, 1 }, { 0x10000000, 0x8001000, 1 } };
	static const uint32_t at_limit[][3] = { { 0x0, 0x8000000, 1 }, { 0x10000000, 0x8000000, 1 } };

	(void)state;
	/* 64 sections of 4 GiB each used to take half a minute to hash, then passed */
	for (int i = 0; i < MS_SEV_MAX_SECTIONS; i++)
		huge[i][0] = 0, huge[i][1] = 0xffffffffu, huge[i][2] = 1;
	sev_metadata(&im, MS_SEV_MAX_SECTIONS, (const uint32_t(*)[3])huge);
	expect(&im, IMG, MS_BAD_INPUT,
	       "SEV metadata section 0 (offset 0x110): size 0xffffffff (offset 0x114) brings the sections to 0xffffffff bytes, more than the 256 MiB limit");
	huge[0][1] = 0x1000;
	sev_metadata(&im, MS_SEV_MAX_SECTIONS, (const uint32_t(*)[3])huge);
	expect(&im, IMG, MS_BAD_INPUT,
	       "SEV metadata section 1 (offset 0x11c): GPA 0x0..0xffffffff overlaps section 0 (GPA 0x0..0x1000)");
	sev_metadata(&im, 2, inside);
	expect(&im, IMG, MS_BAD_INPUT, "SEV metadata section 1 (offset 0x11c): GPA 0x804000..0x805000 overlaps section 0");
	sev_metadata(&im, 2, too_much);
	expect(&im, IMG, MS_BAD_INPUT, "SEV metadata section 1 (offset 0x11c): size 0x8001000 (offset 0x120)");
	sev_metadata(&im, 2, at_limit);
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	sev_metadata(&im, 3, adjacent); /* touching is not overlapping */
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	assert_int_equal(o.nsections, 3);
}

static void digest_rules(void **state)
{
	struct image im;
	struct ms_ovmf o;
	struct ms_err err = { 0 };
	struct ms_sev_config cfg = { .mode = MS_MODE_SNP, .vcpus = 1, .guest_features = 1, .init2 = true };
	uint8_t d[48];
	size_t len;
	static const uint32_t desc[][3] = { { 0x800000, 0x1000, 1 } };
	uint8_t eip[4] = { 4, 0xb0, 0x80, 0 };

	(void)state;
	sev_metadata(&im, 1, desc);
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	/* no reset block: the APs cannot start */
	assert_int_equal(ms_sev_launch_digest(&o, &cfg, d, &len, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "no SEV-ES reset block"));
	/* a kernel without a kernel-hashes section */
	build(&im, "00f771de-1a7e-4fcb-890e-68c77e2fb44e", eip, 4);
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	cfg.kernel = true;
	assert_int_equal(ms_sev_launch_digest(&o, &cfg, d, &len, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "no SNP_KERNEL_HASHES section"));
	cfg.kernel = false;
	/* a size that is not whole pages */
	assert_int_equal(ms_ovmf_parse(im.b, IMG - 100, &o, &err), MS_OK);
	assert_int_equal(ms_sev_launch_digest(&o, &cfg, d, &len, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "not a multiple of 4096"));
	/* vCPU counts */
	assert_int_equal(ms_ovmf_parse(im.b, IMG, &o, &err), MS_OK);
	cfg.vcpus = 0;
	assert_int_equal(ms_sev_launch_digest(&o, &cfg, d, &len, &err), MS_USAGE);
	cfg.vcpus = 513;
	assert_int_equal(ms_sev_launch_digest(&o, &cfg, d, &len, &err), MS_USAGE);
	cfg.vcpus = 512;
	assert_int_equal(ms_sev_launch_digest(&o, &cfg, d, &len, &err), MS_OK);
}

/* AMD CPUID Fn0000_0001_EAX values of the QEMU models (spec/snp.md section 5). */
static void cpu_signatures(void **state)
{
	(void)state;
	assert_int_equal(ms_vcpu_type_signature("EPYC-v4"), 0x800f12);
	assert_int_equal(ms_vcpu_type_signature("epyc-rome-v2"), 0x830f10);
	assert_int_equal(ms_vcpu_type_signature("EPYC-Milan"), 0xa00f11);
	assert_int_equal(ms_vcpu_type_signature("EPYC-Genoa-v1"), 0xa10f10);
	assert_int_equal(ms_vcpu_type_signature("EPYC-Turin"), 0xb00f00);
	assert_int_equal(ms_vcpu_type_signature("EPYC-Naples"), 0);
	assert_int_equal(ms_cpu_signature(25, 17, 0), 0xa10f10);
}

/* An SNP signature (R, S little-endian, 72 bytes each) verified with key over data. */
static int snp_sig_verifies(EVP_PKEY *key, const uint8_t *sig, const uint8_t *data, size_t len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_lebin2bn(sig, 72, NULL), *ss = BN_lebin2bn(sig + 72, 72, NULL);
	uint8_t *der = NULL;
	int der_len, ok;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	ECDSA_SIG_set0(s, r, ss);
	der_len = i2d_ECDSA_SIG(s, &der);
	ok = EVP_DigestVerifyInit_ex(ctx, NULL, "SHA384", NULL, NULL, key, NULL) == 1 &&
	     EVP_DigestVerify(ctx, der, (size_t)der_len, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	return ok;
}

static void id_block_signatures(void **state)
{
	EVP_PKEY *id = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *author = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct ms_snp_id_block in = { .version = 1, .guest_svn = 7, .policy = 0x30000 };
	uint8_t block[96], auth[4096], idd[48], ad[48], want[48];
	struct ms_err err = { 0 };

	(void)state;
	memset(in.measurement, 0xab, 48);
	memset(in.family_id, 0x11, 16);
	assert_int_equal(ms_snp_id_block_sign(&in, id, author, block, auth, idd, ad, &err), MS_OK);
	assert_memory_equal(block, in.measurement, 48);
	assert_int_equal(block[0x50], 1);
	assert_int_equal(block[0x54], 7);
	assert_int_equal(block[0x5a], 3); /* policy 0x30000, little-endian */
	assert_int_equal(auth[0], 1);
	assert_int_equal(auth[4], 1);
	assert_int_equal(auth[0x240], 2); /* curve P-384 */
	assert_true(snp_sig_verifies(id, auth + 0x40, block, 96));
	assert_true(snp_sig_verifies(author, auth + 0x680, auth + 0x240, 1028));
	assert_false(snp_sig_verifies(author, auth + 0x40, block, 96));
	ms_sha384(auth + 0x240, 1028, want);
	assert_memory_equal(idd, want, 48);
	ms_sha384(auth + 0x880, 1028, want);
	assert_memory_equal(ad, want, 48);
	assert_int_equal(ms_snp_id_block_sign(&in, p256, author, block, auth, idd, ad, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "ID key: not an ECDSA P-384 key"));
	EVP_PKEY_free(id);
	EVP_PKEY_free(author);
	EVP_PKEY_free(p256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_table),	  cmocka_unit_test(no_footer_is_empty),
		cmocka_unit_test(bad_tables),	  cmocka_unit_test(digest_rules),
		cmocka_unit_test(sev_section_bounds),
		cmocka_unit_test(cpu_signatures), cmocka_unit_test(id_block_signatures),
	};
	return cmocka_run_group_tests_name("ovmf", tests, NULL, NULL);
}
