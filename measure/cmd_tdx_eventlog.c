/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../tdx/dstack_log.h"
#include "../tdx/events.h"
#include "cli.h"

static const char *const verb = "tdx eventlog";

static const char eventlog_help[] =
	"Usage: measure tdx eventlog FILE [options]\n"
	"\n"
	"Replays a TDX CC event log into RTMR0-3. FILE is either the binary log (TCG\n"
	"crypto-agile, as the CCEL ACPI table points to it; zero padding after the last\n"
	"event is fine) or dstack's JSON event log: an array of {imr, event_type, digest,\n"
	"event, event_payload}, or an object holding it as \"event_log\" (GetQuote's reply).\n"
	"dstack's run-time events (type 0x08000001) are recomputed by dstack's rule,\n"
	"SHA-384(le32(type) \":\" event \":\" payload) (version 2: of the JCS JSON\n"
	"{name, payload, type}); a log whose stated digest differs is refused (exit 2).\n"
	"\n"
	"Options:\n"
	"      --format FMT       auto (default: JSON when FILE starts with [ or {), ccel\n"
	"                         or dstack-json\n"
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
	char hex[2 * MS_SHA384_LEN + 1], text[320];

	if (e->computed)
		ms_hex_encode(e->digest, MS_SHA384_LEN, hex);
	snprintf(out, cap, "%s \"%s\" %s", ms_tcg_event_type_name(e->type), tdx_event_text(e, text, sizeof(text)),
		 e->computed ? hex : "(not computed)");
}

/*
 * --against, one log event at a time: each register's events are paired in
 * order with the transcript's; the first pair that differs is that
 * register's verdict. Nothing of the log is kept.
 */
struct against {
	const struct ms_tdx_log *want;
	size_t wi[4], n[4], unknown[4];
	bool done[4];
	char verdict[4][1024];
};

static const struct ms_tdx_event *next_wanted(struct against *a, unsigned r)
{
	while (a->wi[r] < a->want->n && a->want->events[a->wi[r]].rtmr != r)
		a->wi[r]++;
	return a->wi[r] < a->want->n ? &a->want->events[a->wi[r]++] : NULL;
}

static enum ms_status against_event(void *arg, const struct ms_tdx_event *g, struct ms_err *err)
{
	struct against *a = arg;
	unsigned r = g->rtmr;
	const struct ms_tdx_event *w;
	char got[400], want[400];

	(void)err;
	if (r > 3 || a->done[r])
		return MS_OK;
	w = next_wanted(a, r);
	if (w && !w->computed) {
		a->unknown[r]++, a->n[r]++;
		return MS_OK;
	}
	if (w && g->type == w->type && !memcmp(g->digest, w->digest, MS_SHA384_LEN)) {
		a->n[r]++;
		return MS_OK;
	}
	describe_event(got, sizeof(got), g);
	if (!w) {
		snprintf(a->verdict[r], sizeof(a->verdict[r]),
			 "RTMR%u event %zu: the log has %s, the transcript ends before it\n", r, a->n[r], got);
	} else {
		describe_event(want, sizeof(want), w);
		snprintf(a->verdict[r], sizeof(a->verdict[r]),
			 "RTMR%u event %zu: %s differ:\n  log:        %s\n  transcript: %s\n", r, a->n[r],
			 g->type != w->type ? "the event types" : "the digests", got, want);
	}
	a->done[r] = true;
	return MS_OK;
}

/* After the walk: the registers still open. Returns 0 when every one matched, 1 otherwise. */
static int against_finish(struct against *a, FILE *out)
{
	int rc = 0;

	for (unsigned r = 0; r < 4; r++) {
		size_t n = a->n[r], unknown = a->unknown[r];

		if (!a->done[r]) {
			const struct ms_tdx_event *w = next_wanted(a, r);
			char want[400];

			if (w) {
				describe_event(want, sizeof(want), w);
				snprintf(a->verdict[r], sizeof(a->verdict[r]),
					 "RTMR%u event %zu: the log ends, the transcript expects %s\n", r, n, want);
				a->done[r] = true;
			} else if (unknown) {
				snprintf(a->verdict[r], sizeof(a->verdict[r]),
					 "RTMR%u: %zu event%s match, %zu could not be checked (not computed in the transcript)\n",
					 r, n - unknown, n - unknown == 1 ? "" : "s", unknown);
				rc = 1;
			} else {
				snprintf(a->verdict[r], sizeof(a->verdict[r]), "RTMR%u: all %zu event%s match\n", r, n,
					 n == 1 ? "" : "s");
			}
		}
		if (a->done[r])
			rc = 1;
		fputs(a->verdict[r], out);
	}
	return rc;
}

