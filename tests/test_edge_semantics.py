"""PyTorch's semantics at the edges: 0-d tensors, dtype promotion, indexing, dims out of range and
bad operands, each compared with PyTorch itself (issue 12)."""

import numpy as np
import pytest

import zengrad as zg
from zengrad import nn

torch = pytest.importorskip("torch")

TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64,
                np.dtype(np.int32): torch.int32, np.dtype(np.int64): torch.int64, np.dtype(np.bool_): torch.bool}


def _pair(array, requires_grad=False):
    return zg.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


# ---- 0-d tensors ---------------------------------------------------------------------------

@pytest.mark.parametrize("expression", [
    lambda a: a * a, lambda a: a * a * a + a, lambda a: (a + 1) * (a - 2) / a, lambda a: a.exp() * a.tanh()])
def test_a_scalar_used_twice_accumulates_its_gradient(expression, rng):
    value = np.float32(rng.uniform(0.5, 2.0))
    ours, theirs = _pair(value, requires_grad=True)
    expression(ours).backward()
    expression(theirs).backward()
    assert isinstance(ours.grad._data, np.ndarray) and ours.grad.shape == ()
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("op", ["sum", "mean", "logsumexp", "softmax", "log_softmax", "max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_of_a_0d_tensor_along_dim_0_or_minus_1(op, dim, keepdim, rng):
    value = np.float32(rng.standard_normal())
    ours, theirs = _pair(value, requires_grad=True)
    if op in ("softmax", "log_softmax"):
        out, expected = getattr(ours, op)(dim), getattr(theirs, op)(dim)
    else:
        out, expected = getattr(ours, op)(dim=dim, keepdim=keepdim), getattr(theirs, op)(dim=dim, keepdim=keepdim)
    if op in ("max", "min"):
        assert int(out.indices.item()) == int(expected.indices) == 0
        out, expected = out.values, expected.values
    assert out.shape == tuple(expected.shape) == ()
    np.testing.assert_allclose(out._data, expected.detach().numpy(), rtol=1e-6)
    out.backward()
    expected.backward()
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dim", [1, -2])
def test_dims_other_than_0_and_minus_1_on_a_0d_tensor_raise_index_error(dim):
    for call in (lambda t: t.sum(dim=dim), lambda t: t.softmax(dim), lambda t: t.max(dim=dim)):
        with pytest.raises(IndexError):
            call(torch.tensor(1.0))
        with pytest.raises(IndexError, match=f"dimension {dim} out of range"):
            call(zg.tensor(1.0))


def test_cat_of_0d_tensors_raises_a_clear_error():
    with pytest.raises(ValueError, match=r"cat: zero-dimensional tensor \(at position 1\)"):
        zg.cat([zg.tensor([1.0]).reshape(1), zg.tensor(2.0)])
    with pytest.raises(ValueError, match="zero-dimensional"):
        zg.cat([zg.tensor(1.0), zg.tensor(2.0)])


# ---- dtype promotion -----------------------------------------------------------------------

PROMOTION_CASES = [
    ("int64 * 0.5", lambda a, b: a * 0.5, np.int64),
    ("int32 * 2.5", lambda a, b: a * 2.5, np.int32),
    ("0.5 - int32", lambda a, b: 0.5 - a, np.int32),
    ("int64 / int64", lambda a, b: a / b, np.int64),
    ("int32 / 3", lambda a, b: a / 3, np.int32),
    ("int32 + 7", lambda a, b: a + 7, np.int32),
    ("int32 * -3", lambda a, b: a * -3, np.int32),
    ("bool + 1", lambda a, b: a + 1, np.bool_),
    ("bool * 1.5", lambda a, b: a * 1.5, np.bool_),
    ("int64 ** 0.5", lambda a, b: a ** 0.5, np.int64),
    ("int64 + float32 tensor", lambda a, b: a + b.float(), np.int64),
    ("float32 + int64 tensor", lambda a, b: b.float() * a, np.int64),
    ("float64 * 0.1", lambda a, b: a.double() * 0.1, np.int64),
    ("sqrt(int64)", lambda a, b: a.sqrt(), np.int64),
    ("exp(int32)", lambda a, b: a.exp(), np.int32),
    ("maximum(int64, float32)", lambda a, b: zg.maximum(a, b.float()) if isinstance(a, zg.Tensor)
     else torch.maximum(a, b.float()), np.int64),
]


@pytest.mark.parametrize("name,fn,dtype", PROMOTION_CASES, ids=[c[0] for c in PROMOTION_CASES])
def test_result_dtypes_follow_pytorch(name, fn, dtype, rng):
    a_np = rng.integers(1, 9, size=(2, 3)).astype(dtype)
    b_np = rng.integers(1, 9, size=(2, 3)).astype(dtype)
    (a, ta), (b, tb) = _pair(a_np), _pair(b_np)
    out, expected = fn(a, b), fn(ta, tb)
    assert TORCH_DTYPES[out.dtype] == expected.dtype, f"{name}: {out.dtype} vs {expected.dtype}"
    np.testing.assert_allclose(out._data.astype(np.float64), expected.double().numpy(), rtol=1e-6)


def test_where_with_python_numbers_follows_pytorch(rng):
    mask_np = rng.standard_normal(7) > 0
    (mask, tmask) = _pair(mask_np)
    for a, b in [(4, 2), (4.0, 2), (-1, 0.25)]:
        out, expected = zg.where(mask, a, b), torch.where(tmask, a, b)
        assert TORCH_DTYPES[out.dtype] == expected.dtype
        np.testing.assert_array_equal(out._data, expected.numpy())


@pytest.mark.parametrize("op", [lambda m, a, b: a + b, lambda m, a, b: a * b - b, lambda m, a, b: m.maximum(a, b),
                                lambda m, a, b: m.where(a > 0, a, b), lambda m, a, b: m.cat([a, b]),
                                lambda m, a, b: m.nn.functional.mse_loss(a, b)])
@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32")])
def test_mixed_float_tensors_compute_in_the_wider_dtype_as_torch(op, dtypes):
    values = np.array([0.5, -1.25, 3.0])
    ours_a, ours_b = (zg.tensor(values, dtype=getattr(zg, d), requires_grad=True) for d in dtypes)
    theirs_a, theirs_b = (torch.tensor(values, dtype=getattr(torch, d), requires_grad=True) for d in dtypes)
    ours, theirs = op(zg, ours_a, ours_b), op(torch, theirs_a, theirs_b)
    assert TORCH_DTYPES[ours.dtype] == theirs.dtype
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    for mine, reference in ((ours_a, theirs_a), (ours_b, theirs_b)):
        assert TORCH_DTYPES[mine.grad.dtype] == reference.grad.dtype
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy())


def test_a_0d_float64_tensor_does_not_widen_float32_as_in_torch():
    assert (zg.ones(2) * zg.tensor(2.0, dtype=zg.float64)).dtype == np.float32
    assert (zg.tensor(1.0) + zg.tensor(2.0, dtype=zg.float64)).dtype == np.float64


def test_matmul_with_mixed_float_dtypes_raises_as_torch():
    with pytest.raises(RuntimeError, match=r"matmul: dtypes differ"):
        zg.ones(2, 3) @ zg.ones(3, 2, dtype=zg.float64)


# ---- indexing and dims ---------------------------------------------------------------------

INDEXES = [
    (0, slice(None), [0, 2]),
    ([0, 1], 0, [1, 2]),
    (slice(None), 0, [0, 2]),
    (1, Ellipsis, [1, 3]),
    (None, 0, slice(None), [1, 1, 2]),
    (-1, [[1, 2], [0, 0]], slice(1, 4)),
    (2, slice(None, None, 2), 4),
]


@pytest.mark.parametrize("index", INDEXES, ids=str)
def test_integers_with_index_arrays_give_pytorchs_shape_and_gradient(index, rng):
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    ours, theirs = _pair(x, requires_grad=True)
    torch_index = tuple(torch.tensor(p) if isinstance(p, list) else p for p in index)
    zg_index = tuple(zg.tensor(p) if isinstance(p, list) else p for p in index)
    out, expected = ours[zg_index], theirs[torch_index]
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out._data, expected.detach().numpy())
    seed = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(zg.tensor(seed))
    expected.backward(torch.tensor(seed))
    np.testing.assert_array_equal(ours.grad._data, theirs.grad.numpy())


