"""Forward values and gradients match PyTorch (CPU) on the same inputs, in float32 and float64."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy
from op_table import CASES, draw

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_torch(case, dtype, device):
    rng = np.random.default_rng(abs(hash(case.name)) % 2**32)
    arrays = [draw(rng, shape, case.domain).astype(dtype) for shape in case.shapes]
    ours = [zg.tensor(a, device=device, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]

    out = case.fn(zg, *ours)
    expected = case.fn(torch, *theirs)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert out.shape == tuple(expected.shape)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(to_numpy(out), expected.detach().numpy(), **tol)

    seed = rng.standard_normal(out.shape).astype(dtype)
    out.backward(zg.tensor(seed, device=device))
    expected.backward(torch.tensor(seed))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(to_numpy(mine.grad), reference.grad.numpy(), **tol)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # -inf·0 is NaN on both sides
@pytest.mark.parametrize("slope", [0.2, 0.0, -0.5, 1.0, 3.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_leaky_relu_special_values_match_torch_exactly(slope, dtype, device):
    values = np.array([-2.0, -0.0, 0.0, 1.5, np.nan, -np.inf, np.inf, 1e-40], dtype=dtype)
    ours = zg.tensor(values, device=device, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    out = zg.nn.functional.leaky_relu(ours, slope)
    expected = torch.nn.functional.leaky_relu(theirs, slope)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(np.signbit(to_numpy(out)), np.signbit(expected.detach().numpy()))
    np.testing.assert_array_equal(to_numpy(out), expected.detach().numpy())
    np.testing.assert_array_equal(to_numpy(ours.grad), theirs.grad.numpy())
