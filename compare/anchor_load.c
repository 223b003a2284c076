/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <string.h>

#include "../common/hex.h"
#include "../common/x509.h"
#include "anchors.h"

/*
 * The built-in anchors are constants of the program: each is parsed and its
 * pin checked once per process, then shared (reference-counted), so a run
 * that verifies many documents neither re-parses the PEM nor decodes the
 * root's key again for each. Indexed by the anchor's position in ms_anchors.
 */
#define MAX_ANCHORS 32
static X509 *parsed[MAX_ANCHORS];
static pthread_mutex_t parsed_lock = PTHREAD_MUTEX_INITIALIZER;

static enum ms_status parse_and_pin(const struct ms_anchor *a, X509 **out, struct ms_err *err)
{
	uint8_t fp[32];
	char hex[65];
	X509 *cert;
	enum ms_status st;

	st = ms_x509_parse((const uint8_t *)a->pem, strlen(a->pem), a->name, &cert, err);
	if (st)
		return st;
	ms_x509_fingerprint(cert, fp);
	ms_hex_encode(fp, 32, hex);
	if (strcmp(hex, a->sha256)) {
		X509_free(cert);
		return ms_fail(err, MS_BAD_SIGNATURE, "built-in %s does not match its pin", a->name);
	}
	*out = cert;
	return MS_OK;
}

enum ms_status ms_anchor_load(enum ms_anchor_id id, X509 **out, struct ms_err *err)
{
	for (unsigned i = 0; i < ms_anchor_count; i++) {
		const struct ms_anchor *a = &ms_anchors[i];
		enum ms_status st = MS_OK;

		if (a->id != id)
			continue;
		if (i >= MAX_ANCHORS)
			return parse_and_pin(a, out, err);
		pthread_mutex_lock(&parsed_lock);
		if (!parsed[i])
			st = parse_and_pin(a, &parsed[i], err);
		if (!st) {
			X509_up_ref(parsed[i]);
			*out = parsed[i];
		}
		pthread_mutex_unlock(&parsed_lock);
		return st;
	}
	return ms_fail(err, MS_UNSUPPORTED, "no built-in trust anchor %d", (int)id);
}
