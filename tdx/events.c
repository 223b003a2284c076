/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/guid.h"
#include "events.h"
#include "pe.h"

#define EFI_GLOBAL_VARIABLE "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define EFI_IMAGE_SECURITY_DATABASE "d719b2cb-3d3a-4596-a3bc-dad00e67656f"
#define AUTH_VARIABLE_STORE "aaf32c78-947b-439a-a180-2e144ec37792"
#define VARIABLE_STORE "ddcf3616-3275-4164-98b6-fe85707ffe7d"

/* OVMF's default Boot0000 (UiApp) load option: digest as logged by real OVMF guests. */
static const char uiapp_boot0000[] =
	"23ada07f5261f12f34a0bd8e46760962d6b4d576a416f1fea1c64bc656b1d28eacf7047ae6e967c58fd2a98bfa74c298";

const char *ms_tcg_event_type_name(uint32_t type)
{
	switch (type) {
	case 0x08000001u: return "DSTACK_RUNTIME_EVENT"; /* not a TCG type: dstack's run-time events */
	case MS_EV_POST_CODE: return "EV_POST_CODE";
	case MS_EV_NO_ACTION: return "EV_NO_ACTION";
	case MS_EV_SEPARATOR: return "EV_SEPARATOR";
	case MS_EV_ACTION: return "EV_ACTION";
	case MS_EV_EVENT_TAG: return "EV_EVENT_TAG";
	case 0x7u: return "EV_S_CRTM_CONTENTS";
	case 0x8u: return "EV_S_CRTM_VERSION";
	case 0x9u: return "EV_CPU_MICROCODE";
	case 0xcu: return "EV_COMPACT_HASH";
	case MS_EV_PLATFORM_CONFIG_FLAGS: return "EV_PLATFORM_CONFIG_FLAGS";
	case MS_EV_IPL: return "EV_IPL";
	case MS_EV_EFI_VARIABLE_DRIVER_CONFIG: return "EV_EFI_VARIABLE_DRIVER_CONFIG";
	case MS_EV_EFI_VARIABLE_BOOT: return "EV_EFI_VARIABLE_BOOT";
	case MS_EV_EFI_BOOT_SERVICES_APPLICATION: return "EV_EFI_BOOT_SERVICES_APPLICATION";
	case MS_EV_EFI_BOOT_SERVICES_DRIVER: return "EV_EFI_BOOT_SERVICES_DRIVER";
	case MS_EV_EFI_GPT_EVENT: return "EV_EFI_GPT_EVENT";
	case MS_EV_EFI_ACTION: return "EV_EFI_ACTION";
	case MS_EV_EFI_PLATFORM_FIRMWARE_BLOB: return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
	case MS_EV_EFI_HANDOFF_TABLES: return "EV_EFI_HANDOFF_TABLES";
	case MS_EV_EFI_PLATFORM_FIRMWARE_BLOB2: return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
	case MS_EV_EFI_HANDOFF_TABLES2: return "EV_EFI_HANDOFF_TABLES2";
	case MS_EV_EFI_VARIABLE_BOOT2: return "EV_EFI_VARIABLE_BOOT2";
	case MS_EV_EFI_VARIABLE_AUTHORITY: return "EV_EFI_VARIABLE_AUTHORITY";
	}
	return "EV_UNKNOWN";
}

static const char *const input_names[MS_TDX_INPUT_COUNT] = {
	[MS_TDX_INPUT_MEMORY] = "memory",	     [MS_TDX_INPUT_SECURE_BOOT] = "secure-boot",
	[MS_TDX_INPUT_ACPI_LOADER] = "acpi-loader", [MS_TDX_INPUT_ACPI_RSDP] = "acpi-rsdp",
	[MS_TDX_INPUT_ACPI_TABLES] = "acpi-tables", [MS_TDX_INPUT_KERNEL] = "kernel",
	[MS_TDX_INPUT_QEMU_VERSION] = "qemu-version", [MS_TDX_INPUT_CMDLINE] = "cmdline",
};

const char *ms_tdx_input_name(enum ms_tdx_input input)
{
	return (unsigned)input < MS_TDX_INPUT_COUNT ? input_names[input] : NULL;
}

