"""The factorisations of zengrad.linalg against PyTorch and against their own definitions:
reconstruction on awkward shapes (1×1, primes, batches), the values PyTorch returns, what each
refuses (non-finite input before NumPy's SVD can hang, a matrix that is not positive definite)."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")

SHAPES = [(1, 1), (3, 3), (7, 5), (5, 7), (2, 3, 2), (4, 1)]


def _np(t):
    return to_numpy(t.detach() if isinstance(t, zg.Tensor) else t)


@pytest.mark.parametrize("shape", SHAPES)
def test_svd_and_qr_rebuild_the_matrix_and_match_torch(rng, shape):
    a = rng.standard_normal(shape)
    u, s, vh = zg.linalg.svd(zg.tensor(a), full_matrices=False)
    np.testing.assert_allclose(_np(u) * _np(s)[..., None, :] @ _np(vh), a, atol=1e-12)
    np.testing.assert_allclose(_np(s), torch.linalg.svdvals(torch.tensor(a)).numpy(), rtol=1e-12)
    q, r = zg.linalg.qr(zg.tensor(a))
    tq, tr = torch.linalg.qr(torch.tensor(a))
    np.testing.assert_allclose(_np(q), tq.numpy(), atol=1e-12)
    np.testing.assert_allclose(_np(r), tr.numpy(), atol=1e-12)
    np.testing.assert_allclose(_np(zg.linalg.qr(zg.tensor(a), mode="r").R), tr.numpy(), atol=1e-12)
    np.testing.assert_allclose(_np(zg.linalg.pinv(zg.tensor(a))), torch.linalg.pinv(torch.tensor(a)).numpy(),
                               atol=1e-10)
    assert int(zg.linalg.matrix_rank(zg.tensor(a)).sum()) == int(torch.linalg.matrix_rank(torch.tensor(a)).sum())


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_and_cholesky_read_one_triangle(rng, n, uplo):
    a = rng.standard_normal((n, n))
    spd = a @ a.T + n * np.eye(n)
    garbage = spd + np.triu(rng.standard_normal((n, n)), 1) * (uplo == "L") + \
        np.tril(rng.standard_normal((n, n)), -1) * (uplo == "U")
    w, v = zg.linalg.eigh(zg.tensor(garbage), UPLO=uplo)
    tw, _ = torch.linalg.eigh(torch.tensor(garbage), UPLO=uplo)
    np.testing.assert_allclose(_np(w), tw.numpy(), rtol=1e-10)
    np.testing.assert_allclose(_np(v) * _np(w) @ _np(v).T, spd, atol=1e-10)
    lower = zg.linalg.cholesky(zg.tensor(spd))
    np.testing.assert_allclose(_np(lower) @ _np(lower).T, spd, atol=1e-10)
    np.testing.assert_allclose(_np(zg.linalg.cholesky(zg.tensor(spd), upper=True)), _np(lower).T)


def test_lstsq_matches_torch_gelsd(rng):
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    mine = zg.linalg.lstsq(zg.tensor(a), zg.tensor(b))
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver="gelsd")
    for name in ("solution", "residuals", "rank", "singular_values"):
        np.testing.assert_allclose(_np(getattr(mine, name)), getattr(theirs, name).numpy(), rtol=1e-10)
    vector = zg.linalg.lstsq(zg.tensor(a), zg.tensor(b[:, 0])).solution
    np.testing.assert_allclose(_np(vector), theirs.solution.numpy()[:, 0], rtol=1e-10)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused_not_looped_on(bad):
    a = np.ones((3, 5))
    a[0, 1] = bad
    for call in (lambda t: zg.linalg.svd(t, full_matrices=False), zg.linalg.svdvals, zg.linalg.pinv,
                 zg.linalg.matrix_rank, zg.linalg.cond, lambda t: zg.linalg.lstsq(t, zg.ones(3, 1))):
        with pytest.raises(RuntimeError, match="non-finite"):
            call(zg.tensor(a))
    with pytest.raises(RuntimeError, match="non-finite"):
        zg.linalg.eigh(zg.tensor(np.where(np.eye(3) > 0, bad, 1.0)))


def test_factorisation_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="cholesky"):
        zg.linalg.cholesky(zg.tensor(-np.eye(2)))
    with pytest.raises(RuntimeError, match="square"):
        zg.linalg.eigh(zg.ones(2, 3))
    with pytest.raises(TypeError, match="floating"):
        zg.linalg.svd(zg.ones(2, 2, dtype=zg.int64))
    with pytest.raises(RuntimeError, match="mode='reduced'"):
        zg.linalg.qr(zg.ones(3, 2, requires_grad=True), mode="complete").R.sum().backward()
    with pytest.raises(RuntimeError, match="qr: mode"):
        zg.linalg.qr(zg.ones(3, 2), mode="full")


@pytest.mark.parametrize("shape", SHAPES)
def test_complete_factors_match_torch(rng, shape):
    """svd(full_matrices=True) and qr(mode='complete'): square orthogonal U, Vh, Q that rebuild A
    (U's and Vh's extra columns are any orthonormal completion, so they are compared by what they
    span), R as PyTorch's."""
    a = rng.standard_normal(shape)
    m, n = shape[-2:]
    u, s, vh = (_np(f) for f in zg.linalg.svd(zg.tensor(a)))
    tu, ts, tvh = (f.numpy() for f in torch.linalg.svd(torch.tensor(a)))
    assert u.shape == tu.shape and vh.shape == tvh.shape and s.shape == ts.shape
    k = min(m, n)
    np.testing.assert_allclose(u[..., :, :k] * s[..., None, :] @ vh[..., :k, :], a, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u, np.broadcast_to(np.eye(m), u.shape), atol=1e-12)
    np.testing.assert_allclose(vh @ np.swapaxes(vh, -1, -2), np.broadcast_to(np.eye(n), vh.shape), atol=1e-12)
    q, r = (_np(f) for f in zg.linalg.qr(zg.tensor(a), mode="complete"))
    tq, tr = (f.numpy() for f in torch.linalg.qr(torch.tensor(a), mode="complete"))
    np.testing.assert_allclose(q, tq, atol=1e-12)
    np.testing.assert_allclose(r, tr, atol=1e-12)
