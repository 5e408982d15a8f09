"""A second generated sweep against PyTorch, written as a PyTorch user's suite would: scans, sorting,
unique, integer division and remainders, clamp, rounding, isclose, and gather/scatter with indices
Hypothesis draws (out-of-range ones included: both must refuse, neither may crash) — on 0-d, empty,
size-1 and prime-sized shapes, int/bool/float dtypes, and non-contiguous views (transposes, step
slices, expanded tensors). The comparison (dtype, shape, values, NaN/±inf, gradients, refusing
together) is ``test_torch_sweep``'s.
"""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402
from test_torch_sweep import SWEEP, _array, _compare  # noqa: E402

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
MATRICES = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5)
#: views a user hands to an op: the tensor itself, its transpose, every other row, a broadcast copy
VIEWS = {
    "plain": lambda m, t: t,
    "transposed": lambda m, t: t.transpose(0, -1) if t.ndim else t,
    "step_slice": lambda m, t: t[::2] if t.ndim else t,
    "expanded": lambda m, t: t.unsqueeze(0).expand(2, *t.shape),
}


def _dim(draw, ndim):
    """A dim of a tensor with ``ndim`` dims, negative or positive, sometimes one out of range."""
    span = max(ndim, 1)
    return draw(st.one_of(st.integers(-span, span - 1), st.sampled_from([span, -span - 1])))


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_scans_match_pytorch(op, dtype):
    if op == "logcumsumexp" and dtype in ("int64", "bool"):
        pytest.skip("PyTorch has no integer logcumsumexp (zengrad refuses it too: tests/test_more_torch_ops.py)")

    @SWEEP
    @given(st.data())
    def check(data):
        x = data.draw(_array(dtype, SHAPES))
        dim, view = _dim(data.draw, x.ndim), data.draw(st.sampled_from(list(VIEWS)))
        if op in ("cummax", "cummin") and x.size == 0 and not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
            return  # PyTorch's cummax/cummin return an empty tensor before checking dim

        def call(m, t):
            out = getattr(VIEWS[view](m, t), op)(dim)
            return out.values if op in ("cummax", "cummin") else out
        # cumprod's gradient at ±inf: each side's formula gives its own NaN (test_special_values' list)
        _compare(call, [x], grad=op != "cumprod" or bool(np.isfinite(x).all()), signed_zeros=False)
        if op in ("cummax", "cummin"):
            _compare(lambda m, t: getattr(VIEWS[view](m, t), op)(dim).indices, [x], grad=False)
    check()


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_sort_argsort_and_topk_match_pytorch(dtype):
    """Stable sorts and topk's values: NaN sorts as the largest, ties keep their order."""
    @SWEEP
    @given(st.data())
    def check(data):
        x = data.draw(_array(dtype, SHAPES))
        dim, descending = _dim(data.draw, x.ndim), data.draw(st.booleans())
        view = data.draw(st.sampled_from(list(VIEWS)))
        _compare(lambda m, t: VIEWS[view](m, t).sort(dim=dim, descending=descending, stable=True).values, [x])
        _compare(lambda m, t: VIEWS[view](m, t).sort(dim=dim, descending=descending, stable=True).indices, [x],
                 grad=False)
        _compare(lambda m, t: m.argsort(VIEWS[view](m, t), dim=dim, descending=descending, stable=True), [x],
                 grad=False)
        size = x.shape[dim] if x.ndim and -x.ndim <= dim < x.ndim else 1
        k = data.draw(st.integers(0, size + 1))
        ties = np.unique(x).size < x.size  # which of equal elements topk picks is unspecified in PyTorch
        _compare(lambda m, t: VIEWS[view](m, t).topk(k, dim=dim, largest=descending).values, [x], grad=not ties,
                 signed_zeros=False)
        _compare(lambda m, t: m.msort(VIEWS[view](m, t)), [x])
    check()


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_unique_matches_pytorch(dtype):
    @SWEEP
    @given(st.data())
    def check(data):
        x = data.draw(_array(dtype, SHAPES))
        if dtype == "float32":
            x = np.where(np.isnan(x), np.float32(1), x)  # PyTorch's unique of NaN depends on its sort path
        for flags in ({}, {"return_inverse": True}, {"return_counts": True},
                      {"return_inverse": True, "return_counts": True}):
            for i in range(1 + len(flags)):
                _compare(lambda m, t: ((m.unique(t, **flags),) if not flags else m.unique(t, **flags))[i], [x],
                         grad=False)
        if x.ndim:
            dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
            for i in range(3):
                _compare(lambda m, t: m.unique(t, dim=dim, return_inverse=True, return_counts=True)[i], [x],
                         grad=False)
    check()


_INTEGER_DIVISIONS = {
    "floor_divide": lambda m, a, b: a // b, "remainder": lambda m, a, b: a % b,
    "fmod": lambda m, a, b: m.fmod(a, b), "trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"), "true": lambda m, a, b: a / b,
}


@pytest.mark.parametrize("op", list(_INTEGER_DIVISIONS))
@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("int32", "int64"), ("int64", "float32"),
                                    ("float32", "float32"), ("int8", "int8")], ids="-".join)
