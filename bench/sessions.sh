#!/usr/bin/env bash
# Generates Claude Code transcripts of growing size for a real project and
# reads them with `ctxbudget sessions`, printing time and peak memory for
# each size (first with an empty cache, then warm): memory must stay flat
# while the transcripts grow. Beside it,
# when found on PATH, runs the tool a user would pick instead on the same
# transcripts, with the ratio:
#   ccusage     npm install -g ccusage@20 @ccusage/ccusage-linux-x64@20 (usage
#               per session; no file reads; 20.x is a native binary)
#
#   bench/sessions.sh [SIZE_MB...]        default: 100 400
#   REQUESTS=60000 bench/sessions.sh 300  one session in one 300 MB file
#
# The project is $CORPORA/medium-py (django, from the team's corpus script)
# when present, else this repository. Each transcript holds sessions of
# 400 requests: every response written over three lines with a growing
# output count, one Read per request (whole or ranged, of the project's
# files, with the text both as the model saw it and raw), an Edit or a
# Grep now and then, a compaction when the context passes 160k, and a subagent file
# per session. REQUESTS (default 400) sets the requests per session.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPORA=${CORPORA:-/tmp/ctxbudget-corpora}
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(100 400); fi
project="$CORPORA/medium-py"
[ -d "$project" ] || project="$here"
project=$(cd "$project" && pwd)

(cd "$here" && cargo build --release --quiet)
target=$(cd "$here" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/ctxbudget"
# KEEP_WORK=DIR keeps the generated transcripts there (for profiling).
if [ -n "${KEEP_WORK:-}" ]; then
  work=$KEEP_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

generate() { # generate DIR SIZE_MB
  python3 - "$project" "$1" "$2" "${REQUESTS:-400}" <<'PY'
import json, os, random, sys
project, out, size_mb, per_session = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(7)
files = []
for dirpath, dirnames, names in os.walk(project):
    dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    for name in sorted(names):
        if name.endswith((".py", ".rs", ".js", ".ts", ".md", ".txt", ".html")):
            path = os.path.join(dirpath, name)
            try:
                text = open(path, encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            if 0 < len(text) < 400_000:
                files.append((path, text))
projects = os.path.join(out, "projects", "-bench")
os.makedirs(projects, exist_ok=True)

def numbered(text, start):
    return "".join(f"{start + i:>6}\u2192{line}" for i, line in enumerate(text.splitlines(True)))

def base(kind, session, n, side=False):
    return {"parentUuid": None, "isSidechain": side, "userType": "external", "cwd": project,
            "sessionId": session, "version": "2.0.31", "gitBranch": "main", "type": kind,
            "uuid": f"{session}-{n}", "timestamp": f"2026-11-{1 + n // 100000 % 28:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"}

def session_lines(session, requests, side=False):
    n = 0
    context = 20_000
    for r in range(requests):
        path, text = files[rng.randrange(len(files))]
        lines = text.splitlines(True)
        ranged = rng.random() < 0.4 and len(lines) > 40
        start = rng.randrange(1, len(lines) - 30) if ranged else 1
        shown = "".join(lines[start - 1:start + 29]) if ranged else text
        if context > 160_000:
            n += 1
            rec = base("system", session, n, side)
            rec.update(subtype="compact_boundary", content="Conversation compacted",
                       compactMetadata={"trigger": "auto", "preTokens": context})
            yield rec
            context = 20_000
        context += len(shown) // 4 + 300
        usage = {"input_tokens": 3, "cache_creation_input_tokens": len(shown) // 4,
                 "cache_read_input_tokens": context, "output_tokens": 0}
        mid, req, tool = f"msg_{session}_{r}", f"req_{session}_{r}", f"toolu_{session}_{r}"
        for k, block in enumerate([
            {"type": "thinking", "thinking": "Let me look at " + path, "signature": "s" * 40},
            {"type": "text", "text": "Reading the file."},
            {"type": "tool_use", "id": tool, "name": "Read",
             "input": {"file_path": path, **({"offset": start, "limit": 30} if ranged else {})}},
        ]):
            n += 1
            rec = base("assistant", session, n, side)
            rec["requestId"] = req
            rec["message"] = {"id": mid, "type": "message", "role": "assistant",
                              "model": "claude-opus-4-5-20251101", "content": [block],
                              "usage": dict(usage, output_tokens=20 * (k + 1))}
            yield rec
        n += 1
        rec = base("user", session, n, side)
        rec["message"] = {"role": "user", "content": [
            {"tool_use_id": tool, "type": "tool_result", "content": numbered(shown, start)}]}
        rec["toolUseResult"] = {"type": "text", "file": {
            "filePath": path, "content": shown, "numLines": shown.count("\n"),
            "startLine": start, "totalLines": len(lines)}}
        yield rec
        if r % 7 == 3:
            n += 1
            rec = base("assistant", session, n, side)
            rec["requestId"] = req + "e"
            name = rng.choice(["Edit", "Grep"])
            words = [w for w in shown.split() if w.isidentifier() and len(w) > 5] or ["import"]
            tool_input = ({"file_path": path, "old_string": "x", "new_string": lines[start - 1]}
                          if name == "Edit" else {"pattern": rng.choice(words), "path": project})
            rec["message"] = {"id": mid + "e", "role": "assistant", "model": "claude-opus-4-5-20251101",
                              "content": [{"type": "tool_use", "id": tool + "e", "name": name, "input": tool_input}],
                              "usage": {"input_tokens": 2, "cache_creation_input_tokens": 10,
                                        "cache_read_input_tokens": context, "output_tokens": 60}}
            yield rec

written, s = 0, 0
target = size_mb * 1_000_000
while written < target:
    session = f"{s:08x}-bench-0000-0000-000000000000"
    with open(os.path.join(projects, session + ".jsonl"), "w") as f:
        for rec in session_lines(session, per_session):
            line = json.dumps(rec) + "\n"
            f.write(line)
            written += len(line)
            if written >= target:
                break
    sub = os.path.join(projects, session, "subagents")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "agent-0001.jsonl"), "w") as f:
        for rec in session_lines(session + "-sub", 40, side=True):
            rec["sessionId"] = session
            line = json.dumps(rec) + "\n"
            f.write(line)
            written += len(line)
    s += 1
print(f"{written / 1e6:.0f} MB in {s} sessions ({2 * s} files), reads of {len(files)} files of {project}")
PY
}

