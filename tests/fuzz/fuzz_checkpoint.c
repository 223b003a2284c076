/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the transparency-log text parsers of pin/checkpoint.c on the same
 * input: checkpoint text, signed notes (split, and verified against a fixed
 * key), verifier keys and the inclusion-proof JSON. What parses must format
 * back and parse again to the same value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../pin/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VKEY "measure.example/test-log+a9f7e066+AXFcCf8Ou+SilWTE4Zmkt9ntQc2weD2YPyvYt/2SvhJg"

static void checkpoint(const char *text, size_t size)
{
	struct ms_checkpoint cp, again;
	struct ms_err err;
	char *out = NULL;
	size_t len = 0;

	if (ms_checkpoint_parse(text, size, &cp, &err) != MS_OK)
		return;
	if (ms_checkpoint_format(&cp, &out, &len, &err) != MS_OK)
		abort(); /* what parses formats */
	if (len != size || memcmp(out, text, size) != 0)
		abort(); /* the text form is canonical */
	if (ms_checkpoint_parse(out, len, &again, &err) != MS_OK || memcmp(&cp, &again, sizeof(cp)) != 0)
		abort();
	free(out);
}

static void note(const char *text, size_t size)
{
	struct ms_note_verifier v;
	struct ms_checkpoint cp;
	struct ms_err err;
	size_t text_len = 0, verified_len = 0;

	if (ms_note_split(text, size, &text_len, &err) == MS_OK && (text_len == 0 || text_len >= size))
		abort();
	if (ms_note_verifier_parse(VKEY, strlen(VKEY), &v, &err) != MS_OK)
		abort();
	if (ms_note_verify(text, size, &v, &verified_len, &err) == MS_OK && verified_len != text_len)
		abort(); /* a verified note has the shape split saw */
	(void)ms_checkpoint_open(text, size, &v, &cp, &err);
}

static void verifier_key(const char *text, size_t size)
{
	struct ms_note_verifier v;
	struct ms_err err;
	char *out = NULL;

	if (ms_note_verifier_parse(text, size, &v, &err) != MS_OK)
		return;
	if (ms_note_verifier_format(&v, &out, &err) != MS_OK)
		abort();
	free(out);
}

static void proof(const char *text, size_t size)
{
	struct ms_tlog_proof p, q;
	struct ms_checkpoint cp;
	struct ms_err err;
	char *out = NULL;

	if (ms_tlog_proof_parse(text, size, &p, &err) != MS_OK) {
		if (p.checkpoint || p.entry)
			abort(); /* a refusal hands back nothing */
		return;
	}
	(void)ms_tlog_proof_check(&p, NULL, &cp, &err);
	if (p.consistency) {
		/* against an old checkpoint of its own old_size (the root taken from the path when there is one) */
		struct ms_checkpoint old = { .size = p.old_size };

		snprintf(old.origin, sizeof(old.origin), "measure/pin");
		if (p.path_len)
			memcpy(old.root, p.path[0], MS_TLOG_HASH_LEN);
		(void)ms_tlog_consistency_check(&p, NULL, &old, &cp, &err);
	}
	if (ms_tlog_proof_format(&p, &out, &err) == MS_OK) {
		if (ms_tlog_proof_parse(out, strlen(out), &q, &err) != MS_OK)
			abort(); /* what we write we read */
		if (q.consistency != p.consistency || q.old_size != p.old_size ||
		    q.leaf_index != p.leaf_index || q.tree_size != p.tree_size || q.path_len != p.path_len ||
		    memcmp(q.path, p.path, sizeof(p.path)) != 0 || strcmp(q.checkpoint, p.checkpoint) != 0)
			abort();
		ms_tlog_proof_free(&q);
		free(out);
	}
	ms_tlog_proof_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	checkpoint(text, size);
	note(text, size);
	verifier_key(text, size);
	proof(text, size);
	return 0;
}