static struct ms_tdx_event *log_append(struct ms_tdx_log *log)
{
	struct ms_tdx_event *e;

	if (log->n == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 32;
		struct ms_tdx_event *p = realloc(log->events, cap * sizeof(*p));

		if (!p)
			return NULL;
		log->events = p;
		log->cap = cap;
	}
	e = &log->events[log->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

enum ms_status ms_tdx_log_add_missing(struct ms_tdx_log *log, unsigned rtmr, uint32_t type,
				      const struct ms_tdx_missing *missing, const char *fmt, ...)
{
	struct ms_tdx_event *e = log_append(log);
	va_list ap;

	if (!e)
		return MS_NO_MEMORY;
	e->rtmr = rtmr;
	e->type = type;
	e->needs = missing->needs;
	snprintf(e->why, sizeof(e->why), "%s", missing->why ? missing->why : "");
	va_start(ap, fmt);
	vsnprintf(e->description, sizeof(e->description), fmt, ap);
	va_end(ap);
	return MS_OK;
}

enum ms_status ms_tdx_log_add(struct ms_tdx_log *log, unsigned rtmr, uint32_t type,
			      const uint8_t *digest, const char *fmt, ...)
{
	struct ms_tdx_event *e = log_append(log);
	va_list ap;

	if (!e)
		return MS_NO_MEMORY;
	e->rtmr = rtmr;
	e->type = type;
	e->computed = digest != NULL;
	if (digest)
		memcpy(e->digest, digest, MS_SHA384_LEN);
	va_start(ap, fmt);
	vsnprintf(e->description, sizeof(e->description), fmt, ap);
	va_end(ap);
	return MS_OK;
}

void ms_tdx_log_free(struct ms_tdx_log *log)
{
	free(log->events);
	memset(log, 0, sizeof(*log));
}

void ms_tdx_log_replay(const struct ms_tdx_log *log, uint8_t rtmr[4][MS_SHA384_LEN], bool known[4])
{
	memset(rtmr, 0, 4 * MS_SHA384_LEN);
	for (int i = 0; i < 4; i++)
		known[i] = true;
	for (size_t i = 0; i < log->n; i++) {
		const struct ms_tdx_event *e = &log->events[i];

		if (e->rtmr > 3)
			continue;
		if (!e->computed)
			known[e->rtmr] = false;
		else
			ms_extend(MS_SHA384, rtmr[e->rtmr], e->digest);
	}
}

cJSON *ms_tdx_event_json(const struct ms_tdx_event *e)
{
	cJSON *o = cJSON_CreateObject();
	char reg[16], tv[16];

	if (!o)
		return NULL;
	snprintf(reg, sizeof(reg), "rtmr%u", e->rtmr);
	snprintf(tv, sizeof(tv), "0x%x", e->type);
	cJSON_AddStringToObject(o, "register", reg);
	cJSON_AddStringToObject(o, "type", ms_tcg_event_type_name(e->type));
	cJSON_AddStringToObject(o, "type_value", tv);
	cJSON_AddStringToObject(o, "description", e->description);
	if (ms_tdx_input_name(e->needs))
		cJSON_AddStringToObject(o, "needs", ms_tdx_input_name(e->needs));
	if (e->why[0])
		cJSON_AddStringToObject(o, "why", e->why);
	if (e->computed)
		ms_json_add_hex(o, "digest", e->digest, MS_SHA384_LEN);
	else
		cJSON_AddNullToObject(o, "digest");
	return o;
}

cJSON *ms_tdx_log_json(const struct ms_tdx_log *log)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "events");

	for (size_t i = 0; arr && i < log->n; i++)
		cJSON_AddItemToArray(arr, ms_tdx_event_json(&log->events[i]));
	return root;
}

