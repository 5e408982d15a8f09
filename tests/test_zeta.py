"""zeta (Hurwitz's ζ(x, q)) against PyTorch: values on a grid of x in (1, 300] and q in [1e−5, 1e5]
and negative, the edge values, dtypes, numbers for x or q, and the gradients (in q; refused in x).
The gradient in q is gradchecked through tests/op_table.py."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def test_values_and_edges_match_torch():
    x, q = np.meshgrid(np.concatenate([1 + np.logspace(-10, 0, 11), [2.5, 3, 5, 10, 50, 300, 1, 0.5, np.inf, np.nan]]),
                       np.concatenate([np.logspace(-5, 5, 21), [-1.5, -2.0, 0.0, -0.0, np.inf]]))
    ours = zg.special.zeta(zg.tensor(x), zg.tensor(q)).numpy()
    theirs = torch.special.zeta(torch.tensor(x), torch.tensor(q)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300)


def test_dtypes_numbers_and_gradients_as_torch():
    for make in (lambda m: (m.tensor([2, 3]), m.tensor([1, 2])), lambda m: (2, m.tensor([1.5, 4.0])),
                 lambda m: (m.tensor([[2.5], [4.0]], dtype=m.float64), 1)):
        ours, theirs = (m.special.zeta(*make(m)) for m in (zg, torch))
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError):
        zg.special.zeta(zg.tensor([2.5], requires_grad=True), zg.tensor([1.0])).sum().backward()
