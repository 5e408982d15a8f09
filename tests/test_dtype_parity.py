"""Result dtypes, integer and bool semantics of ops against PyTorch: promotion over dtype pairs,
Python numbers next to tensors, the checks PyTorch makes on bools and on ``alpha``."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
VALUES = [0, 1, -3, 7, 5]


def make(module, dtype: str, values=VALUES, zero_dim: bool = False):
    """The same tensor in zengrad or torch: ``values`` (or its second one, 0-d) in ``dtype``."""
    array = np.asarray(values[1] if zero_dim else values).astype(np.dtype(dtype))
    return torch.from_numpy(array) if module is torch else zg.tensor(array)


def outcome(fn, module, *args):
    """``fn``'s result as (dtype name, values), or the builtin exception class it raised."""
    try:
        out = fn(module, *args)
    except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError) as error:
        return "raises", error
    values = out.numpy() if module is torch else np.asarray(out._data)
    return str(out.dtype).removeprefix("torch."), values.astype(np.float64)


def assert_same(fn, make_args):
    expected, got = outcome(fn, torch, *make_args(torch)), outcome(fn, zg, *make_args(zg))
    if expected[0] == "raises":
        assert got[0] == "raises", f"PyTorch raises {expected[1]!r}, zengrad gives {got}"
        assert isinstance(got[1], RuntimeError) or type(got[1]) is type(expected[1]) or \
            isinstance(expected[1], NotImplementedError), (expected[1], got[1])
        return
    assert got[0] != "raises", f"PyTorch gives {expected}, zengrad raises {got[1]!r}"
    assert got[0] == expected[0]
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-3, equal_nan=True)


SCALARS = [2, -2, 300, 2.5, -0.5, True, False]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(dtype=st.sampled_from(DTYPES), scalar=st.sampled_from(SCALARS),
       op=st.sampled_from(["div", "rdiv", "true_divide", "add", "mul", "sub", "rsub", "floor_divide"]))
