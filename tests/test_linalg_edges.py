"""zengrad.linalg's older ops against PyTorch on the inputs a probe found them to differ on:
singular matrices (det's gradient, slogdet, logdet), the singular-value matrix norms (ord 2, −2,
'nuc') and cond's other orders, gradients of singular values and eigenvalues where they repeat,
integer inputs, batched vander, A⁰, torch.linalg.cross's default dim, solve's vector rule."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")

SINGULAR = [np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((3, 3)), np.outer([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]),
            np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [1.0, 1.0, 1.0]])]


def _grads(fn, a, create_graph=False):
    ours = zg.tensor(a, requires_grad=True)
    fn(zg, ours).sum().backward()
    theirs = torch.tensor(a, requires_grad=True)
    (expected,) = torch.autograd.grad(fn(torch, theirs).sum(), theirs, create_graph=create_graph)
    return to_numpy(ours.grad), expected.detach().numpy()


@pytest.mark.parametrize("a", SINGULAR + [np.stack([SINGULAR[0], np.eye(2) * 3])], ids=range(5))
def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix(a):
    ours, theirs = _grads(lambda m, x: m.linalg.det(x), a, create_graph=True)  # PyTorch's exact path
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    step = 1e-6
    numeric = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (np.linalg.det(up).sum() - np.linalg.det(down).sum()) / (2 * step)
    np.testing.assert_allclose(ours, numeric, atol=1e-6)


def test_slogdet_and_logdet_of_singular_and_negative_determinants_match_torch(rng):
    for a in SINGULAR:
        for ours, theirs in zip(zg.linalg.slogdet(zg.tensor(a)), torch.linalg.slogdet(torch.tensor(a))):
            np.testing.assert_array_equal(to_numpy(ours), theirs.numpy())
        ours, theirs = _grads(lambda m, x: m.linalg.slogdet(x)[1], SINGULAR[0])
        np.testing.assert_array_equal(ours, theirs)  # ±inf, as A⁻ᵀ from a zero pivot
    a = rng.standard_normal((4, 3, 3))
    np.testing.assert_array_equal(np.isnan(to_numpy(zg.logdet(zg.tensor(a)))), np.isnan(torch.logdet(torch.tensor(a)).numpy()))
    ours, theirs = _grads(lambda m, x: m.logdet(x), a)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)  # 0 where det < 0 (the value is NaN there)


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@pytest.mark.parametrize("shape, dim", [((3, 3), (-2, -1)), ((2, 4, 3), (-2, -1)), ((3, 2, 5), (0, 2)),
                                        ((1, 1), (0, 1)), ((0, 3, 3), (-2, -1))])
@pytest.mark.parametrize("keepdim", [False, True])
def test_singular_value_matrix_norms_match_torch(rng, ord, shape, dim, keepdim):
    a = rng.standard_normal(shape)
    ours = zg.linalg.matrix_norm(zg.tensor(a), ord, dim, keepdim)
    theirs = torch.linalg.matrix_norm(torch.tensor(a), ord, dim, keepdim)
    np.testing.assert_allclose(to_numpy(ours), theirs.numpy(), atol=1e-12)
    if a.size:
        got, expected = _grads(lambda m, x: m.linalg.matrix_norm(x, ord, dim, keepdim), a)
        np.testing.assert_allclose(got, expected, atol=1e-10)
    if len(shape) == 2:
        np.testing.assert_allclose(to_numpy(zg.linalg.norm(zg.tensor(a), ord)), torch.linalg.norm(torch.tensor(a), ord).numpy())


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, float("inf"), float("-inf"), 2, -2, None])
def test_cond_orders_match_torch(rng, p):
    a = rng.standard_normal((2, 4, 4))
    np.testing.assert_allclose(to_numpy(zg.linalg.cond(zg.tensor(a), p)), torch.linalg.cond(torch.tensor(a), p).numpy(),
                               rtol=1e-10)


@pytest.mark.parametrize("fn", [lambda m, x: m.linalg.svdvals(x), lambda m, x: m.linalg.eigvalsh(x),
                                lambda m, x: m.linalg.matrix_norm(x, "nuc"), lambda m, x: m.linalg.svd(x).S],
                         ids=["svdvals", "eigvalsh", "nuclear", "svd_S"])
@pytest.mark.parametrize("a", [np.zeros((3, 3)), np.eye(3), np.diag([2.0, 2.0, 1.0])], ids=["zeros", "eye", "repeated"])
def test_gradients_of_repeated_singular_values_and_eigenvalues_are_finite(fn, a):
    ours, theirs = _grads(fn, a)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("call", [lambda m, a: m.linalg.vector_norm(a), lambda m, a: m.linalg.norm(a),
                                  lambda m, a: m.linalg.matrix_norm(a), lambda m, a: m.linalg.matrix_norm(a, "nuc"),
                                  lambda m, a: m.linalg.det(a), lambda m, a: m.linalg.svdvals(a)])
def test_integer_inputs_raise_runtime_error_as_in_torch(call):
    with pytest.raises(RuntimeError):
        call(torch, torch.eye(3, dtype=torch.int64))
    with pytest.raises(RuntimeError):
        call(zg, zg.eye(3, dtype=zg.int64))


@pytest.mark.parametrize("shape, n", [((3,), None), ((2, 3), None), ((2, 1, 4), 2), ((0, 3), None), ((2, 3), 1)])
def test_vander_takes_batches_as_torch(rng, shape, n):
    x = rng.standard_normal(shape)
    x.flat[:1] = 0.0
    if n == 1:
        for m in (torch, zg):
            with pytest.raises(RuntimeError):
                m.linalg.vander(m.tensor(x), N=n)
        return
    ours = zg.linalg.vander(zg.tensor(x), N=n)
    theirs = torch.linalg.vander(torch.tensor(x), N=n)
    np.testing.assert_allclose(to_numpy(ours), theirs.numpy(), rtol=1e-12)
    if x.size and (n or shape[-1]) > 1:
        got, expected = _grads(lambda m, v: m.linalg.vander(v, N=n), x)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_matrix_power_zero_is_the_identity_with_a_zero_gradient(rng):
    a = rng.standard_normal((2, 3, 3))
    a[0, 0, 0] = np.nan
    got, expected = _grads(lambda m, x: m.linalg.matrix_power(x, 0), a)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(to_numpy(zg.linalg.matrix_power(zg.tensor(a), 0)), np.broadcast_to(np.eye(3), a.shape))


def test_linalg_cross_works_on_the_last_dim_only(rng):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for m in (torch, zg):
        with pytest.raises(RuntimeError):
            m.linalg.cross(m.tensor(a), m.tensor(b))
    a, b = rng.standard_normal((3, 4, 3)), rng.standard_normal((1, 1, 3))
    np.testing.assert_allclose(to_numpy(zg.linalg.cross(zg.tensor(a), zg.tensor(b))),
                               torch.linalg.cross(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_allclose(to_numpy(zg.linalg.cross(zg.tensor(a), zg.tensor(a * 2), dim=0)),
                               torch.linalg.cross(torch.tensor(a), torch.tensor(a * 2), dim=0).numpy(), atol=1e-12)
    for m in (torch, zg):
        with pytest.raises(RuntimeError):
            m.linalg.cross(m.tensor(a), m.tensor(b[0]))


def test_solve_reads_b_as_vectors_only_when_torch_does(rng):
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    for shape in ((3, 1), (2, 3), (3,), (3, 3), (1, 3), (5, 3), (1, 3, 3)):
        b = rng.standard_normal(shape)
        for left in (True, False):
            try:
                theirs = torch.linalg.solve(torch.tensor(a), torch.tensor(b), left=left).numpy()
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    zg.linalg.solve(zg.tensor(a), zg.tensor(b), left=left)
                continue
            np.testing.assert_allclose(to_numpy(zg.linalg.solve(zg.tensor(a), zg.tensor(b), left=left)), theirs,
                                       atol=1e-12)
    for m in (torch, zg):
        with pytest.raises(RuntimeError):
            m.linalg.solve(m.tensor(a), m.tensor(rng.standard_normal((3, 1)).astype(np.float32)))


def test_matrix_rank_takes_the_older_tol_and_cholesky_refuses_nan(rng):
    a = np.diag([3.0, 0.6, 0.2])
    assert int(zg.linalg.matrix_rank(zg.tensor(a), tol=0.5)) == int(torch.linalg.matrix_rank(torch.tensor(a), tol=0.5)) == 2
    nan = np.array([[np.nan, 1.0], [1.0, 3.0]])
    for m in (torch, zg):
        with pytest.raises(RuntimeError):
            m.linalg.cholesky(m.tensor(nan))
    assert int(zg.linalg.cholesky_ex(zg.tensor(nan)).info) == int(torch.linalg.cholesky_ex(torch.tensor(nan)).info) == 1
