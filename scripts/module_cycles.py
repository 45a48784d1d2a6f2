#!/usr/bin/env python3
"""Finds import cycles between the modules of the reident library.

    python3 scripts/module_cycles.py [--verbose]

It reads every file of the library (src/, without the CLI: src/main.rs and src/cli/ are a separate
crate that uses the library through `reident::`), and collects the module paths each file names:
`crate::a::b` paths anywhere in the code (imports and inline paths), `super::` and `self::`
paths resolved against the file's own module, and the child modules a file declares and uses.
Comments, doc comments and test code (from `#[cfg(test)]` to the end of a file, and the files
`tests.rs` and `test_support.rs`) are left out: a test may use anything.

A path is attributed to the deepest module (file) it names; a name that a module only re-exports
(`pub use child::Item;`) is followed to the module that defines it.

Two graphs are checked:
* rooms: the top-level modules (`analyze`, `classes`, `risk`, ...); an edge A -> B when a file of A
  names something in B;
* modules: every file against every other; a module owns the modules it declares, so its own
  uses of its descendants are not counted (a child may use its parent's items, the parent
  declares and re-exports the child). A room's `command.rs` (the pipeline behind
  `reident::<room>::run`) counts with the pipelines, at the top, not in its room.

Prints every strongly connected component of more than one module (a cycle) with the edges that
make it, and exits 1 if there is one; otherwise prints the room order and exits 0.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_of(path):
    rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib"):
        rel = rel[:-1]
    return tuple(rel)


def strip(text):
    i = text.find("#[cfg(test)]")
    if i >= 0:
        text = text[:i]
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text


def files():
    for d, _, names in os.walk(ROOT):
        for n in names:
            p = os.path.join(d, n)
            if not n.endswith(".rs") or n in ("main.rs", "tests.rs", "test_support.rs"):
                continue
            if os.path.relpath(p, ROOT).split(os.sep)[0] == "cli":
                continue
            yield p


def expand_use(body):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']"""
    body = body.strip()
    m = re.match(r"^(.*?)\{(.*)\}$", body, re.S)
    if not m:
        return [re.sub(r"\s+as\s+\w+$", "", body)]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            out += expand_use(prefix + p.strip())
    return out


def main():
    verbose = "--verbose" in sys.argv
    modules = {}
    for p in files():
        modules[module_of(p)] = strip(open(p).read())
    known = set(modules)
    # Re-exports: (module, name) -> the module the name comes from.
    reexports = {}
    for m, text in modules.items():
        for body in re.findall(r"pub use\s+([^;]+);", text):
            for path in expand_use(body):
                segs = [s for s in path.split("::") if s]
                name = segs[-1]
                target = resolve(m, segs[:-1], known) if segs[:-1] else None
                if target is not None:
                    reexports[(m, name)] = target

    def target_of(m, segs):
        mod = resolve(m, segs, known, deepest=True)
        if mod is None:
            return None
        # The segment after the module names an item: follow a re-export.
        full = absolute(m, segs)
        rest = full[len(mod):] if full else []
        seen = set()
        while rest and (mod, rest[0]) in reexports and (mod, rest[0]) not in seen:
            seen.add((mod, rest[0]))
            nxt = reexports[(mod, rest[0])]
            if nxt == mod:
                break
            mod = nxt
        return mod

    edges = {}
    for m, text in modules.items():
        refs = set()
        for body in re.findall(r"\buse\s+([^;]+);", text):
            for path in expand_use(body):
                segs = [s for s in path.split("::") if s]
                if segs and segs[0] in ("crate", "super", "self") or (m + (segs[0],) in known if segs else False):
                    t = target_of(m, segs)
                    if t is not None:
                        refs.add(t)
        for path in re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", text):
            t = target_of(m, path.split("::"))
            if t is not None:
                refs.add(t)
        edges[m] = {t for t in refs if t != m}

    cycles = 0
    # Rooms. A room's command file (`<room>/command.rs`: the pipeline behind `reident::<room>::run`)
    # sits with the other pipelines at the top, not in its room.
    def room(m):
        if len(m) >= 2 and m[-1] == "command":
            return "command:" + m[0]
        return m[0]

    room_edges = {}
    for m, ts in edges.items():
        if not m:
            continue
        for t in ts:
            if len(t) > len(m) and t[: len(m)] == m:
                continue
            if t and room(t) != room(m):
                room_edges.setdefault(room(m), {}).setdefault(room(t), set()).add((m, t))
    rooms = sorted({room(m) for m in modules if m})
    cycles += report("rooms", rooms, {r: set(room_edges.get(r, {})) for r in rooms}, room_edges, verbose)
    # Files: every module against every other. A module owns the modules it declares, so its
    # edges to its own descendants (declaring, re-exporting, using them) are not dependencies.
    file_edges = {}
    for m, ts in edges.items():
        for t in ts:
            if len(t) > len(m) and t[: len(m)] == m:
                continue
            file_edges.setdefault(m, {}).setdefault(t, set()).add((m, t))
    nodes = sorted(modules)
    cycles += report("files", nodes, {n: set(file_edges.get(n, {})) for n in nodes}, file_edges, verbose)
    if cycles == 0:
        print("no cycles between rooms or between modules")
    return 1 if cycles else 0


def absolute(m, segs):
    segs = list(segs)
    if not segs:
        return None
    if segs[0] == "crate":
        return segs[1:]
    base = list(m)
    while segs and segs[0] in ("super", "self"):
        if segs[0] == "super":
            base = base[:-1]
        segs = segs[1:]
    return base + segs


def resolve(m, segs, known, deepest=True):
    full = absolute(m, segs) if segs and segs[0] in ("crate", "super", "self") else list(m) + list(segs)
    if full is None:
        return None
    best = None
    for i in range(len(full), -1, -1):
        if tuple(full[:i]) in known:
            best = tuple(full[:i])
            break
    return best


def report(name, nodes, adj, detail, verbose):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            strong(v)
    bad = [c for c in out if len(c) > 1]
    show = lambda x: "::".join(x) if isinstance(x, tuple) else x
    for comp in bad:
        print(f"CYCLE in {name or 'crate'}: {', '.join(sorted(show(c) for c in comp))}")
        for a in comp:
            for b in comp:
                for (fa, fb) in sorted(detail.get(a, {}).get(b, ())):
                    print(f"    {show(fa)} -> {show(fb)}")
    if verbose and not bad and name == "rooms":
        order = [show(c[0]) for c in out]
        print("room order (each uses only rooms before it):", " ".join(order))
    return len(bad)


if __name__ == "__main__":
    sys.exit(main())
