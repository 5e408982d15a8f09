"""The LU family, matrix_exp, the ``_ex`` variants, Householder products, tensorinv/tensorsolve and
the pre-``torch.linalg`` names, against PyTorch: values, dtypes (int32 pivots and info), shapes on
awkward sizes (1, primes, wide, tall, empty batches, 0×0), singular matrices and the errors raised.
Gradients are checked by the op table (tests/op_table.py, LU_CASES)."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")

SHAPES = [(1, 1), (3, 3), (2, 5, 5), (3, 7), (7, 3), (2, 0, 0), (0, 4, 4), (4, 1), (1, 4)]


def _same(ours, theirs, atol=1e-10):
    ours = to_numpy(ours.detach())
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours.shape, ours.dtype, theirs.shape, theirs.dtype)
    np.testing.assert_allclose(ours, theirs, atol=atol, rtol=atol)


@pytest.mark.parametrize("shape", SHAPES)
def test_lu_factor_ex_and_lu_match_torch(rng, shape):
    a = rng.standard_normal(shape)
    for ours, theirs in zip(zg.linalg.lu_factor_ex(zg.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))):
        _same(ours, theirs)
    for ours, theirs in zip(zg.linalg.lu(zg.tensor(a)), torch.linalg.lu(torch.tensor(a))):
        _same(ours, theirs)
    p, lower, upper = zg.linalg.lu(zg.tensor(a.astype(np.float32)))
    assert lower.dtype == zg.float32
    np.testing.assert_allclose(to_numpy(p @ lower @ upper), a, atol=1e-5)


def test_singular_matrices_report_info_and_raise_as_torch():
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]])
    for ours, theirs in zip(zg.linalg.lu_factor_ex(zg.tensor(singular)), torch.linalg.lu_factor_ex(torch.tensor(singular))):
        _same(ours, theirs)
    for name in ("inv_ex",):
        ours, theirs = getattr(zg.linalg, name)(zg.tensor(singular)), getattr(torch.linalg, name)(torch.tensor(singular))
        _same(ours.info, theirs.info)
        _same(ours.inverse[1], theirs.inverse[1])
    b = np.ones((3, 2, 1))
    ours, theirs = zg.linalg.solve_ex(zg.tensor(singular), zg.tensor(b)), torch.linalg.solve_ex(torch.tensor(singular), torch.tensor(b))
    _same(ours.info, theirs.info)
    _same(ours.result[1], theirs.result[1])
    for call in (lambda m: m.linalg.lu_factor(m.tensor(singular)), lambda m: m.linalg.inv(m.tensor(singular)),
                 lambda m: m.linalg.solve(m.tensor(singular), m.tensor(b)),
                 lambda m: m.linalg.inv_ex(m.tensor(singular), check_errors=True),
                 lambda m: m.linalg.solve_ex(m.tensor(singular), m.tensor(b), check_errors=True),
                 lambda m: m.linalg.cholesky(m.tensor(singular))):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(zg)
    with pytest.raises(zg.linalg.LinAlgError):
        zg.linalg.inv(zg.tensor(singular))
    assert issubclass(zg.linalg.LinAlgError, RuntimeError)


def test_cholesky_ex_reports_the_first_leading_minor_not_positive_definite(rng):
    not_pd = np.array([[4.0, 2, 1], [2, 1, 3], [1, 3, 5]])
    a = rng.standard_normal((4, 4))
    batch = np.stack([np.eye(3) * 2, not_pd, -np.eye(3)])
    for upper in (False, True):
        for ours, theirs in zip(zg.linalg.cholesky_ex(zg.tensor(batch), upper=upper),
                                torch.linalg.cholesky_ex(torch.tensor(batch), upper=upper)):
            _same(ours, theirs)
        spd = a @ a.T + np.eye(4)
        for ours, theirs in zip(zg.linalg.cholesky_ex(zg.tensor(spd), upper=upper),
                                torch.linalg.cholesky_ex(torch.tensor(spd), upper=upper)):
            _same(ours, theirs)
    with pytest.raises(zg.linalg.LinAlgError, match="order 2"):
        zg.linalg.cholesky_ex(zg.tensor(batch), check_errors=True)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_matches_torch(rng, left, adjoint):
    a = rng.standard_normal((2, 5, 5))
    b = rng.standard_normal((2, 5, 3) if left else (2, 3, 5))
    ours = zg.linalg.lu_solve(*zg.linalg.lu_factor(zg.tensor(a)), zg.tensor(b), left=left, adjoint=adjoint)
    theirs = torch.linalg.lu_solve(*torch.linalg.lu_factor(torch.tensor(a)), torch.tensor(b), left=left, adjoint=adjoint)
    _same(ours, theirs, 1e-9)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 5, 5), (0, 0), (2, 0, 0)])
@pytest.mark.parametrize("scale", [0.01, 1.0, 30.0])
def test_matrix_exp_matches_torch(rng, shape, scale):
    a = rng.standard_normal(shape) * scale
    ours, theirs = zg.linalg.matrix_exp(zg.tensor(a)), torch.linalg.matrix_exp(torch.tensor(a))
    np.testing.assert_allclose(to_numpy(ours), theirs.numpy(), rtol=1e-10, atol=1e-12)
    assert to_numpy(zg.tensor(a.astype(np.float32)).matrix_exp()).dtype == np.float32
    _same(zg.matrix_exp(zg.tensor([[0.0, np.inf], [0.0, 1.0]])), torch.matrix_exp(torch.tensor([[0.0, np.inf], [0.0, 1.0]])))


def test_matrix_exp_of_commuting_blocks_and_rotations():
    theta = 0.7
    rotation = zg.linalg.matrix_exp(zg.tensor([[0.0, -theta], [theta, 0.0]], dtype=zg.float64))
    np.testing.assert_allclose(to_numpy(rotation), [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]],
                               atol=1e-15)


@pytest.mark.parametrize("m, n, k", [(5, 3, 2), (4, 4, 4), (6, 1, 1), (3, 3, 0)])
def test_householder_product_matches_torch(rng, m, n, k):
    a, tau = rng.standard_normal((2, m, n)), rng.standard_normal((2, k))
    _same(zg.linalg.householder_product(zg.tensor(a), zg.tensor(tau)),
          torch.linalg.householder_product(torch.tensor(a), torch.tensor(tau)))
    _same(zg.orgqr(zg.tensor(a), zg.tensor(tau)), torch.orgqr(torch.tensor(a), torch.tensor(tau)))


def test_tensorinv_and_tensorsolve_match_torch(rng):
    a = rng.standard_normal((4, 6, 8, 3))
    _same(zg.linalg.tensorinv(zg.tensor(a), ind=2), torch.linalg.tensorinv(torch.tensor(a), ind=2), 1e-8)
    a, b = rng.standard_normal((6, 4, 2, 3)), rng.standard_normal((4, 3))
    _same(zg.linalg.tensorsolve(zg.tensor(a), zg.tensor(b), dims=(0, 2)),
          torch.linalg.tensorsolve(torch.tensor(a), torch.tensor(b), dims=(0, 2)), 1e-8)
    for call in (lambda m: m.linalg.tensorinv(m.ones(2, 3, 4), ind=1), lambda m: m.linalg.tensorinv(m.ones(2, 2), ind=0),
                 lambda m: m.linalg.tensorsolve(m.ones(2, 3, 4), m.ones(2, 3))):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(zg)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 5, 5), (1, 1)])
@pytest.mark.parametrize("some", [True, False])
@pytest.mark.parametrize("compute_uv", [True, False])
def test_legacy_svd_returns_v_not_vh(rng, shape, some, compute_uv):
    a = rng.standard_normal(shape)
    ours, theirs = zg.svd(zg.tensor(a), some=some, compute_uv=compute_uv), torch.svd(torch.tensor(a), some, compute_uv)
    assert ours._fields == ("U", "S", "V")
    for x, y in zip(ours, theirs):
        assert tuple(x.shape) == tuple(y.shape)
    _same(ours.S, theirs.S)
    k = min(shape[-2:])
    if compute_uv:
        rebuilt = to_numpy(ours.U[..., :k] * ours.S.unsqueeze(-2) @ ours.V[..., :k].mT)
        np.testing.assert_allclose(rebuilt, a, atol=1e-12)
    else:
        assert not to_numpy(ours.U).any() and not to_numpy(ours.V).any()


def test_legacy_lu_names_match_torch(rng):
    a, b = rng.standard_normal((3, 4, 4)), rng.standard_normal((3, 4, 2))
    lu, pivots = zg.lu(zg.tensor(a))
    t_lu, t_pivots = torch.linalg.lu_factor(torch.tensor(a))
    _same(lu, t_lu)
    _same(pivots, t_pivots)
    assert len(zg.tensor(a).lu(get_infos=True)) == 3
    _same(zg.lu_solve(zg.tensor(b), lu, pivots), torch.lu_solve(torch.tensor(b), t_lu, t_pivots), 1e-9)
    for ours, theirs in zip(zg.lu_unpack(lu, pivots), torch.lu_unpack(t_lu, t_pivots)):
        _same(ours, theirs)
    for flags in ((False, True), (True, False)):
        for ours, theirs in zip(zg.lu_unpack(lu, pivots, *flags), torch.lu_unpack(t_lu, t_pivots, *flags)):
            assert to_numpy(ours).size == theirs.numel()
    spd = a @ np.swapaxes(a, -1, -2) + np.eye(4)
    lower = np.linalg.cholesky(spd)
    _same(zg.cholesky(zg.tensor(spd), upper=True), torch.linalg.cholesky(torch.tensor(spd), upper=True))
    _same(zg.cholesky_solve(zg.tensor(b), zg.tensor(lower)), torch.cholesky_solve(torch.tensor(b), torch.tensor(lower)),
          1e-9)
    _same(zg.cholesky_inverse(zg.tensor(lower[0])), torch.cholesky_inverse(torch.tensor(lower[0])), 1e-9)
    with pytest.raises(RuntimeError):
        zg.lu(zg.tensor([[1.0, 2.0], [2.0, 4.0]]))


@pytest.mark.parametrize("name, args", [
    ("lu_factor", ((3,),)), ("lu", ((3,),)), ("matrix_exp", ((2, 3),)), ("inv_ex", ((2, 3),)),
    ("cholesky_ex", ((2, 3),)), ("solve_ex", ((2, 3), (2,)))])
def test_bad_shapes_raise_runtime_error(name, args):
    for m in (torch, zg):
        with pytest.raises(RuntimeError):
            getattr(m.linalg, name)(*[m.ones(*shape) for shape in args])


@pytest.mark.parametrize("name", ["lu_factor", "matrix_exp", "inv", "det", "cholesky", "inv_ex", "solve", "slogdet"])
def test_integer_matrices_are_refused_as_torch_refuses_them(name):
    args = [np.eye(3, dtype=np.int64)] + ([np.ones((3, 1), dtype=np.int64)] if name == "solve" else [])
    with pytest.raises((RuntimeError, NotImplementedError)):
        getattr(torch.linalg, name)(*[torch.tensor(a) for a in args])
    with pytest.raises(RuntimeError):
        getattr(zg.linalg, name)(*[zg.tensor(a) for a in args])
