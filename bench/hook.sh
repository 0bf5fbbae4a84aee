#!/usr/bin/env bash
# Times `ctxbudget hook` as Claude Code runs it: one process per Read call,
# the call as JSON on stdin. Cases, on django's db/models/sql/query.py
# (about 34k read tokens) unless FILE is given:
#   cold   no decision remembered (a fresh cache directory every run):
#          the file is read, counted with the tokenizer and outlined;
#   warm   the decision is in the cache (what `ctxbudget init` prepares,
#          and every call after the first): a hash and one small read;
#   small  a small file, passed without the tokenizer;
#   ranged a Read with offset/limit, passed without reading the file.
# The session state is cleared between runs so every call is a first
# whole read (a retry after a denial would pass).
#
#   bench/hook.sh [PROJECT_DIR [FILE]]
#
# PROJECT_DIR defaults to $CORPORA/medium-py (CORPORA defaults to
# /tmp/ctxbudget-corpora). Needs hyperfine. RUNS (default 30), WARMUP (3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPORA=${CORPORA:-/tmp/ctxbudget-corpora}
project=${1:-$CORPORA/medium-py}
project=$(cd "$project" && pwd)
file=${2:-$(find "$project" -path '*/db/models/sql/query.py' -print -quit)}
small=${SMALL:-$(find "$project" -name '__init__.py' -size -2k -print -quit)}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
[ -f "$file" ] || { echo "bench: no file to read (give PROJECT_DIR FILE)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }

(cd "$here" && cargo build --release --quiet)
target=$(cd "$here" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/ctxbudget"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

call() { # tool_input JSON -> a PreToolUse call
  printf '{"session_id":"bench","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":%s}' "$project" "$1"
}
call "{\"file_path\":\"$file\"}" > "$out/whole.json"
call "{\"file_path\":\"$small\"}" > "$out/small.json"
call "{\"file_path\":\"$file\",\"offset\":100,\"limit\":40}" > "$out/ranged.json"

warm="$out/warm"
CTXBUDGET_CACHE_DIR="$warm" "$bin" hook < "$out/whole.json" > "$out/answer.json"
grep -q '"deny"' "$out/answer.json" || { echo "bench: the hook did not deny $file" >&2; exit 2; }
echo "machine: $(nproc) cores; $("$bin" --version); file: ${file#"$project"/} ($(wc -c < "$file") bytes)"
echo "deny reason: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["hookSpecificOutput"]["permissionDecisionReason"]; print(len(r), "characters,", r.count("offset="), "ranges")' "$out/answer.json")"

cd "$project"
# hyperfine runs each command through sh (its spawn time is measured and
# subtracted) so stdin can come from the call file.
hyperfine --runs "$RUNS" --warmup "$WARMUP" \
  --prepare "rm -rf $out/cold" \
  -n "cold: count + outline" "CTXBUDGET_CACHE_DIR=$out/cold $bin hook < $out/whole.json" \
  --prepare "rm -rf $warm/guard/sessions" \
  -n "warm: decision cached" "CTXBUDGET_CACHE_DIR=$warm $bin hook < $out/whole.json" \
  --prepare "true" \
  -n "small file: passes" "CTXBUDGET_CACHE_DIR=$warm $bin hook < $out/small.json" \
  --prepare "true" \
  -n "ranged read: passes" "CTXBUDGET_CACHE_DIR=$warm $bin hook < $out/ranged.json"
