"""zengrad.kernels: every registered matmul implementation against a float64 reference, and the
rules that choose an implementation (impl=, use(), environment variable, dtype fallback)."""

import numpy as np
import pytest

import zengrad as zg
from zengrad import kernel_registry, kernels
from conftest import to_numpy

SHAPES = [(1, 1, 1), (7, 31, 97), (0, 5, 3), (5, 0, 3), (4, 3, 0), (33, 17, 65), (64, 64, 64), (129, 2, 257)]


def _impls(device):
    return kernels.available()["matmul"].get(device, [])


def _array(xp, rng, shape, dtype=np.float32):
    return xp.asarray(rng.standard_normal(shape).astype(dtype))


def _check(out, a, b):
    expected = np.matmul(to_numpy(a).astype(np.float64), to_numpy(b).astype(np.float64))
    k = a.shape[-1]
    np.testing.assert_allclose(to_numpy(out), expected, rtol=1e-5 * max(1, np.sqrt(k)), atol=1e-5 * max(1, np.sqrt(k)))


@pytest.mark.parametrize("m,n,k", SHAPES)
def test_every_matmul_impl_matches_float64(device, m, n, k, rng):
    xp = zg.backend.array_module(device)
    a, b = _array(xp, rng, (m, k)), _array(xp, rng, (k, n))
    for impl in _impls(device):
        _check(kernels.matmul(a, b, impl=impl), a, b)


@pytest.mark.parametrize("layout", ["a_transposed", "b_transposed", "both_transposed", "strided", "batched_broadcast", "batch_by_matrix"])
def test_every_matmul_impl_on_views(device, layout, rng):
    xp = zg.backend.array_module(device)
    if layout == "a_transposed":
        a, b = _array(xp, rng, (13, 7)).T, _array(xp, rng, (13, 11))
    elif layout == "b_transposed":
        a, b = _array(xp, rng, (7, 13)), _array(xp, rng, (11, 13)).T
    elif layout == "both_transposed":
        a, b = _array(xp, rng, (13, 7)).T, _array(xp, rng, (11, 13)).T
    elif layout == "strided":
        a, b = _array(xp, rng, (14, 26))[::2, 1::2], _array(xp, rng, (13, 9))[:, ::3]
    elif layout == "batched_broadcast":
        a, b = _array(xp, rng, (2, 1, 5, 7)), _array(xp, rng, (3, 7, 4))
    else:
        a, b = _array(xp, rng, (2, 3, 5, 7)), _array(xp, rng, (7, 4))
    for impl in _impls(device):
        _check(kernels.matmul(a, b, impl=impl), a, b)


def test_one_dimensional_operands(device, rng):
    xp = zg.backend.array_module(device)
    v, mat = _array(xp, rng, (5,)), _array(xp, rng, (5, 3))
    for impl in _impls(device):
        _check(kernels.matmul(v, mat, impl=impl), v, mat)
        _check(kernels.matmul(mat.T, v, impl=impl), mat.T, v)


def test_float64_falls_back_to_reference():
    a = np.random.default_rng(0).standard_normal((4, 4))
    assert kernels.choose("matmul", "cpu", np.float64).name == "numpy"
    with pytest.raises(TypeError, match="cpu:reference.*float64"):
        kernels.matmul(a, a, impl="cpu:reference")


def test_use_and_environment_choose_the_default(monkeypatch):
    if "cpu:reference" not in _impls("cpu"):
        pytest.skip("native extension not built")
    with kernels.use(matmul="cpu:reference"):
        assert kernels.choose("matmul", "cpu", np.float32).name == "cpu:reference"
        assert kernels.choose("matmul", "cpu", np.float64).name == "numpy"  # a preference only
    monkeypatch.setenv("ZENGRAD_MATMUL", "cpu:reference")
    monkeypatch.setattr(kernel_registry, "_DEFAULTS", {})  # the variable is read when defaults are worked out
    assert kernels.choose("matmul", "cpu", np.float32).name == "cpu:reference"
    assert kernels.choose("matmul", "cpu", np.float64).name == "numpy"  # env is a preference


def test_autograd_matmul_runs_the_chosen_kernel(rng):
    if "cpu:reference" not in _impls("cpu"):
        pytest.skip("native extension not built")
    calls = []
    original = kernel_registry._REGISTRY["matmul"]["cpu:reference"]
    kernels.register("matmul", "spy", "cpu", lambda *args: (calls.append(1), original.fn(*args))[1],
                     dtypes=(np.float32,), priority=-1)
    try:
        a = zg.tensor(rng.standard_normal((3, 4)), dtype=zg.float32, requires_grad=True)
        b = zg.tensor(rng.standard_normal((4, 2)), dtype=zg.float32, requires_grad=True)
        with kernels.use(matmul="spy"):
            (a @ b).sum().backward()
        assert len(calls) == 3  # forward, and one GEMM for each operand's gradient
        np.testing.assert_allclose(a.grad.numpy(), np.ones((3, 2)) @ b.detach().numpy().T, rtol=1e-6)
    finally:
        del kernel_registry._REGISTRY["matmul"]["spy"]


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="no implementation 'nope'"):
        with kernels.use(matmul="nope"):
            pass
    with pytest.raises(ValueError, match="unknown kernel"):
        kernels.choose("conv9d", "cpu", np.float32, impl="x")


def test_native_matmul_refuses_bad_arguments_without_crashing():
    native = zg._native.native()
    if native is None:
        pytest.skip("native extension not built")
    a = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match="inner dimensions"):
        native.cpu.matmul_reference(a, a, np.empty((3, 4), np.float32))
    with pytest.raises(ValueError, match="float32"):
        native.cpu.matmul_reference(a.astype(np.float64), a.T.copy(), np.empty((3, 3), np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        native.cpu.matmul_reference(a, a.T, np.empty((3, 3), np.float32))
    with pytest.raises(ValueError, match="out must have shape"):
        native.cpu.matmul_reference(a, a.T.copy(), np.empty((2, 3), np.float32))
