"""PyTorch's names for what zengrad computes without a gradient — comparisons and logic, rounded
division, counting and searching, random draws, tensor metadata — each against PyTorch on drawn
inputs, plus the bad inputs they must refuse. (The differentiable ones are in tests/op_table.py.)"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import zengrad as zg

torch = pytest.importorskip("torch")

SMALL = st.integers(min_value=1, max_value=7)
FLOATS = st.floats(-4, 4, width=32) | st.sampled_from([np.nan, np.inf, -np.inf, -0.0])


def _same(ours, theirs):
    theirs = theirs.numpy() if hasattr(theirs, "numpy") else np.asarray(theirs)
    ours = np.asarray(ours._data if isinstance(ours, zg.Tensor) else ours)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours, theirs)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(hnp.arrays(np.float32, st.tuples(SMALL, SMALL), elements=FLOATS),
       hnp.arrays(np.float32, st.tuples(st.just(1), SMALL), elements=FLOATS))
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"])
def test_comparisons_and_logic_match_torch(name, a, b):
    b = b[:, :1]
    _same(getattr(zg, name)(zg.tensor(a), zg.tensor(b)), getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
    _same(getattr(zg.tensor(a), name)(zg.tensor(b)), getattr(torch.tensor(a), name)(torch.tensor(b)))


def test_logical_not_reads_numbers_as_truth_values():
    values = np.array([0.0, -0.0, 2.5, np.nan], dtype=np.float32)
    _same(zg.logical_not(zg.tensor(values)), torch.logical_not(torch.tensor(values)))


def test_comparison_of_shapes_that_do_not_broadcast_names_the_op():
    with pytest.raises(ValueError, match=r"gt: shapes \(2, 3\) and \(4,\)"):
        zg.gt(zg.zeros(2, 3), zg.zeros(4))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(hnp.arrays(np.int64, SMALL, elements=st.integers(-50, 50)),
       st.integers(1, 9) | st.integers(-9, -1))
@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_integer_division_with_rounding_matches_torch(mode, a, divisor):
    _same(zg.div(zg.tensor(a), divisor, rounding_mode=mode), torch.div(torch.tensor(a), divisor, rounding_mode=mode))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(hnp.arrays(np.float32, SMALL, elements=st.floats(-100, 100, width=32)),
       hnp.arrays(np.float32, SMALL, elements=st.floats(0.25, 8, width=32)))
@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
def test_float_division_with_rounding_matches_torch(mode, a, b):
    b = np.resize(b, a.shape)
    ours = zg.tensor(a).div(zg.tensor(b), rounding_mode=mode)
    theirs = torch.tensor(a).div(torch.tensor(b), rounding_mode=mode)
    np.testing.assert_allclose(ours._data, theirs.numpy(), rtol=1e-6)
    assert ours.dtype == np.float32


def test_division_with_an_unknown_rounding_mode_is_refused():
    with pytest.raises(ValueError, match="rounding_mode"):
        zg.div(zg.ones(2), 2, rounding_mode="round")


@settings(max_examples=25, deadline=None, derandomize=True)
@given(hnp.arrays(np.int64, st.integers(0, 30), elements=st.integers(0, 12)), st.integers(0, 20))
def test_bincount_matches_torch(values, minlength):
    _same(zg.bincount(zg.tensor(values), minlength=minlength), torch.bincount(torch.tensor(values), minlength=minlength))
    weights = np.linspace(-1, 1, values.size).astype(np.float32)
    np.testing.assert_allclose(zg.bincount(zg.tensor(values), zg.tensor(weights))._data,
                               torch.bincount(torch.tensor(values), torch.tensor(weights)).numpy(), atol=1e-6)


@pytest.mark.parametrize("bad, match", [(np.array([1, -1]), "negative"), (np.zeros((2, 2), np.int64), "1-d"),
                                        (np.array([0.5]), "integer")])
def test_bincount_refuses_what_it_cannot_count(bad, match):
    with pytest.raises(ValueError, match=match):
        zg.bincount(zg.tensor(bad))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(hnp.arrays(np.int64, st.tuples(SMALL, SMALL), elements=st.integers(-3, 3)))
def test_unique_with_inverse_and_counts_matches_torch(values):
    ours = zg.unique(zg.tensor(values), return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(values), return_inverse=True, return_counts=True)
    for mine, reference in zip(ours, theirs):
        _same(mine, reference)
    _same(zg.unique(zg.tensor(values), dim=0), torch.unique(torch.tensor(values), dim=0))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(hnp.arrays(np.float32, st.integers(1, 40), elements=st.floats(-10, 10, width=32)),
       st.integers(1, 12), st.sampled_from([(0, 0), (-1, 1), (-3, 5)]))
def test_histc_matches_torch(values, bins, bounds):
    _same(zg.histc(zg.tensor(values), bins=bins, min=bounds[0], max=bounds[1]),
          torch.histc(torch.tensor(values), bins=bins, min=bounds[0], max=bounds[1]))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(hnp.arrays(np.float32, st.integers(1, 9), elements=st.floats(-5, 5, width=32)),
       hnp.arrays(np.float32, st.tuples(SMALL, SMALL), elements=st.sampled_from([-6.0, -1.0, 0.0, 0.5, 2.0, 5.0])),
       st.booleans())
def test_searchsorted_and_bucketize_match_torch(boundaries, values, right):
    boundaries = np.sort(boundaries)
    _same(zg.searchsorted(zg.tensor(boundaries), zg.tensor(values), right=right),
          torch.searchsorted(torch.tensor(boundaries), torch.tensor(values), right=right))
    _same(zg.bucketize(zg.tensor(values), zg.tensor(boundaries), right=right),
          torch.bucketize(torch.tensor(values), torch.tensor(boundaries), right=right))
    rows = np.sort(np.stack([boundaries, boundaries[::-1] * 2]), axis=1)
    wanted = np.resize(values, (2, values.size))
    _same(zg.searchsorted(zg.tensor(rows), zg.tensor(wanted), side="right" if right else "left"),
          torch.searchsorted(torch.tensor(rows), torch.tensor(wanted), right=right))


def test_heaviside_and_equal_match_torch():
    x = np.array([-1.0, -0.0, 0.0, 2.0, np.nan, np.inf], dtype=np.float32)
    _same(zg.heaviside(zg.tensor(x), zg.tensor(np.float32(0.5))),
          torch.heaviside(torch.tensor(x), torch.tensor(np.float32(0.5))))
    a = np.arange(6.0).reshape(2, 3)
    assert zg.equal(zg.tensor(a), zg.tensor(a)) is torch.equal(torch.tensor(a), torch.tensor(a)) is True
    assert zg.equal(zg.tensor(a), zg.tensor(a.reshape(3, 2))) is False
    assert zg.equal(zg.tensor([np.nan]), zg.tensor([np.nan])) is torch.equal(torch.tensor([np.nan]), torch.tensor([np.nan]))


def test_random_draws_have_the_asked_law():
    zg.manual_seed(0)
    draws = zg.normal(2.0, 0.5, size=(20000,))
    assert draws.shape == (20000,) and draws.dtype == np.float32
    assert abs(float(draws.mean().item()) - 2.0) < 0.02 and abs(float(draws.std().item()) - 0.5) < 0.02
    means = zg.tensor([[0.0], [10.0]])
    assert zg.normal(means, zg.tensor([1.0, 2.0, 3.0])).shape == (2, 3)
    p = zg.full((4000,), 0.3)
    flips = zg.bernoulli(p)
    assert flips.dtype == np.float32 and set(np.unique(flips._data)) <= {0.0, 1.0}
    assert abs(float(flips.mean().item()) - 0.3) < 0.04
    weights = zg.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 0.0]])
    picks = zg.multinomial(weights, 2000, replacement=True)
    assert picks.shape == (2, 2000) and picks.dtype == np.int64
    assert (picks._data[1] == 0).all() and not (picks._data[0] == 0).any()
    assert abs((picks._data[0] == 2).mean() - 0.75) < 0.04
    once = zg.multinomial(zg.tensor([1.0, 1.0, 1.0, 1.0]), 4)
    assert sorted(once.tolist()) == [0, 1, 2, 3]


@pytest.mark.parametrize("call, error", [
    (lambda: zg.normal(0.0, -1.0, size=(2,)), ValueError),
    (lambda: zg.bernoulli(zg.tensor([0.5, 1.5])), ValueError),
    (lambda: zg.multinomial(zg.tensor([1.0, 0.0]), 2), ValueError),
    (lambda: zg.multinomial(zg.tensor([-1.0, 2.0]), 1), ValueError),
    (lambda: zg.randint(5), TypeError),
])
def test_bad_random_arguments_are_refused(call, error):
    with pytest.raises(error):
        call()


def test_randint_takes_both_of_torchs_signatures():
    zg.manual_seed(1)
    high_only = zg.randint(4, (1000,))
    assert high_only.dtype == np.int64 and high_only._data.min() >= 0 and high_only._data.max() <= 3
    ranged = zg.randint(-2, 2, (3, 5), dtype=zg.int32)
    assert ranged.shape == (3, 5) and ranged.dtype == np.int32 and ranged._data.min() >= -2 and ranged._data.max() <= 1


def test_as_tensor_shares_memory_when_it_can():
    array = np.arange(4, dtype=np.float32)
    shared = zg.as_tensor(array)
    array[0] = 7
    assert shared._data[0] == 7
    copied = zg.as_tensor(array, dtype=zg.float64)
    array[1] = 9
    assert copied._data[1] == 1 and copied.dtype == np.float64
    t = zg.ones(3)
    assert zg.as_tensor(t) is t
    assert zg.as_tensor([1, 2]).dtype == np.int64
    assert zg.is_tensor(t) and not zg.is_tensor(array) and zg.numel(zg.zeros(2, 5)) == 10


def test_dtype_names_are_pytorchs():
    for name in ("float", "double", "long", "int", "bool", "float32", "float64", "int64", "int32", "int16", "int8",
                 "uint8"):
        assert np.dtype(getattr(zg, name)) == np.dtype(str(getattr(torch, name)).removeprefix("torch."))
    assert zg.ones(2, dtype=zg.long).dtype == np.int64 and zg.ones(2).int().dtype == np.int32


@pytest.mark.parametrize("view", [lambda t: t, lambda t: t.transpose(0, 2), lambda t: t[:, ::2], lambda t: t[1]])
def test_metadata_of_views_matches_torch(view):
    ours, theirs = view(zg.zeros(3, 4, 5)), view(torch.zeros(3, 4, 5))
    assert ours.stride() == theirs.stride()
    assert ours.stride(-1) == theirs.stride(-1)
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert ours.element_size() == theirs.element_size() and ours.itemsize == theirs.itemsize
    assert ours.nbytes == theirs.nbytes


def test_detach_in_place_makes_a_leaf():
    x = zg.ones(3, requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad
    (y * x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, np.full(3, 2.0, np.float32))


@pytest.mark.parametrize("call, error, match", [
    (lambda: zg.dot(zg.ones(3), zg.ones(4)), ValueError, r"dot: .*\(3,\) and \(4,\)"),
    (lambda: zg.mv(zg.ones(2, 3), zg.ones(2)), ValueError, "mv"),
    (lambda: zg.cross(zg.ones(2, 4), zg.ones(2, 4)), ValueError, "cross"),
    (lambda: zg.tensordot(zg.ones(2, 3), zg.ones(4, 2), dims=1), ValueError, "tensordot"),
    (lambda: zg.addmm(zg.ones(3, 3), zg.ones(2, 4), zg.ones(4, 3)), ValueError, "addmm"),
    (lambda: zg.take(zg.ones(2, 2), zg.tensor([4])), IndexError, "take"),
    (lambda: zg.index_add(zg.ones(3, 2), 0, zg.tensor([0, 3]), zg.ones(2, 2)), IndexError, "index_add"),
    (lambda: zg.index_copy(zg.ones(3, 2), 0, zg.tensor([0]), zg.ones(2, 2)), ValueError, "index_copy"),
    (lambda: zg.ones(5).unfold(0, 6, 1), ValueError, "unfold"),
    (lambda: zg.ones(5).sum_to_size(2), ValueError, "sum_to_size"),
    (lambda: zg.repeat_interleave(zg.ones(3), zg.tensor([1, 2])), ValueError, "repeat_interleave"),
    (lambda: zg.linalg.inv(zg.zeros(2, 2)), ValueError, "inv: Singular matrix"),
    (lambda: zg.linalg.det(zg.ones(2, 3)), ValueError, r"det: .*\(2, 3\)"),
    (lambda: zg.linalg.solve(zg.eye(3), zg.ones(2, 1)), ValueError, "solve"),
    (lambda: zg.linalg.inv(zg.eye(2, dtype=zg.int64)), TypeError, "inv"),
    (lambda: zg.linalg.matrix_norm(zg.ones(3), ord=2), ValueError, "matrix_norm"),
])
def test_bad_shapes_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_in_place_index_ops_change_the_tensor_and_count_a_version():
    x = zg.zeros(3, 2)
    before = x._version
    x.index_add_(0, zg.tensor([2, 2]), zg.ones(2, 2))
    x.index_fill_(1, zg.tensor([0]), -1.0)
    assert x._version == before + 2
    expected = torch.zeros(3, 2).index_add_(0, torch.tensor([2, 2]), torch.ones(2, 2)).index_fill_(1, torch.tensor([0]), -1.0)
    _same(x, expected)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["absolute", "arccos", "arcsin", "arctan", "arccosh", "arcsinh", "arctanh", "fix",
                                  "positive", "signbit", "ravel", "msort"])
def test_method_aliases_match_torch(name):
    values = np.array([[0.3, -0.7, 1.5], [-0.0, 2.25, -1.0]], dtype=np.float64)
    ours = getattr(zg.tensor(values), name)()
    theirs = getattr(torch.tensor(values), name)()
    np.testing.assert_allclose(np.asarray(ours._data), theirs.numpy(), rtol=1e-15)
    assert ours.dtype == theirs.numpy().dtype


def test_predicates_match_torch():
    for values in ([1.5], [0.0], [[2]]):
        assert zg.tensor(values).is_nonzero() == torch.tensor(values).is_nonzero()
    assert zg.ones(2, 3).is_same_size(zg.zeros(2, 3)) and not zg.ones(2, 3).is_same_size(zg.ones(3, 2))
    assert zg.ones(2).is_signed() and not zg.tensor([True]).is_signed() and not zg.ones(2).is_complex()
    with pytest.raises(RuntimeError):
        zg.ones(2).is_nonzero()


def test_in_place_variants_change_values_like_torch():
    values = np.array([0.25, 0.5, 0.75], dtype=np.float32)
    for name in ("acos_", "asinh_", "erf_", "expm1_", "log1p_", "rsqrt_", "logit_", "deg2rad_", "tril_", "cumsum_"):
        ours, theirs = zg.tensor(values), torch.tensor(values)
        args = (0,) if name == "cumsum_" else ()
        if name == "tril_":
            ours, theirs = zg.tensor(np.outer(values, values)), torch.tensor(np.outer(values, values))
        assert getattr(ours, name)(*args) is ours
        getattr(theirs, name)(*args)
        np.testing.assert_allclose(ours._data, theirs.numpy(), rtol=1e-6)


def _scalar_fn(lib):
    return lambda x, y: (x * x * y).sum() + x.sin().sum() * y.exp().sum()


@pytest.mark.parametrize("shape", [(3,), (2, 2), (1,)])
def test_autograd_functional_matches_torch(shape):
    rng = np.random.default_rng(len(shape))
    x, y = rng.standard_normal(shape), rng.standard_normal(shape)
    ours = zg.autograd.functional.hessian(_scalar_fn(zg), (zg.tensor(x), zg.tensor(y)))
    theirs = torch.autograd.functional.hessian(_scalar_fn(torch), (torch.tensor(x), torch.tensor(y)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(ours[i][j]._data, theirs[i][j].numpy(), rtol=1e-10, atol=1e-12)
    vector_fn = lambda x: x.exp() * x.reshape(-1)[0] + x * x  # noqa: E731
    np.testing.assert_allclose(zg.autograd.functional.jacobian(vector_fn, zg.tensor(x))._data,
                               torch.autograd.functional.jacobian(vector_fn, torch.tensor(x)).numpy(), rtol=1e-12)
    value, product = zg.autograd.functional.vjp(vector_fn, zg.tensor(x), zg.tensor(y))
    value_t, product_t = torch.autograd.functional.vjp(vector_fn, torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(product._data, product_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(value._data, value_t.numpy(), rtol=1e-12)
    constant = zg.autograd.functional.jacobian(lambda x: zg.ones(2), zg.tensor(x))
    assert constant.shape == (2,) + shape and not constant._data.any()


def test_assert_close_uses_torchs_default_tolerances():
    zg.testing.assert_close(zg.ones(3), zg.ones(3) + 1e-6)
    with pytest.raises(AssertionError):
        zg.testing.assert_close(zg.ones(3), zg.ones(3) + 1e-4)
    with pytest.raises(AssertionError, match="dtype"):
        zg.testing.assert_close(zg.ones(3), zg.ones(3, dtype=zg.float64))
    with pytest.raises(AssertionError, match="shape"):
        zg.testing.assert_close(zg.ones(3), zg.ones(2))
    zg.testing.assert_close(zg.tensor([np.nan]), zg.tensor([np.nan]), equal_nan=True)
    with pytest.raises(ValueError, match="both"):
        zg.testing.assert_close(zg.ones(1), zg.ones(1), rtol=1e-3)


def test_grad_mode_and_default_dtype_names():
    with zg.inference_mode():
        assert not (zg.ones(2, requires_grad=True) * 2).requires_grad
    with zg.inference_mode(False):
        assert (zg.ones(2, requires_grad=True) * 2).requires_grad
    assert zg.get_default_dtype() == np.float32
    try:
        zg.set_default_dtype(zg.float64)
        assert zg.zeros(2).dtype == zg.tensor([1.5]).dtype == zg.randn(2).dtype == np.float64
        torch.set_default_dtype(torch.float64)
        assert str((torch.arange(3) * 0.5).dtype) == "torch." + str((zg.arange(3) * 0.5).dtype)
    finally:
        zg.set_default_dtype(zg.float32)
        torch.set_default_dtype(torch.float32)
    assert zg.zeros(2).dtype == np.float32
    with pytest.raises(TypeError, match="set_default_dtype"):
        zg.set_default_dtype(zg.int64)


def test_size_keyword_squeeze_dims_reduction_dtype_and_where_alone_match_torch():
    assert zg.zeros(size=(2, 3)).shape == tuple(torch.zeros(size=(2, 3)).shape)
    assert zg.randn(size=(4,)).shape == (4,) and zg.ones(size=5).shape == (5,)
    with pytest.raises(TypeError):
        zg.zeros(2, size=(2,))
    assert zg.ones(1, 2, 1, 3).squeeze((0, 2)).shape == tuple(torch.ones(1, 2, 1, 3).squeeze((0, 2)).shape)
    assert zg.ones(2, 3).sum(dtype=zg.float64).dtype == np.float64
    assert zg.ones(2, 3, dtype=zg.int64).mean(dtype=zg.float32).dtype == np.float32
    mask = np.array([[True, False], [False, True]])
    for mine, theirs in zip(zg.where(zg.tensor(mask)), torch.where(torch.tensor(mask))):
        np.testing.assert_array_equal(mine._data, theirs.numpy())
