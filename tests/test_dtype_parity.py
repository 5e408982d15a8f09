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
