/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../tdx/events.h"
#include "cli.h"

#define MAX_LOG (64u << 20)

static const char *const verb = "tdx eventlog";

static const char eventlog_help[] =
	"Usage: measure tdx eventlog FILE [options]\n"
	"\n"
	"Replays a TDX CC event log (TCG crypto-agile, as the CCEL ACPI table points to it)\n"
	"into RTMR0-3. FILE is the log area (zero padding after the last event is fine).\n"
	"\n"
	"Options:\n"
	"      --ccel-table FILE  the CCEL ACPI table: only its log-area length of FILE is read\n"
	"      --transcript       print every event: register, type, description, digest\n"
	"  -j, --json             print the manifest (rtmr0-3), or with --transcript the events\n"
	"      --against FILE     compare with a transcript from 'measure tdx --transcript --json':\n"
	"                         names the first event that differs and why (exit 1)\n"
	"  -q, --quiet            print nothing\n"
	"  -h, --help             show this help\n"
	"\n"
	"Replaying proves the log is consistent with the RTMRs a quote reports; what the\n"
	"events mean still has to be checked, which --against does with recomputed values.\n";

static void describe_event(char *out, size_t cap, const struct ms_tdx_event *e)
{
	char hex[2 * MS_SHA384_LEN + 1];

	if (e->computed)
		ms_hex_encode(e->digest, MS_SHA384_LEN, hex);
	snprintf(out, cap, "%s \"%s\" %s", ms_tcg_event_type_name(e->type), e->description,
		 e->computed ? hex : "(not computed)");
}

/*
 * Walks both logs register by register, in order. Returns 0 when every
 * expected event is computed and equal, 1 otherwise, with the reasons on stdout.
 */
static int against(const struct ms_tdx_log *got, const struct ms_tdx_log *want, FILE *out)
{
	int rc = 0;

	for (unsigned r = 0; r < 4; r++) {
		size_t gi = 0, wi = 0, n = 0, unknown = 0;
		bool differs = false;

		for (;; n++) {
			const struct ms_tdx_event *g = NULL, *w = NULL;
			char a[400], b[400];

			while (gi < got->n && got->events[gi].rtmr != r)
				gi++;
			while (wi < want->n && want->events[wi].rtmr != r)
				wi++;
			if (gi < got->n)
				g = &got->events[gi++];
			if (wi < want->n)
				w = &want->events[wi++];
			if (!g && !w)
				break;
			if (g && w && !w->computed) {
				unknown++;
				continue;
			}
			if (g && w && g->type == w->type && !memcmp(g->digest, w->digest, MS_SHA384_LEN))
				continue;
			if (g)
				describe_event(a, sizeof(a), g);
			if (w)
				describe_event(b, sizeof(b), w);
			if (!w)
				fprintf(out, "RTMR%u event %zu: the log has %s, the transcript ends before it\n", r, n, a);
			else if (!g)
				fprintf(out, "RTMR%u event %zu: the log ends, the transcript expects %s\n", r, n, b);
			else
				fprintf(out, "RTMR%u event %zu: %s differ:\n  log:        %s\n  transcript: %s\n", r, n,
					g->type != w->type ? "the event types" : "the digests", a, b);
			differs = true;
			break;
		}
		if (differs) {
			rc = 1;
		} else if (unknown) {
			fprintf(out, "RTMR%u: %zu event%s match, %zu could not be checked (not computed in the transcript)\n",
				r, n - unknown, n - unknown == 1 ? "" : "s", unknown);
			rc = 1;
		} else {
			fprintf(out, "RTMR%u: all %zu event%s match\n", r, n, n == 1 ? "" : "s");
		}
	}
	return rc;
}

