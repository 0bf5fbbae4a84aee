#!/usr/bin/env python3
"""Compares ctxbudget's Python symbol spans with Python's own `ast`, file by
file: every FunctionDef, AsyncFunctionDef and ClassDef that `ast.walk` finds,
as (first decorator line or `def`/`class` line, end_lineno, name).

    bench/check-python-spans.py CORPUS_DIR

Prints how many definitions match exactly and the first differences; exits 1
when any differ. Files this Python cannot parse are skipped and counted.
"""
import ast
import collections
import json
import os
import subprocess
import sys
import warnings

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ast_spans(text):
    tree = ast.parse(text)
    out = collections.Counter()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            out[(start, node.end_lineno, node.name)] += 1
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    subprocess.check_call(["cargo", "build", "--release", "--quiet"], cwd=HERE)
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=HERE))
    binary = os.path.join(meta["target_directory"], "release", "ctxbudget")
    scan = json.loads(subprocess.check_output(
        [binary, "scan", root, "--format", "json", "-t", "cl100k", "--no-ignore",
         "--no-progress", "--include", "*.py"]))
    want_total = got_total = matched = unparsable = files_identical = files = 0
    diffs = []
    warnings.simplefilter("ignore")
    for entry in scan["files"]:
        with open(os.path.join(root, entry["path"]), "rb") as f:
            source = f.read()
        try:
            want = ast_spans(source)
        except (SyntaxError, ValueError):
            unparsable += 1
            continue
        files += 1
        got = collections.Counter(
            (s["start_line"], s["end_line"], s["name"]) for s in entry["symbols"])
        common = sum((want & got).values())
        want_total += sum(want.values())
        got_total += sum(got.values())
        matched += common
        if want == got:
            files_identical += 1
        else:
            for span in sorted((want - got).elements()):
                diffs.append(f"{entry['path']}: ast has {span}")
            for span in sorted((got - want).elements()):
                diffs.append(f"{entry['path']}: ctxbudget has {span}")
    print(f"{root}: {files} Python files ({unparsable} not parsable by this Python), "
          f"{files_identical} identical")
    print(f"definitions: ast {want_total}, ctxbudget {got_total}, matching {matched} "
          f"({100.0 * matched / max(want_total, 1):.3f}% of ast's)")
    for line in diffs[:20]:
        print("  " + line)
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