enum ms_status ms_tdx_log_from_json(const cJSON *json, struct ms_tdx_log *log, struct ms_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(json, "events");
	size_t i = 0;

	memset(log, 0, sizeof(*log));
	if (!cJSON_IsArray(arr))
		return ms_fail(err, MS_BAD_INPUT, "not a transcript: no \"events\" array");
	for (const cJSON *e = arr->child; e; e = e->next, i++) {
		const cJSON *reg = cJSON_GetObjectItemCaseSensitive(e, "register");
		const cJSON *tv = cJSON_GetObjectItemCaseSensitive(e, "type_value");
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(e, "description");
		const cJSON *dig = cJSON_GetObjectItemCaseSensitive(e, "digest");
		uint8_t d[MS_SHA384_LEN];
		unsigned r;
		char *end;
		unsigned long type;

		if (i == MS_CCEL_MAX_EVENTS) {
			ms_tdx_log_free(log);
			return ms_fail(err, MS_BAD_INPUT, "transcript event %zu: more than %u events", i,
				       MS_CCEL_MAX_EVENTS);
		}
		if (!cJSON_IsString(reg) || sscanf(reg->valuestring, "rtmr%u", &r) != 1 || r > 3)
			return ms_fail(err, MS_BAD_INPUT, "transcript event %zu: register is not rtmr0..rtmr3", i);
		type = cJSON_IsString(tv) ? strtoul(tv->valuestring, &end, 0) : 0;
		if (!cJSON_IsString(tv) || *end)
			return ms_fail(err, MS_BAD_INPUT, "transcript event %zu: type_value is not a number", i);
		if (cJSON_IsString(dig) ? ms_hex_decode(dig->valuestring, d, MS_SHA384_LEN, "digest", err) != MS_OK
					: !cJSON_IsNull(dig)) {
			ms_tdx_log_free(log);
			return ms_fail(err, MS_BAD_INPUT, "transcript event %zu: digest is not 96 hex digits or null", i);
		}
		if (ms_tdx_log_add(log, r, (uint32_t)type, cJSON_IsString(dig) ? d : NULL, "%s",
				   cJSON_IsString(desc) ? desc->valuestring : "")) {
			ms_tdx_log_free(log);
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		}
		if (!cJSON_IsString(dig)) {
			const cJSON *needs = cJSON_GetObjectItemCaseSensitive(e, "needs");
			const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "why");
			struct ms_tdx_event *last = &log->events[log->n - 1];

			for (int k = 1; cJSON_IsString(needs) && k < MS_TDX_INPUT_COUNT; k++)
				if (!strcmp(needs->valuestring, input_names[k]))
					last->needs = (enum ms_tdx_input)k;
			if (cJSON_IsString(why))
				snprintf(last->why, sizeof(last->why), "%s", why->valuestring);
		}
	}
	return MS_OK;
}

/* UTF-8 to UTF-16LE; returns bytes written (out must hold 2 * strlen + 2). */
static size_t utf16le(const char *s, uint8_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		uint32_t c = *p++;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

		if (more)
			c &= 0x3fu >> more;
		for (; more && (*p & 0xc0) == 0x80; more--)
			c = c << 6 | (*p++ & 0x3f);
		if (c >= 0x10000) {
			c -= 0x10000;
			out[n++] = (uint8_t)(0xd800 + (c >> 10)), out[n++] = (uint8_t)((0xd800 + (c >> 10)) >> 8);
			c = 0xdc00 + (c & 0x3ff);
		}
		out[n++] = (uint8_t)c;
		out[n++] = (uint8_t)(c >> 8);
	}
	return n;
}

void ms_uefi_variable_digest(const char *guid, const char *name, const uint8_t *data, size_t len,
			     uint8_t out[MS_SHA384_LEN])
{
	struct ms_guid g = ms_guid_parse(guid);
	size_t nlen = strlen(name);
	uint8_t *buf = malloc(32 + 4 * nlen + len + 2), *p = buf;
	size_t u16;

	if (!buf) {
		memset(out, 0, MS_SHA384_LEN);
		return;
	}
	memcpy(p, g.b, 16);
	p += 16;
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)((uint64_t)nlen >> (8 * i)); /* name length in characters */
	p += 8;
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)((uint64_t)len >> (8 * i));
	p += 8;
	u16 = utf16le(name, p);
	p += u16;
	if (len)
		memcpy(p, data, len);
	p += len;
	ms_sha384(buf, (size_t)(p - buf), out);
	free(buf);
}