def test_the_issues_example_has_shape_4_2():
    assert zg.zeros(3, 4, 5)[0, :, [0, 2]].shape == (4, 2)


@pytest.mark.parametrize("call", [
    lambda m, x: x.squeeze(5), lambda m, x: x.squeeze(-5), lambda m, x: x.unsqueeze(6),
    lambda m, x: m.cat([x, x], dim=9), lambda m, x: m.cat([x, x], dim=-5), lambda m, x: m.stack([x, x], dim=5),
    lambda m, x: x.transpose(0, 4), lambda m, x: x.flatten(4), lambda m, x: x.sum(dim=4),
    lambda m, x: x.softmax(dim=4), lambda m, x: x.argmax(dim=-5), lambda m, x: x.split(1, dim=4),
    lambda m, x: x.chunk(2, dim=7), lambda m, x: x.permute(0, 1, 2, 4),
], ids=["squeeze", "squeeze_neg", "unsqueeze", "cat", "cat_neg", "stack", "transpose", "flatten", "sum",
        "softmax", "argmax", "split", "chunk", "permute"])
def test_dims_out_of_range_raise_index_error_as_in_pytorch(call):
    with pytest.raises(IndexError):
        call(torch, torch.zeros(2, 1, 3, 1))
    with pytest.raises(IndexError, match="out of range"):
        call(zg, zg.zeros(2, 1, 3, 1))


