#!/usr/bin/env python3
"""Drives `ctxbudget mcp` with the official MCP Python client and checks
its answers against `ctxbudget scan`; then times the calls.

    python3 -m pip install "mcp==2.3.0"
    bench/mcp-client.py [--bin BIN] [--runs N] PROJECT [FILE [QUERY]]

Checks, on PROJECT (every file priced with cl100k):
  - the server lists exactly outline, refs and cost;
  - outline of FILE: every offset/limit is a symbol span scan reports, and
    the whole-file cost is scan's read cost;
  - refs of a symbol name: the ranges and tokens are scan's;
  - cost of FILE and of its directory: scan's tokens and read cost;
  - a path outside the project and a missing file are tool errors, an
    unknown tool is a protocol error, and the server goes on.
FILE defaults to the file with the most symbols; QUERY to free words
made of its largest symbol's name. Exit 1 on the first failed check.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def text_of(result):
    return "".join(block.text for block in result.content if getattr(block, "text", None))


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "target"))
    parser.add_argument("--bin", default=os.path.join(target, "release", "ctxbudget"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("project")
    parser.add_argument("file", nargs="?")
    parser.add_argument("query", nargs="?")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    project = os.path.abspath(args.project)

    scan = json.loads(
        subprocess.run(
            [binary, "scan", project, "-t", "cl100k", "--format", "json", "--no-progress"],
            capture_output=True,
            check=True,
        ).stdout
    )
    # scan names files from the repository root (the nearest .git above);
    # the server from its --root.
    top = Path(project)
    while not (top / ".git").exists() and top.parent != top:
        top = top.parent
    prefix = "" if not (top / ".git").exists() else os.path.relpath(project, top)
    prefix = "" if prefix in ("", ".") else prefix + "/"
    files = {f["path"][len(prefix):]: f for f in scan["files"] if f["path"].startswith(prefix)}
    file = args.file or max(files, key=lambda p: len(files[p].get("symbols", [])))
    if file not in files or not files[file].get("symbols"):
        fail(f"{file} has no symbols in scan's report")
    symbols = files[file]["symbols"]
    spans = {(s["start_line"], s["end_line"] - s["start_line"] + 1) for s in symbols}
    largest = max(symbols, key=lambda s: s["tokens"])
    name = largest["qualified_name"]

    server = StdioServerParameters(command=binary, args=["mcp", "--root", project, "-t", "cl100k"])
    async with Client(server, mode="legacy") as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        if tools != ["cost", "outline", "refs"]:
            fail(f"tools listed: {tools}")

        outline = await client.call_tool("outline", {"path": file})
        text = text_of(outline)
        if outline.is_error:
            fail(f"outline failed: {text}")
        head = re.match(r"(.+?): ([\d,]+) lines, ([\d,]+) tokens to Read whole", text)
        if not head or int(head.group(3).replace(",", "")) != files[file]["read_tokens"]:
            fail(f"outline's whole cost is not scan's {files[file]['read_tokens']}: {text[:300]}")
        offered = {(int(o), int(l)) for o, l in re.findall(r"offset=(\d+) limit=(\d+)", text)}
        if not offered or not offered <= spans:
            fail(f"outline ranges that are no symbol span: {sorted(offered - spans)[:5]}")

        start = time.perf_counter()
        refs = await client.call_tool("refs", {"query": name, "limit": 5})
        first_refs = (time.perf_counter() - start) * 1000
        text = text_of(refs)
        found = re.findall(r"@(\S+)#L(\d+)-(\d+)  (\S+)  \S+  ([\d,]+) tokens", text)
        if not found:
            fail(f"refs {name!r} found nothing: {text[:300]}")
        for path, start, end, qualified, tokens in found:
            match = [
                s
                for s in files.get(path[len(prefix):] if path.startswith(prefix) else path, {}).get("symbols", [])
                if (s["start_line"], s["end_line"], s["qualified_name"]) == (int(start), int(end), qualified)
            ]
            if not match or match[0]["tokens"] != int(tokens.replace(",", "")):
                fail(f"refs answered @{path}#L{start}-{end} {qualified} {tokens}, not a scan symbol")

        directory = str(Path(file).parent)
        cost = await client.call_tool("cost", {"paths": [file, directory]})
        text = text_of(cost)
        line = re.search(re.escape(file) + r": ([\d,]+) tokens, read ([\d,]+)", text)
        if not line or (
            int(line.group(1).replace(",", "")),
            int(line.group(2).replace(",", "")),
        ) != (files[file]["tokens"], files[file]["read_tokens"]):
            fail(f"cost of {file} is not scan's: {text}")
        under = [f for p, f in files.items() if directory == "." or p.startswith(directory + "/")]
        line = re.search(re.escape(directory) + r"/?: ([\d,]+) files?, ([\d,]+) tokens, read all ([\d,]+)", text)
        expected = (len(under), sum(f["tokens"] for f in under), sum(f["read_tokens"] for f in under))
        if not line or tuple(int(g.replace(",", "")) for g in line.groups()) != expected:
            fail(f"cost of {directory}/ is not scan's {expected}: {text}")

        for path in ["/etc/passwd", "../outside.txt", "no/such/file.py"]:
            result = await client.call_tool("outline", {"path": path})
            if not result.is_error:
                fail(f"outline {path} was answered: {text_of(result)[:200]}")
        try:
            result = await client.call_tool("no_such_tool", {})
            if not result.is_error:
                fail("an unknown tool was answered")
        except Exception:
            pass
        if (await client.call_tool("outline", {"path": file})).is_error:
            fail("the server did not go on after errors")
        print(f"ok: {len(offered)} outline ranges, {len(found)} refs, 2 costs equal scan's on {file}")
        print(f"first refs call (builds the index): {first_refs:.0f} ms")

        query = args.query or " ".join(re.findall(r"[A-Za-z][a-z]+", largest["name"])[:3]).lower() or name
        for label, tool, arguments in [
            (f"outline {file}", "outline", {"path": file}),
            (f"refs {name!r}", "refs", {"query": name}),
            (f"refs {query!r} (words)", "refs", {"query": query}),
            (f"cost {directory}/", "cost", {"paths": [directory]}),
        ]:
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                times.append((time.perf_counter() - start) * 1000)
                if result.is_error:
                    fail(f"{label}: {text_of(result)}")
            times.sort()
            first = times[0] if args.runs == 1 else times[len(times) // 2]
            print(f"{label}: median {first:.1f} ms, max {times[-1]:.1f} ms over {args.runs} calls")


if __name__ == "__main__":
    asyncio.run(main())