struct store_var {
	const char *name;
	const uint8_t *data;
	size_t len;
	bool found;
};


/* Looks for the secure-boot variables in a UEFI variable store (the CFV). */
static enum ms_status scan_store(const uint8_t *fv, size_t len, struct store_var *vars, size_t nvars,
				 struct ms_err *err)
{
	struct ms_guid auth = ms_guid_parse(AUTH_VARIABLE_STORE), plain = ms_guid_parse(VARIABLE_STORE);
	size_t hdr, pos, store_end, var_hdr;

	if (len < 0x40 || memcmp(fv + 0x28, "_FVH", 4))
		return ms_fail(err, MS_BAD_INPUT, "the CFV (VARS) has no firmware volume header (\"_FVH\" at 0x28)");
	hdr = (size_t)fv[0x30] | (size_t)fv[0x31] << 8;
	if (hdr + 28 > len)
		return ms_fail(err, MS_BAD_INPUT, "the CFV's variable store header (0x%zx) is past its end", hdr);
	if (!memcmp(fv + hdr, auth.b, 16))
		var_hdr = 60;
	else if (!memcmp(fv + hdr, plain.b, 16))
		var_hdr = 32;
	else
		return ms_fail(err, MS_BAD_INPUT, "the CFV at 0x%zx is not a UEFI variable store", hdr);
	store_end = hdr + ms_le32(fv + hdr + 16);
	if (store_end > len)
		store_end = len;
	for (pos = (hdr + 28 + 3) & ~(size_t)3; pos + var_hdr <= store_end;) {
		const uint8_t *v = fv + pos;
		size_t name_len = ms_le32(v + var_hdr - 24), data_len = ms_le32(v + var_hdr - 20);
		const uint8_t *name = v + var_hdr, *data;

		if (v[0] != 0xaa || v[1] != 0x55)
			break; /* the end of the variables */
		if (name_len > store_end - pos - var_hdr || data_len > store_end - pos - var_hdr - name_len)
			return ms_fail(err, MS_BAD_INPUT, "CFV variable at 0x%zx runs past the store", pos);
		data = name + name_len;
		if (v[2] == 0x3f || v[2] == 0x3e) { /* added (possibly in transition) */
			for (size_t k = 0; k < nvars; k++) {
				size_t n = strlen(vars[k].name), i;

				if (name_len != 2 * (n + 1))
					continue;
				for (i = 0; i < n && name[2 * i] == (uint8_t)vars[k].name[i] && !name[2 * i + 1]; i++)
					;
				if (i == n) {
					vars[k].found = true;
					vars[k].data = data;
					vars[k].len = data_len;
				}
			}
		}
		pos = (pos + var_hdr + name_len + data_len + 3) & ~(size_t)3;
	}
	return MS_OK;
}

static enum ms_status rtmr0_events(const struct ms_tdx_boot *b, struct ms_tdx_log *log, struct ms_err *err)
{
	const struct ms_tdvf *t = b->tdvf;
	const struct ms_tdvf_section *cfv = NULL;
	uint8_t d[MS_SHA384_LEN];
	enum ms_status st = MS_OK;
	struct store_var vars[] = { { "SecureBoot" }, { "PK" }, { "KEK" }, { "db" }, { "dbx" } };
	static const char *const guids[] = { EFI_GLOBAL_VARIABLE, EFI_GLOBAL_VARIABLE, EFI_GLOBAL_VARIABLE,
					     EFI_IMAGE_SECURITY_DATABASE, EFI_IMAGE_SECURITY_DATABASE };
	bool keys = false, store_ok = true;
	struct ms_err scan_err = { 0 };

