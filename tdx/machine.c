/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

struct mrtd_job {
	const struct ms_tdvf *tdvf;
	enum ms_page_add_order order;
	uint8_t mrtd[MS_SHA384_LEN];
	enum ms_status status;
	struct ms_err err;
};

static void *mrtd_thread(void *arg)
{
	struct mrtd_job *job = arg;

	job->status = ms_tdx_mrtd(job->tdvf, job->order, job->mrtd, &job->err);
	return NULL;
}

struct initrd_job {
	const uint8_t *data;
	size_t len;
	uint8_t sha384[MS_SHA384_LEN];
};

static void *initrd_thread(void *arg)
{
	struct initrd_job *job = arg;

	ms_sha384(job->data, job->len, job->sha384);
	return NULL;
}

/* Runs fn on a thread, or here when no thread can start; *started says which. */
static void start(pthread_t *tid, bool *started, void *(*fn)(void *), void *arg)
{
	*started = pthread_create(tid, NULL, fn, arg) == 0;
	if (!*started)
		fn(arg);
}

static void finish(const pthread_t *tid, bool *started)
{
	if (*started)
		pthread_join(*tid, NULL);
	*started = false;
}

static enum ms_status fail_part(struct ms_tdx_result *r, enum ms_tdx_part part, enum ms_status st)
{
	r->failed = part;
	return st;
}

enum ms_page_add_order ms_tdx_default_order(int qemu_major)
{
	return qemu_major && qemu_major <= 8 ? MS_TWO_PASS : MS_SINGLE_PASS;
}

enum ms_status ms_tdx_measure(const struct ms_tdx_machine *m, struct ms_tdx_result *r, struct ms_err *err)
{
	struct ms_tdx_boot boot = m->boot;
	struct ms_tdvf tdvf;
	struct mrtd_job mrtd = { 0 };
	struct initrd_job initrd = { m->initrd_data, m->initrd_len, { 0 } };
	uint8_t *joined = NULL, kernel_digest[MS_SHA384_LEN];
	const uint8_t *image = m->firmware;
	size_t image_len = m->firmware_len + (m->vars ? m->vars_len : 0);
	struct ms_tdx_missing missing;
	pthread_t mrtd_tid, initrd_tid;
	bool mrtd_started = false, initrd_started = false;
	enum ms_status st = MS_OK;

	memset(r, 0, sizeof(*r));
	r->order = m->order_given ? m->order : ms_tdx_default_order(m->boot.qemu_major);
	boot.tdvf = NULL;
	if (m->firmware) {
		if (m->vars) {
			/* a split CODE image: the VARS go in front, as in the flash image QEMU maps */
			if (!(joined = malloc(image_len ? image_len : 1))) {
				st = fail_part(r, MS_TDX_PART_FIRMWARE, ms_fail(err, MS_NO_MEMORY, "out of memory"));
				goto out;
			}
			memcpy(joined, m->vars, m->vars_len);
			memcpy(joined + m->vars_len, m->firmware, m->firmware_len);
			image = joined;
		}
		if ((st = ms_tdvf_parse(image, image_len, &tdvf, err))) {
			st = fail_part(r, MS_TDX_PART_FIRMWARE, st);
			goto out;
		}
		boot.tdvf = &tdvf;
		mrtd = (struct mrtd_job){ &tdvf, r->order, { 0 }, MS_OK, { 0 } };
		start(&mrtd_tid, &mrtd_started, mrtd_thread, &mrtd);
	}
	if (m->initrd_data) {
		boot.initrd = true;
		boot.initrd_size = m->initrd_len;
		start(&initrd_tid, &initrd_started, initrd_thread, &initrd);
	}
	/* the kernel's Authenticode hash runs here while the MRTD and the initrd hash */
	if ((st = ms_tdx_kernel_digest(&boot, kernel_digest, &r->kernel_computed, &missing, err))) {
		st = fail_part(r, MS_TDX_PART_KERNEL, st);
		goto out;
	}
	finish(&initrd_tid, &initrd_started);
	if (m->initrd_data)
		memcpy(boot.initrd_sha384, initrd.sha384, MS_SHA384_LEN);
	boot.kernel_digest = r->kernel_computed ? kernel_digest : m->kernel_authenticode;
	if ((st = ms_tdx_boot_events(&boot, &r->log, err))) {
		st = fail_part(r, MS_TDX_PART_EVENTS, st);
		goto out;
	}
	finish(&mrtd_tid, &mrtd_started);
	if (m->firmware) {
		if (mrtd.status) {
			*err = mrtd.err;
			st = fail_part(r, MS_TDX_PART_MRTD, mrtd.status);
			goto out;
		}
		memcpy(r->mrtd, mrtd.mrtd, MS_SHA384_LEN);
		r->has_mrtd = true;
	} else if (m->mrtd) {
		memcpy(r->mrtd, m->mrtd, MS_SHA384_LEN);
		r->has_mrtd = true;
	}
	ms_tdx_log_replay(&r->log, r->rtmr, r->known);
out:
	finish(&mrtd_tid, &mrtd_started);
	finish(&initrd_tid, &initrd_started);
	free(joined);
	return st;
}

void ms_tdx_result_free(struct ms_tdx_result *r)
{
	ms_tdx_log_free(&r->log);
}
