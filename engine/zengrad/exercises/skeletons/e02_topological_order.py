"""Exercise 2: the order in which backward visits a graph (fill in the TODO).

Check it with:  zengrad exercise check 2 --file e02_topological_order.py
"""


def topological_order(root):
    """Every node reachable from ``root`` through ``.parents``, each exactly once, every node after
    all of its parents (so ``root`` comes last). Backward runs the reverse of this list.

    Graphs can be deep (a 10,000-step recurrence): do not recurse once per node.
    """
    raise NotImplementedError("topological_order: walk .parents from root with an explicit stack")
