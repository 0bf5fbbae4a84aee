#!/usr/bin/env bash
# Times ctxbudget beside the tools a user would pick instead, on the same
# corpus, in one run, and prints each median and ctxbudget's ratio to it.
#
#   bench/compare.sh [CORPUS_DIR...]
#
# Default corpora: $CORPORA/medium-py and $CORPORA/rust-vendor, as built by
# the team's corpus script (CORPORA defaults to /tmp/ctxbudget-corpora).
# Needs hyperfine. Peers are timed when found on PATH and skipped otherwise:
#   tokei       cargo install tokei          (walk + read + line count, no tokens)
#   code2prompt cargo install code2prompt    (token map of the tree)
#   repomix     npm install -g repomix       (--token-count-tree)
# RUNS (default 3) and WARMUP (default 1) tune hyperfine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPORA=${CORPORA:-/tmp/ctxbudget-corpora}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
if [ $# -gt 0 ]; then corpora=("$@"); else corpora=("$CORPORA/medium-py" "$CORPORA/rust-vendor"); fi

command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
(cd "$here" && cargo build --release --quiet)
target=$(cd "$here" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/ctxbudget"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores; $("$bin" --version); runs: median of $RUNS after $WARMUP warm-up"
for corpus in "${corpora[@]}"; do
  [ -d "$corpus" ] || { echo "bench: $corpus is missing (build the corpora first)" >&2; exit 2; }
  name=$(basename "$corpus")
  size=$(du -sh --apparent-size "$corpus" | cut -f1)
  cmds=()
  names=()
  add() { names+=("$1"); cmds+=("$2"); }
  cache="$out/cache"
  add "ctxbudget token-only (--no-symbols)" "$bin scan '$corpus' -t cl100k --format json --no-symbols --no-cache --no-progress > /dev/null"
  add "ctxbudget symbols, cold cache" "rm -rf '$cache' && CTXBUDGET_CACHE_DIR='$cache' $bin scan '$corpus' -t cl100k --format json --no-progress > /dev/null"
  add "ctxbudget symbols, warm cache" "CTXBUDGET_CACHE_DIR='$out/warm' $bin scan '$corpus' -t cl100k --format json --no-progress > /dev/null"
  command -v tokei >/dev/null && add "tokei" "tokei '$corpus' > /dev/null"
  command -v code2prompt >/dev/null &&
    add "code2prompt --token-map" "code2prompt '$corpus' --token-map --output-file /dev/null > /dev/null 2>&1"
  command -v repomix >/dev/null &&
    add "repomix --token-count-tree" "repomix '$corpus' --token-count-tree --output '$out/repomix.xml' > /dev/null 2>&1"
  args=()
  for i in "${!cmds[@]}"; do args+=(--command-name "${names[$i]}" "${cmds[$i]}"); done
  # Fill the warm cache once, outside the timings.
  CTXBUDGET_CACHE_DIR="$out/warm" "$bin" scan "$corpus" -t cl100k --format json --no-progress > /dev/null
  hyperfine --style none --runs "$RUNS" --warmup "$WARMUP" --ignore-failure \
    --export-json "$out/$name.json" "${args[@]}" > /dev/null
  echo
  echo "## $name ($size)"
  python3 - "$out/$name.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
median = {r["command"]: statistics.median(r["times"]) for r in results}
peers = {n: t for n, t in median.items() if not n.startswith("ctxbudget") and n != "tokei"}
fastest = min(peers.items(), key=lambda kv: kv[1]) if peers else None
tokei = median.get("tokei")
def ratio(ours, theirs):
    r = theirs / ours
    return f"{r:.1f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"
head = "| tool | median s |"
if fastest: head += f" vs {fastest[0].split()[0]} (fastest token-counting peer) |"
if tokei: head += " vs tokei |"
print(head)
print("|---|---:|" + "---|" * (head.count("|") - 3))
for name, t in median.items():
    row = f"| {name} | {t:.2f} |"
    if name.startswith("ctxbudget"):
        if fastest: row += f" {ratio(t, fastest[1])} |"
        if tokei: row += f" {ratio(t, tokei)} |"
    else:
        row += " |" * ((fastest is not None) + (tokei is not None))
    print(row)
PY
done
