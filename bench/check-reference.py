#!/usr/bin/env python3
"""Checks ctxbudget's counts against OpenAI's reference tokenizer (the
`tiktoken` Python package), file by file, for tokens and read cost.

    pip install tiktoken
    bench/check-reference.py CORPUS_DIR [cl100k|o200k ...]

The reference package downloads its vocabulary files on first use. Offline,
it is pointed at the copies that ship inside the `tiktoken-rs` crate (a
dev-dependency, so `cargo metadata` finds it); the reference still checks
each file against its own pinned SHA-256, so the vocabulary is OpenAI's.
Exits 1 on any mismatch.
"""
import json
import os
import subprocess
import sys

import tiktoken
import tiktoken.load
import tiktoken_ext.openai_public as openai_public

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cargo_metadata():
    return json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1"], cwd=HERE))


def vocab_dir():
    meta = cargo_metadata()
    for package in meta["packages"]:
        if package["name"] == "tiktoken-rs":
            return os.path.join(os.path.dirname(package["manifest_path"]), "assets")
    sys.exit("tiktoken-rs not found by cargo metadata")


def offline_encoding(name):
    try:
        return tiktoken.get_encoding(name)
    except Exception:
        local = vocab_dir()
        original = tiktoken.load.load_tiktoken_bpe

        def load_local(blobpath, expected_hash=None):
            path = os.path.join(local, os.path.basename(blobpath))
            return original(path, expected_hash=expected_hash)

        openai_public.load_tiktoken_bpe = load_local
        return tiktoken.get_encoding(name)


def numbered(text):
    # The Read view splits on "\n" only, as ctxbudget does.
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        if last and line == "":
            break
        out.append(f"{i + 1}\t{line}" + ("" if last else "\n"))
    return "".join(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    encodings = sys.argv[2:] or ["cl100k", "o200k"]
    subprocess.check_call(["cargo", "build", "--release", "--quiet"], cwd=HERE)
    binary = os.path.join(cargo_metadata()["target_directory"], "release", "ctxbudget")
    failed = False
    for name in encodings:
        enc = offline_encoding({"cl100k": "cl100k_base", "o200k": "o200k_base"}[name])
        scan = json.loads(subprocess.check_output(
            [binary, "scan", root, "-t", name, "--format", "json", "--no-ignore", "--no-progress"]))
        bad = []
        for entry in scan["files"]:
            with open(os.path.join(root, entry["path"]), "rb") as f:
                text = f.read().decode("utf-8", errors="replace")
            want = len(enc.encode_ordinary(text))
            want_read = len(enc.encode_ordinary(numbered(text)))
            if entry["tokens"] != want or entry["read_tokens"] != want_read:
                bad.append((entry["path"], entry["tokens"], want, entry["read_tokens"], want_read))
        total = sum(e["tokens"] for e in scan["files"])
        print(f"{root} {name}: {len(scan['files'])} files, {total} tokens, "
              f"{len(bad)} mismatches (tokens and read cost)")
        for row in bad[:10]:
            print("  %s: tokens %d vs %d, read %d vs %d" % row)
        failed |= bool(bad)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
