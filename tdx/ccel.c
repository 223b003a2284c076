/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/guid.h"
#include "events.h"

#define ALG_SHA384 0x000c
#define SPEC_ID_SIGNATURE "Spec ID Event03"
#define MAX_EVENT_DATA (16u << 20)




enum ms_status ms_ccel_table_parse(const uint8_t *buf, size_t len, uint64_t *log_length,
				   uint64_t *log_address, struct ms_err *err)
{
	uint8_t sum = 0;
	uint32_t table_len;

	if (len < 56)
		return ms_fail(err, MS_BAD_INPUT, "CCEL table is %zu bytes, needs 56", len);
	if (memcmp(buf, "CCEL", 4))
		return ms_fail(err, MS_BAD_INPUT, "ACPI table signature at offset 0x0 is not \"CCEL\"");
	table_len = ms_le32(buf + 4);
	if (table_len < 56 || table_len > len)
		return ms_fail(err, MS_BAD_INPUT, "CCEL table length %u (offset 0x4) does not fit the %zu bytes given",
			       table_len, len);
	for (uint32_t i = 0; i < table_len; i++)
		sum = (uint8_t)(sum + buf[i]);
	if (sum)
		return ms_fail(err, MS_BAD_INPUT, "CCEL table checksum (offset 0x9) does not sum to zero");
	if (buf[36] != 2)
		return ms_fail(err, MS_UNSUPPORTED, "CCEL CC type %u (offset 0x24) is not TDX (2)", buf[36]);
	*log_length = ms_le64(buf + 40);
	*log_address = ms_le64(buf + 48);
	return MS_OK;
}

/* Printable ASCII of a string-like event, quoted. */
static void describe_text(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;

	while (n && !p[n - 1])
		n--;
	for (size_t i = 0; i < n && o + 8 < cap; i++)
		out[o++] = isprint(p[i]) ? (char)p[i] : '.';
	out[o] = '\0';
}

/* UEFI_VARIABLE_DATA: the variable name (UTF-16, ASCII shown) and vendor GUID. */
static void describe_variable(char *out, size_t cap, const uint8_t *p, size_t n)
{
	uint64_t chars, data;
	char name[64], guid[37];
	size_t k;

	if (n < 32) {
		snprintf(out, cap, "(malformed UEFI_VARIABLE_DATA)");
		return;
	}
	chars = ms_le64(p + 16);
	data = ms_le64(p + 24);
	if (chars > (n - 32) / 2) {
		snprintf(out, cap, "(malformed UEFI_VARIABLE_DATA)");
		return;
	}
	for (k = 0; k < chars && k < sizeof(name) - 1; k++)
		name[k] = p[32 + 2 * k + 1] || !isprint(p[32 + 2 * k]) ? '?' : (char)p[32 + 2 * k];
	name[k] = '\0';
	ms_guid_format((const struct ms_guid *)p, guid);
	snprintf(out, cap, "%s (%s, %llu bytes)", name, guid, (unsigned long long)data);
}

/* UEFI_PLATFORM_FIRMWARE_BLOB2 / HANDOFF_TABLES2: a length-prefixed description first. */
static void describe_blob2(char *out, size_t cap, uint32_t type, const uint8_t *p, size_t n)
{
	char text[128];
	size_t len = n ? p[0] : 0;

	if (!n || len > n - 1) {
		snprintf(out, cap, "(malformed event data)");
		return;
	}
	describe_text(text, sizeof(text), p + 1, len);
	if (type == MS_EV_EFI_PLATFORM_FIRMWARE_BLOB2 && n >= 1 + len + 16)
		snprintf(out, cap, "%s at 0x%llx, 0x%llx bytes", text, (unsigned long long)ms_le64(p + 1 + len),
			 (unsigned long long)ms_le64(p + 9 + len));
	else
		snprintf(out, cap, "%s", text);
}