/* The transcript, one event at a time, as text or as the JSON 'measure tdx --transcript --json' prints. */
struct emit {
	FILE *out;
	bool json;
	size_t n;
};

static enum ms_status emit_event(void *arg, const struct ms_tdx_event *e, struct ms_err *err)
{
	struct emit *o = arg;
	char hex[2 * MS_SHA384_LEN + 1];

	if (!o->json) {
		ms_hex_encode(e->digest, MS_SHA384_LEN, hex);
		fprintf(o->out, "RTMR%u  %-34s %s  %s\n", e->rtmr, ms_tcg_event_type_name(e->type), hex,
			e->description);
	} else {
		/* an element of {"events": [...]}: two levels deep */
		cJSON *item = ms_tdx_event_json(e);
		char *text = item ? ms_json_format_nested(item, 2) : NULL;

		cJSON_Delete(item);
		if (!text)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		fprintf(o->out, "%s    %s", o->n ? ",\n" : "{\n  \"events\": [\n", text);
		free(text);
	}
	o->n++;
	return ferror(o->out) ? ms_fail(err, MS_BAD_INPUT, "cannot write to standard output") : MS_OK;
}

static int emit_end(struct emit *o)
{
	if (o->json)
		fputs(o->n ? "\n  ]\n}\n" : "{\n  \"events\": []\n}\n", o->out);
	if (fflush(o->out) == EOF || ferror(o->out)) {
		fprintf(stderr, "measure: %s: cannot write to standard output\n", verb);
		return 2;
	}
	return 0;
}

