"""The matmul gradient, derived from one entry.

C = A B with A (n, k), B (k, m) has entries C_ij = Σ_p A_ip B_pj. A loss L depends on every C_ij,
so by the chain rule

    ∂L/∂A_ip = Σ_j ∂L/∂C_ij · ∂C_ij/∂A_ip = Σ_j G_ij B_pj = (G Bᵀ)_ip
    ∂L/∂B_pj = Σ_i ∂L/∂C_ij · ∂C_ij/∂B_pj = Σ_i A_ip G_ij = (Aᵀ G)_pj

with G = ∂L/∂C. Shapes confirm it: G Bᵀ is (n, m)(m, k) = (n, k), A's shape. With batch
dimensions the same holds per batch entry, and an operand whose batch axes were broadcast sums
its gradient over them (exercise 3). Write ``matmul_backward(a, b, grad)``.
"""

import numpy as np

from .grading import Wrong, compare

TITLE = "The matmul gradient"
MINUTES = 20
SKELETON = "e04_matmul_gradient.py"
HINTS = [
    "Write one entry of C as a sum and differentiate it by one entry of A; the sum that is left is a matrix product.",
    "Check shapes: dL/dA must be (n, k). np.swapaxes(b, -1, -2) transposes the last two axes of a batch.",
    "b of shape (k, m) against a of shape (5, n, k) was used by all 5 batch entries: sum its gradient over them.",
]


def _engine_gradients(a, b, grad):
    import zengrad as zg

    ta, tb = zg.tensor(a, requires_grad=True), zg.tensor(b, requires_grad=True)
    (ta @ tb).backward(zg.tensor(grad))
    return ta.grad._data, tb.grad._data


def check(attempt, rng: np.random.Generator) -> None:
    n, k, m = (int(s) for s in rng.choice([1, 3, 7, 13], 3))
    batch = int(rng.choice([2, 5]))
    shapes = [((n, k), (k, m)), ((1, k), (k, 1)), ((batch, n, k), (batch, k, m)), ((batch, n, k), (k, m)),
              ((n, k), (batch, k, m)), ((3, 1, n, k), (batch, k, m))]
    for shape_a, shape_b in shapes:
        a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
        grad = rng.standard_normal(np.matmul(a, b).shape)
        got = attempt.matmul_backward(a, b, grad)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong(f"matmul_backward must return (grad_a, grad_b), got {type(got).__name__}")
        expected = _engine_gradients(a, b, grad)
        for name, g, e in zip(("a", "b"), got, expected):
            compare(f"dL/d{name} for a {shape_a} @ b {shape_b}", g, e, rtol=1e-9, atol=1e-10)
