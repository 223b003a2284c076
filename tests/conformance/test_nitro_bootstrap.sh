# SPDX-License-Identifier: Apache-2.0
# measure eif ramdisk --bootstrap against AWS's own blobs: for each blob set in
# ../shared/vectors/real/nitro/x86_64-blobs-by-release.tsv, init and nsm.ko are taken by their git
# blob ids from a clone of aws/aws-nitro-enclaves-cli (NITRO_CLI_REPO, a git directory; the blobs
# are AWS's and are never committed here), and the ramdisk must have the size and SHA-384 the table
# gives. Without NITRO_CLI_REPO the checks are skipped.
. "$(dirname "$0")/../cli/lib.sh"
TSV=$VECTORS/real/nitro/x86_64-blobs-by-release.tsv
if [ ! -f "$TSV" ] || [ -z "${NITRO_CLI_REPO:-}" ] || ! git --git-dir="$NITRO_CLI_REPO" rev-parse -q HEAD >/dev/null 2>&1; then
	echo "not ok 1 # SKIP set NITRO_CLI_REPO to a clone of aws/aws-nitro-enclaves-cli (and have $TSV)"
	echo "1..1"
	exit 0
fi
# one row per distinct (init, nsm.ko) pair: columns 4, 5, 9, 10 of the table
tail -n +2 "$TSV" | cut -f4,5,9,10 | sort -u >"$TMP/sets"
while read -r init nsm size sha; do
	name="bootstrap ramdisk of init ${init%"${init#????????}"} + nsm.ko ${nsm%"${nsm#????????}"}"
	mkdir -p "$TMP/$init"
	if ! git --git-dir="$NITRO_CLI_REPO" cat-file blob "$init" >"$TMP/$init/init" 2>/dev/null ||
		! git --git-dir="$NITRO_CLI_REPO" cat-file blob "$nsm" >"$TMP/$init/nsm.ko" 2>/dev/null; then
		skip "$name: blobs not in $NITRO_CLI_REPO"
		continue
	fi
	chmod 755 "$TMP/$init/init"
	if "$MEASURE" eif ramdisk --bootstrap "$TMP/$init" -o "$TMP/$init.cpio" >/dev/null 2>"$TMP/err" &&
		[ "$(wc -c <"$TMP/$init.cpio")" -eq "$size" ] &&
		[ "$(openssl dgst -sha384 -r "$TMP/$init.cpio" | cut -c1-96)" = "$sha" ]; then
		ok "$name: $size bytes, sha384 ${sha%"${sha#????????????????}"}..."
	else
		not_ok "$name: $size bytes, sha384 $sha" "$(cat "$TMP/err")"
	fi
done <"$TMP/sets"
echo "1..$n"
