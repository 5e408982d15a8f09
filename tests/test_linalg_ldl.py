"""linalg.ldl_factor_ex / ldl_factor / ldl_solve against PyTorch (LAPACK's sytrf): the same LD,
pivots (1×1 and 2×2 Bunch–Kaufman blocks) and info on random symmetric indefinite matrices, with
zero columns, batches, empty shapes, float32; and the solve. (Matrices of small integers are left
out: whether a pivot comes out exactly 0 there depends on the order of rounding.)"""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")


def _symmetric(rng, shape, kind):
    a = rng.standard_normal(shape)
    if kind == "zero_column":
        a[..., :, 0] = 0
    return a + np.swapaxes(a, -1, -2)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("kind", ["random", "zero_column"])
def test_ldl_factor_ex_matches_torch(rng, n, kind):
    for _ in range(6):
        a = _symmetric(rng, (3, n, n), kind)
        ours, theirs = zg.linalg.ldl_factor_ex(zg.tensor(a)), torch.linalg.ldl_factor_ex(torch.tensor(a))
        for name in ("LD", "pivots", "info"):
            mine, expected = to_numpy(getattr(ours, name)), getattr(theirs, name).numpy()
            assert mine.dtype == expected.dtype and mine.shape == expected.shape
            np.testing.assert_allclose(mine, expected, atol=1e-10, err_msg=name)
        if not to_numpy(ours.info).any():
            b = rng.standard_normal((3, n, 2))
            np.testing.assert_allclose(to_numpy(zg.linalg.ldl_solve(ours.LD, ours.pivots, zg.tensor(b))),
                                       torch.linalg.ldl_solve(theirs.LD, theirs.pivots, torch.tensor(b)).numpy(),
                                       rtol=1e-7, atol=1e-9)


def test_ldl_reads_the_lower_triangle_and_keeps_float32():
    a = np.array([[1.0, 2, 3], [9, 1, 4], [9, 9, 0]], dtype=np.float32)
    ours, theirs = zg.linalg.ldl_factor(zg.tensor(a)), torch.linalg.ldl_factor(torch.tensor(a))
    assert ours.LD.dtype == zg.float32
    np.testing.assert_allclose(to_numpy(ours.LD), theirs.LD.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(to_numpy(ours.pivots), theirs.pivots.numpy())


@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 0), (0, 0)])
def test_ldl_on_empty_shapes(shape):
    ours, theirs = zg.linalg.ldl_factor_ex(zg.tensor(np.zeros(shape))), torch.linalg.ldl_factor_ex(torch.zeros(shape))
    assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]
    b = np.zeros(shape[:-1] + (2,))
    assert tuple(zg.linalg.ldl_solve(ours.LD, ours.pivots, zg.tensor(b)).shape) == b.shape


def test_ldl_errors():
    with pytest.raises(zg.linalg.LinAlgError):
        zg.linalg.ldl_factor(zg.zeros(3, 3))
    assert int(zg.linalg.ldl_factor_ex(zg.zeros(3, 3)).info) == int(torch.linalg.ldl_factor_ex(torch.zeros(3, 3)).info)
    for m in (torch, zg):
        with pytest.raises(RuntimeError):
            m.linalg.ldl_factor(m.ones(2, 3))
        ld, pivots = m.linalg.ldl_factor(m.eye(3))
        with pytest.raises(RuntimeError):
            m.linalg.ldl_solve(ld, pivots, m.ones(2, 1))
