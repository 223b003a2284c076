/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the EIF reader, then the sections it captures. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../eif/eif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_eif eif;
	struct ms_err err;
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
	    ms_eif_measure(fd, size, NULL, NULL, &eif, &err) == MS_OK) {
		struct ms_eif_signature sig;
		cJSON *md;

		if (eif.signature &&
		    ms_eif_signature_decode(eif.signature, eif.signature_len, &sig, &err) == MS_OK) {
			ms_eif_signature_verify(&sig, eif.pcr0, &err);
			ms_eif_signature_free(&sig);
		}
		if (eif.metadata && ms_eif_metadata_parse(eif.metadata, eif.metadata_len, &md, &err) == MS_OK)
			cJSON_Delete(md);
		ms_eif_free(&eif);
	}
	close(fd);
	return 0;
}
