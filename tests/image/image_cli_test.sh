#!/usr/bin/env bash
# `mayfly image` and `mayfly inspect` end to end: reproducible bytes, the real checkers
# (sgdisk -v, fsck.fat -n), damage reported with exit 1, the qcow2 and gce formats.
set -euo pipefail
MAYFLY=${1:?usage: image_cli_test.sh path/to/mayfly}
SITE=$(cd "$(dirname "$0")/../integration/site" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 NO_COLOR=1
quiet() { grep -v "^mayfly: skipped" || true; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "two builds are byte-identical"
"$MAYFLY" image "$SITE" -o "$tmp/a.img" >/dev/null
"$MAYFLY" image "$SITE" -o "$tmp/b.img" >/dev/null
cmp "$tmp/a.img" "$tmp/b.img" || fail "images differ"
SOURCE_DATE_EPOCH=1700000002 "$MAYFLY" image "$SITE" -o "$tmp/c.img" >/dev/null
cmp -s "$tmp/a.img" "$tmp/c.img" && fail "a different SOURCE_DATE_EPOCH gave the same image"
ls "$tmp" | grep -q tmp && fail "temporary files left behind"

step "sgdisk -v"
if command -v sgdisk >/dev/null; then
  out=$(sgdisk -v "$tmp/a.img" 2>&1) || fail "sgdisk -v: $out"
  grep -q "No problems found" <<<"$out" || fail "sgdisk -v: $out"
else
  echo "sgdisk missing (gdisk): skipped"
fi

step "fsck.fat -n on the ESP"
first=$(sgdisk -i 1 "$tmp/a.img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
last=$(sgdisk -i 1 "$tmp/a.img" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
[ -n "$first" ] && [ -n "$last" ] || fail "no partition 1"
dd if="$tmp/a.img" of="$tmp/esp.fat" bs=512 skip="$first" count=$((last - first + 1)) status=none
if command -v fsck.fat >/dev/null; then
  out=$(fsck.fat -n "$tmp/esp.fat" 2>&1) || fail "fsck.fat -n: $out"
  grep -qiE "differ|invalid|wrong|bad|broken" <<<"$out" && fail "fsck.fat -n: $out"
  echo "$out" | tail -1
else
  echo "fsck.fat missing (dosfstools): skipped"
fi

step "inspect"
out=$("$MAYFLY" inspect "$tmp/a.img")
for want in "EFI System Partition" "/EFI/BOOT/BOOTX64.EFI" "/mayfly/kernel.elf" "/mayfly/site.mfb" \
            "kernel   mayfly" "cmdline  ip=dhcp"; do
  grep -qF "$want" <<<"$out" || fail "inspect lacks '$want': $out"
done
"$MAYFLY" inspect --json "$tmp/a.img" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["flavour"] == "mayfly" and len(j["bundle_id"]) == 32, j
assert j["partitions"][0]["type"] == "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", j'

damaged() {  # damaged NAME EXPECTED: inspect must exit 1 and say EXPECTED
  set +e
  out=$("$MAYFLY" inspect "$tmp/$1" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 1 ] || fail "$1: exit $rc, want 1: $out"
  grep -qF "$2" <<<"$out" || fail "$1: want '$2' in: $out"
  echo "$1: $out"
}
poke() {  # poke FILE OFFSET: flip the byte at OFFSET
  python3 - "$1" "$2" <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0x5A]))
PY
}
step "damaged images"
size=$(stat -c %s "$tmp/a.img")
head -c $((size - 8192)) "$tmp/a.img" >"$tmp/truncated.img"
damaged truncated.img "image truncated"
cp "$tmp/a.img" "$tmp/hdrcrc.img"; poke "$tmp/hdrcrc.img" $((512 + 40))
damaged hdrcrc.img "primary GPT header (LBA 1): bad header CRC32"
cp "$tmp/a.img" "$tmp/arraycrc.img"; poke "$tmp/arraycrc.img" $((1024 + 60))
damaged arraycrc.img "bad partition array CRC32"
# FAT16 with one reserved sector: FAT 1 starts one sector into the ESP; cluster 3's entry.
cp "$tmp/a.img" "$tmp/fat.img"; poke "$tmp/fat.img" $((first * 512 + 512 + 6))
damaged fat.img "FAT copy 2 differs from FAT copy 1"
cp "$tmp/a.img" "$tmp/missing.img"
python3 - "$tmp/missing.img" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.find(b"CMDLINE TXT")
assert i > 0
data[i] = 0xE5
open(sys.argv[1], "wb").write(data)
PY
damaged missing.img "missing file /mayfly/cmdline.txt"

step "usage errors exit 2"
set +e
"$MAYFLY" image "$SITE" --format zip -o "$tmp/x" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--format zip: exit $rc"

step "qcow2"
if command -v qemu-img >/dev/null; then
  "$MAYFLY" image "$SITE" --format qcow2 -o "$tmp/a.qcow2" >/dev/null
  qemu-img info --output=json "$tmp/a.qcow2" | grep -q '"format": "qcow2"' || fail "not qcow2"
  qemu-img compare -q "$tmp/a.img" "$tmp/a.qcow2" || fail "qcow2 differs from raw"
else
  echo "qemu-img missing (qemu-utils): skipped"
fi

step "gce"
"$MAYFLY" image "$SITE" --format gce -o "$tmp/a.tar.gz" >/dev/null
listing=$(tar -tvzf "$tmp/a.tar.gz")
grep -qE "root/root +1073741824 .* disk.raw$" <<<"$listing" || fail "gce listing: $listing"
[ "$(od -An -tx1 -j4 -N4 "$tmp/a.tar.gz" | tr -d ' ')" = "00000000" ] || fail "gzip mtime set"
cmp -n "$size" <(tar -xzOf "$tmp/a.tar.gz" disk.raw) "$tmp/a.img" || fail "disk.raw differs"
echo "ok"