	if (!t)
		return ms_tdx_log_add(log, 0, MS_EV_EFI_HANDOFF_TABLES2, NULL,
				      "RTMR0: the firmware's events (they need the firmware, the memory size and QEMU's ACPI tables)") ==
				       MS_NO_MEMORY
			       ? ms_fail(err, MS_NO_MEMORY, "out of memory")
			       : MS_OK;
	if (b->memory) {
		uint8_t *hob;
		size_t len;

		if ((st = ms_tdx_td_hob(t, b->memory, &hob, &len, err)))
			return st;
		ms_sha384(hob, len, d);
		free(hob);
		st = ms_tdx_log_add(log, 0, MS_EV_EFI_HANDOFF_TABLES2, d, "TdxTable: the TD HOB for %llu MiB of memory",
				    (unsigned long long)(b->memory >> 20));
	} else {
		st = ms_tdx_log_add_missing(log, 0, MS_EV_EFI_HANDOFF_TABLES2,
					    &(struct ms_tdx_missing){ MS_TDX_INPUT_MEMORY, "it describes guest RAM" },
					    "TdxTable: the TD HOB");
	}
	for (unsigned i = 0; i < t->nsections; i++)
		if (t->sections[i].type == MS_TDVF_CFV)
			cfv = &t->sections[i];
	if (!st && cfv) {
		ms_sha384(t->image + cfv->data_offset, cfv->raw_size, d);
		st = ms_tdx_log_add(log, 0, MS_EV_EFI_PLATFORM_FIRMWARE_BLOB2, d,
				    "CFV: the firmware variable volume (VARS, 0x%x bytes at GPA 0x%llx)", cfv->raw_size,
				    (unsigned long long)cfv->address);
		if (scan_store(t->image + cfv->data_offset, cfv->raw_size, vars, 5, &scan_err))
			store_ok = false;
	} else if (!st) {
		st = ms_tdx_log_add(log, 0, MS_EV_EFI_PLATFORM_FIRMWARE_BLOB2, NULL,
				    "CFV: the firmware has no CFV (VARS) section");
		store_ok = false;
	}
	for (int k = 1; k < 5; k++)
		keys |= vars[k].found;
	for (int k = 0; !st && k < 5; k++) {
		if (!store_ok) {
			st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_DRIVER_CONFIG, NULL, "%s (%s)", vars[k].name,
					    scan_err.msg[0] ? scan_err.msg : "no variable store");
		} else if (k == 0 && keys) {
			uint8_t v = (uint8_t)b->secure_boot;

			if (b->secure_boot < 0)
				st = ms_tdx_log_add_missing(log, 0, MS_EV_EFI_VARIABLE_DRIVER_CONFIG,
							    &(struct ms_tdx_missing){ MS_TDX_INPUT_SECURE_BOOT,
										      "keys are enrolled: on or off" },
							    "SecureBoot");
			else {
				ms_uefi_variable_digest(guids[k], vars[k].name, &v, 1, d);
				st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_DRIVER_CONFIG, d, "SecureBoot = %u", v);
			}
		} else {
			ms_uefi_variable_digest(guids[k], vars[k].name, vars[k].data, vars[k].len, d);
			st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_DRIVER_CONFIG, d, "%s (%s)", vars[k].name,
					    vars[k].found ? "from the VARS" : "not set");
		}
	}
	if (!st) {
		ms_sha384("\0\0\0\0", 4, d);
		st = ms_tdx_log_add(log, 0, MS_EV_SEPARATOR, d, "separator");
	}
	{
		const uint8_t *blobs[] = { b->acpi_loader, b->acpi_rsdp, b->acpi_tables };
		const size_t lens[] = { b->acpi_loader_len, b->acpi_rsdp_len, b->acpi_tables_len };
		static const char *const names[] = { "etc/table-loader", "etc/acpi/rsdp", "etc/acpi/tables" };
		static const enum ms_tdx_input inputs[] = { MS_TDX_INPUT_ACPI_LOADER, MS_TDX_INPUT_ACPI_RSDP,
							    MS_TDX_INPUT_ACPI_TABLES };

		for (int k = 0; !st && k < 3; k++) {
			if (blobs[k]) {
				ms_sha384(blobs[k], lens[k], d);
				st = ms_tdx_log_add(log, 0, MS_EV_PLATFORM_CONFIG_FLAGS, d, "ACPI DATA: %s", names[k]);
			} else {
				st = ms_tdx_log_add_missing(log, 0, MS_EV_PLATFORM_CONFIG_FLAGS,
							    &(struct ms_tdx_missing){ inputs[k], "dumped from the VMM" },
							    "ACPI DATA: %s", names[k]);
			}
		}
	}
	if (!st && !b->boot_order) {
		ms_sha384("\0\0", 2, d);
		st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_BOOT, d, "BootOrder (OVMF default: 0000)");
		if (!st && ms_hex_decode(uiapp_boot0000, d, MS_SHA384_LEN, "Boot0000", err) == MS_OK)
			st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_BOOT, d, "Boot0000 (OVMF default: UiApp)");
	} else if (!st) {
		ms_sha384(b->boot_order, b->boot_order_len, d);
		st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_BOOT, d, "BootOrder");
		for (unsigned k = 0; !st && k < b->nboot_entries; k++) {
			unsigned num = b->boot_order[2 * k] | b->boot_order[2 * k + 1] << 8;

			ms_sha384(b->boot_entries[k], b->boot_entry_lens[k], d);
			st = ms_tdx_log_add(log, 0, MS_EV_EFI_VARIABLE_BOOT, d, "Boot%04X", num);
		}
	}
	return st == MS_NO_MEMORY ? ms_fail(err, st, "out of memory") : st;
}

