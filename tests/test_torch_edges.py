"""Where a PyTorch user's test meets zengrad first, compared with PyTorch itself: the exception
types of bad shapes and arguments, float ops on bool and small int tensors, reductions of empty
tensors along a non-empty dim, median with NaN, and slices with a negative step."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _pair(array, requires_grad=False):
    return zg.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


# ---- bad shapes and arguments: PyTorch's RuntimeError (zengrad's is a ValueError too) ----------

BAD_CALLS = {
    "add": lambda m, x: x + m.ones(3, 2),
    "mul_empty": lambda m, x: x * m.ones(0, 3),
    "where": lambda m, x: m.where(x > 0, x, m.ones(5)),
    "matmul": lambda m, x: x @ m.ones(2, 5),
    "matmul_vectors": lambda m, x: m.ones(4) @ m.ones(3),
    "matmul_0d": lambda m, x: x @ m.tensor(2.0),
    "matmul_batch": lambda m, x: m.ones(2, 2, 3) @ m.ones(3, 3, 5),
    "mm": lambda m, x: m.mm(m.ones(2, 2, 3), m.ones(3, 2)),
    "bmm": lambda m, x: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 2)),
    "dot": lambda m, x: m.dot(m.ones(3), m.ones(4)),
    "reshape": lambda m, x: x.reshape(5),
    "reshape_two_unknowns": lambda m, x: x.reshape(-1, -1),
    "view": lambda m, x: x.view(4, 2),
    "expand": lambda m, x: x.expand(3, 3),
    "permute_repeated": lambda m, x: x.permute(0, 0),
    "cat": lambda m, x: m.cat([x, m.ones(2, 2)], dim=0),
    "stack": lambda m, x: m.stack([x, x.T]),
    "stack_empty": lambda m, x: m.stack([]),
    "split": lambda m, x: x.split([1, 1], dim=1),
    "chunk": lambda m, x: x.chunk(0),
    "flatten": lambda m, x: x.flatten(1, 0),
    "clamp": lambda m, x: x.clamp(),
    "topk": lambda m, x: x.topk(4),
    "item": lambda m, x: x.item(),
    "sum_repeated_dims": lambda m, x: x.sum(dim=(0, -2)),
    "mean_repeated_dims": lambda m, x: x.mean(dim=[1, 1]),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_shapes_and_arguments_raise_runtime_error_as_in_pytorch(name):
    call = BAD_CALLS[name]
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor(x))
    with pytest.raises(RuntimeError) as raised:
        call(zg, zg.tensor(x))
    assert isinstance(raised.value, ValueError)  # what zengrad's own callers catch
    assert str(raised.value)


# ---- float ops on bool and int tensors: computed in float32, as PyTorch does ------------------

@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int32, np.int64])
@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "sinc", "sqrt", "log1p", "sin", "atan2"])
def test_float_ops_of_bool_and_int_tensors_are_float32_as_in_pytorch(op, dtype):
    values = np.array([[1, 0, 1], [0, 1, 1]]) if dtype is np.bool_ else np.array([[1, 2, 0], [3, 5, 7]])
    ours, theirs = _pair(values.astype(dtype))
    if op == "atan2":
        out, expected = zg.atan2(ours, ours), torch.atan2(theirs, theirs)
    else:
        out, expected = getattr(zg, op)(ours), getattr(torch, op)(theirs)
    assert out.dtype == np.float32 and expected.dtype == torch.float32
    np.testing.assert_allclose(out._data, expected.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("left,right", [(np.int64, np.float32), (np.float32, np.int64), (np.int32, np.float32)])
def test_floor_divide_keeps_pytorchs_dtype(left, right):
    a, b = np.array([7, -7, 5, 0]).astype(left), np.array([2, 2, -3, 3]).astype(right)
    (ours_a, theirs_a), (ours_b, theirs_b) = _pair(a), _pair(b)
    out, expected = zg.floor_divide(ours_a, ours_b), torch.floor_divide(theirs_a, theirs_b)
    assert str(expected.dtype) == f"torch.{out.dtype}"
    np.testing.assert_array_equal(out._data, expected.numpy())
    assert str(torch.floor_divide(theirs_a, 2.5).dtype) == f"torch.{zg.floor_divide(ours_a, 2.5).dtype}"


# ---- reductions of empty tensors -----------------------------------------------------------

@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "argmax", "argmin", "median"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_of_an_empty_tensor_along_a_non_empty_dim_are_empty(op, keepdim):
    ours, theirs = _pair(np.zeros((0, 3), np.float32))
    out, expected = getattr(ours, op)(dim=1, keepdim=keepdim), getattr(theirs, op)(dim=1, keepdim=keepdim)
    for got, want in zip(out if isinstance(out, tuple) else (out,), expected if isinstance(expected, tuple) else (expected,)):
        assert got.shape == tuple(want.shape)
        assert str(want.dtype) == f"torch.{got.dtype}"


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "argmax", "argmin", "median"])
def test_reductions_along_an_empty_dim_raise_index_error_as_in_pytorch(op):
    ours, theirs = _pair(np.zeros((0, 3), np.float32))
    with pytest.raises(IndexError):
        getattr(theirs, op)(dim=0)
    with pytest.raises(IndexError, match="shape"):
        getattr(ours, op)(dim=0)


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin"])
def test_extremes_of_an_empty_tensor_without_dim_raise_runtime_error_as_in_pytorch(op):
    with pytest.raises(RuntimeError):
        getattr(torch.zeros(0, 3), op)()
    with pytest.raises(RuntimeError, match="empty"):
        getattr(zg.zeros(0, 3), op)()


# ---- median with NaN -----------------------------------------------------------------------

@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_median_of_slices_holding_nan_is_nan_at_the_first_nan_as_in_pytorch(dim, rng):
    x = rng.standard_normal((4, 5)).astype(np.float32)
    x[1, 2] = x[1, 4] = x[3, 0] = np.nan
    ours, theirs = _pair(x, requires_grad=True)
    if dim is None:
        out, expected = ours.median(), theirs.median()
    else:
        out, expected = ours.median(dim=dim), theirs.median(dim=dim)
        np.testing.assert_array_equal(out.indices._data, expected.indices.numpy())
        out, expected = out.values, expected.values
    np.testing.assert_array_equal(out._data, expected.detach().numpy())
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(ours.grad._data, theirs.grad.numpy())


def test_median_of_an_empty_tensor_is_nan_as_in_pytorch():
    assert np.isnan(zg.zeros(0, 3).median().item()) and torch.zeros(0, 3).median().isnan()


# ---- slices ----------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [slice(None, None, -1), (slice(None), slice(3, 0, -2)), slice(None, None, 0)])
def test_slices_with_a_step_below_one_raise_value_error_as_in_pytorch(index):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    ours, theirs = _pair(x)
    with pytest.raises(ValueError):
        theirs[index]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        ours[index]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        ours[index] = 0.0


def test_view_of_a_transposed_tensor_raises_as_in_pytorch_and_a_view_shares_memory():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    ours, theirs = _pair(x)
    with pytest.raises(RuntimeError):
        theirs.t().view(6)
    with pytest.raises(RuntimeError, match=r"view: shape \(6,\).*use .reshape"):
        ours.t().view(6)
    np.testing.assert_array_equal(ours.t().reshape(6)._data, theirs.t().reshape(6).numpy())
    flat, expected = ours.view(6), theirs.view(6)
    flat[0], expected[0] = 7.0, 7.0
    np.testing.assert_array_equal(ours._data, theirs.numpy())


def test_setitem_of_a_value_that_does_not_broadcast_raises_runtime_error_as_in_pytorch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3)[0] = torch.ones(2)
    target = zg.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"setitem.*\(2, 3\)"):
        target[0] = zg.ones(2)


# ---- losses whose every target is ignored ---------------------------------------------------

@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("weighted", [False, True])
def test_a_mean_loss_over_only_ignored_targets_is_nan_with_zero_gradients_as_in_pytorch(loss, weighted, rng):
    import torch.nn.functional as torch_functional
    x = rng.standard_normal((5, 4)).astype(np.float32)
    weight = np.array([1.0, 2.0, 0.5, 1.5], np.float32)
    results = []
    for lib, functional in ((zg, zg.nn.functional), (torch, torch_functional)):
        logits = lib.tensor(x, requires_grad=True)
        inputs = logits if loss == "cross_entropy" else logits.log_softmax(1)
        value = getattr(functional, loss)(inputs, lib.tensor([-100] * 5), weight=lib.tensor(weight) if weighted else None)
        value.backward()
        results.append((float(value.item()), np.asarray(logits.grad.tolist())))
    (ours, our_grad), (theirs, their_grad) = results
    assert np.isnan(ours) and np.isnan(theirs)
    np.testing.assert_array_equal(our_grad, their_grad)


# ---- creation and expand ---------------------------------------------------------------------

@pytest.mark.parametrize("value", [3, True, 2.5, -7])
def test_full_types_its_value_as_pytorch_does(value):
    ours, theirs = zg.full((2, 3), value), torch.full((2, 3), value)
    assert str(theirs.dtype) == f"torch.{ours.dtype}"
    np.testing.assert_array_equal(ours._data, theirs.numpy())


def test_expand_with_minus_one_in_a_new_dimension_raises_runtime_error_as_in_pytorch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3).expand(-1, 2, 3)
    with pytest.raises(RuntimeError, match="expand: -1"):
        zg.zeros(2, 3).expand(-1, 2, 3)
    assert zg.zeros(1, 3).expand(2, -1).shape == tuple(torch.zeros(1, 3).expand(2, -1).shape)


# ---- integer division by zero ----------------------------------------------------------------

INTEGER_QUOTIENTS = {
    "floor_divide": lambda m, a, b: a // b,
    "remainder": lambda m, a, b: a % b,
    "fmod": lambda m, a, b: m.fmod(a, b),
    "trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
}


@pytest.mark.parametrize("op", list(INTEGER_QUOTIENTS))
def test_an_integer_divisor_of_0_raises_runtime_error_as_in_pytorch(op):
    call = INTEGER_QUOTIENTS[op]
    a, b = np.array([5, -5, 0]), np.array([3, 0, 2])
    (ours_a, theirs_a), (ours_b, theirs_b) = _pair(a), _pair(b)
    with pytest.raises(RuntimeError):
        call(torch, theirs_a, theirs_b)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(zg, ours_a, ours_b)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(zg, ours_a, 0)
    b[1] = 4
    (ours_b, theirs_b), float_b = _pair(b), _pair(np.array([3.0, 0.0, 2.0], np.float32))
    np.testing.assert_array_equal(call(zg, ours_a, ours_b)._data, call(torch, theirs_a, theirs_b).numpy())
    np.testing.assert_array_equal(call(zg, ours_a, float_b[0])._data, call(torch, theirs_a, float_b[1]).numpy())


# ---- 0-d tensors type an op as Python numbers do ----------------------------------------------

ZERO_DIM_PAIRS = [  # (dtype of the tensor with dimensions, dtype of the 0-d tensor)
    ("int32", "int64"), ("uint8", "int64"), ("int64", "int32"), ("float32", "float64"), ("float64", "float32"),
    ("int32", "float64"), ("int64", "float32"), ("bool", "int64"), ("bool", "float64"), ("float32", "int64"),
    ("int8", "bool"), ("float32", "bool"),
]
ZERO_DIM_OPS = {
    "add": lambda m, a, b: a + b, "radd": lambda m, a, b: b + a, "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b, "maximum": lambda m, a, b: m.maximum(b, a),
    "where": lambda m, a, b: m.where(a > 0, a, b), "remainder": lambda m, a, b: m.remainder(a, b),
    "lt": lambda m, a, b: a < b, "floor_divide": lambda m, a, b: m.floor_divide(a, b),
}


@pytest.mark.parametrize("dtypes", ZERO_DIM_PAIRS, ids="-".join)
@pytest.mark.parametrize("op", list(ZERO_DIM_OPS))
def test_a_0d_tensor_does_not_widen_a_tensor_with_dimensions_as_in_pytorch(op, dtypes):
    full_dtype, zero_dtype = dtypes
    if (op in ("div", "remainder", "floor_divide") and "bool" in dtypes):
        pytest.skip("PyTorch refuses it or divides by a bool")
    values = np.array([3, -2, 7, 0, 1]) if full_dtype != "uint8" else np.array([3, 200, 7, 1, 1])
    full, zero = values.astype(full_dtype), np.array(-3 if zero_dtype != "bool" else True).astype(zero_dtype)
    call = ZERO_DIM_OPS[op]
    out = call(zg, zg.tensor(full), zg.tensor(zero))
    expected = call(torch, torch.tensor(full), torch.tensor(zero))
    assert str(expected.dtype) == f"torch.{out.dtype}"
    np.testing.assert_allclose(out._data.astype(np.float64), expected.numpy().astype(np.float64), rtol=1e-6)


def test_the_gradient_of_a_0d_float64_tensor_next_to_float32_is_float64_as_in_pytorch():
    x = np.array([0.5, -1.5, 2.0], np.float32)
    results = []
    for m in (zg, torch):
        a, w = m.tensor(x, requires_grad=True), m.tensor(np.float64(1.25), requires_grad=True)
        out = (a * w + w).sum()
        out.backward()
        results.append((str(out.dtype), str(a.grad.dtype), str(w.grad.dtype), float(w.grad.item())))
    (ours, theirs) = results
    assert ["torch." + d for d in ours[:3]] == list(theirs[:3])
    assert ours[3] == pytest.approx(theirs[3])


# ---- an empty dim list reduces every dim ---------------------------------------------------------

@pytest.mark.parametrize("dim", [(), []])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "var", "std", "nansum", "nanmean", "any", "all"])
def test_an_empty_dim_list_reduces_as_in_pytorch(op, dim, keepdim, rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    grad = op not in ("any", "all")
    ours, theirs = _pair(x, requires_grad=grad)
    if not grad:
        ours, theirs = ours > 0, theirs > 0
    out, expected = getattr(ours, op)(dim=dim, keepdim=keepdim), getattr(theirs, op)(dim=dim, keepdim=keepdim)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out._data, expected.detach().numpy(), rtol=1e-5)
    if grad:  # against PyTorch's gradient of dim=None: its var/std backward for dim=() divides by N − 1 = 0
        out.sum().backward()
        getattr(theirs, op)().sum().backward()
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_einsum_that_sums_nothing_keeps_its_operand():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for equation in ("ij->ij", "ij->ji", "ij,ij->ij"):
        operands = (x,) * equation.count(",") + (x,)
        np.testing.assert_array_equal(zg.einsum(equation, *map(zg.tensor, operands))._data,
                                      torch.einsum(equation, *map(torch.tensor, operands)).numpy())


# ---- dtypes an op refuses, and indices out of bounds: PyTorch's RuntimeError -------------------

REFUSED = {
    "gather_out_of_bounds": lambda m: m.gather(m.ones(2, 3), 1, m.tensor([[5], [0]])),
    "gather_negative": lambda m: m.gather(m.ones(2, 3), 1, m.tensor([[-1], [0]])),
    "gather_float_index": lambda m: m.gather(m.ones(2, 3), 1, m.tensor([[1.0], [0.0]])),
    "scatter_out_of_bounds": lambda m: m.zeros(2, 3).scatter(1, m.tensor([[3], [0]]), m.ones(2, 1)),
    "scatter_add_negative": lambda m: m.zeros(2, 3).scatter_add(1, m.tensor([[-1], [0]]), m.ones(2, 1)),
    "masked_fill_float_mask": lambda m: m.ones(2).masked_fill(m.tensor([1.0, 0.0]), 0.0),
    "masked_select_float_mask": lambda m: m.ones(2).masked_select(m.tensor([1.0, 0.0])),
    "neg_bool": lambda m: -m.tensor([True, False]),
    "sub_bool": lambda m: m.tensor([True, False]) - m.tensor([True, True]),
    "int_to_negative_number": lambda m: m.tensor([2, 3]) ** -1,
    "hardtanh_bool": lambda m: m.nn.functional.hardtanh(m.tensor([True, False])),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_dtypes_and_indices_raise_runtime_error_as_in_pytorch(name):
    with pytest.raises(RuntimeError):
        REFUSED[name](torch)
    with pytest.raises(RuntimeError) as raised:
        REFUSED[name](zg)
    assert isinstance(raised.value, (TypeError, ValueError, IndexError))  # and Python's own kind
    assert str(raised.value)


# ---- values and dtypes at the edges ------------------------------------------------------------

EDGE_VALUES = {
    "sign_bool": lambda m: m.sign(m.tensor([True, False])),
    "int_to_negative_tensor_powers": lambda m: m.tensor([0, 1, -1, 2, -2, -1, 3], dtype=m.int32)
    ** m.tensor([-1, -3, -3, -2, -1, -4, 2], dtype=m.int32),
    "uint8_to_int8_powers": lambda m: m.tensor(np.uint8([1, 2, 3])) ** m.tensor(np.int8([-1, 3, 0])),
    "hardtanh_int": lambda m: m.nn.functional.hardtanh(m.tensor([-3, 0, 2, 3])),
    "hardtanh_int_fractional_bounds": lambda m: m.nn.functional.hardtanh(m.tensor([-3, 0, 3]), -0.5, 2.5),
    "relu6_int32": lambda m: m.nn.functional.relu6(m.tensor([-3, 0, 9], dtype=m.int32)),
    "nan_to_num_int": lambda m: m.nan_to_num(m.tensor([1, -2])),
    "nan_to_num_bool": lambda m: m.nan_to_num(m.tensor([True, False])),
    "relu_negative_zero": lambda m: m.relu(m.tensor([-0.0, 0.0, float("nan"), -1.0, float("-inf")] * 7)),
    "relu6_negative_zero": lambda m: m.nn.functional.relu6(m.tensor([-0.0, 0.0, float("nan"), 7.0])),
    "clamp_nan": lambda m: m.tensor([float("nan"), -0.0, 5.0, -5.0]).clamp(0.0, 1.0),
    "clamp_nan_bound": lambda m: m.tensor([0.5, 2.0]).clamp(float("nan"), 1.0),
    "maximum_nan": lambda m: m.maximum(m.tensor([float("nan"), 1.0, 2.0]), m.tensor([1.0, float("nan"), 1.0])),
    "minimum_nan": lambda m: m.minimum(m.tensor([float("nan"), 1.0, 2.0]), m.tensor([1.0, float("nan"), 1.0])),
    "float_by_zero": lambda m: m.tensor([1.0, 0.0, -1.0]) / m.tensor([0.0, 0.0, -0.0]),
    "int_by_zero_true_division": lambda m: m.tensor([1, 0, -1]) / m.tensor([0, 0, 0]),
}


@pytest.mark.parametrize("name", list(EDGE_VALUES))
def test_values_and_dtypes_at_the_edges_match_pytorch(name):
    out, expected = EDGE_VALUES[name](zg), EDGE_VALUES[name](torch)
    assert str(expected.dtype) == f"torch.{out.dtype}"
    np.testing.assert_array_equal(out._data, expected.numpy())
    if out.dtype.kind == "f":  # the sign of every zero too
        np.testing.assert_array_equal(np.signbit(out._data), np.signbit(expected.numpy()))


def test_float_ops_whose_finite_inputs_give_inf_or_nan_do_not_warn_as_pytorch_does_not():
    import subprocess
    import sys
    code = ("import zengrad as zg\n"
            "x = zg.tensor([1.0, 0.0, -1.0, 2.0], requires_grad=True)\n"
            "(x / 0.0).backward(zg.ones(4))\n"
            "for f in (lambda x: zg.log(x * 0), lambda x: zg.exp(x * 1e4), zg.sqrt, zg.log1p, zg.log2, zg.log10,\n"
            "          zg.rsqrt, zg.reciprocal, zg.asin, zg.acos, zg.acosh, zg.atanh, lambda x: x ** -1.5,\n"
            "          lambda x: zg.fmod(x, 0.0), lambda x: zg.remainder(x, 0.0), lambda x: zg.xlogy(x, x - 1)):\n"
            "    f(x)\n"
            "zg.tensor([1, 0]) / zg.tensor([0, 0])\n"
            "import numpy\n"
            "numpy.array([1.0]) / 0.0\n")  # NumPy's own warning, outside zengrad, still raises
    run = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == "RuntimeWarning: divide by zero encountered in divide"
    assert "zengrad" not in run.stderr.split("Traceback")[-1].split("<string>")[-1]
