"""Exercise 1: a scalar Value that knows its own derivative (fill in the TODOs).

Check it with:  zengrad exercise check 1 --file e01_value.py
"""

import math


class Value:
    """One number in a computation, with the gradient d(output)/d(self) filled in by ``backward``.

    ``parents`` are the Values it was computed from; ``_backward`` adds this node's gradient,
    times the local derivative, to each parent's ``grad`` (chain rule; += because a Value used
    twice receives a gradient from each use).
    """

    def __init__(self, data, parents=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value({self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        raise NotImplementedError("Value.__add__: out = self + other; d out/d self = 1, d out/d other = 1")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        raise NotImplementedError("Value.__mul__: out = self * other; d out/d self = other, d out/d other = self")

    def __pow__(self, exponent):
        assert isinstance(exponent, (int, float)), "only constant exponents"
        raise NotImplementedError("Value.__pow__: out = self ** n; d out/d self = n self^(n-1)")

    def tanh(self):
        raise NotImplementedError("Value.tanh: out = tanh(self); d out/d self = 1 - out^2")

    def exp(self):
        raise NotImplementedError("Value.exp: out = e^self; d out/d self = out")

    def relu(self):
        raise NotImplementedError("Value.relu: out = max(self, 0); d out/d self = 1 if self > 0 else 0")

    # Given: the rest of arithmetic, in terms of the operations above.
    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def backward(self):
        """Fill in ``grad`` of every Value this one depends on (given: exercise 2 writes the order)."""
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