int cmd_tdx_eventlog(int argc, char **argv)
{
	enum { OPT_TABLE = 256, OPT_TRANSCRIPT, OPT_AGAINST, OPT_FORMAT };
	static const struct option options[] = {
		{ "ccel-table", required_argument, NULL, OPT_TABLE },
		{ "transcript", no_argument, NULL, OPT_TRANSCRIPT },
		{ "against", required_argument, NULL, OPT_AGAINST },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *table_path = NULL, *against_path = NULL, *path;
	bool transcript = false, json_out = false, quiet = false;
	uint8_t *table = NULL, *ref = NULL;
	size_t table_len, ref_len, log_len;
	struct ms_mapping map = { 0 };
	struct ms_ccel ccel = { 0 };
	struct ms_tdx_log want = { 0 };
	struct ms_err err = { 0 };
	cJSON *json = NULL, *ref_json = NULL;
	char *text = NULL;
	int opt, rc = 2, format = 0; /* 0 auto, 1 ccel, 2 dstack-json */
	enum ms_status (*walk)(const uint8_t *, size_t, struct ms_ccel *, ms_ccel_event_fn *, void *,
			       struct ms_err *) = ms_ccel_walk;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jqh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_TABLE: table_path = optarg; break;
		case OPT_TRANSCRIPT: transcript = true; break;
		case OPT_AGAINST: against_path = optarg; break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "auto"))
				format = 0;
			else if (!strcmp(optarg, "ccel"))
				format = 1;
			else if (!strcmp(optarg, "dstack-json"))
				format = 2;
			else
				return cli_usage(verb, "--format is auto, ccel or dstack-json, not '%s'", optarg);
			break;
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
	if (ms_file_map(path, CLI_MAX_EVENT_LOG, &map, &err)) {
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	log_len = map.len;
	if (format == 0) {
		/* a CCEL starts with the Spec ID event in PCR 0 (a zero byte); JSON with '[' or '{' */
		size_t i = 0;

		while (i < map.len && (map.data[i] == ' ' || map.data[i] == '\t' || map.data[i] == '\n' ||
				       map.data[i] == '\r'))
			i++;
		format = i < map.len && (map.data[i] == '[' || map.data[i] == '{') ? 2 : 1;
	}
	if (format == 2) {
		walk = ms_dstack_log_walk;
		if (table_path) {
			rc = cli_usage(verb, "--ccel-table belongs to a binary CC event log");
			goto out;
		}
	}
	if (table_path) {
		uint64_t laml, lasa;

		if (ms_file_load(table_path, CLI_MAX_CCEL_TABLE, &table, &table_len, &err) ||
		    ms_ccel_table_parse(table, table_len, &laml, &lasa, &err)) {
			rc = cli_fail(verb, table_path, &err);
			goto out;
		}
		if (laml > map.len) {
			ms_fail(&err, MS_BAD_INPUT, "the CCEL table's log area is 0x%llx bytes, the file has 0x%zx",
				(unsigned long long)laml, map.len);
			rc = cli_fail(verb, path, &err);
			goto out;
		}
		log_len = (size_t)laml;
	}
	/* the first walk checks and replays; a second one, which cannot fail, prints */
	if (walk(map.data, log_len, &ccel, NULL, NULL, &err)) {
		rc = cli_fail(verb, path, &err);
		goto out;
	}
	if (against_path) {
		struct against a = { .want = &want };
		FILE *out = quiet ? stderr : stdout;

		if (ms_file_load(against_path, CLI_MAX_TRANSCRIPT, &ref, &ref_len, &err)) {
			rc = cli_fail(verb, against_path, &err);
			goto out;
		}
		if (ms_json_parse_strict((const char *)ref, ref_len, "transcript", &ref_json, &err) ||
		    ms_tdx_log_from_json(ref_json, &want, &err)) {
			rc = cli_fail(verb, against_path, &err);
			goto out;
		}
		cJSON_Delete(ref_json); /* the events are in want now */
		ref_json = NULL;
		free(ref);
		ref = NULL;
		if (walk(map.data, log_len, &ccel, against_event, &a, &err)) {
			rc = cli_fail(verb, path, &err);
			goto out;
		}
		rc = against_finish(&a, out);
		if (fflush(out) == EOF) {
			fprintf(stderr, "measure: %s: cannot write to standard output\n", verb);
			rc = 2;
		}
		goto out;
	}
	if (quiet) {
		rc = 0;
		goto out;
	}
	if (transcript) {
		struct emit o = { .out = stdout, .json = json_out };

		if (walk(map.data, log_len, &ccel, emit_event, &o, &err)) {
			rc = cli_fail(verb, path, &err);
			goto out;
		}
		rc = emit_end(&o);
	} else if (json_out) {
		uint8_t sha[MS_SHA256_LEN];

		json = ms_manifest_new("tdx", "sha384");
		for (int i = 0; i < 4; i++) {
			char key[8];

			snprintf(key, sizeof(key), "rtmr%d", i);
			ms_manifest_measurement(json, key, ccel.rtmr[i], MS_SHA384_LEN);
		}
		cJSON_AddStringToObject(ms_manifest_parameters(json), "source",
					format == 2 ? "dstack JSON event log replay" : "cc event log replay");
		ms_sha256(map.data, log_len, sha);
		ms_manifest_input(json, "event-log", ms_basename(path), log_len, sha);
		rc = cli_write_json(verb, json);
	} else {
		char hex[2 * MS_SHA384_LEN + 1];
		size_t used = 0, cap = 4 * 128;

		text = malloc(cap);
		if (!text)
			goto out;
		for (int i = 0; i < 4; i++) {
			ms_hex_encode(ccel.rtmr[i], MS_SHA384_LEN, hex);
			used += (size_t)snprintf(text + used, cap - used, "RTMR%d  %s\n", i, hex);
		}
		rc = cli_write(verb, text);
	}
out:
	cJSON_Delete(json);
	cJSON_Delete(ref_json);
	free(text);
	ms_file_unmap(&map);
	free(table);
	free(ref);
	ms_ccel_free(&ccel);
	ms_tdx_log_free(&want);
	return rc;
}
