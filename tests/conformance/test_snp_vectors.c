/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every row of ../shared/vectors/snp/oracle/expected_digests.json (106 runs of
 * virtee/sev-snp-measure 0.0.13) and of snp/synthetic/cases.json, run through
 * the measure command line with the same arguments; the oracle's VMSA pages and
 * hashes tables byte for byte.
 */
#include <spawn.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "../helpers.h"

#include "../../common/digest.h"
#include "../../ovmf/sev.h"

extern char **environ;

static char *vectors, *measure;
static char kernel_sha256_hex[65]; /* the Debian cloud kernel of rows 82-97, not stored */

struct run {
	int status;
	char out[16384], err[4096];
};

static void slurp_fd(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, buf + n, cap - 1 - n)) > 0 && n + 1 < cap)
		n += (size_t)r;
	buf[n] = '\0';
}

static void run_measure(char **args, size_t nargs, struct run *r)
{
	char **argv = calloc(nargs + 3, sizeof(char *));
	int out[2], err[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;

	argv[0] = measure;
	argv[1] = "snp";
	for (size_t i = 0; i < nargs; i++)
		argv[i + 2] = args[i];
	argv[nargs + 2] = NULL;
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, err[0]);
	assert_int_equal(posix_spawn(&pid, measure, &fa, NULL, argv, environ), 0);
	close(out[1]);
	close(err[1]);
	slurp_fd(out[0], r->out, sizeof(r->out)); /* outputs are small: no deadlock */
	slurp_fd(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	waitpid(pid, &r->status, 0);
	r->status = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128;
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
}

/* "inputs/NAME" in the oracle's command lines, mapped to the shared vectors. */
static char *map_input(const char *arg)
{
	static const char *const where[][2] = {
		{ "OVMF_CODE.fd", "firmware" },	      { "OVMF.fd", "firmware" },
		{ "OVMF_CODE_4M.fd", "firmware" },      { "ovmf_AmdSev_suffix.bin", "snp/sev-snp-measure" },
		{ "ovmf_OvmfX64_suffix.bin", "snp/sev-snp-measure" },
		{ "initrd.img", "snp/oracle" },	      { "tiny_kernel.bin", "snp/oracle" },
	};
	const char *at = strstr(arg, "inputs/");
	char *out;

	if (!at)
		return strdup(arg);
	if (!strcmp(arg, "--kernel=inputs/vmlinuz")) {
		out = malloc(16 + 65);
		sprintf(out, "--kernel-sha256=%s", kernel_sha256_hex);
		return out;
	}
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (!strcmp(at + 7, where[i][0])) {
			out = malloc(strlen(arg) + strlen(vectors) + 64);
			sprintf(out, "%.*s%s/%s/%s", (int)(at - arg), arg, vectors, where[i][1], where[i][0]);
			return out;
		}
	fail_msg("unknown input in %s", arg);
	return NULL;
}

/* Splits the oracle's shell command line (single quotes only). */
static size_t split(const char *cmd, char **args, size_t max)
{
	size_t n = 0;
	char word[1024];

	while (*cmd) {
		size_t w = 0;

		while (*cmd == ' ')
			cmd++;
		if (!*cmd)
			break;
		while (*cmd && *cmd != ' ') {
			if (*cmd == '\'') {
				for (cmd++; *cmd && *cmd != '\''; cmd++)
					word[w++] = *cmd;
				if (*cmd)
					cmd++;
			} else {
				word[w++] = *cmd++;
			}
		}
		word[w] = '\0';
		if (n < max)
			args[n++] = strdup(word);
	}
	return n;
}

struct row {
	char *label, *expected;
	char *args[24];
	size_t nargs;
};

static void check_row(void **state)
{
	struct row *row = *state;
	struct run r;

	run_measure(row->args, row->nargs, &r);
	if (!strncmp(row->expected, "ERROR", 5)) {
		/* sev-snp-measure refuses: so must we, with one line and nothing on stdout */
		if (r.status != 2 || r.out[0] || !strchr(r.err, '\n') || strchr(r.err, '\n')[1])
			fail_msg("%s: want exit 2, one stderr line, empty stdout; got %d, out '%s', err '%s'",
				 row->label, r.status, r.out, r.err);
		return;
	}
	if (r.status != 0)
		fail_msg("%s: exit %d: %s", row->label, r.status, r.err);
	r.out[strcspn(r.out, "\n")] = '\0';
	if (strcmp(r.out, row->expected))
		fail_msg("%s:\n  got  %s\n  want %s", row->label, r.out, row->expected);
}

static void vmsa_pages(void **state)
{
	static const char *const profiles[][2] = {
		{ "QEMU", "--vcpu-type=EPYC-v4" },
		{ "ec2", "--vmm-type=ec2" },
		{ "gce", "--vmm-type=gce" },
		{ "seves_QEMU", "--vcpu-type=EPYC-v4" },
	};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		char dir[] = "/tmp/measure-vmsa-XXXXXX", ovmf[4096], dump[4200], *args[6];
		struct run r;

		assert_non_null(mkdtemp(dir));
		snprintf(ovmf, sizeof(ovmf), "--ovmf=%s/firmware/OVMF_CODE.fd", vectors);
		snprintf(dump, sizeof(dump), "--dump-vmsa=%s", dir);
		args[0] = ovmf;
		args[1] = "--vcpus=2";
		args[2] = (char *)profiles[i][1];
		args[3] = dump;
		args[4] = i == 3 ? "--mode=seves" : "--mode=snp";
		run_measure(args, 5, &r);
		assert_int_equal(r.status, 0);
		for (int v = 0; v < 2; v++) {
			char got_path[4200], want_path[4200];
			uint8_t *got, *want;
			size_t got_len, want_len;
			struct ms_err err = { 0 };

			snprintf(got_path, sizeof(got_path), "%s/vmsa%d.bin", dir, v);
			snprintf(want_path, sizeof(want_path), "%s/snp/oracle/vmsa/%s_EPYC-v4_%s.bin", vectors,
				 profiles[i][0], v ? "ap" : "bsp");
			assert_int_equal(ms_file_load(got_path, 1 << 20, &got, &got_len, &err), MS_OK);
			assert_int_equal(ms_file_load(want_path, 1 << 20, &want, &want_len, &err), MS_OK);
			assert_int_equal(got_len, want_len);
			if (memcmp(got, want, want_len))
				fail_msg("VMSA %s differs from %s", got_path, want_path);
			free(got);
			free(want);
			unlink(got_path);
		}
		rmdir(dir);
	}
}