void ms_tcg_describe(char *out, size_t cap, uint32_t type, const uint8_t *p, size_t n)
{
	switch (type) {
	case MS_EV_EFI_VARIABLE_DRIVER_CONFIG:
	case MS_EV_EFI_VARIABLE_BOOT:
	case MS_EV_EFI_VARIABLE_BOOT2:
	case MS_EV_EFI_VARIABLE_AUTHORITY:
		describe_variable(out, cap, p, n);
		break;
	case MS_EV_EFI_PLATFORM_FIRMWARE_BLOB2:
	case MS_EV_EFI_HANDOFF_TABLES2:
		describe_blob2(out, cap, type, p, n);
		break;
	case MS_EV_EFI_PLATFORM_FIRMWARE_BLOB:
		if (n >= 16)
			snprintf(out, cap, "firmware blob at 0x%llx, 0x%llx bytes", (unsigned long long)ms_le64(p),
				 (unsigned long long)ms_le64(p + 8));
		else
			snprintf(out, cap, "(malformed event data)");
		break;
	case MS_EV_EFI_BOOT_SERVICES_APPLICATION:
	case MS_EV_EFI_BOOT_SERVICES_DRIVER:
		if (n >= 32)
			snprintf(out, cap, "EFI image at 0x%llx, 0x%llx bytes", (unsigned long long)ms_le64(p),
				 (unsigned long long)ms_le64(p + 8));
		else
			snprintf(out, cap, "(malformed event data)");
		break;
	case MS_EV_SEPARATOR:
		snprintf(out, cap, n == 4 && !ms_le32(p) ? "separator" : "separator (error value)");
		break;
	case MS_EV_EFI_GPT_EVENT:
		snprintf(out, cap, "GPT partition table");
		break;
	case MS_EV_EFI_ACTION:
	case MS_EV_ACTION:
	case MS_EV_PLATFORM_CONFIG_FLAGS:
	case MS_EV_IPL:
	case MS_EV_POST_CODE:
	default: {
		char text[160];

		describe_text(text, sizeof(text), p, n);
		snprintf(out, cap, "%s", text[0] ? text : "(binary event data)");
	}
	}
}

enum ms_status ms_tcg_log_walk(const uint8_t *buf, size_t len, struct ms_tcg_log_header *h, ms_tcg_record_fn *fn,
			       void *arg, struct ms_err *err)
{
	size_t pos, spec, nalgs;
	uint32_t size;

	memset(h, 0, sizeof(*h));
	/* the first record is a TCG_PCR_EVENT carrying the Spec ID event */
	if (len < 32)
		return ms_fail(err, MS_BAD_INPUT, "event log is %zu bytes: too short for its first record", len);
	if (ms_le32(buf + 4) != MS_EV_NO_ACTION)
		return ms_fail(err, MS_BAD_INPUT, "first event (offset 0x4) has type 0x%x, not EV_NO_ACTION", ms_le32(buf + 4));
	size = ms_le32(buf + 28);
	spec = 32;
	if (size > len - spec || size < 24 + 4)
		return ms_fail(err, MS_BAD_INPUT, "Spec ID event size %u (offset 0x1c) runs past the log (0x%zx bytes)",
			       size, len);
	if (memcmp(buf + spec, SPEC_ID_SIGNATURE, sizeof(SPEC_ID_SIGNATURE)))
		return ms_fail(err, MS_BAD_INPUT, "first event (offset 0x20) is not a \"Spec ID Event03\" (crypto-agile log)");
	nalgs = ms_le32(buf + spec + 24);
	if (nalgs == 0 || nalgs > MS_TCG_MAX_ALGS || 28 + 4 * nalgs > size)
		return ms_fail(err, MS_BAD_INPUT, "Spec ID event (offset 0x%zx) lists %zu algorithms", spec + 24, nalgs);
	for (size_t i = 0; i < nalgs; i++) {
		h->algs[i] = ms_le16(buf + spec + 28 + 4 * i);
		h->sizes[i] = ms_le16(buf + spec + 30 + 4 * i);
		if (h->sizes[i] == 0 || h->sizes[i] > 64 || (h->algs[i] == ALG_SHA384 && h->sizes[i] != 48))
			return ms_fail(err, MS_BAD_INPUT, "Spec ID event: algorithm 0x%04x has digest size %u", h->algs[i],
				       h->sizes[i]);
	}
	h->nalgs = (unsigned)nalgs;
	h->nevents = 1;
	for (pos = spec + size; pos + 12 <= len;) {
		struct ms_tcg_record r = { .offset = pos };
		size_t count, p;
		enum ms_status st;

		r.index = ms_le32(buf + pos);
		r.type = ms_le32(buf + pos + 4);
		if (r.index == 0xffffffffu || (r.index == 0 && r.type == 0 && ms_le32(buf + pos + 8) == 0))
			break; /* the end, or the zero-filled rest of the log area */
		if (h->nevents >= MS_CCEL_MAX_EVENTS)
			return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): more than %u events in the log",
				       h->nevents, pos, MS_CCEL_MAX_EVENTS);
		count = ms_le32(buf + pos + 8);
		if (count == 0 || count > h->nalgs)
			return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): digest count %zu, the log declares %u algorithms",
				       h->nevents, pos, count, h->nalgs);
		p = pos + 12;
		for (size_t i = 0; i < count; i++) {
			unsigned k;
			uint16_t alg;

			if (p + 2 > len)
				return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): digests run past the end of the log",
					       h->nevents, pos);
			alg = ms_le16(buf + p);
			for (k = 0; k < h->nalgs && h->algs[k] != alg; k++)
				;
			if (k == h->nalgs)
				return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): digest algorithm 0x%04x is not declared",
					       h->nevents, p, alg);
			if (h->sizes[k] > len - p - 2)
				return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): digests run past the end of the log",
					       h->nevents, pos);
			r.alg[r.ndigests] = alg;
			r.digest[r.ndigests++] = buf + p + 2;
			p += 2 + h->sizes[k];
		}
		if (p + 4 > len)
			return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): event size runs past the end of the log",
				       h->nevents, pos);
		size = ms_le32(buf + p);
		p += 4;
		if (size > len - p || size > MAX_EVENT_DATA)
			return ms_fail(err, MS_BAD_INPUT,
				       "event %u (offset 0x%zx): event size %u (offset 0x%zx) runs past the end of the log",
				       h->nevents, pos, size, p - 4);
		r.number = h->nevents;
		r.data = buf + p;
		r.data_len = size;
		if ((st = fn(arg, &r, err)))
			return st;
		h->nevents++;
		pos = p + size;
	}
	h->end = pos;
	return MS_OK;
}