# ---- bad operands ----------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: zg.ones(3) + None, lambda: None * zg.ones(3), lambda: zg.ones(3) - "a", lambda: zg.ones(3) / object(),
    lambda: zg.ones(3) == None,  # noqa: E711
    lambda: zg.maximum(zg.ones(3), None), lambda: zg.where(zg.ones(3) > 0, None, 1.0),
])
def test_non_numbers_as_operands_raise_type_error(call):
    with pytest.raises(TypeError, match="unsupported operand of type"):
        call()


@pytest.mark.parametrize("data", [[1.0, None], [[1.0, 2.0], [None, 3.0]], np.array([1, None], dtype=object),
                                  ["1.0", 2.0], [1.0, object()]])
def test_tensor_refuses_what_is_not_a_number(data):
    with pytest.raises(TypeError, match="tensor: could not convert"):
        zg.tensor(data)
    with pytest.raises(TypeError, match="tensor: could not convert"):
        zg.tensor(data, dtype=zg.float64)


def test_tensor_from_a_list_of_one_element_tensors_still_works():
    np.testing.assert_array_equal(zg.tensor([zg.tensor(1.5), 2])._data, np.array([1.5, 2.0], dtype=np.float32))


def _array(*shape):
    return np.zeros(shape, dtype=np.float32)


LAYER_CALLS = {
    "Linear": lambda: nn.Linear(3, 2)(_array(4, 3)),
    "ReLU": lambda: nn.ReLU()(_array(4, 3)),
    "Dropout": lambda: nn.Dropout(0.5)(_array(4, 3)),
    "Conv2d": lambda: nn.Conv2d(1, 1, 3)(_array(1, 1, 5, 5)),
    "ConvTranspose2d": lambda: nn.ConvTranspose2d(1, 1, 3)(_array(1, 1, 5, 5)),
    "BatchNorm1d": lambda: nn.BatchNorm1d(3)(_array(4, 3)),
    "LSTM": lambda: nn.LSTM(3, 2)(_array(2, 1, 3)),
    "LSTM_hidden": lambda: nn.LSTM(3, 2)(zg.zeros(2, 1, 3), (_array(1, 1, 2), _array(1, 1, 2))),
    "RNN": lambda: nn.RNN(3, 2)(_array(2, 1, 3)),
    "Embedding": lambda: nn.Embedding(5, 2)(np.array([1, 2])),
    "Sequential": lambda: nn.Sequential(nn.Linear(3, 2))(_array(4, 3)),
    "MSELoss": lambda: nn.MSELoss()(zg.zeros(4, 3), _array(4, 3)),
    "CrossEntropyLoss": lambda: nn.CrossEntropyLoss()(zg.zeros(4, 3), np.array([0, 1, 2, 0])),
    "NLLLoss": lambda: nn.NLLLoss()(_array(4, 3), zg.tensor([0, 1, 2, 0])),
    "BCELoss": lambda: nn.BCELoss()(_array(4) + 0.5, zg.ones(4)),
    "BCEWithLogitsLoss": lambda: nn.BCEWithLogitsLoss()(zg.zeros(4), _array(4)),
}


@pytest.mark.parametrize("name", LAYER_CALLS)
def test_a_numpy_array_given_to_a_layer_or_loss_raises_type_error(name):
    with pytest.raises(TypeError, match=r"expected a Tensor as argument .*numpy.ndarray of shape"):
        LAYER_CALLS[name]()


def test_a_numpy_array_given_to_an_op_raises_type_error():
    with pytest.raises(TypeError, match=r"linear: expected a Tensor as input 0, got numpy.ndarray of shape \(4, 3\)"):
        nn.functional.linear(_array(4, 3), zg.zeros(2, 3))
