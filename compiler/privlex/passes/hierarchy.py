"""Hierarchies of names, given name -> parents: cycles, what lies below, depth, what lies above.

The vocabulary pass checks keys and regions with these; the parameters pass
reads regions through `above`. Every walk is iterative, so that a chain
thousands of links long is no problem.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

# Keys and region groups nest at most this deep (docs/security.md, "Limits"; E103).
MAX_NESTING = 32


def find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle in a graph of name -> parents, as a path, or None.

    Iterative, so that a chain thousands of links long is no problem.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if root in state:
            continue
        state[root] = 1
        path = [root]
        pending = [iter(graph.get(root, ()))]
        while pending:
            parent = next(pending[-1], None)
            if parent is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(parent) == 1:
                return path[path.index(parent) :] + [parent]
            elif parent not in state:
                state[parent] = 1
                path.append(parent)
                pending.append(iter(graph.get(parent, ())))
    return None


def below(graph: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """key -> the key and all its descendants, given key -> parents (acyclic)."""
    children: dict[str, set[str]] = {key: set() for key in graph}
    for key, parents in graph.items():
        for parent in parents:
            children.setdefault(parent, set()).add(key)
    result: dict[str, tuple[str, ...]] = {}
    for key in graph:
        found = {key}
        pending = [key]
        while pending:
            for child in children.get(pending.pop(), ()):
                if child not in found:
                    found.add(child)
                    pending.append(child)
        result[key] = tuple(sorted(found))
    return result


def depths(graph: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """name -> the length of its longest chain of parents (0 for a name without), without recursion."""
    depth: dict[str, int] = {}
    for root in sorted(graph):
        stack, visiting = [root], {root}
        while stack:
            node = stack[-1]
            waiting = [p for p in graph.get(node, ()) if p not in depth and p not in visiting]
            if waiting:
                stack.extend(waiting)
                visiting.update(waiting)
                continue
            stack.pop()
            visiting.discard(node)
            depth[node] = 1 + max((depth.get(p, 0) for p in graph.get(node, ())), default=-1)
    return depth


def too_deep(graph: Mapping[str, Sequence[str]]) -> str | None:
    """The first name (in sorted order) nested more than MAX_NESTING levels deep, or None."""
    deep = sorted(name for name, depth in depths(graph).items() if depth > MAX_NESTING)
    return deep[0] if deep else None


def above(code: str, parents: Mapping[str, Collection[str]]) -> tuple[str, ...]:
    """The code and every region that contains it, directly or through groups."""
    found = {code}
    pending = [code]
    while pending:
        for parent in parents.get(pending.pop(), ()):
            if parent not in found:
                found.add(parent)
                pending.append(parent)
    return tuple(sorted(found))
