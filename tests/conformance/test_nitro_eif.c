/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every EIF in ../shared/vectors/nitro/eif against expected-pcrs.json, whose
 * values come from the patched upstream Rust crate and an independent Python
 * port (see that folder's README).
 */
#include <fcntl.h>

#include "../helpers.h"

#include "../../eif/eif.h"

static char *vectors_dir;

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void check_one(const char *name, const cJSON *want)
{
	char *path = malloc(strlen(vectors_dir) + strlen(name) + 16);
	struct ms_eif eif;
	struct ms_eif_signature sig = { 0 };
	struct ms_err err = { 0 };
	const cJSON *signature_check = cJSON_GetObjectItemCaseSensitive(want, "SignatureCheck");
	int fd;

	sprintf(path, "%s/nitro/eif/%s", vectors_dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail_msg("%s: missing", path);
	if (ms_eif_measure(fd, 0 /* as a stream: exercises the size-unknown path */, NULL, NULL, &eif, &err))
		fail_msg("%s: %s", name, err.msg);
	close(fd);
	assert_int_equal(eif.header.version, cJSON_GetObjectItemCaseSensitive(want, "EifVersion")->valueint);
	assert_int_equal(eif.file_size, (uint64_t)cJSON_GetObjectItemCaseSensitive(want, "size")->valuedouble);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(want, "CheckCRC")));
	assert_hex_equal(eif.file_sha256, 32, str(want, "file_sha256"));
	assert_hex_equal(eif.pcr0, 48, str(want, "PCR0"));
	assert_hex_equal(eif.pcr1, 48, str(want, "PCR1"));
	assert_hex_equal(eif.pcr2, 48, str(want, "PCR2"));
	if (str(want, "PCR8")) {
		assert_non_null(eif.signature);
		assert_int_equal(ms_eif_signature_decode(eif.signature, eif.signature_len, &sig, &err), MS_OK);
		assert_hex_equal(sig.pcr8, 48, str(want, "PCR8"));
		assert_int_equal(ms_eif_signature_verify(&sig, eif.pcr0, &err) == MS_OK,
				 cJSON_IsTrue(signature_check));
		ms_eif_signature_free(&sig);
	} else {
		assert_null(eif.signature);
		assert_null(signature_check);
	}
	ms_eif_free(&eif);
	free(path);
}

static void expected_pcrs(void **state)
{
	char *path;
	uint8_t *text;
	size_t len, n = 0;
	struct ms_err err = { 0 };
	cJSON *table;

	(void)state;
	if (!vectors_dir)
		skip();
	path = malloc(strlen(vectors_dir) + 64);
	sprintf(path, "%s/nitro/eif/expected-pcrs.json", vectors_dir);
	if (ms_file_load(path, 1 << 20, &text, &len, &err))
		fail_msg("%s: %s", path, err.msg);
	table = cJSON_ParseWithLength((char *)text, len);
	assert_non_null(table);
	for (const cJSON *e = table->child; e; e = e->next, n++)
		check_one(e->string, e);
	assert_true(n >= 4);
	printf("# checked %zu EIFs from %s\n", n, path);
	cJSON_Delete(table);
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(expected_pcrs) };
	const char *v = getenv("MEASURE_VECTORS");

	if (v && access(v, R_OK) == 0)
		vectors_dir = strdup(v);
	else
		printf("# SKIP vectors not found at %s: set MEASURE_VECTORS or place shared/ beside the checkout\n",
		       v ? v : "(MEASURE_VECTORS unset)");
	return cmocka_run_group_tests_name("conformance-nitro-eif", tests, NULL, NULL);
}
