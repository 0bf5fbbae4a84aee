#!/usr/bin/env python3
"""Replays the whole Reads of real Claude Code transcripts through
`ctxbudget hook`: which of them the guard would have turned away, what
they cost, and what the outline in the reason costs instead.

    bench/replay-guard.py [--bin BIN] TRANSCRIPT_OR_DIR...

Each whole Read (no offset, no limit) whose result holds the file's text
(`toolUseResult.file.content`) is replayed: the text is written at the same
relative path in a scratch project, and the hook is asked about a whole
Read of it (cl100k, default thresholds, a fresh session each time). The
outline's cost is the reason's cl100k tokens, counted by `ctxbudget scan`
over the reasons written to files (its counts equal OpenAI's tiktoken).
Files read whole several times are replayed each time, as the session
paid each time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def transcripts(paths):
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(path.rglob("*.jsonl"))
        else:
            yield path


def whole_reads(path):
    calls = {}
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            message = record.get("message")
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(content, list):
                continue
            for block in content:
                if not isinstance(block, dict):
                    continue
                if block.get("type") == "tool_use" and block.get("name") == "Read":
                    tool_input = block.get("input") or {}
                    whole = "offset" not in tool_input and "limit" not in tool_input
                    calls[block.get("id")] = (tool_input.get("file_path"), whole)
                elif block.get("type") == "tool_result":
                    call = calls.pop(block.get("tool_use_id"), None)
                    result = record.get("toolUseResult")
                    file = result.get("file") if isinstance(result, dict) else None
                    if not call or not call[1] or not isinstance(file, dict):
                        continue
                    text = file.get("content")
                    if isinstance(text, str) and call[0]:
                        yield call[0], text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "target"))
    parser.add_argument("--bin", default=os.path.join(target, "release", "ctxbudget"))
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    rows = []
    reads = 0
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        cache = Path(scratch) / "cache"
        reasons = Path(scratch) / "reasons"
        reasons.mkdir()
        for transcript in transcripts(args.paths):
            for file_path, text in whole_reads(transcript):
                reads += 1
                rel = Path(*[p for p in Path(file_path).parts if p not in ("/", "..")])
                target = project / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                call = {
                    "session_id": f"replay-{reads}",
                    "cwd": str(project),
                    "hook_event_name": "PreToolUse",
                    "tool_name": "Read",
                    "tool_input": {"file_path": str(target)},
                }
                env = dict(os.environ, CTXBUDGET_CACHE_DIR=str(cache))
                answer = subprocess.run(
                    [binary, "hook", "-t", "cl100k"],
                    input=json.dumps(call).encode(),
                    capture_output=True,
                    env=env,
                    check=True,
                ).stdout
                if not answer.strip():
                    continue
                reason = json.loads(answer)["hookSpecificOutput"]["permissionDecisionReason"]
                head = reason.split(" tokens to read whole", 1)[0]
                whole = int(head.rsplit(" costs ", 1)[1].replace(",", ""))
                name = f"{len(rows)}.txt"
                (reasons / name).write_text(reason, encoding="utf-8")
                rows.append((whole, name, reason.count("offset="), str(rel), transcript.name))
        if rows:
            scan = subprocess.run(
                [binary, "scan", str(reasons), "-t", "cl100k", "--format", "json",
                 "--no-cache", "--no-progress", "--no-symbols"],
                capture_output=True, check=True,
            ).stdout
            tokens = {f["path"]: f["tokens"] for f in json.loads(scan)["files"]}
            rows = [(w, tokens[n], r, rel, t) for w, n, r, rel, t in rows]
    rows.sort(reverse=True)
    print(f"{reads} whole reads with their text replayed; {len(rows)} would be turned away")
    print(f"{'whole':>8} {'outline':>8} {'ranges':>6}  file (transcript)")
    for whole, outline, ranges, rel, name in rows:
        print(f"{whole:>8,} {outline:>8,} {ranges:>6}  {rel} ({name})")
    if rows:
        total = sum(r[0] for r in rows)
        shown = sum(r[1] for r in rows)
        print(f"total: {total:,} tokens of whole reads turned away; the outlines cost {shown:,} "
              f"({100 * shown / total:.1f}%)")


if __name__ == "__main__":
    sys.exit(main())
