#!/usr/bin/env bash
# Builds a directory of hostile input at full size and scans it: every file
# must be priced or skipped with a clear reason, with no panic and no hang.
# Then times whitespace runs of growing size, to show time stays about
# linear in size (the pre-tokenizer's known weak spot).
#
#   bench/bad-input.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$here" && cargo build --release --quiet)
target=$(cd "$here" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/ctxbudget"
dir=$(mktemp -d)
trap 'chmod -R u+rwx "$dir" 2>/dev/null; rm -rf "$dir"' EXIT

python3 - "$dir" <<'PY'
import os, sys
d = sys.argv[1]
def write(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
chunk = b"var a=function(b){if(!b)return null;for(var c=0;c<b.length;c++){b[c]=b[c]*2}return b};"
write("minified-20mb.js", chunk * (20_000_000 // len(chunk)))
write("spaces-5mb.txt", b" " * 5_000_000)
write("spaces-2mb-then-letter.txt", b" " * 2_000_000 + b"a")
write("invalid-utf8.txt", b"caf\xe9 \xff\xfe not utf-8 \xc3\x28\n" * 1000)
write("empty.txt", b"")
with open(os.path.join(d, "sparse-1gb.img"), "wb") as f:
    f.truncate(1 << 30)
write("unreadable.txt", b"secret\n")
os.chmod(os.path.join(d, "unreadable.txt"), 0)
os.mkfifo(os.path.join(d, "fifo"))
os.makedirs(os.path.join(d, "loop"))
os.symlink("..", os.path.join(d, "loop", "back-up"))
PY

echo "# the bad-input directory (--follow, so the symlink loop is walked into)"
/usr/bin/time -f "elapsed %es, peak RSS %MKB, exit %x" "$bin" scan "$dir" --follow --no-progress -t o200k --top 5 2>&1 |
  sed -e "s|$dir|<dir>|g"
echo
echo "# a path that does not exist (expect exit 2 and a clear message)"
set +e
"$bin" scan "$dir/does-not-exist" > /dev/null
echo "exit $?"
set -e

echo
echo "# whitespace runs: seconds per size (cl100k, one file, one thread)"
for mb in 1 2 4 8 16; do
  python3 -c "import sys; sys.stdout.write(' ' * ($mb * 1000000))" > "$dir/ws.txt"
  start=$(date +%s.%N)
  "$bin" scan "$dir/ws.txt" -t cl100k -j 1 --format json > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$mb:>3} MB of spaces: {$end - $start:.2f} s ({($end - $start) / $mb:.2f} s/MB)')"
done