const uint8_t *ms_tcg_record_digest(const struct ms_tcg_record *r, uint16_t alg)
{
	for (unsigned i = 0; i < r->ndigests; i++)
		if (r->alg[i] == alg)
			return r->digest[i];
	return NULL;
}

struct ccel_walk {
	struct ms_ccel *c;
	ms_ccel_event_fn *fn;
	void *arg;
};

static enum ms_status ccel_record(void *arg, const struct ms_tcg_record *r, struct ms_err *err)
{
	struct ccel_walk *w = arg;
	struct ms_ccel *c = w->c;
	const uint8_t *sha384 = ms_tcg_record_digest(r, ALG_SHA384);

	if (r->index > 4)
		return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): MR index %u, TDX has 0 (MRTD) to 4 (RTMR3)",
			       r->number, r->offset, r->index);
	/* MRTD (index 0) is measured by the TDX module, EV_NO_ACTION never extends */
	if (r->index >= 1 && r->type != MS_EV_NO_ACTION) {
		struct ms_tdx_event e = { .rtmr = r->index - 1, .type = r->type, .computed = true };
		enum ms_status st;

		if (!sha384)
			return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): no SHA-384 digest", r->number, r->offset);
		memcpy(e.digest, sha384, MS_SHA384_LEN);
		ms_extend(MS_SHA384, c->rtmr[e.rtmr], e.digest);
		c->nextends++;
		if (w->fn) {
			ms_tcg_describe(e.description, sizeof(e.description), r->type, r->data, r->data_len);
			if ((st = w->fn(w->arg, &e, err)))
				return st;
		}
	}
	return MS_OK;
}

static enum ms_status walk(const uint8_t *buf, size_t len, struct ms_ccel *c, ms_ccel_event_fn *fn, void *arg,
			   struct ms_err *err)
{
	struct ccel_walk w = { c, fn, arg };
	struct ms_tcg_log_header h;
	enum ms_status st = ms_tcg_log_walk(buf, len, &h, ccel_record, &w, err);

	memcpy(c->algs, h.algs, sizeof(c->algs));
	memcpy(c->sizes, h.sizes, sizeof(c->sizes));
	c->nalgs = h.nalgs;
	c->nevents = h.nevents;
	c->end = h.end;
	return st;
}

enum ms_status ms_ccel_walk(const uint8_t *buf, size_t len, struct ms_ccel *c, ms_ccel_event_fn *fn, void *arg,
			    struct ms_err *err)
{
	memset(c, 0, sizeof(*c));
	return walk(buf, len, c, fn, arg, err);
}

static enum ms_status keep(void *arg, const struct ms_tdx_event *e, struct ms_err *err)
{
	struct ms_tdx_log *log = arg;

	if (ms_tdx_log_add(log, e->rtmr, e->type, e->digest, "%s", e->description))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	return MS_OK;
}

enum ms_status ms_ccel_parse(const uint8_t *buf, size_t len, struct ms_ccel *c, struct ms_err *err)
{
	struct ms_tdx_log log = { 0 };
	enum ms_status st = ms_ccel_walk(buf, len, c, keep, &log, err);

	if (st)
		ms_tdx_log_free(&log); /* the events read before the error */
	else
		c->log = log;
	return st;
}

void ms_ccel_free(struct ms_ccel *c)
{
	ms_tdx_log_free(&c->log);
}