bool ms_qemu_patches_tdx_kernel(int major, int minor)
{
	/* qemu/qemu a7542a38f399 "x86/loader: Don't update kernel header for CoCo VMs", in v10.2.0 */
	return major > 0 && (major < 10 || (major == 10 && minor < 2));
}

enum ms_status ms_tdx_kernel_digest(const struct ms_tdx_boot *b, uint8_t out[MS_SHA384_LEN], bool *computed,
				    struct ms_tdx_missing *missing, struct ms_err *err)
{
	bool patched = ms_qemu_patches_tdx_kernel(b->qemu_major, b->qemu_minor);
	uint8_t head[0x1000] = { 0 };
	enum ms_status st;

	*computed = false;
	if (!b->kernel) {
		*missing = (struct ms_tdx_missing){ MS_TDX_INPUT_KERNEL, "direct boot" };
		return MS_OK;
	}
	if (!b->qemu_major) {
		*missing = (struct ms_tdx_missing){ MS_TDX_INPUT_QEMU_VERSION,
						    "QEMU before 10.2 edits the setup header, 10.2 and later do not" };
		return MS_OK;
	}
	if (patched && b->initrd && !b->memory) {
		*missing = (struct ms_tdx_missing){ MS_TDX_INPUT_MEMORY,
						    "QEMU before 10.2 writes the initrd's address, which depends on it" };
		return MS_OK;
	}
	/* QEMU's edits go to a copy of the first page: the caller's kernel stays as given */
	if (patched) {
		if (b->kernel_len < sizeof(head))
			return ms_fail(err, MS_BAD_INPUT, "kernel is 0x%zx bytes, too short for a bzImage", b->kernel_len);
		memcpy(head, b->kernel, sizeof(head));
		if ((st = ms_qemu_patch_bzimage(head, sizeof(head), b->initrd ? b->initrd_size : 0, b->memory, err)))
			return st;
	}
	if ((st = ms_pe_authenticode_sha384_overlay(b->kernel, b->kernel_len, head, patched ? sizeof(head) : 0, out,
						     err)))
		return st;
	*computed = true;
	return MS_OK;
}

static enum ms_status rtmr1_events(const struct ms_tdx_boot *b, struct ms_tdx_log *log, struct ms_err *err)
{
	static const char *const actions[] = { "Calling EFI Application from Boot Option", NULL,
					       "Exit Boot Services Invocation",
					       "Exit Boot Services Returned with Success" };
	uint8_t d[MS_SHA384_LEN];
	struct ms_tdx_missing missing = { 0 };
	bool computed = b->kernel_digest != NULL;
	enum ms_status st;

