"""A scalar Value with backward: the whole of autograd on single numbers (micrograd-sized).

Each arithmetic operation returns a new ``Value`` that remembers its ``parents`` and a closure
``_backward`` that applies the chain rule for that one operation: if out = f(a, b) then

    a.grad += ∂f/∂a · out.grad        b.grad += ∂f/∂b · out.grad

(+=, not =: a Value used twice — ``a * a`` — gets a contribution from each use). ``backward()``
is given: it orders the graph so every node runs after everything that uses it, seeds
``out.grad = 1`` and calls each ``_backward``. Write ``__add__``, ``__mul__``, ``__pow__``,
``tanh``, ``exp`` and ``relu``; subtraction and division are built from them.
"""

import math

import numpy as np

from .grading import Wrong

TITLE = "A scalar Value with backward"
MINUTES = 30
SKELETON = "e01_value.py"
HINTS = [
    "out = Value(self.data + other.data, (self, other), '+'), then define a function that updates "
    "self.grad and other.grad from out.grad, and store it as out._backward.",
    "The closure can read out.data after the fact: tanh's derivative is 1 - out.data**2, exp's is out.data.",
    "Accumulate with +=: the checker uses a*a and (a+b)*(a-c), where one Value feeds two operations.",
]


class _Floats:
    """The same functions on plain floats, for the expected values."""
    tanh, exp = staticmethod(math.tanh), staticmethod(math.exp)
    relu = staticmethod(lambda x: max(x, 0.0))


class _Values:
    tanh = staticmethod(lambda v: v.tanh())
    exp = staticmethod(lambda v: v.exp())
    relu = staticmethod(lambda v: v.relu())


EXPRESSIONS = {
    "a + b": lambda a, b, c, F: a + b,
    "a * b + c": lambda a, b, c, F: a * b + c,
    "a * a  (a used twice)": lambda a, b, c, F: a * a,
    "(a + b) * (a - c)": lambda a, b, c, F: (a + b) * (a - c),
    "a**3 / b": lambda a, b, c, F: a ** 3 / b,
    "tanh(a * b + c)": lambda a, b, c, F: F.tanh(a * b + c),
    "exp(a - b) * c": lambda a, b, c, F: F.exp(a - b) * c,
    "relu(a) * b + relu(c)": lambda a, b, c, F: F.relu(a) * b + F.relu(c),
    "2 - a / 3 + 1 / b": lambda a, b, c, F: 2 - a / 3 + 1 / b,
    "tanh(tanh(a) * exp(b)) ** 2 - c * c * c": lambda a, b, c, F: F.tanh(F.tanh(a) * F.exp(b)) ** 2 - c * c * c,
}


def _numerical(expression, point, which, eps=1e-6):
    up, down = list(point), list(point)
    up[which] += eps
    down[which] -= eps
    return (expression(*up, _Floats) - expression(*down, _Floats)) / (2 * eps)


def check(attempt, rng: np.random.Generator) -> None:
    Value = attempt.Value
    for text, expression in EXPRESSIONS.items():
        for _ in range(3):
            point = [float(v) for v in rng.uniform(0.2, 1.5, 3) * rng.choice([-1, 1], 3)]
            where = f"`{text}` at a={point[0]:.4g}, b={point[1]:.4g}, c={point[2]:.4g}"
            inputs = [Value(v) for v in point]
            out = expression(*inputs, _Values)
            if not isinstance(out, Value):
                raise Wrong(f"{where}: the result is {type(out).__name__}, expected a Value")
            expected = expression(*point, _Floats)
            if not math.isclose(out.data, expected, rel_tol=1e-9, abs_tol=1e-12):
                raise Wrong(f"{where}: forward value {out.data:.6g}, expected {expected:.6g}")
            out.backward()
            for which, name in enumerate("abc"):
                want = _numerical(expression, point, which)
                got = inputs[which].grad
                if not math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-6):
                    raise Wrong(f"{where}: d out/d {name} = {got:.6g}, expected {want:.6g} by finite "
                                f"differences (off by {got - want:.3g})")
