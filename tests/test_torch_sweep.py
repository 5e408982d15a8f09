"""A generated sweep against PyTorch: elementwise unary and binary ops and reductions on shapes
Hypothesis draws (0-d, empty, size 1, broadcasting pairs), in float32, float64, int64 and bool,
with values mixing ordinary numbers with ±0, ±inf and NaN.

For each draw: if PyTorch refuses the call, zengrad must refuse it too; otherwise the two results
have the same dtype, shape and values (NaN and ±inf in the same places, the sign of zeros where
PyTorch's is defined), and for float inputs the same gradients. ``tests/test_special_values.py``
covers every op of the op table in float32 on fixed shapes; this sweep covers the dtypes and the
shapes.
"""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -2.5, 3.0]
DTYPES = ["float32", "float64", "int64", "bool"]
SWEEP = settings(max_examples=8, deadline=None, derandomize=True, database=None)  # ~15 s for the file, 2 cores


def _values(dtype: str):
    if dtype == "bool":
        return st.booleans()
    if np.dtype(dtype).kind == "i":
        return st.integers(-5, 5)
    width = 32 if dtype == "float32" else 64
    return st.one_of(st.floats(-3, 3, width=width), st.sampled_from(SPECIAL))


def _array(dtype: str, shape):
    return hnp.arrays(np.dtype(dtype), shape, elements=_values(dtype))


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


@st.composite
def _broadcast_pair(draw):
    """Two shapes that broadcast: one drawn, the other with sides set to 1, dropped or kept."""
    shape = draw(SHAPES)
    other = tuple(draw(st.sampled_from([n, 1])) for n in shape)
    other = other[draw(st.integers(0, len(other))):]
    return (shape, other) if draw(st.booleans()) else (other, shape)


def _run(lib, fn, arrays, grad):
    tensors = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    try:
        out = fn(lib, *tensors)
        if grad and out.requires_grad:
            out.backward(lib.ones_like(out))
    except Exception as error:  # noqa: BLE001 - whether both refuse is what is compared
        return error, tensors
    return out, tensors


def _numpy(value):
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value._data)


def _assert_same(ours, theirs, what, signed_zeros=True):
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != {theirs.shape}"
    if ours.dtype.kind != "f":
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
        return
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), f"{what}: NaN differs\n{ours}\n{theirs}"
    finite = np.isfinite(theirs)
    assert np.array_equal(ours[~finite & ~np.isnan(theirs)], theirs[~finite & ~np.isnan(theirs)]), \
        f"{what}: ±inf differs\n{ours}\n{theirs}"
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=2e-6 if ours.dtype == np.float32 else 1e-12,
                               atol=1e-6, err_msg=what)
    if signed_zeros:
        zeros = theirs == 0
        assert np.array_equal(np.signbit(ours[zeros]), np.signbit(theirs[zeros])), f"{what}: sign of 0\n{ours}\n{theirs}"


def _compare(fn, arrays, grad=True, signed_zeros=True, beyond_pytorch=False):
    """zengrad's ``fn`` against PyTorch's on ``arrays``; ``beyond_pytorch``: a call PyTorch refuses
    and zengrad accepts on purpose (the reasons are in BEYOND_PYTORCH)."""
    with np.errstate(all="ignore"):
        out, ours = _run(zg, fn, arrays, grad)
    expected, theirs = _run(torch, fn, arrays, grad)
    described = ", ".join(f"{a.dtype}{a.shape}" for a in arrays)
    if isinstance(expected, Exception):
        assert beyond_pytorch or isinstance(out, Exception), \
            f"PyTorch refuses ({expected}) but zengrad gives {out!r} for {described}"
        return
    if isinstance(out, Exception):
        raise AssertionError(f"zengrad refuses ({out!r}) what PyTorch computes for {described}") from out
    assert str(expected.dtype) == f"torch.{out.dtype}", f"dtype {out.dtype} != {expected.dtype} for {described}"
    _assert_same(_numpy(out), _numpy(expected), f"value for {described}", signed_zeros)
    for mine, reference in zip(ours, theirs):
        if reference.requires_grad:
            want = np.zeros(reference.shape, _numpy(reference).dtype) if reference.grad is None else _numpy(reference.grad)
            got = np.zeros(mine.shape, want.dtype) if mine.grad is None else _numpy(mine.grad)
            _assert_same(got, want, f"gradient for {described}", signed_zeros=False)


# Calls PyTorch refuses that zengrad computes, on purpose (each of the two libraries' result
# would be the same op on the values as floats or ints): (op, dtype) -> why.
_NO_BOOL_KERNEL = "PyTorch has no bool kernel for it; zengrad computes it on the bools as NumPy does"
BEYOND_PYTORCH = {
    **{(op, "bool"): _NO_BOOL_KERNEL for op in ("abs", "relu", "floor", "ceil", "round", "trunc", "frac",
                                                 "pow", "mean", "logsumexp", "var", "std", "prod_dim")},
    **{(op, "int64"): "PyTorch refuses float-only reductions of ints; zengrad computes them in float32"
       for op in ("mean", "logsumexp", "var", "std")},
    ("frac", "int64"): "an int's fractional part is 0; PyTorch has no int kernel",
    ("sub", "bool"): "int − bool and bool − float: PyTorch refuses any bool operand, zengrad only bool − bool",
    ("atan2", "bool"): "PyTorch's atan2 backward negates the bool operand and fails; zengrad's gives the float one's gradient",
}