static void hashes_tables(void **state)
{
	char path[4096];
	uint8_t *want, *kernel, *initrd, table[MS_SEV_HASHES_TABLE_LEN], k[32], i[32], a[32];
	size_t want_len, klen, ilen;
	struct ms_err err = { 0 };
	static const char cmdline[] = "console=ttyS0 loglevel=7";

	(void)state;
	snprintf(path, sizeof(path), "%s/snp/oracle/tiny_kernel.bin", vectors);
	assert_int_equal(ms_file_load(path, 1 << 20, &kernel, &klen, &err), MS_OK);
	snprintf(path, sizeof(path), "%s/snp/oracle/initrd.img", vectors);
	assert_int_equal(ms_file_load(path, 1 << 20, &initrd, &ilen, &err), MS_OK);
	ms_sha256(kernel, klen, k);
	ms_sha256(initrd, ilen, i);
	ms_sha256(cmdline, sizeof(cmdline), a); /* with its NUL */
	ms_sev_hashes_table(k, i, a, table);
	snprintf(path, sizeof(path), "%s/snp/oracle/hashes_table_tiny.bin", vectors);
	assert_int_equal(ms_file_load(path, 1 << 20, &want, &want_len, &err), MS_OK);
	assert_int_equal(want_len, sizeof(table));
	assert_memory_equal(table, want, sizeof(table));
	free(want);
	/* the Debian kernel's table: its kernel hash, with the same initrd and cmdline */
	snprintf(path, sizeof(path), "%s/snp/oracle/hashes_table_debian_vmlinuz.bin", vectors);
	assert_int_equal(ms_file_load(path, 1 << 20, &want, &want_len, &err), MS_OK);
	ms_sev_hashes_table(want + 136, i, a, table);
	assert_memory_equal(table, want, sizeof(table));
	free(want);
	free(kernel);
	free(initrd);
}

/* oracle/id_block_example.txt: snp-create-id-block for row 2 with sev-snp-measure's test keys */
static void id_block_example(void **state)
{
	char idk[4096], ak[4096], *args[5], path[4096];
	uint8_t *example;
	size_t len;
	struct ms_err err = { 0 };
	struct run r;

	(void)state;
	snprintf(idk, sizeof(idk), "--id-key=%s/snp/sev-snp-measure/id_key_test.pem", vectors);
	snprintf(ak, sizeof(ak), "--author-key=%s/snp/sev-snp-measure/author_key_test.pem", vectors);
	args[0] = "id-block";
	args[1] = "--measurement=a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88";
	args[2] = idk;
	args[3] = ak;
	run_measure(args, 4, &r);
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/snp/oracle/id_block_example.txt", vectors);
	assert_int_equal(ms_file_load(path, 1 << 20, &example, &len, &err), MS_OK);
	{
		/* the example's id-block value, and its two key digests (base64) */
		char *block = strstr((char *)example, "id-block="), *comma = block ? strchr(block, ',') : NULL;
		char *idh = strstr((char *)example, "id_key_hash: "), *auh = strstr((char *)example, "author_key: ");
		uint8_t *d;
		size_t n;
		char hex[97];

		assert_non_null(comma);
		*comma = '\0';
		if (!strstr(r.out, block))
			fail_msg("ID block differs: %s", r.out);
		assert_non_null(idh);
		assert_int_equal(ms_base64_decode(idh + 13, strcspn(idh + 13, "\n"), &d, &n, "x", &err), MS_OK);
		ms_hex_encode(d, n, hex);
		free(d);
		if (!strstr(r.out, hex))
			fail_msg("ID_KEY_DIGEST %s not in %s", hex, r.out);
		assert_non_null(auh);
		assert_int_equal(ms_base64_decode(auh + 12, strcspn(auh + 12, "\n"), &d, &n, "x", &err), MS_OK);
		ms_hex_encode(d, n, hex);
		free(d);
		if (!strstr(r.out, hex))
			fail_msg("AUTHOR_KEY_DIGEST %s not in %s", hex, r.out);
	}
	free(example);
}