def test_divisions_with_negatives_and_zeros_match_pytorch(op, dtypes):
    """Signs of quotient and remainder as PyTorch's (floor: remainder takes the divisor's sign;
    trunc and fmod: the dividend's); an integer division by zero is refused by both."""
    @SWEEP
    @given(st.data())
    def check(data):
        shape = data.draw(SHAPES)
        a = data.draw(_array(dtypes[0], shape))
        b = data.draw(_array(dtypes[1], shape[data.draw(st.integers(0, len(shape))):]))
        grad = op != "floor_divide"  # PyTorch has no floor_divide backward; zengrad's is 0
        _compare(_INTEGER_DIVISIONS[op], [a, b], grad=grad, signed_zeros=False)
        _compare(lambda m, t: _INTEGER_DIVISIONS[op](m, t, -3), [a], grad=grad, signed_zeros=False)
    check()


@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (1.0, -1.0), (None, 0.5), (-0.5, None), (np.nan, 1.0),
                                    (0.0, np.nan), ("tensor", "tensor")], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_clamp_matches_pytorch(bounds, dtype):
    """min > max gives max everywhere; a NaN bound or element gives NaN; tensor bounds broadcast."""
    @SWEEP
    @given(st.data())
    def check(data):
        x = data.draw(_array(dtype, SHAPES))
        if bounds == ("tensor", "tensor"):
            low, high = (data.draw(_array("float32", x.shape[len(x.shape) // 2:])) for _ in range(2))
            _compare(lambda m, t, lo, hi: m.clamp(t, lo, hi) if dtype == "float32" else m.clamp(t.float(), lo, hi),
                     [x, low, high], signed_zeros=False)  # min(0, −0) where a < min = max: either zero
        else:
            _compare(lambda m, t: m.clamp(t, *bounds), [x], signed_zeros=False)
    check()


@pytest.mark.parametrize("decimals", [0, 1, 2, -1, -2])
def test_round_half_to_even_with_decimals_matches_pytorch(decimals):
    @SWEEP
    @given(hnp.arrays(np.float64, SHAPES, elements=st.one_of(
        st.sampled_from([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, 15.0, 25.0, -150.0, 1e300, np.inf, np.nan, -0.0]),
        st.floats(-1e4, 1e4))))
    def check(x):
        _compare(lambda m, t: m.round(t, decimals=decimals), [x])
        _compare(lambda m, t: m.round(t.float(), decimals=decimals), [x])
    check()


@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_and_allclose_match_pytorch(equal_nan):
    special = st.sampled_from([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, 1.0 + 1e-6, 1e-9, 1e30])
    values = hnp.arrays(np.float64, (7,), elements=special)

    @SWEEP
    @given(values, values, st.sampled_from([(1e-5, 1e-8), (0.0, 0.0), (1e-3, 0.0), (0.0, 1.0)]))
    def check(a, b, tolerances):
        rtol, atol = tolerances
        _compare(lambda m, x, y: m.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), [a, b])
        ours = zg.allclose(zg.tensor(a), zg.tensor(b), rtol=rtol, atol=atol, equal_nan=equal_nan)
        assert ours == torch.allclose(torch.tensor(a), torch.tensor(b), rtol=rtol, atol=atol, equal_nan=equal_nan)
    check()


@st.composite
def _indexed(draw, op):
    """(x, dim, index) for gather/scatter: index drawn within x's sizes or up to 2 beyond either end."""
    x = draw(_array("float64", MATRICES))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    size = x.shape[dim]
    shape = tuple(draw(st.integers(0, n)) for n in x.shape)
    reach = draw(st.sampled_from([(0, size - 1), (-size - 2, size + 1)]))
    if op == "take_along_dim":
        reach = (0, size - 1)  # PyTorch's take_along_dim reads out-of-range indices unchecked
    index = draw(hnp.arrays(np.int64, shape, elements=st.integers(*reach)))
    return x, dim, index


@pytest.mark.parametrize("op", ["gather", "scatter", "scatter_add", "scatter_reduce_amax", "take_along_dim",
                                "index_select"])
def test_gather_and_scatter_with_drawn_indices_match_pytorch_or_both_refuse(op):
    calls = {
        "gather": lambda m, t, d, i: m.gather(t, d, i),
        "scatter": lambda m, t, d, i: t.scatter(d, i, m.gather(t * 2, d, i.clamp(0, 0))),
        "scatter_add": lambda m, t, d, i: t.scatter_add(d, i, m.ones_like(t)),
        "scatter_reduce_amax": lambda m, t, d, i: t.scatter_reduce(d, i, t * 3, "amax", include_self=False),
        "take_along_dim": lambda m, t, d, i: m.take_along_dim(t, i, dim=d),
        "index_select": lambda m, t, d, i: t.index_select(d, i.reshape(-1)),
    }

    @SWEEP
    @given(_indexed(op))
    def check(case):
        x, dim, index = case
        if op == "scatter" and len(np.unique(index)) != index.size:
            return  # a repeated target: which write wins is unspecified in PyTorch
        # scatter_add keeps an untouched −0 in PyTorch (it adds in place); here a + 0 makes it +0
        _compare(lambda m, t: calls[op](m, t, dim, m.tensor(index)), [x], grad=op != "scatter_reduce_amax",
                 signed_zeros=op != "scatter_add")
    check()