def _beyond(op, *dtypes):
    return any((op, d) in BEYOND_PYTORCH for d in dtypes)


# ---- unary ops -------------------------------------------------------------------------------

UNARY = ["neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "sign", "floor",
         "ceil", "round", "trunc", "square", "reciprocal", "rsqrt", "log1p", "expm1", "atan", "sinh",
         "logical_not", "isnan", "isinf", "isfinite", "nan_to_num", "signbit", "erf", "frac", "positive", "lgamma", "erfinv",
         "bitwise_not"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_ops_match_pytorch(op, dtype):
    @SWEEP
    @given(_array(dtype, SHAPES))
    def check(x):
        _compare(lambda m, t: getattr(m, op)(t), [x], beyond_pytorch=_beyond(op, dtype))
    check()


# ---- binary ops ------------------------------------------------------------------------------

BINARY = {
    "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b, "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b, "pow": lambda m, a, b: a ** b, "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b), "atan2": lambda m, a, b: m.atan2(a, b),
    "eq": lambda m, a, b: a == b, "lt": lambda m, a, b: a < b, "ge": lambda m, a, b: a >= b,
    "where": lambda m, a, b: m.where(a > 0, a, b), "logical_and": lambda m, a, b: m.logical_and(a, b),
}
# (op, dtypes) whose value at some inputs differs by design, with the reason
SIGN_OF_ZERO_IN_TIES = {"maximum", "minimum"}  # PyTorch's scalar path returns a, its vectorized one b


@pytest.mark.parametrize("dtypes", [(d, d) for d in DTYPES] + [("float32", "int64"), ("int64", "bool"),
                                                               ("bool", "float64")], ids="-".join)
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_ops_match_pytorch_on_broadcast_shapes(op, dtypes):
    @SWEEP
    @given(_broadcast_pair().flatmap(lambda shapes: st.tuples(_array(dtypes[0], shapes[0]),
                                                              _array(dtypes[1], shapes[1]))))
    def check(arrays):
        _compare(BINARY[op], list(arrays), signed_zeros=op not in SIGN_OF_ZERO_IN_TIES,
                 beyond_pytorch=_beyond(op, *dtypes))
    check()


@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum", "lt"])
@pytest.mark.parametrize("dtypes", [("int32", "int64"), ("float32", "float64"), ("int64", "float64"),
                                    ("bool", "int64"), ("float64", "float32")], ids="-".join)
def test_binary_ops_with_a_0d_operand_match_pytorch(op, dtypes):
    @SWEEP
    @given(st.tuples(_array(dtypes[0], hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)),
                     _array(dtypes[1], ())))  # two 0-d floats of two dtypes: the README's refused mix
    def check(arrays):
        _compare(BINARY[op], list(arrays), signed_zeros=op not in SIGN_OF_ZERO_IN_TIES)
        _compare(BINARY[op], list(arrays)[::-1], signed_zeros=op not in SIGN_OF_ZERO_IN_TIES)
    check()


# ---- reductions ------------------------------------------------------------------------------

REDUCTIONS = ["sum", "mean", "amax", "amin", "prod", "logsumexp", "var", "std", "nansum", "any", "all",
              "count_nonzero"]


@st.composite
def _reduction_case(draw, dtype):
    x = draw(_array(dtype, SHAPES))
    dims = list(range(x.ndim))
    dim = draw(st.one_of(st.none(), st.sampled_from(dims or [0]), st.lists(st.sampled_from(dims or [0]),
                                                                           unique=True, max_size=len(dims))))
    return x, dim, draw(st.booleans())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", REDUCTIONS)
def test_reductions_match_pytorch(op, dtype):
    @SWEEP
    @given(_reduction_case(dtype))
    def check(case):
        x, dim, keepdim = case
        if op == "prod" and isinstance(dim, list):
            dim = dim[0] if dim else None  # prod takes one dim
        if op in ("var", "std", "logsumexp") and dim == []:
            dim = None  # the same reduction: PyTorch's logsumexp refuses dim=[], its var/std backward divides by N − 1 = 0
        if op == "count_nonzero":
            call = (lambda m, t: m.count_nonzero(t)) if dim is None else (lambda m, t: m.count_nonzero(t, dim=dim))
        elif dim is None:
            call = lambda m, t: getattr(m, op)(t) if op != "logsumexp" else m.logsumexp(t, dim=tuple(range(t.ndim)))  # noqa: E731
        else:
            call = lambda m, t: getattr(m, op)(t, dim=dim, keepdim=keepdim)  # noqa: E731
        # var/std at ±inf and NaN: each side's gradient formula gives its own NaN or ±inf (README)
        grad = op not in ("var", "std") or bool(np.isfinite(x).all())
        _compare(call, [x], grad=grad, signed_zeros=False, beyond_pytorch=_beyond(op, dtype))
    check()
