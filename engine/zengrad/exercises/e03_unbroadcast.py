"""Broadcasting, and its gradient: unbroadcast.

NumPy lines two shapes up at the right; a size-1 axis (or a missing leading one) stretches to the
other's size. So in z = x + y with x of shape (3, 1) and y of shape (4,), z has shape (3, 4) and
each xᵢ is used 4 times. Its gradient adds those uses up:

    ∂L/∂xᵢ₀ = Σⱼ ∂L/∂zᵢⱼ                (sum over the axis x was stretched along)
    ∂L/∂yⱼ  = Σᵢ ∂L/∂zᵢⱼ                (sum over the leading axis y did not have)

Write ``broadcast_shape(a, b)`` (ValueError for shapes that do not broadcast) and
``unbroadcast(grad, shape)``, which sums a gradient of the broadcast shape back to ``shape``.
Every binary op in the engine ends its backward with it.
"""

import numpy as np

from .grading import Wrong, compare

TITLE = "Broadcasting and unbroadcast"
MINUTES = 25
SKELETON = "e03_unbroadcast.py"
HINTS = [
    "Pad the shorter shape with 1s on the left; then each pair of sizes must be equal or contain a 1.",
    "unbroadcast: first sum away the grad.ndim - len(shape) leading axes, then sum with keepdims=True "
    "over every axis where shape has 1 and grad does not.",
    "A 0-d shape () is legal: the gradient of a scalar that was added to everything is the total sum.",
]

CASES = [((3, 1), (4,)), ((), (2, 3)), ((5, 1, 7), (1, 3, 1)), ((1,), (1,)), ((2, 1, 1), (2, 3, 0)),
         ((13, 1), (1, 13)), ((4, 1, 3), (3,)), ((1, 1), (1, 1, 1))]
BAD = [((3,), (4,)), ((2, 3), (3, 2)), ((5, 2, 7), (6, 7))]


def _engine_unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """The reference: the engine's own gradient of ``expand``, in float64."""
    import zengrad as zg

    x = zg.zeros(shape, dtype=zg.float64, requires_grad=True)
    x.expand(*grad.shape).backward(zg.tensor(grad))
    return x.grad._data


def check(attempt, rng: np.random.Generator) -> None:
    for a, b in CASES + [(b, a) for a, b in CASES]:
        got = attempt.broadcast_shape(a, b)
        expected = np.broadcast_shapes(a, b)
        if tuple(got) != expected:
            raise Wrong(f"broadcast_shape{a, b}: got {tuple(got)}, expected {expected}")
        grad = rng.standard_normal(expected)
        for shape in (a, b):
            compare(f"unbroadcast(grad of shape {expected}, {shape})", attempt.unbroadcast(grad.copy(), shape),
                    _engine_unbroadcast(grad, shape), rtol=1e-10, atol=1e-12)
    for a, b in BAD:
        try:
            got = attempt.broadcast_shape(a, b)
        except ValueError:
            continue
        raise Wrong(f"broadcast_shape{a, b}: returned {got}, but these shapes do not broadcast: raise ValueError")
