/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "libarchive.h"

struct ms_libarchive ms_la;

enum ms_status ms_libarchive_load(struct ms_err *err)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
		{ "archive_read_new", offsetof(struct ms_libarchive, read_new) },
		{ "archive_read_support_format_tar", offsetof(struct ms_libarchive, read_support_format_tar) },
		{ "archive_read_support_filter_gzip", offsetof(struct ms_libarchive, read_support_filter_gzip) },
		{ "archive_read_open", offsetof(struct ms_libarchive, read_open) },
		{ "archive_read_open2", offsetof(struct ms_libarchive, read_open2) },
		{ "archive_read_header_position", offsetof(struct ms_libarchive, read_header_position) },
		{ "archive_filter_bytes", offsetof(struct ms_libarchive, filter_bytes) },
		{ "archive_entry_sparse_count", offsetof(struct ms_libarchive, entry_sparse_count) },
		{ "archive_filter_count", offsetof(struct ms_libarchive, filter_count) },
		{ "archive_filter_code", offsetof(struct ms_libarchive, filter_code) },
		{ "archive_read_open_memory", offsetof(struct ms_libarchive, read_open_memory) },
		{ "archive_read_next_header", offsetof(struct ms_libarchive, read_next_header) },
		{ "archive_read_data", offsetof(struct ms_libarchive, read_data) },
		{ "archive_read_free", offsetof(struct ms_libarchive, read_free) },
		{ "archive_error_string", offsetof(struct ms_libarchive, error_string) },
		{ "archive_set_error", offsetof(struct ms_libarchive, set_error) },
		{ "archive_entry_pathname", offsetof(struct ms_libarchive, entry_pathname) },
		{ "archive_entry_hardlink", offsetof(struct ms_libarchive, entry_hardlink) },
		{ "archive_entry_symlink", offsetof(struct ms_libarchive, entry_symlink) },
		{ "archive_entry_filetype", offsetof(struct ms_libarchive, entry_filetype) },
		{ "archive_entry_mode", offsetof(struct ms_libarchive, entry_mode) },
		{ "archive_entry_uid", offsetof(struct ms_libarchive, entry_uid) },
		{ "archive_entry_gid", offsetof(struct ms_libarchive, entry_gid) },
		{ "archive_entry_mtime", offsetof(struct ms_libarchive, entry_mtime) },
		{ "archive_entry_size", offsetof(struct ms_libarchive, entry_size) },
		{ "archive_entry_rdevmajor", offsetof(struct ms_libarchive, entry_rdevmajor) },
		{ "archive_entry_rdevminor", offsetof(struct ms_libarchive, entry_rdevminor) },
	};
	static bool loaded;
	struct ms_libarchive la;
	void *lib;

	if (loaded)
		return MS_OK;
	if (!(lib = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL)))
		return ms_fail(err, MS_UNSUPPORTED, "libarchive.so.13 cannot be loaded (Debian: apt-get install "
			       "libarchive13): %s", dlerror());
	memset(&la, 0, sizeof(la));
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].name);

		if (!f) {
			dlclose(lib);
			return ms_fail(err, MS_UNSUPPORTED, "libarchive.so.13 lacks %s", syms[i].name);
		}
		memcpy((char *)&la + syms[i].offset, &f, sizeof(f));
	}
	ms_la = la;
	loaded = true;
	return MS_OK;
}