	if (b->kernel_digest)
		memcpy(d, b->kernel_digest, MS_SHA384_LEN);
	else if ((st = ms_tdx_kernel_digest(b, d, &computed, &missing, err)))
		return st;
	if (!b->kernel && !b->kernel_digest)
		return ms_tdx_log_add_missing(log, 1, MS_EV_EFI_BOOT_SERVICES_APPLICATION, &missing, "kernel");
	if (computed && !b->kernel)
		st = ms_tdx_log_add(log, 1, MS_EV_EFI_BOOT_SERVICES_APPLICATION, d,
				    "kernel: Authenticode SHA-384 as given");
	else if (computed)
		st = ms_tdx_log_add(log, 1, MS_EV_EFI_BOOT_SERVICES_APPLICATION, d, "kernel: Authenticode SHA-384%s",
				    ms_qemu_patches_tdx_kernel(b->qemu_major, b->qemu_minor)
					    ? " of the setup header QEMU patched"
					    : " of the file as given");
	else
		st = ms_tdx_log_add_missing(log, 1, MS_EV_EFI_BOOT_SERVICES_APPLICATION, &missing, "kernel");
	for (int i = 0; !st && i < 4; i++) {
		if (actions[i]) {
			ms_sha384(actions[i], strlen(actions[i]), d);
			st = ms_tdx_log_add(log, 1, MS_EV_EFI_ACTION, d, "%s", actions[i]);
		} else {
			ms_sha384("\0\0\0\0", 4, d);
			st = ms_tdx_log_add(log, 1, MS_EV_SEPARATOR, d, "separator");
		}
	}
	return st == MS_NO_MEMORY ? ms_fail(err, st, "out of memory") : st;
}

static enum ms_status rtmr2_events(const struct ms_tdx_boot *b, struct ms_tdx_log *log, struct ms_err *err)
{
	uint8_t d[MS_SHA384_LEN];
	enum ms_status st;

	if (!b->kernel && !b->kernel_digest)
		return ms_tdx_log_add_missing(log, 2, MS_EV_EVENT_TAG,
					      &(struct ms_tdx_missing){ MS_TDX_INPUT_KERNEL, "direct boot" },
					      "kernel command line");
	if (b->cmdline_sha384) {
		st = ms_tdx_log_add(log, 2, MS_EV_EVENT_TAG, b->cmdline_sha384,
				    "kernel command line: SHA-384 as given");
	} else if (!b->cmdline) {
		st = ms_tdx_log_add_missing(log, 2, MS_EV_EVENT_TAG, &(struct ms_tdx_missing){ MS_TDX_INPUT_CMDLINE, NULL },
					    "kernel command line");
	} else {
		/* LoadOptions as the Linux EFI stub measures them: OVMF adds the initrd, UTF-16LE, NUL-terminated */
		size_t n = strlen(b->cmdline) + sizeof(" initrd=initrd");
		char *text = malloc(n);
		uint8_t *u16 = malloc(2 * n + 2);
		size_t len;

		if (!text || !u16) {
			free(text);
			free(u16);
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		}
		snprintf(text, n, "%s%s", b->cmdline, b->initrd ? " initrd=initrd" : "");
		len = utf16le(text, u16);
		u16[len++] = 0;
		u16[len++] = 0;
		ms_sha384(u16, len, d);
		st = ms_tdx_log_add(log, 2, MS_EV_EVENT_TAG, d, "kernel command line: \"%.100s\"", text);
		free(text);
		free(u16);
	}
	if (!st && b->initrd && b->initrd_size)
		st = ms_tdx_log_add(log, 2, MS_EV_EVENT_TAG, b->initrd_sha384, "initrd (%llu bytes)",
				    (unsigned long long)b->initrd_size);
	else if (!st && b->initrd)
		st = ms_tdx_log_add(log, 2, MS_EV_EVENT_TAG, b->initrd_sha384, "initrd: SHA-384 as given");
	return st == MS_NO_MEMORY ? ms_fail(err, st, "out of memory") : st;
}

enum ms_status ms_tdx_boot_events(const struct ms_tdx_boot *b, struct ms_tdx_log *log, struct ms_err *err)
{
	enum ms_status st;

	if (b->boot_order && (b->boot_order_len % 2 || b->nboot_entries != b->boot_order_len / 2))
		return ms_fail(err, MS_USAGE, "BootOrder lists %zu entries, %u Boot#### files were given",
			       b->boot_order_len / 2, b->nboot_entries);
	if ((st = rtmr0_events(b, log, err)) || (st = rtmr1_events(b, log, err)) ||
	    (st = rtmr2_events(b, log, err)))
		return st;
	return MS_OK;
}
