#!/usr/bin/env python3
"""How often `ctxbudget refs` puts the right symbol in its top 3.

Usage: bench/refs-quality.py CORPUS QUERIES.tsv [MIN_RATE]

Each line of QUERIES.tsv is `words<TAB>path<TAB>qualified name` (the
symbol a developer asking those words wants). Prints each query's rank
and the top-1 and top-3 rates; exits 1 when the top-3 rate is under
MIN_RATE (default 0), so CI catches a ranking regression.
"""
import json
import os
import subprocess
import sys


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "target"))
    return os.path.join(target, "release", "ctxbudget")


def main():
    corpus, queries = sys.argv[1], sys.argv[2]
    minimum = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    cases = []
    with open(queries, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                cases.append(line.rstrip("\n").split("\t"))
    top1 = top3 = 0
    for words, path, name in cases:
        run = subprocess.run(
            [binary(), "refs", "--format", "json", "--limit", "10", "--", words],
            cwd=corpus, capture_output=True, text=True,
        )
        results = json.loads(run.stdout) if run.stdout.strip() else []
        rank = next(
            (i + 1 for i, r in enumerate(results)
             if r["path"] == path and r["qualified_name"] == name),
            None,
        )
        top1 += rank == 1
        top3 += rank is not None and rank <= 3
        got = results[0]["qualified_name"] + " " + results[0]["path"] if results else "-"
        print(f"{rank or '-':>2}  {words:<32} want {name}; first {got}")
    n = len(cases)
    print(f"top-1 {top1}/{n} ({100 * top1 / n:.0f}%), top-3 {top3}/{n} ({100 * top3 / n:.0f}%)")
    sys.exit(1 if top3 / n < minimum else 0)


if __name__ == "__main__":
    main()
