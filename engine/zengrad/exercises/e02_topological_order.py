"""Topological sort: the order in which backward may visit the graph.

Backward may only call a node's ``_backward`` once that node's gradient is complete, that is after
every node that uses it has passed its gradient on. Listing the graph so that every node comes
after all of its parents (its inputs) — a topological order — and walking that list backwards
gives exactly this. Write ``topological_order(root)`` for nodes with a ``parents`` tuple:
each reachable node once (a node used twice is still listed once), parents before children,
``root`` last, and no recursion per node (Python's recursion limit is about 1,000; an unrolled
recurrence is far deeper).
"""

import numpy as np

from .grading import Wrong

TITLE = "Topological order of the graph"
MINUTES = 20
SKELETON = "e02_topological_order.py"
HINTS = [
    "Depth-first search: a node goes into the list after all of its parents are in it (post-order).",
    "Without recursion: push (node, False) to mean 'visit its parents first' and (node, True) to mean "
    "'its parents are listed, list it now'.",
    "Keep a set of ids already listed, so a shared node is listed once.",
]


class Node:
    def __init__(self, name, parents=()):
        self.name, self.parents = name, tuple(parents)

    def __repr__(self):
        return self.name


def _random_dag(rng, size):
    nodes = []
    for i in range(size):
        count = int(rng.integers(0, min(i, 3) + 1))
        parents = [nodes[j] for j in rng.choice(i, size=count, replace=False)] if count else []
        nodes.append(Node(f"n{i}", parents))
    return Node("root", nodes[-3:] + nodes[:1])


def _reachable(root):
    seen, stack = {}, [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(node.parents)
    return seen


def _check_order(topological_order, root, what):
    try:
        order = list(topological_order(root))
    except RecursionError:
        raise Wrong(f"{what}: RecursionError — one Python call per node cannot reach the end of a deep "
                    f"graph; use an explicit stack") from None
    reachable = _reachable(root)
    ids = [id(node) for node in order]
    if len(ids) != len(set(ids)):
        twice = next(node for node in order if ids.count(id(node)) > 1)
        raise Wrong(f"{what}: node {twice} is listed {ids.count(id(twice))} times; list each node once")
    missing = [node for key, node in reachable.items() if key not in set(ids)]
    if missing:
        raise Wrong(f"{what}: {len(missing)} reachable nodes are missing, e.g. {missing[:3]}")
    extra = [node for node in order if id(node) not in reachable]
    if extra:
        raise Wrong(f"{what}: {extra[:3]} are listed but not reachable from the root")
    position = {key: i for i, key in enumerate(ids)}
    for node in order:
        for parent in node.parents:
            if position[id(parent)] > position[id(node)]:
                raise Wrong(f"{what}: {node} is at position {position[id(node)]} but its parent {parent} "
                            f"comes later, at {position[id(parent)]}; parents must come first")
    if order[-1] is not root:
        raise Wrong(f"{what}: the last node is {order[-1]}, expected the root")


def check(attempt, rng: np.random.Generator) -> None:
    a = Node("a")
    b = Node("b")
    _check_order(attempt.topological_order, a, "a lone node")
    diamond = Node("out", [Node("left", [a, b]), Node("right", [a])])
    _check_order(attempt.topological_order, diamond, "a diamond (a feeds both branches)")
    square = Node("a*a", [a, a])
    _check_order(attempt.topological_order, square, "a*a (the same parent twice)")
    for size in (7, 31, 200):
        _check_order(attempt.topological_order, _random_dag(rng, size), f"a random graph of {size} nodes")
    chain = a
    for i in range(5000):
        chain = Node(f"step{i}", [chain, b])
    _check_order(attempt.topological_order, chain, "a 5,000-step chain")
