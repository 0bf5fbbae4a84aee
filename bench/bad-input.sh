#!/usr/bin/env bash
# Builds a directory of hostile input at full size and scans it: every file
# must be priced or skipped with a clear reason, with no panic and no hang.
# Then a hostile repository (FIFOs and /dev/zero behind every file a run
# reads by name: ignore files, memory files, manifests, README; nesting on
# one long line; long runs of one character) through scan, check,
# claude-md and refs, each with its time and peak memory. Then times
# whitespace runs of growing size (the pre-tokenizer's known weak spot):
# counted up to the long-run limit, skipped in milliseconds past it.
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
echo "# a hostile repository: FIFOs, /dev/zero, nesting, long runs (each must end, bounded)"
repo="$dir/hostile"
python3 - "$repo" <<'PY'
import os, sys
r = sys.argv[1]
os.makedirs(os.path.join(r, ".git", "info"))
os.makedirs(os.path.join(r, ".claude", "rules"))
os.makedirs(os.path.join(r, "sub"))
os.makedirs(os.path.join(r, "zero"))
for name in [".gitignore", ".ignore", ".ctxbudgetignore", ".claudeignore",
             ".git/info/exclude", "sub/CLAUDE.md", "CLAUDE.md", "package.json", "README.md"]:
    os.mkfifo(os.path.join(r, name))
for name in ["zero/.gitignore", ".claude/rules/x.md", "zero/CLAUDE.md", "zero/data.txt"]:
    os.symlink("/dev/zero", os.path.join(r, name))
os.symlink(os.path.join(r, "README.md"), os.path.join(r, ".claude", "rules", "pipe.md"))
nested = "".join(f"mod m{i} {{ fn f{i}() {{ let x = 1; }} " for i in range(250))
nested += "let y = \"lorem ipsum dolor sit amet\"; " * 30000 + "}" * 250 + "\n" + " \n" * 50000
with open(os.path.join(r, "nest.rs"), "w") as f:
    f.write(nested)
with open(os.path.join(r, "letters.txt"), "w") as f:
    f.write("a" * 20_000_000)
with open(os.path.join(r, "app.py"), "w") as f:
    f.write("def main():\n    return 1\n")
PY
for cmd in "scan $repo --follow --no-progress" "check -C $repo" "claude-md -C $repo --stdout --no-progress" "refs -C $repo main --budget 2000 --no-progress"; do
  set +e
  /usr/bin/time -f "  elapsed %es, peak RSS %MKB, exit %x" timeout 120 "$bin" $cmd > /dev/null 2> "$dir/err.txt"
  code=$?
  set -e
  echo "ctxbudget ${cmd//$dir/<dir>}"
  grep -E "elapsed" "$dir/err.txt" || echo "  timed out or crashed (exit $code)"
done

echo
echo "# whitespace runs: seconds per size (cl100k, one file, one thread);"
echo "# over 1 MiB of runs longer than 64 KiB, a file is skipped as long-run"
for mb in 0.5 1 2 8 16; do
  python3 -c "import sys; sys.stdout.write(' ' * int($mb * 1000000))" > "$dir/ws.txt"
  start=$(date +%s.%N)
  "$bin" scan "$dir/ws.txt" -t cl100k -j 1 --format json > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$mb:>3} MB of spaces: {$end - $start:.2f} s ({($end - $start) / $mb:.2f} s/MB)')"
done
