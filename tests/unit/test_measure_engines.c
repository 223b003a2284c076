/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one-call library entry points: ms_sev_measure with an engine that keeps
 * what configurations share, ms_snp_digests_by_vcpus, and ms_tdx_measure with
 * its VARS/CODE join and page-add order. Expected values: virtee/sev-snp-measure
 * 0.0.13 (vectors snp/oracle/expected_digests.json rows 2-5, 18, 21, 25) and
 * vectors/tdx/expected_measurements.tsv (tdx-measure), as in tests/cli.
 */
#include "../helpers.h"

#include "../../common/digest.h"
#include "../../ovmf/sev.h"
#include "../../tdx/machine.h"

#define ROW2 "a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88"
#define ROW3 "0d3d4c4fbdd21581bb6f16903c06d29c40d021902ffffab0d6d6b71f76229401f432b6d29e9de6d982851c6f9ebe1cbf"
#define ROW4 "022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f"
#define ROW5 "ec96d878b810c8ff0373dc3f9d227f491254c241f311fa230267d804f9c10c3d01e7b9874321e165ec122c496c3e0d36"
#define ROW18 "cef92b064c677cf12e17f20b8c3f606eb4aad570eadbdfc82919209147ef1d340dc3ee65cbe0e8e3dd52dcec8b32a304"
#define ROW21 "2e07bef7663b63448ed3d117923429b34ae7587465e21f90a523aacdc15ba605fbe11a5b3717fcc06994dad3a8570e8b"
#define ROW25 "4c55bc8b9c7804ec80940258127e2aae37f818436a54c55cebe89542bd6dc63f"
#define MRTD1 "4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47"
#define MRTD2 "acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1"

static void measure_one(struct ms_sev_engine *e, const struct ms_ovmf *o, struct ms_sev_config cfg, const char *want)
{
	struct ms_sev_result res;
	struct ms_err err = { 0 };

	assert_int_equal(ms_sev_measure(e, o, &cfg, NULL, &res, &err), MS_OK);
	assert_true(res.has_launch_digest);
	assert_hex_equal(res.digest, res.len, want);
}

/* The same engine across VMM types, vCPU counts and modes: each digest the oracle's, hits or not. */
static void engine_keeps_only_what_is_shared(void **state)
{
	size_t len;
	uint8_t *fw = load_fixture("firmware/OVMF_CODE.fd", &len);
	struct ms_ovmf o;
	struct ms_err err = { 0 };
	struct ms_sev_config qemu = { .mode = MS_MODE_SNP, .vmm = MS_VMM_QEMU, .vcpus = 1, .guest_features = 1,
				      .init2 = true, .ec2_rdx = 0x600 };
	struct ms_sev_config ec2 = qemu, seves = qemu;

	(void)state;
	qemu.vcpu_sig = ms_vcpu_type_signature("EPYC-v4");
	seves.vcpu_sig = qemu.vcpu_sig;
	seves.mode = MS_MODE_SEV_ES;
	ec2.vmm = MS_VMM_EC2;
	assert_int_equal(ms_ovmf_parse(fw, len, &o, &err), MS_OK);
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		struct ms_sev_engine *e = ms_sev_engine_new(threads);

		assert_non_null(e);
		measure_one(e, &o, qemu, ROW2);
		measure_one(e, &o, ec2, ROW18); /* the same firmware digest, other sections */
		measure_one(e, &o, qemu, ROW2); /* from the cache */
		qemu.vcpus = 64;
		measure_one(e, &o, qemu, ROW5);
		qemu.vcpus = 1;
		measure_one(e, &o, seves, ROW25);
		measure_one(e, &o, seves, ROW25);
		ec2.vcpus = 64;
		measure_one(e, &o, ec2, ROW21);
		ec2.vcpus = 1;
		ms_sev_engine_free(e);
	}
	measure_one(NULL, &o, qemu, ROW2);
	free(fw);
}