def test_tensor_with_python_number(dtype, scalar, op):
    """int8 / 300 and uint8 / −2 compute the number exactly in floating point (not wrapped into the
    tensor's dtype first); add/mul wrap it, as PyTorch's integer ops do; sub refuses bools."""
    fns = {"div": lambda m, a: a / scalar, "rdiv": lambda m, a: scalar / a,
           "true_divide": lambda m, a: m.true_divide(a, scalar), "add": lambda m, a: a + scalar,
           "mul": lambda m, a: a * scalar, "sub": lambda m, a: a - scalar, "rsub": lambda m, a: scalar - a,
           "floor_divide": lambda m, a: a // scalar if scalar not in (0, False) else a}
    assert_same(fns[op], lambda m: (make(m, dtype),))


@pytest.mark.parametrize("alpha", [2, -1, 0.5, True, 1.0])
@pytest.mark.parametrize("dtype", ["bool", "int32", "float32"])
@pytest.mark.parametrize("op", ["add", "sub"])
def test_add_sub_alpha(op, dtype, alpha):
    """torch.add(a, b, alpha=k) (top level and method): a float alpha is refused for int and bool
    results, a bool alpha for non-bool ones."""
    assert_same(lambda m, a, b: getattr(m, op)(a, b, alpha=alpha), lambda m: (make(m, dtype), make(m, dtype, VALUES[::-1])))
    assert_same(lambda m, a, b: getattr(a, op)(b, alpha=alpha), lambda m: (make(m, dtype), make(m, dtype, VALUES[::-1])))


@pytest.mark.parametrize("other", DTYPES)
def test_sub_with_a_bool_raises(other):
    assert_same(lambda m, a, b: a - b, lambda m: (make(m, "bool"), make(m, other)))
    assert_same(lambda m, a, b: b - a, lambda m: (make(m, "bool"), make(m, other)))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64"])
@pytest.mark.parametrize("op", ["mean", "var", "std", "nanmean", "mean_dim", "mean_dtype"])
def test_statistics_of_ints_raise_as_in_torch(op, dtype):
    """mean/var/std/nanmean of an int or bool tensor raise RuntimeError; mean(dtype=float) works."""
    fns = {"mean": lambda m, a: a.mean(), "var": lambda m, a: a.var(), "std": lambda m, a: a.std(),
           "nanmean": lambda m, a: m.nanmean(a), "mean_dim": lambda m, a: a.reshape(5, 1).mean(0),
           "mean_dtype": lambda m, a: a.mean(dtype=m.float64)}
    assert_same(fns[op], lambda m: (make(m, dtype),))


@pytest.mark.parametrize("op", ["mean", "var", "std", "mean_dim", "std_dim"])
def test_float16_statistics_accumulate_in_float32(op):
    """A float16 mean of 3000 values of 30 is 30 (the float16 sum would be inf), as PyTorch's float32
    accumulator gives; var and std likewise round once, at the end."""
    values = np.linspace(20, 40, 3002)
    fns = {"mean": lambda m, a: a.mean(), "var": lambda m, a: a.var(), "std": lambda m, a: a.std(),
           "mean_dim": lambda m, a: a.reshape(2, -1).mean(1), "std_dim": lambda m, a: a.reshape(2, -1).std(1)}
    assert_same(fns[op], lambda m: (make(m, "float16", values),))


BINARY = {
    "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b, "mul": lambda m, a, b: a * b, "div": lambda m, a, b: a / b,
    "floor_divide": lambda m, a, b: a // b, "remainder": lambda m, a, b: a % b, "fmod": lambda m, a, b: m.fmod(a, b),
    "pow": lambda m, a, b: a ** b, "atan2": lambda m, a, b: m.atan2(a, b), "maximum": lambda m, a, b: m.maximum(a, b),
    "lt": lambda m, a, b: a < b, "logical_xor": lambda m, a, b: m.logical_xor(a, b), "and": lambda m, a, b: a & b,
    "xor": lambda m, a, b: a ^ b, "lshift": lambda m, a, b: a << b.abs() if b.dtype != m.bool else a << b,
    "rshift": lambda m, a, b: a >> b.abs() if b.dtype != m.bool else a >> b, "gcd": lambda m, a, b: m.gcd(a, b),
    "lcm": lambda m, a, b: m.lcm(a, b), "isclose": lambda m, a, b: m.isclose(a, b),
    "heaviside": lambda m, a, b: m.heaviside(a, b), "where": lambda m, a, b: m.where(a > 1, a, b),
    "copysign": lambda m, a, b: m.copysign(a, b),
}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(op=st.sampled_from(sorted(BINARY)), a=st.sampled_from(DTYPES), b=st.sampled_from(DTYPES),
       zero_dim=st.sampled_from([None, 0, 1]))
def test_binary_op_dtypes_over_pairs(op, a, b, zero_dim):
    """Result dtypes and values of binary ops over dtype pairs, either operand 0-d or neither (a 0-d
    tensor does not widen the other within a category), and the pairs PyTorch refuses: two bools
    to pow or shift, mixed dtypes to isclose and heaviside."""
    if {a, b} == {"int16", "float16"}:
        return  # zengrad computes these in float32 (NumPy's type), PyTorch in float16: a known difference
    assert_same(BINARY[op], lambda m: (make(m, a, zero_dim=zero_dim == 0), make(m, b, VALUES[::-1], zero_dim=zero_dim == 1)))


@pytest.mark.parametrize("exponent", [2, 0, True, False, 2.5])
def test_bool_powers(exponent):
    """A bool tensor to an int power is int64, to a bool power a bool, to a float one float32."""
    assert_same(lambda m, a: a ** exponent, lambda m: (make(m, "bool"),))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float16", "bool"])
@pytest.mark.parametrize("shapes", [((3, 5), (5, 2)), ((5,), (5,)), ((2, 3, 5), (5,)), ((5,), (5, 3)), ((2, 1, 3), (4, 3, 2))])
def test_matmul_of_ints_and_float16(dtype, shapes):
    """Int matmuls keep their dtype and wrap around (int8 100·100·3 is 48), as PyTorch's; bools are refused."""
    values = np.arange(1, 61) * (31 if dtype != "float16" else 1) % 101
    def args(m):
        return tuple(make(m, dtype, values[:int(np.prod(s))]).reshape(s) for s in shapes)
    assert_same(lambda m, a, b: a @ b, args)


@pytest.mark.parametrize("pair", [("int32", "int64"), ("int64", "float32"), ("float32", "float64"), ("int8", "int16")])
def test_matmul_refuses_mixed_dtypes(pair):
    assert_same(lambda m, a, b: a @ b, lambda m: (make(m, pair[0]).reshape(1, 5), make(m, pair[1]).reshape(5, 1)))
    assert_same(lambda m, a, b: m.dot(a, b), lambda m: (make(m, pair[0]), make(m, pair[1])))


@pytest.mark.parametrize("target", ["int8", "int16", "int64", "bool", "float16", "float64"])
@pytest.mark.parametrize("dtype", ["int8", "float32", "bool"])
def test_sum_in_a_given_dtype(dtype, target):
    """sum(dtype=int8) sums in int8 (wrapping), not in int64; a float input is converted first."""
    values = [100, 100, 27, 1, 0]
    assert_same(lambda m, a: a.sum(dtype=getattr(m, target)), lambda m: (make(m, dtype, values),))


UNARY = {
    "abs": lambda m, a: a.abs(), "floor": lambda m, a: a.floor(), "ceil": lambda m, a: a.ceil(),
    "trunc": lambda m, a: a.trunc(), "round": lambda m, a: a.round(), "round_decimals": lambda m, a: m.round(a, decimals=1),
    "frac": lambda m, a: a.frac(), "relu": lambda m, a: m.relu(a), "argmax": lambda m, a: a.argmax(),
    "argmin_dim": lambda m, a: a.argmin(0), "max_dim": lambda m, a: a.max(0).values, "any": lambda m, a: a.any(),
    "all_dim": lambda m, a: a.reshape(5, 1).all(1), "sign": lambda m, a: a.sign(), "neg": lambda m, a: -a,
    "sqrt": lambda m, a: a.abs().sqrt() if a.dtype != m.bool else a.sqrt(), "bitwise_not": lambda m, a: ~a,
}


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int16", "int64", "float16", "float32"])
@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary_ops_on_ints_and_bools(op, dtype):
    """abs/floor/ceil/trunc/round/relu/argmax refuse bools, frac and round(decimals=) ints, as PyTorch
    does; ints round to themselves; any/all of uint8 are uint8; float16 relu works."""
    assert_same(UNARY[op], lambda m: (make(m, dtype),))


@pytest.mark.parametrize("call", ["std", "var", "std_dim", "var_correction0", "std_float16"])
def test_variance_without_degrees_of_freedom_warns(call):
    """N − correction ≤ 0 gives NaN with PyTorch's UserWarning naming the op; correction=0 does not warn."""
    fns = {"std": lambda m: m.tensor([1.5]).std(), "var": lambda m: m.tensor([]).var(),
           "std_dim": lambda m: m.ones(2, 1).std(1), "var_correction0": lambda m: m.tensor([1.5]).var(correction=0),
           "std_float16": lambda m: m.tensor([1.5], dtype=m.float16).std()}
    import warnings
    caught = {}
    for m in (torch, zg):
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            fns[call](m)
        caught[m.__name__] = [str(w.message).split(".")[0] for w in log if issubclass(w.category, UserWarning)]
    assert caught["zengrad"] == caught["torch"]


@pytest.mark.parametrize("call", ["cov_int", "cov_one_row", "corrcoef_one_row", "cov_bool", "cov_float16", "cov_2x3"])
def test_cov_of_ints_and_single_variables(call):
    """cov/corrcoef of ints compute in the default float; one variable (one row) gives a 0-d result."""
    rows = {"cov_int": ("int64", (2, 3)), "cov_one_row": ("float32", (1, 3)), "corrcoef_one_row": ("int32", (1, 3)),
            "cov_bool": ("bool", (1, 3)), "cov_float16": ("float16", (2, 3)), "cov_2x3": ("float64", (2, 3))}
    dtype, shape = rows[call]
    fn = (lambda m, a: m.corrcoef(a)) if call.startswith("corrcoef") else (lambda m, a: m.cov(a))
    assert_same(fn, lambda m: (make(m, dtype, [1, 2, 4, 0, 1, 1][:shape[0] * shape[1]]).reshape(shape),))


@pytest.mark.parametrize("op", ["gelu", "gelu_tanh", "leaky_relu", "hardsigmoid"])
def test_float_only_activations_refuse_ints(op):
    """gelu/leaky_relu/hardsigmoid of an int tensor raise, as PyTorch's (gelu gave zeros in int64)."""
    fns = {"gelu": lambda m, a: m.nn.functional.gelu(a), "gelu_tanh": lambda m, a: m.nn.functional.gelu(a, approximate="tanh"),
           "leaky_relu": lambda m, a: m.nn.functional.leaky_relu(a), "hardsigmoid": lambda m, a: m.nn.functional.hardsigmoid(a)}
    assert_same(fns[op], lambda m: (make(m, "int64"),))
    assert_same(fns[op], lambda m: (make(m, "float32"),))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", ["softmax", "log_softmax", "method"])
def test_softmax_in_a_given_dtype(op, dtype):
    fns = {"softmax": lambda m, a: m.softmax(a, 0, dtype=getattr(m, dtype)),
           "log_softmax": lambda m, a: m.log_softmax(a, 0, dtype=getattr(m, dtype)),
           "method": lambda m, a: a.softmax(dim=0, dtype=getattr(m, dtype))}
    assert_same(fns[op], lambda m: (make(m, "float32"),))
    assert_same(fns[op], lambda m: (make(m, "int64"),))


@pytest.mark.parametrize("out_int32", [False, True])
@pytest.mark.parametrize("op", ["bucketize", "searchsorted", "searchsorted_sorter", "searchsorted_2d"])
def test_bucket_indices_dtype(op, out_int32):
    """bucketize/searchsorted give int64 indices, int32 with out_int32; searchsorted takes a sorter."""
    fns = {"bucketize": lambda m, a, s: m.bucketize(a, s.sort().values, out_int32=out_int32),
           "searchsorted": lambda m, a, s: m.searchsorted(s.sort().values, a, out_int32=out_int32),
           "searchsorted_sorter": lambda m, a, s: m.searchsorted(s, a, sorter=s.argsort(), out_int32=out_int32),
           "searchsorted_2d": lambda m, a, s: m.searchsorted(s.sort().values.reshape(1, -1), a.reshape(1, -1), right=True)}
    assert_same(fns[op], lambda m: (make(m, "float32"), make(m, "float32", [3.5, -1, 0.5, 9])))


@pytest.mark.parametrize("write, dtype", [(write, dtype) for write in (False, True)
                                           for dtype in ("uint8", "bool", "int32", "int64", "int8", "int16", "float32")
                                           if not (write and dtype == "uint8")])  # PyTorch refuses that write
def test_index_tensor_dtypes(dtype, write):
    """A uint8 index is a mask (PyTorch's deprecated reading), int8/int16/float ones raise IndexError."""
    import warnings

    def index(m, a, i):
        if write:
            a = a.clone()
            a[i] = 0
            return a
        return a[i]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_same(index, lambda m: (make(m, "int64"), make(m, dtype, [1, 0, 1, 1, 0] if dtype in ("uint8", "bool") else [0, 4, 2])))