echo "machine: $(nproc) cores; $("$bin" --version)"
for mb in "${sizes[@]}"; do
  dir="$work/$mb"
  echo
  echo "# transcripts of about $mb MB: $(generate "$dir" "$mb")"
  measure() { # measure NAME COMMAND...
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" ||
      { echo "bench: $name failed:"; cat "$work/err"; exit 1; }
    read -r secs kb < "$work/time"
    printf '  %-42s %7.2f s  peak RSS %5d MB\n' "$name" "$secs" $((kb / 1024))
    echo "$secs" > "$work/secs-$name"
  }
  # A cache of its own: the first run counts every read (cold), the
  # second finds the counts of the texts already seen (warm, as on any
  # later run over the same transcripts).
  export CTXBUDGET_CACHE_DIR="$work/cache-$mb"
  measure "ctxbudget sessions (json, cold cache)" "$bin" sessions -C "$project" \
    --transcripts "$dir/projects" --format json --no-progress
  measure "ctxbudget sessions (json)" "$bin" sessions -C "$project" --transcripts "$dir/projects" \
    --format json --no-progress
  python3 - "$work/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sessions"]
print(f"    {len(s)} sessions, {sum(x['requests'] for x in s):,} requests, "
      f"{len(d['files']):,} files read, {sum(f['tokens'] for f in d['files']):,} read tokens, "
      f"{d['skipped_lines']} lines skipped")
PY
  measure "ctxbudget sessions --usage-only (json)" "$bin" sessions -C "$project" --transcripts "$dir/projects" \
    --format json --no-progress --usage-only
  if command -v ccusage > /dev/null; then
    measure "ccusage session --json --offline" env CLAUDE_CONFIG_DIR="$dir" ccusage session --json --offline
    python3 - "$work/secs-ctxbudget sessions (json)" "$work/secs-ccusage session --json --offline" <<'PY'
import sys
ours, theirs = (float(open(p).read()) for p in sys.argv[1:])
print(f"  ctxbudget / ccusage time: {ours / theirs:.2f}x (ctxbudget also prices every read; warm cache)")
PY
    python3 - "$work/secs-ctxbudget sessions (json, cold cache)" "$work/secs-ccusage session --json --offline" <<'PY'
import sys
ours, theirs = (float(open(p).read()) for p in sys.argv[1:])
print(f"  ctxbudget cold / ccusage time: {ours / theirs:.2f}x (the first run tokenizes every read)")
PY
    python3 - "$work/secs-ctxbudget sessions --usage-only (json)" "$work/secs-ccusage session --json --offline" <<'PY'
import sys
ours, theirs = (float(open(p).read()) for p in sys.argv[1:])
print(f"  ctxbudget --usage-only / ccusage time: {ours / theirs:.2f}x (the same figures: usage only)")
PY
  fi
done