static cJSON *load_json(const char *rel)
{
	char path[4096];
	uint8_t *text;
	size_t len;
	struct ms_err err = { 0 };
	cJSON *j;

	snprintf(path, sizeof(path), "%s/%s", vectors, rel);
	if (ms_file_load(path, 16 << 20, &text, &len, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(1);
	}
	j = cJSON_ParseWithLength((char *)text, len);
	free(text);
	return j;
}

int main(void)
{
	const char *v = getenv("MEASURE_VECTORS"), *m = getenv("MEASURE");
	struct CMUnitTest *tests;
	size_t n = 0, cap = 256;
	cJSON *oracle, *synth;
	uint8_t *table;
	size_t table_len;
	char path[4096];
	struct ms_err err = { 0 };
	int rc;

	if (!v || access(v, R_OK) != 0) {
		printf("# SKIP vectors not found at %s: the SNP oracle rows are not checked\n", v ? v : "(unset)");
		printf("1..1\nnot ok 1 # SKIP snp oracle vectors\n");
		return 0;
	}
	vectors = strdup(v);
	measure = realpath(m ? m : "build/measure", NULL);
	assert_non_null(measure);
	snprintf(path, sizeof(path), "%s/snp/oracle/hashes_table_debian_vmlinuz.bin", vectors);
	if (ms_file_load(path, 4096, &table, &table_len, &err) || table_len < 168)
		return fprintf(stderr, "%s: %s\n", path, err.msg), 1;
	ms_hex_encode(table + 136, 32, kernel_sha256_hex);
	free(table);

	tests = calloc(cap, sizeof(*tests));
	oracle = load_json("snp/oracle/expected_digests.json");
	synth = load_json("snp/synthetic/cases.json");
	for (cJSON *e = oracle ? oracle->child : NULL; e && n < cap - 8; e = e->next) {
		struct row *row = calloc(1, sizeof(*row));
		char *words[24];
		size_t nw = split(cJSON_GetObjectItem(e, "cmd")->valuestring, words, 24);

		for (size_t i = 1; i < nw; i++) /* words[0] is the program */
			row->args[row->nargs++] = map_input(words[i]);
		for (size_t i = 0; i < nw; i++)
			free(words[i]);
		row->expected = strdup(cJSON_GetObjectItem(e, "result")->valuestring);
		row->label = malloc(64);
		snprintf(row->label, 64, "oracle row %d", cJSON_GetObjectItem(e, "id")->valueint);
		tests[n++] = (struct CMUnitTest){ row->label, check_row, NULL, NULL, row };
	}
	for (cJSON *e = synth ? synth->child : NULL; e && n < cap - 8; e = e->next) {
		struct row *row = calloc(1, sizeof(*row));
		const cJSON *args = cJSON_GetObjectItem(e, "args");

		for (const cJSON *a = args->child; a && row->nargs < 24; a = a->next) {
			const char *s = a->valuestring, *eq = strstr(s, "=synth-");
			char *arg = malloc(strlen(s) + strlen(vectors) + 32);

			if (eq)
				sprintf(arg, "%.*s=%s/snp/synthetic/%s", (int)(eq - s), s, vectors, eq + 1);
			else
				strcpy(arg, s);
			row->args[row->nargs++] = arg;
		}
		row->expected = strdup(cJSON_GetObjectItem(e, "expected")->valuestring);
		row->label = malloc(64);
		snprintf(row->label, 64, "synthetic case %d", cJSON_GetObjectItem(e, "id")->valueint);
		tests[n++] = (struct CMUnitTest){ row->label, check_row, NULL, NULL, row };
	}
	if (n < 118)
		return fprintf(stderr, "only %zu rows in the SNP vectors, expected 118\n", n), 1;
	tests[n++] = (struct CMUnitTest){ "VMSA pages equal the oracle's", vmsa_pages, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "hashes tables equal the oracle's", hashes_tables, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "ID block and key digests equal snp-create-id-block's", id_block_example,
					  NULL, NULL, NULL };
	rc = _cmocka_run_group_tests("conformance-snp", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		struct row *row = tests[i].initial_state;

		if (!row)
			continue;
		for (size_t a = 0; a < row->nargs; a++)
			free(row->args[a]);
		free(row->label);
		free(row->expected);
		free(row);
	}
	free(tests);
	cJSON_Delete(oracle);
	cJSON_Delete(synth);
	free(vectors);
	free(measure);
	return rc;
}
