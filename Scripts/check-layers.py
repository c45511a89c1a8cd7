#!/usr/bin/env python3
"""Checks the layering rules of Sources/Multitask (see ARCHITECTURE.md).

1. libc and the C shim only in System/: no other folder imports Glibc or CShim, or calls
   a `cshim_` function; the CLI (Sources/multitask) and the benchmarks
   (Sources/MultitaskBenchmarks) use the library only, except the benchmarks' toolchain
   peers (Sources/MultitaskBenchmarks/Peers: `posix_spawn`, `pthread_mutex_t` measured
   beside ours, and the C ring of `CRingPeer`), which may import Glibc and `CRingPeer` but not
   the C shim.
2. A layer uses only the layers below it: a file in folder F names no type declared in a
   folder above F in LAYERS.

Types are found by their top-level declarations (class, struct, enum, protocol, actor,
typealias, at the start of a line: nested types are their outer type's business); a use is the type's name as a whole word outside comments and strings.
Exits with 1 and one line per violation, or 0 and a summary.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LIBRARY = os.path.join(ROOT, "Sources", "Multitask")
CLI = os.path.join(ROOT, "Sources", "multitask")
BENCHMARKS = os.path.join(ROOT, "Sources", "MultitaskBenchmarks")
PEERS = os.path.join(BENCHMARKS, "Peers")
# Lowest first: a folder may use the folders before it in this list, and itself.
LAYERS = ["System", "Codec", "Sync", "Memory", "Threading", "Diagnostics", "Processes", "Channels", "Pool", "Actors", "Inspection"]
# Files at the module's top level (the `Multitask` namespace, the composition root) sit above
# every layer; a lower layer reaches them only through functions (LayerWiring.swift), and may
# extend the namespace.
TOP = "(top)"
NAMESPACE = "Multitask"

DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate|open|final|indirect|nonisolated(?:\(unsafe\))?)\s+)*"
    r"(?:class|struct|enum|protocol|actor|typealias)\s+([A-Z]\w*)", re.M)
IDENTIFIER = re.compile(r"\b[A-Z]\w*\b")


def strip_comments_and_strings(text):
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"/\*[\s\S]*?\*/", "", text)
    return re.sub(r"//[^\n]*", "", text)


def swift_files(directory):
    for folder, _, names in os.walk(directory):
        for name in sorted(names):
            if name.endswith(".swift"):
                yield os.path.join(folder, name)


def layer_of(path):
    relative = os.path.relpath(path, LIBRARY).split(os.sep)
    return relative[0] if len(relative) > 1 else TOP


def main():
    violations = []
    sources = {path: strip_comments_and_strings(open(path, encoding="utf-8").read()) for path in swift_files(LIBRARY)}
    owner = {}
    for path, text in sources.items():
        for name in DECLARATION.findall(text):
            owner.setdefault(name, layer_of(path))
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    rank[TOP] = len(LAYERS)
    for path, text in sources.items():
        layer = layer_of(path)
        shown = os.path.relpath(path, ROOT)
        if layer != "System":
            if re.search(r"^\s*import\s+(Glibc|CShim)\b", text, re.M):
                violations.append(f"{shown}: imports libc or the C shim outside System/")
            if re.search(r"\bcshim_\w+", text):
                violations.append(f"{shown}: calls the C shim outside System/")
        if layer not in rank:
            violations.append(f"{shown}: folder {layer}/ is not a known layer")
            continue
        used = set(IDENTIFIER.findall(text))
        for name in sorted(used):
            home = owner.get(name)
            if name == NAMESPACE:
                continue
            if home is not None and home != layer and rank.get(home, -1) > rank[layer]:
                violations.append(f"{shown}: layer {layer} uses {name} from {home}, a layer above it")
    for path in list(swift_files(CLI)) + list(swift_files(BENCHMARKS)):
        text = strip_comments_and_strings(open(path, encoding="utf-8").read())
        shown = os.path.relpath(path, ROOT)
        if os.path.dirname(path) == PEERS:
            if re.search(r"^\s*import\s+CShim\b", text, re.M) or re.search(r"\bcshim_\w+", text):
                violations.append(f"{shown}: a toolchain peer calls the C shim")
        elif re.search(r"^\s*import\s+(Glibc|CShim|CRingPeer)\b", text, re.M) or re.search(r"\bcshim_\w+|\bposix_spawnp?\b", text):
            violations.append(f"{shown}: calls libc or the C shim instead of the library")
    for line in violations:
        print(line)
    if violations:
        print(f"{len(violations)} layering violation(s)", file=sys.stderr)
        return 1
    print(f"layers ok: {len(sources)} library files in {len(LAYERS)} layers, libc only in System/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