/* digest(n + 1) extends digest(n): one call gives every count, each the oracle's. */
static void digests_by_vcpus(void **state)
{
	size_t len;
	uint8_t *fw = load_fixture("firmware/OVMF_CODE.fd", &len), (*out)[MS_SHA384_LEN];
	struct ms_ovmf o;
	struct ms_err err = { 0 };
	struct ms_sev_config cfg = { .mode = MS_MODE_SNP, .vmm = MS_VMM_QEMU, .guest_features = 1, .init2 = true };
	struct ms_sev_engine *e = ms_sev_engine_new(2);

	(void)state;
	cfg.vcpu_sig = ms_vcpu_type_signature("EPYC-v4");
	out = malloc(MS_SNP_MAX_VCPUS * sizeof(*out));
	assert_non_null(out);
	assert_int_equal(ms_ovmf_parse(fw, len, &o, &err), MS_OK);
	assert_int_equal(ms_snp_digests_by_vcpus(e, &o, &cfg, NULL, 64, out, &err), MS_OK);
	assert_hex_equal(out[0], MS_SHA384_LEN, ROW2);
	assert_hex_equal(out[1], MS_SHA384_LEN, ROW3);
	assert_hex_equal(out[3], MS_SHA384_LEN, ROW4);
	assert_hex_equal(out[63], MS_SHA384_LEN, ROW5);
	assert_int_equal(ms_snp_digests_by_vcpus(e, &o, &cfg, NULL, MS_SNP_MAX_VCPUS + 1, out, &err), MS_USAGE);
	cfg.mode = MS_MODE_SEV_ES;
	assert_int_equal(ms_snp_digests_by_vcpus(e, &o, &cfg, NULL, 4, out, &err), MS_USAGE);
	ms_sev_engine_free(e);
	free(out);
	free(fw);
}

static void tdx_mrtd(const struct ms_tdx_machine *m, const char *want, enum ms_page_add_order order)
{
	struct ms_tdx_result r;
	struct ms_err err = { 0 };

	assert_int_equal(ms_tdx_measure(m, &r, &err), MS_OK);
	assert_true(r.has_mrtd);
	assert_int_equal(r.order, order);
	assert_hex_equal(r.mrtd, MS_SHA384_LEN, want);
	ms_tdx_result_free(&r);
}

/* The whole image, or CODE with the VARS joined in front; the order from the QEMU version or given. */
static void tdx_machine(void **state)
{
	size_t whole_len, code_len, vars_len;
	uint8_t *whole = load_fixture("firmware/OVMF.fd", &whole_len);
	uint8_t *code = load_fixture("firmware/OVMF_CODE.fd", &code_len);
	uint8_t *vars = load_fixture("firmware/OVMF_VARS.fd", &vars_len);
	struct ms_tdx_machine m = { .firmware = whole, .firmware_len = whole_len, .boot = { .secure_boot = -1 } };
	struct ms_tdx_result r;
	struct ms_err err = { 0 };

	(void)state;
	tdx_mrtd(&m, MRTD1, MS_SINGLE_PASS);
	m.boot.qemu_major = 8, m.boot.qemu_minor = 2;
	tdx_mrtd(&m, MRTD2, MS_TWO_PASS);
	m.order_given = true, m.order = MS_SINGLE_PASS;
	tdx_mrtd(&m, MRTD1, MS_SINGLE_PASS);
	m = (struct ms_tdx_machine){ .firmware = code, .firmware_len = code_len, .vars = vars, .vars_len = vars_len,
				     .boot = { .secure_boot = -1 } };
	tdx_mrtd(&m, MRTD1, MS_SINGLE_PASS);
	m.vars = NULL;
	assert_int_equal(ms_tdx_measure(&m, &r, &err), MS_BAD_INPUT);
	assert_int_equal(r.failed, MS_TDX_PART_FIRMWARE);
	assert_non_null(strstr(err.msg, "VARS image in front"));
	ms_tdx_result_free(&r);
	free(whole);
	free(code);
	free(vars);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(engine_keeps_only_what_is_shared),
		cmocka_unit_test(digests_by_vcpus),
		cmocka_unit_test(tdx_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
