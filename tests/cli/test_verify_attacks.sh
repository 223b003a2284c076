# SPDX-License-Identifier: Apache-2.0
# Inputs an attacker controls, built here, that once crashed or stalled the verifiers (review of the
# verification core): each must now be refused quickly with one line.
. "$(dirname "$0")/lib.sh"

# CBOR helpers in python3 (standard library only)
cat >"$TMP/cbor.py" <<'PY'
import struct, sys
def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 256: return bytes([major << 5 | 24, n])
    if n < 65536: return bytes([major << 5 | 25]) + struct.pack('>H', n)
    if n < 2**32: return bytes([major << 5 | 26]) + struct.pack('>I', n)
    return bytes([major << 5 | 27]) + struct.pack('>Q', n)
def bstr(b): return head(2, len(b)) + b
def text(s): return head(3, len(s)) + s.encode()
def doc(payload_pairs, tag=False):
    payload = head(5, len(payload_pairs)) + b''.join(k + v for k, v in payload_pairs)
    body = head(4, 4) + bstr(bytes.fromhex('a1013822')) + head(5, 0) + bstr(payload) + bstr(bytes(96))
    return (b'\xd2' if tag else b'') + body
base = [(text('module_id'), text('i-0')), (text('digest'), text('SHA384')), (text('timestamp'), head(0, 1700000000000))]
what = sys.argv[1]
if what == 'many-maps':
    # 250 maps of 1024 integer keys each: once quadratic key checks, seconds of CPU before any signature
    one = head(5, 1024) + b''.join(head(0, i) + head(0, 0) for i in range(1024))
    sys.stdout.buffer.write(doc(base + [(text('user_data'), head(4, 250) + one * 250)]))
elif what == 'dup-nonce':
    sys.stdout.buffer.write(doc(base + [(text('nonce'), bstr(b'a')), (text('nonce'), bstr(b'b'))]))
elif what == 'dup-key-encodings':
    # the same key (1) encoded in one and in two bytes
    sys.stdout.buffer.write(doc(base + [(text('pcrs'), head(5, 2) + head(0, 1) + bstr(bytes(48)) + b'\x18\x01' + bstr(bytes(48)))]))
PY

python3 "$TMP/cbor.py" many-maps >"$TMP/many.cbor"
start=$(date +%s)
run inspect "$TMP/many.cbor"
took=$(($(date +%s) - start))
if [ "$(wc -c <"$TMP/many.cbor")" -gt 900000 ] && [ "$took" -le 10 ] && [ "$rc" -eq 2 ]; then ok "250 maps of 1024 keys: refused in ${took}s"; else
	not_ok "250 maps of 1024 keys: refused quickly" "exit $rc after ${took}s"; fi
python3 "$TMP/cbor.py" dup-nonce >"$TMP/dup.cbor"
expect_failure 2 "two nonce entries in a payload" "the same key twice" inspect "$TMP/dup.cbor"
python3 "$TMP/cbor.py" dup-key-encodings >"$TMP/dup2.cbor"
expect_failure 2 "the same PCR index in two encodings" "the same key twice" inspect "$TMP/dup2.cbor"

# a leaf whose EC point is not on the curve: the COSE check once passed a NULL key to OpenSSL
SEED=tests/fuzz/seeds/fuzz_evidence_nitro/regression-leaf-key-undecodable.cbor
printf '{"schema":"measure/v1","platform":"aws-nitro","algorithm":"sha384","measurements":{"pcr0":"%096d"}}\n' 0 >"$TMP/n.json"
run compare "$TMP/n.json" "$SEED"
if [ "$rc" -eq 3 ] && grep -q "public key cannot be decoded" "$TMP/err"; then ok "undecodable leaf key: exit 3, no crash"; else
	not_ok "undecodable leaf key: exit 3, no crash" "exit $rc" "stderr: $(head -c 300 "$TMP/err")"; fi
echo "1..$n"