int cmd_tdx_eventlog(int argc, char **argv)
{
	enum { OPT_TABLE = 256, OPT_TRANSCRIPT, OPT_AGAINST };
	static const struct option options[] = {
		{ "ccel-table", required_argument, NULL, OPT_TABLE },
		{ "transcript", no_argument, NULL, OPT_TRANSCRIPT },
		{ "against", required_argument, NULL, OPT_AGAINST },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *table_path = NULL, *against_path = NULL, *path;
	bool transcript = false, json_out = false, quiet = false;
	uint8_t *buf = NULL, *table = NULL, *ref = NULL, rtmr[4][MS_SHA384_LEN];
	size_t len, table_len, ref_len, log_len;
	struct ms_ccel ccel = { 0 };
	struct ms_tdx_log want = { 0 };
	struct ms_err err = { 0 };
	cJSON *json = NULL, *ref_json = NULL;
	char *text = NULL;
	bool known[4];
	int opt, rc = 2;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_TABLE: table_path = optarg; break;
		case OPT_TRANSCRIPT: transcript = true; break;
		case OPT_AGAINST: against_path = optarg; break;
		case 'j': json_out = true; break;
		case 'q': quiet = true; break;
		case 'h':
			fputs(eventlog_help, stdout);
			return 0;
		default:
			return cli_bad_option(verb, opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage(verb, optind == argc ? "no event log given" : "more than one event log given");
	path = argv[optind];
	if (ms_file_load(path, MAX_LOG, &buf, &len, &err)) {
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	log_len = len;
	if (table_path) {
		uint64_t laml, lasa;

		if (ms_file_load(table_path, 4096, &table, &table_len, &err) ||
		    ms_ccel_table_parse(table, table_len, &laml, &lasa, &err)) {
			rc = cli_fail(verb, table_path, &err);
			goto out;
		}
		if (laml > len) {
			ms_fail(&err, MS_BAD_INPUT, "the CCEL table's log area is 0x%llx bytes, the file has 0x%zx",
				(unsigned long long)laml, len);
			rc = cli_fail(verb, path, &err);
			goto out;
		}
		log_len = (size_t)laml;
	}
	if (ms_ccel_parse(buf, log_len, &ccel, &err)) {
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	ms_tdx_log_replay(&ccel.log, rtmr, known);
	if (against_path) {
		if (ms_file_load(against_path, 16u << 20, &ref, &ref_len, &err)) {
			rc = cli_fail(verb, against_path, &err);
			goto out;
		}
		ref_json = cJSON_ParseWithLength((char *)ref, ref_len);
		if (!ref_json || ms_tdx_log_from_json(ref_json, &want, &err)) {
			if (!ref_json)
				ms_fail(&err, MS_BAD_INPUT, "not JSON");
			rc = cli_fail(verb, against_path, &err);
			goto out;
		}
		rc = against(&ccel.log, &want, quiet ? stderr : stdout);
		goto out;
	}
	if (quiet) {
		rc = 0;
		goto out;
	}
	if (transcript && json_out) {
		json = ms_tdx_log_json(&ccel.log);
		rc = json ? cli_write_json(verb, json) : 2;
	} else if (json_out) {
		uint8_t sha[MS_SHA256_LEN];

		json = ms_manifest_new("tdx", "sha384");
		for (int i = 0; i < 4; i++) {
			char key[8];

			snprintf(key, sizeof(key), "rtmr%d", i);
			ms_manifest_measurement(json, key, rtmr[i], MS_SHA384_LEN);
		}
		cJSON_AddStringToObject(ms_manifest_parameters(json), "source", "cc event log replay");
		ms_sha256(buf, log_len, sha);
		ms_manifest_input(json, "event-log", ms_basename(path), log_len, sha);
		rc = cli_write_json(verb, json);
	} else {
		size_t cap = 256 + ccel.log.n * 400, used = 0;
		char hex[2 * MS_SHA384_LEN + 1];

		text = malloc(cap);
		if (!text)
			goto out;
		text[0] = '\0';
		if (transcript)
			for (size_t i = 0; i < ccel.log.n; i++) {
				const struct ms_tdx_event *e = &ccel.log.events[i];

				ms_hex_encode(e->digest, MS_SHA384_LEN, hex);
				used += (size_t)snprintf(text + used, cap - used, "RTMR%u  %-34s %s  %s\n", e->rtmr,
							 ms_tcg_event_type_name(e->type), hex, e->description);
			}
		else
			for (int i = 0; i < 4; i++) {
				ms_hex_encode(rtmr[i], MS_SHA384_LEN, hex);
				used += (size_t)snprintf(text + used, cap - used, "RTMR%d  %s\n", i, hex);
			}
		rc = cli_write(verb, text);
	}
out:
	cJSON_Delete(json);
	cJSON_Delete(ref_json);
	free(text);
	free(buf);
	free(table);
	free(ref);
	ms_ccel_free(&ccel);
	ms_tdx_log_free(&want);
	return rc;
}
