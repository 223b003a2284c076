/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_IMAGE_LIBARCHIVE_H
#define MS_IMAGE_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "../common/status.h"

/*
 * libarchive, loaded with dlopen the first time a tar is read: linked, it
 * (and the compression libraries it brings) was loaded and relocated at the
 * start of every measure command, most of which never read a tar. Only the
 * functions below are used; call ms_libarchive_load first, then ms_la.fn().
 */
struct ms_libarchive {
	struct archive *(*read_new)(void);
	int (*read_support_format_tar)(struct archive *);
	int (*read_support_filter_gzip)(struct archive *);
	int (*read_open)(struct archive *, void *, archive_open_callback *, archive_read_callback *,
			 archive_close_callback *);
	int (*read_open2)(struct archive *, void *, archive_open_callback *, archive_read_callback *,
			  archive_skip_callback *, archive_close_callback *);
	la_int64_t (*read_header_position)(struct archive *);
	la_int64_t (*filter_bytes)(struct archive *, int);
	int (*entry_sparse_count)(struct archive_entry *);
	int (*filter_count)(struct archive *);
	int (*filter_code)(struct archive *, int);
	int (*read_open_memory)(struct archive *, const void *, size_t);
	int (*read_next_header)(struct archive *, struct archive_entry **);
	la_ssize_t (*read_data)(struct archive *, void *, size_t);
	int (*read_free)(struct archive *);
	const char *(*error_string)(struct archive *);
	void (*set_error)(struct archive *, int, const char *, ...);
	const char *(*entry_pathname)(struct archive_entry *);
	const char *(*entry_hardlink)(struct archive_entry *);
	const char *(*entry_symlink)(struct archive_entry *);
	__LA_MODE_T (*entry_filetype)(struct archive_entry *);
	__LA_MODE_T (*entry_mode)(struct archive_entry *);
	la_int64_t (*entry_uid)(struct archive_entry *);
	la_int64_t (*entry_gid)(struct archive_entry *);
	time_t (*entry_mtime)(struct archive_entry *);
	la_int64_t (*entry_size)(struct archive_entry *);
	dev_t (*entry_rdevmajor)(struct archive_entry *);
	dev_t (*entry_rdevminor)(struct archive_entry *);
};

extern struct ms_libarchive ms_la;

/* MS_UNSUPPORTED (exit 5) naming the library and its Debian package when it cannot be loaded. */
enum ms_status ms_libarchive_load(struct ms_err *err);

#endif
